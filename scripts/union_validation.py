"""Why the union bundle's fused HAM10000 figure falls: both bundles of scripts/union_run.sh on
the HAM10000 VALIDATION side only (never the test side) -> docs/results/union_validation.json.

For each bundle: the image and text branches on the HAM10000 validation cases, and the fusion
its training chose (rule, prior corrections, and the best candidate of every rule that keeps
the criterion), re-selected here from the branches' probabilities so the card's choice is
reproduced before anything is compared. For the union, the options for rows with an image
(skinmm.train.IMAGE_ROWS: own-prior, own-classes) are selected on the same cases:
    python scripts/union_validation.py runs docs/results/union_validation.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skinmm.bundle import Bundle, load_bundle
from skinmm.cache import default_cache_dir
from skinmm.evaluate import image_probabilities
from skinmm.fusion import RULES
from skinmm.metrics import classification_report
from skinmm.train import (
    IMAGE_ROWS,
    image_rows_fusion,
    read_training_manifest,
    select_fusion,
    to_class_codes,
)
from skinmm.triage import risk_classes

FIGURES = ("weighted_f1", "balanced_accuracy", "malignant_sensitivity", "malignant_specificity")


def _report(y: np.ndarray, proba: np.ndarray, bundle: Bundle) -> dict[str, Any]:
    report = classification_report(y, proba, bundle.codes, risk_classes(bundle.classes))
    out: dict[str, Any] = {k: round(float(report[k]), 4) for k in FIGURES}
    out["recall"] = {
        c: round(v["recall"], 4) for c, v in report["per_class"].items() if v["support"]
    }
    predicted = np.bincount(proba.argmax(1), minlength=len(bundle.codes))
    out["predicted"] = {c: int(n) for c, n in zip(bundle.codes, predicted, strict=True) if n}
    out["ece"] = round(float(report["ece"]), 4)
    return out


def _rule_table(extra: dict[str, Any]) -> dict[str, Any]:
    """Each rule's best candidate that keeps the criterion (or its best one, marked)."""
    table: dict[str, Any] = {}
    for rule in RULES:
        rows = [c for c in extra["validation_candidates"] if c["rule"] == rule]
        holding = [c for c in rows if c["holds"]]
        best = max(holding or rows, key=lambda c: c["weighted_f1"])
        table[rule] = {
            "holds": bool(holding),
            "weighted_f1": round(best["weighted_f1"], 4),
            "balanced_accuracy": round(best["balanced_accuracy"], 4),
            "text_prior_power": best["text_prior_power"],
            "decision_power": best["decision_power"],
            "holding_candidates": f"{len(holding)} of {len(rows)}",
        }
    return table


def _chosen(fusion: Any, extra: dict[str, Any]) -> dict[str, Any]:
    chosen = extra["validation_chosen"]
    return {
        "rule": fusion.rule,
        "text_prior_power": extra["prior_power"],
        "decision_power": extra["decision"]["power"],
        "weighted_f1": round(chosen["weighted_f1"], 4),
        "balanced_accuracy": round(chosen["balanced_accuracy"], 4),
        "image_only_weighted_f1": round(extra["validation_image_only"]["weighted_f1"], 4),
    }


def _arguments(bundle_dir: Path) -> dict[str, Any]:
    card = json.loads((bundle_dir / "model_card.json").read_text(encoding="utf-8"))
    return card["training"]["arguments"]


def analyse(bundle_dir: Path, val_path: Path, options: tuple[str, ...]) -> dict[str, Any]:
    """One bundle on ``val_path``'s cases with both inputs; its training manifest (from its
    card) gives the prior of the rows with an image."""
    bundle = load_bundle(bundle_dir)
    train_path = Path(_arguments(bundle_dir)["train"])
    val = to_class_codes(read_training_manifest(val_path), val_path, bundle.classes)
    train = to_class_codes(read_training_manifest(train_path), train_path, bundle.classes)
    paths = val["image_path"].astype(str).tolist()
    image_p = image_probabilities(bundle.image, paths, default_cache_dir())
    text_p = bundle.text.predict_proba(val["note"].tolist())
    prior = bundle.fusion.params.text_prior
    card = bundle.card["fusion"]
    both = ~np.isnan(image_p).any(axis=1) & ~np.isnan(text_p).any(axis=1)
    y = val["label"].map(bundle.codes.index).to_numpy()[both]
    out: dict[str, Any] = {
        "train": str(train_path),
        "validation_cases_with_both": int(both.sum()),
        "image_branch": _report(y, image_p[both], bundle),
        "text_branch": _report(y, text_p[both], bundle),
        "text_temperature": bundle.text.temperature_,
    }
    for option in options:
        fusion, extra, _ = select_fusion(
            image_p,
            text_p,
            val,
            bundle.classes,
            prior,
            requested="auto",
            **image_rows_fusion(option, train, bundle.codes),
        )
        entry = {"chosen": _chosen(fusion, extra), "rules": _rule_table(extra)}
        if option == "pooled":
            # The card's own choice is reproduced, or nothing below can be trusted.
            assert fusion.rule == card["rule"], (fusion.rule, card["rule"])
            assert extra["prior_power"] == card["prior_power"], extra["prior_power"]
        out[f"fusion ({option})"] = entry
    return out


def main(runs: Path, out: Path) -> None:
    ham_val = Path(_arguments(runs / "ham-fast")["val"])
    union_val = Path(_arguments(runs / "union")["val"])
    # The union's fusion was chosen on its validation rows with both inputs: exactly its
    # HAM10000 rows (PAD-UFES-20's have no image), the same cases as the HAM-only bundle's.
    frame = pd.read_csv(union_val, dtype=str, keep_default_na=False)
    ham_rows = union_val.with_name("val_ham10000.csv")  # beside it: relative image paths hold
    frame[frame["source"] == "ham10000"].to_csv(ham_rows, index=False)
    result = {
        "what": "HAM10000 validation cases only (789 images of 598 lesions); test side unread",
        "command": f"python scripts/union_validation.py {runs} {out}",
        "ham_only": analyse(runs / "ham-fast", ham_val, ("pooled",)),
        "union": analyse(runs / "union", ham_rows, IMAGE_ROWS),
    }
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
