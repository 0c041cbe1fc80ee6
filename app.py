"""SkinMM's Streamlit entry point: a router over the pages, nothing else.

Run it with ``skinmm serve`` (or ``streamlit run app.py``). The bundle is read from
``$SKINMM_BUNDLE``, else ``models/default``.
"""

from __future__ import annotations

import streamlit as st

from pages.common import language_switch
from skinmm.db.strings import t as db_t
from skinmm.i18n import t


def run() -> None:
    st.set_page_config(page_title="SkinMM", page_icon=":material/dermatology:", layout="wide")
    lang = language_switch()
    pages = [
        st.Page(
            "pages/diagnose.py",
            title=t("nav_diagnose", lang),
            icon=":material/stethoscope:",
            url_path="diagnose",
            default=True,
        ),
        st.Page(
            "pages/dashboard.py",
            title=t("nav_dashboard", lang),
            icon=":material/monitoring:",
            url_path="dashboard",
        ),
        st.Page(
            "pages/history.py",
            title=db_t("nav_history", lang),
            icon=":material/history:",
            url_path="history",
        ),
        st.Page(
            "pages/model_card.py",
            title=t("nav_model_card", lang),
            icon=":material/description:",
            url_path="model-card",
        ),
    ]
    st.navigation(pages).run()


run()
