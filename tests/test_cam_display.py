"""Overlays and the inputs' thumbnail are sent at the size the Diagnose page shows them."""

from __future__ import annotations

import numpy as np
from PIL import Image

from skinmm.charts import heatmap_overlay
from views.cam_display import CAM_SIDE, at_most, display_overlays


def photo(width: int, height: int) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def test_overlays_are_reduced_to_the_display_size_keeping_the_aspect() -> None:
    image = photo(640, 480)
    heatmaps = [np.linspace(0, 1, 81).reshape(9, 9), np.zeros((9, 9)), np.ones((9, 9))]
    overlays = display_overlays(image, heatmaps, 0.45)
    assert [o.size for o in overlays] == [(CAM_SIDE, 360)] * 3
    assert image.size == (640, 480)  # the analysed photo itself is left as it was
    expected = heatmap_overlay(at_most(image, CAM_SIDE), heatmaps[0], 0.45)
    assert np.array_equal(np.asarray(overlays[0]), np.asarray(expected))


def test_a_small_photo_is_not_enlarged() -> None:
    image = photo(200, 150)
    assert display_overlays(image, [np.ones((4, 4))], 0.5)[0].size == (200, 150)
    assert at_most(photo(150, 600), 360).size == (90, 360)
