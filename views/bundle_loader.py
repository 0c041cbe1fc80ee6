"""The bundle, loaded in a background thread from the first script run of the server.

Loading the default bundle takes seconds (torch, the trunk, the text model). ``app.py``
starts the load before any page runs; the Diagnose page draws its uploader and note first and
only then waits for the model (:func:`views.common.require_bundle`, with a spinner), so the
form is usable while the model loads, and an Analyse pressed meanwhile is answered as soon as
it is there. One load per bundle folder and card version, shared by all sessions.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st

from skinmm.bundle import Bundle, load_bundle
from skinmm.text.facts import warm_reader


def _load(path: str) -> Bundle:
    # ``load_bundle`` is looked up when called, so a test can slow the load down.
    bundle = load_bundle(path)
    # The note reader's pipelines too: the first note read otherwise waits seconds for them.
    warm_reader()
    return bundle


@st.cache_resource(show_spinner=False, max_entries=2)
def _started(path: str, stamp: float) -> Future[Bundle]:
    # ``stamp`` (the card's mtime) is part of the key, so a retrained bundle is picked up.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="skinmm-bundle")
    future = pool.submit(_load, path)
    pool.shutdown(wait=False)  # the thread ends when the load does
    return future


def start(path: str, stamp: float) -> Future[Bundle]:
    """The load of ``path`` (started now if it is not running or done already)."""
    return _started(path, stamp)


def result(path: str, stamp: float) -> Bundle:
    """The loaded bundle, waiting for it; a failed load is forgotten (raised here) so that
    the next run tries again, as a plain cached load would."""
    future = start(path, stamp)
    try:
        return future.result()
    except Exception:
        _started.clear(path, stamp)  # this version only: another may be in use
        raise


def ready(path: str, stamp: float) -> bool:
    """Whether the load has finished (loaded or failed), without waiting."""
    return start(path, stamp).done()
