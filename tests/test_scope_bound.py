"""The gate's distance bound: the split-conformal (1 - a)(1 + 1/n) rule, through crepes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skinmm.scope import calibration_info, conformal_bound, pass_rate_confidence


@pytest.mark.parametrize(("n", "level"), [(20, 0.9), (598, 0.95), (789, 0.96), (40, 0.95)])
def test_the_bound_is_the_ceil_level_n_plus_one_th_smallest_score(n: int, level: float) -> None:
    scores = np.random.default_rng(n).normal(size=n)
    rank = math.ceil(level * (n + 1))
    assert conformal_bound(scores, level) == np.sort(scores)[rank - 1]


def test_images_stopped_by_another_check_count_and_never_pass() -> None:
    finite = np.arange(1.0, 96.0)  # 95 scores
    scores = np.r_[finite, [math.inf] * 5]  # 100 images, 5 stopped elsewhere
    # rank ceil(0.9 * 101) = 91 of the 100: the 91st smallest finite score.
    assert conformal_bound(scores, 0.9) == 91.0
    # At 0.95 the rank is 96, past every finite score: no distance bound can promise it,
    # so every image that passes the other checks passes.
    assert math.isinf(conformal_bound(scores, 0.95))


def test_too_few_scores_for_the_level_let_everything_through() -> None:
    assert math.isinf(conformal_bound(np.arange(10.0), 0.95))  # ceil(0.95 * 11) = 11 > 10
    assert math.isinf(conformal_bound(np.array([]), 0.9))


def test_pass_rate_holds_on_exchangeable_data_in_expectation() -> None:
    """Calibrate on n draws, measure on fresh draws of the same distribution: the mean pass
    rate over many calibrations is rank / (n + 1), which the rule makes at least the level."""
    rng = np.random.default_rng(0)
    n, level = 200, 0.95
    rank = math.ceil(level * (n + 1))
    assert rank / (n + 1) >= level
    rates = []
    for _ in range(400):
        bound = conformal_bound(rng.gamma(3.0, size=n), level)
        rates.append((rng.gamma(3.0, size=2000) <= bound).mean())
    # Monte Carlo standard error about 0.0008 over 400 calibrations: 4 of them of slack.
    assert np.mean(rates) == pytest.approx(rank / (n + 1), abs=0.003)
    # One calibration falls short of the level about half the time at the bare rule.
    short = np.mean(np.array(rates) < level)
    expected = 1 - pass_rate_confidence(n, rank, level)
    assert short == pytest.approx(expected, abs=0.08)


def test_calibration_info_states_rule_rank_and_confidence() -> None:
    info = calibration_info(598, 0.95)
    assert (info["n"], info["bound_rank"], info["level"]) == (598, 570, 0.95)
    assert 0.4 < info["chance_pass_rate_at_least_level"] < 0.7
    assert calibration_info(10, 0.95)["chance_pass_rate_at_least_level"] is None
