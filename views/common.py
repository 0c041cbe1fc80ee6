"""What every page shares: the language, the cached bundle and its error page.

Not a page itself: ``app.py`` lists the pages explicitly, so ``st.navigation`` never shows it.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import streamlit as st

from skinmm.auth import AuthError, Identity, auth_mode, sso_identity
from skinmm.bundle import Bundle
from skinmm.db.audit import created_case, os_user, record
from skinmm.db.models import Case
from skinmm.db.repository import CaseFilter, CaseRow
from skinmm.db.store import StorageError, Store, shared_store
from skinmm.errors import technical_detail
from skinmm.i18n import LANG_LABELS, LANGS, t
from skinmm.serve import ADDRESS_ENV, is_loopback
from views import bundle_loader
from views.error_box import show_error

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = ROOT / "models" / "default"
LANG_KEY = "lang"
SWITCH_KEY = "lang_switch"


def init_state() -> None:
    """Session defaults, set once per session (a ``?lang=zh`` link picks the language)."""
    if LANG_KEY not in st.session_state:
        asked = st.query_params.get("lang", "en")
        st.session_state[LANG_KEY] = asked if asked in LANGS else "en"


def _remember_language() -> None:
    st.session_state[LANG_KEY] = st.session_state[SWITCH_KEY]


def language_switch() -> str:
    """The English / 中文 switch in the sidebar, shared by every page."""
    init_state()
    # The choice lives in a plain session key: widget state can be dropped on a page switch.
    st.session_state[SWITCH_KEY] = st.session_state[LANG_KEY]
    st.sidebar.radio(
        "Language · 语言",
        LANGS,
        format_func=LANG_LABELS.__getitem__,
        key=SWITCH_KEY,
        on_change=_remember_language,
        horizontal=True,
    )
    return lang()


def lang() -> str:
    return str(st.session_state.get(LANG_KEY, "en"))


def bundle_path() -> Path:
    """``$SKINMM_BUNDLE`` (relative to the working folder), else ``models/default``."""
    configured = os.environ.get("SKINMM_BUNDLE")
    return Path(configured).resolve() if configured else DEFAULT_BUNDLE


def _card_stamp(path: Path) -> float:
    card = path / "model_card.json"
    return card.stat().st_mtime if card.is_file() else 0.0


def _load(path: str, stamp: float) -> Bundle:
    # Loaded once per folder and card version (``stamp``), in the background from app.py.
    return bundle_loader.result(path, stamp)


def start_bundle_load() -> None:
    """Start loading the shared bundle in the background (app.py, before any page runs)."""
    path = bundle_path()
    bundle_loader.start(str(path), _card_stamp(path))


def require_bundle(loading_key: str = "loading_model") -> Bundle:
    """The shared, read-only bundle; on any problem an error with what to do, then stop.

    While it loads, a spinner says ``loading_key`` (a string of ``skinmm.i18n``).
    """
    path = bundle_path()
    language = lang()
    try:
        with st.spinner(t(loading_key, language)):
            return _load(str(path), _card_stamp(path))
    except Exception as exc:  # a broken install or bundle must not show a traceback
        failure = exc
    show_error(t("err_bundle", language), language, detail=technical_detail(failure))
    st.info(t("err_bundle_hint", language), icon=":material/info:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def optional_bundle() -> tuple[Bundle | None, str | None]:
    """The shared bundle when it loads, else why not (for pages that work without one)."""
    path = bundle_path()
    try:
        return _load(str(path), _card_stamp(path)), None
    except Exception as exc:  # the caller shows what it can without the bundle
        return None, str(exc)


@st.cache_data(show_spinner=False, max_entries=4)
def read_json(path: str, stamp: float) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def notice(language: str) -> None:
    """The fixed research-tool notice."""
    st.warning(t("notice", language), icon=":material/health_and_safety:")


# --- Sign-in, roles and audit (issue 13) ------------------------------------------------------

USER_KEY = "auth_user"
SSO_KEY = "auth_sso"
VIEWED_KEY = "auth_viewed_case"


def fail_page(message: str, detail: str | None = None) -> NoReturn:
    """An error in the UI language, the technical detail folded away, then stop."""
    show_error(message, lang(), detail=detail)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def sign_in_mode() -> str:
    """``$SKINMM_AUTH`` (none, local, oidc); a wrong value stops the app with what to set."""
    try:
        return auth_mode()
    except AuthError as exc:
        fail_page(t("auth_bad_mode", lang()), str(exc))


def require_shared_store() -> Store:
    try:
        return shared_store()
    except StorageError as exc:
        fail_page(t("auth_store_failed", lang()), str(exc))


def refuse_open_address() -> None:
    """Stop when the server listens beyond this computer with sign-in switched off.

    ``skinmm serve`` refuses this already; this catches a bare ``streamlit run`` too.
    """
    address = os.environ.get(ADDRESS_ENV) or st.get_option("server.address")
    if sign_in_mode() == "none" and address and not is_loopback(str(address)):
        fail_page(t("auth_open_address", lang(), address=address))


def _sso_user() -> Identity | None:
    if not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    known = st.session_state.get(SSO_KEY)
    # Looked up (and audited) once per sign-in, not on every rerun of the script.
    if known is None or known[0] != email:
        try:
            identity = sso_identity(require_shared_store(), email)
        except AuthError as exc:
            fail_page(t("auth_bad_mode", lang()), str(exc))
        known = (email, identity)
        st.session_state[SSO_KEY] = known
    return known[1]


def current_user() -> Identity | None:
    """Who is using this session; None until they sign in.

    Without sign-in (``none``, loopback only) the person at the screen acts as an admin.
    """
    mode = sign_in_mode()
    if mode == "none":
        return Identity(f"local:{os_user()}", "admin")
    if mode == "oidc":
        return _sso_user()
    return st.session_state.get(USER_KEY)


def require_role(permission: str) -> Identity:
    """The current user when they may ``permission``, else an error page (pages call it first)."""
    user = current_user()
    if user is None or not user.can(permission):
        fail_page(t("auth_forbidden", lang()))
    return user


def sign_out() -> None:
    """Forget the user and everything the session held (the last result, the open case), so
    whoever signs in next at this screen starts clean; the language stays."""
    for key in list(st.session_state.keys()):
        if key not in (LANG_KEY, SWITCH_KEY):
            del st.session_state[key]
    if sign_in_mode() == "oidc" and st.user.is_logged_in:
        st.logout()


def account_panel(user: Identity, language: str) -> None:
    """The sidebar line saying who is signed in (with a sign-out button), or that no one is."""
    if sign_in_mode() == "none":
        st.sidebar.caption(t("auth_none_note", language), help=t("auth_none_help", language))
        return
    role = t(f"role_{user.role}", language)
    st.sidebar.caption(t("auth_signed_in_as", language, name=user.name, role=role))
    st.sidebar.button(t("auth_sign_out", language), key="auth_sign_out", on_click=sign_out)


def audit(action: str, case_id: str | None = None, detail: str | None = None) -> None:
    """Write an audit entry as the current user."""
    user = current_user()
    if user is not None:
        record(require_shared_store(), user.actor, action, case_id, detail)


def audit_view_once(case_id: str) -> None:
    """Audit opening a case once per opening, not on each rerun while it stays open."""
    if st.session_state.get(VIEWED_KEY) != case_id:
        audit("view", case_id)
        st.session_state[VIEWED_KEY] = case_id


def scope_filter(where: CaseFilter, user: Identity) -> CaseFilter:
    """A clinician lists only the cases they saved; a de-identified user cannot search notes."""
    return replace(
        where,
        created_by=None if user.can("all_cases") else user.name,
        text=where.text if user.can("identify") else "",
    )


def deidentify_rows(rows: list[CaseRow], user: Identity) -> list[CaseRow]:
    if user.can("identify"):
        return rows
    return [replace(row, patient_ref=None, note=None) for row in rows]


def may_open(user: Identity, case_id: str) -> bool:
    """Whether ``user`` may open the case: all of them, or one they saved themselves."""
    return user.can("all_cases") or created_case(require_shared_store(), user.name, case_id)


def deidentify_case(case: Case, user: Identity) -> Case:
    """The case as ``user`` may see it: no patient reference, note or comments if not allowed.

    The case is detached from its database session, so blanking fields here changes nothing
    stored.
    """
    if user.can("identify"):
        return case
    case.patient_ref = None
    case.note = None
    # The reading quotes the note, and the impression is the clinician's words.
    case.note_reading = case.impression = None
    for entry in case.feedback:
        entry.comment = None
        entry.author = None
    st.caption(t("auth_deidentified", lang()), help=t("auth_deidentified_help", lang()))
    return case
