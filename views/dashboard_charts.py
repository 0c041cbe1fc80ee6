"""The Dashboard's figures: F1 per class, what the note adds, confusion matrices, ROC and
reliability curves."""

from __future__ import annotations

from typing import Any

import streamlit as st

from skinmm.bundle import Bundle
from skinmm.charts import (
    BRANCHES,
    compensation_figure,
    confusion_figure,
    f1_figure,
    reliability_figure,
    roc_figure,
)
from skinmm.i18n import t


def show_per_class(report: dict[str, Any], bundle: Bundle, language: str) -> None:
    per_class, compensation = st.columns(2, gap="large")
    with per_class:
        st.subheader(t("section_per_class", language))
        st.plotly_chart(f1_figure(report, bundle.classes, language), key="dashboard_f1")
    with compensation:
        st.subheader(t("section_compensation", language))
        st.caption(t("compensation_caption", language))
        st.plotly_chart(
            compensation_figure(report, bundle.classes, language), key="dashboard_compensation"
        )


def show_confusion(report: dict[str, Any], bundle: Bundle, language: str) -> None:
    st.subheader(t("section_confusion", language))
    scale = st.segmented_control(
        t("confusion_scale", language),
        ["counts", "normalised"],
        format_func=lambda k: t(f"confusion_{k}", language),
        default="counts",
        key="dashboard_confusion_scale",
    )
    tabs = st.tabs([t(f"branch_{b}", language) for b in ("fused", "image", "text")])
    for tab, branch in zip(tabs, ("fused", "image", "text"), strict=True):
        figure = confusion_figure(
            report, branch, bundle.classes, language, normalise=scale == "normalised"
        )
        tab.plotly_chart(figure, key=f"dashboard_confusion_{branch}")


def show_curves(report: dict[str, Any], bundle: Bundle, language: str) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(t("section_roc", language))
        branch = st.segmented_control(
            t("roc_branch", language),
            list(BRANCHES),
            format_func=lambda b: t(f"branch_{b}", language),
            default="fused",
            key="dashboard_roc_branch",
        )
        figure = roc_figure(report, branch or "fused", bundle.classes, language)
        st.plotly_chart(figure, key="dashboard_roc")
    with right:
        st.subheader(t("section_reliability", language))
        st.plotly_chart(reliability_figure(report, language), key="dashboard_reliability")
