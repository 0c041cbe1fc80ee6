"""Note cleaning: control characters, encodings, mixed scripts, long notes."""

import math
import warnings

import pytest

from skinmm.text.clean import clean_note, clean_note_flagged, clean_notes


def test_missing_notes_become_empty() -> None:
    assert clean_notes([None, math.nan, "", "  \n\t "]) == ["", "", "", ""]


def test_control_and_invisible_characters_are_removed() -> None:
    note = "\ufeffMale,\x0045 years.\u200b Lesion\r\non the\x07back."
    assert clean_note(note) == "Male, 45 years. Lesion on the back."


def test_full_width_digits_are_normalised_and_chinese_kept() -> None:
    assert clean_note("男，５５岁。皮损位于背部。") == "男,55岁。皮损位于背部。"


def test_mixed_chinese_and_english_survive() -> None:
    note = "女，62岁。Lesion on the face，瘙痒 and bleeding."
    cleaned = clean_note(note)
    assert "62岁" in cleaned and "Lesion on the face" in cleaned and "瘙痒" in cleaned


def test_utf8_bytes_are_decoded_and_other_bytes_rejected() -> None:
    assert clean_note("男，45岁。".encode()) == "男,45岁。"
    with pytest.raises(ValueError, match="not UTF-8"):
        clean_note("男，45岁。".encode("gb18030"))


def test_mojibake_is_rejected_with_its_position() -> None:
    with pytest.raises(ValueError, match=r"Note 1: .*wrong encoding"):
        clean_notes(["fine", "Lesion on the \ufffd\ufffd"])


def test_non_text_is_rejected() -> None:
    with pytest.raises(ValueError, match="must be text"):
        clean_note(42)


def test_long_note_is_truncated_and_flagged_without_a_warning() -> None:
    note = "Lesion on the back. " * 200
    # A warning would make the app change the process-wide filters to see it.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cleaned, truncated = clean_note_flagged(note, max_chars=500)
    assert truncated
    assert 450 < len(cleaned) <= 500 and not cleaned.endswith("Lesi")
    assert clean_note(note, max_chars=500) == cleaned


def test_short_note_is_not_flagged() -> None:
    assert clean_note_flagged("Male, 45 years.") == ("Male, 45 years.", False)
    # The limit applies to the cleaned text: collapsed whitespace does not count.
    assert clean_note_flagged("a" + " " * 600 + "b", max_chars=500) == ("a b", False)
