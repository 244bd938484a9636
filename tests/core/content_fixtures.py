"""A small content tree in a temporary folder: topics, sources, snippets, articles and tips."""

from __future__ import annotations

from pathlib import Path

TOPICS = """
pillars:
  - id: injury
    name: {vi: "Thương tích", en: "Injuries"}
    topics:
      - id: first-aid
        name: {vi: "Sơ cứu", en: "First aid"}
        expert_roles: [medical]
      - id: burns
        name: {vi: "Bỏng", en: "Burns"}
  - id: rights
    name: {vi: "Quyền", en: "Rights"}
    topics:
      - id: rights-overview
        name: {vi: "Quyền trẻ em", en: "Children's rights"}
"""

SOURCES = """
sources:
  - id: erc-2021
    title: "ERC Guidelines 2021"
    publisher: "European Resuscitation Council"
    url: "https://cprguidelines.eu"
  - id: old-decree
    title: {vi: "Nghị định cũ", en: "Old decree"}
    publisher: {vi: "Chính phủ", en: "Government"}
    citation: {vi: "Nghị định số 1/2019/NĐ-CP", en: "Decree No. 1/2019/NĐ-CP"}
    superseded_by: new-decree
  - id: new-decree
    title: {vi: "Nghị định mới", en: "New decree"}
    publisher: {vi: "Chính phủ", en: "Government"}
    citation: {vi: "Nghị định số 2/2024/NĐ-CP", en: "Decree No. 2/2024/NĐ-CP"}
  - id: ended-programme
    title: "Programme 2020–2025"
    publisher: "Prime Minister"
    citation: "Decision No. 3/QĐ-TTg"
    expires: 2025-12-31
    note: "the period ended"
"""

CPR_VI = """---
id: cpr
lang: vi
title: "Hồi sức tim phổi"
sources: [erc-2021]
markers: ["hồi sức tim phổi", "ép tim"]
outdated: ["hồi sức tim phổi nếu bạn đã được học"]
---
Ép tim ngay: mạnh và nhanh vào giữa ngực, 100–120 lần mỗi phút.
"""

CPR_EN = """---
id: cpr
lang: en
title: "CPR"
sources: [erc-2021]
markers: ["CPR", "chest compression"]
outdated: ["CPR if you have learned it"]
translation_of: {lang: vi, hash: ""}
---
Start chest compressions at once: hard and fast in the centre of the chest, 100–120 a minute.
"""

INTERNAL = (
    'review: {level: internal, reviewer: "Nhóm biên tập Măng Non", organisation: "Măng Non", '
    "reviewed_on: 2026-11-29, next_review: 2027-11-29}"
)


def article(
    article_id: str = "first-aid",
    lang: str = "vi",
    *,
    topic: str = "first-aid",
    body: str = "Gọi 115.\n\n{{snippet: cpr}}",
    summary: str = "Gọi 115 và sơ cứu.",
    sources: str = "[erc-2021]",
    review: str = INTERNAL,
    extra: str = "",
) -> str:
    return "\n".join(
        [
            "---",
            f"id: {article_id}",
            f"lang: {lang}",
            f"topic: {topic}",
            "audiences: [parents]",
            "age_bands: [all]",
            f'title: "Bài {article_id} {lang}"',
            f'summary: "{summary}"',
            f"sources: {sources}",
            review,
            extra,
            "---",
            body,
            "",
        ]
    )


def tips(text: str, sources: str = "[erc-2021]", lang: str = "vi") -> str:
    return "\n".join(
        [
            INTERNAL,
            "tips:",
            "  - id: tip-01",
            "    topic: first-aid",
            "    audiences: [parents]",
            "    age_bands: [all]",
            f'    text: "{text}"',
            f"    sources: {sources}",
            "",
        ]
    )


def content_tree(
    root: Path,
    articles: dict[str, str],
    snippets: dict[str, str] | None = None,
    tip_files: dict[str, str] | None = None,
) -> Path:
    """``articles``: file name → text (under articles/<topic>/, the topic read from the text)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "snippets").mkdir(exist_ok=True)
    for name, text in (snippets if snippets is not None else {"cpr.vi.md": CPR_VI}).items():
        (root / "snippets" / name).write_text(text, encoding="utf-8")
    for name, text in articles.items():
        topic = next(
            line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("topic:")
        )
        path = root / "articles" / topic / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "tips").mkdir(exist_ok=True)
    for name, text in (tip_files or {}).items():
        (root / "tips" / name).write_text(text, encoding="utf-8")
    return root
