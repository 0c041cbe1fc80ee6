"""Text-branch evidence: `skinmm text-evidence --dataset ham|pad ...`.

Fits the text branch (per embedder) and the tabular reference on the training split, with
every choice made by grouped CV on training data or on the validation groups, then reads
the test split once: English and Chinese notes, 0/30/70% of fields dropped (seeded, the
same facts dropped for text and tabular), and notes without an age.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from skinmm.cache import default_cache_dir
from skinmm.calibration import expected_calibration_error
from skinmm.data.manifest import REQUIRED_COLUMNS, read_manifest
from skinmm.data.notes import render_note
from skinmm.taxonomy import label_space
from skinmm.text.branch import TextBranch, text_metrics
from skinmm.text.embedders import get_embedder
from skinmm.text.tabular import TabularReference, dropped_records

DROPS = (0.0, 0.3, 0.7)
SPACES = {"ham": "ham10000", "pad": "pad-ufes-20"}


def load_ham(split_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The foundation's lesion-grouped HAM10000 split."""
    return tuple(
        read_manifest(split_dir / f"{side}.csv", check_images=False)
        for side in ("train", "val", "test")
    )


def _fold(frame: pd.DataFrame, n_splits: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    keep, take = next(splitter.split(frame, frame["label"], frame["group_id"]))
    return keep, take


def load_pad(manifest: Path, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A patient-grouped 4:1 split of the PAD-UFES-20 manifest, 10% of train for validation.

    PAD-UFES-20 patients can have lesions of different diagnoses, which the foundation's
    one-label-per-group split refuses; StratifiedGroupKFold keeps patients whole and
    balances labels as well as it can. The test side keeps one row per lesion.
    """
    frame = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    rest_idx, test_idx = _fold(frame, 5, seed)
    rest, test = frame.iloc[rest_idx].reset_index(drop=True), frame.iloc[test_idx]
    train_idx, val_idx = _fold(rest, 10, seed)
    if "lesion_id" in test.columns:
        test = test.sort_values("case_id").drop_duplicates("lesion_id")
    return (
        rest.iloc[train_idx].reset_index(drop=True),
        rest.iloc[val_idx].reset_index(drop=True),
        test.reset_index(drop=True),
    )


def conditions(test: pd.DataFrame, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Test records per condition: fields dropped at each rate, and age removed only."""
    out = {f"drop {int(p * 100)}%": dropped_records(test, p, seed) for p in DROPS}
    out["no age"] = [{**r, "age": None} for r in dropped_records(test, 0.0, seed)]
    return out


def _row(y: np.ndarray, proba: np.ndarray, majority: int) -> dict[str, Any]:
    present = ~np.isnan(proba).any(axis=1)
    row = text_metrics(y[present], proba[present])
    row["coverage"] = float(present.mean())
    row["predicted_majority"] = float((proba[present].argmax(axis=1) == majority).mean())
    return row


def evaluate_text(branch: TextBranch, test: pd.DataFrame, y: np.ndarray, seed: int) -> dict:
    majority = int(np.bincount(y).argmax())
    results: dict[str, Any] = {}
    for name, records in conditions(test, seed).items():
        for lang in ("en", "zh") if name == "drop 0%" else ("en",):
            notes = [render_note(r, lang) for r in records]
            results[f"{name} {lang}"] = _row(y, branch.predict_proba(notes), majority)
    notes = [render_note(r, "en") for r in dropped_records(test, 0.0, seed)]
    present = branch.has_text(notes)
    raw = branch.predict_proba(notes, calibrated=False)[present]
    calibrated = branch.predict_proba(notes)[present]
    results["test_ece"] = {
        "before": expected_calibration_error(raw, y[present]),
        "after": expected_calibration_error(calibrated, y[present]),
    }
    return results


def evaluate_tabular(ref: TabularReference, test: pd.DataFrame, y: np.ndarray, seed: int) -> dict:
    majority = int(np.bincount(y).argmax())
    return {
        name: _row(y, ref.predict_proba(records), majority)
        for name, records in conditions(test, seed).items()
    }


def time_per_100(spec: str, notes: list[str]) -> float:
    """Seconds to embed 100 distinct notes, uncached, after the model is loaded."""
    embedder = get_embedder(spec, threads=1)
    embedder.encode(notes[:4])
    start = time.perf_counter()
    embedder.encode(notes)
    return (time.perf_counter() - start) / len(notes) * 100


def _write(report: dict[str, Any], path: Path) -> None:
    # Written after each model, so a long run keeps what it has finished.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))


def light(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the manifest columns: the branch then trains on the free-text notes as they are
    (English, whole), without re-rendering, dropout or Chinese copies."""
    return frame[list(REQUIRED_COLUMNS)]


def run(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(args.data)
    train, val, test = load_ham(data) if args.dataset == "ham" else load_pad(data, args.seed)
    if args.light:
        return run_light(args, train, val, test)
    classes = [c.code for c in label_space(SPACES[args.dataset])]
    y = test["label"].map(classes.index).to_numpy(dtype=int)
    report: dict[str, Any] = {
        "dataset": args.dataset,
        "sizes": {"train": len(train), "val": len(val), "test": len(test)},
        "seed": args.seed,
    }
    tabular = TabularReference(classes=classes, n_jobs=1).fit(train, val, seed=args.seed)
    report["tabular"] = evaluate_tabular(tabular, test, y, args.seed)
    report["tabular_params"] = tabular.params_
    _write(report, Path(args.out))
    timing_notes = sorted({render_note(r) for r in dropped_records(test, 0.0, 0)} - {""})[:300]
    for spec in args.embedders:
        branch = TextBranch(spec, classes=classes, n_jobs=1)
        start = time.perf_counter()
        branch.fit(train, val, cache_dir=Path(args.cache_dir), seed=args.seed)
        fit_s = time.perf_counter() - start
        branch.save(Path(args.out).with_suffix("") / spec.replace(":", "_").replace("/", "_"))
        report[spec] = {
            "card": branch.card(),
            "fit_seconds": fit_s,
            "test": evaluate_text(branch, test, y, args.seed),
            "embed_seconds_per_100": time_per_100(spec, timing_notes),
        }
        _write(report, Path(args.out))
        print(f"{spec}: fitted in {fit_s:.0f} s", flush=True)
    return report


def run_light(
    args: argparse.Namespace, train: pd.DataFrame, val: pd.DataFrame, test: pd.DataFrame
) -> dict[str, Any]:
    """Embedders side by side under one cheap protocol: whole English notes, default
    hyperparameters (no search), early stopping and temperature on validation."""
    classes = [c.code for c in label_space(SPACES[args.dataset])]
    y = test["label"].map(classes.index).to_numpy(dtype=int)
    report: dict[str, Any] = {"dataset": args.dataset, "protocol": "light", "seed": args.seed}
    notes = test["note"].tolist()
    for spec in args.embedders:
        branch = TextBranch(spec, classes=classes, search=False, n_jobs=1)
        start = time.perf_counter()
        branch.fit(light(train), light(val), cache_dir=Path(args.cache_dir), seed=args.seed)
        report[spec] = {
            "fit_seconds": time.perf_counter() - start,
            "test": text_metrics(y, branch.predict_proba(notes)),
            "embed_seconds_per_100": time_per_100(spec, sorted(set(notes))[:300]),
        }
        _write(report, Path(args.out))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(SPACES), required=True)
    parser.add_argument("--data", required=True, help="HAM split folder or PAD manifest CSV")
    parser.add_argument("--embedders", nargs="+", default=["use-multilingual"])
    parser.add_argument("--cache-dir", default=str(default_cache_dir()))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--light", action="store_true", help="embedder comparison protocol")
    parser.add_argument("--out", required=True, help="JSON report path")
    args = parser.parse_args(argv)
    run(args)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
