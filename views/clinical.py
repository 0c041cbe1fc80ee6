"""Drawing helpers for the clinical decisions: the triage verdict, the guarantees, the
confidence intervals and the triage curve. Each page calls one of these in one line; the
figures and tables come from :mod:`skinmm.clinical_charts`, the verdict from
:mod:`skinmm.triage`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from skinmm.bundle import Bundle
from skinmm.clinical_charts import (
    differences_table,
    guarantees_table,
    intervals_table,
    triage_curve_figure,
    with_interval,
)
from skinmm.db.repository import bundle_fingerprint
from skinmm.i18n import t
from skinmm.prediction import Prediction
from skinmm.triage import prediction_verdict, test_figures
from views.common import read_json


def _bundle_report(bundle: Bundle) -> dict[str, Any] | None:
    folder = bundle.report_dir()
    if folder is None:
        return None
    path = folder / "metrics.json"
    try:
        return read_json(str(path), path.stat().st_mtime)
    except (OSError, ValueError):
        return None  # the verdict stands without its test figures


def _verdict_box(verdict: dict[str, Any], lang: str) -> None:
    detail = t("clin_triage_detail", lang, score=verdict["score"], threshold=verdict["threshold"])
    if verdict["refer"]:
        st.error(f"**{t('clin_triage_refer', lang)}**  \n{detail}", icon=":material/warning:")
    else:
        st.info(f"**{t('clin_triage_low', lang)}**  \n{detail}", icon=":material/check_circle:")


def _test_caption(bundle: Bundle, lang: str) -> None:
    figures = test_figures(_bundle_report(bundle))
    if figures["sensitivity"] is None:
        st.caption(t("clin_triage_untested", lang))
        return
    ci = figures.get("ci") or {}
    st.caption(
        t(
            "clin_triage_test",
            lang,
            sens=with_interval(figures["sensitivity"], ci.get("sensitivity")),
            spec=with_interval(figures["specificity"], ci.get("specificity")),
        )
    )


def show_triage_verdict(pred: Prediction, bundle: Bundle, lang: str) -> None:
    """Refer / low risk for a fresh prediction, with the threshold's test sensitivity and
    specificity (Diagnose)."""
    point = bundle.card.get("triage")
    if not point:
        st.caption(t("clin_triage_no_point", lang))
        return
    _verdict_box(prediction_verdict(pred.classes, pred.fused, point), lang)
    _test_caption(bundle, lang)


def show_saved_triage(pred: Prediction, bundle_sha: str, bundle: Bundle | None, lang: str) -> None:
    """The verdict of a saved case: its threshold is the loaded bundle's only when that bundle
    made the prediction (History)."""
    same = bundle is not None and bundle_fingerprint(bundle.card) == bundle_sha
    point = bundle.card.get("triage") if same and bundle is not None else None
    verdict = prediction_verdict(pred.classes, pred.fused, point)
    if verdict["refer"] is None:
        st.caption(t("clin_triage_other_bundle", lang, score=verdict["score"]))
        return
    _verdict_box(verdict, lang)
    if bundle is not None:
        _test_caption(bundle, lang)


def show_guarantees(metrics: dict[str, Any], lang: str) -> None:
    st.markdown(f"**{t('clin_guarantees_title', lang)}**")
    st.dataframe(guarantees_table(metrics, lang), hide_index=True)


def show_intervals(metrics: dict[str, Any], lang: str) -> None:
    st.markdown(f"**{t('clin_intervals_title', lang)}**")
    boot = metrics.get("bootstrap") or {}
    if boot:
        st.caption(
            t(
                "clin_intervals_caption",
                lang,
                replicates=boot.get("replicates"),
                groups=boot.get("n_groups"),
                seed=boot.get("seed"),
            )
        )
    st.dataframe(intervals_table(metrics, lang), hide_index=True)
    st.markdown(f"**{t('clin_differences_title', lang)}**")
    st.dataframe(differences_table(metrics, lang), hide_index=True)


def show_triage_curve(metrics: dict[str, Any], lang: str) -> None:
    triage = metrics.get("triage")
    if triage and (triage.get("curve") or {}).get("sensitivity"):
        st.plotly_chart(triage_curve_figure(triage, lang), key="clinical_triage_curve")


def show_clinical_report(metrics: dict[str, Any], bundle: Bundle, lang: str) -> None:
    """The Dashboard's clinical section: guarantees, intervals, differences, triage curve."""
    if "ci" not in metrics.get("fused", {}):
        return  # a report from before intervals existed: nothing to add
    st.subheader(t("clin_section", lang))
    if bundle.card.get("fusion", {}).get("image_fallback"):
        st.warning(t("clin_fallback", lang))
    show_guarantees(metrics, lang)
    show_intervals(metrics, lang)
    show_triage_curve(metrics, lang)
