"""The case store as the History page opens it: on failure, what was wrong and what to do."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from skinmm.db.store import StorageError, Store, shared_store
from skinmm.errors import technical_detail
from skinmm.i18n import t
from views.error_box import show_error


def store_failed(exc: StorageError, language: str) -> NoReturn:
    show_error(t("err_store", language), language, detail=technical_detail(exc))
    st.info(t("err_store_hint", language), icon=":material/info:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def require_store(language: str) -> Store:
    try:
        return shared_store()
    except StorageError as exc:
        store_failed(exc, language)
