"""Dashboard: the bundle's test-set evaluation report and an explorer of its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.charts import (
    BRANCHES,
    ERROR_FILTERS,
    compensation_figure,
    confusion_figure,
    f1_figure,
    headline_changes,
    heatmap_overlay,
    metrics_table,
    misclassified,
    pairs_table,
    paper_table,
    recall_precision_table,
    reliability_figure,
    roc_figure,
    rules_table,
    short_name,
)
from skinmm.data.datasets import data_dir
from skinmm.errors import explain
from skinmm.i18n import rule_name, t
from views.clinical import show_clinical_report
from views.common import lang, read_json, require_bundle, require_role
from views.conformal_view import show_conformal_report
from views.error_box import show_explanation
from views.scope_view import show_scope_report

THUMBNAILS = 8
# The prediction to show for each error filter: the branch that erred (fused for "both").
PREDICTED_BY = {"image_only": "image", "text_only": "text", "both": "fused"}
NUMBER = st.column_config.NumberColumn(format="%.3f")
CARD_METRICS = ("weighted_f1", "balanced_accuracy", "macro_f1", "auc_macro")


@st.cache_data(show_spinner=False, max_entries=4)
def read_predictions(path: str, stamp: float) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"case_id": str, "label": str}, keep_default_na=False)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_heatmaps(
    _bundle: Bundle, fingerprint: str, image: str, classes: tuple[int, ...]
) -> list:
    # Keyed by the fingerprint, not the path: a bundle retrained in place gets new maps.
    return [np.asarray(c.heatmap) for c in _bundle.cams(image, list(classes))]


def resolve_image(value: Any) -> Path | None:
    """A test image on this machine: absolute, or relative to the data folder; else None."""
    if not isinstance(value, str) or not value:
        return None
    path = Path(value)
    for candidate in (path,) if path.is_absolute() else (data_dir() / path, Path.cwd() / path):
        if candidate.is_file():
            return candidate
    return None


def load_report(report_dir: Path) -> dict[str, Any]:
    path = report_dir / "metrics.json"
    try:
        report = read_json(str(path), path.stat().st_mtime)
        missing = [k for k in ("classes", *BRANCHES) if k not in report] + [
            f"{b}.{k}"
            for b in BRANCHES
            for k in ("weighted_f1", "confusion", "per_class", "roc")
            if k not in report.get(b, {})
        ]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        show_explanation(explain(exc, "err_report_unreadable"), language)
        st.stop()
    return report


def show_cards(report: dict[str, Any]) -> None:
    """Fused figures with their change against the image alone, then every loss and gain.

    No headline gain stands alone: balanced accuracy and macro F1 sit beside weighted F1,
    coloured by their own sign, and every per-class recall or precision that fell is listed.
    """
    st.markdown(f"**{t('headline_title', language)}**")
    fused_label = t("branch_fused", language)
    for column, metric in zip(st.columns(4), CARD_METRICS, strict=True):
        fused, image = report["fused"].get(metric), report["image"].get(metric)
        if fused is None:
            continue
        delta = None if image is None else t("headline_vs_image", language, delta=fused - image)
        column.metric(
            f"{t(f'metric_{metric}', language)} — {fused_label}", f"{fused:.3f}", delta, border=True
        )
    losses, gains = headline_changes(report, bundle.classes, language)
    for key, changes, colour in (
        ("headline_losses", losses, "red"),
        ("headline_gains", gains, "green"),
    ):
        listed = " · ".join(
            f":{colour}[{c.label} {c.delta:+.3f}] ({c.image:.3f} → {c.fused:.3f})" for c in changes
        )
        st.markdown(f"{t(key, language)} {listed or t('headline_none', language)}")
    table = metrics_table(report, language)
    numeric = {c: NUMBER for c in table.columns[1:]}
    st.dataframe(table, hide_index=True, column_config=numeric)


def show_recall_precision(report: dict[str, Any]) -> None:
    st.subheader(t("section_recall_precision", language))
    table = recall_precision_table(report, bundle.classes, language)
    numeric = {c: NUMBER for c in table.columns[1:-1]}
    st.dataframe(table, hide_index=True, column_config=numeric)


def show_confusion(report: dict[str, Any]) -> None:
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


def show_curves(report: dict[str, Any]) -> None:
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


def show_tables(report: dict[str, Any]) -> None:
    st.subheader(t("section_pairs", language))
    pairs = pairs_table(report, bundle.classes, language)
    share = {t("col_share", language): st.column_config.NumberColumn(format="percent")}
    st.dataframe(pairs, hide_index=True, column_config=share)
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(t("section_paper", language))
        table = paper_table(report, language)
        st.dataframe(table, hide_index=True, column_config={c: NUMBER for c in table.columns[1:]})
        st.caption(
            t("paper_caption", language, n=int(report.get("n_cases", 0)), k=len(report["classes"]))
        )
    rules = rules_table(report, language)
    if not rules.empty:
        with right:
            st.subheader(t("section_rules", language))
            numeric = {c: NUMBER for c in rules.columns[1:]}
            st.dataframe(rules, hide_index=True, column_config=numeric)


def show_errors(report_dir: Path) -> None:
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
    table = pd.DataFrame(
        {
            t("col_case", language): rows["case_id"],
            t("col_true", language): rows["label"].map(name),
            t("col_fused_pred", language): rows["fused_pred"].map(name),
            t("col_image_pred", language): rows["image_pred"].map(name),
            t("col_text_pred", language): rows["text_pred"].map(name),
            t("col_note", language): rows["note"].astype(str).str.slice(0, 160),
        }
    )
    st.dataframe(table, hide_index=True, height=min(400, 38 + 35 * len(table)))
    show_error_images(rows, name, PREDICTED_BY.get(erred, erred))


def show_error_images(rows: pd.DataFrame, name: Any, branch: str) -> None:
    images = {
        case: image
        for case, value in zip(rows["case_id"], rows.get("image_path", []), strict=False)
        if (image := resolve_image(value)) is not None
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


language = lang()
require_role("dashboard")
bundle = require_bundle()
st.title(t("dashboard_title", language))
report_directory = bundle.report_dir()
if report_directory is None:
    st.info(t("no_report", language), icon=":material/info:")
    st.stop()
metrics = load_report(report_directory)
st.caption(
    t(
        "report_summary",
        language,
        n=int(metrics.get("n_cases", 0)),
        rule=rule_name(str(metrics.get("rule", bundle.fusion.rule)), language),
        agree=float(metrics.get("agreement_rate", float("nan"))),
    )
)
unmapped = metrics.get("unmapped") or {}
if unmapped.get("count"):
    listed = unmapped.get("labels") or {}
    labels_text = (
        ", ".join(f"{k} ({v})" for k, v in listed.items())
        if isinstance(listed, dict)
        else ", ".join(map(str, listed))
    )
    st.caption(t("unmapped", language, count=int(unmapped["count"]), labels=labels_text))

show_cards(metrics)
show_recall_precision(metrics)
per_class, compensation = st.columns(2, gap="large")
with per_class:
    st.subheader(t("section_per_class", language))
    st.plotly_chart(f1_figure(metrics, bundle.classes, language), key="dashboard_f1")
with compensation:
    st.subheader(t("section_compensation", language))
    st.caption(t("compensation_caption", language))
    st.plotly_chart(
        compensation_figure(metrics, bundle.classes, language), key="dashboard_compensation"
    )
show_confusion(metrics)
show_curves(metrics)
show_tables(metrics)
show_clinical_report(metrics, bundle, language)
show_conformal_report(metrics, language)
show_scope_report(metrics, language)
show_errors(report_directory)
