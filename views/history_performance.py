"""History's live performance tab: how the model does on this clinic's confirmed cases."""

from __future__ import annotations

import streamlit as st

from skinmm.case_tables import out_of_scope_table
from skinmm.charts import compensation_figure, confusion_figure
from skinmm.db.store import Store
from skinmm.i18n import t
from skinmm.live_performance import BundleCases, group_by_bundle, live_report

FEW_CASES = 30


def show_out_of_scope(group: BundleCases, language: str) -> None:
    if group.unreadable:
        st.warning(
            t("perf_unreadable", language, n=len(group.unreadable)), icon=":material/warning:"
        )
    if not group.out_of_scope:
        return
    st.info(t("perf_out_of_scope", language, n=len(group.out_of_scope)), icon=":material/info:")
    classes = {c.code: c for c in group.classes}
    table = out_of_scope_table(group.out_of_scope, classes, language)
    st.dataframe(table, hide_index=True, key="history_perf_out_of_scope")


def show_performance(store: Store, language: str) -> None:
    groups = group_by_bundle(store)
    if not groups:
        st.info(t("perf_none", language), icon=":material/info:")
        return
    group = groups[0]
    if len(groups) > 1:
        group = st.selectbox(
            t("perf_bundle", language),
            groups,
            format_func=lambda g: f"{g.bundle_name} ({g.bundle_sha[:8]}) — {g.total}",
            key="history_perf_bundle",
        )
    st.caption(t("perf_intro", language))
    show_out_of_scope(group, language)
    report = live_report(group)
    if report is None:
        st.info(t("perf_in_scope_none", language), icon=":material/info:")
        return
    n = report["n"]
    st.caption(
        t("perf_cases", language, n=n["fused"], image=n["image"], text=n["text"], both=n["both"])
    )
    if n["fused"] < FEW_CASES:
        st.warning(t("perf_small", language, n=FEW_CASES), icon=":material/warning:")
    for column, branch in zip(st.columns(3), ("fused", "image", "text"), strict=True):
        if branch in report:
            label = t("card_weighted_f1", language, branch=t(f"branch_{branch}", language))
            column.metric(label, f"{report[branch]['weighted_f1']:.3f}")
    st.plotly_chart(
        confusion_figure(report, "fused", group.classes, language), key="history_perf_confusion"
    )
    if "text_compensating_image" in report:
        st.plotly_chart(
            compensation_figure(report, group.classes, language), key="history_perf_compensation"
        )
