"""XGBoost mechanics shared by the text branch and its tabular reference.

Both are fitted the same way, so that comparing them compares inputs, not recipes:
``multi:softprob`` with class weights ``(n_max / n_c) ** power``, early stopping on the
validation groups, hyperparameters chosen by grouped cross-validation on the training split.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from skinmm.metrics import macro_f1

if TYPE_CHECKING:
    import xgboost as xgb

DEFAULT_PARAMS: dict[str, Any] = {
    "n_estimators": 400,
    "learning_rate": 0.1,
    "max_depth": 4,
    "min_child_weight": 1.0,
    "subsample": 0.8,
    "colsample_bytree": 0.5,
    "reg_lambda": 1.0,
    "max_bin": 64,
    "early_stopping_rounds": 30,
    "class_weight_power": 0.5,
    "n_jobs": 1,
}

# Small on purpose: each point costs cv_folds fits on a 2-core machine.
SEARCH_GRID: tuple[dict[str, Any], ...] = tuple(
    {"max_depth": depth, "class_weight_power": power} for depth in (3, 6) for power in (0.25, 0.5)
)


def sample_weights(y: np.ndarray, counts: np.ndarray, power: float) -> np.ndarray:
    """Per-sample weights ``(n_max / n_c) ** power`` from the training class counts."""
    per_class = np.where(counts > 0, (counts.max() / np.maximum(counts, 1)) ** power, 0.0)
    return per_class[y]


def stratum_weights(
    y_fit: np.ndarray,
    strata_fit: np.ndarray,
    y_other: np.ndarray,
    strata_other: np.ndarray | None,
    n_classes: int,
    power: float,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sample_weights` with the class counts taken within each row's stratum (the
    source of a row in a union of datasets), for the fitted rows and for other rows (the
    validation side) by the fitted rows' counts of their stratum.

    Pooled counts let the largest source set every class's weight: in the HAM10000 +
    PAD-UFES-20 union, HAM10000's 4,800 nevi made PAD-UFES-20's nevi the least weighted class
    of its notes. On PAD-UFES-20's validation notes the union's nevus recall was 0.48 against
    0.70 for PAD-UFES-20's own model, and 0.70 with counts (and the grouped-CV score) taken
    within each source. Within a source, each class weighs as in that source's own model.
    Other rows with no strata (a validation side without a ``source`` column) are weighed
    by the pooled counts.
    """
    w_fit = np.zeros(len(y_fit))
    if strata_other is None:
        w_other = sample_weights(y_other, np.bincount(y_fit, minlength=n_classes), power)
    else:
        w_other = np.zeros(len(y_other))
    for stratum in np.unique(strata_fit):
        mine = strata_fit == stratum
        counts = np.bincount(y_fit[mine], minlength=n_classes)
        w_fit[mine] = sample_weights(y_fit[mine], counts, power)
        if strata_other is not None:
            theirs = strata_other == stratum
            w_other[theirs] = sample_weights(y_other[theirs], counts, power)
    return w_fit, w_other


class DistinctRows:
    """(features, label) rows and their distinct set, found once.

    ``np.unique`` over the rows is most of the cost of :func:`compress`; the grid search
    compresses subsets of the same rows for every grid point and fold, so it runs once here
    and each fit only sums its rows' weights.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, strata: np.ndarray | None = None) -> None:
        table = np.column_stack([x.astype(np.float32), y.astype(np.float32)])
        self.unique, inverse = np.unique(table, axis=0, return_inverse=True)
        self.inverse = inverse.ravel()
        self.y = np.asarray(y, dtype=int)
        # Each row's source where the rows pool several (see stratum_weights); else None.
        self.strata = None if strata is None else np.asarray(strata)

    def compress(self, w: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """``compress(x[rows], y[rows], w)``, bit for bit, without another ``np.unique``.

        The subset's distinct rows are the global ones it uses, in the same sorted order,
        and each weight sums the same rows in the same order.
        """
        inverse = self.inverse if rows is None else self.inverse[rows]
        size = len(self.unique)
        present = np.bincount(inverse, minlength=size) > 0
        weights = np.bincount(inverse, weights=w, minlength=size)[present]
        kept = self.unique[present]
        return kept[:, :-1], kept[:, -1].astype(int), weights


def compress(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """Identical (features, label) rows merged into one with their summed weight.

    Exact for the gradient-boosting objective, and a large saving: HAM10000 notes built
    from age, sex and site repeat (29k training notes, ~1.2k distinct).
    """
    return DistinctRows(x, y).compress(w)


def train_booster(
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    n_classes: int,
    params: Mapping[str, Any],
    seed: int = 0,
) -> xgb.Booster:
    """A booster cut at its best validation round (weighted multi-class log-loss)."""
    return fit_booster(DistinctRows(x, y), DistinctRows(x_val, y_val), n_classes, params, seed)


def fit_booster(
    train: DistinctRows,
    val: DistinctRows,
    n_classes: int,
    params: Mapping[str, Any],
    seed: int = 0,
    rows: np.ndarray | None = None,
) -> xgb.Booster:
    """:func:`train_booster` on ``train``'s ``rows`` (all by default), rows found once."""
    # Imported here: XGBoost imports scikit-learn whenever it is installed (about a second),
    # which a command that predicts without a note never needs.
    import xgboost as xgb

    y_fit = train.y if rows is None else train.y[rows]
    power = params["class_weight_power"]
    if train.strata is None:
        counts = np.bincount(y_fit, minlength=n_classes)
        weights = sample_weights(y_fit, counts, power), sample_weights(val.y, counts, power)
    else:
        strata_fit = train.strata if rows is None else train.strata[rows]
        weights = stratum_weights(y_fit, strata_fit, val.y, val.strata, n_classes, power)
    x, y, w = train.compress(weights[0], rows)
    x_val, y_val, w_val = val.compress(weights[1])
    dtrain = xgb.DMatrix(x, label=y, weight=w)
    dval = xgb.DMatrix(x_val, label=y_val, weight=w_val)
    booster = xgb.train(
        {
            "objective": "multi:softprob",
            "num_class": n_classes,
            "eval_metric": "mlogloss",
            "tree_method": "hist",
            "eta": params["learning_rate"],
            "max_depth": params["max_depth"],
            "min_child_weight": params["min_child_weight"],
            "subsample": params["subsample"],
            "colsample_bytree": params["colsample_bytree"],
            "lambda": params["reg_lambda"],
            "max_bin": params["max_bin"],
            "nthread": params["n_jobs"],
            "seed": seed,
        },
        dtrain,
        num_boost_round=params["n_estimators"],
        evals=[(dval, "val")],
        early_stopping_rounds=params["early_stopping_rounds"],
        verbose_eval=False,
    )
    return booster[: booster.best_iteration + 1]


def booster_proba(booster: xgb.Booster, x: np.ndarray) -> np.ndarray:
    # In-place prediction skips building a DMatrix, most of the cost for a single note.
    return np.asarray(booster.inplace_predict(x)).reshape(len(x), -1)


def grouped_search(
    x: np.ndarray,
    y: np.ndarray,
    origin: np.ndarray,
    scored: np.ndarray,
    groups: Sequence[str],
    row_labels: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray],
    n_classes: int,
    params: Mapping[str, Any],
    *,
    grid: Sequence[Mapping[str, Any]] = SEARCH_GRID,
    folds: int = 3,
    seed: int = 0,
    distinct: tuple[DistinctRows, DistinctRows] | None = None,
    trainable: np.ndarray | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The grid point with the best mean macro F1 over grouped folds of the training rows.

    ``x``/``y`` are augmented rows; ``origin[i]`` is the manifest row that row ``i`` came
    from (folds split manifest rows, labelled ``row_labels``, by ``groups``, so copies of a
    case never straddle a fold); ``scored`` marks the rows that held-out folds are scored on.
    Early stopping uses the validation groups, never the held-out fold. ``distinct`` may pass
    in ``DistinctRows`` of (x, y) and of ``validation`` already found; ``trainable`` masks
    the rows a fit may use (rows built only to be scored are never fitted on).
    """
    # Imported here: scikit-learn costs seconds at start-up, and predicting never needs it.
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(np.zeros(len(groups)), row_labels, np.asarray(groups)))
    rows, val_rows = distinct or (DistinctRows(x, y), DistinctRows(*validation))

    def score(point: Mapping[str, Any], fit_rows: np.ndarray, held_rows: np.ndarray) -> float:
        fit = np.isin(origin, fit_rows)
        if trainable is not None:
            fit &= trainable
        held = np.isin(origin, held_rows) & scored
        booster = fit_booster(rows, val_rows, n_classes, {**params, **point}, seed, fit)
        pred = booster_proba(booster, x[held]).argmax(axis=1)
        if rows.strata is None:
            return macro_f1(y[held], pred, n_classes)
        # Pooled sources: each source's macro F1 counts once, not by its size.
        strata = rows.strata[held]
        return float(
            np.mean(
                [
                    macro_f1(y[held][strata == s], pred[strata == s], n_classes)
                    for s in np.unique(strata)
                ]
            )
        )

    jobs = [(point, *split) for point in grid for split in splits]
    # XGBoost releases the GIL while it trains, so single-threaded boosters in a thread pool
    # use every core; unlike more threads per booster, this leaves each fit's result
    # independent of the machine's core count.
    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
        results = list(pool.map(lambda job: score(*job), jobs))
    table = [
        {
            **dict(point),
            "cv_macro_f1": float(np.mean(results[i * len(splits) : (i + 1) * len(splits)])),
        }
        for i, point in enumerate(grid)
    ]
    best = max(table, key=lambda row: row["cv_macro_f1"])
    chosen = {k: v for k, v in best.items() if k != "cv_macro_f1"}
    return {**params, **chosen}, table
