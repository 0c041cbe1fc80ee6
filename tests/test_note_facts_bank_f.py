"""The note reader on what bank f (issue 16, now a development set) showed it missing.

One general rule each, in English and Chinese: sex after "y.o.", spoken sex ("女的"),
object-taking denials ("without bleeding"), a denial of every cancer, sizes then and now,
values written after a history cue ("皮肤癌病史：无"), spoken denials and doubts
("没流过血", "说不准"), and relatives' histories and habits kept off the patient.
"""

from __future__ import annotations

import pytest

from skinmm.text.facts import read_note


def _read(note: str, names: tuple[str, ...]) -> dict:
    facts = read_note(note).facts
    return {k: facts.get(k) for k in names}


@pytest.mark.parametrize(
    ("note", "sex"),
    [
        ("Patient: 87 y.o. M", "male"),
        ("Patient: 70 y.o. F, mole on the back", "female"),
        ("患者：79岁，女的。", "female"),
        ("患者：男的，60岁。", "male"),
    ],
)
def test_sex_after_age_and_in_replies(note: str, sex: str) -> None:
    assert read_note(note).facts.get("sex") == sex


def test_no_sex_from_a_word_that_only_contains_it() -> None:
    assert "sex" not in read_note("女的儿子脸上有颗痣。").facts


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("It has enlarged without any spontaneous bleeding.", ("present", "absent")),
        ("It has enlarged without bleeding.", ("present", "absent")),
        ("It has enlarged and bleeds.", ("present", "present")),
    ],
)
def test_without_denies_what_follows_not_what_precedes(note: str, expected: tuple) -> None:
    assert tuple(_read(note, ("grew", "bleed")).values()) == expected


@pytest.mark.parametrize(
    ("note", "skin", "other"),
    [
        ("PMHx: no malignancy of any kind (including skin).", "absent", "absent"),
        ("PMHx: no history of any cancer, skin or otherwise.", "absent", "absent"),
        ("Hx: no history of internal malignancy.", None, "absent"),
        ("PMHx: history of basal cell carcinoma; no other cancer history.", "present", "absent"),
        ("【既往史】皮肤癌病史：无", "absent", None),
        ("【既往史】皮肤癌病史：有", "present", None),
        ("患者：皮肤癌没得过。", "absent", None),
        ("我自己没得过皮肤癌，前几年得过前列腺癌。", "absent", "present"),
    ],
)
def test_denied_and_stated_cancer_histories(note: str, skin: str | None, other: str | None) -> None:
    assert _read(note, ("skin_cancer_history", "cancer_history")) == {
        "skin_cancer_history": skin,
        "cancer_history": other,
    }


@pytest.mark.parametrize(
    ("note", "grew"),
    [
        ("It used to be about 12 mm and now it's 14 mm.", "present"),
        ("It was 5mm and now it is 5mm.", "absent"),
        ("It used to be 9 mm and now it's 7 mm.", None),
        ("原来5mm，现在8mm。", "present"),
    ],
)
def test_growth_from_sizes_then_and_now(note: str, grew: str | None) -> None:
    assert read_note(note).facts.get("grew") == grew


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "没流过血，没长大，从来不喝酒。",
            {"bleed": "absent", "grew": "absent", "drink": "absent"},
        ),
        ("流过血，偶尔喝点酒。", {"bleed": "present", "grew": None, "drink": "present"}),
        ("上个月出过一次血，现在好了。", {"bleed": "present", "grew": None, "drink": None}),
    ],
)
def test_spoken_chinese_denials_and_resolved_facts(note: str, expected: dict) -> None:
    assert _read(note, ("bleed", "grew", "drink")) == expected


def test_spoken_doubt_hedges_its_own_clause_only() -> None:
    facts = read_note("男，不疼，一点都不痒，说不准有没有出过血。").facts
    assert facts.get("itch") == "absent" and facts.get("hurt") == "absent"
    assert "bleed" not in facts


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("I'm a woman. My mum had melanoma.", None),
        ("My dad had a BCC removed.", None),
        ("I had a skin cancer cut out. My mum had melanoma.", "present"),
        ("我妈得过黑色素瘤。", None),
    ],
)
def test_a_relatives_history_is_not_the_patients(note: str, expected: str | None) -> None:
    assert read_note(note).facts.get("skin_cancer_history") == expected


@pytest.mark.parametrize(
    ("note", "smoke"),
    [("平时抽烟。我哥天天抽烟喝酒。", "present"), ("我哥天天抽烟喝酒。", None)],
)
def test_a_relatives_habit_is_not_the_patients(note: str, smoke: str | None) -> None:
    assert read_note(note).facts.get("smoke") == smoke


def test_traditional_characters_read_as_simplified() -> None:
    facts = read_note("我今年五十七歲，女，長大了，有時候癢，平時抽煙，從來不喝酒。").facts
    assert facts == {
        "age": 57,
        "sex": "female",
        "grew": "present",
        "itch": "present",
        "smoke": "present",
        "drink": "absent",
    }


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("医生：以前得过皮肤癌吗？\n患者：皮肤癌没得过。", {"skin_cancer_history": "absent"}),
        (
            "医生：以前得过皮肤癌吗？\n患者：以前切过一个皮肤癌。",
            {"skin_cancer_history": "present"},
        ),
        (
            "医生：除了皮肤癌，以前得过别的肿瘤吗？\n患者：得过甲状腺癌，做过手术。",
            {"cancer_history": "present"},
        ),
        (
            "Q: Apart from skin cancer, have you had any other cancer?\nA: Yes, breast cancer.",
            {"cancer_history": "present"},
        ),
    ],
)
def test_history_questions_answered(note: str, expected: dict) -> None:
    facts = read_note(note).facts
    assert {
        k: facts[k] for k in ("skin_cancer_history", "cancer_history") if k in facts
    } == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "It doesn't itch, but it's gone darker. It's stayed the same size.",
            ("absent", "present"),
        ),
        ("It hasn't stayed the same size.", ("present", None)),
    ],
)
def test_lay_words_for_growth_and_change(note: str, expected: tuple) -> None:
    assert tuple(_read(note, ("grew", "changed")).values()) == expected


@pytest.mark.parametrize(
    ("note", "grew"), [("患者：越长越大。", "present"), ("没长大。", "absent")]
)
def test_spoken_chinese_growth(note: str, grew: str) -> None:
    assert read_note(note).facts.get("grew") == grew
