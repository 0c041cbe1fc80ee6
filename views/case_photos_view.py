"""Every photo of a lesion, saved with its case and shown again in History (issue 20).

Diagnose analyses up to five photos of one lesion (views/multiphoto_view.py); the saved case
keeps every one of them, with the image branch's own probabilities for each, so History can
show them all beside the differential they were combined into.
"""

from __future__ import annotations

import streamlit as st

from skinmm.db.models import Case
from skinmm.db.repository import PhotoInput, stored_classes
from skinmm.db.rows import RowError
from skinmm.db.store import Store
from skinmm.i18n import t
from views.multiphoto_view import PHOTOS_KEY, PhotoView

COLUMNS = 5


def lesion_photos(first: bytes | None) -> list[PhotoInput]:
    """What the case saves of the last multi-photo analysis: every photo, the first being
    ``first`` (the main uploader's); empty after a one-photo analysis."""
    held = st.session_state.get(PHOTOS_KEY)
    if not held or first is None:
        return []
    views: list[PhotoView] = held[1]
    datas = [first, *(view.data for view in views[1:])]
    if any(data is None for data in datas):
        return []  # a view without its bytes cannot be saved; the case keeps its first photo
    return [
        PhotoInput(data, view.image_proba, view.cam_classes)
        for data, view in zip(datas, views, strict=True)
        if data is not None
    ]


def _caption(case: Case, position: int, proba: list[float] | None, language: str) -> str:
    record = case.latest_prediction
    if proba is None or record is None:
        return t("case_photo_plain", language, n=position + 1)
    try:
        classes = stored_classes(record)
    except RowError:
        return t("case_photo_plain", language, n=position + 1)
    top = next((k for k, c in enumerate(classes) if c.code == record.top_class), None)
    if top is None or top >= len(proba):
        return t("case_photo_plain", language, n=position + 1)
    name = classes[top].name(language)
    return t("case_photo_caption", language, n=position + 1, name=name, p=float(proba[top]))


def show_case_photos(store: Store, case: Case, language: str) -> None:
    """All photos of a multi-photo case, each with its own probability of the case's top
    class; nothing for a case of one photo (its photo is already shown)."""
    if len(case.photos) < 2:
        return
    st.markdown(f"**{t('case_photos_title', language, n=len(case.photos))}**")
    slots = [
        column for start in range(0, len(case.photos), COLUMNS) for column in st.columns(COLUMNS)
    ]
    for photo, column in zip(case.photos, slots, strict=False):
        try:
            data = store.images.get(photo.image_sha256, photo.image_ext)
        except (OSError, ValueError):
            column.warning(
                t("case_photo_missing", language, n=photo.position + 1, folder=store.images.root)
            )
            continue
        caption = _caption(case, photo.position, photo.image_proba, language)
        column.image(data, caption=caption, width="stretch")
