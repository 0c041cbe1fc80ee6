"""The Dashboard's headline figures and tables: fused against image-only with every loss and
gain, recall and precision per class, confused pairs, the paper's table and the rules."""

from __future__ import annotations

from typing import Any

import streamlit as st

from skinmm.bundle import Bundle
from skinmm.charts import (
    headline_changes,
    metrics_table,
    pairs_table,
    paper_table,
    recall_precision_table,
    rules_table,
)
from skinmm.i18n import t

NUMBER = st.column_config.NumberColumn(format="%.3f")
CARD_METRICS = ("weighted_f1", "balanced_accuracy", "macro_f1", "auc_macro")


def show_cards(report: dict[str, Any], bundle: Bundle, language: str) -> None:
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


def show_recall_precision(report: dict[str, Any], bundle: Bundle, language: str) -> None:
    st.subheader(t("section_recall_precision", language))
    table = recall_precision_table(report, bundle.classes, language)
    numeric = {c: NUMBER for c in table.columns[1:-1]}
    st.dataframe(table, hide_index=True, column_config=numeric)


def show_tables(report: dict[str, Any], bundle: Bundle, language: str) -> None:
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
