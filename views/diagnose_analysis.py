"""One analysis on Diagnose: checks the inputs, predicts, draws Grad-CAM; any problem stops
the page with a message in the UI language."""

from __future__ import annotations

from typing import NoReturn

import numpy as np
import streamlit as st

from skinmm.bundle import Bundle
from skinmm.errors import explain
from skinmm.i18n import t
from skinmm.image.io import UPLOAD_FORMATS, image_format, load_image
from views.diagnose_state import Result
from views.error_box import show_error

# Longer than any real history of one lesion: a paste of a whole record is refused, not cut.
NOTE_LIMIT = 10_000
CAM_CLASSES = 3
PREVIEW_SIDE = 640


def fail(
    message: str, language: str, detail: str | None = None, facts: list[str] | None = None
) -> NoReturn:
    show_error(message, language, detail, facts)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def fail_with(
    exc: BaseException, fallback: str, language: str, facts: list[str] | None = None
) -> NoReturn:
    """Stop with the message :func:`skinmm.errors.explain` maps ``exc`` to."""
    explained = explain(exc, fallback)
    fail(t(explained.key, language, **explained.values), language, explained.detail, facts)


def photo_facts(data: bytes, language: str) -> list[str]:
    return [t("detail_file", language, size=len(data), format=image_format(data))]


def analyse(bundle: Bundle, data: bytes | None, note: str, language: str) -> Result:
    if data is None and not note:
        fail(t("err_empty", language), language)
    if len(note) > NOTE_LIMIT:
        fail(t("err_note_too_long", language, length=len(note), limit=NOTE_LIMIT), language)
    image = None
    if data is not None:
        try:
            image = load_image(data, formats=UPLOAD_FORMATS)
        except ValueError as exc:
            fail_with(exc, "err_image", language, photo_facts(data, language))
    try:
        prediction = bundle.predict(image=image, note=note or None)
    except ValueError as exc:
        fail_with(exc, "err_note" if data is None else "err_predict", language)
    except Exception as exc:  # never a traceback on the page
        fail_with(exc, "err_predict", language)
    result = Result(prediction, note_truncated=prediction.note_truncated)
    if image is not None:
        # The branch resizes to its input size anyway; Grad-CAM on the preview is as sharp,
        # and a 12-megapixel phone photo does not leave three 48 MB heat maps in the session.
        image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        result.image = image
        try:
            cams = bundle.cams(image, prediction.order[:CAM_CLASSES])
            result.cams = [(int(c.class_index), np.asarray(c.heatmap)) for c in cams]
        except Exception:  # Grad-CAM is an aid; the differential stands without it
            result.cam_failed = True
    return result
