"""The Dashboard's error explorer: the misclassified test cases, filtered by who erred and by
class, with their photos and the image branch's Grad-CAM for the truth and its answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.charts import ERROR_FILTERS, heatmap_overlay, misclassified, short_name
from skinmm.data.datasets import data_dir
from skinmm.i18n import t
from skinmm.report_tables import errors_table, resolve_image

THUMBNAILS = 8
# The prediction to show for each error filter: the branch that erred (fused for "both").
PREDICTED_BY = {"image_only": "image", "text_only": "text", "both": "fused"}


@st.cache_data(show_spinner=False, max_entries=4)
def read_predictions(path: str, stamp: float) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"case_id": str, "label": str}, keep_default_na=False)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_heatmaps(
    _bundle: Bundle, fingerprint: str, image: str, classes: tuple[int, ...]
) -> list:
    # Keyed by the fingerprint, not the path: a bundle retrained in place gets new maps.
    return [np.asarray(c.heatmap) for c in _bundle.cams(image, list(classes))]


def show_errors(report_dir: Path, bundle: Bundle, language: str) -> None:
    st.subheader(t("section_errors", language))
    path = report_dir / "predictions.csv"
    if not path.is_file():
        st.info(t("no_predictions", language))
        return
    frame = read_predictions(str(path), path.stat().st_mtime)
    by_code = {c.code: c for c in bundle.classes}

    def name(code: str) -> str:
        return short_name(by_code.get(code), code, language)

    erred_column, true_column, predicted_column = st.columns(3)
    erred = erred_column.selectbox(
        t("filter_branch", language),
        ERROR_FILTERS,
        format_func=lambda k: t(f"err_branch_{k}", language),
        key=f"dashboard_errors_branch_{language}",
    )
    true_codes = true_column.multiselect(
        t("filter_true", language),
        bundle.codes,
        format_func=name,
        key=f"dashboard_errors_true_{language}",
    )
    predicted_codes = predicted_column.multiselect(
        t("filter_predicted", language),
        bundle.codes,
        format_func=name,
        key=f"dashboard_errors_predicted_{language}",
    )
    rows = misclassified(frame, erred, true_codes, predicted_codes)
    st.caption(t("errors_count", language, n=len(rows)))
    if rows.empty:
        st.info(t("errors_none", language))
        return
    table = errors_table(rows, name, language)
    st.dataframe(table, hide_index=True, height=min(400, 38 + 35 * len(table)))
    show_error_images(rows, name, PREDICTED_BY.get(erred, erred), bundle, language)


def show_error_images(
    rows: pd.DataFrame, name: Callable[[str], str], branch: str, bundle: Bundle, language: str
) -> None:
    folder, working = data_dir(), Path.cwd()
    images = {
        case: image
        for case, value in zip(rows["case_id"], rows.get("image_path", []), strict=False)
        if (image := resolve_image(value, folder, working)) is not None
    }
    if not images:
        st.caption(t("errors_no_images", language))
        return
    shown = list(images.items())[:THUMBNAILS]
    st.markdown(t("errors_thumbnails", language, n=len(shown)))
    labels = rows.set_index("case_id")
    for column, (case, image) in zip(st.columns(THUMBNAILS), shown, strict=False):
        row = labels.loc[case]
        caption = f"{case}: {name(row['label'])} → {name(row[f'{branch}_pred'])}"
        column.image(str(image), caption=caption, width="stretch")
    case = st.selectbox(t("errors_pick", language), list(images), key="dashboard_errors_case")
    row = labels.loc[case]
    # Grad-CAM explains the image branch: its map for the truth and for its own answer.
    codes = (row["label"], row["image_pred"])
    st.markdown(t("errors_cam", language, true=name(codes[0]), pred=name(codes[1])))
    original, *cam_columns = st.columns(3)
    picture = Image.open(images[case]).convert("RGB")
    original.image(picture, caption=case, width="stretch")
    try:
        indices = tuple(bundle.codes.index(code) for code in codes)
        heatmaps = cached_heatmaps(bundle, bundle.fingerprint, str(images[case]), indices)
    except Exception:  # Grad-CAM is an aid; the table stands without it
        st.caption(t("cam_failed", language))
        return
    for column, heatmap, code in zip(cam_columns, heatmaps, codes, strict=True):
        overlay = heatmap_overlay(picture, heatmap, 0.45)
        column.image(overlay, caption=name(code), width="stretch")
