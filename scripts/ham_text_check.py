"""HAM10000 test, text branch only: the shipped text branch vs a refitted one, paired.

python scripts/ham_text_check.py runs/ham-text-auto docs/results/text_ham_facts.json

Both branches read the same test notes; 95% intervals and paired differences come from the
same grouped bootstrap replicates (skinmm.metrics, 1,000, seed 0), as `skinmm evaluate` does.
The shipped branch's figures reproduce models/default/report/metrics.json's `text` block.
"""

import json
import sys
from pathlib import Path

import numpy as np

from skinmm.bundle import load_bundle
from skinmm.data.manifest import read_manifest
from skinmm.metrics import (
    CLINICAL_FIGURES,
    bootstrap,
    intervals,
    paired_difference,
    report_statistic,
)
from skinmm.text import TextBranch

FIGURES = CLINICAL_FIGURES


def main(candidate: str, out: str) -> None:
    test = read_manifest(Path("data/ham10000/split/test.csv"), check_images=False)
    codes = load_bundle(Path("models/default")).codes
    y = test["label"].map(codes.index).to_numpy()
    positive = [codes.index(c) for c in ("mel", "bcc", "akiec")]
    stats = {}
    for name, path in (("shipped", "models/default/text"), ("candidate", candidate)):
        branch = TextBranch.load(Path(path))
        proba = branch.predict_proba(test["note"].tolist())
        rows = np.flatnonzero(~np.isnan(proba).any(axis=1))
        stats[name] = report_statistic(y, np.nan_to_num(proba), codes, rows, positive)
    draws = bootstrap(stats, test["group_id"].tolist(), n_boot=1000, seed=0)
    points = {name: statistic(np.ones(len(y))) for name, statistic in stats.items()}
    report: dict = {"command": "python scripts/ham_text_check.py " + " ".join(sys.argv[1:])}
    for name in stats:
        cis = intervals(draws[name])
        report[name] = {f: {"value": round(points[name][f], 4), "ci": cis[f]} for f in FIGURES}
    report["candidate_minus_shipped"] = {
        f: paired_difference(
            points["candidate"][f],
            points["shipped"][f],
            draws["candidate"][f],
            draws["shipped"][f],
        )
        for f in FIGURES
    }
    Path(out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["candidate_minus_shipped"], indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
