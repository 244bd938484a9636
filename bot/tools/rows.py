"""What the safety corpus and the search questions share: the hash that ties a trained model to
the labelled rows it learnt from."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any


def corpus_hash(rows: Iterable[Any]) -> str:
    """SHA-256 of the rows' labels and texts (dataclass rows; not of comments, layout or the
    file a row came from)."""
    digest = hashlib.sha256()
    for row in rows:
        record = {k: v for k, v in asdict(row).items() if k != "file" and v is not None}
        digest.update(json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
