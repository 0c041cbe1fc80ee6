"""Photos and Grad-CAM overlays at the size the page shows them.

Three columns of a wide page are about 400 CSS pixels each, the inputs' thumbnail 180:
blending, encoding and sending a full-size photo four times costs the round trip time and
bytes for pixels nobody sees.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from skinmm.charts import heatmap_overlay

# The longest side of an overlay: a 400-pixel column on a 1.2x screen, with some room.
CAM_SIDE = 480


def at_most(image: Image.Image, side: int) -> Image.Image:
    """A copy of ``image`` reduced to at most ``side`` pixels a side (aspect kept)."""
    small = image.copy()
    small.thumbnail((side, side))
    return small


def display_overlays(
    image: Image.Image, heatmaps: list[np.ndarray], opacity: float
) -> list[Image.Image]:
    """Each heat map blended over ``image`` reduced to at most ``CAM_SIDE`` pixels a side."""
    small = at_most(image, CAM_SIDE)
    return [heatmap_overlay(small, heatmap, opacity) for heatmap in heatmaps]
