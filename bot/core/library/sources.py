"""``content/sources.yaml``: every public source once; articles, tips and snippets cite by id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.core.library.model import Cited, Level, Problem
from bot.core.library.parsing import line_of, validation_problems, yaml_problem
from bot.core.library.schema import SourceEntry, SourceRef, SourcesFile


def load_sources(path: Path) -> tuple[dict[str, SourceEntry], list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
        parsed = SourcesFile.model_validate(yaml.safe_load(text))
    except FileNotFoundError:
        return {}, [Problem(Level.ERROR, path, 1, "missing sources file")]
    except yaml.YAMLError as exc:
        return {}, [yaml_problem(path, exc)]
    except ValidationError as exc:
        return {}, validation_problems(path, text, exc)
    sources: dict[str, SourceEntry] = {}
    problems: list[Problem] = []
    for entry in parsed.sources:
        if entry.id in sources:
            problems.append(
                Problem(Level.ERROR, path, line_of(text, entry.id), f"duplicate source {entry.id}")
            )
        sources[entry.id] = entry
    for entry in parsed.sources:
        if entry.superseded_by is not None and entry.superseded_by not in sources:
            problems.append(
                Problem(
                    Level.ERROR,
                    path,
                    line_of(text, entry.id),
                    f"source {entry.id}: superseded_by {entry.superseded_by} is not a source",
                )
            )
    return sources, problems


def resolve(
    refs: Iterable[SourceRef], sources: dict[str, SourceEntry], lang: str
) -> tuple[tuple[Cited, ...], list[str]]:
    """The cited sources, and the ids that are not in sources.yaml."""
    cited = []
    unknown = []
    for ref in refs:
        entry = sources.get(ref.id)
        if entry is None:
            unknown.append(ref.id)
        else:
            cited.append(Cited(entry, ref.at, lang))
    return tuple(cited), unknown


def stale_citations(cited: Iterable[Cited], today: date) -> list[str]:
    """Warnings for sources that a newer one replaced, or whose validity has ended."""
    out = []
    for source in {c.source.id: c.source for c in cited}.values():
        if source.superseded_by is not None:
            out.append(
                f"cites {source.id}, superseded by {source.superseded_by}: update the text and cite "
                "the new source"
            )
        if source.expires is not None and source.expires < today:
            note = f" ({source.note})" if source.note else ""
            out.append(f"cites {source.id}, which expired on {source.expires}{note}")
    return out
