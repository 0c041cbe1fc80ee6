"""Every UI string exists in both languages, with the same placeholders, and pages use no others."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from skinmm.charts import BRANCHES, ERROR_FILTERS
from skinmm.i18n import LANGS, STRINGS, caution_text, risk_name, t
from skinmm.taxonomy import LABEL_SPACES, TAXONOMY, Risk

ROOT = Path(__file__).resolve().parents[1]
# Strings that are the same in both languages on purpose (names, numbers only).
SAME_IN_BOTH = {"app_title", "cam_caption", "nf_line", "not_set"}  # punctuation only
CJK = re.compile(r"[\u4e00-\u9fff]")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = STRINGS[key]
    assert set(entry) == set(LANGS)
    assert all(entry[lang].strip() for lang in LANGS)
    assert fields(entry["en"]) == fields(entry["zh"])
    if key not in SAME_IN_BOTH:
        assert CJK.search(entry["zh"]), f"{key} has no Chinese text"


def test_t_formats_falls_back_to_english_and_names_missing_keys() -> None:
    assert t("errors_count", "en", n=1234) == "1,234 matching cases"
    assert t("errors_count", "zh", n=3) == "符合条件的病例 3 例"
    assert t("analyse", "fr") == "Analyse"
    with pytest.raises(KeyError, match="no_such_key"):
        t("no_such_key", "en")


def test_cautions_risks_modes_and_filters_are_all_translated() -> None:
    cautions = (
        "low_confidence",
        "branches_disagree",
        "possible_malignancy",
        "consider_biopsy",
        "image_only",
        "text_only",
    )
    for key in cautions:
        assert CJK.search(caution_text(key, "zh", p=0.4, names="黑色素瘤"))
    assert [risk_name(r, "zh") for r in Risk] == ["恶性", "癌前病变", "良性"]
    for key in [f"mode_{m}" for m in ("fused", "image-only", "text-only")]:
        assert key in STRINGS
    for key in [f"branch_{b}" for b in BRANCHES] + [f"err_branch_{e}" for e in ERROR_FILTERS]:
        assert key in STRINGS
    for key in ("carrier_image", "carrier_text", "carrier_both"):
        assert key in STRINGS


def test_every_class_has_a_chinese_name() -> None:
    classes = [*TAXONOMY.values(), *(c for space in LABEL_SPACES.values() for c in space)]
    assert all(CJK.search(c.name_zh) for c in classes)


def test_pages_only_use_strings_that_exist() -> None:
    used: set[str] = set()
    pages = ("common", "diagnose", "dashboard", "model_card", "error_box")
    for path in [ROOT / "app.py", *(ROOT / "views" / f"{name}.py" for name in pages)]:
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_]+)\"", path.read_text(encoding="utf-8")))
    assert used, "no t(...) calls found in the pages"
    assert used <= set(STRINGS), sorted(used - set(STRINGS))
