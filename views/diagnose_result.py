"""Diagnose's result: the inputs it was made from, the input check, the summary block, the
branches' agreement, the differential, Grad-CAM, the full table and the JSON download."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st
from PIL import Image

from skinmm.auth import Identity
from skinmm.bundle import Bundle
from skinmm.charts import (
    differential_figure,
    differential_table,
    short_name,
    shows_carrier,
)
from skinmm.i18n import rule_name, t
from skinmm.prediction import Prediction
from skinmm.scope import example_image
from views.cam_display import at_most, display_overlays
from views.clinical import show_triage_verdict
from views.conformal_view import show_prediction_set
from views.diagnose_save import record_shown_anyway
from views.diagnose_state import Inputs, Result
from views.examples_view import show_example_truth
from views.multiphoto_view import show_photos
from views.result_view import show_summary
from views.scope_view import scope_gate

THUMBNAIL_WIDTH = 180


def show_inputs(inputs: Inputs, image: Image.Image | None, language: str) -> None:
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


def show_agreement(pred: Prediction, language: str) -> None:
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


def show_cams(result: Result, language: str) -> None:
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


def show_table_and_download(pred: Prediction, language: str) -> None:
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


def show_result(
    result: Result,
    stale: bool,
    more: list[Any],
    bundle: Bundle,
    user: Identity,
    generation: int,
    language: str,
) -> Any:
    """Draws the result; returns the slot for the saved-case line (None when gated)."""
    pred = result.prediction
    st.divider()
    st.subheader(t("result_title", language))
    if stale:
        st.warning(t("result_stale", language), icon=":material/history_toggle_off:")
    if result.inputs is not None:
        show_inputs(result.inputs, result.image, language)
        show_example_truth(bundle, result.inputs.photo, pred, language)
    if not scope_gate(pred, language, generation, example_image(bundle.path)):
        return None
    record_shown_anyway(pred, user)
    show_photos(pred, more, language)
    left, right = st.columns([1, 2], gap="large")
    with left:
        show_summary(
            pred,
            language,
            bundle.not_covered,
            key="diagnose_top",
            note_truncated=result.note_truncated,
        )
        show_agreement(pred, language)
    with right:
        show_prediction_set(pred, language)
        st.plotly_chart(differential_figure(pred, language), key="diagnose_chart")
        show_triage_verdict(pred, bundle, language)
    saved_slot = st.empty()  # filled after drawing: the case is saved once the result is shown
    show_cams(result, language)
    show_table_and_download(pred, language)
    return saved_slot
