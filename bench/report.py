"""Writing a benchmark's figures into docs/BENCHMARKS.md, one section per benchmark."""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"


def write_section(section: str, command: str, text: str, path: Path = DOC_PATH) -> None:
    """Replace (or add) ``section`` of the document, leaving the others intact."""
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    body = f"{section}\n\nCommand: `{command}` (machine: {sys.platform}, Python "
    body += f"{sys.version.split()[0]}; figures vary by machine, ratios less).\n\n{text}\n"
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: body + "\n", doc).rstrip() + "\n"
    else:
        doc = doc.rstrip() + "\n\n" + body
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc, encoding="utf-8")
