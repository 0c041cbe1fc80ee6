"""Train the image branch on manifests and report validation and test figures.

``skinmm train-image --train T.csv --val V.csv [--test X.csv] --out DIR`` trains the
CPU recipe (tail fine-tuning on cached trunk activations); ``--finetune full --device cuda``
fine-tunes every layer on a GPU. The test manifest, if given, is read once, after training.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from skinmm.cache import default_cache_dir
from skinmm.calibration import apply_temperature, expected_calibration_error
from skinmm.data.manifest import read_manifest
from skinmm.image import DEFAULT_BACKBONE
from skinmm.image.backbones import BACKBONES
from skinmm.image.model import ImageBranch
from skinmm.image.training import val_scores
from skinmm.options import picked

REPORT_FILE = "image_report.json"

# Options passed on to train_image_branch under their own names.
HANDED_ON = (
    "backbone",
    "cache_dir",
    "device",
    "seed",
    "finetune",
    "input_size",
    "epochs",
    "batch_size",
    "lr",
    "head_lr",
    "tail_trainable",
)


def train_image_branch(
    train_csv: str | Path,
    val_csv: str | Path,
    out_dir: str | Path,
    *,
    backbone: str = DEFAULT_BACKBONE,
    cache_dir: str | Path | None = None,
    device: str = "cpu",
    seed: int = 0,
    classes: Sequence[str] | None = None,
    log: Callable[[str], None] = print,
    **hyperparams: Any,
) -> ImageBranch:
    """Fit an :class:`ImageBranch` on two manifests and save it into ``out_dir``.

    ``classes`` defaults to the sorted labels of both manifests (for HAM10000 this is the
    taxonomy's order: akiec, bcc, bkl, df, mel, nv, vasc). ``cache_dir`` defaults to
    ``$SKINMM_CACHE`` or ``cache/`` at the repository root.
    """
    train, val = read_manifest(train_csv), read_manifest(val_csv)
    if classes is None:
        classes = sorted(set(train["label"]) | set(val["label"]))
    branch = ImageBranch(backbone, classes=classes, **hyperparams)
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    branch.fit(train, val, cache_dir=cache, device=device, seed=seed, log=log)
    branch.save(Path(out_dir))
    return branch


def evaluate_image_branch(
    branch: ImageBranch, manifest: str | Path, *, cache_dir: Path | None = None
) -> dict[str, float]:
    """Weighted F1, balanced accuracy, macro F1 and ECE before/after calibration."""
    frame = read_manifest(manifest, classes=branch.classes_)
    y = np.array([branch.classes_.index(label) for label in frame["label"]], dtype=int)
    logits = branch.logits_paths(list(frame["image_path"]), cache_dir)
    scores = val_scores(logits, y)
    scores.pop("selection")
    return {
        **scores,
        "ece_before": expected_calibration_error(apply_temperature(logits, 1.0), y),
        "ece_after": expected_calibration_error(apply_temperature(logits, branch.temperature_), y),
        "n": len(frame),
    }


def _parser(default_finetune: str, default_device: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True, help="training manifest CSV")
    p.add_argument("--val", required=True, help="validation manifest CSV (epoch, temperature)")
    p.add_argument("--test", help="test manifest CSV, evaluated once after training")
    p.add_argument("--out", required=True, help="folder for the weights, config and report")
    p.add_argument("--backbone", default=DEFAULT_BACKBONE, choices=list(BACKBONES))
    p.add_argument("--finetune", default=default_finetune, choices=["tail", "full"])
    p.add_argument("--device", default=default_device)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=5e-4, help="learning rate of the backbone")
    p.add_argument("--head-lr", type=float, default=2e-3)
    p.add_argument("--input-size", type=int, help="crop size (default: the backbone's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--class-cap", type=int, default=1600, help="images per class per epoch")
    p.add_argument("--tail-trainable", type=int, help="train only the last K tail modules")
    p.add_argument("--train-views", default="identity,hflip,vflip,rot90", help="cached views")
    p.add_argument("--tta-views", default="identity,hflip,vflip,rot90")
    p.add_argument("--cache-dir", help="default: $SKINMM_CACHE or cache/ at the repo root")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    return p


def main(argv: Sequence[str] | None = None, *, finetune: str = "tail", device: str = "cpu") -> int:
    args = _parser(finetune, device).parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
    started = time.perf_counter()
    branch = train_image_branch(
        args.train,
        args.val,
        args.out,
        **picked(args, *HANDED_ON),
        class_cap=args.class_cap or None,
        train_views=args.train_views.split(","),
        tta_views=args.tta_views.split(","),
        log=lambda line: print(line, flush=True),
    )
    report: dict[str, Any] = {
        "backbone": args.backbone,
        "finetune": args.finetune,
        "val": {
            **branch.val_metrics_,
            "ece_before": branch.ece_before_,
            "ece_after": branch.ece_after_,
        },
        "temperature": branch.temperature_,
        "best_epoch": branch.training_["best_epoch"],
        "train_seconds": time.perf_counter() - started,
    }
    if args.test:
        branch.to(args.device)
        cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
        t = time.perf_counter()
        report["test"] = evaluate_image_branch(branch, args.test, cache_dir=cache)
        report["test_seconds"] = time.perf_counter() - t
    Path(args.out, REPORT_FILE).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
