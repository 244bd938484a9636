"""A model's artefact: one gzip file, byte-for-byte reproducible, readable with numpy alone.

Layout (inside gzip, written with a zero timestamp so the same model gives the same bytes):
``NLU1\\n``, an 8-byte little-endian header length, a JSON header (format version, spec, classes,
link, meta, vocabulary in index order, and where each array lies), then the arrays' raw bytes.
No pickle: loading runs no code from the file.
"""

from __future__ import annotations

import gzip
import io
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.nlu.features import FeatureSpec
from bot.core.nlu.model import LinearModel

MAGIC = b"NLU1\n"
VERSION = 1
_ARRAYS = ("idf", "weights", "bias")


class ArtefactError(ValueError):
    """The file is missing, truncated or not a model artefact; the message names the file."""


def save_model(model: LinearModel, path: Path, dtype: str = "float32") -> None:
    """Write ``model`` to ``path``; ``dtype`` float16 halves the weights' size."""
    arrays = {name: np.ascontiguousarray(getattr(model, name), dtype=dtype) for name in _ARRAYS}
    layout, offset = [], 0
    for name, array in arrays.items():
        layout.append({"name": name, "dtype": dtype, "shape": list(array.shape), "offset": offset})
        offset += array.nbytes
    vocabulary = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    header = {
        "version": VERSION,
        "spec": model.spec.to_json(),
        "classes": list(model.classes),
        "link": model.link,
        "meta": dict(model.meta),
        "vocabulary": vocabulary,
        "arrays": layout,
    }
    encoded = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    body = io.BytesIO()
    body.write(MAGIC + struct.pack("<Q", len(encoded)) + encoded)
    for array in arrays.values():
        body.write(array.tobytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out:
        out.write(body.getvalue())


def read_header(path: Path) -> dict[str, Any]:
    """The artefact's header alone (spec, classes, meta…), e.g. to compare a corpus hash."""
    header, _ = _read(path)
    return header


def load_model(path: Path) -> LinearModel:
    header, data = _read(path)
    try:
        arrays = {}
        for item in header["arrays"]:
            dtype = np.dtype(item["dtype"])
            count = int(np.prod(item["shape"]))
            array = np.frombuffer(data, dtype=dtype, count=count, offset=int(item["offset"]))
            arrays[item["name"]] = array.reshape(item["shape"]).astype(np.float32)
        return LinearModel(
            spec=FeatureSpec.from_json(header["spec"]),
            classes=tuple(header["classes"]),
            vocabulary={name: index for index, name in enumerate(header["vocabulary"])},
            idf=arrays["idf"],
            weights=arrays["weights"],
            bias=arrays["bias"],
            link=header["link"],
            meta=header["meta"],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ArtefactError(f"{path}: not a valid model artefact: {error}") from error


def _read(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        with gzip.open(path, "rb") as stream:
            blob = stream.read()
    except (OSError, EOFError) as error:
        raise ArtefactError(f"{path}: cannot read the model artefact: {error}") from error
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 8:
        raise ArtefactError(f"{path}: not a model artefact (no {MAGIC!r} header)")
    (size,) = struct.unpack_from("<Q", blob, len(MAGIC))
    start = len(MAGIC) + 8
    try:
        header = json.loads(blob[start : start + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArtefactError(f"{path}: damaged header: {error}") from error
    if not isinstance(header, dict) or header.get("version") != VERSION:
        raise ArtefactError(f"{path}: unsupported artefact version")
    return header, blob[start + size :]
