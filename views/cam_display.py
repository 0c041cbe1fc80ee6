"""Grad-CAM overlays at the size the page shows them.

Three columns of a wide page are about 400 CSS pixels each: blending, encoding and sending
a full-size photo three times costs the round trip time and bytes for pixels nobody sees.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from skinmm.charts import heatmap_overlay

# The longest side of an overlay: a 400-pixel column on a 1.2x screen, with some room.
CAM_SIDE = 480


def display_overlays(
    image: Image.Image, heatmaps: list[np.ndarray], opacity: float
) -> list[Image.Image]:
    """Each heat map blended over ``image`` reduced to at most ``CAM_SIDE`` pixels a side."""
    small = image.copy()
    small.thumbnail((CAM_SIDE, CAM_SIDE))
    return [heatmap_overlay(small, heatmap, opacity) for heatmap in heatmaps]
