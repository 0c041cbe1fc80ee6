"""Diagnose's case store side: save what was analysed, mark a differential shown anyway, and
say whether the case was saved (with a link to it in History)."""

from __future__ import annotations

import streamlit as st

from skinmm.auth import Identity
from skinmm.bundle import Bundle
from skinmm.db import StorageError, bundle_fingerprint, save_analysis, shared_store
from skinmm.db.repository import PhotoInput, mark_shown_anyway
from skinmm.errors import Explanation, explain
from skinmm.i18n import t
from skinmm.i18n import t as db_t
from skinmm.prediction import Prediction
from views.diagnose_state import SAVED_KEY, SHOWN_KEY, Result


def save_case(
    result: Result,
    bundle: Bundle,
    user: Identity,
    photos: list[PhotoInput],
    follows: str | None,
) -> None:
    """One transaction per analysis, of exactly what was analysed; a database that is down
    never hides the result."""
    inputs = result.inputs
    if inputs is None:
        raise ValueError("A result is saved with the inputs it was made from.")
    try:
        case_id = save_analysis(
            shared_store(),
            prediction=result.prediction,
            bundle_name=bundle.name,
            bundle_sha=bundle_fingerprint(bundle.card),
            image_bytes=inputs.photo,
            note=inputs.note or None,
            patient_ref=inputs.patient_ref or None,
            actor=user.actor,
            impression=None if result.note_edit is None else result.note_edit.impression,
            note_reading=None if result.note_edit is None else result.note_edit.record(),
            photos=photos,
            follows_case_id=follows,
        )
    except (StorageError, ValueError, LookupError) as exc:
        st.session_state[SAVED_KEY] = ("error", explain(exc, "err_save_value"))
        return
    st.session_state[SAVED_KEY] = ("saved", case_id)


def record_shown_anyway(pred: Prediction, user: Identity) -> None:
    """Mark the saved case, once, when the clinician asked to see an out-of-scope differential."""
    status, case_id = st.session_state.get(SAVED_KEY) or (None, "")
    if pred.scope is None or pred.scope.in_scope or status != "saved":
        return
    if st.session_state.get(SHOWN_KEY) == case_id:
        return
    try:
        mark_shown_anyway(shared_store(), case_id, actor=user.actor)
    except (StorageError, ValueError) as exc:
        st.session_state[SAVED_KEY] = ("error", explain(exc, "err_save_value"))
        return
    st.session_state[SHOWN_KEY] = case_id


def show_saved(language: str) -> None:
    status, value = st.session_state.get(SAVED_KEY) or (None, "")
    if status == "saved":
        st.success(db_t("diagnose_saved", language, case=value[:8]), icon=":material/save:")
        st.page_link(
            "views/history.py",
            label=db_t("diagnose_open_case", language),
            query_params={"case": value},
            icon=":material/history:",
        )
    elif status == "error" and isinstance(value, Explanation):
        reason = t(value.key, language, **value.values)
        st.warning(db_t("diagnose_not_saved", language, detail=reason), icon=":material/warning:")
        with st.expander(t("error_expander", language), icon=":material/info:"):
            st.code(value.detail, language=None, wrap_lines=True)
