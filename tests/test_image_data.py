"""The image branch on a small real HAM10000 subset; skipped without the raw data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skinmm.data.datasets import ham10000_manifest
from skinmm.image.io import load_image
from skinmm.image.model import ImageBranch
from tests.conftest import DATA_DIR, needs_data

pytestmark = [needs_data, pytest.mark.data]


def test_real_photos_load_train_and_explain(tmp_path: Path):
    ham = ham10000_manifest(DATA_DIR)
    subset = ham.groupby("label").head(3)
    train, val = subset.groupby("label").head(2), subset.groupby("label").tail(1)
    assert load_image(train["image_path"].iloc[0]).size == (200, 150)
    classes = sorted(ham["label"].unique())
    branch = ImageBranch(
        classes=classes, input_size=96, epochs=1, batch_size=8, train_views=["identity"]
    )
    branch.fit(train, val, cache_dir=tmp_path, log=lambda _: None)
    proba = branch.predict_proba_paths(list(val["image_path"]), cache_dir=tmp_path)
    assert proba.shape == (len(val), 7) and np.allclose(proba.sum(axis=1), 1.0)
    cams = branch.gradcam(val["image_path"].iloc[0], [0, 1, 2])
    assert all(c.heatmap.shape == (150, 200) for c in cams)
