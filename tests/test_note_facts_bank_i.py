"""The note reader on what bank i (issue 16, now a development set) showed it missing.

One general rule each, in English and Chinese, facts read as present that the note does not
state first: a sentence about another lesion or a relative's mole is not the index lesion's,
an earlier visit's state gives way to today's, a tick or a cross is a table's yes/no, and a
line break closes a denied list; then change ("shape has become irregular", "Obs stable" is
not the lesion), elevation ("sits proud of the skin") and size.
"""

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
        (
            "Lesion on the back, 6 mm. Not itchy. Separately, a seborrhoeic keratosis on the "
            "nose is itchy and has bled; that is not the lesion referred.",
            {"itch": "absent", "bleed": None, "diameter_mm": 6.0},
        ),
        (
            "Spot on the ear, 25 by 24 mm. A smaller mole on the arm (3 mm, flat) looks benign "
            "and is not the one referred.",
            {"diameter_mm": 25.0, "elevation": None},
        ),
        (
            "Lesion on the leg. The other mole on the thigh is unchanged and not of concern today.",
            {"changed": None},
        ),
        (
            "Nodular lesion on the chest. (Incidental: an angioma on the cheek, raised and "
            "painless, not the index lesion.)",
            {"elevation": "present", "hurt": None},
        ),
        (
            "背部皮损，6mm，无瘙痒。上唇另见一处脂溢性角化，自觉瘙痒，曾出血，与本次皮损无关。",
            {"itch": "absent", "bleed": None, "diameter_mm": 6.0},
        ),
        ("头顶皮损。另：鼻尖还有一颗痣，多年无变化，非本次就诊皮损。", {"changed": None}),
    ],
)
def test_another_lesion_is_not_the_index_lesion(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Lesion on the arm. His sister had a mole that bled and was removed.", {"bleed": None}),
        ("背部皮损。姐姐的痣出过血，已切除。", {"bleed": None}),
        # A relative's cancer is family history and stays read.
        (
            "Her mother had a mole that turned out to be melanoma.",
            {"family_skin_cancer_history": "present"},
        ),
    ],
)
def test_a_relatives_mole_is_theirs(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("At the review in March it was not itchy; it has started to itch.", {"itch": "present"}),
        ("At the review in March it was flat; it is now raised.", {"elevation": "present"}),
        ("现病史：今年3月复诊时不痒，近来开始瘙痒。", {"itch": "present"}),
        ("现病史：今年3月复诊时无出血，此后出血两次。", {"bleed": "present"}),
        ("今年3月复诊时皮损平坦，现已隆起。", {"elevation": "present"}),
        # Sizes then and now stay: they are how it grew.
        ("今年3月复诊时直径5mm，今日测量9mm。", {"grew": "present", "diameter_mm": 9.0}),
        (
            "It measured 7 mm at the review in March; today it is 9 mm.",
            {"grew": "present", "diameter_mm": 9.0},
        ),
    ],
)
def test_todays_state_replaces_an_earlier_visits(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "| 项目 | 结果 |\n|---|---|\n| 瘙痒 | × |\n| 隆起 | √ |",
            {"itch": "absent", "elevation": "present"},
        ),
        (
            "| Item | Finding |\n|---|---|\n| Itch | ✗ |\n| Raised | ✓ |",
            {"itch": "absent", "elevation": "present"},
        ),
    ],
)
def test_ticks_and_crosses_in_a_table(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


def test_a_line_break_closes_a_denied_list() -> None:
    note = "- size 2x3mm\n- negative for itching, pain or bleeding\n- nodular"
    assert _read(note, ("itch", "hurt", "bleed", "elevation")) == {
        "itch": "absent",
        "hurt": "absent",
        "bleed": "absent",
        "elevation": "present",
    }


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Shape has become irregular over recent months.", {"changed": "present"}),
        (
            "No increase in size but shape has become irregular.",
            {"grew": "absent", "changed": "present"},
        ),
        ("| Change in colour/shape | -ve |", {"changed": "absent"}),
        ("Spot on the nose. Obs stable. Routed to derm clinic.", {"changed": None}),
        ("病史：未见增大，但形状较前不规则。", {"grew": "absent", "changed": "present"}),
        ("现病史：无瘙痒，大小无增加，无变色。", {"itch": "absent", "changed": "absent"}),
        ("入院查体：生命体征平稳。", {"changed": None}),
    ],
)
def test_change(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected


@pytest.mark.parametrize(
    ("note", "elevation"),
    [
        ("Palpation: sits proud of the skin", "present"),
        ("I can feel it's lumpy.", "present"),
        ("查体：皮损高出皮面。", "present"),
    ],
)
def test_elevation(note: str, elevation: str) -> None:
    assert read_note(note).facts.get("elevation") == elevation


def test_bank_i_meets_its_targets() -> None:
    records = load_records(Path(__file__).parent / "data" / "unseen_notes_i.jsonl")
    result = evaluate_extraction(records, n_boot=10)
    assert not [fact for fact, t in result["targets"].items() if not t["met"]]
    assert result["notes_read_exactly"] >= 370


@pytest.mark.parametrize(
    ("note", "hurt"),
    [
        ("It stings sometimes.", "present"),
        ("Not stinging.", "absent"),
        ("病史：偶感刺痛。", "present"),
        ("无刺痛。", "absent"),
    ],
)
def test_stinging_is_pain(note: str, hurt: str) -> None:
    assert read_note(note).facts.get("hurt") == hurt


@pytest.mark.parametrize(
    ("note", "history"),
    [
        ("医生：以前得过皮肤癌吗？\n患者：以前没得过皮肤癌。", "absent"),
        ("医生：以前得过皮肤癌吗？\n患者：之前有过。", "present"),
        ("Q: Any skin cancer before? A: No, never.", "absent"),
    ],
)
def test_a_reply_opening_with_when(note: str, history: str) -> None:
    assert read_note(note).facts.get("skin_cancer_history") == history


@pytest.mark.parametrize(
    ("note", "age"),
    [("【电子病历】\n【年龄】25\n【部位】左足背", 25), ("【年龄】五十八", 58), ("Age: 25", 25)],
)
def test_age_in_a_bracketed_template(note: str, age: int) -> None:
    assert read_note(note).facts.get("age") == age


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("2019年行基底细胞癌切除术，从不吸烟。", {"skin_cancer_history": "present"}),
        ("以前做过皮肤癌手术（基底细胞癌）。", {"skin_cancer_history": "present"}),
        # A suspicion with a planned operation is an impression, not a history.
        ("怀疑基底细胞癌，建议手术切除。", {"skin_cancer_history": None}),
        ("S/p excision of SCC from the scalp in 2020.", {"skin_cancer_history": "present"}),
    ],
)
def test_an_operation_for_a_skin_cancer_is_its_history(note: str, expected: dict) -> None:
    assert _read(note, tuple(expected)) == expected
