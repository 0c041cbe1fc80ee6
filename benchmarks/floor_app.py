"""The round trip's floor: what Streamlit itself costs to draw a Diagnose result, no model.

A minimal page with the Diagnose form's inputs (photo uploader, note, Analyse with the same
widget key) that, on Analyse, draws what the result draws: the inputs' thumbnail, the summary
texts, the same plotly differential figure (``skinmm.charts.differential_figure``) and three
overlays at their display size (``views.cam_display.CAM_SIDE``). The pictures are made once
per photo and cached, and the probabilities are fixed numbers, so a click costs only
Streamlit's rerun, serialisation and the browser's drawing. ``bench_app.py`` times it as it
times the real page; the real page's round trip minus this floor is what SkinMM adds.

    streamlit run benchmarks/floor_app.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skinmm.charts import differential_figure, heatmap_overlay
from skinmm.prediction import Prediction
from skinmm.taxonomy import HAM10000_CLASSES
from views.cam_display import CAM_SIDE, at_most
from views.diagnose_result import THUMBNAIL_WIDTH

# A nevus-like answer with a dissenting note, as the benchmark's photo and note give.
FUSED = np.array([0.01, 0.02, 0.03, 0.02, 0.04, 0.86, 0.02])
TEXT = np.array([0.05, 0.06, 0.10, 0.01, 0.30, 0.45, 0.03])


@st.cache_data
def pictures(data: bytes) -> tuple[Image.Image, list[Image.Image]]:
    """The thumbnail and three overlays, at the sizes the Diagnose page sends them."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    small = at_most(image, CAM_SIDE)
    ramp = np.linspace(0.0, 1.0, 14)
    maps = [np.outer(ramp, ramp), np.outer(ramp[::-1], ramp), np.outer(ramp, ramp[::-1])]
    return at_most(image, 2 * THUMBNAIL_WIDTH), [heatmap_overlay(small, m, 0.45) for m in maps]


def prediction() -> Prediction:
    return Prediction(
        classes=HAM10000_CLASSES,
        fused=FUSED,
        image=FUSED,
        text=TEXT,
        carrier=("image",) * len(FUSED),
        mode="fused",
        rule="image",
    )


def result(thumbnail: Image.Image, overlays: list[Image.Image], note: str) -> None:
    pred = prediction()
    st.divider()
    st.subheader("Result")
    photo, text = st.columns([1, 3])
    photo.image(thumbnail, width=THUMBNAIL_WIDTH)
    text.text(note)
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.caption("Most likely")
        st.markdown(f"#### {pred.top.name('en')}")
        st.metric("Confidence", f"{pred.confidence:.0%}")
        st.warning("The photo and the note point to different classes.")
    with right:
        st.plotly_chart(differential_figure(pred, "en"), key="floor_chart")
    for column, overlay in zip(st.columns(3), overlays, strict=True):
        column.image(overlay, caption="Grad-CAM", width="stretch")


def main() -> None:
    st.set_page_config(page_title="Round-trip floor", layout="wide")
    upload = st.file_uploader("Photo", type=["jpg", "jpeg", "png"], key="floor_photo")
    note = st.text_area("Clinical note", key="floor_note")
    clicked = st.button("Analyse", key="diagnose_analyse", type="primary")
    if clicked and upload is not None:
        st.session_state["floor_shown"] = True
    if st.session_state.get("floor_shown") and upload is not None:
        thumbnail, overlays = pictures(upload.getvalue())
        result(thumbnail, overlays, note)


main()
