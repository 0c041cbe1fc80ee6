"""Conformal prediction sets (crepes, class-conditional) and the risk–coverage figures."""

from __future__ import annotations

import numpy as np
import pytest
from crepes import ConformalClassifier

from skinmm.conformal import (
    LEVELS,
    calibrate,
    class_thresholds,
    prediction_sets,
    sets_by_mode,
    thresholds_of,
)
from skinmm.metrics import risk_coverage, set_coverage

CODES = ["a", "b", "c", "d"]


def exchangeable(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy softmax probabilities and labels, drawn i.i.d. (so exchangeable)."""
    rng = np.random.default_rng(seed)
    y = rng.choice(len(CODES), size=n, p=[0.55, 0.25, 0.15, 0.05])
    logits = rng.normal(0, 1.0, (n, len(CODES)))
    logits[np.arange(n), y] += 1.5
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return proba, y


def test_sets_are_exactly_crepes_sets():
    cal_p, cal_y = exchangeable(600, 0)
    test_p, _ = exchangeable(300, 1)
    thresholds = class_thresholds(cal_p, cal_y)
    reference = ConformalClassifier().fit(1 - cal_p[np.arange(600), cal_y], bins=cal_y)
    for level in LEVELS:
        ours = prediction_sets(test_p, thresholds[f"{level:g}"])
        for c in range(len(CODES)):
            p = reference.predict_p(1 - test_p[:, c], bins=np.full(300, c), smoothing=False)
            assert np.array_equal(ours[:, c], p >= 1 - level)


@pytest.mark.parametrize("level", LEVELS)
def test_coverage_on_exchangeable_data(level):
    cal_p, cal_y = exchangeable(4000, 2)
    test_p, test_y = exchangeable(20000, 3)
    member = prediction_sets(test_p, class_thresholds(cal_p, cal_y)[f"{level:g}"])
    result = set_coverage(test_y, member, CODES)
    assert abs(result["coverage"] - level) < 0.02
    # Class-conditional: each class is covered on its own, the rare one included.
    for code, coverage in result["per_class_coverage"].items():
        assert coverage == pytest.approx(level, abs=0.04), code


def test_sets_grow_with_the_level():
    cal_p, cal_y = exchangeable(2000, 4)
    test_p, _ = exchangeable(2000, 5)
    thresholds = class_thresholds(cal_p, cal_y)
    sizes = [prediction_sets(test_p, thresholds[f"{lv:g}"]).sum(1) for lv in LEVELS]
    assert (sizes[0] <= sizes[1]).all() and (sizes[1] <= sizes[2]).all()
    assert sizes[0].mean() < sizes[2].mean()


def test_calibration_block_skips_missing_rows_and_unseen_classes():
    cal_p, cal_y = exchangeable(500, 6)
    text = cal_p.copy()
    text[:100] = np.nan
    cal_y = np.where(cal_y == 3, 0, cal_y)  # class d never seen: always kept
    block = calibrate({"image": cal_p, "text": text, "fused": cal_p}, cal_y, CODES)
    assert block["n_calibration"]["text"]["a"] == int((cal_y[100:] == 0).sum())
    thresholds = thresholds_of(block, "fused", 0.9, CODES)
    assert thresholds[3] == 1.0
    assert prediction_sets(cal_p[:1], thresholds)[0, 3]
    assert not prediction_sets(text[:1], thresholds).any()  # no input, no set
    assert thresholds_of(None, "fused", 0.9, CODES) is None


def test_fallback_rows_follow_their_branch():
    cal_p, cal_y = exchangeable(800, 7)
    block = calibrate({"image": cal_p, "text": cal_p**3, "fused": cal_p}, cal_y, CODES)
    test_p, _ = exchangeable(50, 8)
    modes = np.array(["fused"] * 25 + ["text-only"] * 25)
    member = sets_by_mode(block, test_p, modes, CODES)
    text = prediction_sets(test_p[25:], thresholds_of(block, "text", 0.9, CODES))
    assert np.array_equal(member[25:], text)


def test_set_coverage_hand_counts():
    y = np.array([0, 1, 1, 2])
    member = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]], dtype=bool)
    result = set_coverage(y, member, ["x", "y", "z"])
    assert result["coverage"] == 0.75
    assert result["mean_size"] == 5 / 4
    assert result["per_class_coverage"] == {"x": 1.0, "y": 0.5, "z": 1.0}
    assert result["size_distribution"] == {"0": 0, "1": 3, "2": 1, "3": 0}


def test_aurc_hand_checked():
    # Confidences 0.9 (right), 0.8 (wrong), 0.7 (right), 0.6 (wrong):
    # risks after keeping 1..4 cases are 0, 1/2, 1/3, 2/4; AURC is their mean.
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]])
    result = risk_coverage(y, proba)
    assert result["coverage"] == [0.25, 0.5, 0.75, 1.0]
    assert result["risk"] == [0.0, 0.5, 0.3333, 0.5]
    assert result["aurc"] == pytest.approx((0 + 1 / 2 + 1 / 3 + 2 / 4) / 4)
    assert result["error_rate"] == 0.5


def test_aurc_keeps_tied_cases_together():
    # Two cases tied at 0.8, one right and one wrong: the curve never keeps only one of them.
    y = np.array([0, 0, 1])
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.8, 0.2]])
    result = risk_coverage(y, proba)
    assert result["coverage"] == [0.3333, 1.0]
    assert result["aurc"] == pytest.approx(0 * 1 / 3 + (1 / 3) * (2 / 3))


def test_bundle_card_predict_and_report_carry_the_sets(tiny_bundle, tmp_path, capsys):
    import json

    import pandas as pd

    from skinmm.bundle import load_bundle, read_card
    from skinmm.cli import main
    from tests.conftest import synthetic_image

    card = read_card(tiny_bundle)
    block = card["conformal"]
    assert block["default_level"] == 0.9 and "shift" in block["caveat"]
    assert set(block["thresholds"]) == {"image", "text", "fused"}
    bundle = load_bundle(tiny_bundle)
    codes = bundle.codes
    path = tmp_path / "lesion.png"
    synthetic_image(np.random.default_rng(2), 1, size=64).save(path)
    prediction = bundle.predict(str(path), "Male, 40 years.")
    chosen = prediction.prediction_set
    assert chosen is not None and chosen.level == 0.9
    expected = prediction_sets(prediction.fused, thresholds_of(block, "fused", 0.9, codes))[0]
    assert sorted(chosen.codes) == sorted(np.array(codes)[expected].tolist())
    text_only = bundle.predict(None, "Male, 40 years.").prediction_set
    assert text_only is not None
    assert main(["predict", "--bundle", str(tiny_bundle), "--image", str(path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["prediction_set"]["level"] == 0.9
    assert isinstance(record["prediction_set"]["classes"], list)

    metrics = json.loads((tiny_bundle / "report" / "metrics.json").read_text())
    assert set(metrics["conformal"]) == {"0.8", "0.9", "0.95"}
    for level in ("0.8", "0.9", "0.95"):
        for branch in ("image", "text", "fused"):
            row = metrics["conformal"][level][branch]
            assert 0 <= row["coverage"] <= 1 and row["mean_size"] >= 0
            assert set(row["per_class_coverage"]) == set(codes)
    sizes = [metrics["conformal"][lv]["fused"]["mean_size"] for lv in ("0.8", "0.9", "0.95")]
    assert sizes == sorted(sizes)
    for branch in ("image", "text", "fused"):
        curve = metrics["risk_coverage"][branch]
        assert 0 <= curve["aurc"] <= 1 and curve["coverage"][-1] == 1.0
    table = pd.read_csv(tiny_bundle / "report" / "predictions.csv", keep_default_na=False)
    sets = table["fused_set"].str.split("|")
    covered = [label in s for label, s in zip(table["label"], sets, strict=True)]
    assert np.mean(covered) == pytest.approx(metrics["conformal"]["0.9"]["fused"]["coverage"])
    assert card["metrics"]["test"]["conformal"]["level"] == 0.9


def test_another_rule_than_the_calibrated_one_gets_no_set(tiny_bundle, tmp_path):
    from skinmm.bundle import load_bundle
    from tests.conftest import synthetic_image

    bundle = load_bundle(tiny_bundle)
    path = tmp_path / "lesion.png"
    synthetic_image(np.random.default_rng(3), 2, size=64).save(path)
    other = next(r for r in ("max", "mean") if r != bundle.fusion.rule)
    assert bundle.predict(str(path), "Female, 60 years.", rule=other).prediction_set is None


def test_refit_fusion_recalibrates_the_sets(tiny_bundle, tmp_path, capsys):
    import shutil

    from skinmm.bundle import read_card
    from skinmm.cli import main

    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    val = tiny_bundle.parent / "val.csv"
    cache = tiny_bundle.parent / "cache"
    assert (
        main(["refit-fusion", "--bundle", str(copy), "--val", str(val), "--cache-dir", str(cache)])
        == 0
    )
    capsys.readouterr()
    # Same branches, same validation cases, same code path: the same thresholds.
    assert (
        read_card(copy)["conformal"]["thresholds"]
        == read_card(tiny_bundle)["conformal"]["thresholds"]
    )


# --- Pages (AppTest) ------------------------------------------------------------------------


@pytest.fixture
def page_env(app_home, monkeypatch):
    return monkeypatch


def _bundle_with_thresholds(tiny_bundle, tmp_path, value: float, only: tuple[str, ...] = ()):
    """A copy whose thresholds are ``value`` (for the classes ``only``, else all; the others
    -1): 1.0 puts a class in every set, -1 in none."""
    import shutil

    from skinmm.bundle import read_card, write_card

    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    card = read_card(copy)
    for by_level in card["conformal"]["thresholds"].values():
        for table in by_level.values():
            for code in table:
                table[code] = value if not only or code in only else -1.0
    write_card(copy, {k: v for k, v in card.items() if k != "files"})
    return copy


def lesion_png() -> bytes:
    """A synthetic nevus like those the tiny bundle learned (noise would get an empty set)."""
    import io

    from tests.conftest import synthetic_image

    out = io.BytesIO()
    synthetic_image(np.random.default_rng(0), 5, size=96).save(out, format="PNG")
    return out.getvalue()


def _diagnose(bundle, monkeypatch, lang: str = "en"):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import NOTE, ROOT, TIMEOUT, submit

    monkeypatch.setenv("SKINMM_BUNDLE", str(bundle))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if lang != "en":
        at.run()
        at.radio(key="lang_switch").set_value(lang).run()
    at = submit(at, lesion_png(), NOTE)
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_diagnose_states_the_set_above_the_differential(tiny_bundle, tmp_path, page_env):
    benign = ("bkl", "df", "nv", "vasc")
    at = _diagnose(_bundle_with_thresholds(tiny_bundle, tmp_path, 1.0, benign), page_env)
    lines = [m.value for m in at.markdown if "With 90% confidence" in m.value]
    assert len(lines) == 1
    assert "Dermatofibroma" in lines[0] and "Melanoma" not in lines[0]
    assert not any("Refer the patient" in e.value for e in at.error)  # benign only
    assert any("validation groups" in c.value for c in at.caption)


def test_a_set_with_a_malignant_class_among_others_refers(tiny_bundle, tmp_path, page_env):
    bundle = _bundle_with_thresholds(tiny_bundle, tmp_path, 1.0)
    at = _diagnose(bundle, page_env)
    line = next(m.value for m in at.markdown if "With 90% confidence" in m.value)
    assert "Melanoma" in line and "Melanocytic nevus" in line
    assert any("Refer the patient" in e.value for e in at.error)
    zh = _diagnose(bundle, page_env, "zh")
    assert any("在 90% 置信水平下" in m.value and "黑色素瘤" in m.value for m in zh.markdown)
    assert any("转诊皮肤科医生" in e.value for e in zh.error)


def test_an_empty_set_says_the_case_is_unlike_the_calibration(tiny_bundle, tmp_path, page_env):
    bundle = _bundle_with_thresholds(tiny_bundle, tmp_path, -1.0)
    at = _diagnose(bundle, page_env)
    assert any("No class reaches the 90% confidence level" in w.value for w in at.warning)
    assert not any("With 90% confidence" in m.value for m in at.markdown)


def _dashboard(bundle, monkeypatch, lang: str = "en"):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import ROOT, TIMEOUT

    monkeypatch.setenv("SKINMM_BUNDLE", str(bundle))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    if lang != "en":
        at.radio(key="lang_switch").set_value(lang).run()
    at.switch_page("views/dashboard.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_dashboard_shows_coverage_sizes_risk_coverage_and_the_caveat(tiny_bundle, page_env):
    import json

    metrics = json.loads((tiny_bundle / "report" / "metrics.json").read_text())
    at = _dashboard(tiny_bundle, page_env)
    assert any("new clinic, camera" in w.value for w in at.warning)
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    coverage = next(s for s in charts.values() if "nominal" in s["layout"]["title"]["text"])
    fused = next(tr for tr in coverage["data"] if tr["name"] == "Fused")
    assert fused["y"] == [
        metrics["conformal"][lv]["fused"]["coverage"] for lv in ("0.8", "0.9", "0.95")
    ]
    risk = next(s for s in charts.values() if s["layout"]["title"]["text"].startswith("Risk"))
    assert {tr["name"] for tr in risk["data"]} == {"Image", "Note", "Fused"}
    aurc = f"{metrics['risk_coverage']['fused']['aurc']:.4f}"
    assert any("AURC" in c.value and aurc in c.value for c in at.caption)
    zh = _dashboard(tiny_bundle, page_env, "zh")
    assert any("新的诊所、相机" in w.value for w in zh.warning)


def test_dashboard_without_conformal_figures_says_how_to_get_them(tiny_bundle, tmp_path, page_env):
    import json
    import shutil

    from skinmm.bundle import update_card

    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    path = copy / "report" / "metrics.json"
    metrics = json.loads(path.read_text())
    del metrics["conformal"], metrics["risk_coverage"]
    path.write_text(json.dumps(metrics))
    update_card(copy, {}, renew="report")
    at = _dashboard(copy, page_env)
    assert any("refit-fusion" in i.value for i in at.info)
