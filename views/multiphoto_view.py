"""Diagnose: up to five photos of the same lesion (skinmm.multiphoto).

The main uploader holds the first photo; this helper adds a second uploader for up to four
more views of the same lesion. With more than one photo, the image branch's probabilities are
combined by the bundle's combination, the result says how many photos it used, and each
photo gets its own Grad-CAM of the lesion's most likely class.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np
import streamlit as st
from PIL import Image

from skinmm.charts import heatmap_overlay
from skinmm.errors import explain
from skinmm.i18n import t
from skinmm.image.io import UPLOAD_FORMATS, load_image
from skinmm.multiphoto import MAX_PHOTOS, predict_photos
from skinmm.prediction import Prediction
from views.error_box import show_error

PHOTOS_KEY = "diagnose_photos"
PREVIEW_SIDE = 640
CAM_OPACITY = 0.45
InputsT = TypeVar("InputsT")


@dataclass
class PhotoView:
    """One photo of the analysed lesion, with its own top class and Grad-CAM."""

    image: Image.Image
    name: str
    probability: float  # this photo's image-branch probability of the lesion's top class
    cam: np.ndarray | None
    # What the case saves for this photo (views.case_photos_view.lesion_photos): its bytes
    # (None for the first photo, which the inputs hold), its image-branch probabilities and
    # the class its Grad-CAM shows.
    data: bytes | None = None
    image_proba: list[float] | None = None
    cam_classes: tuple[int, ...] = ()


def more_photos(column: Any, language: str, generation: int) -> list[Any]:
    """The uploader for more photos of the same lesion (empty for a new case)."""
    files = column.file_uploader(
        t("more_photos_label", language, n=MAX_PHOTOS - 1),
        type=["jpg", "jpeg", "png", "webp"],
        accept_multiple_files=True,
        help=t("more_photos_help", language, n=MAX_PHOTOS),
        key=f"diagnose_more_{generation}",
    )
    return list(files or [])


def digest(files: list[Any]) -> str:
    return hashlib.sha256(b"".join(f.getvalue() for f in files)).hexdigest()


def with_first_photo(inputs: InputsT, files: list[Any]) -> tuple[InputsT, list[Any]]:
    """With no photo in the main box, the first extra photo takes its place."""
    if getattr(inputs, "photo", None) is not None or not files:
        return inputs, files
    first = files[0]
    return replace(inputs, photo=first.getvalue(), photo_name=str(first.name)), files[1:]  # type: ignore[type-var]


def combine_photos(
    bundle: Any,
    first: Image.Image | None,
    first_name: str | None,
    files: list[Any],
    note: str,
    language: str,
) -> Prediction | None:
    """The lesion's prediction from the first photo and ``files``; None with one photo.

    Stores every photo's view for :func:`show_photos`; too many or unreadable photos stop the
    page with a message that says which and what to do.
    """
    st.session_state[PHOTOS_KEY] = None
    if not files or first is None:
        return None
    if len(files) > MAX_PHOTOS - 1:
        fail(t("more_photos_too_many", language, n=len(files) + 1, limit=MAX_PHOTOS), language)
    images = [first]
    for upload in files:
        try:
            images.append(load_image(upload.getvalue(), formats=UPLOAD_FORMATS))
        except ValueError as exc:
            explained = explain(exc, "err_image")
            message = t(explained.key, language, **explained.values)
            fail(f"{upload.name}: {message}", language, explained.detail)
    try:
        lesion, each = predict_photos(bundle, images, note or None)
    except Exception as exc:  # never a traceback on the page
        explained = explain(exc, "err_predict")
        fail(t(explained.key, language, **explained.values), language, explained.detail)
    names = [first_name or "1", *(str(f.name) for f in files)]
    views = photo_views(bundle, images, names, each, lesion)
    for view, upload in zip(views[1:], files, strict=True):
        view.data = upload.getvalue()
    st.session_state[PHOTOS_KEY] = (digest(files), views)
    return lesion


def photo_views(
    bundle: Any,
    images: list[Image.Image],
    names: list[str],
    each: list[Prediction],
    lesion: Prediction,
) -> list[PhotoView]:
    top = lesion.order[0]
    views = []
    for image, name, own in zip(images, names, each, strict=True):
        image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        try:
            cam = np.asarray(bundle.cams(image, [top])[0].heatmap)
        except Exception:  # Grad-CAM is an aid; the differential stands without it
            cam = None
        probability = float(own.image[top]) if own.image is not None else float("nan")
        proba = None if own.image is None else [float(p) for p in own.image]
        views.append(PhotoView(image, name, probability, cam, None, proba, (top,)))
    return views


def several_photos() -> bool:
    """Whether the last analysis combined several photos (the case then saves every one)."""
    return bool(st.session_state.get(PHOTOS_KEY))


def fail(message: str, language: str, detail: str | None = None) -> None:
    show_error(message, language, detail)
    st.stop()


def show_photos(pred: Prediction, files: list[Any], language: str) -> None:
    """ "Based on N photos" and each photo's Grad-CAM; nothing for a one-photo result."""
    held = st.session_state.get(PHOTOS_KEY)
    if not held:
        return
    analysed, views = held
    st.info(t("based_on_photos", language, n=len(views)), icon=":material/photo_library:")
    if digest(files) != analysed:
        st.warning(t("more_photos_changed", language), icon=":material/history_toggle_off:")
    st.markdown(f"**{t('photos_cam_title', language, name=pred.top.name(language))}**")
    for column, view in zip(st.columns(len(views)), views, strict=True):
        caption = t("photo_caption", language, name=view.name, p=view.probability)
        if view.cam is None:
            column.image(view.image, caption=caption, width="stretch")
        else:
            overlay = heatmap_overlay(view.image, view.cam, CAM_OPACITY)
            column.image(overlay, caption=caption, width="stretch")
