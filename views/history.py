"""History: saved cases to search and reopen, clinician feedback, reports, live performance."""

from __future__ import annotations

import re
from datetime import UTC
from typing import NoReturn

import pandas as pd
import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.casereport.cams import CamImages, overlays
from skinmm.casereport.case_scope import out_of_scope, scope_sentence, set_sentence, verdict_cell
from skinmm.casereport.report import render_case_report
from skinmm.charts import (
    compensation_figure,
    confusion_figure,
    differential_figure,
)
from skinmm.db.models import Case, PredictionRecord
from skinmm.db.repository import (
    CaseFilter,
    CaseNotFoundError,
    CaseRow,
    add_feedback,
    bundle_fingerprint,
    count_cases,
    feedback_codes,
    get_case,
    known_classes,
    list_cases,
    to_prediction,
)
from skinmm.db.rows import OTHER, RowError, check_cam_classes
from skinmm.db.store import StorageError, Store, shared_store
from skinmm.errors import technical_detail
from skinmm.i18n import caution_text, t
from skinmm.i18n import t as i18n_t
from skinmm.live_performance import BundleCases, group_by_bundle, live_report
from skinmm.markup import escape_markdown as md
from skinmm.prediction import RISK_FLAG, Prediction
from skinmm.taxonomy import TAXONOMY, DatasetClass, Risk, not_covered
from views.clinical import show_saved_triage
from views.common import (
    audit,
    audit_view_once,
    deidentify_case,
    deidentify_rows,
    lang,
    may_open,
    notice,
    optional_bundle,
    require_role,
    scope_filter,
)
from views.coverage_view import show_not_covered
from views.error_box import show_error
from views.note_facts_view import show_stored_reading

LIST_LIMIT = 200
FEW_CASES = 30
AGREEMENT = {"any": None, "agree": True, "disagree": False}
# What a ?case= link may hold: a case id or a unique prefix of one.
CASE_LINK = re.compile(r"[0-9a-f]{6,32}")


def store_failed(exc: StorageError) -> NoReturn:
    show_error(t("err_store", language), language, detail=technical_detail(exc))
    st.info(t("err_store_hint", language), icon=":material/info:")
    st.stop()
    raise AssertionError("unreachable")


def require_store() -> Store:
    try:
        return shared_store()
    except StorageError as exc:
        store_failed(exc)


@st.cache_data(show_spinner=False, max_entries=8)
def cam_overlays(
    _bundle: Bundle, _photo: bytes, bundle_sha: str, photo_sha: str, classes: tuple[int, ...]
) -> list[tuple[int, Image.Image]]:
    # Keyed by the hashes: the bundle and the photo bytes themselves are not hashed.
    return overlays(_photo, _bundle, classes)


def class_name(code: str | None, classes: dict[str, DatasetClass], other: str | None = None) -> str:
    """A class or taxonomy code's name; ``other`` with its words. For tables and widgets."""
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


def filters(classes: dict[str, DatasetClass]) -> CaseFilter:
    search, since, until = st.columns([2, 1, 1])
    text = (
        search.text_input(
            t("filter_search", language),
            key="history_search",
            help=t("filter_search_help", language),
        )
        if user.can("identify")
        else ""
    )
    start = since.date_input(t("filter_since", language), value=None, key="history_since")
    end = until.date_input(t("filter_until", language), value=None, key="history_until")
    predicted, confirmed, agreement = st.columns(3)
    codes = [None, *classes]
    top = predicted.selectbox(
        t("filter_top_class", language),
        codes,
        format_func=lambda c: t("filter_any", language) if c is None else class_name(c, classes),
        key="history_predicted",
    )
    truth = confirmed.selectbox(
        t("filter_confirmed", language),
        codes,
        format_func=lambda c: t("filter_any", language) if c is None else class_name(c, classes),
        key="history_confirmed",
    )
    agree = agreement.selectbox(
        t("filter_agreement", language),
        list(AGREEMENT),
        format_func=lambda a: t("filter_any" if a == "any" else f"agreement_{a}", language),
        key="history_agreement",
    )
    return CaseFilter(
        text=text,
        since=start,
        until=end,
        predicted=top,
        confirmed=truth,
        agreement=AGREEMENT[agree],
    )


def case_table(rows: list[CaseRow], classes: dict[str, DatasetClass]) -> pd.DataFrame:
    def agreement(value: bool | None) -> str:
        if value is None:
            return t("not_set", language)
        return t("agreement_agree" if value else "agreement_disagree", language)

    return pd.DataFrame(
        {
            t("col_date", language): [r.created_at.strftime("%Y-%m-%d %H:%M") for r in rows],
            t("col_case_id", language): [r.id[:8] for r in rows],
            t("col_patient", language): [r.patient_ref or "" for r in rows],
            t("col_top", language): [
                class_name(r.top_class, classes) if r.readable else t("row_unreadable", language)
                for r in rows
            ],
            t("col_confidence", language): [r.confidence for r in rows],
            t("col_agreement", language): [agreement(r.branches_agree) for r in rows],
            t("col_scope", language): [
                verdict_cell(r.scope_verdict, r.scope_shown_anyway, language) for r in rows
            ],
            t("col_confirmed", language): [
                class_name(r.pathology, classes, r.pathology_other)
                if r.pathology
                else class_name(r.diagnosis, classes, r.diagnosis_other)
                for r in rows
            ],
        }
    )


def show_photo_and_note(case: Case) -> bytes | None:
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


def readable_prediction(record: PredictionRecord | None) -> tuple[Prediction | None, str | None]:
    """The stored prediction, or None and why it cannot be read (never an exception)."""
    if record is None:
        return None, None
    try:
        return to_prediction(record), None
    except RowError as exc:
        return None, str(exc)


def show_scope_and_set(pred: Prediction, shown_anyway: bool | None) -> None:
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
    pred: Prediction | None, problem: str | None, record: PredictionRecord | None
) -> None:
    if problem is not None:
        st.warning(t("case_prediction_unreadable", language), icon=":material/warning:")
        with st.expander(i18n_t("error_expander", language), icon=":material/info:"):
            st.code(problem, language=None, wrap_lines=True)
        return
    if pred is None or record is None:
        return
    show_scope_and_set(pred, record.scope_shown_anyway)
    # Metric values and image captions render Markdown; class names come from the database.
    st.metric(t("top_class", language), md(pred.top.name(language)))
    st.metric(t("confidence", language), f"{pred.confidence:.0%}")
    st.caption(
        f"{t('mode', language)}: {t(f'mode_{pred.mode}', language)} · "
        f"{t('rule', language)}: {pred.rule}"
    )
    st.plotly_chart(differential_figure(pred, language), key="history_chart")
    show_not_covered(not_covered(pred.classes), language)
    show_saved_triage(pred, record.bundle_sha, optional_bundle()[0], language)
    worrying = ", ".join(
        md(c.name(language))
        for c, p in zip(pred.classes, pred.fused, strict=True)
        if c.risk is not Risk.BENIGN and p >= RISK_FLAG
    )
    for key in pred.cautions():
        if key not in ("image_only", "text_only"):
            st.warning(caution_text(key, language, p=pred.confidence, names=worrying))


def case_cams(case: Case, photo: bytes | None, pred: Prediction | None) -> CamImages:
    record = case.latest_prediction
    if photo is None or record is None or pred is None:
        return CamImages([])
    try:
        cam_classes = tuple(check_cam_classes(record.cam_classes, len(pred.classes)))
    except RowError:
        return CamImages([])
    if not cam_classes:
        return CamImages([])
    bundle, problem = optional_bundle()
    if bundle is None:
        return CamImages([], t("cam_no_bundle", language, detail=problem))
    if bundle_fingerprint(bundle.card) != record.bundle_sha:
        return CamImages(
            [],
            t("cam_other_bundle", language, saved=md(record.bundle_name), loaded=md(bundle.name)),
        )
    try:
        drawn = cam_overlays(bundle, photo, record.bundle_sha, case.image_sha256 or "", cam_classes)
    except Exception:  # Grad-CAM is an aid; the case stands without it
        return CamImages([], t("cam_failed", language))
    return CamImages(drawn)


def show_cams(pred: Prediction | None, cams: CamImages) -> None:
    if not cams.overlays and cams.left_out is None:
        return
    st.markdown(f"**{t('cam_title', language)}**")
    if cams.left_out:
        st.caption(cams.left_out)
        return
    assert pred is not None  # overlays are only drawn for a readable prediction
    for column, (k, overlay) in zip(st.columns(len(cams.overlays)), cams.overlays, strict=True):
        name = md(pred.classes[k].name(language))
        column.image(overlay, caption=t("cam_caption", language, name=name, p=pred.fused[k]))


def feedback_form(case: Case, classes: dict[str, DatasetClass]) -> bool:
    """The feedback form; True when feedback was saved on this run."""
    codes = [None, *feedback_codes(case)]

    def name(code: str | None) -> str:
        return class_name(code, classes)

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


def feedback_table(case: Case, classes: dict[str, DatasetClass]) -> None:
    if not case.feedback:
        st.caption(t("feedback_none", language))
        return
    rows = [
        {
            t("col_time", language): f.created_at.strftime("%Y-%m-%d %H:%M"),
            t("col_diagnosis", language): class_name(f.diagnosis, classes, f.diagnosis_other),
            t("col_pathology", language): class_name(f.pathology, classes, f.pathology_other),
            t("col_comment", language): f.comment or "",
            t("col_author", language): f.author or "",
        }
        for f in reversed(case.feedback)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="history_feedback_table")


@st.cache_data(show_spinner=False, max_entries=16)
def report_pdf(_case: Case, _photo: bytes | None, _cams: CamImages, key: tuple, lang: str) -> bytes:
    # ``key`` names everything the PDF shows: case, prediction, feedback rows, CAM source.
    return render_case_report(_case, photo=_photo, cams=_cams, lang=lang)


def load_case(case_id: str) -> Case | None:
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


def show_case(case_id: str, classes: dict[str, DatasetClass]) -> None:
    case = load_case(case_id)
    if case is None:
        return
    if not may_open(user, case.id):
        st.error(t("auth_forbidden", language), icon=":material/lock:")
        return
    case = deidentify_case(case, user)
    audit_view_once(case.id)
    record = case.latest_prediction
    pred, problem = readable_prediction(record)
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
    left, right = st.columns([1, 2], gap="large")
    with left:
        photo = show_photo_and_note(case)
    with right:
        show_prediction(pred, problem, record)
    cams = case_cams(case, photo, pred)
    show_cams(pred, cams)
    if user.can("feedback") and feedback_form(case, classes):
        case = get_case(store, case.id)
    feedback_table(case, classes)
    if not user.can("report"):
        return
    if pred is None and record is not None:
        return  # the report is drawn from the prediction, which cannot be read
    key = (
        case.id,
        record.id if record is not None else "",
        record.scope_shown_anyway if record is not None else None,
        tuple(f.id for f in case.feedback),
        len(cams.overlays),
        cams.left_out,
    )
    try:
        pdf = report_pdf(case, photo, cams, key, language)
    except Exception as exc:  # the case view stands without its report
        show_error(t("report_failed", language), language, detail=technical_detail(exc))
        return
    st.download_button(
        t("report_download", language),
        data=pdf,
        file_name=f"skinmm-case-{case.id[:8]}.pdf",
        mime="application/pdf",
        key="history_report",
        icon=":material/picture_as_pdf:",
        on_click=audit,
        args=("export", case.id, "PDF report"),
    )


def case_link() -> str | None:
    """The ``?case=`` id of a link, when it is one; the page says so when it is not."""
    asked = st.query_params.get("case")
    if not asked:
        return None
    normalised = asked.strip().lower()
    if CASE_LINK.fullmatch(normalised):
        return normalised
    st.error(t("case_link_invalid", language), icon=":material/link_off:")
    st.caption(t("case_link_value", language))
    st.text(asked[:200])
    return None


def show_cases() -> None:
    classes = {c.code: c for c in known_classes(store)}
    where = scope_filter(filters(classes), user)
    total = count_cases(store, where)
    rows = deidentify_rows(list_cases(store, where, limit=LIST_LIMIT), user)
    if not rows:
        st.info(t("history_no_match", language), icon=":material/search_off:")
    else:
        st.caption(t("history_count", language, shown=len(rows), total=total))
        st.dataframe(
            case_table(rows, classes),
            hide_index=True,
            key="history_table",
            column_config={
                t("col_confidence", language): st.column_config.NumberColumn(format="percent")
            },
        )
    labels = {
        r.id: f"{r.id[:8]} · {r.created_at:%Y-%m-%d %H:%M} · {r.patient_ref or ''} · "
        f"{class_name(r.top_class, classes)}"
        for r in rows
    }
    asked = case_link()
    options = list(labels)
    if asked and asked not in labels:
        options.insert(0, asked)
    chosen = st.selectbox(
        t("history_open", language),
        options,
        index=options.index(asked) if asked in options else None,
        format_func=lambda c: labels.get(c, c),
        key="history_case",
    )
    if chosen:
        show_case(chosen, classes)


def show_out_of_scope(group: BundleCases) -> None:
    if group.unreadable:
        st.warning(
            t("perf_unreadable", language, n=len(group.unreadable)), icon=":material/warning:"
        )
    if not group.out_of_scope:
        return
    st.info(t("perf_out_of_scope", language, n=len(group.out_of_scope)), icon=":material/info:")
    classes = {c.code: c for c in group.classes}
    rows = {
        t("col_case_id", language): [o.case_id[:8] for o in group.out_of_scope],
        t("col_out_of_scope", language): [
            class_name(o.pathology, classes, o.pathology_other) for o in group.out_of_scope
        ],
        t("col_predicted", language): [
            class_name(o.predicted, classes) for o in group.out_of_scope
        ],
    }
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="history_perf_out_of_scope")


def show_performance() -> None:
    groups = group_by_bundle(store)
    if not groups:
        st.info(t("perf_none", language), icon=":material/info:")
        return
    group = groups[0]
    if len(groups) > 1:
        group = st.selectbox(
            t("perf_bundle", language),
            groups,
            format_func=lambda g: f"{g.bundle_name} ({g.bundle_sha[:8]}) — {g.total}",
            key="history_perf_bundle",
        )
    st.caption(t("perf_intro", language))
    show_out_of_scope(group)
    report = live_report(group)
    if report is None:
        st.info(t("perf_in_scope_none", language), icon=":material/info:")
        return
    n = report["n"]
    st.caption(
        t("perf_cases", language, n=n["fused"], image=n["image"], text=n["text"], both=n["both"])
    )
    if n["fused"] < FEW_CASES:
        st.warning(t("perf_small", language, n=FEW_CASES), icon=":material/warning:")
    columns = st.columns(3)
    for column, branch in zip(columns, ("fused", "image", "text"), strict=True):
        if branch in report:
            label = t("card_weighted_f1", language, branch=t(f"branch_{branch}", language))
            column.metric(label, f"{report[branch]['weighted_f1']:.3f}")
    st.plotly_chart(
        confusion_figure(report, "fused", group.classes, language), key="history_perf_confusion"
    )
    if "text_compensating_image" in report:
        st.plotly_chart(
            compensation_figure(report, group.classes, language), key="history_perf_compensation"
        )


def show_history() -> None:
    if count_cases(store, scope_filter(CaseFilter(), user)) == 0:
        st.info(t("history_empty", language), icon=":material/inbox:")
        return
    st.caption(t("history_intro", language))
    cases_tab, performance_tab = st.tabs([t("tab_cases", language), t("tab_performance", language)])
    with cases_tab:
        show_cases()
    with performance_tab:
        show_performance()


language = lang()
user = require_role("history")
st.title(t("history_title", language))
notice(language)
store = require_store()
try:
    show_history()
except StorageError as exc:  # the database went away after the page opened it
    store_failed(exc)
