"""Dashboard: the bundle's test-set evaluation report and an explorer of its errors.

Layout and order only: the sections are drawn by ``views/dashboard_*.py`` and the shared
report views (clinical, conformal, scope).
"""

from __future__ import annotations

import streamlit as st

from skinmm.i18n import t
from views.clinical import show_clinical_report
from views.common import lang, require_bundle, require_role
from views.conformal_view import show_conformal_report
from views.dashboard_charts import show_confusion, show_curves, show_per_class
from views.dashboard_errors import show_errors
from views.dashboard_report import load_report, show_report_summary
from views.dashboard_tables import show_cards, show_recall_precision, show_tables
from views.scope_view import show_scope_report

language = lang()
require_role("dashboard")
bundle = require_bundle()
st.title(t("dashboard_title", language))
report_directory = bundle.report_dir()
if report_directory is None:
    st.info(t("no_report", language), icon=":material/info:")
    st.stop()
metrics = load_report(report_directory, language)
show_report_summary(metrics, bundle, language)

show_cards(metrics, bundle, language)
show_recall_precision(metrics, bundle, language)
show_per_class(metrics, bundle, language)
show_confusion(metrics, bundle, language)
show_curves(metrics, bundle, language)
show_tables(metrics, bundle, language)
show_clinical_report(metrics, bundle, language)
show_conformal_report(metrics, language)
show_scope_report(metrics, language)
show_errors(report_directory, bundle, language)
