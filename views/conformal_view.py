"""Drawing helpers for the conformal prediction sets and abstention (issue 15). Diagnose and
the Dashboard each call one of these in one line; every figure comes from the report's
``conformal`` and ``risk_coverage`` blocks, computed once by :mod:`skinmm.metrics`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from skinmm.conformal import BRANCHES, DEFAULT_LEVEL, level_key
from skinmm.i18n import t
from skinmm.prediction import Prediction


def show_prediction_set(pred: Prediction, lang: str) -> None:
    """ "With 90% confidence the diagnosis is among: …", with referral wording when the set
    cannot tell a malignant or premalignant class from others."""
    chosen = pred.prediction_set
    if chosen is None:
        st.caption(t("conf_set_missing", lang))
        return
    if not chosen.classes:
        st.warning(t("conf_set_empty", lang, level=chosen.level), icon=":material/help:")
        return
    names = "; ".join(c.name(lang) for c in chosen.classes)
    st.markdown(f"**{t('conf_set_title', lang, level=chosen.level)}** {names}")
    if chosen.needs_referral:
        st.error(t("conf_set_refer", lang), icon=":material/warning:")
    st.caption(t("conf_set_caption", lang))


def _coverage_figure(conformal: dict[str, Any], lang: str) -> go.Figure:
    levels = sorted(conformal, key=float)
    fig = go.Figure()
    nominal = [float(lv) for lv in levels]
    fig.add_scatter(x=nominal, y=nominal, name=t("conf_ideal", lang), line={"dash": "dot"})
    for branch in BRANCHES:
        points = [conformal[lv].get(branch) for lv in levels]
        fig.add_scatter(
            x=[n for n, p in zip(nominal, points, strict=True) if p],
            y=[p["coverage"] for p in points if p],
            name=t(f"branch_{branch}", lang),
            mode="lines+markers",
        )
    fig.update_layout(
        title=t("conf_coverage_title", lang),
        xaxis={"title": t("conf_axis_nominal", lang), "tickformat": ".0%"},
        yaxis={"title": t("conf_axis_coverage", lang), "tickformat": ".0%"},
    )
    return fig


def _size_figure(conformal: dict[str, Any], lang: str) -> go.Figure:
    at = conformal.get(level_key(DEFAULT_LEVEL), {})
    fig = go.Figure()
    for branch in BRANCHES:
        row = at.get(branch)
        if not row or not row.get("n_cases"):
            continue
        sizes = row.get("size_distribution", {})
        fig.add_bar(
            x=[int(s) for s in sizes],
            y=[n / row["n_cases"] for n in sizes.values()],
            name=t(f"branch_{branch}", lang),
        )
    fig.update_layout(
        title=t("conf_size_title", lang, level=DEFAULT_LEVEL),
        xaxis={"title": t("conf_axis_size", lang), "dtick": 1},
        yaxis={"title": t("conf_axis_cases", lang), "tickformat": ".0%"},
        barmode="group",
    )
    return fig


def _coverage_table(conformal: dict[str, Any], lang: str) -> pd.DataFrame:
    rows = []
    for level in sorted(conformal, key=float):
        for branch in BRANCHES:
            row = conformal[level].get(branch)
            if not row:
                continue
            per_class = {k: v for k, v in row["per_class_coverage"].items() if v is not None}
            lowest = min(per_class, key=per_class.__getitem__) if per_class else None
            rows.append(
                {
                    t("conf_col_level", lang): f"{float(level):.0%}",
                    t("conf_col_branch", lang): t(f"branch_{branch}", lang),
                    t("conf_col_coverage", lang): round(row["coverage"], 3),
                    t("conf_col_size", lang): round(row["mean_size"], 2),
                    t("conf_col_lowest", lang): (
                        f"{per_class[lowest]:.3f} ({lowest})" if lowest else ""
                    ),
                }
            )
    return pd.DataFrame(rows)


def _risk_coverage_figure(curves: dict[str, Any], lang: str) -> go.Figure:
    fig = go.Figure()
    for branch in BRANCHES:
        curve = curves.get(branch)
        if curve and curve.get("coverage"):
            fig.add_scatter(
                x=curve["coverage"],
                y=curve["risk"],
                name=t(f"branch_{branch}", lang),
                line={"shape": "hv"},
            )
    fig.update_layout(
        title=t("conf_rc_title", lang),
        xaxis={"title": t("conf_axis_kept", lang), "tickformat": ".0%", "range": [0, 1]},
        yaxis={"title": t("conf_axis_risk", lang), "tickformat": ".0%"},
    )
    return fig


def show_conformal_report(metrics: dict[str, Any], lang: str) -> None:
    """Coverage against the nominal level, set sizes, the risk–coverage curve and AURC, with
    the caveat that the guarantee does not survive a shift."""
    st.subheader(t("conf_section", lang))
    conformal, curves = metrics.get("conformal") or {}, metrics.get("risk_coverage") or {}
    if not conformal and not curves:
        st.info(t("conf_no_report", lang), icon=":material/info:")
        return
    st.warning(t("conf_caveat", lang), icon=":material/warning:")
    if conformal:
        left, right = st.columns(2, gap="large")
        left.plotly_chart(_coverage_figure(conformal, lang), key="dashboard_conf_coverage")
        right.plotly_chart(_size_figure(conformal, lang), key="dashboard_conf_sizes")
        st.dataframe(_coverage_table(conformal, lang), hide_index=True)
    if curves:
        st.plotly_chart(_risk_coverage_figure(curves, lang), key="dashboard_risk_coverage")
        values = ", ".join(
            f"{t(f'branch_{b}', lang)} {curves[b]['aurc']:.4f}"
            for b in BRANCHES
            if curves.get(b) and curves[b].get("aurc") is not None
        )
        st.caption(t("conf_aurc", lang, values=values))
