"""Figures and tables of the app, as pure functions of a Prediction or an evaluation report.

Nothing here imports streamlit: every builder returns a plotly ``go.Figure``, a pandas
``DataFrame`` or a PIL image, so each can be unit-tested and reused in notebooks. Only SVG
trace types are used (no ``Scattergl``): a page with many WebGL charts runs out of browser
contexts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib import colormaps
from PIL import Image

from skinmm.i18n import risk_name, rule_name, t
from skinmm.prediction import Prediction
from skinmm.taxonomy import DatasetClass, Risk

BRANCHES: tuple[str, ...] = ("image", "text", "fused")
RISK_COLOURS: Mapping[Risk, str] = {
    Risk.MALIGNANT: "#c0392b",
    Risk.PREMALIGNANT: "#e08e0b",
    Risk.BENIGN: "#2e86c1",
}
BRANCH_COLOURS: Mapping[str, str] = {"image": "#8e44ad", "text": "#16a085", "fused": "#2c3e50"}
# The differential shows each branch as the risk colour with its own pattern and opacity.
BRANCH_STYLE: Mapping[str, tuple[str, float]] = {
    "fused": ("", 1.0),
    "image": ("/", 0.55),
    "text": (".", 0.55),
}
SUMMARY_METRICS: tuple[str, ...] = (
    "weighted_precision",
    "weighted_recall",
    "weighted_f1",
    "macro_f1",
    "balanced_accuracy",
    "auc_macro",
    "ece",
)
# The summary metrics the dashboard headline compares, fused against the image alone.
HEADLINE_METRICS: tuple[str, ...] = (
    "weighted_f1",
    "balanced_accuracy",
    "macro_f1",
    "weighted_recall",
    "weighted_precision",
    "auc_macro",
)
UNCHANGED = 0.0005  # below the three decimals the dashboard shows
# Weighted F1 published in the paper (12 classes, clinical photos + EMR, 15,925 patients).
PAPER_WEIGHTED_F1: Mapping[str, float] = {"image": 0.799, "text": 0.732, "fused": 0.816}
ERROR_FILTERS: tuple[str, ...] = ("fused", "image", "text", "image_only", "text_only", "both")
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


def short_name(cls: DatasetClass | None, code: str, lang: str) -> str:
    """A class name without its parenthesised sub-entities, for axes and legends."""
    if cls is None:
        return code
    name = cls.name(lang)
    for bracket in (" (", "（"):
        name = name.split(bracket)[0]
    return name


def class_labels(codes: Sequence[str], classes: Sequence[DatasetClass], lang: str) -> list[str]:
    by_code = {c.code: c for c in classes}
    return [short_name(by_code.get(code), code, lang) for code in codes]


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "y": 0.99, "yanchor": "top", "font": {"size": 15}},
        height=height,
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        font={"family": FONT},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        plot_bgcolor="white",
    )
    fig.update_xaxes(automargin=True, gridcolor="#eeeeee", zerolinecolor="#cccccc")
    fig.update_yaxes(automargin=True, gridcolor="#eeeeee", zerolinecolor="#cccccc")
    return fig


# --- Diagnose -------------------------------------------------------------------------------


def differential_figure(pred: Prediction, lang: str = "en") -> go.Figure:
    """Horizontal bars per class, most probable on top, coloured by risk; fused/image/text."""
    order = pred.order[::-1]  # plotly draws the first category at the bottom
    names = [short_name(pred.classes[k], pred.classes[k].code, lang) for k in order]
    colours = [RISK_COLOURS[pred.classes[k].risk] for k in order]
    fig = go.Figure()
    present = [b for b in ("text", "image", "fused") if getattr(pred, b) is not None]
    highest = 0.0
    for branch in present:  # fused last: drawn on top of its group
        proba = getattr(pred, branch)
        pattern, opacity = BRANCH_STYLE[branch]
        values = [float(proba[k]) for k in order]
        highest = max(highest, *values)
        label = t(f"branch_{branch}", lang)
        fig.add_trace(
            go.Bar(
                name=label,
                y=names,
                x=values,
                orientation="h",
                marker={"color": colours, "opacity": opacity, "pattern": {"shape": pattern}},
                text=[f"{v:.0%}" for v in values] if branch == "fused" else None,
                textposition="outside",
                showlegend=False,
                hovertemplate="%{y}: %{x:.1%}<extra>" + label + "</extra>",
            )
        )
    # Two legends, apart and titled: branch patterns in neutral grey, risk colours as solid
    # squares, so no entry reads as both a branch and a risk.
    for branch in present[::-1]:
        pattern, opacity = BRANCH_STYLE[branch]
        _legend_entry(fig, t(f"branch_{branch}", lang), "#7f8c8d", pattern, opacity, "legend")
    for risk, colour in RISK_COLOURS.items():
        _legend_entry(fig, risk_name(risk, lang), colour, "", 1.0, "legend2")
    fig.update_layout(barmode="group", bargap=0.3, bargroupgap=0.0)
    fig.update_xaxes(
        range=[0, min(1.0, highest * 1.2 + 0.06)],
        tickformat=".0%",
        title=t("chart_probability", lang),
    )
    height = 110 + len(order) * (16 + 13 * len(present))
    fig = _layout(fig, t("chart_differential", lang), height=max(320, height) + 40)
    # Branch patterns above the bars, risk colours below the axis: apart, each titled, so no
    # entry reads as both (side by side they ran into each other on a narrow column).
    fig.update_layout(
        legend={"title": {"text": t("chart_legend_branch", lang)}},
        legend2={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "xanchor": "left",
            "x": 0,
            "title": {"text": t("chart_legend_risk", lang)},
        },
        margin={"b": 50},
    )
    return fig


def _legend_entry(
    fig: go.Figure, name: str, colour: str, pattern: str, opacity: float, legend: str
) -> None:
    fig.add_trace(
        go.Bar(
            name=name,
            x=[None],
            y=[None],
            orientation="h",
            marker={"color": colour, "opacity": opacity, "pattern": {"shape": pattern}},
            hoverinfo="skip",
            legend=legend,
        )
    )


def differential_table(pred: Prediction, lang: str = "en") -> pd.DataFrame:
    """The differential as a table: class, risk, the three probabilities, and under the max
    rule the branch that carried each class.

    Only the max rule takes each class from one branch; under the other rules every class
    combines both, so a "carried by" column would name a branch that decided nothing.
    """

    def pct(p: np.ndarray | None, k: int) -> str:
        return "—" if p is None else f"{float(p[k]):.1%}"

    carried = shows_carrier(pred)
    rows = []
    for k in pred.order:
        row = {
            t("col_class", lang): pred.classes[k].name(lang),
            t("col_risk", lang): risk_name(pred.classes[k].risk, lang),
            t("col_fused", lang): pct(pred.fused, k),
            t("col_image", lang): pct(pred.image, k),
            t("col_text", lang): pct(pred.text, k),
        }
        if carried:
            row[t("col_carrier", lang)] = t(f"carrier_{pred.carrier[k]}", lang)
        rows.append(row)
    return pd.DataFrame(rows)


def shows_carrier(pred: Prediction) -> bool:
    """Whether each class of ``pred`` came from one branch: the max rule, both inputs given."""
    return pred.rule == "max" and pred.mode == "fused"


def heatmap_overlay(image: Image.Image, heatmap: np.ndarray, opacity: float = 0.5) -> Image.Image:
    """Blend a [0, 1] heat map (any size) over ``image`` with the jet colour map."""
    base = image.convert("RGB")
    heat = np.clip(np.nan_to_num(np.asarray(heatmap, dtype=np.float32)), 0.0, 1.0)
    heat_image = Image.fromarray((heat * 255).astype(np.uint8), mode="L").resize(
        base.size, Image.Resampling.BILINEAR
    )
    rgb = colormaps["jet"](np.asarray(heat_image, dtype=np.float32) / 255.0)[..., :3]
    coloured = Image.fromarray((rgb * 255).astype(np.uint8), mode="RGB")
    return Image.blend(base, coloured, float(np.clip(opacity, 0.0, 1.0)))


# --- Dashboard ------------------------------------------------------------------------------


def metrics_table(report: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """One row per branch with the summary metrics."""
    rows = []
    for branch in BRANCHES:
        row: dict[str, Any] = {t("metric_branch", lang): t(f"branch_{branch}", lang)}
        for metric in SUMMARY_METRICS:
            row[t(f"metric_{metric}", lang)] = report[branch].get(metric)
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Change:
    """One figure of the fused result against the image alone (``delta`` = fused - image)."""

    label: str
    fused: float
    image: float
    per_class: bool = False

    @property
    def delta(self) -> float:
        return self.fused - self.image


def headline_changes(
    report: Mapping[str, Any], classes: Sequence[DatasetClass], lang: str = "en"
) -> tuple[list[Change], list[Change]]:
    """Every summary metric and every class's recall and precision, fused against image,
    split into (losses, gains), summary metrics before classes and the largest change first
    within each; unchanged figures (|delta| < 0.0005,
    the shown precision) are in neither.

    The dashboard headline shows both lists, so a gain in one figure never hides a loss in
    another (weighted F1 up while balanced accuracy or melanoma recall falls).
    """
    changes = [
        Change(t(f"metric_{m}", lang), float(report["fused"][m]), float(report["image"][m]))
        for m in HEADLINE_METRICS
        if report["fused"].get(m) is not None and report["image"].get(m) is not None
    ]
    by_code = {c.code: c for c in classes}
    for code in report["classes"]:
        name = short_name(by_code.get(code), code, lang)
        fused, image = report["fused"]["per_class"][code], report["image"]["per_class"][code]
        for figure in ("recall", "precision"):
            if fused.get(figure) is not None and image.get(figure) is not None:
                label = t(f"headline_{figure}", lang, name=name)
                changes.append(Change(label, float(fused[figure]), float(image[figure]), True))
    losses = [c for c in changes if c.delta <= -UNCHANGED]
    gains = [c for c in changes if c.delta >= UNCHANGED]
    # Summary metrics first, then classes; the largest change first within each.
    return (
        sorted(losses, key=lambda c: (c.per_class, c.delta)),
        sorted(gains, key=lambda c: (c.per_class, -c.delta)),
    )
    return losses, gains


def recall_precision_table(
    report: Mapping[str, Any], classes: Sequence[DatasetClass], lang: str = "en"
) -> pd.DataFrame:
    """Per class: recall and precision of fused, image and text, and the test cases."""
    by_code = {c.code: c for c in classes}
    order = ("fused", "image", "text")
    rows = []
    for code in report["classes"]:
        row: dict[str, Any] = {t("col_class", lang): short_name(by_code.get(code), code, lang)}
        for figure in ("recall", "precision"):
            for branch in order:
                label = t(f"col_{figure}", lang, branch=t(f"branch_{branch}", lang))
                row[label] = report[branch]["per_class"][code].get(figure)
        row[t("col_support", lang)] = int(report["fused"]["per_class"][code].get("support", 0))
        rows.append(row)
    return pd.DataFrame(rows)


def f1_figure(
    report: Mapping[str, Any], classes: Sequence[DatasetClass], lang: str = "en"
) -> go.Figure:
    """Per-class F1 of image, text and fused as grouped bars."""
    codes = list(report["classes"])
    series = [
        (
            t(f"branch_{b}", lang),
            [report[b]["per_class"][c]["f1"] for c in codes],
            BRANCH_COLOURS[b],
        )
        for b in BRANCHES
    ]
    fig = _class_bars(class_labels(codes, classes, lang), series, ".3f")
    fig.update_yaxes(range=[0, 1], title="F1")
    return _layout(fig, t("chart_f1", lang))


def confusion_figure(
    report: Mapping[str, Any],
    branch: str,
    classes: Sequence[DatasetClass],
    lang: str = "en",
    normalise: bool = False,
) -> go.Figure:
    """A heat map of the confusion matrix, true classes in rows, with counts or row shares."""
    codes = list(report["classes"])
    labels = class_labels(codes, classes, lang)
    counts = np.asarray(report[branch]["confusion"], dtype=float)
    if normalise:
        totals = counts.sum(axis=1, keepdims=True)
        values = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        text_template, colour_max = "%{z:.2f}", 1.0
    else:
        values = counts
        text_template, colour_max = "%{z:.0f}", max(float(counts.max()), 1.0)
    fig = go.Figure(
        go.Heatmap(
            z=values.tolist(),
            x=labels,
            y=labels,
            colorscale="Blues",
            zmin=0,
            zmax=colour_max,
            texttemplate=text_template,
            hovertemplate=t("chart_true", lang)
            + ": %{y}<br>"
            + t("chart_predicted", lang)
            + ": %{x}<br>%{z}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title=t("chart_true", lang), showgrid=False)
    fig.update_xaxes(title=t("chart_predicted", lang), showgrid=False, tickangle=-30)
    branch_label = t(f"branch_{branch}", lang)
    return _layout(fig, t("chart_confusion", lang, branch=branch_label), height=460)


def roc_figure(
    report: Mapping[str, Any], branch: str, classes: Sequence[DatasetClass], lang: str = "en"
) -> go.Figure:
    """One-vs-rest ROC curve per class, with its AUC in the legend."""
    codes = list(report["classes"])
    labels = class_labels(codes, classes, lang)
    fig = go.Figure()
    fig.add_trace(_diagonal(t("chart_chance", lang)))
    for code, label in zip(codes, labels, strict=True):
        points = report[branch]["roc"].get(code, {"fpr": [], "tpr": []})
        if not points["fpr"]:
            continue
        auc = report[branch]["per_class"][code].get("auc")
        name = label if auc is None else f"{label} ({auc:.2f})"
        fig.add_trace(go.Scatter(x=points["fpr"], y=points["tpr"], mode="lines", name=name))
    fig.update_xaxes(range=[0, 1], title=t("chart_fpr", lang))
    fig.update_yaxes(range=[0, 1.02], title=t("chart_tpr", lang))
    branch_label = t(f"branch_{branch}", lang)
    fig = _layout(fig, t("chart_roc", lang, branch=branch_label), height=560)
    fig.update_layout(
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.15, "yanchor": "top"},
        margin={"t": 40},
    )
    return fig


def compensation_figure(
    report: Mapping[str, Any], classes: Sequence[DatasetClass], lang: str = "en"
) -> go.Figure:
    """Per class, the share of cases the note gets right where the image fails, and back."""
    codes = list(report["classes"])
    series = [
        (t(label_key, lang), [report[key].get(c, 0.0) for c in codes], BRANCH_COLOURS[branch])
        for key, label_key, branch in (
            ("text_compensating_image", "chart_text_comp_image", "text"),
            ("image_compensating_text", "chart_image_comp_text", "image"),
        )
        if report.get(key)
    ]
    fig = _class_bars(class_labels(codes, classes, lang), series, ".0%")
    fig.update_yaxes(tickformat=".0%", title=t("chart_share", lang), rangemode="tozero")
    return _layout(fig, t("chart_compensation", lang))


def _class_bars(
    labels: list[str], series: list[tuple[str, list[float], str]], number: str
) -> go.Figure:
    """Grouped bars, a group per class: (name, a value per class, colour) per series;
    ``number`` formats the value on hover."""
    fig = go.Figure()
    for name, values, colour in series:
        hover = f"%{{x}}: %{{y:{number}}}<extra>{name}</extra>"
        fig.add_trace(
            go.Bar(name=name, x=labels, y=values, marker_color=colour, hovertemplate=hover)
        )
    fig.update_layout(barmode="group")
    return fig


def _diagonal(name: str) -> go.Scatter:
    """The dotted y = x reference line of ROC and reliability plots."""
    return go.Scatter(
        x=[0, 1], y=[0, 1], mode="lines", name=name, line={"dash": "dot", "color": "#999999"}
    )


def reliability_figure(report: Mapping[str, Any], lang: str = "en") -> go.Figure:
    """Accuracy against mean confidence per confidence bin, for the three branches."""
    fig = go.Figure()
    fig.add_trace(_diagonal(t("chart_perfect", lang)))
    for branch in BRANCHES:
        bins = [b for b in report[branch].get("reliability", []) if b.get("count")]
        ece = report[branch].get("ece")
        name = t(f"branch_{branch}", lang) + ("" if ece is None else f" (ECE {ece:.3f})")
        fig.add_trace(
            go.Scatter(
                x=[b["confidence"] for b in bins],
                y=[b["accuracy"] for b in bins],
                mode="lines+markers",
                name=name,
                line={"color": BRANCH_COLOURS[branch]},
                marker={"size": [6 + 14 * np.sqrt(b["count"] / _max_count(bins)) for b in bins]},
                customdata=[b["count"] for b in bins],
                hovertemplate="%{x:.2f} → %{y:.2f} (n=%{customdata})<extra>" + name + "</extra>",
            )
        )
    fig.update_xaxes(range=[0, 1], title=t("chart_mean_confidence", lang))
    fig.update_yaxes(range=[0, 1.02], title=t("chart_accuracy", lang))
    return _layout(fig, t("chart_reliability", lang))


def _max_count(bins: Sequence[Mapping[str, Any]]) -> float:
    return float(max((b["count"] for b in bins), default=1)) or 1.0


def pairs_table(
    report: Mapping[str, Any], classes: Sequence[DatasetClass], lang: str = "en"
) -> pd.DataFrame:
    """The most confused (true, predicted) pairs of each branch."""
    by_code = {c.code: c for c in classes}
    rows = [
        {
            t("metric_branch", lang): t(f"branch_{branch}", lang),
            t("col_true", lang): short_name(by_code.get(p["true"]), p["true"], lang),
            t("col_predicted", lang): short_name(by_code.get(p["predicted"]), p["predicted"], lang),
            t("col_count", lang): int(p["count"]),
            t("col_share", lang): float(p["share"]),
        }
        for branch in BRANCHES
        for p in report[branch].get("confused_pairs", [])
    ]
    return pd.DataFrame(rows)


def rules_table(report: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """Weighted F1, macro F1, AUC and ECE of every fusion rule evaluated."""
    default = report.get("rule")
    rows = []
    for rule, figures in report.get("fusion_rules", {}).items():
        name = rule_name(rule, lang)
        label = f"{name} ({t('rule_default', lang)})" if rule == default else name
        row: dict[str, Any] = {t("col_rule", lang): label}
        for metric in ("weighted_f1", "macro_f1", "auc_macro", "ece"):
            row[t(f"metric_{metric}", lang)] = figures.get(metric)
        rows.append(row)
    return pd.DataFrame(rows)


def paper_table(report: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """This bundle's weighted F1 next to the paper's, per branch."""
    return pd.DataFrame(
        [
            {
                t("metric_branch", lang): t(f"branch_{branch}", lang),
                t("col_this_bundle", lang): report[branch]["weighted_f1"],
                t("col_paper", lang): PAPER_WEIGHTED_F1[branch],
            }
            for branch in BRANCHES
        ]
    )


def misclassified(
    predictions: pd.DataFrame,
    erred: str = "fused",
    true_codes: Sequence[str] = (),
    predicted_codes: Sequence[str] = (),
) -> pd.DataFrame:
    """Test cases that ``erred`` got wrong, optionally filtered by true and predicted class.

    ``erred`` is a branch (``fused``, ``image``, ``text``), ``image_only`` (image wrong, note
    right), ``text_only`` (note wrong, image right) or ``both`` (both branches wrong). The
    predicted-class filter applies to the fused prediction, or to the branch that erred.
    """
    if erred not in ERROR_FILTERS:
        raise ValueError(
            f"Unknown error filter {erred!r}; choose one of {', '.join(ERROR_FILTERS)}."
        )
    label = predictions["label"].astype(str)
    wrong = {b: predictions[f"{b}_pred"].astype(str) != label for b in BRANCHES}
    mask = {
        "fused": wrong["fused"],
        "image": wrong["image"],
        "text": wrong["text"],
        "image_only": wrong["image"] & ~wrong["text"],
        "text_only": wrong["text"] & ~wrong["image"],
        "both": wrong["image"] & wrong["text"],
    }[erred]
    predicted_column = {"image_only": "image", "text_only": "text", "both": "fused"}.get(
        erred, erred
    )
    if true_codes:
        mask &= label.isin(list(true_codes))
    if predicted_codes:
        mask &= predictions[f"{predicted_column}_pred"].astype(str).isin(list(predicted_codes))
    return predictions[mask]
