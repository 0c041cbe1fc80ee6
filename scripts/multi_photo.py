"""Several photos of one lesion: choose the combination on validation, measure it on test.

``python scripts/multi_photo.py [--bundle models/default]`` (after ``make data``; photos read
from ``SKINMM_DATA``, trunk activations from ``SKINMM_CACHE``).

1. Validation groups (lesions with 2+ images): the image branch on every image, combined per
   lesion by each rule of :mod:`skinmm.multiphoto`; the best balanced accuracy (then weighted
   F1) is written into the bundle's card (``multi_photo``), the card resealed.
2. Test lesions with 2+ images in the dataset: the test split keeps one image per lesion (the
   paper's protocol); the lesion's other images were never used in training, so they are
   brought back here. One photo (the split's) against all photos, both through the bundle's
   own fusion and decision with the lesion's note: weighted F1, balanced accuracy, melanoma
   recall, malignant (mel, bcc, akiec) sensitivity and specificity, lesion-grouped bootstrap 95% intervals and paired differences.
Writes ``docs/results/multi_photo.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skinmm.bundle import Bundle, load_bundle, update_card
from skinmm.cache import default_cache_dir
from skinmm.data.manifest import read_manifest
from skinmm.evaluate import image_probabilities, text_probabilities
from skinmm.fusion import fuse
from skinmm.metrics import (
    CLINICAL_FIGURES,
    bootstrap,
    interval,
    paired_difference,
    report_statistic,
)
from skinmm.multiphoto import COMBINATIONS, choose_combination, combine_groups
from skinmm.triage import risk_classes

# Malignant (mel, bcc, akiec: the taxonomy's risk classes) sensitivity and specificity of the
# decision, as in the bundle's report.
FIGURES = CLINICAL_FIGURES


def decisions(bundle: Bundle, image_p: np.ndarray, notes: list[str]) -> np.ndarray:
    """The bundle's default decision (its rule and parameters) on each lesion."""
    text_p = text_probabilities(bundle, notes, progress=False)
    return fuse(image_p, text_p, bundle.fusion.rule, bundle.fusion.params).proba


def choose_on_validation(bundle: Bundle, val: Path, cache: Path) -> dict[str, Any]:
    frame = read_manifest(val)
    proba = image_probabilities(bundle.image, frame["image_path"].tolist(), cache)
    y = frame["label"].map(bundle.codes.index).to_numpy()
    return choose_combination(proba, y, frame["group_id"].tolist(), len(bundle.codes))


def test_lesions(test: Path, manifest: Path) -> pd.DataFrame:
    """Every image of the test lesions that have 2+ images, the split's own image first."""
    split = read_manifest(test)
    every = read_manifest(manifest)
    sizes = every.groupby("group_id").size()
    multi = split[split["group_id"].map(sizes) > 1]
    others = every[
        every["group_id"].isin(multi["group_id"]) & ~every["case_id"].isin(multi["case_id"])
    ]
    return pd.concat([multi.assign(first=True), others.assign(first=False)], ignore_index=True)


def measure(bundle: Bundle, frame: pd.DataFrame, cache: Path, chosen: str) -> dict[str, Any]:
    proba = image_probabilities(bundle.image, frame["image_path"].tolist(), cache)
    one = frame.index[frame["first"]].to_numpy()
    groups = frame.loc[one, "group_id"].tolist()
    notes = frame.loc[one, "note"].fillna("").astype(str).tolist()
    y = frame.loc[one, "label"].map(bundle.codes.index).to_numpy()
    arms = {"one_photo": decisions(bundle, proba[one], notes)}
    for how in COMBINATIONS:
        names, combined = combine_groups(proba, frame["group_id"].tolist(), how)
        row_of = {g: k for k, g in enumerate(names)}
        arms[f"all_photos_{how}"] = decisions(bundle, combined[[row_of[g] for g in groups]], notes)
    rows = np.arange(len(y))
    positive = risk_classes(bundle.classes)
    stats = {arm: report_statistic(y, p, bundle.codes, rows, positive) for arm, p in arms.items()}
    draws = bootstrap(stats, groups, progress=True)
    point = {arm: stat(np.ones(len(y))) for arm, stat in stats.items()}
    out: dict[str, Any] = {
        "n_lesions": len(y),
        "n_photos": len(frame),
        "photos_per_lesion": {
            str(k): int(v)
            for k, v in frame.groupby("group_id").size().value_counts().sort_index().items()
        },
        "labels": {c: int((y == k).sum()) for k, c in enumerate(bundle.codes)},
        "arms": {},
        "all_minus_one": {},
    }
    for arm in arms:
        out["arms"][arm] = {
            f: {"value": round(point[arm][f], 4), "ci": interval(draws[arm][f])} for f in FIGURES
        }
    for arm in arms:
        if arm == "one_photo":
            continue
        out["all_minus_one"][arm] = {
            f: paired_difference(
                point[arm][f], point["one_photo"][f], draws[arm][f], draws["one_photo"][f]
            )
            for f in FIGURES
        }
    out["chosen"] = f"all_photos_{chosen}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=Path("models/default"))
    parser.add_argument("--val", type=Path, default=Path("data/ham10000/split/val.csv"))
    parser.add_argument("--test", type=Path, default=Path("data/ham10000/split/test.csv"))
    parser.add_argument("--manifest", type=Path, default=Path("data/ham10000/manifest.csv"))
    parser.add_argument("--out", type=Path, default=Path("docs/results/multi_photo.json"))
    args = parser.parse_args()
    bundle = load_bundle(args.bundle)
    cache = default_cache_dir()
    block = choose_on_validation(bundle, args.val, cache)
    print(json.dumps(block, indent=1))
    update_card(args.bundle, {"multi_photo": block}, renew="multi_photo")
    result = {
        "command": "python " + " ".join(sys.argv),
        "bundle": str(args.bundle),
        "validation": block,
        "test": measure(
            bundle, test_lesions(args.test, args.manifest), cache, block["combination"]
        ),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result["test"]["arms"], indent=1))
    print(json.dumps(result["test"]["all_minus_one"], indent=1))


if __name__ == "__main__":
    main()
