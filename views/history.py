"""History: saved cases to search and reopen, clinician feedback, reports, live performance.

Layout only: the list, the opened case and the performance tab are drawn by
``views/history_list.py``, ``views/history_detail.py`` and ``views/history_performance.py``.
"""

from __future__ import annotations

import streamlit as st

from skinmm.auth import Identity
from skinmm.db.repository import CaseFilter, count_cases, known_classes
from skinmm.db.store import StorageError, Store
from skinmm.i18n import t
from views.case_store_view import require_store, store_failed
from views.common import lang, notice, require_role, scope_filter
from views.history_detail import show_case
from views.history_list import show_cases
from views.history_performance import show_performance


def show_history(store: Store, user: Identity, language: str) -> None:
    if count_cases(store, scope_filter(CaseFilter(), user)) == 0:
        st.info(t("history_empty", language), icon=":material/inbox:")
        return
    st.caption(t("history_intro", language))
    cases_tab, performance_tab = st.tabs([t("tab_cases", language), t("tab_performance", language)])
    with cases_tab:
        classes = {c.code: c for c in known_classes(store)}
        chosen = show_cases(store, user, classes, language)
        if chosen:
            show_case(store, chosen, classes, user, language)
    with performance_tab:
        show_performance(store, language)


language = lang()
user = require_role("history")
st.title(t("history_title", language))
notice(language)
store = require_store(language)
try:
    show_history(store, user, language)
except StorageError as exc:  # the database went away after the page opened it
    store_failed(exc, language)
