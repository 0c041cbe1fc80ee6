"""XGBoost mechanics: row compression and its found-once form give the same boosters."""

import numpy as np
import pytest

from skinmm.text.boost import (
    DistinctRows,
    booster_proba,
    compress,
    fit_booster,
    grouped_search,
    sample_weights,
    stratum_weights,
    train_booster,
)

PARAMS = {
    "n_estimators": 20,
    "learning_rate": 0.3,
    "max_depth": 3,
    "min_child_weight": 1.0,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "reg_lambda": 1.0,
    "max_bin": 16,
    "early_stopping_rounds": 5,
    "class_weight_power": 0.5,
    "n_jobs": 1,
}


def repeated_rows(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Few distinct notes, many copies: like HAM10000's notes from age, sex and site."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(12, 5))
    pick = rng.integers(12, size=n)
    y = (pick % 3 + (rng.random(n) < 0.2)) % 3
    return base[pick], y


def test_compress_counts_by_hand() -> None:
    x = np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 2.0], [1.0, 2.0]])
    y = np.array([1, 0, 1, 0])
    rows, labels, weights = compress(x, y, np.array([1.0, 2.0, 3.0, 4.0]))
    # Sorted by (features, label): [0,1|0], [1,2|0], [1,2|1]; the label keeps rows apart.
    np.testing.assert_array_equal(rows, [[0.0, 1.0], [1.0, 2.0], [1.0, 2.0]])
    np.testing.assert_array_equal(labels, [0, 0, 1])
    np.testing.assert_array_equal(weights, [2.0, 4.0, 4.0])


@pytest.mark.parametrize("seed", [0, 1])
def test_subset_compression_is_bitwise_the_subset_compressed(seed: int) -> None:
    x, y = repeated_rows(300, seed)
    rows = np.random.default_rng(seed + 10).random(len(y)) < 0.4
    w = np.random.default_rng(seed + 20).random(rows.sum())
    expected = compress(x[rows], y[rows], w)
    got = DistinctRows(x, y).compress(w, rows)
    for a, b in zip(expected, got, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_fit_booster_on_rows_equals_train_booster_on_the_subset() -> None:
    x, y = repeated_rows(400, 0)
    x_val, y_val = repeated_rows(120, 1)
    rows = np.arange(len(y)) % 3 != 0
    direct = train_booster(x[rows], y[rows], x_val, y_val, 3, PARAMS, seed=0)
    reused = fit_booster(DistinctRows(x, y), DistinctRows(x_val, y_val), 3, PARAMS, 0, rows)
    assert bytes(direct.save_raw("json")) == bytes(reused.save_raw("json"))


def test_stratum_weights_are_each_sources_own() -> None:
    # Source a: 6 of class 0, 2 of class 1; source b: 1 of class 0, 4 of class 1.
    y = np.array([0] * 6 + [1] * 2 + [0] + [1] * 4)
    strata = np.array(["a"] * 8 + ["b"] * 5)
    y_val, strata_val = np.array([1, 0, 1]), np.array(["a", "b", "b"])
    w, w_val = stratum_weights(y, strata, y_val, strata_val, 2, 1.0)
    np.testing.assert_allclose(w, [1.0] * 6 + [3.0] * 2 + [4.0] + [1.0] * 4)
    np.testing.assert_allclose(w_val, [3.0, 4.0, 1.0])
    # Pooled counts (7 and 6) would have weighed source b's class 0 like source a's.
    pooled = sample_weights(y, np.bincount(y), 1.0)
    assert pooled[8] == pytest.approx(1.0)


def test_one_stratum_is_the_pooled_booster_and_search() -> None:
    x, y = repeated_rows(300, 3)
    x_val, y_val = repeated_rows(90, 4)
    one, one_val = np.full(len(y), "s"), np.full(len(y_val), "s")
    plain = fit_booster(DistinctRows(x, y), DistinctRows(x_val, y_val), 3, PARAMS)
    strat = fit_booster(DistinctRows(x, y, one), DistinctRows(x_val, y_val, one_val), 3, PARAMS)
    np.testing.assert_array_equal(booster_proba(plain, x_val), booster_proba(strat, x_val))
    groups = [str(i) for i in range(len(y))]
    origin = np.arange(len(y))
    kwargs = {"grid": ({"max_depth": 2}, {"max_depth": 3}), "folds": 3}
    args = (x, y, origin, np.ones(len(y), bool), groups, y, (x_val, y_val), 3, PARAMS)
    _, table = grouped_search(*args, **kwargs)
    _, table_strat = grouped_search(
        *args,
        **kwargs,
        distinct=(DistinctRows(x, y, one), DistinctRows(x_val, y_val, one_val)),
    )
    assert table == table_strat


def test_the_search_scores_each_source_once_not_by_size() -> None:
    """A big source the model reads well and a small one it cannot: pooled macro F1 is the
    big source's; the stratified score is the mean of both."""
    rng = np.random.default_rng(5)
    n_big, n_small = 600, 60
    y = rng.integers(2, size=n_big + n_small)
    signal = np.where(np.arange(len(y)) < n_big, y, rng.integers(2, size=len(y)))
    x = np.column_stack([signal + rng.normal(0, 0.1, len(y)), rng.normal(size=len(y))])
    strata = np.array(["big"] * n_big + ["small"] * n_small)
    val = (x[::3], y[::3])
    groups = [str(i) for i in range(len(y))]
    args = (x, y, np.arange(len(y)), np.ones(len(y), bool), groups, y, val, 2, PARAMS)
    _, pooled = grouped_search(*args, grid=({},), folds=3)
    _, strat = grouped_search(
        *args,
        grid=({},),
        folds=3,
        distinct=(DistinctRows(x, y, strata), DistinctRows(*val, strata[::3])),
    )
    assert pooled[0]["cv_macro_f1"] > 0.9
    assert 0.6 < strat[0]["cv_macro_f1"] < 0.85


def test_a_validation_side_without_sources_keeps_the_training_sides_strata() -> None:
    # Source a: 6 of class 0, 2 of class 1; source b: 1 of class 0, 4 of class 1.
    y = np.array([0] * 6 + [1] * 2 + [0] + [1] * 4)
    strata = np.array(["a"] * 8 + ["b"] * 5)
    w, w_val = stratum_weights(y, strata, np.array([0, 1]), None, 2, 1.0)
    np.testing.assert_allclose(w, [1.0] * 6 + [3.0] * 2 + [4.0] + [1.0] * 4)
    np.testing.assert_allclose(w_val, [1.0, 7 / 6])  # the pooled counts, 7 and 6
