"""Metrics against values counted by hand on small arrays."""

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


def test_report_has_every_figure():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=8)
    report = classification_report(Y, proba, ["a", "b", "c"])
    for key in ("weighted_f1", "weighted_precision", "weighted_recall", "macro_f1"):
        assert 0 <= report[key] <= 1
    assert set(report["per_class"]) == {"a", "b", "c"}
    assert report["per_class"]["a"]["support"] == 4
    assert 0 <= report["auc_macro"] <= 1 and len(report["reliability"]) == 10
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
