"""docs/results/union.json: the HAM10000 + PAD-UFES-20 union bundle against single-source models.

Every figure is recomputed from the per-case predictions that scripts/union_run.sh's runs
wrote, with grouped-bootstrap 95% intervals (skinmm.metrics, 1000 replicates, seed 0); each
comparison is a paired difference on the same replicates. The point estimates are checked
against each evaluation's own metrics.json, so the two cannot disagree:
    python scripts/union_results.py runs docs/results/union.json
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skinmm.metrics import (
    Statistic,
    bootstrap,
    interval,
    paired_difference,
    report_statistic,
)
from skinmm.taxonomy import TAXONOMY_CLASSES, DatasetClass, class_from_dict, label_mapper
from skinmm.triage import risk_classes

# Issue 18's targets: the union within these of the single-source models.
TOLERANCE = {"ham10000": 0.01, "pad_ufes_20": 0.02}
HAM_FIGURES = ("weighted_f1", "balanced_accuracy", "recall/mel")
HAM_FIGURES += ("malignant_sensitivity", "malignant_specificity")
PAD_FIGURES = ("weighted_f1", "balanced_accuracy", "recall/scc")
PAD_FIGURES += ("malignant_sensitivity", "malignant_specificity")


@dataclass(frozen=True)
class Scored:
    """One model's hard predictions on a test side, in its own classes."""

    name: str
    case_id: np.ndarray
    y: np.ndarray
    pred: np.ndarray
    classes: tuple[DatasetClass, ...]
    reference: dict[str, Any]  # the run's own report, for the cross-check


def _classes(bundle: Path) -> tuple[DatasetClass, ...]:
    return tuple(class_from_dict(c) for c in _json(bundle / "model_card.json")["classes"])


def read_predictions(path: Path, source: str | None = None) -> pd.DataFrame:
    """A predictions.csv; with ``source``, that source's rows of a merged test side, their
    case ids without the ``source:`` prefix `skinmm merge` gave them."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if source is None:
        return frame
    prefix = f"{source}:"
    frame = frame[frame["case_id"].str.startswith(prefix)].copy()
    frame["case_id"] = frame["case_id"].str.removeprefix(prefix)
    return frame


def _scored(
    name: str, frame: pd.DataFrame, column: str, classes: tuple[DatasetClass, ...], ref: dict
) -> Scored:
    frame = frame[frame[column] != ""]
    codes = [c.code for c in classes]
    mapping = label_mapper(classes)
    index = {c: k for k, c in enumerate(codes)}
    y = frame["label"].map(mapping).map(index)
    keep = y.notna()  # labels the bundle cannot map are reported by evaluate as unmapped
    return Scored(
        name,
        frame.loc[keep, "case_id"].to_numpy(),
        y[keep].astype(int).to_numpy(),
        frame.loc[keep, column].map(index).astype(int).to_numpy(),
        classes,
        ref,
    )


def _statistic(s: Scored, order: np.ndarray) -> Statistic:
    rows = pd.Series(np.arange(len(s.case_id)), index=s.case_id).loc[order].to_numpy()
    onehot = np.eye(len(s.classes))[s.pred[rows]]
    codes = [c.code for c in s.classes]
    positive = risk_classes(s.classes)
    return report_statistic(s.y[rows], onehot, codes, np.arange(len(rows)), positive)


def _estimate(statistic: Any, n: int) -> dict[str, float]:
    return statistic(np.ones(n))


def _check(s: Scored, estimate: dict[str, float]) -> None:
    """The recomputed figures equal the run's own report (same cases, same decisions)."""
    ref = s.reference
    assert ref["n_cases"] == len(s.y), (s.name, ref["n_cases"], len(s.y))
    for key in ("weighted_f1", "balanced_accuracy", "malignant_sensitivity"):
        assert abs(ref[key] - estimate[key]) < 1e-9, (s.name, key, ref[key], estimate[key])


def compare(a: Scored, b: Scored, figures: tuple[str, ...], tolerance: float) -> dict[str, Any]:
    """Each figure of ``a`` and ``b`` with intervals, and ``a - b`` paired, on shared cases."""
    shared = np.intersect1d(a.case_id, b.case_id)
    stats = {a.name: _statistic(a, shared), b.name: _statistic(b, shared)}
    estimates = {name: _estimate(st, len(shared)) for name, st in stats.items()}
    draws = bootstrap(stats, shared, n_boot=1000, seed=0)
    out: dict[str, Any] = {"n_cases": len(shared)}
    for figure in figures:
        row: dict[str, Any] = {}
        for name in stats:
            value = estimates[name][figure]
            row[name] = {"value": round(value, 4), "ci": interval(draws[name][figure])}
        diff = paired_difference(
            estimates[a.name][figure],
            estimates[b.name][figure],
            draws[a.name][figure],
            draws[b.name][figure],
        )
        # The targets bound what the union may lose; a gain is within them.
        diff["within_target"] = bool(diff["difference"] >= -tolerance)
        row[f"{a.name}_minus_{b.name}"] = diff
        out[figure] = row
    return out


def settings(runs: Path) -> str:
    """What both bundles were trained with, read from their model cards (so it cannot
    disagree with the run)."""
    cards = {name: _json(runs / name / "model_card.json")["training"] for name in BUNDLES}
    ham, union = cards["ham-fast"], cards["union"]
    args = ham["arguments"]
    assert {k: v for k, v in args.items() if k not in ("train", "val", "out")} == {
        k: v for k, v in union["arguments"].items() if k not in ("train", "val", "out")
    }, "the two bundles were trained with different settings"
    params = ", ".join(f"{k}={v}" for k, v in args["image_params"].items()) or "none"
    return (
        f"Both bundles: --recipe {args['recipe']} (extra image params: {params}), no "
        f"input-scope gate (--no-scope: the gate is the same for both and not compared), "
        f"trained on the same {ham['n_train_rows']:,} HAM10000 training images "
        f"({args['train']}); the union adds PAD-UFES-20's "
        f"{union['n_train_rows'] - ham['n_train_rows']:,} training notes as text-only rows. "
        "Figures on the whole HAM10000 test side (1,494 cases, one per lesion) and "
        "PAD-UFES-20's (275 patients). The union's HAM10000 figures are in its own classes: "
        "an HAM10000 case it calls scc counts as an error. malignant_sensitivity and "
        "malignant_specificity count the malignant and premalignant classes together "
        "(skinmm.triage.risk_classes: akiec, bcc, mel, scc). Intervals: grouped bootstrap 95%, "
        "1000 replicates, seed 0; differences paired."
    )


BUNDLES = ("ham-fast", "union")
# Lines of union_run.sh that set variables or branch, not commands that made a figure.
CONTROL = ("S=", "SHARE=", "FAST=", "for ", "echo ", "if ", "else", "fi", "HAM_TRAIN=")


def _commands(runs: Path) -> list[str]:
    """The commands that made these figures: scripts/union_run.sh's lines, in order, with
    the settings the bundles' cards record."""
    script = Path(__file__).with_name("union_run.sh").read_text(encoding="utf-8")
    args = _json(runs / "union" / "model_card.json")["training"]["arguments"]
    ham_train = _json(runs / "ham-fast" / "model_card.json")["training"]["arguments"]["train"]
    fast = f"--recipe {args['recipe']} --no-scope" + "".join(
        f" --image-param {k}={v}" for k, v in args["image_params"].items()
    )
    commands = []
    for raw in script.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "set ", "export ", *CONTROL)):
            continue
        if line.startswith("python scripts/group_sample.py") and "sub/" not in ham_train:
            continue
        # The share is not in the cards: UNION_SHARE, as union_run.sh was given it.
        line = line.replace('"$SHARE"', os.environ.get("UNION_SHARE", "1"))
        line = line.replace('"$HAM_TRAIN"', ham_train)
        line = line.replace("$HAM_TRAIN", ham_train).replace("$FAST", fast)
        commands.append(line.replace("$S", "skinmm"))
    return commands


def label(runs: Path) -> str:
    """A short name for this run among the file's runs."""
    args = _json(runs / "union" / "model_card.json")["training"]["arguments"]
    n = _json(runs / "ham-fast" / "model_card.json")["training"]["n_train_rows"]
    params = ", ".join(f"{k}={v}" for k, v in args["image_params"].items()) or "as documented"
    return f"--recipe {args['recipe']} ({params}), {n:,} HAM10000 training images"


def earlier_runs(out: Path, current: str) -> list[dict[str, Any]]:
    """The runs the file held before, under other settings, kept and labelled as earlier."""
    if not out.is_file():
        return []
    previous = _json(out)
    kept = previous.pop("earlier_runs", [])
    if previous.get("settings") != current:
        label = previous.pop("label", f"earlier run: {previous.get('settings')}")
        kept.append({"label": label, **previous})
    return kept


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _pad_text_classes(report: dict[str, Any]) -> tuple[DatasetClass, ...]:
    """The text-only PAD-UFES-20 model's classes, in its report's order (taxonomy codes)."""
    by_code = {c.code: c for c in TAXONOMY_CLASSES}
    return tuple(by_code[code] for code in report["per_class"])


def _called(s: Scored, code: str) -> dict[str, Any]:
    """How many cases a model calls ``code``: for the union, SCC on HAM10000 test cases (a
    class HAM10000 lacks, learnt from PAD-UFES-20 notes alone)."""
    k = [c.code for c in s.classes].index(code)
    return {"cases": int((s.pred == k).sum()), "of": len(s.pred)}


def figures(s: Scored, names: tuple[str, ...]) -> dict[str, Any]:
    """One model's figures with their intervals (where there is nothing to compare yet)."""
    stat = _statistic(s, s.case_id)
    estimate = _estimate(stat, len(s.case_id))
    _check(s, estimate)
    draws = bootstrap({s.name: stat}, s.case_id, n_boot=1000, seed=0)[s.name]
    out: dict[str, Any] = {"n_cases": len(s.case_id)}
    for name in names:
        out[name] = {"value": round(estimate[name], 4), "ci": interval(draws[name])}
    return out


def single_sources(runs: Path) -> dict[str, Any]:
    """The HAM-only bundle and the text-only PAD-UFES-20 model alone."""
    classes = _classes(runs / "ham-fast")
    report = _json(runs / "eval" / "ham-fast-on-ham" / "metrics.json")
    frame = read_predictions(runs / "eval" / "ham-fast-on-ham" / "predictions.csv")
    pad_report = _json(runs / "pad-text" / "test_report.json")
    pad = _scored(
        "pad_text_only",
        read_predictions(runs / "pad-text" / "predictions.csv"),
        "text_pred",
        _pad_text_classes(pad_report),
        pad_report,
    )
    return {
        "ham10000_test_ham_only": {
            b: figures(_scored("ham_only", frame, f"{b}_pred", classes, report[b]), HAM_FIGURES)
            for b in ("image", "text", "fused")
        },
        "pad_ufes_20_test_pad_text_only": figures(pad, PAD_FIGURES),
    }


NAMES = {
    "weighted_f1": "weighted F1",
    "balanced_accuracy": "balanced accuracy",
    "recall/mel": "melanoma recall",
    "recall/scc": "SCC recall",
    "malignant_sensitivity": "malignant + premalignant sensitivity",
    "malignant_specificity": "malignant + premalignant specificity",
}


def _cell(entry: dict[str, Any]) -> str:
    lo, hi = entry["ci"]
    return f"{entry['value']:.3f} ({lo:.3f}–{hi:.3f})"


def _difference(entry: dict[str, Any]) -> str:
    lo, hi = entry["ci"]
    text = f"{entry['difference']:+.3f} ({lo:+.3f} to {hi:+.3f})"
    return text if entry["within_target"] else f"{text} **missed**"


def markdown(result: dict[str, Any]) -> str:
    """The README's union table, from the result (so the two cannot disagree)."""
    lines = [
        "| test side | figure | union | single source | union − single (paired 95% CI) |",
        "|---|---|---|---|---|",
    ]
    sides = [
        (
            f"HAM10000 test ({result['ham10000_test'][b]['n_cases']}), {b}",
            result["ham10000_test"][b],
        )
        for b in ("fused", "image")
    ]
    pad = result["pad_ufes_20_test_text_only"]
    sides.append((f"PAD-UFES-20 test ({pad['n_cases']}), text", pad))
    for side, figures in sides:
        for figure, name in NAMES.items():
            if figure not in figures:
                continue
            row = figures[figure]
            union, single, diff = (row[k] for k in row)
            lines.append(
                f"| {side} | {name} | {_cell(union)} | {_cell(single)} | {_difference(diff)} |"
            )
    return "\n".join(lines)


def main(runs: Path, out: Path) -> None:
    if not (runs / "union" / "report" / "metrics.json").is_file():
        result = {
            "status": "incomplete: the union bundle's run had not finished; these are the "
            "single-source figures it is compared with",
            "commands": _commands(runs),
            "settings": settings(runs),
            **single_sources(runs),
            "earlier_runs": earlier_runs(out, settings(runs)),
        }
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=1))
        return
    union_classes, ham_classes = _classes(runs / "union"), _classes(runs / "ham-fast")
    union = _json(runs / "union" / "report" / "metrics.json")
    ham_only = _json(runs / "eval" / "ham-fast-on-ham" / "metrics.json")
    pad_report = _json(runs / "pad-text" / "test_report.json")
    union_predictions = runs / "union" / "report" / "predictions.csv"

    def checked(s: Scored) -> Scored:
        _check(s, _estimate(_statistic(s, s.case_id), len(s.case_id)))
        return s

    def union_on(source: str, branch: str) -> Scored:
        frame = read_predictions(union_predictions, source)
        ref = union["by_source"][source][branch]
        return checked(_scored("union", frame, f"{branch}_pred", union_classes, ref))

    ham_frame = read_predictions(runs / "eval" / "ham-fast-on-ham" / "predictions.csv")
    ham = {
        branch: compare(
            union_on("ham10000", branch),
            checked(
                _scored("ham_only", ham_frame, f"{branch}_pred", ham_classes, ham_only[branch])
            ),
            HAM_FIGURES,
            TOLERANCE["ham10000"],
        )
        for branch in ("image", "text", "fused")
    }
    pad_frame = read_predictions(runs / "pad-text" / "predictions.csv")
    pad_text = _scored(
        "pad_text_only", pad_frame, "text_pred", _pad_text_classes(pad_report), pad_report
    )
    current = settings(runs)
    result = {
        "label": label(runs),
        "commands": _commands(runs),
        "settings": current,
        "ham10000_test": ham,
        "ham10000_fusion_rule": {"union": union["rule"], "ham_only": ham_only["rule"]},
        "ham10000_cases_called_scc_by_the_union": _called(union_on("ham10000", "fused"), "scc"),
        "pad_ufes_20_test_text_only": compare(
            union_on("pad-ufes-20", "text"),
            checked(pad_text),
            PAD_FIGURES,
            TOLERANCE["pad_ufes_20"],
        ),
        "union_classes": [c.code for c in union_classes],
        "union_test_cases_by_source": {
            source: m["n_cases"] for source, m in union["by_source"].items()
        },
        "union_test_unmapped": union["unmapped"],
        "earlier_runs": earlier_runs(out, current),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    print(markdown(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
