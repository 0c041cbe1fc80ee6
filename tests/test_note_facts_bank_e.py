"""The note reader on the record formats bank e (issue 16) showed it missing, one rule each.

Questions answered, fields answered Y/N or by a ticked box, bullet lines, 【】 templates and
size changes, in English and Chinese; and the two facts added with them, the lesion's
duration (months) and sun exposure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skinmm.text.facts import read_note
from skinmm.text.facts_display import BadValue, fact_label, fact_lines, format_value, parse_value
from skinmm.text.facts_eval import evaluate_extraction, load_records
from skinmm.text.facts_forms import answer_polarity, field_polarity


def _read(note: str, names: tuple[str, ...]) -> dict:
    facts = read_note(note).facts
    return {k: facts.get(k) for k in names}


@pytest.mark.parametrize(
    ("reply", "polarity"),
    [
        ("Nope.", "absent"),
        ("No, not at all.", "absent"),
        ("I don't think so, no.", "absent"),
        ("It does not hurt at all.", "absent"),
        ("Yes, definitely.", "present"),
        ("Yeah.", "present"),
        ("It does.", "present"),
        ("Not sure.", "unsure"),
        ("About 5 mm.", None),
        ("没有的。", "absent"),
        ("不会。", "absent"),
        ("有一点。", "present"),
        ("是的。", "present"),
        ("对。", "present"),
        ("不清楚。", "unsure"),
    ],
)
def test_an_answer_says_yes_no_or_not_sure(reply: str, polarity: str | None) -> None:
    assert answer_polarity(reply) == polarity


@pytest.mark.parametrize(
    ("value", "polarity"),
    [
        ("Y", "present"),
        ("N", "absent"),
        ("[x] Y  [ ] N", "present"),
        ("[ ] Y  [x] N", "absent"),
        ("☑是 □否", "present"),
        ("□是 ☑否", "absent"),
        ("[ ] Y  [ ] N", None),
        ("right forearm", None),
        ("None.", "absent"),
    ],
)
def test_a_field_value_is_a_word_a_sign_or_a_ticked_box(value: str, polarity: str | None) -> None:
    assert field_polarity(value) == polarity


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # The question names the fact, the answer gives its polarity.
        ("Q: Does it itch? A: Nope.", {"itch": "absent"}),
        ("Q: Has it bled? A: Yes, definitely.", {"bleed": "present"}),
        ("Q: Is it raised above the skin? A: No.", {"elevation": "absent"}),
        ("Q: Does it hurt? A: It does not hurt at all.", {"hurt": "absent"}),
        ("Q: Is it painless? A: No.", {"hurt": "present"}),
        ("Q: Do you smoke? A: No, not at all. Q: Do you drink? A: Yes.", {"smoke": "absent"}),
        ("Q: How old are you? A: I'm 69.", {"age": 69}),
        # A cancer asked about is a history; a relative named makes it theirs.
        ("Q: Have you ever had skin cancer? A: No.", {"skin_cancer_history": "absent"}),
        (
            "Q: Have you had any other cancer? A: Yes, ovarian cancer some years ago.",
            {"cancer_history": "present"},
        ),
        (
            "Q: Any family history of melanoma? A: Yes, my mother.",
            {"family_skin_cancer_history": "present", "skin_cancer_history": None},
        ),
        ("Q: Does it bleed? A: Not sure.", {"bleed": None}),
        ("Itch? No. Bleeding? Yes.", {"itch": "absent", "bleed": "present"}),
        # Chinese dialogue: an A-not-A question asserts nothing; the answer decides.
        ("医生：疼不疼？\n患者：没有的。", {"hurt": "absent"}),
        ("医生：痒不痒？\n患者：有一点。", {"itch": "present"}),
        ("医生：有没有出过血？\n患者：不会。", {"bleed": "absent"}),
        ("医生：摸起来是凸起的吗？\n患者：对。", {"elevation": "present"}),
        ("医生：以前得过其他癌症吗？\n患者：得过宫颈癌。", {"cancer_history": "present"}),
        ("医生：以前得过皮肤癌吗？\n患者：没有。", {"skin_cancer_history": "absent"}),
    ],
)
def test_a_question_takes_the_polarity_of_its_answer(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


def test_a_question_alone_states_nothing() -> None:
    reading = read_note("Q: Does it itch? A: About a week ago I noticed it.")
    assert "itch" not in reading.facts
    assert "hurt" not in read_note("医生：疼不疼？").facts


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Raised lesion: N", {"elevation": "absent"}),
        ("Bleeding episodes: No\nTenderness/pain: No", {"bleed": "absent", "hurt": "absent"}),
        ("Other cancer history: [ ] Y  [x] N", {"cancer_history": "absent"}),
        ("Hx other malignancy: [x] Y  [ ] N", {"cancer_history": "present"}),
        ("Drinks alcohol: N\nSmoker: Y", {"drink": "absent", "smoke": "present"}),
        ("Non-smoker: Y", {"smoke": "absent"}),
        ("瘙痒：□是 ☑否\n饮酒：☑是 □否", {"itch": "absent", "drink": "present"}),
        (
            "皮肤癌病史：☑是 □否\n隆起：是",
            {"skin_cancer_history": "present", "elevation": "present"},
        ),
    ],
)
def test_a_field_label_takes_the_polarity_of_its_value(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


def test_a_free_text_field_value_is_read_as_a_sentence() -> None:
    note = "Clinical features: no change in colour or shape.\nBody site: left heel"
    assert _read(note, ("changed", "site")) == {"changed": "absent", "site": "foot"}


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # Each bullet is its own sentence: a denial does not reach the next line, and the
        # "-" opening a line is no value of the line before.
        (
            "1. Skin lesion, forearm\n   - pruritic\n   - enlarging\n   - not elevated",
            {"itch": "present", "grew": "present", "elevation": "absent"},
        ),
        ("- not growing\n- no bleeding\n- elevated above the skin", {"elevation": "present"}),
        (
            "Problem list:\n- it itches\n- no recent change",
            {"itch": "present", "changed": "absent"},
        ),
    ],
)
def test_a_bullet_line_is_its_own_sentence(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


def test_a_line_continued_in_lower_case_stays_one_sentence() -> None:
    assert _read("Denies itching\nor bleeding.", ("itch", "bleed")) == {
        "itch": "absent",
        "bleed": "absent",
    }


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # A change of size is growth; "未变" is no change.
        ("专科检查：大小无明显变化，无触痛。", {"grew": "absent", "changed": None}),
        ("颜色形态未变，从未出血。", {"changed": "absent", "bleed": "absent"}),
        # A 【heading】 opens a sentence: the size of one field is not the subject of the next.
        ("【皮损大小】3.5mm 【现病史】颜色形态较前改变", {"changed": "present", "grew": None}),
        # Any "…癌" is a cancer; a site written "颈侧" is the neck.
        ("既往卵巢癌病史。", {"cancer_history": "present"}),
        ("【皮损部位】颈侧", {"site": "neck"}),
    ],
)
def test_chinese_record_templates(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


def test_bank_e_as_a_development_set_meets_the_targets() -> None:
    records = load_records(Path(__file__).parent / "data" / "unseen_notes_e.jsonl")
    result = evaluate_extraction(records, n_boot=10)
    assert not [fact for fact, t in result["targets"].items() if not t["met"]]
    assert result["notes_read_exactly"] >= 395


@pytest.mark.parametrize(
    ("note", "months"),
    [
        ("Lesion present for 3 years, enlarging.", 36.0),
        ("2-week history of a bleeding papule.", 0.46),
        ("Noticed 6 months ago on the back.", 6.0),
        ("Mole for a few months; smoker for 20 years.", 3.0),
        ("62 years old, lesion for 2 yrs.", 24.0),
        ("发现左前臂皮损半年，近2周增大。", 6.0),
        ("病程3年。", 36.0),
        ("皮损一年半前出现。", 18.0),
        ("主诉：躯干皮损3月。", 3.0),
        ("背部黑痣两年。", 24.0),
    ],
)
def test_duration_in_months(note: str, months: float) -> None:
    assert read_note(note).facts["duration_months"] == months


@pytest.mark.parametrize(
    "note",
    [
        "Smoked for 20 years.",
        "BCC removed 2 yrs ago.",
        "Review in 3 months.",
        "吸烟20年。",
        "5年前行基底细胞癌手术。",
        "建议3个月后复诊。",
        "2019年切除。",
        "男，62岁。",
    ],
)
def test_no_duration_of_something_else(note: str) -> None:
    assert "duration_months" not in read_note(note).facts


@pytest.mark.parametrize(
    ("note", "value"),
    [
        ("Chronic sun exposure.", "present"),
        ("Outdoor worker, frequent blistering sunburns.", "present"),
        ("No significant sun exposure.", "absent"),
        ("Denies smoking, alcohol or sun exposure.", "absent"),
        ("Sun exposure: N", "absent"),
        ("Q: Do you get sunburnt? A: Yes, every summer.", "present"),
        ("长期户外工作，有日晒史。", "present"),
        ("否认日晒史。", "absent"),
        ("日晒：☑是 □否", "present"),
    ],
)
def test_sun_exposure_with_its_negation(note: str, value: str) -> None:
    assert read_note(note).facts["sun_exposure"] == value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_duration_and_sun_exposure_are_shown_and_corrected(lang: str) -> None:
    reading = read_note("Lesion for 6 months. Chronic sun exposure.").to_dict()
    lines = fact_lines(reading, lang)
    assert any(format_value("duration_months", 6.0, lang) in line for line in lines)
    assert any(fact_label("sun_exposure", lang) in line for line in lines)
    assert parse_value("duration_months", "6 months") == 6.0
    assert parse_value("duration_months", "3个月") == 3.0
    assert parse_value("sun_exposure", "无") == "absent"
    with pytest.raises(BadValue):
        parse_value("duration_months", "forever")


def test_warm_reader_builds_both_pipelines_once() -> None:
    from skinmm.text.facts import warm_reader
    from skinmm.text.facts_en import english_pipeline
    from skinmm.text.facts_zh import chinese_tokenizer

    warm_reader()
    built = english_pipeline(), chinese_tokenizer()
    warm_reader()
    assert english_pipeline() is built[0] and chinese_tokenizer() is built[1]
    assert english_pipeline.cache_info().currsize == chinese_tokenizer.cache_info().currsize == 1


def test_a_reading_with_duration_and_sun_exposure_is_a_valid_stored_reading() -> None:
    from skinmm.db.rows import check_note_reading

    reading = read_note("Lesion for 80 years. Chronic sun exposure.").to_dict()
    assert reading["facts"] == {"sun_exposure": "present", "duration_months": 960.0}
    check_note_reading({**reading, "corrected_facts": None, "model_note": None}, "reading")
