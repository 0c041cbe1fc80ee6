"""Audit trail (administrators only): who created, viewed, exported or changed which case."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from skinmm.db.audit import list_audit
from skinmm.db.store import StorageError
from skinmm.i18n import t
from views.common import fail_page, lang, require_role, require_shared_store

LIMIT = 500

language = lang()
require_role("audit")
st.title(t("audit_title", language))
st.caption(t("audit_intro", language))
case_column, since_column = st.columns([2, 1])
case_id = case_column.text_input(t("audit_case", language), key="audit_case")
since = since_column.date_input(t("audit_since", language), value=None, key="audit_since")
try:
    rows = list_audit(require_shared_store(), case_id=case_id or None, since=since, limit=LIMIT)
except StorageError as exc:
    fail_page(t("auth_store_failed", language), str(exc))
if not rows:
    st.info(t("audit_empty", language), icon=":material/search_off:")
    st.stop()
st.caption(t("audit_count", language, n=len(rows)))
table = pd.DataFrame(
    {
        t("audit_col_time", language): [r.at.strftime("%Y-%m-%d %H:%M:%S") for r in rows],
        t("audit_col_actor", language): [r.actor for r in rows],
        t("audit_col_role", language): [
            t(f"role_{r.role}", language) if r.role else "" for r in rows
        ],
        t("audit_col_action", language): [t(f"audit_action_{r.action}", language) for r in rows],
        t("audit_col_case", language): [r.case_id or "" for r in rows],
        t("audit_col_detail", language): [r.detail or "" for r in rows],
    }
)
# Newest first on screen; the store keeps them in the order they were written.
st.dataframe(table.iloc[::-1], hide_index=True, key="audit_table")
