"""Choose the image backbone and recipe by grouped cross-validation on the training split.

``skinmm cv --train TRAIN.csv --out DIR --candidate NAME:key=value,...``

Each candidate is trained on k-1 folds of the training manifest and scored on the held-out
fold; folds are stratified by label and never split a group (lesion or patient), so views of
one lesion stay together. The validation and test splits are not read. Within a fold the
held-out part also chooses the epoch and the prior shift, exactly as the validation split does
in a real training run, so every candidate gets the same (slightly optimistic) treatment.

Writes ``cv_results.json`` (every fold) and ``cv_summary.md`` (mean and spread per candidate).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from sklearn.model_selection import StratifiedGroupKFold

from skinmm.cache import default_cache_dir
from skinmm.data.manifest import read_manifest
from skinmm.data.split import one_per_group
from skinmm.image import DEFAULT_BACKBONE, parse_params
from skinmm.image.model import ImageBranch

RESULTS_FILE = "cv_results.json"
SUMMARY_FILE = "cv_summary.md"


@dataclass(frozen=True)
class Candidate:
    """A named backbone plus :class:`ImageBranch` keyword overrides."""

    name: str
    backbone: str
    params: dict[str, Any]


def parse_candidate(spec: str) -> Candidate:
    """``NAME:backbone=efficientnet-lite2,epochs=10,train_views=identity+hflip``."""
    name, _, rest = spec.partition(":")
    if not name:
        raise ValueError(f"Candidate {spec!r} has no name; write NAME:key=value,...")
    try:
        params = parse_params([item for item in rest.split(",") if item])
    except ValueError as error:
        raise ValueError(f"Candidate {spec!r}: {error}") from None
    backbone = params.pop("backbone", DEFAULT_BACKBONE)
    return Candidate(name, backbone, params)


def grouped_folds(
    frame: pd.DataFrame, k: int, seed: int
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(fit, held-out) pairs: stratified by label, no group on both sides.

    The fit part keeps every view of its groups and the held-out part one image per group,
    as the training and test splits do.
    """
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    pairs = splitter.split(frame, frame["label"], groups=frame["group_id"])
    return [(frame.iloc[a], one_per_group(frame.iloc[b])) for a, b in pairs]


def run_fold(
    candidate: Candidate,
    fit: pd.DataFrame,
    held: pd.DataFrame,
    classes: list[str],
    cache_dir: Path,
    seed: int,
) -> dict[str, Any]:
    started = time.perf_counter()
    branch = ImageBranch(candidate.backbone, classes=classes, **candidate.params)
    branch.fit(fit, held, cache_dir=cache_dir, seed=seed, log=lambda s: print(s, flush=True))
    return {
        **branch.val_metrics_,
        "best_epoch": branch.training_["best_epoch"],
        "train_seconds": branch.training_["train_seconds"],
        "cache_seconds": branch.training_["cache_seconds"],
        "seconds": round(time.perf_counter() - started, 1),
    }


def summarise(results: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(results)
    metrics = ["weighted_f1", "balanced_accuracy", "macro_f1", "selection", "train_seconds"]
    summary = frame.groupby("candidate", sort=False)[metrics].agg(["mean", "std"])
    summary.columns = [f"{m}_{s}" for m, s in summary.columns]
    return summary.sort_values("selection_mean", ascending=False)


def summary_markdown(summary: pd.DataFrame, k: int, n: int, command: str) -> str:
    lines = [
        f"# Image branch: grouped {k}-fold cross-validation on the training split ({n} images)",
        "",
        f"Reproduce: `{command}`",
        "",
        "Mean (sd) over folds of the held-out fold's scores. `selection` = (weighted F1 + "
        "balanced accuracy) / 2, the criterion the training loop uses.",
        "",
        "| candidate | weighted F1 | balanced acc. | macro F1 | selection | train s / fold |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in summary.iterrows():
        cells = [
            f"{row[f'{m}_mean']:.3f} ({row[f'{m}_std']:.3f})"
            for m in ("weighted_f1", "balanced_accuracy", "macro_f1", "selection")
        ]
        lines.append(f"| {name} | {' | '.join(cells)} | {row['train_seconds_mean']:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True, help="training manifest CSV (only this is read)")
    p.add_argument("--out", required=True, help="folder for cv_results.json and cv_summary.md")
    p.add_argument("--candidate", action="append", required=True, help="NAME:key=value,...")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache-dir", help="default: $SKINMM_CACHE or cache/ at the repo root")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    candidates = [parse_candidate(c) for c in args.candidate]
    frame = read_manifest(args.train)
    classes = sorted(set(frame["label"]))
    cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    folds = grouped_folds(frame, args.folds, args.seed)
    for candidate in candidates:
        for i, (fit, held) in enumerate(folds):
            print(f"== {candidate.name}: fold {i + 1}/{len(folds)}", flush=True)
            row = run_fold(candidate, fit, held, classes, cache, args.seed)
            results.append({"candidate": candidate.name, "fold": i, **row})
            # Written after every fold, so an interrupted search keeps what it finished.
            (out / RESULTS_FILE).write_text(json.dumps(results, indent=2))
    command = "skinmm cv " + " ".join(argv or sys.argv[1:])
    text = summary_markdown(summarise(results), args.folds, len(frame), command)
    (out / SUMMARY_FILE).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
