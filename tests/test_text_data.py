"""The text branch on a small real HAM10000 subset; skipped without the data folder."""

import os
from pathlib import Path

import numpy as np
import pytest

from skinmm.data.manifest import read_manifest
from skinmm.data.notes import render_notes
from skinmm.taxonomy import HAM10000_CLASSES
from skinmm.text import TextBranch

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SKINMM_DATA", REPO.parent / "shared" / "data"))
SPLIT = REPO / "data" / "ham10000" / "split"

pytestmark = pytest.mark.data


@pytest.mark.skipif(
    not DATA.is_dir() or not (SPLIT / "train.csv").is_file(),
    reason="needs the HAM10000 data folder (SKINMM_DATA) and its split (skinmm split)",
)
def test_real_notes_do_not_collapse_to_nevus(tmp_path: Path) -> None:
    classes = [c.code for c in HAM10000_CLASSES]
    frames = {s: read_manifest(SPLIT / f"{s}.csv", check_images=False) for s in ("train", "val")}
    # A stratified-enough subset: every class, at most 40 lesions each.
    train = frames["train"].groupby("label").head(40)
    val = frames["val"].groupby("label").head(15)
    branch = TextBranch(classes=classes, search=False, n_estimators=40, n_jobs=1)
    branch.fit(train, val, cache_dir=tmp_path, seed=0)
    without_age = val.assign(age=np.nan)
    for lang in ("en", "zh"):
        proba = branch.predict_proba(render_notes(without_age, lang))
        predicted = proba.argmax(axis=1)
        assert np.bincount(predicted, minlength=7).max() < 0.9 * len(predicted), lang
    assert branch.card()["ece_after"] <= branch.card()["ece_before"] + 0.02
