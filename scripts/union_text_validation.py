"""The union's text branch on PAD-UFES-20's validation notes only (the test side is not read):
the stored union and PAD-only branches, and text branches refitted with the given feature
options, in the union's classes. After `bash scripts/union_run.sh`:

    python scripts/union_text_validation.py data/union runs auto

Prints one JSON line per model: weighted F1, balanced accuracy and each class's recall.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from skinmm.metrics import balanced_accuracy, weighted_f1
from skinmm.text.branch import TextBranch
from skinmm.train import read_training_manifest, to_class_codes, training_classes

# PAD-UFES-20's taxonomy codes in the union's coarser classes (scripts/union_run.sh).
PAD_TO_UNION = {"ak": "akiec", "sk": "bkl"}


def main(data: Path, runs: Path, options: list[str]) -> None:
    paths = data / "train.csv", data / "val.csv"
    frames = {path: read_training_manifest(path) for path in paths}
    classes = training_classes(frames, "auto")
    codes = [c.code for c in classes]
    train, val = (to_class_codes(frames[path], path, classes) for path in paths)
    pad = val[val["source"] == "pad-ufes-20"]
    y, notes = pad["label"].map(codes.index).to_numpy(), pad["note"].tolist()

    def report(name: str, proba: np.ndarray) -> None:
        pred = proba.argmax(axis=1)
        recall = {
            c: round(float((pred[y == i] == i).mean()), 3)
            for i, c in enumerate(codes)
            if any(y == i)
        }
        figures = {
            "wF1": weighted_f1(y, pred, len(codes)),
            "bacc": balanced_accuracy(y, pred, len(codes)),
        }
        line = {"model": name, "n": len(y), **figures, "recall": recall}
        print(json.dumps(line), flush=True)

    report("union (stored)", TextBranch.load(runs / "union" / "text").predict_proba(notes))
    own = TextBranch.load(runs / "pad-text")
    proba = np.zeros((len(notes), len(codes)))
    for j, code in enumerate(own.classes_):
        proba[:, codes.index(PAD_TO_UNION.get(code, code))] = own.predict_proba(notes)[:, j]
    report("PAD-UFES-20 only (stored)", proba)
    for option in options:
        started = time.perf_counter()
        branch = TextBranch("use-multilingual", classes=codes, features=option).fit(train, val)
        seconds = time.perf_counter() - started
        report(f"union refitted, features={option} ({seconds:.0f} s)", branch.predict_proba(notes))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
