import numpy as np
import pandas as pd
import pytest

from skinmm.data.notes import NOTE_FIELDS, drop_fields, render_note, render_notes


def test_english_and_chinese_notes():
    fields = {"sex": "male", "age": 55.0, "site": "back"}
    assert render_note(fields) == "Male, 55 years. Lesion on the back."
    assert render_note(fields, "zh") == "男，55岁。皮损位于背部。"


def test_missing_fields_are_left_out_not_written_unknown():
    note = render_note({"sex": "unknown", "age": float("nan"), "site": "unknown"})
    assert note == ""
    note = render_note({"sex": None, "age": 40, "site": "face"})
    assert note == "Aged 40 years. Lesion on the face."
    assert "unknown" not in render_note({"sex": "female", "age": 0, "site": "unknown"}).lower()


def test_pad_anamnesis_reads_like_a_note():
    fields = {
        "sex": "female",
        "age": 62,
        "fitzpatrick": 2.0,
        "site": "face",
        "diameter_1": 8.0,
        "diameter_2": 6.0,
        "itch": "True",
        "grew": "False",
        "bleed": "True",
        "elevation": "True",
        "smoke": "False",
        "skin_cancer_history": "True",
        "background_father": "POMERANIA",
    }
    en = render_note(fields)
    assert "Fitzpatrick skin type II" in en and "8 x 6 mm" in en
    assert "Reports itching and bleeding" in en and "Denies growth" in en
    zh = render_note(fields, "zh")
    assert "瘙痒" in zh and "波美拉尼亚" in zh and "8×6毫米" in zh


@pytest.mark.parametrize(
    "forbidden", [{"dx": "mel"}, {"dx_type": "histo"}, {"diagnostic": "BCC"}, {"biopsed": True}]
)
def test_fields_that_encode_the_answer_cannot_change_a_note(forbidden):
    base = {"sex": "male", "age": 70, "site": "face", "dx": "nv", "dx_type": "follow_up"}
    base |= {"diagnostic": "NEV", "biopsed": False}
    for lang in ("en", "zh"):
        assert render_note(base | forbidden, lang) == render_note(base, lang)
    assert not set(forbidden) & set(NOTE_FIELDS)


def test_drop_fields_is_seeded_and_total_at_p1():
    fields = {"sex": "male", "age": 55.0, "site": "back"}
    assert render_note(drop_fields(fields, 1.0, np.random.default_rng(0))) == ""
    a = drop_fields(fields, 0.5, np.random.default_rng(3))
    b = drop_fields(fields, 0.5, np.random.default_rng(3))
    assert a == b


def test_render_notes_uses_free_text_without_structured_columns():
    frame = pd.DataFrame({"note": ["free text", None]})
    assert render_notes(frame) == ["free text", ""]


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="language"):
        render_note({"age": 3}, "fr")
