from skinmm.train import choose_prior_power, choose_rule


def _s(wf1: float, bacc: float) -> dict[str, float]:
    return {"weighted_f1": wf1, "balanced_accuracy": bacc}


def test_max_rule_stays_unless_another_is_clearly_better():
    close = {"max": _s(0.80, 0.60), "product": _s(0.805, 0.61)}
    assert choose_rule(close, "auto")[0] == "max"
    better = {"max": _s(0.80, 0.60), "product": _s(0.82, 0.61)}
    rule, reason = choose_rule(better, "auto")
    assert rule == "product" and "max stays selectable" in reason
    worse_balance = {"max": _s(0.80, 0.60), "product": _s(0.83, 0.50)}
    assert choose_rule(worse_balance, "auto")[0] == "max"
    assert choose_rule(better, "mean")[0] == "mean"


def test_prior_power_maximises_weighted_f1_without_losing_balance():
    scores = {
        0.0: {"max": _s(0.83, 0.50)},  # best F1, but loses balanced accuracy
        0.5: {"max": _s(0.81, 0.62)},
        1.0: {"max": _s(0.79, 0.66)},
    }
    assert choose_prior_power(scores, image_balanced_accuracy=0.62) == 0.5
    assert choose_prior_power(scores, image_balanced_accuracy=0.90) == 0.0  # none feasible
