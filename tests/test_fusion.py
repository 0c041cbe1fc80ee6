import numpy as np
import pytest

from skinmm.fusion import (
    RULES,
    FusionParams,
    StackedFusion,
    fit_params,
    fuse,
    max_rule,
    product_rule,
)

IMAGE = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
TEXT = np.array([[0.2, 0.7, 0.1], [0.1, 0.3, 0.6]])


def test_max_rule_by_hand():
    fused = max_rule(IMAGE, TEXT)
    assert fused[0] == pytest.approx(np.array([0.6, 0.7, 0.1]) / 1.4)
    assert fused[1] == pytest.approx(np.array([0.2, 0.3, 0.6]) / 1.1)


def test_max_rule_records_which_branch_carried_each_class():
    result = fuse(IMAGE, TEXT, "max")
    assert result.carrier[0].tolist() == ["image", "text", "both"]
    assert result.carrier[1].tolist() == ["image", "text", "both"]
    assert result.predicted.tolist() == [1, 2]
    assert result.mode.tolist() == ["fused", "fused"]


def test_product_rule_survives_tiny_probabilities():
    tiny = np.array([[1e-300, 1 - 1e-300]])
    fused = product_rule(tiny, tiny[:, ::-1])
    assert np.isfinite(fused).all() and fused.sum() == pytest.approx(1)


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_gives_distributions(rule):
    rng = np.random.default_rng(1)
    image, text = rng.dirichlet(np.ones(3), 40), rng.dirichlet(np.ones(3), 40)
    y = rng.integers(0, 3, 40)
    result = fuse(image, text, rule, fit_params(image, text, y))
    assert result.proba.shape == (40, 3)
    assert result.proba.sum(axis=1) == pytest.approx(np.ones(40))


def test_missing_modality_falls_back_and_says_so():
    text = TEXT.copy()
    text[1] = np.nan
    image = IMAGE.copy()
    image[0] = np.nan
    result = fuse(image, text, "max")
    assert result.proba[0] == pytest.approx(TEXT[0])
    assert result.proba[1] == pytest.approx(IMAGE[1])
    assert result.mode.tolist() == ["text-only", "image-only"]
    assert result.carrier[0].tolist() == ["text"] * 3


def test_no_input_at_all_is_an_error():
    nan = np.full((1, 3), np.nan)
    with pytest.raises(ValueError, match="image, a note"):
        fuse(nan, nan)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="same"):
        fuse(IMAGE, TEXT[:, :2])


def test_weighted_weight_is_fitted_toward_the_better_branch():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    good = np.eye(3)[y] * 0.6 + 0.4 * rng.dirichlet(np.ones(3), 300)
    noise = rng.dirichlet(np.ones(3), 300)
    assert fit_params(good, noise, y).weight >= 0.5
    assert fit_params(noise, good, y).weight <= 0.5


def test_stacked_round_trip_and_unfitted_error():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    image, text = rng.dirichlet(np.ones(3), 60), rng.dirichlet(np.ones(3), 60)
    params = fit_params(image, text, y)
    back = FusionParams.from_dict(params.to_dict())
    assert back.stacked.predict_proba(image, text) == pytest.approx(
        params.stacked.predict_proba(image, text)
    )
    with pytest.raises(ValueError, match="not fitted"):
        StackedFusion().predict_proba(image, text)


def test_stacked_handles_a_class_missing_from_validation():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 50)  # class 2 never seen
    image, text = rng.dirichlet(np.ones(3), 50), rng.dirichlet(np.ones(3), 50)
    proba = StackedFusion().fit(image, text, y).predict_proba(image, text)
    assert proba[:, 2] == pytest.approx(0)


def test_cli_rule_names_match_the_fusion_module():
    from skinmm.cli import RULE_NAMES

    assert RULE_NAMES == RULES


def test_prior_correction_takes_the_prior_out_of_the_text_branch():
    prior = np.array([0.7, 0.2, 0.1])
    text = np.array([[0.7, 0.2, 0.1]])  # a note that says nothing beyond the prior
    image = np.array([[0.3, 0.4, 0.3]])
    plain = fuse(image, text, "product")
    corrected = fuse(image, text, "product", FusionParams(text_prior=prior, prior_power=1.0))
    assert plain.predicted[0] == 0  # the prior, counted twice, wins
    assert corrected.proba[0] == pytest.approx(image[0])  # an uninformative note changes nothing
    back = FusionParams.from_dict(FusionParams(text_prior=prior, prior_power=0.5).to_dict())
    assert back.prior_power == 0.5 and back.text_prior == pytest.approx(prior)


def test_text_only_cases_keep_the_calibrated_text():
    text = np.array([[0.7, 0.2, 0.1]])
    params = FusionParams(text_prior=np.array([0.7, 0.2, 0.1]), prior_power=1.0)
    result = fuse(np.full((1, 3), np.nan), text, "max", params)
    assert result.proba[0] == pytest.approx(text[0]) and result.mode[0] == "text-only"


def test_prior_corrected_decision_by_hand():
    from skinmm.fusion import FusionParams, fuse

    prior = np.array([0.8, 0.2])
    image = np.array([[0.6, 0.4]])
    text = np.full((1, 2), np.nan)  # image-only: the decision still applies
    plain = fuse(image, text, "product", FusionParams(text_prior=prior))
    assert plain.predicted.tolist() == [0]
    # 0.6 / 0.8 = 0.75 against 0.4 / 0.2 = 2: the rare class wins at power 1.
    corrected = fuse(image, text, "product", FusionParams(text_prior=prior, decision_power=1.0))
    np.testing.assert_allclose(corrected.proba, [[0.75 / 2.75, 2 / 2.75]])
    assert corrected.predicted.tolist() == [1]
    back = FusionParams.from_dict(FusionParams(text_prior=prior, decision_power=0.5).to_dict())
    assert back.decision_power == 0.5


def test_image_rule_is_the_image_branch_with_text_fallback():
    from skinmm.fusion import fuse

    image = np.array([[0.7, 0.3], [np.nan, np.nan]])
    text = np.array([[0.1, 0.9], [0.2, 0.8]])
    result = fuse(image, text, "image")
    np.testing.assert_allclose(result.proba, [[0.7, 0.3], [0.2, 0.8]])
