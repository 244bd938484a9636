"""The language registry and the language picker."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.languages import LanguageRegistry, offered
from bot.core.services import Services
from tests.i18n.conftest import LOCALES, add_partial, build_services, copy_locales

MINORITIES = ("bru", "pac", "tth", "hnj", "blt", "km", "tyz")


@pytest.fixture(scope="module")
def registry() -> LanguageRegistry:
    return LanguageRegistry.load(LOCALES / "languages.yaml")


def test_minority_languages_are_registered_and_fall_back_to_vietnamese(
    registry: LanguageRegistry,
) -> None:
    for code in MINORITIES:
        language = registry.get(code)
        assert language is not None, code
        assert language.fallbacks == ("vi",)
        assert registry.fallbacks(code) == (code, "vi")
        assert language.endonym and language.name_vi and language.script and language.format_locale
        assert language.plural_forms.startswith("nplurals=")
        assert not language.pseudo
    assert registry.get("bru") is not None and registry.get("bru").endonym == "Bru"  # type: ignore[union-attr]
    assert registry.get("pac") is not None and registry.get("pac").endonym == "Pa Kô"  # type: ignore[union-attr]


def test_the_pseudo_locale_is_registered_but_not_a_real_language(
    registry: LanguageRegistry,
) -> None:
    pseudo = [lang.code for lang in registry if lang.pseudo]
    assert pseudo == ["qps"]
    assert "qps" not in [lang.code for lang in registry.real]


def test_the_label_puts_the_endonym_first(registry: LanguageRegistry) -> None:
    assert registry.get("vi").label == "Tiếng Việt"  # type: ignore[union-attr]
    assert registry.get("en").label == "English (Tiếng Anh)"  # type: ignore[union-attr]
    assert registry.get("bru").label == "Bru (Tiếng Bru – Vân Kiều)"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fallbacks": ["xx"]}, "fallbacks"),
        ({"format_locale": "bru"}, "CLDR"),
        ({"plural_forms": "two forms"}, "plural_forms"),
        ({"to_confirm": ["mood"]}, "to_confirm"),
        ({"code": "vi"}, "duplicate"),
    ],
)
def test_a_bad_registry_is_refused_with_a_reason(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    data = yaml.safe_load((LOCALES / "languages.yaml").read_text(encoding="utf-8"))
    bru = next(entry for entry in data["languages"] if entry["code"] == "bru")
    bru.update(change)
    path = tmp_path / "languages.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        LanguageRegistry.load(path)


def test_offered_by_coverage_threshold_and_beta(registry: LanguageRegistry) -> None:
    coverage = {"vi": 1.0, "en": 1.0, "bru": 0.85, "pac": 0.3, "tth": 0.0, "qps": 1.0}

    def share(code: str) -> float:
        return coverage.get(code, 0.0)

    plain = offered(registry, share, 0.8)
    assert [o.code for o in plain] == ["vi", "en", "bru"]
    with_beta = offered(registry, share, 0.8, beta=True)
    assert [(o.code, o.beta) for o in with_beta] == [
        ("vi", False),
        ("en", False),
        ("bru", False),
        ("pac", True),
    ]
    assert "qps" not in [o.code for o in offered(registry, share, 0.0, beta=True)]  # never offered


def _labels(services: Services) -> dict[str, str]:
    from bot.core.dialog.onboarding import language_buttons
    from bot.core.i18n import use_locale

    with use_locale(services.catalogs, "vi"):
        rows = language_buttons(services)
    return {b.value.removeprefix("lang:"): b.label for row in rows for b in row}


def test_the_picker_hides_or_marks_thin_catalogs(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path / "locales")
    add_partial(locales, "bru", ["📚 Topics", "ℹ️ Help"])
    assert list(_labels(build_services(locales))) == ["vi", "en"]
    marked = _labels(build_services(locales, beta=True))
    assert list(marked) == ["vi", "en", "bru"]  # pac, tth… have no translation at all: hidden
    assert marked["bru"] == "Bru (Tiếng Bru – Vân Kiều) · thử nghiệm"
    assert marked["en"] == "English (Tiếng Anh)"
