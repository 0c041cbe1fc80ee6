"""Grouped bootstrap: a group's rows move together, seeded, and checked by hand."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from skinmm.metrics import (
    NO_DIFFERENCE,
    bootstrap,
    classification_report,
    group_weights,
    interval,
    intervals,
    paired_difference,
    report_statistic,
    sens_spec_statistic,
)

GROUPS = np.array(["a", "a", "a", "b", "c", "c", "d"])


def test_a_groups_rows_move_together():
    for w in group_weights(GROUPS, n_boot=200, seed=3):
        for g in set(GROUPS):
            assert len(set(w[g == GROUPS])) == 1
        # Each replicate draws as many groups as there are: the weights of one row per group
        # sum to the number of groups.
        firsts = [w[np.flatnonzero(g == GROUPS)[0]] for g in ("a", "b", "c", "d")]
        assert sum(firsts) == 4


def test_weights_replay_the_seeded_draws_by_hand():
    rng = np.random.default_rng(11)
    first = np.bincount(rng.integers(0, 4, 4), minlength=4)  # groups in order a, b, c, d
    w = next(group_weights(GROUPS, n_boot=1, seed=11))
    assert w.tolist() == [first[0]] * 3 + [first[1]] + [first[2]] * 2 + [first[3]]


def test_seeded_reproducible_and_seed_dependent():
    y = np.array([1, 1, 0, 0, 1, 0, 1])
    refer = np.array([1, 0, 0, 1, 1, 0, 1], dtype=bool)
    stat = {"t": sens_spec_statistic(y, refer, [1], np.ones(7, dtype=bool))}
    one = intervals(bootstrap(stat, GROUPS, n_boot=300, seed=5)["t"])
    two = intervals(bootstrap(stat, GROUPS, n_boot=300, seed=5)["t"])
    other = bootstrap(stat, GROUPS, n_boot=300, seed=6)["t"]
    assert one == two
    assert not np.array_equal(
        bootstrap(stat, GROUPS, n_boot=300, seed=5)["t"]["sensitivity"], other["sensitivity"]
    )


def test_two_lesions_one_found_by_hand():
    # Two malignant lesions, one referred: a replicate draws {found, found}, {found, missed}
    # twice over, or {missed, missed}: sensitivity 1, 0.5, 0 with chances 1/4, 1/2, 1/4.
    y = np.array([1, 1])
    stat = {"t": sens_spec_statistic(y, np.array([True, False]), [1], np.ones(2, dtype=bool))}
    draws = bootstrap(stat, ["p", "q"], n_boot=1000, seed=0)["t"]["sensitivity"]
    assert set(np.unique(draws)) == {0.0, 0.5, 1.0}
    assert abs((draws == 0.5).mean() - 0.5) < 0.05
    assert interval(draws) == [0.0, 1.0]


def test_every_case_right_has_a_degenerate_interval():
    y = np.array([0, 1, 1, 0])
    proba = np.eye(2)[y] * 0.8 + 0.1
    stat = {"r": report_statistic(y, proba, ["x", "y"], np.ones(4, dtype=bool), [1])}
    ci = intervals(bootstrap(stat, ["a", "b", "c", "d"], n_boot=100, seed=0)["r"])
    assert ci["weighted_f1"] == [1.0, 1.0]
    assert ci["malignant_sensitivity"] == [1.0, 1.0]


def test_unit_weights_reproduce_the_report():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    proba = rng.dirichlet(np.ones(3), 60)
    proba[np.arange(60), y] += 0.3
    proba /= proba.sum(1, keepdims=True)
    codes = ["a", "b", "c"]
    report = classification_report(y, proba, codes, positive=[2])
    got = report_statistic(y, proba, codes, np.ones(60, dtype=bool), [2])(np.ones(60))
    for key in ("weighted_f1", "balanced_accuracy", "macro_f1", "auc_macro"):
        assert got[key] == pytest.approx(report[key])
    for _k, c in enumerate(codes):
        assert got[f"recall/{c}"] == pytest.approx(report["per_class"][c]["recall"])
        assert got[f"auc/{c}"] == pytest.approx(report["per_class"][c]["auc"])
    assert got["malignant_sensitivity"] == pytest.approx(report["malignant_sensitivity"])


def test_integer_weights_equal_repeated_rows():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 30)
    proba = np.round(rng.random((30, 2)), 1)  # ties on purpose
    proba /= proba.sum(1, keepdims=True)
    w = rng.integers(0, 4, 30).astype(float)
    got = report_statistic(y, proba, ["n", "p"], np.ones(30, dtype=bool))(w)
    repeat = np.repeat(np.arange(30), w.astype(int))
    assert got["auc/p"] == pytest.approx(roc_auc_score(y[repeat] == 1, proba[repeat, 1]))


def test_a_difference_across_zero_is_no_measurable_difference():
    a = np.array([0.50, 0.52, 0.49, 0.51, 0.53])
    b = np.array([0.51, 0.50, 0.50, 0.50, 0.50])
    assert paired_difference(0.51, 0.50, a, b)["verdict"] == NO_DIFFERENCE
    assert paired_difference(0.6, 0.5, a + 0.1, b)["verdict"] == "higher"
    assert paired_difference(0.4, 0.5, a - 0.1, b)["verdict"] == "lower"
    assert paired_difference(None, 0.5, a, b)["verdict"] == "not evaluated"
