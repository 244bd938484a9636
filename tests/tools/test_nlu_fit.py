"""Training a shared NLU model with scikit-learn, scored by the numpy runtime."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.nlu import FeatureSpec, load_model, save_model
from bot.tools.nlu import FitOptions, fit_linear

TEXTS = [
    "em bị bố đánh",
    "bo danh em dau lam",
    "mẹ đánh con bằng roi",
    "bị đánh ở trường",
    "em muốn chết",
    "muon chet cho xong",
    "không muốn sống nữa",
    "em muốn tự tử",
    "dạy con học bơi",
    "con học lớp mấy",
    "cách nấu canh chua",
    "thời tiết hôm nay",
]
LABELS = ["violence"] * 4 + ["self-harm"] * 4 + ["none"] * 4


def test_fit_learns_generalising_features_and_saves(tmp_path: Path) -> None:
    model = fit_linear(TEXTS, LABELS, FeatureSpec(), FitOptions(min_df=1, meta={"hash": "x"}))
    assert model.classes == ("none", "self-harm", "violence")
    proba = model.proba("EM BI DANH")
    assert max(proba, key=proba.__getitem__) == "violence"
    assert max(model.proba("muốn chếtt"), key=model.proba("muốn chếtt").__getitem__) == "self-harm"
    path = tmp_path / "model.nlu"
    save_model(model, path)
    assert load_model(path).proba("em bi danh") == pytest.approx(proba)
    assert load_model(path).meta == {"hash": "x"}


def test_fit_is_reproducible_and_two_classes_work(tmp_path: Path) -> None:
    binary = ["risk" if label != "none" else "none" for label in LABELS]
    one = fit_linear(TEXTS, binary, FeatureSpec(), FitOptions(min_df=1))
    two = fit_linear(TEXTS, binary, FeatureSpec(), FitOptions(min_df=1))
    save_model(one, tmp_path / "one.nlu")
    save_model(two, tmp_path / "two.nlu")
    assert (tmp_path / "one.nlu").read_bytes() == (tmp_path / "two.nlu").read_bytes()
    assert one.proba("bo danh em")["risk"] > 0.5 > one.proba("day con hoc boi")["risk"]


def test_min_df_drops_rare_features_and_bad_input_is_refused() -> None:
    full = fit_linear(TEXTS, LABELS, FeatureSpec(), FitOptions(min_df=1))
    pruned = fit_linear(TEXTS, LABELS, FeatureSpec(), FitOptions(min_df=2))
    assert len(pruned.vocabulary) < len(full.vocabulary)
    with pytest.raises(ValueError):
        fit_linear(TEXTS, LABELS[:-1], FeatureSpec())


def test_a_model_can_be_fitted_in_another_models_feature_space() -> None:
    base = fit_linear(TEXTS, LABELS, FeatureSpec(), FitOptions(min_df=1))
    harms = [(t, label) for t, label in zip(TEXTS, LABELS, strict=True) if label != "none"]
    second = fit_linear(
        [t for t, _ in harms], [label for _, label in harms], FeatureSpec(), space=base
    )
    assert second.shares_features(base) and second.classes == ("self-harm", "violence")
    assert dict(second.vocabulary) == dict(base.vocabulary)
