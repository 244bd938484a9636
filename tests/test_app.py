"""The composition root: content reload without a restart, and broken files never fatal."""

from __future__ import annotations

import gc
import shutil
import weakref
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import App, build_services, settle_heap
from bot.cli import main
from tests.conftest import ROOT, settings_for


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def test_reload_serves_edited_content_and_keeps_serving_when_a_file_breaks(content: Path) -> None:
    settings = settings_for(content_dir=content, database_url="sqlite+aiosqlite:///:memory:")
    app = App.create(settings, build_services(settings))
    library = app.services.content.library
    assert library.article("burns", "vi", date.today()) is not None

    path = content / "articles" / "burns" / "burns.vi.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title:", "title: MỚI", 1), encoding="utf-8"
    )
    broken = content / "articles" / "falls" / "falls.vi.md"
    broken.write_text("---\nid: [broken\n---\n", encoding="utf-8")
    app.reload_content()

    reloaded = app.services.content.library
    found = reloaded.article("burns", "vi", date.today())
    assert found is not None and found.article.title.startswith("MỚI")
    assert any(p.path == broken for p in reloaded.problems)
    assert reloaded.article("drowning-prevention", "vi", date.today()) is not None
    index = app.services.content.index
    assert index is not None and index.search("bỏng nước sôi", "vi")


def test_reload_without_a_server_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["content", "reload"]) == 1
    assert "no running server" in capsys.readouterr().err


def test_content_list_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(ROOT / "content"))
    assert main(["content", "list", "--json"]) == 0
    import json

    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"id", "lang", "topic", "level", "next_review"} <= set(records[0])
    assert {r["lang"] for r in records} >= {"vi", "en"}


def test_language_settings_reach_the_services() -> None:
    services = build_services(settings_for(lang_beta=True, lang_min_coverage=0.5))
    assert services.options.lang_beta is True and services.options.lang_min_coverage == 0.5
    assert {"vi", "en"} <= set(services.offered_languages())


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def unfreeze_after() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test session collects as usual


def test_settle_heap_freezes_what_is_loaded_and_a_later_settle_lets_it_go(
    unfreeze_after: None,
) -> None:
    loaded = _Cycle()
    alive = weakref.ref(loaded)
    settle_heap()
    assert gc.get_freeze_count() > 0
    del loaded  # say, the content a reload replaced: only the collector can free a cycle
    gc.collect()
    assert alive() is not None  # frozen: the collector does not look at it
    settle_heap()
    assert alive() is None


def test_reload_settles_the_heap_again(content: Path, unfreeze_after: None) -> None:
    settings = settings_for(content_dir=content, database_url="sqlite+aiosqlite:///:memory:")
    app = App.create(settings, build_services(settings))
    settle_heap()
    old = weakref.ref(app.services.content)
    app.reload_content()
    gc.collect()
    assert old() is None
    new = app.services.content
    assert not any(o is new for o in gc.get_objects())  # frozen with the rest, out of view
