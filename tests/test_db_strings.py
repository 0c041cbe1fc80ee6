"""The History page's and report's strings: both languages, same placeholders, no clashes."""

from __future__ import annotations

import string

import pytest

from skinmm import i18n
from skinmm.db.strings import STRINGS, t


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_has_english_and_chinese_with_the_same_placeholders(key: str) -> None:
    entry = STRINGS[key]
    assert set(entry) == set(i18n.LANGS)
    assert all(entry[lang].strip() for lang in i18n.LANGS)
    assert fields(entry["en"]) == fields(entry["zh"])


def test_keys_do_not_clash_with_the_app_strings_so_they_can_be_merged() -> None:
    assert set(STRINGS).isdisjoint(i18n.STRINGS)


def test_lookup_falls_back_to_the_app_strings() -> None:
    assert t("history_title", "zh") == "病例记录"
    assert t("notice", "en") == i18n.t("notice", "en")
    with pytest.raises(KeyError):
        t("no_such_key")
