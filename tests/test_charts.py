"""The figure and table builders, on real Prediction objects and real classification reports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from skinmm import charts
from skinmm.fusion import fuse
from skinmm.metrics import classification_report, compensation, per_class_dict
from skinmm.prediction import Prediction
from skinmm.taxonomy import HAM10000_CLASSES

CODES = [c.code for c in HAM10000_CLASSES]


def prediction(
    image: list[float] | None, text: list[float] | None, rule: str = "max"
) -> Prediction:
    n = len(HAM10000_CLASSES)
    nan = np.full((1, n), np.nan)
    image_p = nan if image is None else np.array([image], dtype=float)
    text_p = nan if text is None else np.array([text], dtype=float)
    result = fuse(image_p, text_p, rule)
    return Prediction(
        classes=HAM10000_CLASSES,
        fused=result.proba[0],
        image=None if image is None else image_p[0],
        text=None if text is None else text_p[0],
        carrier=tuple(result.carrier[0]),
        mode=str(result.mode[0]),
        rule=rule,
    )


IMAGE = [0.05, 0.10, 0.05, 0.05, 0.60, 0.10, 0.05]  # mel on top
TEXT = [0.05, 0.50, 0.05, 0.05, 0.20, 0.10, 0.05]  # bcc on top


@pytest.fixture(scope="module")
def report() -> dict:
    """A report made the way `skinmm evaluate` makes one, on noisy synthetic probabilities."""
    rng = np.random.default_rng(0)
    n, k = 210, len(CODES)
    y = np.arange(n) % k

    def branch(noise: float) -> np.ndarray:
        logits = rng.normal(0, noise, (n, k))
        logits[np.arange(n), y] += 1.5
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    image_p, text_p = branch(1.0), branch(1.4)
    fused_p = fuse(image_p, text_p, "max").proba
    image_pred, text_pred = image_p.argmax(1), text_p.argmax(1)
    return {
        "image": classification_report(y, image_p, CODES),
        "text": classification_report(y, text_p, CODES),
        "fused": classification_report(y, fused_p, CODES),
        "fusion_rules": {
            "max": classification_report(y, fused_p, CODES),
            "mean": classification_report(y, fuse(image_p, text_p, "mean").proba, CODES),
        },
        "rule": "max",
        "classes": CODES,
        "n_cases": n,
        "text_compensating_image": per_class_dict(compensation(y, image_pred, text_pred, k), CODES),
        "image_compensating_text": per_class_dict(compensation(y, text_pred, image_pred, k), CODES),
    }


def test_differential_is_sorted_with_the_top_class_on_top_and_coloured_by_risk() -> None:
    pred = prediction(IMAGE, TEXT)
    fig = charts.differential_figure(pred, "en")
    bars = {trace.name: trace for trace in fig.data if trace.x[0] is not None}
    assert not any(trace.showlegend for trace in bars.values())
    assert set(bars) == {"Fused", "Image", "Note"}
    fused = bars["Fused"]
    assert fused.y[-1] == "Melanoma"  # plotly draws the last category at the top
    assert list(fused.x) == sorted(fused.x)
    assert fused.marker.color[-1] == charts.RISK_COLOURS[pred.top.risk]
    assert fused.marker.color[0] == charts.RISK_COLOURS[pred.classes[pred.order[-1]].risk]
    assert list(bars["Image"].x)[-1] == pytest.approx(0.60)
    # Two separate, titled legends: branch patterns (grey) and risk colours (solid).
    branches = [tr for tr in fig.data if tr.x[0] is None and tr.legend in (None, "legend")]
    risks = [tr for tr in fig.data if tr.x[0] is None and tr.legend == "legend2"]
    assert [tr.name for tr in branches] == ["Fused", "Image", "Note"]
    assert [tr.name for tr in risks] == ["malignant", "premalignant", "benign"]
    assert {tr.marker.color for tr in branches} == {"#7f8c8d"}
    assert [tr.marker.color for tr in risks] == list(charts.RISK_COLOURS.values())
    assert not any(tr.marker.pattern.shape for tr in risks)
    assert fig.layout.legend.title.text == "Pattern = branch"
    assert fig.layout.legend2.title.text == "Colour = risk"
    assert fig.layout.legend.y > 1 and fig.layout.legend2.y == 0  # above and below the bars


def test_differential_in_chinese_and_image_only() -> None:
    fig = charts.differential_figure(prediction(IMAGE, None), "zh")
    bars = [trace for trace in fig.data if trace.x[0] is not None]
    assert [trace.name for trace in bars] == ["图像", "融合"]
    assert bars[-1].y[-1] == "黑色素瘤"
    assert "良性角化病" in bars[-1].y  # parenthesised sub-entities are cut for the axis


def test_differential_table_lists_carriers_in_fused_order() -> None:
    table = charts.differential_table(prediction(IMAGE, TEXT), "en")
    assert list(table["Class"])[:2] == ["Melanoma", "Basal cell carcinoma"]
    assert list(table["Carried by"])[:2] == ["image", "note"]
    assert table["Fused"].iloc[0].endswith("%")
    only = charts.differential_table(prediction(None, TEXT), "en")
    assert set(only["Image"]) == {"—"}


@pytest.mark.parametrize("rule", ["mean", "product", "weighted"])
def test_differential_table_names_no_carrier_where_the_rule_has_none(rule: str) -> None:
    """Only the max rule takes each class from one branch."""
    table = charts.differential_table(prediction(IMAGE, TEXT, rule), "en")
    assert "Carried by" not in table.columns
    assert list(table.columns) == ["Class", "Risk", "Fused", "Image", "Note"]


def test_heatmap_overlay_blends_at_the_image_size() -> None:
    image = Image.new("RGB", (80, 60), (10, 200, 30))
    heat = np.zeros((7, 7))
    heat[3, 3] = 1.0
    assert charts.heatmap_overlay(image, heat, 0.0).tobytes() == image.tobytes()
    full = charts.heatmap_overlay(image, heat, 1.0)
    assert full.size == (80, 60)
    corner = np.asarray(full)[0, 0]
    assert corner[2] > corner[0]  # jet: cold is blue
    half = np.asarray(charts.heatmap_overlay(image, np.full((5, 5), np.nan), 0.5))
    assert half.shape == (60, 80, 3)


def test_confusion_counts_and_row_normalised(report: dict) -> None:
    counts = charts.confusion_figure(report, "fused", HAM10000_CLASSES, "en").data[0]
    assert np.asarray(counts.z).sum() == report["n_cases"]
    assert np.asarray(counts.z).tolist() == report["fused"]["confusion"]
    shares = charts.confusion_figure(report, "image", HAM10000_CLASSES, "zh", normalise=True)
    assert np.asarray(shares.data[0].z).sum(axis=1) == pytest.approx(np.ones(len(CODES)))
    assert "混淆矩阵" in shares.layout.title.text


def test_f1_roc_compensation_and_reliability_figures(report: dict) -> None:
    f1 = charts.f1_figure(report, HAM10000_CLASSES, "en")
    assert [trace.name for trace in f1.data] == ["Image", "Note", "Fused"]
    assert list(f1.data[2].y) == [report["fused"]["per_class"][c]["f1"] for c in CODES]
    roc = charts.roc_figure(report, "text", HAM10000_CLASSES, "en")
    assert len(roc.data) == 1 + len(CODES)
    auc = report["text"]["per_class"]["mel"]["auc"]
    assert any(trace.name == f"Melanoma ({auc:.2f})" for trace in roc.data)
    comp = charts.compensation_figure(report, HAM10000_CLASSES, "en")
    assert list(comp.data[0].y) == [report["text_compensating_image"][c] for c in CODES]
    assert [trace.name for trace in comp.data] == ["note rescues image", "image rescues note"]
    assert comp.data[1].hovertemplate == "%{x}: %{y:.0%}<extra>image rescues note</extra>"
    rel = charts.reliability_figure(report, "en")
    assert len(rel.data) == 4
    assert all(0 <= y <= 1 for trace in rel.data[1:] for y in trace.y)
    assert not any(trace.type == "scattergl" for fig in (roc, rel) for trace in fig.data)


def test_tables(report: dict) -> None:
    summary = charts.metrics_table(report, "en")
    assert list(summary["Branch"]) == ["Image", "Note", "Fused"]
    assert summary["Weighted F1"].tolist() == [
        report[b]["weighted_f1"] for b in ("image", "text", "fused")
    ]
    paper = charts.paper_table(report, "zh")
    assert paper["论文（加权 F1）"].tolist() == [
        charts.PAPER_WEIGHTED_F1[b] for b in ("image", "text", "fused")
    ]
    rules = charts.rules_table(report, "en")
    assert rules["Rule"].tolist() == ["max (default)", "mean"]
    assert charts.rules_table(report, "zh")["规则"].tolist() == ["最大值 (默认)", "平均值"]
    pairs = charts.pairs_table(report, HAM10000_CLASSES, "en")
    assert len(pairs) == sum(len(report[b]["confused_pairs"]) for b in ("image", "text", "fused"))


def test_misclassified_filters_by_branch_true_and_predicted_class() -> None:
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b", "c", "d", "e"],
            "label": ["mel", "mel", "nv", "bcc", "nv"],
            "image_pred": ["nv", "mel", "mel", "bkl", "nv"],
            "text_pred": ["mel", "nv", "mel", "bcc", "nv"],
            "fused_pred": ["nv", "mel", "mel", "bcc", "nv"],
        }
    )
    ids = lambda rows: rows["case_id"].tolist()  # noqa: E731
    assert ids(charts.misclassified(frame, "fused")) == ["a", "c"]
    assert ids(charts.misclassified(frame, "image")) == ["a", "c", "d"]
    assert ids(charts.misclassified(frame, "text")) == ["b", "c"]
    assert ids(charts.misclassified(frame, "image_only")) == ["a", "d"]
    assert ids(charts.misclassified(frame, "text_only")) == ["b"]
    assert ids(charts.misclassified(frame, "both")) == ["c"]
    assert ids(charts.misclassified(frame, "image", true_codes=["mel"])) == ["a"]
    assert ids(charts.misclassified(frame, "image", predicted_codes=["bkl"])) == ["d"]
    assert ids(charts.misclassified(frame, "fused", ["nv"], ["mel"])) == ["c"]
    with pytest.raises(ValueError, match="Unknown error filter"):
        charts.misclassified(frame, "everything")


def test_headline_lists_every_loss_beside_the_gains(report: dict) -> None:
    """A weighted-F1 gain with a balanced-accuracy and a melanoma-recall loss shows all three."""
    changed = {b: {**report[b], "per_class": dict(report[b]["per_class"])} for b in charts.BRANCHES}
    changed["image"].update(weighted_f1=0.835, balanced_accuracy=0.690)
    changed["fused"].update(weighted_f1=0.845, balanced_accuracy=0.654)
    changed["image"]["per_class"]["mel"] = {**report["image"]["per_class"]["mel"], "recall": 0.6}
    changed["fused"]["per_class"]["mel"] = {**report["fused"]["per_class"]["mel"], "recall": 0.559}
    losses, gains = charts.headline_changes({**report, **changed}, HAM10000_CLASSES, "en")
    lost = {c.label: round(c.delta, 3) for c in losses}
    assert lost["Balanced accuracy"] == -0.036
    assert lost["Melanoma recall"] == -0.041
    assert {c.label: round(c.delta, 3) for c in gains}["Weighted F1"] == 0.010
    assert losses[0].label == "Balanced accuracy"  # summary metrics lead, then classes
    assert [c.per_class for c in losses] == sorted(c.per_class for c in losses)
    assert all(c.delta < 0 for c in losses) and all(c.delta > 0 for c in gains)
    zh_losses, _ = charts.headline_changes({**report, **changed}, HAM10000_CLASSES, "zh")
    assert "黑色素瘤召回率" in {c.label for c in zh_losses}


def test_headline_on_the_shipped_report_shows_its_losses() -> None:
    """The bundled report's weighted rule: weighted F1 up, balanced accuracy down; both named.

    (The shipped decision itself is the image branch's, so its own headline has no change.)
    """
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "models" / "default" / "report" / "metrics.json"
    shipped = json.loads(path.read_text(encoding="utf-8"))
    losses, gains = charts.headline_changes(shipped, HAM10000_CLASSES, "en")
    assert shipped["rule"] != "image" or (losses, gains) == ([], [])
    weighted = {**shipped, "fused": shipped["fusion_rules"]["weighted"]}
    losses, gains = charts.headline_changes(weighted, HAM10000_CLASSES, "en")
    gain = weighted["fused"]["weighted_f1"] - weighted["image"]["weighted_f1"]
    loss = weighted["fused"]["balanced_accuracy"] - weighted["image"]["balanced_accuracy"]
    assert gain > 0 > loss
    assert {c.label: c.delta for c in gains}["Weighted F1"] == pytest.approx(gain)
    assert {c.label: c.delta for c in losses}["Balanced accuracy"] == pytest.approx(loss)
    assert "Melanoma recall" in {c.label for c in losses}


def test_recall_precision_table_has_every_class_and_branch(report: dict) -> None:
    table = charts.recall_precision_table(report, HAM10000_CLASSES, "en")
    assert len(table) == len(CODES)
    assert table["Recall — Fused"].tolist() == [
        report["fused"]["per_class"][c]["recall"] for c in CODES
    ]
    assert table["Precision — Note"].tolist() == [
        report["text"]["per_class"][c]["precision"] for c in CODES
    ]
    assert table["Test cases"].sum() == report["n_cases"]
