"""`mangnon ask` (JSON contract, batch, safety fields) and `mangnon unanswered`."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import Chat


def _ask(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["ask", "--json", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_ask_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    (record,) = _ask(capsys, "lam sao phong duoi nuoc cho be")
    assert set(record) == {"query", "lang", "safety", "results", "confidence", "clarify"}
    assert record["query"] == "lam sao phong duoi nuoc cho be" and record["lang"] == "vi"
    assert record["safety"] == {"escalate": False, "level": "none", "category": None}
    results = record["results"]
    assert isinstance(results, list) and 1 <= len(results) <= 5
    assert results[0]["topic"] == "drowning-prevention"
    assert set(results[0]) == {"id", "topic", "title", "score"}
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def test_ask_fills_safety_and_reads_a_batch_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = [
        "dấu hiệu trẻ bị xâm hại là gì?",
        "tôi muốn chết, không muốn sống nữa",
        "asdf qwer zxcv",
        "",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(questions) + "\n"))
    records = _ask(capsys)
    assert [r["query"] for r in records] == questions
    assert (
        records[0]["safety"]["escalate"] is False
        and records[0]["results"][0]["topic"] == "abuse-signs"
    )  # type: ignore[index]
    assert records[1]["safety"] == {"escalate": True, "level": "crisis", "category": "self-harm"}
    assert records[2]["results"] == [] and records[3]["results"] == []


def test_ask_json_ranks_topics_and_leaves_results_empty_without_an_answer(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("lam sao day con boi an toan\nmáy bay bay cao bao nhiêu\n")
    )
    swimming, planes = _ask(capsys)
    assert swimming["results"][0]["topic"] == "drowning-prevention"  # type: ignore[index]
    assert swimming["confidence"] == swimming["results"][0]["score"]  # type: ignore[index]
    assert planes["results"] == [] and planes["confidence"] == 0.0 and planes["clarify"] is None


def test_ask_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    (record,) = _ask(capsys, "--lang", "en", "how do I treat a burn on my toddler's hand?")
    assert record["lang"] == "en" and record["results"][0]["topic"] == "burns"  # type: ignore[index]


def test_ask_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "bé bị chó cắn phải làm gì"]) == 0
    out = capsys.readouterr().out
    assert "animal-bites" in out


async def test_unanswered_questions_are_scrubbed_grouped_and_listed(
    chat: Chat,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    await chat.send("thời tiết hôm nay thế nào, gọi tôi 0912 345 678")
    await chat.send("Thời tiết hôm nay thế nào, gọi tôi 0912 345 678")
    await chat.send("giá vàng hôm nay")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    assert await asyncio.to_thread(main, ["unanswered", "--json"]) == 0  # the CLI runs its own loop
    groups = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (
        groups[0]["count"] == 2
        and "<phone>" in groups[0]["text"]
        and "0912" not in groups[0]["text"]
    )
    assert {g["count"] for g in groups} == {2, 1}
