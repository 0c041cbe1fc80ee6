"""What every page shares: the language, the cached bundle and its error page.

Not a page itself: ``app.py`` lists the pages explicitly, so ``st.navigation`` never shows it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import streamlit as st

from skinmm.bundle import Bundle, BundleError, load_bundle
from skinmm.i18n import LANG_LABELS, LANGS, t

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


@st.cache_resource(show_spinner=False, max_entries=2)
def _load(path: str, stamp: float) -> Bundle:
    # ``stamp`` (the card's mtime) is part of the key, so a retrained bundle is picked up.
    return load_bundle(path)


def require_bundle() -> Bundle:
    """The shared, read-only bundle; on any problem an error with what to do, then stop."""
    path = bundle_path()
    language = lang()
    try:
        with st.spinner(t("loading_model", language)):
            return _load(str(path), _card_stamp(path))
    except BundleError as exc:
        detail = str(exc)
    except Exception as exc:  # a broken install or bundle must not show a traceback
        detail = f"{type(exc).__name__}: {exc}"
    st.error(t("err_bundle", language, detail=detail), icon=":material/error:")
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
