"""The fusion criterion: sensitivity first, then weighted F1; and the named recipes."""

import numpy as np
import pandas as pd
import pytest

from skinmm.fusion import IMAGE_ONLY
from skinmm.taxonomy import LABEL_SPACES
from skinmm.train import (
    RECIPES,
    _branches,
    decision_scores,
    holds_criterion,
    recipe_params,
    select_candidate,
    select_fusion,
)

HAM = LABEL_SPACES["ham10000"]
CODES = [c.code for c in HAM]
MEL, NV, BKL = CODES.index("mel"), CODES.index("nv"), CODES.index("bkl")


def _s(wf1: float, bacc: float, mel: float) -> dict:
    return {"weighted_f1": wf1, "balanced_accuracy": bacc, "risk_recall": {"mel": mel}}


def test_best_f1_that_loses_sensitivity_is_refused():
    image = _s(0.80, 0.60, 0.55)
    scores = {
        ("product", 0.25, 0.0): _s(0.85, 0.61, 0.50),  # best F1, misses more melanomas
        ("max", 0.0, 0.5): _s(0.81, 0.62, 0.60),
        ("mean", 0.0, 0.0): _s(0.83, 0.58, 0.70),  # loses balanced accuracy
    }
    assert not holds_criterion(scores[("product", 0.25, 0.0)], image)
    chosen, reason = select_candidate(scores, image)
    assert chosen == ("max", 0.0, 0.5)
    assert "1 of 3 candidates" in reason


def test_no_candidate_holds_falls_back_to_the_image():
    image = _s(0.80, 0.60, 0.55)
    scores = {("product", 0.0, 0.0): _s(0.85, 0.61, 0.50)}
    chosen, reason = select_candidate(scores, image)
    assert chosen == (IMAGE_ONLY, 0.0, 0.0) and "image branch alone" in reason
    # A rule the user asks for is kept, and the reason says it does not hold.
    chosen, reason = select_candidate(scores, image, "product")
    assert chosen[0] == "product" and "no setting" in reason


def _case(image: dict[int, float], text: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for spec in (image, text):
        p = np.full(7, 0.02)
        for k, v in spec.items():
            p[k] = v
        out.append(p / p.sum())
    return out[0], out[1]


def _constructed_validation() -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """35 nevi and 25 melanomas that look the same to both branches: the image leans to
    melanoma, the note to nevus. Any fusion that follows the note there fixes 35 nevi and
    misses 25 melanomas, which raises weighted F1: the best-F1 choice loses sensitivity."""
    bucket = _case({MEL: 0.5, NV: 0.38}, {NV: 0.7, MEL: 0.2})
    kinds = [
        (NV, 100, _case({NV: 0.8, BKL: 0.08}, {NV: 0.86})),
        (NV, 35, bucket),
        (MEL, 25, bucket),
        (MEL, 15, _case({MEL: 0.8}, {MEL: 0.5, NV: 0.3})),
        (BKL, 25, _case({BKL: 0.8}, {NV: 0.5, BKL: 0.38})),
    ]
    y = np.concatenate([np.full(n, k) for k, n, _ in kinds])
    image_p = np.vstack([np.tile(p[0], (n, 1)) for _, n, p in kinds])
    text_p = np.vstack([np.tile(p[1], (n, 1)) for _, n, p in kinds])
    val = pd.DataFrame(
        {"label": [CODES[k] for k in y], "group_id": [f"g{i}" for i in range(len(y))]}
    )
    return image_p, text_p, val


def test_selection_on_probabilities_refuses_the_rule_that_misses_melanomas():
    image_p, text_p, val = _constructed_validation()
    y = val["label"].map(CODES.index).to_numpy()
    prior = np.bincount(y, minlength=7) / len(y)
    fusion, extra, triage = select_fusion(image_p, text_p, val, HAM, prior)
    image = decision_scores(y, image_p, CODES, [0, 1, MEL])
    candidates = extra["validation_candidates"]
    best_f1 = max(candidates, key=lambda c: c["weighted_f1"])
    # The premise: the best weighted F1 on offer beats the image by losing melanomas.
    assert best_f1["weighted_f1"] > image["weighted_f1"]
    assert best_f1["risk_recall"]["mel"] < image["risk_recall"]["mel"]
    assert not best_f1["holds"]
    chosen = extra["validation_chosen"]
    assert chosen["risk_recall"]["mel"] >= image["risk_recall"]["mel"]
    assert chosen["balanced_accuracy"] >= image["balanced_accuracy"]
    assert (fusion.rule, fusion.params.prior_power, fusion.params.decision_power) != (
        best_f1["rule"],
        best_f1["text_prior_power"],
        best_f1["decision_power"],
    )
    assert triage["validation"]["sensitivity"] >= 0.9
    assert "criterion" in extra and extra["validation_image_only"] == image


def test_fast_recipe_maps_to_its_parameters():
    assert recipe_params("fast") == {"tail_trainable": 3, "lr": 1e-3}
    assert recipe_params("default") == {} == RECIPES["default"]
    assert recipe_params("fast", {"lr": 5e-4})["lr"] == 5e-4  # explicit settings win
    with pytest.raises(ValueError, match="Unknown recipe"):
        recipe_params("fastest")


def test_cli_recipe_reaches_the_image_branch(tmp_path, monkeypatch):
    import skinmm.train
    from skinmm.cli import main

    seen = {}
    monkeypatch.setattr(skinmm.train, "train_bundle", lambda config: seen.update(c=config))
    args = ["train", "--train", "t.csv", "--val", "v.csv", "--out", str(tmp_path), "--recipe"]
    assert main([*args, "fast"]) == 0
    image, _ = _branches(seen["c"], CODES)
    assert image.recipe.tail_trainable == 3 and image.recipe.lr == 1e-3
    assert main([*args, "default"]) == 0
    image, _ = _branches(seen["c"], CODES)
    assert image.recipe.lr == 5e-4 and image.recipe.tail_trainable != 3
