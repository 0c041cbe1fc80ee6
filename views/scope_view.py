"""The input-scope verdict on the Diagnose page (see skinmm.scope).

An image outside the bundle's scope gets why, and what the model expects, instead of a
differential; the clinician may still ask for it, and then it is marked as outside the scope.
"""

from __future__ import annotations

import json

import streamlit as st

from skinmm.i18n import t
from skinmm.prediction import Prediction

# The share of the page a greyed differential keeps: readable, visibly not the normal result.
GREYED_OPACITY = 0.55


def scope_gate(pred: Prediction, language: str, generation: int) -> bool:
    """Show the scope verdict; True when the differential should be drawn below it."""
    scope = pred.scope
    if scope is None:  # no image, or a bundle without a gate
        return True
    if scope.in_scope:
        st.caption(t("scope_in_scope", language), help=t("scope_expects", language))
        return True
    st.error(explanation(scope.verdict, scope.reasons, language), icon=":material/block:")
    st.info(t("scope_expects", language), icon=":material/center_focus_strong:")
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
