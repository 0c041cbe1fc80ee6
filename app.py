"""SkinMM's Streamlit entry point: a router over the pages, nothing else.

The page scripts live in ``views/``, not ``pages/``: Streamlit auto-discovers a ``pages/``
folder, and a session opened on a deep link (``/dashboard``) would then run that page script
alone, without this router, its navigation or the language switch.

Run it with ``skinmm serve`` (or ``streamlit run app.py``). The bundle is read from
``$SKINMM_BUNDLE``, else ``models/default``.
"""

from __future__ import annotations

import streamlit as st

from skinmm.db.strings import t as db_t
from skinmm.i18n import t
from views.common import language_switch


def alias(target: st.Page, url_path: str) -> st.Page:
    """A hidden page at ``/url_path`` that opens ``target``.

    The default page is served at ``/`` only; without this, a bookmarked ``/diagnose`` would
    show "page not found" before falling back to it.
    """
    return st.Page(
        lambda: st.switch_page(target),
        title=f"{url_path} (link)",
        url_path=url_path,
        visibility="hidden",
    )


def run() -> None:
    st.set_page_config(page_title="SkinMM", page_icon=":material/dermatology:", layout="wide")
    lang = language_switch()
    diagnose = st.Page(
        "views/diagnose.py",
        title=t("nav_diagnose", lang),
        icon=":material/stethoscope:",
        # The default page lives at "/"; its own url_path is reserved but never shown.
        url_path="diagnose-home",
        default=True,
    )
    pages = [
        diagnose,
        st.Page(
            "views/dashboard.py",
            title=t("nav_dashboard", lang),
            icon=":material/monitoring:",
            url_path="dashboard",
        ),
        st.Page(
            "views/history.py",
            title=db_t("nav_history", lang),
            icon=":material/history:",
            url_path="history",
        ),
        st.Page(
            "views/model_card.py",
            title=t("nav_model_card", lang),
            icon=":material/description:",
            url_path="model-card",
        ),
    ]
    st.navigation([*pages, alias(diagnose, "diagnose")]).run()


run()
