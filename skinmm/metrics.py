"""Every figure the report and the dashboard show, computed once.

Labels and predictions are integer class indices into the bundle's class order. Weighted
averages weight each class by its support, as in the paper (primary metric: weighted F1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from skinmm.calibration import expected_calibration_error, reliability_table


def confusion(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts with true classes in rows and predicted classes in columns."""
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (np.asarray(y, dtype=int), np.asarray(pred, dtype=int)), 1)
    return matrix


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def per_class_prf(y: np.ndarray, pred: np.ndarray, n_classes: int) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and support per class (0 where undefined)."""
    matrix = confusion(y, pred, n_classes)
    tp = np.diag(matrix).astype(float)
    support = matrix.sum(axis=1)
    precision = _ratio(tp, matrix.sum(axis=0).astype(float))
    recall = _ratio(tp, support.astype(float))
    f1 = _ratio(2 * precision * recall, precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def _weighted(values: np.ndarray, support: np.ndarray) -> float:
    return float((values * support).sum() / support.sum()) if support.sum() else 0.0


def weighted_f1(y: np.ndarray, pred: np.ndarray, n_classes: int | None = None) -> float:
    n = n_classes or int(max(np.max(y), np.max(pred)) + 1)
    prf = per_class_prf(y, pred, n)
    return _weighted(prf["f1"], prf["support"])


def balanced_accuracy(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    """Mean recall over the classes present in ``y``."""
    prf = per_class_prf(y, pred, n_classes)
    present = prf["support"] > 0
    return float(prf["recall"][present].mean()) if present.any() else 0.0


def auc_per_class(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """One-vs-rest ROC AUC per class; NaN where a class has no positive or no negative case."""
    out = np.full(proba.shape[1], np.nan)
    for k in range(proba.shape[1]):
        positive = np.asarray(y) == k
        if 0 < positive.sum() < len(positive):
            out[k] = roc_auc_score(positive, proba[:, k])
    return out


def roc_points(y: np.ndarray, proba: np.ndarray, k: int, max_points: int = 200) -> dict[str, list]:
    """A thinned one-vs-rest ROC curve for plotting."""
    positive = np.asarray(y) == k
    if not 0 < positive.sum() < len(positive):
        return {"fpr": [], "tpr": []}
    fpr, tpr, _ = roc_curve(positive, proba[:, k])
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(max_points, len(fpr))).astype(int))
    return {"fpr": fpr[keep].round(4).tolist(), "tpr": tpr[keep].round(4).tolist()}


def brier(y: np.ndarray, proba: np.ndarray) -> float:
    """Multi-class Brier score: mean squared distance to the one-hot truth."""
    onehot = np.eye(proba.shape[1])[np.asarray(y, dtype=int)]
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def compensation(
    y: np.ndarray, wrong_branch: np.ndarray, right_branch: np.ndarray, n_classes: int
) -> np.ndarray:
    """Per class, the share of its cases that one branch gets wrong and the other gets right.

    ``compensation(y, image_pred, text_pred)`` is the paper's text-compensating-image value.
    """
    y = np.asarray(y, dtype=int)
    hit = (np.asarray(wrong_branch) != y) & (np.asarray(right_branch) == y)
    counts = np.bincount(y, weights=hit.astype(float), minlength=n_classes)
    return _ratio(counts, np.bincount(y, minlength=n_classes).astype(float))


def confused_pairs(
    y: np.ndarray, pred: np.ndarray, classes: Sequence[str], top: int = 5
) -> list[dict[str, Any]]:
    """The most frequent (true, predicted) mistakes, with their share of the true class."""
    matrix = confusion(y, pred, len(classes))
    support = matrix.sum(axis=1)
    pairs = [
        (int(matrix[i, j]), i, j)
        for i in range(len(classes))
        for j in range(len(classes))
        if i != j and matrix[i, j] > 0
    ]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return [
        {"true": classes[i], "predicted": classes[j], "count": n, "share": n / support[i]}
        for n, i, j in pairs[:top]
    ]


def classification_report(
    y: np.ndarray, proba: np.ndarray, classes: Sequence[str]
) -> dict[str, Any]:
    """All figures for one set of probabilities (one branch, or one fusion rule)."""
    y = np.asarray(y, dtype=int)
    proba = np.asarray(proba, dtype=np.float64)
    n = len(classes)
    pred = proba.argmax(axis=1)
    prf = per_class_prf(y, pred, n)
    aucs = auc_per_class(y, proba)
    support = prf["support"]
    return {
        "weighted_f1": _weighted(prf["f1"], support),
        "weighted_precision": _weighted(prf["precision"], support),
        "weighted_recall": _weighted(prf["recall"], support),
        "macro_f1": float(prf["f1"][support > 0].mean()) if (support > 0).any() else 0.0,
        "balanced_accuracy": balanced_accuracy(y, pred, n),
        "accuracy": float((pred == y).mean()) if len(y) else 0.0,
        "auc_macro": float(np.nanmean(aucs)) if not np.isnan(aucs).all() else float("nan"),
        "ece": expected_calibration_error(proba, y) if len(y) else float("nan"),
        "brier": brier(y, proba) if len(y) else float("nan"),
        "per_class": {
            c: {
                "precision": float(prf["precision"][k]),
                "recall": float(prf["recall"][k]),
                "f1": float(prf["f1"][k]),
                "support": int(support[k]),
                "auc": None if np.isnan(aucs[k]) else float(aucs[k]),
            }
            for k, c in enumerate(classes)
        },
        "confusion": confusion(y, pred, n).tolist(),
        "confused_pairs": confused_pairs(y, pred, classes),
        "roc": {c: roc_points(y, proba, k) for k, c in enumerate(classes)},
        "reliability": reliability_table(proba, y),
    }


def per_class_dict(values: np.ndarray, classes: Sequence[str]) -> dict[str, float]:
    return {c: float(v) for c, v in zip(classes, values, strict=True)}


def agreement_rate(image_pred: np.ndarray, text_pred: np.ndarray) -> float:
    """Share of cases whose two branches name the same top class."""
    return (
        float((np.asarray(image_pred) == np.asarray(text_pred)).mean()) if len(image_pred) else 0.0
    )
