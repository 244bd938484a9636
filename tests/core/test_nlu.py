"""The shared NLU runtime: features of folded text, linear scoring, the artefact format."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from bot.core.nlu import (
    ArtefactError,
    FeatureSpec,
    LinearModel,
    featurize,
    load_model,
    normalise,
    save_model,
)
from bot.core.nlu.artefact import read_header


def test_folding_makes_accents_case_and_elongation_one_text() -> None:
    spec = FeatureSpec(aliases={"ko": "không", "bme": "bố mẹ", "mô": "đâu"})
    assert normalise("Em bị ĐÁNHHH, ko dám nói vs bme", spec) == [
        *("em", "bi", "danh", "khong", "dam", "noi", "vs", "bo", "me")
    ]
    assert featurize("em bị đánh", spec) == featurize("EM BI DANH", spec)
    assert normalise("I'm scared", spec) == ["im", "scared"]
    assert normalise("đi mô, mở cửa mo", spec) == ["di", "dau", "mo", "cua", "mo"]
    accented = FeatureSpec(strip_accents=False)
    assert normalise("bị đánh", accented) == ["bị", "đánh"]


def test_features_are_word_and_character_ngrams() -> None:
    spec = FeatureSpec(char_ngrams=(2, 3), word_ngrams=(1, 2))
    counts = featurize("bi danh", spec)
    assert counts["w:bi"] == 1 and counts["w:bi danh"] == 1
    assert counts["c: b"] == 1 and counts["c:h "] == 1 and counts["c:i d"] == 1
    assert not any(name.startswith("c:") and len(name) > 5 for name in counts)
    words_only = featurize("bi danh bi", FeatureSpec(char_ngrams=(0, 0), word_ngrams=(1, 1)))
    assert words_only == {"w:bi": 2, "w:danh": 1}
    assert featurize("", spec) == {} and featurize("😀 ...", spec) == {}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"char_ngrams": (3, 2)},
        {"word_ngrams": (0, 2)},
        {"char_ngrams": (0, 0), "word_ngrams": (0, 0)},
    ],
)
def test_a_spec_that_makes_no_sense_is_refused(kwargs: dict[str, tuple[int, int]]) -> None:
    with pytest.raises(ValueError):
        FeatureSpec(**kwargs)  # type: ignore[arg-type]


def _model(link: str = "softmax") -> LinearModel:
    spec = FeatureSpec(char_ngrams=(0, 0), word_ngrams=(1, 1))
    return LinearModel(
        spec=spec,
        classes=("none", "risk"),
        vocabulary={"w:danh": 0, "w:hoc": 1},
        idf=np.array([1.0, 1.0], dtype=np.float32),
        weights=np.array([[-2.0, 2.0], [1.0, -1.0]], dtype=np.float32),
        bias=np.array([0.5, -0.5], dtype=np.float32),
        link=link,  # type: ignore[arg-type]
        meta={"corpus": "abc"},
    )


def test_scores_follow_the_weights() -> None:
    model = _model()
    assert model.proba("em bi danh")["risk"] > 0.9
    assert model.proba("em di hoc")["none"] > 0.9
    unknown = model.proba("xin chao")  # no known feature: the bias alone
    assert unknown["none"] == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-5)
    assert sum(model.proba("danh hoc").values()) == pytest.approx(1.0)
    sigmoid = _model("sigmoid").proba("danh")
    assert sigmoid["risk"] == pytest.approx(1 / (1 + np.exp(-1.5)), rel=1e-5)
    (top, *_) = model.explain("em bi danh", "risk")
    assert top.feature == "w:danh" and top.weight > 0


def test_weights_that_do_not_fit_the_vocabulary_are_refused() -> None:
    model = _model()
    with pytest.raises(ValueError, match="do not fit"):
        LinearModel(model.spec, model.classes, {"w:x": 0}, model.idf, model.weights, model.bias)


def test_artefact_round_trip_is_exact_and_reproducible(tmp_path: Path) -> None:
    model = _model()
    first, second = tmp_path / "a.nlu", tmp_path / "b.nlu"
    save_model(model, first)
    save_model(model, second)
    assert first.read_bytes() == second.read_bytes()
    loaded = load_model(first)
    assert loaded.classes == model.classes and loaded.spec == model.spec
    assert dict(loaded.vocabulary) == dict(model.vocabulary)
    assert np.array_equal(loaded.weights, model.weights) and loaded.meta == {"corpus": "abc"}
    assert read_header(first)["meta"] == {"corpus": "abc"}
    assert LinearModel.load(first).proba("danh") == model.proba("danh")
    save_model(model, second, dtype="float16")
    assert load_model(second).proba("danh")["risk"] == pytest.approx(
        model.proba("danh")["risk"], abs=1e-3
    )


def test_a_broken_artefact_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.nlu"
    with pytest.raises(ArtefactError, match=r"missing\.nlu"):
        load_model(missing)
    garbage = tmp_path / "garbage.nlu"
    garbage.write_bytes(b"not gzip at all")
    with pytest.raises(ArtefactError, match=r"garbage\.nlu"):
        load_model(garbage)
    wrong = tmp_path / "wrong.nlu"
    with gzip.open(wrong, "wb") as out:
        out.write(b"something else entirely")
    with pytest.raises(ArtefactError, match="not a model artefact"):
        load_model(wrong)
    truncated = tmp_path / "truncated.nlu"
    save_model(_model(), truncated)
    with gzip.open(truncated, "rb") as stream:
        blob = stream.read()
    with gzip.open(truncated, "wb") as out:
        out.write(blob[:-8])
    with pytest.raises(ArtefactError):
        load_model(truncated)


def test_models_in_one_feature_space_share_the_vector() -> None:
    model = _model()
    other = LinearModel(
        model.spec,
        ("a", "b", "c"),
        model.vocabulary,
        model.idf,
        np.ones((2, 3), dtype=np.float32),
        np.zeros(3, dtype=np.float32),
    )
    assert other.shares_features(model) and model.shares_features(other)
    where, values = model.vector("em bi danh")
    assert np.allclose(other.probabilities_at(where, values), other.probabilities("em bi danh"))
    vocabulary = {"w:x": 0, "w:y": 1}
    moved = LinearModel(model.spec, model.classes, vocabulary, model.idf, model.weights, model.bias)
    assert not moved.shares_features(model)
