"""The note reader on what bank g (issue 16, now a development set) showed it missing.

One general rule each, in English and Chinese: ages in self-reports and in words (vague ones
stay unknown), body sites in a patient's or GP's words (one table, onto the site keys), a
hedge that reaches its own clause only, a denied list that ends at "but", lay words for
bleeding, growth, change and elevation, A-not-A doubt in Chinese, a partner's habits and
illnesses kept off the patient, and cancers named "non-skin" or "s/p" a treatment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skinmm.data.notes import SITES
from skinmm.text import facts_vocab as v
from skinmm.text.facts import read_note
from skinmm.text.facts_eval import evaluate_extraction, load_records


def _read(note: str, names: tuple[str, ...]) -> dict:
    facts = read_note(note).facts
    return {k: facts.get(k) for k in names}


@pytest.mark.parametrize(
    ("note", "age"),
    [
        ("I'm 48 (female). I have a mole on my thigh.", 48),
        ("I'm 24. I have a mole.", 24),
        ("I am 61, and the mole has grown.", 61),
        ("A fifty-eight-year-old woman with a mole.", 58),
        ("Patient aged seventy two, mole on the back.", 72),
        ("Nineteen year old man.", 19),
        ("I'm twenty-four.", 24),
        ("aged 58, mole on the back", 58),
        ("五十八岁，女，背部皮损。", 58),
        ("年龄：五十八", 58),
        ("年龄：58", 58),
    ],
)
def test_ages_in_self_reports_and_in_words(note: str, age: int) -> None:
    assert read_note(note).facts.get("age") == age


@pytest.mark.parametrize(
    "note",
    [
        "A man in his 60s with a mole.",
        "A woman in her sixties with a mole.",
        "Sixty-something woman, mole on the back.",
        "I'm 5 foot 2 and have a mole.",
        "I'm 2 weeks into the cream.",
        "六十多岁男性，背部皮损。",
        "患者60多岁，背部皮损。",
    ],
)
def test_vague_ages_stay_unknown(note: str) -> None:
    assert "age" not in read_note(note).facts


def test_every_lay_site_maps_onto_a_site_key() -> None:
    for table in (v.LAY_SITES_EN, v.LAY_SITES_ZH):
        assert set(table) <= set(SITES)


@pytest.mark.parametrize(
    ("note", "site"),
    [
        ("I have a mole on my tummy.", "abdomen"),
        ("Mole behind the ear.", "ear"),
        ("A mole on the back of my hand.", "hand"),
        ("Lesion on the back of the neck.", "neck"),
        ("A mole on my shin.", "lower extremity"),
        ("A mole on my calf.", "lower extremity"),
        ("A mole on my upper arm.", "arm"),
        ("A mole between the shoulder blades.", "back"),
        ("A mole on my bottom.", "trunk"),
        ("背上有个黑痣。", "back"),
        ("手上有个黑痣。", "hand"),
        ("耳朵上有颗痣。", "ear"),
        ("部位：小臂", "forearm"),
        ("大胳膊有颗痣。", "arm"),
        ("脚背有个黑痣。", "foot"),
        ("小腿有个黑痣。", "lower extremity"),
        ("耳后有个黑痣。", "ear"),
        ("肚子上有颗痣。", "abdomen"),
        ("后背有颗痣。", "back"),
        ("胳膊上有颗痣。", "arm"),
    ],
)
def test_lay_body_sites(note: str, site: str) -> None:
    assert read_note(note).facts.get("site") == site


@pytest.mark.parametrize("note", ["身上有颗痣。", "I have a mole on my side."])
def test_a_vague_place_names_no_site(note: str) -> None:
    assert "site" not in read_note(note).facts


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "Hx: painful, no bleeding, stable in size, possibly itchy, pt unsure.",
            {"hurt": "present", "bleed": "absent", "grew": "absent", "itch": None},
        ),
        (
            "Episodes of bleeding, tender, not enlarging, possibly darker, unclear.",
            {"hurt": "present", "bleed": "present", "grew": "absent", "itch": None},
        ),
        (
            "Possibly itchy, pt unsure but tender, has bled.",
            {"hurt": "present", "bleed": "present", "grew": None, "itch": None},
        ),
        (
            "Hx: ? bled once but c/o pain at the site.",
            {"hurt": "present", "bleed": None, "grew": None, "itch": None},
        ),
        (
            "I can't tell if it has grown. It bled, I'm not sure.",
            {"hurt": None, "bleed": None, "grew": None, "itch": None},
        ),
        ("似乎有点痒，有触痛。", {"hurt": "present", "bleed": None, "grew": None, "itch": None}),
        (
            "痒不痒说不清，疼不疼不太确定，出过血。",
            {"hurt": None, "bleed": "present", "grew": None, "itch": None},
        ),
    ],
)
def test_a_hedge_reaches_its_own_clause_only(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "No bleeding, colour change or growth but tender.",
            {"bleed": "absent", "changed": "absent", "grew": "absent", "hurt": "present"},
        ),
        (
            "Denies itching, colour change or bleeding but tender.",
            {"bleed": "absent", "changed": "absent", "grew": None, "hurt": "present"},
        ),
        (
            "否认出血、颜色改变，但有触痛。",
            {"bleed": "absent", "changed": "absent", "grew": None, "hurt": "present"},
        ),
    ],
)
def test_a_denied_list_ends_at_but(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "bleed"),
    [
        ("No blood.", "absent"),
        ("Some blood on the towel.", "present"),
        ("Blood pressure normal, itchy.", None),
        ("Blood tests normal.", None),
        ("出过两次血。", "present"),
        ("流过几次血。", "present"),
        ("洗澡时蹭破出过血。", "present"),
    ],
)
def test_lay_words_for_bleeding(note: str, bleed: str | None) -> None:
    assert read_note(note).facts.get("bleed") == bleed


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("It looks the same as always.", {"changed": "absent"}),
        ("It still looks the same.", {"changed": "absent"}),
        ("It looks different now.", {"changed": "present"}),
        ("It has never itched.", {"itch": "absent"}),
        ("It's a bump.", {"elevation": "present"}),
        ("It sticks up from the skin.", {"elevation": "present"}),
        ("You can't feel it.", {"elevation": "absent"}),
        ("Impalpable.", {"elevation": "absent"}),
        ("比以前大了。", {"grew": "present"}),
        ("一直这么大。", {"grew": "absent"}),
        ("大小稳定。", {"grew": "absent"}),
        ("样子变了。", {"changed": "present"}),
        ("样子没怎么变。", {"changed": "absent"}),
        ("是凸出来的。", {"elevation": "present"}),
        ("鼓起来一块。", {"elevation": "present"}),
        ("平平的。", {"elevation": "absent"}),
    ],
)
def test_lay_words_for_growth_change_elevation(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Partner smokes. Itchy.", {"smoke": None, "itch": "present"}),
        ("FHx: father smoker.", {"smoke": None, "itch": None}),
        ("Lives with partner, non-smoker.", {"smoke": "absent", "itch": None}),
        ("配偶吸烟，我不抽烟。", {"smoke": "absent", "itch": None}),
        ("配偶吸烟，有点痒。", {"smoke": None, "itch": "present"}),
        ("我不抽烟，滴酒不沾。", {"smoke": "absent", "drink": "absent"}),
    ],
)
def test_a_partners_habit_is_not_the_patients(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    "note", ["Wife had melanoma.", "丈夫患黑色素瘤。", "Partner was treated for breast cancer."]
)
def test_a_partners_illness_is_no_history(note: str) -> None:
    facts = read_note(note).facts
    assert not {"skin_cancer_history", "cancer_history", "family_skin_cancer_history"} & set(facts)


@pytest.mark.parametrize(
    ("note", "skin", "other"),
    [
        ("Negative for non-skin malignancy.", None, "absent"),
        ("No hx of internal malignancy.", None, "absent"),
        ("PMHx: no malignancy of any kind (including skin).", "absent", "absent"),
        ("Thyroid cancer s/p thyroidectomy.", None, "present"),
        ("I've had a basal cell removed.", "present", None),
        ("以前没长过皮肤癌。", "absent", None),
        ("以前长过基底细胞癌，无内脏肿瘤病史。", "present", "absent"),
        ("既往无皮肤癌，卵巢癌化疗后。", "absent", "present"),
    ],
)
def test_cancers_named_non_skin_or_treated(note: str, skin: str | None, other: str | None) -> None:
    assert _read(note, ("skin_cancer_history", "cancer_history")) == {
        "skin_cancer_history": skin,
        "cancer_history": other,
    }


# Found while re-reading bank f with the bank g rules in place: the same kinds of rule.


@pytest.mark.parametrize(
    ("note", "age"),
    [
        ("Thank you for referring Mrs Smith (35) with a pigmented lesion.", 35),
        ("Patient: 29M\nFHx: melanoma in maternal aunt, aged 52.", 29),
        ("FHx: father (aged 70) had BCC. 45 y/o F.", 45),
        ("Mother had melanoma at 40, patient is 62 y/o.", 62),
        ("母亲72岁时患黑色素瘤，患者女，45岁。", 45),
        ("FHx: melanoma in maternal aunt, aged 52.", None),
        ("母亲72岁时患黑色素瘤。", None),
        ("Pt c/o pigmented lesion posterior neck x 2y.", None),
    ],
)
def test_an_age_in_a_relatives_clause_is_theirs(note: str, age: int | None) -> None:
    assert read_note(note).facts.get("age") == age


@pytest.mark.parametrize(
    "note",
    [
        "Negative for growth, change in colour or shape, spontaneous bleeding or pain.",
        "Negative for pain, change in colour or shape or growth or bleeding.",
    ],
)
def test_a_denied_list_with_qualified_items(note: str) -> None:
    names = ("grew", "changed", "bleed", "hurt")
    assert _read(note, names) == dict.fromkeys(names, "absent")


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "医生：疼不疼？会痒吗？\n患者：有点疼，一点都不痒。",
            {"hurt": "present", "itch": "absent"},
        ),
        ("医生：会痒吗？\n患者：不疼，时不时会痒。", {"hurt": "absent", "itch": "present"}),
        ("Q: Does it itch? A: No, it doesn't itch.", {"hurt": None, "itch": "absent"}),
        ("Q: Is it painful? A: No, painless.", {"hurt": "absent", "itch": None}),
        ("Q: Does it itch? A: Nope.", {"hurt": None, "itch": "absent"}),
    ],
)
def test_an_answer_that_names_the_finding_says_it_itself(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "site"),
    [
        ("It's raised, I can feel it with my finger.", None),
        ("Presents with hand lesion.", "hand"),
        ("Mole on the finger.", "hand"),
        ("小手臂上有颗痣。", "forearm"),
    ],
)
def test_a_body_part_used_is_no_site(note: str, site: str | None) -> None:
    assert read_note(note).facts.get("site") == site


def test_bank_g_as_a_development_set_meets_the_targets() -> None:
    records = load_records(Path(__file__).parent / "data" / "unseen_notes_g.jsonl")
    result = evaluate_extraction(records, n_boot=10)
    assert not [fact for fact, t in result["targets"].items() if not t["met"]]
    assert result["notes_read_exactly"] >= 380
