"""The note reader on the wordings that bank d (issue 16) showed it missing, one rule each."""

from __future__ import annotations

from pathlib import Path

import pytest

from skinmm.text.facts import read_note
from skinmm.text.facts_eval import evaluate_extraction, load_records


def _read(note: str, names: tuple[str, ...]) -> dict:
    facts = read_note(note).facts
    return {k: facts.get(k) for k in names}


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # A denial after a section heading is no value of the heading.
        ("PMH: No personal history of skin cancer.", {"skin_cancer_history": "absent"}),
        ("SH: Denies tobacco use.", {"smoke": "absent"}),
        ("History: Not itchy. No bleeding.", {"itch": "absent", "bleed": "absent"}),
        ("On examination: Not elevated.", {"elevation": "absent"}),
        ("History: Not enlarging.", {"grew": "absent"}),
        # ... while a value after a finding still is one.
        ("itch: no, pain", {"itch": "absent", "hurt": "present"}),
    ],
)
def test_a_denial_after_a_section_heading(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("pruritus neg. bleeding+", {"itch": "absent", "bleed": "present"}),
        ("itch-; enlarging-; pain+", {"itch": "absent", "grew": "absent", "hurt": "present"}),
        # A shorthand value is said of its own word only; a written denial covers the list.
        ("painful, pruritus neg", {"hurt": "present", "itch": "absent"}),
        ("itch, pain all denied", {"itch": "absent", "hurt": "absent"}),
    ],
)
def test_shorthand_values_after_the_word(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("no growth, painful", {"grew": "absent", "hurt": "present"}),
        ("no bleeding, tender", {"bleed": "absent", "hurt": "present"}),
        ("Denies itching, growth or bleeding", {"itch": "absent", "grew": "absent"}),
        # The joiner closing the list may stand after the item (PAD-UFES-20's notes).
        (
            "Denies itching, growth, pain, change and bleeding.",
            {"itch": "absent", "grew": "absent", "hurt": "absent", "changed": "absent"},
        ),
        ("No itching, growth, pain or bleeding.", {"grew": "absent", "hurt": "absent"}),
        ("No prior skin malignancy, bleeds on touch, itchy and painful.", {"bleed": "present"}),
    ],
)
def test_a_comma_list_is_denied_only_when_joined(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("M 37, acral region", {"age": 37, "sex": "male"}),
        ("F 63, right lower quadrant of the abdomen", {"age": 63, "sex": "female"}),
        ("37M presents with a lesion", {"age": 37, "sex": "male"}),
        ("F/60. vulva.", {"age": 60, "sex": "female"}),
        ("F; back of the left hand; itchy", {"sex": "female"}),
        # A size after M/F is no age.
        ("F 6 mm lesion", {"age": None}),
    ],
)
def test_bare_sex_and_age_opening_the_note(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "site"),
    [
        ("88F; thenar eminence; 10 mm", "hand"),
        ("M 67; penile shaft; 3 mm", "genital"),
        ("Lesion on the labia majora.", "genital"),
        ("Lesion on the scrotum.", "genital"),
        ("F/60. vulva.", "genital"),
        ("女，67岁。躯干部见一色素性皮损。", "trunk"),
        ("患者，女，50岁，因“左示指皮损数月”就诊。", "hand"),
        ("男，40岁。阴茎见一皮损。", "genital"),
    ],
)
def test_sites(note: str, site: str) -> None:
    assert read_note(note).facts.get("site") == site


def test_rule_out_is_a_suspicion_not_a_history() -> None:
    reading = read_note("M 77; posterior thigh; prostate ca hx; no itch; r/o SCC.")
    assert "skin_cancer_history" not in reading.facts
    assert reading.facts["cancer_history"] == "present"
    assert read_note("r/o SCC.").facts.get("skin_cancer_history") is None
    # A history cue still covers a list within its clause.
    assert read_note("hx of BCC, SCC").facts["skin_cancer_history"] == "present"


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("prev melanoma, pain+", {"skin_cancer_history": "present"}),
        ("no prior skin ca. no other ca.", {"skin_cancer_history": "absent"}),
        ("no other ca", {"cancer_history": "absent"}),
        ("size increasing; ?BCC", {"grew": "present"}),
    ],
)
def test_english_shorthand_histories_and_growth(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("否认瘙痒，大小无明显增加，自觉疼痛。", {"grew": "absent", "hurt": "present"}),
        ("无出血，乳腺癌术后。", {"cancer_history": "present"}),
        ("既往史：甲状腺癌术后3年。", {"cancer_history": "present"}),
        ("初步诊断：基底细胞癌？", {"skin_cancer_history": None}),
    ],
)
def test_chinese_growth_and_post_operative_history(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


def test_bank_d_development_set() -> None:
    path = Path(__file__).parent / "data" / "unseen_notes_d.jsonl"
    result = evaluate_extraction(load_records(path), n_boot=10)
    assert result["n_notes"] >= 300
    unmet = {fact for fact, t in result["targets"].items() if not t["met"]}
    assert not unmet
