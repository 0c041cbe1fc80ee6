"""A saved case's Grad-CAM overlays, recomputed from its photo with the bundle that analysed it.

Only the very bundle that made the case's prediction (same fingerprint) may draw them; with
any other bundle, or none, :class:`CamImages` says why they are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from skinmm.db.models import Case
from skinmm.db.repository import bundle_fingerprint
from skinmm.i18n import t

CAM_OPACITY = 0.45
PREVIEW_SIDE = 640


@dataclass(frozen=True)
class CamImages:
    """The overlays for the report, or the reason there are none."""

    overlays: list[tuple[int, Image.Image]]
    left_out: str | None = None


def case_cams(case: Case, photo: bytes | None, bundle: Any | None, lang: str = "en") -> CamImages:
    """Grad-CAM overlays for the case's stored classes, when ``bundle`` is the one it used."""
    record = case.latest_prediction
    if photo is None or record is None or not record.cam_classes:
        return CamImages([])
    if bundle is None:
        return CamImages([], t("report_no_cam_bundle", lang))
    if bundle_fingerprint(bundle.card) != record.bundle_sha:
        return CamImages(
            [], t("cam_other_bundle", lang, saved=record.bundle_name, loaded=bundle.name)
        )
    return CamImages(overlays(photo, bundle, record.cam_classes))


def overlays(
    photo: bytes, bundle: Any, class_indices: Sequence[int]
) -> list[tuple[int, Image.Image]]:
    """(class index, overlay) for each class, from the bundle's Grad-CAM.

    Computed on a preview-sized copy, as the Diagnose page does: the branch resizes to its
    input size anyway, and full-size heat maps of a phone photo take tens of MB each.
    """
    from skinmm.charts import heatmap_overlay
    from skinmm.image.io import load_image

    image = load_image(photo)
    image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    results = bundle.cams(image, list(class_indices))
    return [
        (int(r.class_index), heatmap_overlay(image, np.asarray(r.heatmap), CAM_OPACITY))
        for r in results
    ]
