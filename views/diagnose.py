"""Diagnose: photo and/or note in; differential, agreement, Grad-CAM and cautions out."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np
import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.charts import differential_figure, differential_table, heatmap_overlay, short_name
from skinmm.db import StorageError, bundle_fingerprint, save_analysis, shared_store
from skinmm.db.strings import t as db_t
from skinmm.i18n import caution_text, t
from skinmm.image.io import load_image
from skinmm.prediction import RISK_FLAG, Prediction
from skinmm.taxonomy import Risk
from skinmm.text.clean import MAX_NOTE_CHARS, LongNoteWarning
from views.clinical import show_triage_verdict
from views.common import lang, notice, require_bundle

# Longer than any real history of one lesion: a paste of a whole record is refused, not cut.
NOTE_LIMIT = 10_000
CAM_CLASSES = 3
PREVIEW_SIDE = 640
RESULT_KEY = "diagnose_result"
SAVED_KEY = "diagnose_saved_case"


@dataclass
class Result:
    prediction: Prediction
    image: Image.Image | None = None
    cams: list[tuple[int, np.ndarray]] = field(default_factory=list)
    cam_failed: bool = False
    note_truncated: bool = False


def fail(message: str, detail: str | None = None) -> NoReturn:
    st.error(message, icon=":material/error:")
    if detail:
        st.caption(t("error_detail", language, detail=detail))
    st.stop()


def analyse(bundle: Bundle, data: bytes | None, note: str) -> Result:
    if data is None and not note:
        fail(t("err_empty", language))
    if len(note) > NOTE_LIMIT:
        fail(t("err_note_too_long", language, length=len(note), limit=NOTE_LIMIT))
    image = None
    if data is not None:
        try:
            image = load_image(data)
        except ValueError as exc:
            fail(t("err_image", language), str(exc))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LongNoteWarning)
        try:
            prediction = bundle.predict(image=image, note=note or None)
        except ValueError as exc:
            fail(t("err_note" if data is None else "err_predict", language), str(exc))
        except Exception as exc:  # never a traceback on the page
            fail(t("err_predict", language), f"{type(exc).__name__}: {exc}")
    result = Result(prediction, note_truncated=any(w.category is LongNoteWarning for w in caught))
    if image is not None:
        # The branch resizes to its input size anyway; Grad-CAM on the preview is as sharp,
        # and a 12-megapixel phone photo does not leave three 48 MB heat maps in the session.
        image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        result.image = image
        try:
            cams = bundle.cams(image, prediction.order[:CAM_CLASSES])
            result.cams = [(int(c.class_index), np.asarray(c.heatmap)) for c in cams]
        except Exception:  # Grad-CAM is an aid; the differential stands without it
            result.cam_failed = True
    return result


def show_summary(pred: Prediction) -> None:
    st.metric(t("top_class", language), short_name(pred.top, pred.top.code, language))
    if pred.top.name(language) != short_name(pred.top, pred.top.code, language):
        st.caption(pred.top.name(language))
    st.metric(t("confidence", language), f"{pred.confidence:.0%}")
    st.caption(
        f"{t('mode', language)}: {t(f'mode_{pred.mode}', language)} · "
        f"{t('rule', language)}: {pred.rule}"
    )


def show_agreement(pred: Prediction) -> None:
    st.markdown(f"**{t('agreement_title', language)}**")
    image_top, text_top = pred.branch_top("image"), pred.branch_top("text")
    if pred.branches_agree is None or image_top is None or text_top is None:
        st.info(t("agree_single", language), icon=":material/info:")
        return
    if pred.branches_agree:
        st.success(t("agree_yes", language, name=image_top.name(language)), icon=":material/check:")
    else:
        st.warning(
            t("agree_no", language, image=image_top.name(language), text=text_top.name(language)),
            icon=":material/call_split:",
        )
    lines = []
    for cls, delta in pred.largest_differences(3):
        key = "diff_image_higher" if delta >= 0 else "diff_text_higher"
        lines.append(
            "- " + t(key, language, name=short_name(cls, cls.code, language), delta=abs(delta))
        )
    st.markdown(f"{t('largest_differences', language)}:\n" + "\n".join(lines))


def show_cautions(result: Result) -> None:
    pred = result.prediction
    keys = pred.cautions()
    if result.note_truncated:
        st.warning(t("warn_note_truncated", language, limit=MAX_NOTE_CHARS), icon=":material/cut:")
    if not keys:
        return
    st.markdown(f"**{t('cautions_title', language)}**")
    worrying = [
        c.name(language)
        for c, p in zip(pred.classes, pred.fused, strict=True)
        if c.risk is not Risk.BENIGN and p >= RISK_FLAG
    ]
    for key in keys:
        text = caution_text(key, language, p=pred.confidence, names=", ".join(worrying))
        if key in ("image_only", "text_only"):
            st.info(text, icon=":material/info:")
        else:
            st.warning(text, icon=":material/warning:")


def show_cams(result: Result) -> None:
    st.markdown(f"**{t('cam_title', language)}**")
    if result.image is None:
        st.caption(t("cam_none", language))
        return
    if result.cam_failed or not result.cams:
        st.caption(t("cam_failed", language))
        return
    opacity = st.slider(t("cam_opacity", language), 0.0, 1.0, 0.45, 0.05, key="diagnose_opacity")
    pred = result.prediction
    for column, (k, heatmap) in zip(st.columns(len(result.cams)), result.cams, strict=True):
        caption = t("cam_caption", language, name=pred.classes[k].name(language), p=pred.fused[k])
        column.image(
            heatmap_overlay(result.image, heatmap, opacity), caption=caption, width="stretch"
        )


def save_case(result: Result, data: bytes | None, note: str, patient_ref: str) -> None:
    """One transaction per analysis; a database that is down never hides the result."""
    try:
        case_id = save_analysis(
            shared_store(),
            prediction=result.prediction,
            bundle_name=bundle.name,
            bundle_sha=bundle_fingerprint(bundle.card),
            image_bytes=data,
            note=note or None,
            patient_ref=patient_ref or None,
        )
    except (StorageError, ValueError) as exc:
        st.session_state[SAVED_KEY] = ("error", str(exc))
        return
    st.session_state[SAVED_KEY] = ("saved", case_id)


def show_saved() -> None:
    status, value = st.session_state.get(SAVED_KEY) or (None, "")
    if status == "saved":
        st.success(db_t("diagnose_saved", language, case=value[:8]), icon=":material/save:")
        st.page_link(
            "views/history.py",
            label=db_t("diagnose_open_case", language),
            query_params={"case": value},
            icon=":material/history:",
        )
    elif status == "error":
        st.warning(db_t("diagnose_not_saved", language, detail=value), icon=":material/warning:")


def show_result(result: Result) -> None:
    pred = result.prediction
    st.divider()
    st.subheader(t("result_title", language))
    left, right = st.columns([1, 2], gap="large")
    with left:
        show_summary(pred)
        show_agreement(pred)
    with right:
        st.plotly_chart(differential_figure(pred, language), key="diagnose_chart")
        show_triage_verdict(pred, require_bundle(), language)
    show_cautions(result)
    show_saved()
    show_cams(result)
    with st.expander(t("carrier_title", language)):
        st.dataframe(differential_table(pred, language), hide_index=True)
    st.download_button(
        t("download_json", language),
        data=json.dumps(pred.to_dict(), ensure_ascii=False, indent=2),
        file_name=f"skinmm-{pred.top.code}.json",
        mime="application/json",
        key="diagnose_download",
        icon=":material/download:",
    )


language = lang()
bundle = require_bundle()
st.title(t("diagnose_title", language))
notice(language)
st.caption(t("diagnose_intro", language))

with st.form("diagnose_form", border=True):
    photo_column, note_column = st.columns(2)
    upload = photo_column.file_uploader(
        t("upload_label", language), type=["jpg", "jpeg", "png", "webp"], key="diagnose_upload"
    )
    note = note_column.text_area(
        t("note_label", language),
        placeholder=t("note_placeholder", language),
        height=150,
        key="diagnose_note",
    )
    patient_ref = note_column.text_input(
        db_t("diagnose_patient_ref", language),
        max_chars=64,
        help=db_t("diagnose_patient_help", language),
        key="diagnose_patient",
    )
    keep = note_column.toggle(db_t("diagnose_save", language), value=True, key="diagnose_save")
    submitted = st.form_submit_button(
        t("analyse", language), type="primary", icon=":material/biotech:", key="diagnose_analyse"
    )

if submitted:
    st.session_state[RESULT_KEY] = st.session_state[SAVED_KEY] = None
    photo = None if upload is None else upload.getvalue()
    text = (note or "").strip()
    with st.spinner(t("analysing", language)):
        st.session_state[RESULT_KEY] = analyse(bundle, photo, text)
    if keep:
        save_case(st.session_state[RESULT_KEY], photo, text, patient_ref.strip())

if st.session_state.get(RESULT_KEY) is not None:
    show_result(st.session_state[RESULT_KEY])
