"""History's tables and labels (skinmm.case_tables), built from hand-made rows."""

from __future__ import annotations

from datetime import datetime

from skinmm.case_tables import (
    agreement_label,
    case_choices,
    case_link_id,
    case_table,
    code_label,
    feedback_table,
    out_of_scope_table,
)
from skinmm.db.models import Feedback
from skinmm.db.repository import CaseRow
from skinmm.live_performance import OutOfScope
from skinmm.taxonomy import HAM10000_CLASSES

CLASSES = {c.code: c for c in HAM10000_CLASSES}
WHEN = datetime(2026, 3, 4, 5, 6)


def row(**changes: object) -> CaseRow:
    values: dict[str, object] = {
        "id": "0123456789abcdef",
        "created_at": WHEN,
        "patient_ref": "P-1",
        "note": None,
        "has_image": True,
        "bundle_name": "tiny",
        "top_class": "mel",
        "confidence": 0.8,
        "branches_agree": False,
        "mode": "fused",
        "diagnosis": "bcc",
        "pathology": None,
    }
    values.update(changes)
    return CaseRow(**values)  # type: ignore[arg-type]


def test_a_code_is_named_from_the_bundle_then_the_taxonomy_then_as_is() -> None:
    assert code_label("mel", CLASSES, "en") == "Melanoma"
    assert code_label("mel", CLASSES, "zh") == CLASSES["mel"].name_zh
    assert code_label("scc", CLASSES, "en") == "Squamous cell carcinoma"  # taxonomy only
    assert code_label("xyz", CLASSES, "en") == "xyz"
    assert code_label(None, CLASSES, "en") == "—"
    assert code_label("other", CLASSES, "en", "lupus") == "Other: lupus"
    assert code_label("other", CLASSES, "en") == "Other (name it in words)"


def test_agreement_has_three_words() -> None:
    assert [agreement_label(v, "en") for v in (True, False, None)] == ["agree", "disagree", "—"]


def test_the_case_table_shows_one_row_per_case_with_pathology_before_diagnosis() -> None:
    rows = [
        row(),
        row(id="fedcba9876543210", pathology="nv", readable=False, patient_ref=None),
    ]
    table = case_table(rows, CLASSES, "en")
    assert list(table["Date (UTC)"]) == ["2026-03-04 05:06"] * 2
    assert list(table["Case"]) == ["01234567", "fedcba98"]
    assert list(table["Patient ref."]) == ["P-1", ""]
    assert list(table["Predicted"]) == ["Melanoma", "unreadable (open for details)"]
    assert list(table["Branches"]) == ["disagree", "disagree"]
    assert list(table["Confirmed"]) == ["Basal cell carcinoma", "Melanocytic nevus"]


def test_each_case_is_offered_by_id_date_patient_and_top_class() -> None:
    assert case_choices([row()], CLASSES, "en") == {
        "0123456789abcdef": "01234567 · 2026-03-04 05:06 · P-1 · Melanoma"
    }


def test_feedback_is_listed_newest_first() -> None:
    older = Feedback(created_at=WHEN, diagnosis="mel", pathology=None, comment="first")
    newer = Feedback(
        created_at=datetime(2026, 3, 5), diagnosis=None, pathology="other", pathology_other="x"
    )
    table = feedback_table([older, newer], CLASSES, "en")
    assert list(table["Time (UTC)"]) == ["2026-03-05 00:00", "2026-03-04 05:06"]
    assert list(table["Clinical diagnosis"]) == ["—", "Melanoma"]
    assert list(table["Pathology"]) == ["Other: x", "—"]
    assert list(table["Comment"]) == ["", "first"]


def test_out_of_scope_cases_say_what_pathology_came_back() -> None:
    cases = [OutOfScope("abcdef0123", "scc", None, "bcc")]
    table = out_of_scope_table(cases, CLASSES, "en")
    assert table.to_dict("list") == {
        "Case": ["abcdef01"],
        "Pathology (out of scope)": ["Squamous cell carcinoma"],
        "Predicted": ["Basal cell carcinoma"],
    }


def test_a_case_link_holds_a_hex_id_or_prefix_and_nothing_else() -> None:
    assert case_link_id(" ABCDEF12 ") == "abcdef12"
    assert case_link_id("abc") is None  # too short to be a unique prefix
    assert case_link_id("abcdefg1") is None
    assert case_link_id("a" * 33) is None
