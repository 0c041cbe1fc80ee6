"""Four-view vs eight-view test-time augmentation, on the validation split only.

``python scripts/val_tta.py [--bundle models/default]`` (after ``make data``). The rule,
written before any eight-view logit was computed: switch to the eight symmetries of the
square only if image-only validation selection ((weighted F1 + balanced accuracy) / 2) rises
by at least 0.005 and the fused weighted F1 (the bundle's own rule and parameters, the
image temperature refitted on validation for each view set) does not fall. Writes
``runs/tta/val_tta.json``. The test split is not read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from skinmm.bundle import Bundle, load_bundle
from skinmm.cache import default_cache_dir
from skinmm.calibration import apply_temperature, fit_temperature
from skinmm.data.manifest import read_manifest
from skinmm.fusion import fuse
from skinmm.image.features import DIHEDRAL_VIEWS, TrunkCache, extract_to_memory
from skinmm.image.training import activation_logits, val_scores
from skinmm.metrics import balanced_accuracy, weighted_f1


def per_view_logits(bundle: Bundle, paths: list[str]) -> dict[str, np.ndarray]:
    """float32 logits of the image branch for each of the eight views, from the cache."""
    image = bundle.image
    cache = TrunkCache(default_cache_dir(), image.spec, image.preprocessing_)
    acts = extract_to_memory(cache, image.model_.net, paths, DIHEDRAL_VIEWS)
    return {v: activation_logits(image.model_, {v: a}) for v, a in acts.items()}


def score(bundle: Bundle, logits: np.ndarray, text: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    temperature = fit_temperature(logits, y)
    rule = bundle.fusion.rule
    fused = fuse(apply_temperature(logits, temperature), text, rule, bundle.fusion.params)
    pred, n = fused.proba.argmax(1), len(bundle.codes)
    return {
        "image": val_scores(logits, y),
        "temperature": temperature,
        "fusion_rule": rule,
        "fused_wf1": weighted_f1(y, pred, n),
        "fused_bacc": balanced_accuracy(y, pred, n),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", default="models/default")
    parser.add_argument("--val", default="data/ham10000/split/val.csv")
    parser.add_argument("--out", default="runs/tta/val_tta.json")
    args = parser.parse_args()
    torch.set_num_threads(2)
    bundle = load_bundle(args.bundle)
    val = read_manifest(args.val)
    y = val["label"].map({c: i for i, c in enumerate(bundle.codes)}).to_numpy()
    logits = per_view_logits(bundle, list(val["image_path"]))
    text = bundle.text.predict_proba(val["note"].tolist())
    sets = {"tta4": list(bundle.image.tta_views), "tta8": list(DIHEDRAL_VIEWS)}
    out: dict[str, Any] = {
        name: score(bundle, np.mean([logits[v] for v in views], axis=0), text, y)
        for name, views in sets.items()
    }
    out["single_view_selection"] = {
        view: val_scores(values, y)["selection"] for view, values in logits.items()
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
