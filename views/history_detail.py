"""One saved case opened in History: photo, note, the stored result, Grad-CAM, feedback and
the PDF report, each shown only as far as the user's role allows."""

from __future__ import annotations

from datetime import UTC

import streamlit as st

from skinmm.auth import Identity
from skinmm.bundle import Bundle
from skinmm.casereport.case_scope import out_of_scope, scope_sentence, set_sentence
from skinmm.charts import differential_figure
from skinmm.db.models import Case, PredictionRecord
from skinmm.db.repository import CaseNotFoundError, get_case, to_prediction
from skinmm.db.rows import RowError
from skinmm.db.store import StorageError, Store
from skinmm.errors import technical_detail
from skinmm.i18n import t
from skinmm.i18n import t as i18n_t
from skinmm.markup import escape_markdown as md
from skinmm.prediction import Prediction
from skinmm.taxonomy import DatasetClass, not_covered
from views.case_photos_view import show_case_photos
from views.clinical import show_saved_triage
from views.common import audit_view_once, deidentify_case, may_open, optional_bundle
from views.error_box import show_error
from views.followup_view import show_visits
from views.history_cams import saved_cams, show_saved_cams
from views.history_feedback import feedback_form, show_feedback
from views.history_report import report_button
from views.note_facts_view import show_stored_reading
from views.result_view import show_summary


def load_case(store: Store, case_id: str, language: str) -> Case | None:
    """The case, or None after saying (in the UI language) why it cannot be shown."""
    try:
        return get_case(store, case_id)
    except CaseNotFoundError:
        st.error(t("case_not_found", language), icon=":material/error:")
        st.caption(t("case_link_value", language))
        st.text(case_id)
    except StorageError as exc:
        show_error(t("err_store", language), language, detail=technical_detail(exc))
    except (ValueError, RecursionError) as exc:  # a stored value the database cannot decode
        show_error(t("case_unreadable", language), language, detail=technical_detail(exc))
    return None


def readable_prediction(record: PredictionRecord | None) -> tuple[Prediction | None, str | None]:
    """The stored prediction, or None and why it cannot be read (never an exception)."""
    if record is None:
        return None, None
    try:
        return to_prediction(record), None
    except RowError as exc:
        return None, str(exc)


def show_photo_and_note(store: Store, case: Case, language: str) -> bytes | None:
    photo = None
    if case.image_sha256 and case.image_ext:
        try:
            photo = store.images.get(case.image_sha256, case.image_ext)
            st.image(photo)
        except (OSError, ValueError):
            st.warning(t("case_image_missing", language, folder=store.images.root))
    else:
        st.caption(t("case_no_image", language))
    st.markdown(f"**{t('case_note', language)}**")
    st.text(case.note or t("case_no_note", language))
    show_stored_reading(case.note_reading, case.impression, language)
    return photo


def show_scope_and_set(pred: Prediction, shown_anyway: bool | None, language: str) -> None:
    """The input check and the prediction set saved with the case."""
    sentence = md(scope_sentence(pred.scope, shown_anyway, language))
    if out_of_scope(pred.scope):
        st.error(sentence, icon=":material/block:")
    else:
        st.caption(sentence)
    st.markdown(md(set_sentence(pred.prediction_set, language)))
    if pred.prediction_set is not None and pred.prediction_set.needs_referral:
        st.warning(i18n_t("conf_set_refer", language), icon=":material/warning:")


def show_prediction(
    pred: Prediction, record: PredictionRecord, bundle: Bundle | None, language: str
) -> None:
    show_scope_and_set(pred, record.scope_shown_anyway, language)
    # Class names come from the database: shown as typed, never as Markdown.
    show_summary(
        pred,
        language,
        not_covered(pred.classes),
        key="history_top",
        note_truncated=pred.note_truncated,
        escape=True,
    )
    st.plotly_chart(differential_figure(pred, language), key="history_chart")
    show_saved_triage(pred, record.bundle_sha, bundle, language)


def show_unreadable(problem: str, language: str) -> None:
    st.warning(t("case_prediction_unreadable", language), icon=":material/warning:")
    with st.expander(i18n_t("error_expander", language), icon=":material/info:"):
        st.code(problem, language=None, wrap_lines=True)


def show_header(case: Case, record: PredictionRecord | None, language: str) -> None:
    st.divider()
    st.subheader(t("case_title", language, case=md(case.id[:8])))
    st.caption(
        t(
            "case_meta",
            language,
            date=case.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            patient=md(case.patient_ref) if case.patient_ref else t("not_set", language),
            bundle=md(record.bundle_name) if record is not None else t("not_set", language),
        )
    )


def show_case(
    store: Store, case_id: str, classes: dict[str, DatasetClass], user: Identity, language: str
) -> None:
    case = load_case(store, case_id, language)
    if case is None:
        return
    if not may_open(user, case.id):
        st.error(t("auth_forbidden", language), icon=":material/lock:")
        return
    case = deidentify_case(case, user)
    audit_view_once(case.id)
    record = case.latest_prediction
    pred, problem = readable_prediction(record)
    # Loaded only for a readable prediction: the triage threshold and the CAMs need it.
    loaded = optional_bundle() if pred is not None else (None, None)
    show_header(case, record, language)
    left, right = st.columns([1, 2], gap="large")
    with left:
        photo = show_photo_and_note(store, case, language)
    with right:
        if problem is not None:
            show_unreadable(problem, language)
        elif pred is not None and record is not None:
            show_prediction(pred, record, loaded[0], language)
    cams = saved_cams(case, photo, pred, loaded, language)
    show_saved_cams(pred, cams, language)
    show_case_photos(store, case, language)
    show_visits(store, case, user, language)
    if user.can("feedback") and feedback_form(store, case, classes, user, language):
        case = get_case(store, case.id)
    show_feedback(case, classes, language)
    # No report without the role, nor from a prediction that cannot be read.
    if user.can("report") and not (pred is None and record is not None):
        report_button(store, case, photo, cams, user, language)
