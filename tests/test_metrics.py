"""Metrics against values counted by hand on small arrays."""

import warnings

import numpy as np
import pytest

from skinmm.metrics import (
    agreement_rate,
    balanced_accuracy,
    brier,
    classification_report,
    compensation,
    confused_pairs,
    confusion,
    per_class_prf,
    weighted_f1,
)

# 3 classes, 8 cases.      truth: 0 0 0 0 1 1 2 2
Y = np.array([0, 0, 0, 0, 1, 1, 2, 2])
PRED = np.array([0, 0, 1, 2, 1, 0, 2, 2])
# Confusion (rows truth): [[2,1,1],[1,1,0],[0,0,2]]
# class 0: tp 2, predicted 3 -> P 2/3, R 2/4, F1 = 2*(2/3*1/2)/(2/3+1/2) = 4/7
# class 1: tp 1, predicted 2 -> P 1/2, R 1/2, F1 1/2
# class 2: tp 2, predicted 3 -> P 2/3, R 1,   F1 = 0.8
F1 = np.array([4 / 7, 1 / 2, 0.8])


def test_confusion_counts():
    assert confusion(Y, PRED, 3).tolist() == [[2, 1, 1], [1, 1, 0], [0, 0, 2]]


def test_precision_recall_f1_support():
    prf = per_class_prf(Y, PRED, 3)
    assert prf["precision"] == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    assert prf["recall"] == pytest.approx([1 / 2, 1 / 2, 1])
    assert prf["f1"] == pytest.approx(F1)
    assert prf["support"].tolist() == [4, 2, 2]


def test_weighted_and_balanced():
    assert weighted_f1(Y, PRED, 3) == pytest.approx((4 * 4 / 7 + 2 * 0.5 + 2 * 0.8) / 8)
    assert balanced_accuracy(Y, PRED, 3) == pytest.approx((0.5 + 0.5 + 1) / 3)


def test_text_compensating_image_by_hand():
    image = np.array([0, 1, 1, 2, 1, 0, 0, 2])  # wrong on cases 1, 2, 3, 5, 6
    text = np.array([1, 0, 0, 0, 0, 1, 2, 0])  # right on 1, 2, 3, 5, 6 where image is wrong
    # class 0: image wrong on cases 1,2,3, text right on all three -> 3/4
    # class 1: image wrong on 5, text right on 5 -> 1/2 ; class 2: image wrong on 6, text right -> 1/2
    assert compensation(Y, image, text, 3) == pytest.approx([3 / 4, 1 / 2, 1 / 2])
    # mirror: text wrong and image right: class 0 case 0; class 1 case 4; class 2 case 7
    assert compensation(Y, text, image, 3) == pytest.approx([1 / 4, 1 / 2, 1 / 2])


def test_compensation_of_an_absent_class_is_zero():
    assert compensation(np.array([0, 0]), np.array([1, 1]), np.array([0, 0]), 3).tolist() == [
        1,
        0,
        0,
    ]


def test_confused_pairs_sorted_by_count():
    pairs = confused_pairs(Y, PRED, ["a", "b", "c"], top=2)
    assert [(p["true"], p["predicted"], p["count"]) for p in pairs] == [
        ("a", "b", 1),
        ("a", "c", 1),
    ]
    assert pairs[0]["share"] == pytest.approx(0.25)


def test_brier_and_agreement():
    proba = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert brier(np.array([0, 1]), proba) == pytest.approx((0 + 0.5) / 2)
    assert agreement_rate(np.array([0, 1, 2]), np.array([0, 2, 2])) == pytest.approx(2 / 3)


def test_report_figures_by_hand():
    # Every case puts 0.8 on its predicted class and 0.1 on the others: the top class is PRED.
    proba = np.full((8, 3), 0.1)
    proba[np.arange(8), PRED] = 0.8
    report = classification_report(Y, proba, ["a", "b", "c"])
    # precision 2/3, 1/2, 2/3 and recall 1/2, 1/2, 1 over supports 4, 2, 2
    assert report["weighted_precision"] == pytest.approx((4 * 2 / 3 + 2 * 1 / 2 + 2 * 2 / 3) / 8)
    assert report["weighted_recall"] == pytest.approx(5 / 8)
    assert report["accuracy"] == pytest.approx(5 / 8)
    assert report["macro_f1"] == pytest.approx(F1.mean())
    # every case has confidence 0.8 (one reliability bin), 5 of 8 right
    assert report["ece"] == pytest.approx(0.8 - 5 / 8)
    # right: 0.2² + 2 x 0.1² = 0.06; wrong: 0.9² + 0.8² + 0.1² = 1.46
    assert report["brier"] == pytest.approx((5 * 0.06 + 3 * 1.46) / 8)
    # class 0 (4 true): true cases score 0.8, 0.8, 0.1, 0.1 and the others 0.1, 0.8, 0.1, 0.1:
    # 6 pairs won, 8 tied of 16 -> (6 + 8 / 2) / 16
    assert report["per_class"]["a"]["auc"] == pytest.approx(10 / 16)
    assert report["per_class"]["a"]["support"] == 4 and len(report["reliability"]) == 10
    perfect = classification_report(Y, np.eye(3)[Y], ["a", "b", "c"])
    assert perfect["weighted_f1"] == 1 and perfect["auc_macro"] == 1 and perfect["ece"] == 0


def test_malignant_sensitivity_and_specificity_by_hand():
    from skinmm.metrics import binary_sens_spec

    # classes 0 benign, 1 and 2 risk; a risk case counts as found under either risk class.
    y = np.array([1, 2, 2, 0, 0, 0])
    pred = np.array([2, 0, 2, 0, 1, 0])
    sens, spec = binary_sens_spec(y, np.isin(pred, [1, 2]), [1, 2])
    assert (sens, spec) == (2 / 3, 2 / 3)
    report = classification_report(y, np.eye(3)[pred], ["b", "r1", "r2"], positive=[1, 2])
    assert report["malignant_sensitivity"] == 2 / 3 and report["n_cases"] == 6


def test_a_report_over_no_case_is_not_evaluated():
    report = classification_report(np.array([], dtype=int), np.zeros((0, 3)), ["a", "b", "c"])
    assert report["n_cases"] == 0 and report["weighted_f1"] is None
    assert report["per_class"]["a"]["recall"] is None


def test_triage_curve_runs_from_strict_to_lenient():
    from skinmm.metrics import risk_score, triage_curve

    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3], [0.2, 0.8]])
    y = np.array([0, 1, 0, 1])
    score = risk_score(proba, [1])
    curve = triage_curve(y, score, [1])
    assert curve["sensitivity"][-1] == 1.0 and curve["specificity"][-1] == 0.0
    assert curve["sensitivity"] == sorted(curve["sensitivity"])


# The example of issue 17: class 2 is predicted once but is never true.
TWO_Y, TWO_PRED = np.array([0, 0, 1, 1]), np.array([0, 2, 1, 1])
# class 0: P 1, R 1/2, F1 2/3; class 1: P 1, R 1, F1 1; class 2: P 0, F1 0 (named only by
# the prediction). Weighted F1 = (2 x 2/3 + 2 x 1) / 4; macro F1 averages the three classes
# named by the truth or the prediction; balanced accuracy the two true classes.
BY_HAND = {
    "weighted_f1": (2 * 2 / 3 + 2 * 1) / 4,
    "macro_f1": (2 / 3 + 1 + 0) / 3,
    "balanced_accuracy": (1 / 2 + 1) / 2,
    "accuracy": 3 / 4,
}


def _shown_figures() -> dict[str, dict[str, float]]:
    """The figures each place computes on the example: report, bootstrap (card intervals),
    image validation and CV, text validation and test, the fusion criterion."""
    from skinmm.image.training import val_scores
    from skinmm.metrics import label_scores, macro_f1, report_statistic
    from skinmm.text.branch import text_metrics
    from skinmm.train import decision_scores

    onehot = np.eye(3)[TWO_PRED]
    classes = ["a", "b", "c"]
    statistic = report_statistic(TWO_Y, onehot, classes, np.arange(4))(np.ones(4))
    return {
        "label_scores": label_scores(TWO_Y, TWO_PRED, 3),
        "report": classification_report(TWO_Y, onehot, classes),
        "bootstrap": statistic,
        "image validation and CV": val_scores(onehot, TWO_Y),
        "text validation and test": text_metrics(TWO_Y, onehot),
        "fusion criterion": decision_scores(TWO_Y, onehot, classes, [0]),
        "text grid search": {"macro_f1": macro_f1(TWO_Y, TWO_PRED, 3)},
    }


def test_every_place_shows_the_same_figures_as_the_hand_count():
    for place, figures in _shown_figures().items():
        for name, value in BY_HAND.items():
            if name in figures:
                assert figures[name] == pytest.approx(value), (place, name)
    assert BY_HAND["macro_f1"] == pytest.approx(0.5556, abs=1e-4)


def test_label_scores_match_scikit_learn_on_random_labels():
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

    from skinmm.metrics import label_scores

    rng = np.random.default_rng(3)
    for _ in range(50):
        # five classes, some absent from the truth, some from the predictions
        y, pred = rng.integers(0, 4, 12), rng.integers(1, 5, 12)
        ours = label_scores(y, pred, 5)
        assert ours["weighted_f1"] == pytest.approx(
            f1_score(y, pred, average="weighted", zero_division=0)
        )
        assert ours["macro_f1"] == pytest.approx(
            f1_score(y, pred, average="macro", zero_division=0)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn warns of classes predicted, never true
            assert ours["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, pred))
        assert ours["accuracy"] == pytest.approx(accuracy_score(y, pred))
