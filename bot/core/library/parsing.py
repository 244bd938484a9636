"""Turning YAML and validation errors into problems that name the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.core.library.model import Level, Problem


def line_of(text: str, key: str) -> int:
    """The line of ``key:`` in a YAML text, for error messages (1 if not found)."""
    match = re.search(rf"^[ \t]*-?[ \t]*{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def validation_problems(path: Path, text: str, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        keys = [part for part in reversed(loc) if not part.isdigit()]
        # the innermost key written on a line of its own (``review: {level: x}`` is on "review")
        line = next((n for n in (line_of(text, k) for k in keys) if n > 1), 1)
        where = ".".join(loc) or "file"
        problems.append(Problem(Level.ERROR, path, line, f"{where}: {err['msg']}"))
    return problems


def yaml_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    return Problem(Level.ERROR, path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}")
