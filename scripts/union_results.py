"""docs/results/union.json: the HAM10000 + PAD-UFES-20 union bundle against single-source models.

Reads the reports that docs/results/union.json's `commands` wrote and pairs them up:
    python scripts/union_results.py runs/eval runs/pad-text docs/results/union.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FIGURES = ("weighted_f1", "balanced_accuracy", "macro_f1", "malignant_sensitivity")


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    out = {k: round(float(report[k]), 4) for k in FIGURES}
    out["ci"] = {
        k: (report.get("ci") or {}).get(k) for k in FIGURES if k in (report.get("ci") or {})
    }
    out["n_cases"] = report["n_cases"]
    return out


def _recall(report: dict[str, Any], code: str) -> dict[str, Any]:
    row = report["per_class"][code]
    return {
        "recall": row["recall"],
        "ci": (row.get("ci") or {}).get("recall"),
        "support": row["support"],
    }


def _difference(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
    return {k: round(a[k] - b[k], 4) for k in FIGURES}


def main(eval_dir: Path, pad_text_dir: Path, out: Path) -> None:
    load = lambda name: json.loads((eval_dir / name / "metrics.json").read_text())  # noqa: E731
    union_ham, ham_only = load("union-on-ham"), load("ham-fast-on-ham")
    union_pad = load("union-on-pad")
    pad_text = json.loads((pad_text_dir / "test_report.json").read_text())
    ham = {
        b: {"union": _figures(union_ham[b]), "ham_only": _figures(ham_only[b])}
        for b in ("image", "text", "fused")
    }
    for b in ham:
        ham[b]["union_minus_ham_only"] = _difference(ham[b]["union"], ham[b]["ham_only"])
    pad = {"union_text": _figures(union_pad["text"]), "pad_text_only": _figures(pad_text)}
    pad["union_minus_pad_text_only"] = _difference(pad["union_text"], pad["pad_text_only"])
    result = {
        "ham10000_test": ham,
        "ham10000_fusion_rule": {"union": union_ham["rule"], "ham_only": ham_only["rule"]},
        "pad_ufes_20_test_text_only": pad,
        "scc_recall": {
            "union_text_on_pad_test": _recall(union_pad["text"], "scc"),
            "pad_text_only_model": _recall(pad_text, "scc"),
        },
        "union_classes": union_ham["classes"],
        "unmapped": {"union_on_ham": union_ham["unmapped"], "union_on_pad": union_pad["unmapped"]},
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
