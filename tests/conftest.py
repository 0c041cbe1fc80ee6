"""Shared fixtures: synthetic manifests and images, and the raw-data location."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PIL import Image

DATA_DIR = Path(
    os.environ.get("SKINMM_DATA", Path(__file__).resolve().parents[1] / "../shared/data")
)
HAS_DATA = (DATA_DIR / "ham10000" / "metadata.csv").is_file()
needs_data = pytest.mark.skipif(
    not HAS_DATA, reason=f"raw data not found at {DATA_DIR} (set SKINMM_DATA to run data tests)"
)

CLASSES = ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]
SITES = ["back", "face", "lower extremity", "trunk", "scalp"]


def synthetic_image(rng: np.random.Generator, label: int, size: int = 48) -> Image.Image:
    """A small RGB image whose mean colour depends on the label, so a model can learn it."""
    base = np.array([40 + 30 * label, 200 - 25 * label, 90 + 15 * (label % 3)], dtype=float)
    pixels = base + rng.normal(0, 20, (size, size, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def synthetic_manifest(
    folder: Path,
    n_groups: int = 35,
    views: int = 2,
    seed: int = 0,
    classes: list[str] | None = None,
) -> pd.DataFrame:
    """A labelled manifest of multi-view groups with images on disk and structured fields."""
    classes = classes or CLASSES
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for g in range(n_groups):
        label = g % len(classes)
        age = float(20 + 8 * label + rng.integers(0, 6))
        sex = ["male", "female"][g % 2]
        site = SITES[label % len(SITES)]
        for v in range(views):
            path = folder / f"g{g}_v{v}.png"
            synthetic_image(rng, label).save(path)
            note = f"{sex.capitalize()}, {int(age)} years. Lesion on the {site}."
            rows.append(
                {
                    "case_id": f"g{g}_v{v}",
                    "group_id": f"G{g}",
                    "image_path": str(path),
                    "note": note,
                    "label": classes[label],
                    "age": age,
                    "sex": sex,
                    "site": site,
                }
            )
    return pd.DataFrame(rows)


def note_manifest(
    n: int,
    seed: int,
    classes: Sequence[str],
    p: Sequence[float],
    facts: Callable[[str, np.random.Generator], dict[str, Any]],
    rows_per_group: int = 1,
) -> pd.DataFrame:
    """``n`` cases with a note and no photo, labels drawn from ``classes`` at ``p``: each
    case's fields are ``facts(label, rng)``, and its note is written from them."""
    from skinmm.data.notes import render_notes

    rng = np.random.default_rng(seed)
    labels = rng.choice(classes, size=n, p=p)
    rows = [
        {
            "case_id": f"c{seed}_{i}",
            "group_id": f"g{seed}_{i // rows_per_group}_{label}",
            "image_path": "",
            "note": "",
            "label": label,
            **facts(label, rng),
        }
        for i, label in enumerate(labels)
    ]
    frame = pd.DataFrame(rows)
    frame["note"] = render_notes(frame)
    return frame


@pytest.fixture
def manifest_frame(tmp_path: Path) -> pd.DataFrame:
    return synthetic_manifest(tmp_path / "images")


# Eight epochs: with four, the bf16 tail recipe (used where the CPU has native bf16) learnt
# the synthetic colours to only 0.38 accuracy, under test_pipeline's 0.4 bar; eight give 0.52.
TINY_IMAGE_PARAMS = {
    "input_size": 64,
    "epochs": 8,
    "batch_size": 16,
    "train_views": ("identity", "hflip"),
    "tta_views": ("identity", "hflip"),
}
TINY_TEXT_PARAMS = {"n_estimators": 30, "search": False, "early_stopping_rounds": 5}


def tiny_split(root: Path) -> dict[str, Path]:
    """Synthetic train, val and test manifests written under ``root``, by side."""
    from skinmm.data.manifest import write_manifest
    from skinmm.data.split import split_manifest

    frame = synthetic_manifest(root / "images", n_groups=84, views=2)
    split = split_manifest(frame, test_size=0.25, val_size=0.3, seed=0)
    return {
        side: write_manifest(part, root / f"{side}.csv") for side, part in split.sides().items()
    }


def train_tiny_bundle(root: Path, paths: dict[str, Path] | None = None, **config: Any) -> Path:
    """A real bundle trained in seconds on synthetic data, with its evaluation report.

    ``paths``: the manifests by side (:func:`tiny_split`, made here when None); ``config``:
    further :class:`skinmm.train.TrainConfig` fields.
    """
    from skinmm.bundle import load_bundle
    from skinmm.evaluate import evaluate_bundle
    from skinmm.train import TrainConfig, train_bundle

    paths = paths or tiny_split(root)
    out = train_bundle(
        TrainConfig(
            train=paths["train"],
            val=paths["val"],
            out=root / "bundle",
            cache_dir=root / "cache",
            image_params=TINY_IMAGE_PARAMS,
            text_params=TINY_TEXT_PARAMS,
            **config,
        )
    )
    evaluate_bundle(load_bundle(out), paths["test"], out / "report", cache_dir=root / "cache")
    return out


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a tiny trained bundle shared by the whole test session (treat as read-only)."""
    return train_tiny_bundle(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def shipped_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of models/default with its example photos written as `make app` writes them
    (`skinmm examples`): the photos are HAM10000's and never committed, so this needs the
    data folder; the app itself then runs without it."""
    from skinmm.data.datasets import data_dir
    from skinmm.gallery import restore_photos

    if not (data_dir() / "ham10000" / "images").is_dir():
        pytest.skip("the HAM10000 images (SKINMM_DATA) are needed to write the example photos")
    copy = tmp_path_factory.mktemp("shipped") / "default"
    shutil.copytree(Path(__file__).resolve().parents[1] / "models" / "default", copy)
    written, missing = restore_photos(copy)
    assert written and not missing, missing
    return copy


@pytest.fixture
def case_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The case store in a new ``SKINMM_HOME`` (never the user's ``~/.skinmm``, never a
    ``DATABASE_URL``), forgotten after."""
    from skinmm.db.store import forget_shared_stores

    monkeypatch.setenv("SKINMM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    forget_shared_stores()
    yield tmp_path / "home"
    forget_shared_stores()


@pytest.fixture
def app_home(case_home: Path) -> Iterator[Path]:
    """A fresh app for an AppTest: Streamlit's caches cleared, the case store in
    :func:`case_home`."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield case_home
    st.cache_resource.clear()
