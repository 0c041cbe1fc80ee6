"""The malignancy triage operating point: refer a case when its malignant share is high.

Besides the most likely diagnosis, a bundle carries one threshold on the *triage score*, the
summed probability of the malignant and premalignant classes (the taxonomy's risk levels).
The threshold is set on the validation groups so that at least ``TARGET_SENSITIVITY`` of
their malignant and premalignant cases are referred; the test split only measures it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from skinmm.metrics import binary_sens_spec, risk_score
from skinmm.taxonomy import DatasetClass, Risk

TARGET_SENSITIVITY = 0.90


def risk_classes(classes: Sequence[DatasetClass]) -> list[int]:
    """Indices of the malignant and premalignant classes, in the bundle's order."""
    return [k for k, c in enumerate(classes) if c.risk is not Risk.BENIGN]


def choose_threshold(
    y: np.ndarray, score: np.ndarray, positive: Sequence[int], target: float = TARGET_SENSITIVITY
) -> float:
    """The highest threshold whose referrals (``score >= threshold``) find at least ``target``
    of the positive cases: the ``ceil(target * P)``-th highest score among the P positives.

    The highest such threshold refers the fewest benign cases for that sensitivity.
    """
    is_pos = np.isin(np.asarray(y, dtype=int), list(positive))
    scores = np.sort(np.asarray(score, dtype=np.float64)[is_pos])[::-1]
    if not len(scores):
        raise ValueError(
            "The validation split has no malignant or premalignant case, so no triage "
            "threshold can be set; use a validation split that holds some."
        )
    needed = max(1, math.ceil(target * len(scores) - 1e-9))
    return float(scores[needed - 1])


def operating_point(
    y: np.ndarray,
    proba: np.ndarray,
    classes: Sequence[DatasetClass],
    target: float = TARGET_SENSITIVITY,
) -> dict[str, Any]:
    """The triage block of a model card, chosen on validation probabilities ``proba``."""
    positive = risk_classes(classes)
    score = risk_score(proba, positive)
    threshold = choose_threshold(y, score, positive, target)
    sens, spec = binary_sens_spec(y, score >= threshold, positive)
    return {
        "classes": [classes[k].code for k in positive],
        "threshold": round(threshold, 6),
        "target_sensitivity": target,
        "validation": {"sensitivity": sens, "specificity": spec, "n_cases": len(y)},
    }


def verdict(card_triage: dict[str, Any] | None, codes: Sequence[str], fused: np.ndarray) -> dict:
    """``{score, refer, threshold}`` for one case's fused probabilities; None without a point."""
    if not card_triage:
        return {"score": None, "refer": None, "threshold": None}
    positive = [codes.index(c) for c in card_triage["classes"] if c in codes]
    score = float(np.asarray(fused, dtype=np.float64)[positive].sum())
    threshold = float(card_triage["threshold"])
    return {"score": round(score, 6), "refer": score >= threshold, "threshold": threshold}


def prediction_verdict(
    classes: Sequence[DatasetClass], fused: np.ndarray, card_triage: dict[str, Any] | None
) -> dict[str, Any]:
    """``{score, refer, threshold}`` from a prediction's own classes and risk levels.

    A stored case keeps its classes, so its score never needs the bundle; the threshold does,
    and is None (no verdict) when the bundle that made the prediction is not the one given.
    """
    positive = risk_classes(classes)
    score = round(float(np.asarray(fused, dtype=np.float64)[positive].sum()), 6)
    if not card_triage or card_triage.get("threshold") is None:
        return {"score": score, "refer": None, "threshold": None}
    threshold = float(card_triage["threshold"])
    return {"score": score, "refer": score >= threshold, "threshold": threshold}


def test_figures(report: dict[str, Any] | None) -> dict[str, Any]:
    """The triage point's sensitivity and specificity on the test split, with intervals,
    from a bundle's metrics.json (empty where the bundle has no report)."""
    triage = (report or {}).get("triage") or {}
    return {k: triage.get(k) for k in ("sensitivity", "specificity", "ci", "n_cases")}
