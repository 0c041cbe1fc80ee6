"""The Grad-CAM maps of a saved case: redrawn from its photo with the bundle that made the
prediction, or a line saying why they cannot be."""

from __future__ import annotations

import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.casereport.cams import CamImages, overlays
from skinmm.db.models import Case
from skinmm.db.repository import bundle_fingerprint
from skinmm.db.rows import RowError, check_cam_classes
from skinmm.i18n import t
from skinmm.markup import escape_markdown as md
from skinmm.prediction import Prediction


@st.cache_data(show_spinner=False, max_entries=8)
def cam_overlays(
    _bundle: Bundle, _photo: bytes, bundle_sha: str, photo_sha: str, classes: tuple[int, ...]
) -> list[tuple[int, Image.Image]]:
    # Keyed by the hashes: the bundle and the photo bytes themselves are not hashed.
    return overlays(_photo, _bundle, classes)


def saved_cams(
    case: Case,
    photo: bytes | None,
    pred: Prediction | None,
    loaded: tuple[Bundle | None, str | None],
    language: str,
) -> CamImages:
    """The case's maps; ``loaded`` is the shared bundle, or None and why it did not load."""
    record = case.latest_prediction
    if photo is None or record is None or pred is None:
        return CamImages([])
    try:
        cam_classes = tuple(check_cam_classes(record.cam_classes, len(pred.classes)))
    except RowError:
        return CamImages([])
    if not cam_classes:
        return CamImages([])
    bundle, problem = loaded
    if bundle is None:
        return CamImages([], t("cam_no_bundle", language, detail=problem))
    if bundle_fingerprint(bundle.card) != record.bundle_sha:
        return CamImages(
            [],
            t("cam_other_bundle", language, saved=md(record.bundle_name), loaded=md(bundle.name)),
        )
    try:
        drawn = cam_overlays(bundle, photo, record.bundle_sha, case.image_sha256 or "", cam_classes)
    except Exception:  # Grad-CAM is an aid; the case stands without it
        return CamImages([], t("cam_failed", language))
    return CamImages(drawn)


def show_saved_cams(pred: Prediction | None, cams: CamImages, language: str) -> None:
    if not cams.overlays and cams.left_out is None:
        return
    st.markdown(f"**{t('cam_title', language)}**")
    if cams.left_out:
        st.caption(cams.left_out)
        return
    assert pred is not None  # overlays are only drawn for a readable prediction
    for column, (k, overlay) in zip(st.columns(len(cams.overlays)), cams.overlays, strict=True):
        name = md(pred.classes[k].name(language))
        column.image(overlay, caption=t("cam_caption", language, name=name, p=pred.fused[k]))
