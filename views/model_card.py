"""Model card: what the bundle is, what it learnt from, how well it does, and its limits.

Layout and order only: the tables come from ``skinmm.card_tables``.
"""

from __future__ import annotations

import streamlit as st

from skinmm.card_tables import calibration_table, classes_table, component, data_table, rule_reason
from skinmm.charts import metrics_table
from skinmm.i18n import rule_name, t
from views.card_view import show_licence
from views.common import lang, notice, require_bundle, require_role
from views.coverage_view import show_not_covered

NUMBER = st.column_config.NumberColumn(format="%.3f")

language = lang()
require_role("model_card")
bundle = require_bundle()
card = bundle.card
st.title(f"{t('card_title', language)}: {bundle.name}")
notice(language)

st.subheader(t("card_what", language))
fusion = card.get("fusion") or {}
st.markdown(
    t(
        "card_what_body",
        language,
        backbone=component(card.get("backbone"), language, "backbone", "name", "arch"),
        embedder=component(card.get("embedder"), language, "embedder", "name", "model"),
        rule=rule_name(str(fusion.get("rule", bundle.fusion.rule)), language),
        reason=rule_reason(fusion, language),
    )
)

st.subheader(t("card_classes", language))
st.dataframe(classes_table(bundle.classes, language), hide_index=True)
show_not_covered(bundle.not_covered, language, say_when_complete=True)

st.subheader(t("card_data", language))
st.dataframe(data_table(card, language), hide_index=True)

st.subheader(t("card_metrics", language))
test_metrics = (card.get("metrics") or {}).get("test")
if test_metrics and all(b in test_metrics for b in ("image", "text", "fused")):
    table = metrics_table(test_metrics, language)
    st.dataframe(table, hide_index=True, column_config={c: NUMBER for c in table.columns[1:]})
else:
    st.caption(t("card_no_metrics", language))
calibration = calibration_table(card, language)
if not calibration.empty:
    st.markdown(f"**{t('card_calibration', language)}**")
    st.dataframe(
        calibration, hide_index=True, column_config={c: NUMBER for c in calibration.columns[1:]}
    )

use, limits = st.columns(2, gap="large")
use.subheader(t("card_use", language))
use.markdown(t("card_use_body", language))
limits.subheader(t("card_limits", language))
limits.markdown(t("card_limits_body", language))

st.subheader(t("card_licence", language))
show_licence(card.get("licence") or {}, language)

with st.expander(t("card_raw", language)):
    st.json({k: v for k, v in card.items() if k != "files"}, expanded=1)
