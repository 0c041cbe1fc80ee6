"""Split-conformal, class-conditional (Mondrian) prediction sets over a bundle's probabilities.

Calibrated on the validation groups with ``crepes``: the nonconformity of class ``c`` for a
case is ``1 - p_c``, and the calibration scores are binned by the true class, so coverage
holds for each class on its own, not only on average (a rare melanoma is not traded for a
common nevus). What the card stores is, per level and class, the largest nonconformity that
crepes still admits into a set (non-smoothed p-value at least ``1 - level``): forming a set
then needs no calibration data, and gives exactly crepes' sets.

Coverage holds for cases exchangeable with the calibration cases, not under a shift such as
a new clinic, camera or population.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from crepes import ConformalClassifier

LEVELS: tuple[float, ...] = (0.8, 0.9, 0.95)
DEFAULT_LEVEL = 0.9
BRANCHES = ("image", "text", "fused")
CAVEAT = (
    "Coverage holds for cases like the calibration cases (the validation groups); it is not "
    "guaranteed under a shift such as a new clinic, camera or patient population."
)
# A class with no calibration case cannot be bounded; it always stays in the set.
ALWAYS = 1.0


def level_key(level: float) -> str:
    return f"{level:g}"


def nonconformity(proba: np.ndarray) -> np.ndarray:
    return 1.0 - np.asarray(proba, dtype=float)


def fit_classifier(proba: np.ndarray, y: np.ndarray) -> ConformalClassifier:
    """crepes' Mondrian conformal classifier, binned by the true class."""
    # Imported here: crepes imports pandas, scipy.stats and scikit-learn (about a second at
    # start-up), and forming a set from the card's thresholds never needs it.
    from crepes import ConformalClassifier

    scores = nonconformity(proba)[np.arange(len(y)), y]
    return ConformalClassifier().fit(scores, bins=np.asarray(y))


def class_thresholds(
    proba: np.ndarray, y: np.ndarray, levels: Sequence[float] = LEVELS
) -> dict[str, list[float]]:
    """Per level, each class's largest admitted nonconformity, from crepes' p-values.

    The non-smoothed p-value is a step function of the score that only drops at the
    calibration scores, so the largest calibration score crepes admits bounds the set exactly.
    """
    proba, y = np.asarray(proba, dtype=float), np.asarray(y, dtype=int)
    if proba.ndim != 2 or len(proba) != len(y):
        raise ValueError("Give one probability row per label.")
    classifier = fit_classifier(proba, y)
    scores = nonconformity(proba)[np.arange(len(y)), y]
    out: dict[str, list[float]] = {}
    for level in levels:
        row = []
        for c in range(proba.shape[1]):
            own = np.unique(scores[y == c])
            if own.size == 0:
                row.append(ALWAYS)
                continue
            p = classifier.predict_p(own, bins=np.full(own.size, c), smoothing=False)
            row.append(float(own[p >= 1 - level].max()))
        out[level_key(level)] = row
    return out


def prediction_sets(proba: np.ndarray, thresholds: Sequence[float] | np.ndarray) -> np.ndarray:
    """Boolean membership (n, n_classes); a row without probabilities gets an empty set."""
    proba = np.atleast_2d(np.asarray(proba, dtype=float))
    member = nonconformity(proba) <= np.asarray(thresholds, dtype=float)[None, :]
    return member & ~np.isnan(proba).any(axis=1, keepdims=True)


def calibrate(
    probas: Mapping[str, np.ndarray], y: np.ndarray, codes: Sequence[str]
) -> dict[str, Any]:
    """The card's ``conformal`` block: thresholds per branch, level and class.

    ``probas`` maps a branch (``image``, ``text``, ``fused``) to its validation
    probabilities; rows with NaN (no input for that branch) are left out of its calibration.
    """
    from crepes import __version__ as crepes_version

    y = np.asarray(y, dtype=int)
    thresholds, counts = {}, {}
    for branch, proba in probas.items():
        present = ~np.isnan(proba).any(axis=1)
        by_level = class_thresholds(proba[present], y[present])
        thresholds[branch] = {
            key: dict(zip(codes, row, strict=True)) for key, row in by_level.items()
        }
        counts[branch] = {code: int(((y == k) & present).sum()) for k, code in enumerate(codes)}
    return {
        "method": "split conformal, class-conditional (Mondrian by true class), "
        "nonconformity 1 - p, non-smoothed p-values",
        "library": f"crepes {crepes_version}",
        "calibration": "the validation groups",
        "levels": list(LEVELS),
        "default_level": DEFAULT_LEVEL,
        "caveat": CAVEAT,
        "n_calibration": counts,
        "thresholds": thresholds,
    }


def thresholds_of(
    block: Mapping[str, Any] | None, branch: str, level: float, codes: Sequence[str]
) -> np.ndarray | None:
    """A branch's thresholds at ``level`` from a card's block, in ``codes`` order; None if
    the card has none (a bundle calibrated before conformal sets existed)."""
    if not block:
        return None
    table = (block.get("thresholds") or {}).get(branch, {}).get(level_key(level))
    if table is None:
        return None
    return np.array([table.get(code, ALWAYS) for code in codes], dtype=float)


def branch_for_mode(mode: str) -> str:
    """Whose calibration a case's fused row follows: the fallback rows are one branch's."""
    return {"image-only": "image", "text-only": "text"}.get(mode, "fused")


def sets_by_mode(
    block: Mapping[str, Any] | None,
    proba: np.ndarray,
    modes: Sequence[str] | np.ndarray,
    codes: Sequence[str],
    level: float = DEFAULT_LEVEL,
) -> np.ndarray | None:
    """Sets for fused rows, each row under the calibration of the branch that produced it."""
    out = np.zeros(np.shape(proba), dtype=bool)
    mode_of = np.asarray(modes)
    for mode in np.unique(mode_of):
        thresholds = thresholds_of(block, branch_for_mode(str(mode)), level, codes)
        if thresholds is None:
            return None
        rows = mode_of == mode
        out[rows] = prediction_sets(proba[rows], thresholds)
    return out
