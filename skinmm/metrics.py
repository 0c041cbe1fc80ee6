"""Every figure the report and the dashboard show, computed once.

Labels and predictions are integer class indices into the bundle's class order. The figures
of hard predictions have one definition each, in :func:`label_scores`; the report, the model
card, cross-validation, validation and the live figures of the case history all call it:

- weighted F1 (the paper's primary metric): per-class F1 weighted by the class's support;
- macro F1: the unweighted mean F1 over the classes present in the truth *or* the
  predictions (scikit-learn's ``average="macro"``). A class predicted but absent from the
  truth counts with F1 0: predicting a class that is not there costs something. Averaging
  over the true classes only would hide that (0.833 instead of 0.556 on y=[0,0,1,1],
  pred=[0,2,1,1]);
- balanced accuracy: the mean recall over the classes present in the truth (scikit-learn's
  ``balanced_accuracy_score``); a class that is never true has no recall;
- accuracy: the share of cases whose prediction is the truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

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


def _macro(values: np.ndarray, among: np.ndarray) -> float:
    return float(values[among].mean()) if among.any() else 0.0


def _scores_of(prf: dict[str, np.ndarray], y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    support = prf["support"]
    named = support + np.bincount(pred, minlength=len(support)) > 0
    return {
        "weighted_f1": _weighted(prf["f1"], support),
        "macro_f1": _macro(prf["f1"], named),
        "balanced_accuracy": _macro(prf["recall"], support > 0),
        "accuracy": float((pred == y).mean()) if len(y) else 0.0,
    }


def label_scores(y: np.ndarray, pred: np.ndarray, n_classes: int) -> dict[str, float]:
    """Weighted F1, macro F1, balanced accuracy and accuracy of hard predictions.

    The one definition of each (see the module's docstring); every caller that shows or
    selects on one of these figures gets it from here.
    """
    y, pred = np.asarray(y, dtype=int), np.asarray(pred, dtype=int)
    return _scores_of(per_class_prf(y, pred, n_classes), y, pred)


def weighted_f1(y: np.ndarray, pred: np.ndarray, n_classes: int | None = None) -> float:
    n = n_classes or int(max(np.max(y), np.max(pred)) + 1)
    return label_scores(y, pred, n)["weighted_f1"]


def balanced_accuracy(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    """Mean recall over the classes present in ``y``."""
    return label_scores(y, pred, n_classes)["balanced_accuracy"]


def macro_f1(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    """Mean F1 over the classes present in ``y`` or ``pred``."""
    return label_scores(y, pred, n_classes)["macro_f1"]


def auc_per_class(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """One-vs-rest ROC AUC per class; NaN where a class has no positive or no negative case."""
    from sklearn.metrics import roc_auc_score  # here: seconds to import, never used to predict

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
    from sklearn.metrics import roc_curve

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


def binary_sens_spec(
    y: np.ndarray, flagged: np.ndarray, positive: Sequence[int]
) -> tuple[float | None, float | None]:
    """Sensitivity on the cases whose true class is in ``positive``, specificity on the rest.

    ``flagged`` is a boolean per case (predicted class in ``positive``, or triage referral);
    None where a side has no case.
    """
    is_pos = np.isin(np.asarray(y, dtype=int), list(positive))
    flagged = np.asarray(flagged, dtype=bool)
    sens = float(flagged[is_pos].mean()) if is_pos.any() else None
    spec = float((~flagged[~is_pos]).mean()) if (~is_pos).any() else None
    return sens, spec


def risk_score(proba: np.ndarray, positive: Sequence[int]) -> np.ndarray:
    """The summed probability of the ``positive`` (malignant + premalignant) classes."""
    return np.asarray(proba, dtype=np.float64)[:, list(positive)].sum(axis=1)


def triage_curve(
    y: np.ndarray, score: np.ndarray, positive: Sequence[int], max_points: int = 200
) -> dict[str, list[float]]:
    """Sensitivity and specificity of ``score >= threshold`` over every threshold, thinned."""
    is_pos = np.isin(np.asarray(y, dtype=int), list(positive))
    if not 0 < is_pos.sum() < len(is_pos):
        return {"threshold": [], "sensitivity": [], "specificity": []}
    from sklearn.metrics import roc_curve

    fpr, tpr, thresholds = roc_curve(is_pos, score)
    keep = np.unique(np.linspace(1, len(fpr) - 1, min(max_points, len(fpr) - 1)).astype(int))
    return {
        "threshold": np.clip(thresholds[keep], 0, 1).round(6).tolist(),
        "sensitivity": tpr[keep].round(4).tolist(),
        "specificity": (1 - fpr[keep]).round(4).tolist(),
    }


def classification_report(
    y: np.ndarray,
    proba: np.ndarray,
    classes: Sequence[str],
    positive: Sequence[int] = (),
) -> dict[str, Any]:
    """All figures for one set of probabilities (one branch, or one fusion rule).

    ``positive`` names the malignant and premalignant classes: the report then also holds
    the sensitivity for them (a case of one counts as found when the top class is any of
    them) and the specificity on the other cases. With no case, every figure is None and
    ``n_cases`` is 0: nothing was evaluated, which is not the same as scoring 0.
    """
    y = np.asarray(y, dtype=int)
    proba = np.asarray(proba, dtype=np.float64)
    n = len(classes)
    if len(y) == 0:
        return _empty_report(classes)
    pred = proba.argmax(axis=1)
    prf = per_class_prf(y, pred, n)
    aucs = auc_per_class(y, proba)
    support = prf["support"]
    sens, spec = binary_sens_spec(y, np.isin(pred, list(positive)), positive)
    scores = _scores_of(prf, y, pred)
    return {
        "n_cases": len(y),
        "malignant_sensitivity": sens,
        "malignant_specificity": spec,
        "weighted_f1": scores["weighted_f1"],
        "weighted_precision": _weighted(prf["precision"], support),
        "weighted_recall": _weighted(prf["recall"], support),
        "macro_f1": scores["macro_f1"],
        "balanced_accuracy": scores["balanced_accuracy"],
        "accuracy": scores["accuracy"],
        "auc_macro": float(np.nanmean(aucs)) if not np.isnan(aucs).all() else float("nan"),
        "ece": expected_calibration_error(proba, y),
        "brier": brier(y, proba),
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


FIGURES: tuple[str, ...] = ("weighted_f1", "weighted_precision", "weighted_recall", "macro_f1")
FIGURES += ("balanced_accuracy", "accuracy", "auc_macro", "ece", "brier")


def _empty_report(classes: Sequence[str]) -> dict[str, Any]:
    n = len(classes)
    per_class = dict.fromkeys(("precision", "recall", "f1", "auc"))
    return {
        "n_cases": 0,
        "malignant_sensitivity": None,
        "malignant_specificity": None,
        **dict.fromkeys(FIGURES),
        "per_class": {c: {**per_class, "support": 0} for c in classes},
        "confusion": np.zeros((n, n), dtype=int).tolist(),
        "confused_pairs": [],
        "roc": {c: {"fpr": [], "tpr": []} for c in classes},
        "reliability": [],
    }


def per_class_dict(values: np.ndarray, classes: Sequence[str]) -> dict[str, float]:
    return {c: float(v) for c, v in zip(classes, values, strict=True)}


def agreement_rate(image_pred: np.ndarray, text_pred: np.ndarray) -> float:
    """Share of cases whose two branches name the same top class."""
    return (
        float((np.asarray(image_pred) == np.asarray(text_pred)).mean()) if len(image_pred) else 0.0
    )


# ----------------------------------------------------------------- grouped bootstrap
# Replicates of the test set resample its groups (lesions, or patients) with replacement: the
# images of one lesion are not independent evidence, so they move together. A replicate is a
# weight per row (how many times its group was drawn), so every figure below is computed with
# case weights and the rows are never copied.
N_BOOTSTRAP = 1000
# What a clinician reads beside weighted F1: every comparison of two arms reports these, each
# with its interval (malignant = the taxonomy's risk classes: mel, bcc, akiec).
CLINICAL_FIGURES: tuple[str, ...] = (
    "weighted_f1",
    "balanced_accuracy",
    "recall/mel",
    "malignant_sensitivity",
    "malignant_specificity",
)
CI_LEVEL = 0.95
NO_DIFFERENCE = "no measurable difference"

Statistic = Callable[[np.ndarray], dict[str, float]]


def group_weights(groups: Sequence[Any], n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Row weights of ``n_boot`` grouped bootstrap replicates, seeded and reproducible."""
    codes, uniques = factorize(groups)
    n_groups = len(uniques)
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        drawn = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)
        yield drawn[codes].astype(np.float64)


def factorize(groups: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Integer code per row and the distinct groups, in order of first appearance."""
    values = np.asarray(groups, dtype=object)
    uniques, first, codes = np.unique(values.astype(str), return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[codes], uniques[order]


def _weighted_auc(order: np.ndarray, tie_id: np.ndarray, pos: np.ndarray, w: np.ndarray) -> float:
    """ROC AUC with case weights; ``order`` sorts the scores ascending, ``tie_id`` numbers the
    distinct scores in that order (ties count one half, as in roc_auc_score)."""
    wp, wn = (w * pos)[order], (w * ~pos)[order]
    total_p, total_n = wp.sum(), wn.sum()
    if total_p <= 0 or total_n <= 0:
        return float("nan")
    neg_at = np.bincount(tie_id, weights=wn)
    below = np.cumsum(neg_at) - neg_at
    return float((wp * (below[tie_id] + 0.5 * neg_at[tie_id])).sum() / (total_p * total_n))


def report_statistic(
    y: np.ndarray,
    proba: np.ndarray,
    classes: Sequence[str],
    rows: np.ndarray,
    positive: Sequence[int] = (),
) -> Statistic:
    """The bootstrappable figures of :func:`classification_report` on ``rows``, as a function
    of the replicate's weights over all rows (weights of 1 give the report's own figures)."""
    y = np.asarray(y, dtype=int)[rows]
    proba = np.asarray(proba, dtype=np.float64)[rows]
    n = len(classes)
    pred = proba.argmax(axis=1)
    cell = y * n + pred
    is_pos = np.isin(y, list(positive))
    flagged = np.isin(pred, list(positive))
    ranks = []
    for k in range(n):
        order = np.argsort(proba[:, k], kind="stable")
        _, tie_id = np.unique(proba[order, k], return_inverse=True)
        ranks.append((order, tie_id, y == k))

    def statistic(weights: np.ndarray) -> dict[str, float]:
        w = weights[rows]
        matrix = np.bincount(cell, weights=w, minlength=n * n).reshape(n, n)
        tp, support, predicted = np.diag(matrix), matrix.sum(1), matrix.sum(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            recall = np.where(support > 0, tp / support, np.nan)
            precision = np.where(predicted > 0, tp / predicted, np.nan)
            f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
        # The same definitions as label_scores, with case weights (NaN where no case counts).
        present, named = support > 0, (support + predicted) > 0
        out = {
            "weighted_f1": float((f1 * support).sum() / support.sum()) if present.any() else np.nan,
            "balanced_accuracy": float(np.nanmean(recall[present])) if present.any() else np.nan,
            "macro_f1": float(f1[named].mean()) if named.any() else np.nan,
        }
        aucs = [_weighted_auc(o, t, p, w) for o, t, p in ranks]
        out["auc_macro"] = float(np.nanmean(aucs)) if not np.isnan(aucs).all() else np.nan
        for k, code in enumerate(classes):
            out[f"recall/{code}"] = float(recall[k])
            out[f"precision/{code}"] = float(precision[k])
            out[f"auc/{code}"] = aucs[k]
        if len(positive):
            out["malignant_sensitivity"] = _share(flagged, is_pos, w)
            out["malignant_specificity"] = _share(~flagged, ~is_pos, w)
        return out

    return statistic


def _share(hit: np.ndarray, among: np.ndarray, w: np.ndarray) -> float:
    den = (w * among).sum()
    return float((w * among * hit).sum() / den) if den > 0 else float("nan")


def sens_spec_statistic(
    y: np.ndarray, refer: np.ndarray, positive: Sequence[int], rows: np.ndarray
) -> Statistic:
    """Triage sensitivity and specificity of the referral decisions ``refer`` on ``rows``."""
    is_pos = np.isin(np.asarray(y, dtype=int)[rows], list(positive))
    refer = np.asarray(refer, dtype=bool)[rows]

    def statistic(weights: np.ndarray) -> dict[str, float]:
        w = weights[rows]
        return {"sensitivity": _share(refer, is_pos, w), "specificity": _share(~refer, ~is_pos, w)}

    return statistic


def bootstrap(
    statistics: Mapping[str, Statistic],
    groups: Sequence[Any],
    n_boot: int = N_BOOTSTRAP,
    seed: int = 0,
    progress: bool = False,
) -> dict[str, dict[str, np.ndarray]]:
    """Every statistic on the same grouped replicates: ``{name: {figure: values (n_boot,)}}``.

    Sharing the replicates is what makes differences between two statistics paired.
    """
    from tqdm.auto import tqdm

    draws: dict[str, dict[str, list[float]]] = {name: {} for name in statistics}
    weights = group_weights(groups, n_boot, seed)
    for w in tqdm(weights, total=n_boot, desc="bootstrap", unit="rep", disable=not progress):
        for name, statistic in statistics.items():
            for figure, value in statistic(w).items():
                draws[name].setdefault(figure, []).append(value)
    return {n: {f: np.asarray(v, dtype=np.float64) for f, v in d.items()} for n, d in draws.items()}


def interval(values: np.ndarray, level: float = CI_LEVEL) -> list[float] | None:
    """The percentile interval of bootstrap values (None where no replicate defined it)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return [round(float(low), 4), round(float(high), 4)]


def intervals(draws: Mapping[str, np.ndarray]) -> dict[str, list[float] | None]:
    return {figure: interval(values) for figure, values in draws.items()}


def paired_difference(
    estimate_a: float | None,
    estimate_b: float | None,
    draws_a: np.ndarray,
    draws_b: np.ndarray,
) -> dict[str, Any]:
    """``a - b`` with its paired bootstrap interval and a verdict a reader cannot misread."""
    if estimate_a is None or estimate_b is None:
        return {"difference": None, "ci": None, "verdict": "not evaluated"}
    ci = interval(np.asarray(draws_a) - np.asarray(draws_b))
    if ci is None:
        verdict = "not evaluated"
    elif ci[0] <= 0 <= ci[1]:
        verdict = NO_DIFFERENCE
    else:
        verdict = "higher" if ci[0] > 0 else "lower"
    return {"difference": round(estimate_a - estimate_b, 4), "ci": ci, "verdict": verdict}


def set_coverage(y: np.ndarray, member: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """How often prediction sets hold the true class (overall and per class), and their size.

    ``member`` is the boolean (n, n_classes) set membership; a class without cases has no
    per-class coverage (None), never a made-up one.
    """
    y, member = np.asarray(y, dtype=int), np.asarray(member, dtype=bool)
    if len(y) == 0:
        return {"coverage": None, "mean_size": None, "per_class_coverage": {}, "n_cases": 0}
    hit = member[np.arange(len(y)), y]
    sizes = member.sum(axis=1)
    per_class = {
        code: (float(hit[y == k].mean()) if (y == k).any() else None)
        for k, code in enumerate(classes)
    }
    counts = np.bincount(sizes, minlength=len(classes) + 1)
    return {
        "coverage": float(hit.mean()),
        "mean_size": float(sizes.mean()),
        "per_class_coverage": per_class,
        "size_distribution": {str(s): int(n) for s, n in enumerate(counts)},
        "n_cases": len(y),
    }


def risk_coverage(y: np.ndarray, proba: np.ndarray, max_points: int = 200) -> dict[str, Any]:
    """The risk–coverage curve of abstaining on the least confident cases, and its area.

    Cases are kept from the most to the least confident (top-class probability); at each
    confidence threshold the curve gives the share kept (coverage) and the error rate among
    the kept (risk). Tied confidences are kept or dropped together. AURC is the area under
    this step curve: without ties, the mean of the risks after keeping 1, 2, ..., n cases.
    """
    y, proba = np.asarray(y, dtype=int), np.asarray(proba, dtype=float)
    n = len(y)
    if n == 0:
        return {"coverage": [], "risk": [], "aurc": None, "error_rate": None, "n_cases": 0}
    confidence = proba.max(axis=1)
    order = np.argsort(-confidence, kind="stable")
    errors = np.cumsum(proba[order].argmax(axis=1) != y[order])
    # The last case of each run of tied confidences: where the curve may stop.
    conf = confidence[order]
    ends = np.flatnonzero(np.r_[conf[1:] != conf[:-1], True])
    kept = ends + 1
    risk = errors[ends] / kept
    widths = np.diff(np.r_[0, kept]) / n
    keep = np.unique(np.linspace(0, len(kept) - 1, min(max_points, len(kept))).astype(int))
    return {
        "coverage": (kept[keep] / n).round(4).tolist(),
        "risk": risk[keep].round(4).tolist(),
        "aurc": float((risk * widths).sum()),
        "error_rate": float(risk[-1]),
        "n_cases": n,
    }
