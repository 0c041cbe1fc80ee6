"""The input-scope part of `skinmm evaluate`: every case's verdict, and the main figures on
the cases the gate lets through.

No case is ever dropped for its verdict: the main report covers every case, and this block
adds the counts per verdict and the same figures restricted to in-scope cases, with grouped
bootstrap intervals from :mod:`skinmm.metrics`, beside the figures on all cases.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skinmm.fusion import fuse
from skinmm.metrics import (
    N_BOOTSTRAP,
    bootstrap,
    classification_report,
    intervals,
    report_statistic,
)
from skinmm.scope import VERDICTS, cached_features, quality_scores, verdicts
from skinmm.triage import risk_classes

NO_IMAGE = ""  # the verdict column of a row without an image: the gate had nothing to check
MAIN_FIGURES = (
    "weighted_f1",
    "balanced_accuracy",
    "malignant_sensitivity",
    "malignant_specificity",
)
MELANOMA = "mel"


def case_verdicts(
    bundle: Any, paths: Sequence[str], cache_dir: Path | None, progress: bool = True
) -> list[str]:
    """The bundle's gate verdict for each row (:data:`NO_IMAGE` where there is no image).

    Reads the same identity-view pooled features the app's prediction gives the gate, from
    the per-file feature cache, and each image's quality scores.
    """
    from skinmm.image.io import load_image

    out = [NO_IMAGE] * len(paths)
    rows = [i for i, path in enumerate(paths) if path]
    if bundle.scope is None or not rows:
        return out

    def log(message: str) -> None:
        if progress:
            print(f"scope {message}", file=sys.stderr, flush=True)

    features = cached_features(bundle.image, [paths[i] for i in rows], cache_dir, log)
    quality = [quality_scores(load_image(paths[i])) for i in rows]
    for i, verdict in zip(rows, verdicts(bundle.scope, features, quality), strict=True):
        out[i] = verdict
    return out


def _figures(report: dict[str, Any], draws: dict[str, np.ndarray]) -> dict[str, Any]:
    """The main figures of one report, each with its 95% interval."""
    ci = intervals(draws)
    out: dict[str, Any] = {"n_cases": report["n_cases"]}
    for figure in MAIN_FIGURES:
        out[figure] = report.get(figure)
        out.setdefault("ci", {})[figure] = ci.get(figure)
    mel = (report.get("per_class") or {}).get(MELANOMA)
    if mel is not None:
        out["melanoma_recall"] = mel["recall"] if report["n_cases"] else None
        out["ci"]["melanoma_recall"] = ci.get(f"recall/{MELANOMA}")
    return out


def scope_report(
    bundle: Any,
    frame: pd.DataFrame,
    image_p: np.ndarray,
    text_p: np.ndarray,
    case_verdict: Sequence[str],
    *,
    n_boot: int = N_BOOTSTRAP,
    seed: int = 0,
    progress: bool = False,
) -> dict[str, Any] | None:
    """metrics.json's ``scope``: counts per verdict and the default decision's main figures
    on in-scope cases and on all cases; None for a bundle without a gate."""
    if bundle.scope is None:
        return None
    codes = bundle.codes
    positive = risk_classes(bundle.classes)
    y = frame["label"].map({c: i for i, c in enumerate(codes)}).to_numpy(dtype=int)
    fused = fuse(image_p, text_p, bundle.fusion.rule, bundle.fusion.params).proba
    named = np.asarray(case_verdict, dtype=object)
    rows = {"in_scope": named == "in_scope", "all_cases": np.ones(len(y), dtype=bool)}
    reports = {k: classification_report(y[r], fused[r], codes, positive) for k, r in rows.items()}
    statistics = {
        k: report_statistic(y, fused, codes, r, positive) for k, r in rows.items() if r.any()
    }
    groups = frame["group_id"].astype(str).to_numpy()
    draws = bootstrap(statistics, groups, n_boot, seed, progress)
    counts = {v: int((named == v).sum()) for v in VERDICTS}
    return {
        "verdicts": counts,
        "no_image": int((named == NO_IMAGE).sum()),
        "n_cases": len(y),
        "in_scope_share": counts["in_scope"] / len(y) if len(y) else None,
        "decision": "the bundle's default decision (fused, with the per-case fallback)",
        "gate_fingerprint": bundle.scope.info.get("data_fingerprint"),
        "distance_threshold": bundle.scope.thresholds.get("distance"),
        **{k: _figures(reports[k], draws.get(k, {})) for k in rows},
    }
