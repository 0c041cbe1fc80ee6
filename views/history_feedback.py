"""A saved case's clinician feedback: the form that adds one and the table of all of it."""

from __future__ import annotations

import streamlit as st

from skinmm.auth import Identity
from skinmm.case_tables import code_label, feedback_table
from skinmm.db.models import Case
from skinmm.db.repository import add_feedback, feedback_codes
from skinmm.db.store import StorageError, Store
from skinmm.errors import technical_detail
from skinmm.i18n import t
from skinmm.taxonomy import DatasetClass
from views.error_box import show_error


def feedback_form(
    store: Store, case: Case, classes: dict[str, DatasetClass], user: Identity, language: str
) -> bool:
    """The feedback form; True when feedback was saved on this run."""
    codes = [None, *feedback_codes(case)]

    def name(code: str | None) -> str:
        return code_label(code, classes, language)

    st.markdown(f"**{t('feedback_title', language)}**")
    with st.form("history_feedback", clear_on_submit=True):
        left, right = st.columns(2)
        diagnosis = left.selectbox(
            t("feedback_diagnosis", language), codes, format_func=name, key="history_fb_diagnosis"
        )
        diagnosis_other = left.text_input(
            t("feedback_diagnosis_other", language),
            help=t("feedback_other_help", language),
            key="history_fb_diagnosis_other",
        )
        pathology = right.selectbox(
            t("feedback_pathology", language), codes, format_func=name, key="history_fb_pathology"
        )
        pathology_other = right.text_input(
            t("feedback_pathology_other", language),
            help=t("feedback_other_help", language),
            key="history_fb_pathology_other",
        )
        comment = st.text_area(
            t("feedback_comment", language),
            help=t("feedback_comment_help", language),
            key="history_fb_comment",
        )
        author = st.text_input(t("feedback_author", language), key="history_fb_author")
        submitted = st.form_submit_button(t("feedback_save", language), key="history_fb_save")
    if not submitted:
        return False
    try:
        add_feedback(
            store,
            case.id,
            diagnosis=diagnosis,
            pathology=pathology,
            diagnosis_other=diagnosis_other,
            pathology_other=pathology_other,
            comment=comment,
            author=author,
            actor=user.actor,
        )
    except (ValueError, StorageError) as exc:
        show_error(t("feedback_invalid", language), language, detail=technical_detail(exc))
        return False
    st.success(t("feedback_saved", language), icon=":material/check:")
    return True


def show_feedback(case: Case, classes: dict[str, DatasetClass], language: str) -> None:
    if not case.feedback:
        st.caption(t("feedback_none", language))
        return
    table = feedback_table(case.feedback, classes, language)
    st.dataframe(table, hide_index=True, key="history_feedback_table")
