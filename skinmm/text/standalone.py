"""Train and save the text branch alone: ``skinmm train-text TRAIN.csv VAL.csv --out DIR``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from skinmm.cache import default_cache_dir
from skinmm.data.manifest import read_manifest
from skinmm.options import picked
from skinmm.taxonomy import infer_classes
from skinmm.text.branch import TextBranch
from skinmm.text.dropout import check_dropout
from skinmm.text.embedders import DEFAULT_EMBEDDER
from skinmm.text.fact_features import AUTO, FEATURE_OPTIONS


def train_text_branch(
    train_csv: str | Path,
    val_csv: str | Path,
    out_dir: str | Path,
    *,
    embedder: str = DEFAULT_EMBEDDER,
    classes: list[str] | None = None,
    cache_dir: str | Path | None = None,
    seed: int = 0,
    **hyperparams: Any,
) -> TextBranch:
    """Fit a text branch on two manifests and save it (``text.ubj``, ``text.json``).

    ``classes`` defaults to the label space (HAM10000, PAD-UFES-20) that covers the labels.
    """
    train = read_manifest(train_csv, check_images=False)
    val = read_manifest(val_csv, check_images=False)
    labels = pd.concat([train["label"], val["label"]]).tolist()
    classes = classes or [c.code for c in infer_classes(labels)]
    branch = TextBranch(embedder, classes=classes, **hyperparams)
    branch.fit(train, val, cache_dir=Path(cache_dir or default_cache_dir()), seed=seed)
    branch.save(Path(out_dir))
    return branch


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Train and save the SkinMM text branch.")
    parser.add_argument("train_csv")
    parser.add_argument("val_csv")
    parser.add_argument("--out", required=True, help="folder for text.ubj and text.json")
    parser.add_argument("--embedder", default=DEFAULT_EMBEDDER)
    parser.add_argument("--cache-dir", default=None, help="default: $SKINMM_CACHE or cache/")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--features", default="auto", choices=[AUTO, *FEATURE_OPTIONS], help="booster input"
    )
    parser.add_argument(
        "--fact-dropout",
        type=check_dropout,
        default=None,
        help="maximum per-note fact-dropout rate, or auto (grouped CV on training); default: "
        "one copy of each note with its facts dropped at 0.5",
    )
    args = parser.parse_args(argv)
    chosen = picked(args, "embedder", "cache_dir", "seed", "features", "fact_dropout")
    branch = train_text_branch(args.train_csv, args.val_csv, args.out, **chosen)
    print(json.dumps(branch.card(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
