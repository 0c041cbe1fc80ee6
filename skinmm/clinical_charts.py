"""Clinical-decision figures and tables of an evaluation report: intervals, guarantees,
fused - image differences and the triage curve. Pure functions (no streamlit), as in
:mod:`skinmm.charts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from skinmm.i18n import t

# The rows of the intervals table: the branches, the chosen decision, and the paper's rule.
INTERVAL_ROWS: tuple[tuple[str, str], ...] = (
    ("image", "branch_image"),
    ("text", "branch_text"),
    ("fused", "clin_row_fused"),
    ("fused_argmax", "clin_row_fused_argmax"),
    ("rule:max", "clin_row_max"),
)
INTERVAL_FIGURES: tuple[str, ...] = (
    "weighted_f1",
    "balanced_accuracy",
    "malignant_sensitivity",
    "malignant_specificity",
)


def with_interval(value: float | None, ci: list[float] | None) -> str:
    """``0.835 (0.812–0.857)``; a dash where the figure was not evaluated."""
    if value is None:
        return "—"
    return f"{value:.3f}" if not ci else f"{value:.3f} ({ci[0]:.3f}–{ci[1]:.3f})"


def _report(metrics: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    if key.startswith("rule:"):
        return (metrics.get("fusion_rules") or {}).get(key[5:])
    return metrics.get(key)


def intervals_table(metrics: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """Headline figures with their 95% grouped-bootstrap intervals, one row per model."""
    rows = []
    for key, label in INTERVAL_ROWS:
        report = _report(metrics, key)
        if not report:
            continue
        ci = report.get("ci") or {}
        mel = (report.get("per_class") or {}).get("mel") or {}
        row = {
            t("clin_col_model", lang): t(label, lang),
            t("clin_col_n", lang): report.get("n_cases"),
        }
        for figure in INTERVAL_FIGURES:
            row[t(f"clin_fig_{figure}", lang)] = with_interval(report.get(figure), ci.get(figure))
        row[t("clin_fig_mel_recall", lang)] = with_interval(
            mel.get("recall"), (mel.get("ci") or {}).get("recall")
        )
        rows.append(row)
    return pd.DataFrame(rows)


def differences_table(metrics: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """Fused - image, paired, with the verdict in words (never a bare sign)."""
    rows = []
    for figure, diff in (metrics.get("fused_minus_image") or {}).items():
        name = (
            t("clin_fig_recall_of", lang, code=figure.split("/", 1)[1])
            if figure.startswith("recall/")
            else t(f"clin_fig_{figure}", lang)
        )
        verdict = diff.get("verdict", "not evaluated").replace(" ", "_")
        rows.append(
            {
                t("clin_col_figure", lang): name,
                t("clin_col_difference", lang): with_interval(diff.get("difference"), diff["ci"]),
                t("clin_col_verdict", lang): t(f"clin_verdict_{verdict}", lang),
            }
        )
    return pd.DataFrame(rows)


def guarantees_table(metrics: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """Both guarantees with their status: the paper's (F1) and the sensitivity one (recall)."""
    rows = []
    for key in ("guarantee", "sensitivity_guarantee"):
        block = metrics.get(key) or {}
        status = str(block.get("status", "not evaluated")).replace(" ", "_")
        failing = [c for c, r in (block.get("per_class") or {}).items() if r.get("holds") is False]
        rows.append(
            {
                t("clin_col_guarantee", lang): t(f"clin_{key}", lang),
                t("clin_col_status", lang): t(f"clin_status_{status}", lang),
                t("clin_col_failing", lang): ", ".join(failing) or "—",
                t("clin_col_n", lang): block.get("n_cases"),
            }
        )
    return pd.DataFrame(rows)


def triage_curve_figure(triage: Mapping[str, Any], lang: str = "en") -> go.Figure:
    """Sensitivity against specificity over every threshold, the operating point marked."""
    curve = triage.get("curve") or {}
    fig = go.Figure(
        go.Scatter(
            x=curve.get("specificity", []),
            y=curve.get("sensitivity", []),
            customdata=curve.get("threshold", []),
            mode="lines",
            name=t("clin_curve", lang),
            hovertemplate=t("clin_curve_hover", lang),
            line={"color": "#2c3e50"},
        )
    )
    if triage.get("sensitivity") is not None:
        fig.add_trace(
            go.Scatter(
                x=[triage["specificity"]],
                y=[triage["sensitivity"]],
                mode="markers",
                marker={"size": 12, "color": "#c0392b", "symbol": "diamond"},
                name=t("clin_operating_point", lang, threshold=triage["threshold"]),
            )
        )
    fig.update_layout(
        title=t("clin_curve_title", lang),
        xaxis={"title": t("clin_specificity", lang), "range": [0, 1], "autorange": "reversed"},
        yaxis={"title": t("clin_sensitivity", lang), "range": [0, 1.02]},
        height=420,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig
