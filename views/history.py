"""History: saved cases to search and reopen, clinician feedback, reports, live performance."""

from __future__ import annotations

from datetime import UTC
from typing import NoReturn

import pandas as pd
import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.charts import (
    compensation_figure,
    confusion_figure,
    differential_figure,
)
from skinmm.db.models import Case
from skinmm.db.performance import group_by_bundle, live_report
from skinmm.db.report import CamImages, overlays, render_case_report
from skinmm.db.repository import (
    CaseFilter,
    CaseNotFoundError,
    CaseRow,
    add_feedback,
    bundle_fingerprint,
    count_cases,
    get_case,
    known_classes,
    list_cases,
    to_prediction,
)
from skinmm.db.store import StorageError, Store, shared_store
from skinmm.db.strings import t
from skinmm.i18n import caution_text
from skinmm.prediction import RISK_FLAG
from skinmm.taxonomy import DatasetClass, Risk
from views.clinical import show_saved_triage
from views.common import lang, notice, optional_bundle

LIST_LIMIT = 200
FEW_CASES = 30
AGREEMENT = {"any": None, "agree": True, "disagree": False}


def fail(message: str, hint: str | None = None) -> NoReturn:
    st.error(message, icon=":material/error:")
    if hint:
        st.info(hint, icon=":material/info:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def store_failed(exc: StorageError) -> NoReturn:
    fail(t("err_store", language, detail=str(exc)), t("err_store_hint", language))


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


def class_name(code: str | None, classes: dict[str, DatasetClass]) -> str:
    if not code:
        return t("not_set", language)
    return classes[code].name(language) if code in classes else code


def filters(classes: dict[str, DatasetClass]) -> CaseFilter:
    search, since, until = st.columns([2, 1, 1])
    text = search.text_input(
        t("filter_search", language), key="history_search", help=t("filter_search_help", language)
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
            t("col_top", language): [class_name(r.top_class, classes) for r in rows],
            t("col_confidence", language): [r.confidence for r in rows],
            t("col_agreement", language): [agreement(r.branches_agree) for r in rows],
            t("col_confirmed", language): [
                class_name(r.pathology or r.diagnosis, classes) for r in rows
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
    return photo


def show_prediction(case: Case) -> None:
    record = case.latest_prediction
    if record is None:
        return
    pred = to_prediction(record)
    st.metric(t("top_class", language), pred.top.name(language))
    st.metric(t("confidence", language), f"{pred.confidence:.0%}")
    st.caption(
        f"{t('mode', language)}: {t(f'mode_{pred.mode}', language)} · "
        f"{t('rule', language)}: {pred.rule}"
    )
    st.plotly_chart(differential_figure(pred, language), key="history_chart")
    show_saved_triage(pred, record.bundle_sha, optional_bundle()[0], language)
    worrying = ", ".join(
        c.name(language)
        for c, p in zip(pred.classes, pred.fused, strict=True)
        if c.risk is not Risk.BENIGN and p >= RISK_FLAG
    )
    for key in pred.cautions():
        if key not in ("image_only", "text_only"):
            st.warning(caution_text(key, language, p=pred.confidence, names=worrying))


def case_cams(case: Case, photo: bytes | None) -> CamImages:
    record = case.latest_prediction
    if photo is None or record is None or not record.cam_classes:
        return CamImages([])
    bundle, problem = optional_bundle()
    if bundle is None:
        return CamImages([], t("cam_no_bundle", language, detail=problem))
    if bundle_fingerprint(bundle.card) != record.bundle_sha:
        return CamImages(
            [], t("cam_other_bundle", language, saved=record.bundle_name, loaded=bundle.name)
        )
    try:
        drawn = cam_overlays(
            bundle, photo, record.bundle_sha, case.image_sha256 or "", tuple(record.cam_classes)
        )
    except Exception:  # Grad-CAM is an aid; the case stands without it
        return CamImages([], t("cam_failed", language))
    return CamImages(drawn)


def show_cams(case: Case, cams: CamImages) -> None:
    if not cams.overlays and cams.left_out is None:
        return
    st.markdown(f"**{t('cam_title', language)}**")
    if cams.left_out:
        st.caption(cams.left_out)
        return
    record = case.latest_prediction
    assert record is not None
    fused = record.fused
    names = [c[f"name_{language}"] for c in record.classes]
    for column, (k, overlay) in zip(st.columns(len(cams.overlays)), cams.overlays, strict=True):
        column.image(overlay, caption=t("cam_caption", language, name=names[k], p=fused[k]))


def feedback_form(case: Case, classes: dict[str, DatasetClass]) -> bool:
    """The feedback form; True when feedback was saved on this run."""
    record = case.latest_prediction
    codes = [None] + ([c["code"] for c in record.classes] if record is not None else [])

    def name(code: str | None) -> str:
        return class_name(code, classes)

    st.markdown(f"**{t('feedback_title', language)}**")
    with st.form("history_feedback", clear_on_submit=True):
        left, right = st.columns(2)
        diagnosis = left.selectbox(
            t("feedback_diagnosis", language), codes, format_func=name, key="history_fb_diagnosis"
        )
        pathology = right.selectbox(
            t("feedback_pathology", language), codes, format_func=name, key="history_fb_pathology"
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
            store, case.id, diagnosis=diagnosis, pathology=pathology, comment=comment, author=author
        )
    except (ValueError, StorageError) as exc:
        st.error(t("feedback_invalid", language, detail=str(exc)), icon=":material/error:")
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
            t("col_diagnosis", language): class_name(f.diagnosis, classes),
            t("col_pathology", language): class_name(f.pathology, classes),
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


def show_case(case_id: str, classes: dict[str, DatasetClass]) -> None:
    try:
        case = get_case(store, case_id)
    except (CaseNotFoundError, StorageError) as exc:
        st.error(str(exc.args[0] if exc.args else exc), icon=":material/error:")
        return
    record = case.latest_prediction
    st.divider()
    st.subheader(t("case_title", language, case=case.id[:8]))
    st.caption(
        t(
            "case_meta",
            language,
            date=case.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            patient=case.patient_ref or t("not_set", language),
            bundle=record.bundle_name if record is not None else t("not_set", language),
        )
    )
    left, right = st.columns([1, 2], gap="large")
    with left:
        photo = show_photo_and_note(case)
    with right:
        show_prediction(case)
    cams = case_cams(case, photo)
    show_cams(case, cams)
    if feedback_form(case, classes):
        case = get_case(store, case.id)
    feedback_table(case, classes)
    key = (
        case.id,
        record.id if record is not None else "",
        tuple(f.id for f in case.feedback),
        len(cams.overlays),
        cams.left_out,
    )
    try:
        pdf = report_pdf(case, photo, cams, key, language)
    except Exception as exc:  # the case view stands without its report
        st.error(t("report_failed", language, detail=f"{type(exc).__name__}: {exc}"))
        return
    st.download_button(
        t("report_download", language),
        data=pdf,
        file_name=f"skinmm-case-{case.id[:8]}.pdf",
        mime="application/pdf",
        key="history_report",
        icon=":material/picture_as_pdf:",
    )


def show_cases() -> None:
    classes = {c.code: c for c in known_classes(store)}
    where = filters(classes)
    total = count_cases(store, where)
    rows = list_cases(store, where, limit=LIST_LIMIT)
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
    asked = st.query_params.get("case")
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


def show_performance() -> None:
    groups = [g for g in group_by_bundle(store) if g.records]
    if not groups:
        st.info(t("perf_none", language), icon=":material/info:")
        return
    group = groups[0]
    if len(groups) > 1:
        group = st.selectbox(
            t("perf_bundle", language),
            groups,
            format_func=lambda g: f"{g.bundle_name} ({g.bundle_sha[:8]}) — {len(g.records)}",
            key="history_perf_bundle",
        )
    report = live_report(group)
    assert report is not None
    n = report["n"]
    st.caption(t("perf_intro", language))
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
    if count_cases(store) == 0:
        st.info(t("history_empty", language), icon=":material/inbox:")
        return
    st.caption(t("history_intro", language))
    cases_tab, performance_tab = st.tabs([t("tab_cases", language), t("tab_performance", language)])
    with cases_tab:
        show_cases()
    with performance_tab:
        show_performance()


language = lang()
st.title(t("history_title", language))
notice(language)
store = require_store()
try:
    show_history()
except StorageError as exc:  # the database went away after the page opened it
    store_failed(exc)
