"""The lock files are in step with pyproject.toml (`make lock` refreshes them)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def locked(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _project() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    )["project"]
    return project


def _requirements(extra: str | None) -> list[Requirement]:
    project = _project()
    names = project["dependencies"] if extra is None else project["optional-dependencies"][extra]  # type: ignore[index]
    return [Requirement(r) for r in names]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("requirements.lock", [None]), ("requirements-dev.lock", [None, "dev"])],
)
def test_every_dependency_is_locked_within_its_range(lock: str, groups: list[str | None]) -> None:
    pins = locked(ROOT / lock)
    problems = []
    for group in groups:
        for requirement in _requirements(group):
            pinned = pins.get(canonicalize_name(requirement.name))
            if pinned is None:
                problems.append(f"{requirement.name} missing from {lock}")
            elif not requirement.specifier.contains(pinned, prereleases=True):
                problems.append(f"{requirement.name}=={pinned} outside {requirement.specifier}")
    assert problems == [], "run `make lock`"


def test_the_dev_lock_runs_the_same_versions_as_the_run_time_lock() -> None:
    runtime, dev = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")
    assert runtime and {name: dev.get(name) for name in runtime} == runtime


def test_locked_lines_are_read(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text("# comment\nAioGram==3.31.0\n    # via x\nnumpy==2.4.6 ; python_version>'3'\n")
    assert locked(lock) == {"aiogram": "3.31.0", "numpy": "2.4.6"}
