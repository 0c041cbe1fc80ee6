"""Diagnose: photo and/or note in; differential, agreement, Grad-CAM and cautions out.

One patient per analysis: "New case" clears every input and the result; the inputs of the
shown result stay on screen beside it; editing any input after an analysis marks the result
as belonging to the previous inputs; a saved case records exactly what was analysed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np
import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.charts import (
    differential_figure,
    differential_table,
    short_name,
    shows_carrier,
)
from skinmm.db import StorageError, bundle_fingerprint, save_analysis, shared_store
from skinmm.db.repository import mark_shown_anyway
from skinmm.db.strings import t as db_t
from skinmm.errors import Explanation, explain
from skinmm.i18n import caution_text, rule_name, t
from skinmm.image.io import UPLOAD_FORMATS, image_format, load_image
from skinmm.prediction import RISK_FLAG, Prediction
from skinmm.scope import example_image
from skinmm.taxonomy import Risk
from skinmm.text.clean import MAX_NOTE_CHARS
from views.cam_display import at_most, display_overlays
from views.clinical import show_triage_verdict
from views.common import lang, notice, require_bundle, require_role
from views.conformal_view import show_prediction_set
from views.coverage_view import show_not_covered
from views.error_box import show_error
from views.examples_view import example_button, show_example_truth, with_example
from views.multiphoto_view import (
    combine_photos,
    more_photos,
    several_photos,
    show_photos,
    with_first_photo,
)
from views.note_facts_view import NoteEdit, note_facts_panel
from views.scope_view import scope_gate

# Longer than any real history of one lesion: a paste of a whole record is refused, not cut.
NOTE_LIMIT = 10_000
CAM_CLASSES = 3
PREVIEW_SIDE = 640
THUMBNAIL_WIDTH = 180
RESULT_KEY = "diagnose_result"
SAVED_KEY = "diagnose_saved_case"
SHOWN_KEY = "diagnose_shown_anyway_case"  # the saved case already marked "shown anyway"
# Bumped by "New case": a file_uploader cannot be cleared through session_state, but a
# widget under a new key starts empty.
GENERATION_KEY = "diagnose_generation"
NOTE_KEY, PATIENT_KEY = "diagnose_note", "diagnose_patient"


@dataclass(frozen=True)
class Inputs:
    """What one analysis is of: the exact bytes, note and reference, never widgets' values."""

    photo: bytes | None
    photo_name: str | None
    note: str
    patient_ref: str


def changed(analysed: Inputs, now: Inputs) -> bool:
    """Whether the form now holds other inputs than ``analysed`` (the file's name aside).

    Field by field, not ``!=``: this script re-runs on every interaction, so the Inputs class
    of a stored result is not the class of this run, and dataclass equality would say no.
    """
    return (analysed.photo, analysed.note, analysed.patient_ref) != (
        now.photo,
        now.note,
        now.patient_ref,
    )


@dataclass
class Result:
    prediction: Prediction
    image: Image.Image | None = None
    cams: list[tuple[int, np.ndarray]] = field(default_factory=list)
    cam_failed: bool = False
    note_truncated: bool = False
    inputs: Inputs | None = None
    note_edit: NoteEdit | None = None


def fail(message: str, detail: str | None = None, facts: list[str] | None = None) -> NoReturn:
    show_error(message, language, detail, facts)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def fail_with(exc: BaseException, fallback: str, facts: list[str] | None = None) -> NoReturn:
    """Stop with the message :func:`skinmm.errors.explain` maps ``exc`` to."""
    explained = explain(exc, fallback)
    fail(t(explained.key, language, **explained.values), explained.detail, facts)


def photo_facts(data: bytes) -> list[str]:
    return [t("detail_file", language, size=len(data), format=image_format(data))]


def analyse(bundle: Bundle, data: bytes | None, note: str) -> Result:
    if data is None and not note:
        fail(t("err_empty", language))
    if len(note) > NOTE_LIMIT:
        fail(t("err_note_too_long", language, length=len(note), limit=NOTE_LIMIT))
    image = None
    if data is not None:
        try:
            image = load_image(data, formats=UPLOAD_FORMATS)
        except ValueError as exc:
            fail_with(exc, "err_image", photo_facts(data))
    try:
        prediction = bundle.predict(image=image, note=note or None)
    except ValueError as exc:
        fail_with(exc, "err_note" if data is None else "err_predict")
    except Exception as exc:  # never a traceback on the page
        fail_with(exc, "err_predict")
    result = Result(prediction, note_truncated=prediction.note_truncated)
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
    # A heading, not st.metric: a metric's value is cut off at the column's width, and the
    # full name (with its sub-entities) is what a clinician needs to read.
    with st.container(key="diagnose_top"):
        st.caption(t("top_class", language))
        st.markdown(f"#### {pred.top.name(language)}")
    st.metric(t("confidence", language), f"{pred.confidence:.0%}")
    st.caption(
        f"{t('mode', language)}: {t(f'mode_{pred.mode}', language)} · "
        f"{t('rule', language)}: {rule_name(pred.rule, language)}"
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
    overlays = display_overlays(result.image, [heatmap for _, heatmap in result.cams], opacity)
    for column, (k, _), overlay in zip(
        st.columns(len(result.cams)), result.cams, overlays, strict=True
    ):
        caption = t("cam_caption", language, name=pred.classes[k].name(language), p=pred.fused[k])
        column.image(overlay, caption=caption, width="stretch")


def save_case(result: Result) -> None:
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
        )
    except (StorageError, ValueError) as exc:
        st.session_state[SAVED_KEY] = ("error", explain(exc, "err_save_value"))
        return
    st.session_state[SAVED_KEY] = ("saved", case_id)


def record_shown_anyway(pred: Prediction) -> None:
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
    elif status == "error" and isinstance(value, Explanation):
        reason = t(value.key, language, **value.values)
        st.warning(db_t("diagnose_not_saved", language, detail=reason), icon=":material/warning:")
        with st.expander(t("error_expander", language), icon=":material/info:"):
            st.code(value.detail, language=None, wrap_lines=True)


def show_inputs(inputs: Inputs, image: Image.Image | None) -> None:
    """The inputs this result was made from, always beside it."""
    with st.container(border=True, key="diagnose_inputs"):
        st.markdown(f"**{t('inputs_title', language)}**")
        photo, note, reference = st.columns([1, 2, 1])
        if image is not None and inputs.photo is not None:
            # Twice the shown width: sharp on a high-density screen, a fraction of the bytes.
            photo.image(at_most(image, 2 * THUMBNAIL_WIDTH), width=THUMBNAIL_WIDTH)
            photo.text(t("inputs_photo", language, name=inputs.photo_name or "—"))
        else:
            photo.caption(t("inputs_no_photo", language))
        if inputs.note:
            note.caption(t("inputs_note", language))
            # Plain text: a note is never rendered as Markdown (links, images).
            with note.container(height=120, border=False):
                st.text(inputs.note)
        else:
            note.caption(t("inputs_no_note", language))
        if inputs.patient_ref:
            reference.text(t("inputs_reference", language, ref=inputs.patient_ref))
        else:
            reference.caption(t("inputs_no_reference", language))


def show_result(result: Result, stale: bool, more: list) -> Any:
    """Draws the result; returns the slot where the saved-case line goes (None if gated)."""
    pred = result.prediction
    st.divider()
    st.subheader(t("result_title", language))
    if stale:
        st.warning(t("result_stale", language), icon=":material/history_toggle_off:")
    if result.inputs is not None:
        show_inputs(result.inputs, result.image)
        show_example_truth(require_bundle(), result.inputs.photo, pred, language)
    generation = st.session_state.get(GENERATION_KEY, 0)
    if not scope_gate(pred, language, generation, example_image(bundle.path)):
        return None
    record_shown_anyway(pred)
    show_photos(pred, more, language)
    left, right = st.columns([1, 2], gap="large")
    with left:
        show_summary(pred)
        show_agreement(pred)
    with right:
        show_prediction_set(pred, language)
        st.plotly_chart(differential_figure(pred, language), key="diagnose_chart")
        show_not_covered(require_bundle().not_covered, language)
        show_triage_verdict(pred, require_bundle(), language)
    show_cautions(result)
    saved_slot = st.empty()  # filled after drawing: the case is saved once the result is shown
    show_cams(result)
    carried = shows_carrier(pred)
    with st.expander(t("carrier_title" if carried else "table_title", language)):
        if carried:
            st.caption(t("carrier_max_caption", language))
        elif pred.mode == "fused":
            rule = rule_name(pred.rule, language)
            st.caption(t("carrier_none_caption", language, rule=rule))
        st.dataframe(differential_table(pred, language), hide_index=True)
    st.download_button(
        t("download_json", language),
        data=json.dumps(pred.to_dict(), ensure_ascii=False, indent=2),
        file_name=f"skinmm-{pred.top.code}.json",
        mime="application/json",
        key="diagnose_download",
        icon=":material/download:",
    )
    return saved_slot


def start_new_case() -> None:
    """Clear every input and the shown result (an on_click callback: runs before the widgets)."""
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    st.session_state[NOTE_KEY] = st.session_state[PATIENT_KEY] = ""
    st.session_state[RESULT_KEY] = st.session_state[SAVED_KEY] = None


def uploader_labels(max_mb: int) -> None:
    """The uploader's own texts in the UI language.

    Streamlit 1.67 has no API for its dropzone texts ("Upload", "25MB per file • JPG, PNG,
    WEBP"); CSS hides them and writes ours in their place (checked in Chromium).
    """

    def css_string(key: str, **values: object) -> str:
        return json.dumps(t(key, language, **values), ensure_ascii=False)

    zone = "[data-testid='stFileUploaderDropzone']"
    instructions = "[data-testid='stFileUploaderDropzoneInstructions'] > div"
    button = f"{zone} button [data-testid='stMarkdownContainer']"
    st.html(
        f"""<style>
{instructions} > span, {instructions} > small, {button} p {{ display: none; }}
{instructions}::before {{ content: {css_string("upload_drop")}; display: block; }}
{instructions}::after {{
  content: {css_string("upload_limit", size=max_mb)}; display: block; font-size: 0.85em;
  opacity: 0.7;
}}
{button}::after {{ content: {css_string("upload_browse")}; }}
</style>"""
    )


def read_inputs(upload: object, note: str | None, patient_ref: str | None) -> Inputs:
    """The form's current values, as they would be analysed."""
    photo = None if upload is None else upload.getvalue()  # type: ignore[attr-defined]
    name = None if upload is None else str(upload.name)  # type: ignore[attr-defined]
    return Inputs(photo, name, (note or "").strip(), (patient_ref or "").strip())


language = lang()
user = require_role("diagnose")
st.title(t("diagnose_title", language))
notice(language)
st.caption(t("diagnose_intro", language))
max_upload = int(st.get_option("server.maxUploadSize"))
uploader_labels(max_upload)

# No st.form: a form hides edits until it is submitted, and an edit after an analysis must
# mark the shown result as belonging to the previous inputs at once.
with st.container(border=True, key="diagnose_inputs_form"):
    photo_column, note_column = st.columns(2)
    upload = photo_column.file_uploader(
        t("upload_label", language),
        type=["jpg", "jpeg", "png", "webp"],
        help=t("upload_help", language, size=max_upload),
        key=f"diagnose_upload_{st.session_state.get(GENERATION_KEY, 0)}",
    )
    more = more_photos(photo_column, language, st.session_state.get(GENERATION_KEY, 0))
    note = note_column.text_area(
        t("note_label", language),
        placeholder=t("note_placeholder", language),
        height=150,
        key=NOTE_KEY,
    )
    patient_ref = note_column.text_input(
        db_t("diagnose_patient_ref", language),
        max_chars=64,
        help=db_t("diagnose_patient_help", language),
        key=PATIENT_KEY,
    )
    keep = note_column.toggle(db_t("diagnose_save", language), value=True, key="diagnose_save")
    buttons = st.container(horizontal=True)
    submitted = buttons.button(
        t("analyse", language), type="primary", icon=":material/biotech:", key="diagnose_analyse"
    )
    buttons.button(
        t("new_case", language),
        icon=":material/person_add:",
        help=t("new_case_help", language),
        key="new_case",
        on_click=start_new_case,
    )

edit = note_facts_panel(
    note or "", language, f"diagnose_facts_{st.session_state.get(GENERATION_KEY, 0)}"
)
# The form is drawn (and usable) before the page waits for the model, which app.py is loading
# in the background; an Analyse pressed meanwhile is answered once it has loaded.
bundle = require_bundle("loading_model_background")
example_button(buttons, bundle, language, start_new_case, NOTE_KEY, GENERATION_KEY)
current = read_inputs(upload, note, patient_ref)
generation = st.session_state.get(GENERATION_KEY, 0)
current = with_example(current, bundle, generation, upload is not None, photo_column, language)
current, more = with_first_photo(current, more)
if submitted:
    st.session_state[RESULT_KEY] = st.session_state[SAVED_KEY] = None
    if edit.invalid:
        fail(t("nf_fix_first", language))
    with st.spinner(t("analysing", language)):
        model_note = current.note if edit.corrected is None else edit.model_note
        result = analyse(bundle, current.photo, model_note)
        lesion = combine_photos(
            bundle, result.image, current.photo_name, more, model_note, language
        )
        result.prediction = lesion or result.prediction
    result.inputs, result.note_edit = current, edit
    st.session_state[RESULT_KEY] = result

shown = st.session_state.get(RESULT_KEY)
if shown is not None:
    slot = show_result(
        shown, stale=shown.inputs is None or changed(shown.inputs, current), more=more
    )
    if submitted and keep and not several_photos():
        save_case(shown)
        if slot is not None:  # shown: an out-of-scope result the clinician chose to see
            record_shown_anyway(shown.prediction)
    if slot is not None:
        with slot.container():
            show_saved()
