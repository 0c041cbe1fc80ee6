"""The History page's tables and labels in the UI language: the case list, a case's
feedback, the confirmed cases outside a bundle's classes, and what a ``?case=`` link may hold.

Pure functions of stored rows; the page only draws what they return.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from skinmm.casereport.case_scope import verdict_cell
from skinmm.db.models import Feedback
from skinmm.db.repository import CaseRow
from skinmm.db.rows import OTHER
from skinmm.i18n import t
from skinmm.live_performance import OutOfScope
from skinmm.taxonomy import TAXONOMY, DatasetClass

# The agreement filter's choices and the value CaseFilter takes for each.
AGREEMENT: dict[str, bool | None] = {"any": None, "agree": True, "disagree": False}
# What a ?case= link may hold: a case id or a unique prefix of one.
CASE_LINK = re.compile(r"[0-9a-f]{6,32}")
MINUTE = "%Y-%m-%d %H:%M"


def code_label(
    code: str | None,
    classes: Mapping[str, DatasetClass],
    language: str,
    other: str | None = None,
) -> str:
    """A bundle class or taxonomy code's name; "other" with its words; "not set" for none."""
    if not code:
        return t("not_set", language)
    if code == OTHER:
        return (
            t("feedback_other_value", language, text=other)
            if other
            else t("feedback_other", language)
        )
    if code in classes:
        return classes[code].name(language)
    if code in TAXONOMY:
        return TAXONOMY[code].name_zh if language == "zh" else TAXONOMY[code].name_en
    return code


def agreement_label(value: bool | None, language: str) -> str:
    if value is None:
        return t("not_set", language)
    return t("agreement_agree" if value else "agreement_disagree", language)


def confirmed_label(row: CaseRow, classes: Mapping[str, DatasetClass], language: str) -> str:
    """The pathology when there is one, else the clinician's diagnosis."""
    if row.pathology:
        return code_label(row.pathology, classes, language, row.pathology_other)
    return code_label(row.diagnosis, classes, language, row.diagnosis_other)


def case_table(
    rows: Sequence[CaseRow], classes: Mapping[str, DatasetClass], language: str
) -> pd.DataFrame:
    """The case list, one row per case, columns named in the UI language."""
    return pd.DataFrame(
        {
            t("col_date", language): [r.created_at.strftime(MINUTE) for r in rows],
            t("col_case_id", language): [r.id[:8] for r in rows],
            t("col_patient", language): [r.patient_ref or "" for r in rows],
            t("col_top", language): [
                code_label(r.top_class, classes, language)
                if r.readable
                else t("row_unreadable", language)
                for r in rows
            ],
            t("col_confidence", language): [r.confidence for r in rows],
            t("col_agreement", language): [
                agreement_label(r.branches_agree, language) for r in rows
            ],
            t("col_scope", language): [
                verdict_cell(r.scope_verdict, r.scope_shown_anyway, language) for r in rows
            ],
            t("col_confirmed", language): [confirmed_label(r, classes, language) for r in rows],
        }
    )


def case_choices(
    rows: Iterable[CaseRow], classes: Mapping[str, DatasetClass], language: str
) -> dict[str, str]:
    """Case id -> the line the "open a case" box shows for it."""
    return {
        r.id: f"{r.id[:8]} · {r.created_at:{MINUTE}} · {r.patient_ref or ''} · "
        f"{code_label(r.top_class, classes, language)}"
        for r in rows
    }


def feedback_table(
    feedback: Sequence[Feedback], classes: Mapping[str, DatasetClass], language: str
) -> pd.DataFrame:
    """A case's feedback, newest first."""
    return pd.DataFrame(
        [
            {
                t("col_time", language): f.created_at.strftime(MINUTE),
                t("col_diagnosis", language): code_label(
                    f.diagnosis, classes, language, f.diagnosis_other
                ),
                t("col_pathology", language): code_label(
                    f.pathology, classes, language, f.pathology_other
                ),
                t("col_comment", language): f.comment or "",
                t("col_author", language): f.author or "",
            }
            for f in reversed(feedback)
        ]
    )


def out_of_scope_table(
    cases: Sequence[OutOfScope], classes: Mapping[str, DatasetClass], language: str
) -> pd.DataFrame:
    """Confirmed cases whose pathology is none of the bundle's classes, with what it said."""
    return pd.DataFrame(
        {
            t("col_case_id", language): [o.case_id[:8] for o in cases],
            t("col_out_of_scope", language): [
                code_label(o.pathology, classes, language, o.pathology_other) for o in cases
            ],
            t("col_predicted", language): [
                code_label(o.predicted, classes, language) for o in cases
            ],
        }
    )


def case_link_id(asked: str) -> str | None:
    """The case id a ``?case=`` value names, normalised; None when it cannot be one."""
    normalised = asked.strip().lower()
    return normalised if CASE_LINK.fullmatch(normalised) else None
