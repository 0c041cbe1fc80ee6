"""SkinMM's Streamlit entry point: a router over the pages, nothing else.

The page scripts live in ``views/``, not ``pages/``: Streamlit auto-discovers a ``pages/``
folder, and a session opened on a deep link (``/dashboard``) would then run that page script
alone, without this router, its navigation or the language switch.

Run it with ``skinmm serve`` (or ``streamlit run app.py``). The bundle is read from
``$SKINMM_BUNDLE``, else ``models/default``. With sign-in on (``SKINMM_AUTH``), the sign-in
page is the only page until someone signs in; then each role sees only its own pages.
"""

from __future__ import annotations

import streamlit as st

from skinmm.i18n import t
from views.common import (
    account_panel,
    current_user,
    language_switch,
    refuse_open_address,
    start_bundle_load,
)


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


# (script, title key, string table, icon, url path, permission): every page and who may open it.
PAGES = (
    ("views/diagnose.py", "nav_diagnose", t, ":material/stethoscope:", "diagnose", "diagnose"),
    ("views/dashboard.py", "nav_dashboard", t, ":material/monitoring:", "dashboard", "dashboard"),
    ("views/history.py", "nav_history", t, ":material/history:", "history", "history"),
    (
        "views/model_card.py",
        "nav_model_card",
        t,
        ":material/description:",
        "model-card",
        "model_card",
    ),
    ("views/audit.py", "nav_audit", t, ":material/policy:", "audit", "audit"),
    ("views/teach.py", "nav_teach", t, ":material/school:", "teach", "teach"),
)


def sign_in_only(lang: str) -> None:
    """Before sign-in the sign-in page is the only page: no case, photo or metric is reachable.

    A bookmarked page (``/history``) leads to sign-in rather than to "page not found".
    """
    signin = st.Page(
        "views/signin.py",
        title=t("nav_signin", lang),
        icon=":material/login:",
        url_path="signin",
        default=True,
    )
    st.navigation([signin, *(alias(signin, page[4]) for page in PAGES)]).run()


def run() -> None:
    st.set_page_config(page_title="SkinMM", page_icon=":material/dermatology:", layout="wide")
    lang = language_switch()
    refuse_open_address()
    # In the background: the pages draw at once, and wait for the model only where they use it.
    start_bundle_load()
    user = current_user()
    if user is None:
        sign_in_only(lang)
        return
    account_panel(user, lang)
    allowed = [page for page in PAGES if user.can(page[5])]
    pages = []
    for index, (script, key, table, icon, url_path, _) in enumerate(allowed):
        # The first page the role may open is the default, served at "/"; its own url_path is
        # reserved but never shown, so an alias keeps a bookmarked /diagnose working.
        pages.append(
            st.Page(
                script,
                title=table(key, lang),
                icon=icon,
                url_path=f"{url_path}-home" if index == 0 else url_path,
                default=index == 0,
            )
        )
    st.navigation([*pages, alias(pages[0], allowed[0][4])]).run()


run()
