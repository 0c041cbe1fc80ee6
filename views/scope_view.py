"""The input-scope verdict on the Diagnose page (see skinmm.scope).

An image outside the bundle's scope gets why, and what the model expects, instead of a
differential; the clinician may still ask for it, and then it is marked as outside the scope.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from skinmm.i18n import t
from skinmm.prediction import Prediction

# The share of the page a greyed differential keeps: readable, visibly not the normal result.
GREYED_OPACITY = 0.55
EXAMPLE_WIDTH = 160


def scope_gate(
    pred: Prediction, language: str, generation: int, example: Path | None = None
) -> bool:
    """Show the scope verdict; True when the differential should be drawn below it.

    ``example`` is the bundle's thumbnail of a dermoscopic image, shown beside what the
    model expects (:func:`skinmm.scope.example_image`).
    """
    scope = pred.scope
    if scope is None:  # no image, or a bundle without a gate
        return True
    if scope.in_scope:
        st.caption(t("scope_in_scope", language), help=t("scope_expects", language))
        return True
    st.error(explanation(scope.verdict, scope.reasons, language), icon=":material/block:")
    show_expected(language, example)
    with st.expander(t("scope_scores", language)):
        st.code(json.dumps(scope.to_dict(), indent=1), language="json", wrap_lines=True)
    show = st.checkbox(
        t("scope_show_anyway", language), key=f"diagnose_scope_show_{generation}", value=False
    )
    if not show:
        st.caption(t("scope_hidden", language))
        return False
    st.warning(t("scope_outside_mark", language), icon=":material/warning:")
    grey_result()
    return True


def show_expected(language: str, example: Path | None) -> None:
    """What the model expects, with the example thumbnail when the bundle ships one."""
    if example is None:
        st.info(t("scope_expects", language), icon=":material/center_focus_strong:")
        return
    picture, words = st.columns([1, 3], vertical_alignment="center")
    picture.image(str(example), width=EXAMPLE_WIDTH, caption=t("scope_example_caption", language))
    words.info(t("scope_expects", language), icon=":material/center_focus_strong:")


def explanation(verdict: str, reasons: tuple[str, ...], language: str) -> str:
    """Why this image is outside the scope, in the UI language."""
    if verdict == "poor_quality":
        named = ", ".join(t(f"scope_reason_{r}", language) for r in reasons)
        return t("scope_poor_quality", language, reasons=named)
    return t(f"scope_{verdict}", language)


def grey_result() -> None:
    """Grey the differential drawn below, so a screenshot of it still shows it is not normal."""
    st.html(
        f"""<style>
.st-key-diagnose_top, [data-testid="stMetric"], .stPlotlyChart {{ opacity: {GREYED_OPACITY}; }}
</style>"""
    )


# The Dashboard's scope block: the figure, and its label key in the string table.
SCOPE_FIGURES = (
    ("weighted_f1", "metric_weighted_f1"),
    ("balanced_accuracy", "metric_balanced_accuracy"),
    ("melanoma_recall", "scope_fig_melanoma_recall"),
    ("malignant_sensitivity", "scope_fig_malignant_sensitivity"),
    ("malignant_specificity", "scope_fig_malignant_specificity"),
)


def _with_interval(block: dict[str, Any], figure: str) -> str:
    value = block.get(figure)
    if value is None:
        return "—"
    ci = (block.get("ci") or {}).get(figure)
    return f"{value:.3f}" + (f" ({ci[0]:.3f}–{ci[1]:.3f})" if ci else "")


def show_scope_report(metrics: dict[str, Any], language: str) -> None:
    """The report's ``scope`` block: cases per verdict, and the main figures on in-scope
    cases beside the same figures on all cases (what the gate costs shows with what it buys)."""
    st.subheader(t("scope_dash_title", language))
    block = metrics.get("scope")
    if not block:
        st.info(t("scope_dash_none", language), icon=":material/info:")
        return
    counts = block["verdicts"]
    st.caption(t("scope_dash_counts", language, in_scope=counts["in_scope"], n=block["n_cases"]))
    left, right = st.columns([1, 2], gap="large")
    left.dataframe(
        pd.DataFrame(
            {
                t("scope_dash_col_verdict", language): [
                    t(f"scope_label_{v}", language) for v in counts
                ],
                t("scope_dash_col_cases", language): list(counts.values()),
            }
        ),
        hide_index=True,
        key="dashboard_scope_counts",
    )
    right.dataframe(
        pd.DataFrame(
            {
                t("scope_dash_col_metric", language): [t(k, language) for _, k in SCOPE_FIGURES],
                t("scope_dash_col_in", language): [
                    _with_interval(block["in_scope"], f) for f, _ in SCOPE_FIGURES
                ],
                t("scope_dash_col_all", language): [
                    _with_interval(block["all_cases"], f) for f, _ in SCOPE_FIGURES
                ],
            }
        ),
        hide_index=True,
        key="dashboard_scope_figures",
    )
