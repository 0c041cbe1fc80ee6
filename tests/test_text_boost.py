"""XGBoost mechanics: row compression and its found-once form give the same boosters."""

import numpy as np
import pytest

from skinmm.text.boost import DistinctRows, compress, fit_booster, train_booster

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
