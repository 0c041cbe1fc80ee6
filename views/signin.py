"""Sign in: a name and password form (local accounts) or the hospital's single sign-on."""

from __future__ import annotations

import os

import streamlit as st

from skinmm.auth import sign_in
from skinmm.db.store import StorageError
from skinmm.i18n import t
from views.common import (
    SSO_KEY,
    USER_KEY,
    fail_page,
    lang,
    notice,
    require_shared_store,
    sign_in_mode,
    sign_out,
)


def local_form(language: str) -> None:
    with st.form("signin_form"):
        name = st.text_input(t("signin_name", language), key="signin_name")
        password = st.text_input(
            t("signin_password", language), type="password", key="signin_password"
        )
        submitted = st.form_submit_button(
            t("signin_submit", language), type="primary", key="signin_submit"
        )
    if not submitted:
        return
    try:
        identity = sign_in(require_shared_store(), name, password)
    except StorageError as exc:
        fail_page(t("auth_store_failed", language), str(exc))
    if identity is None:
        st.error(t("signin_failed", language), icon=":material/lock:")
        return
    st.session_state[USER_KEY] = identity
    st.rerun()


def single_sign_on(language: str) -> None:
    known = st.session_state.get(SSO_KEY)
    if st.user.is_logged_in and known is not None and known[1] is None:
        st.error(t("signin_no_role", language, email=known[0]), icon=":material/lock:")
        st.button(t("auth_sign_out", language), key="signin_sso_out", on_click=sign_out)
        return
    st.caption(t("signin_sso_intro", language))
    if st.button(t("signin_sso_button", language), type="primary", key="signin_sso"):
        # A named provider when [auth] holds several ([auth.NAME] sections).
        provider = os.environ.get("SKINMM_OIDC_PROVIDER")
        if provider:
            st.login(provider)
        else:
            st.login()


language = lang()
st.title(t("signin_title", language))
notice(language)
st.caption(t("signin_intro", language))
if sign_in_mode() == "oidc":
    single_sign_on(language)
else:
    local_form(language)
