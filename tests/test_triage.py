"""The malignancy triage point: set on validation only, and read the same way everywhere."""

import json

import numpy as np
import pandas as pd
import pytest

from skinmm.bundle import load_bundle, read_card
from skinmm.cli import main
from skinmm.evaluate import evaluate_bundle
from skinmm.taxonomy import LABEL_SPACES
from skinmm.triage import choose_threshold, operating_point, risk_classes, verdict

HAM = LABEL_SPACES["ham10000"]


def test_risk_classes_are_the_taxonomys_malignant_and_premalignant():
    assert [HAM[k].code for k in risk_classes(HAM)] == ["akiec", "bcc", "mel"]


def test_threshold_by_hand():
    # Ten positives scored 1.0, 0.9, ..., 0.1; 90% of ten is nine: the ninth highest, 0.2.
    y = np.r_[np.ones(10, dtype=int), np.zeros(5, dtype=int)]
    score = np.r_[np.linspace(1.0, 0.1, 10), np.full(5, 0.5)]
    assert choose_threshold(y, score, [1], 0.9) == pytest.approx(0.2)
    assert choose_threshold(y, score, [1], 0.5) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="no malignant"):
        choose_threshold(np.zeros(3, dtype=int), np.ones(3), [1])


def test_operating_point_reaches_the_target_on_validation():
    rng = np.random.default_rng(0)
    y = rng.integers(0, len(HAM), 300)
    proba = rng.dirichlet(np.ones(len(HAM)), 300)
    point = operating_point(y, proba, HAM)
    assert point["classes"] == ["akiec", "bcc", "mel"]
    assert point["validation"]["sensitivity"] >= 0.9


def test_verdict_of_one_case():
    codes = [c.code for c in HAM]
    fused = np.array([0.1, 0.1, 0.1, 0.0, 0.1, 0.6, 0.0])  # akiec + bcc + mel = 0.3
    point = {"classes": ["akiec", "bcc", "mel"], "threshold": 0.25}
    assert verdict(point, codes, fused) == {"score": 0.3, "refer": True, "threshold": 0.25}
    assert verdict({**point, "threshold": 0.31}, codes, fused)["refer"] is False
    assert verdict(None, codes, fused)["refer"] is None


def test_threshold_comes_from_validation_only(tiny_bundle, tmp_path):
    """Evaluating on different test data never moves the threshold the card holds."""
    card_threshold = read_card(tiny_bundle)["triage"]["threshold"]
    bundle = load_bundle(tiny_bundle)
    test = pd.read_csv(tiny_bundle.parent / "test.csv", keep_default_na=False)
    test["image_path"] = [str(tiny_bundle.parent / p) for p in test["image_path"]]
    changed = test.copy()
    changed["label"] = np.roll(changed["label"].to_numpy(), 3)
    changed.to_csv(tmp_path / "changed.csv", index=False)
    seen = []
    for name, manifest in (("a", tiny_bundle.parent / "test.csv"), ("b", tmp_path / "changed.csv")):
        metrics = evaluate_bundle(
            bundle,
            manifest,
            tmp_path / name,
            cache_dir=tiny_bundle.parent / "cache",
            plots=False,
            n_boot=20,
            progress=False,
        )
        seen.append(metrics["triage"]["threshold"])
        table = pd.read_csv(tmp_path / name / "predictions.csv")
        assert set(table["triage_refer"]) <= {0, 1}
        assert ((table["triage_score"] >= card_threshold) == table["triage_refer"]).all()
    assert seen == [card_threshold, card_threshold]
    assert read_card(tiny_bundle)["triage"]["threshold"] == card_threshold


def test_predict_json_carries_the_triage(tiny_bundle, capsys):
    assert main(["predict", "--bundle", str(tiny_bundle), "--note", "Male, 70 years. Face."]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record["triage"]) == {"score", "refer", "threshold"}
    assert record["triage"]["refer"] == (record["triage"]["score"] >= record["triage"]["threshold"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_clinical_tables_and_curve_from_a_report(tiny_bundle, lang):
    from skinmm.clinical_charts import (
        differences_table,
        guarantees_table,
        intervals_table,
        triage_curve_figure,
        with_interval,
    )
    from skinmm.i18n import t

    metrics = json.loads((tiny_bundle / "report" / "metrics.json").read_text())
    table = intervals_table(metrics, lang)
    assert len(table) == 5 and table.iloc[2, 0] == t("clin_row_fused", lang)
    verdicts = set(differences_table(metrics, lang).iloc[:, 2])
    allowed = {t(f"clin_verdict_{v}", lang) for v in ("higher", "lower", "not_evaluated")}
    assert verdicts <= allowed | {t("clin_verdict_no_measurable_difference", lang)}
    assert len(guarantees_table(metrics, lang)) == 2
    figure = triage_curve_figure(metrics["triage"], lang)
    assert len(figure.data) == 2  # the curve and the operating point
    assert with_interval(0.8354, [0.81, 0.86]) == "0.835 (0.810–0.860)"
    assert with_interval(None, None) == "—"


def test_diagnose_shows_the_triage_verdict_with_its_test_figures(
    tiny_bundle, app_home, monkeypatch
):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import ROOT, TIMEOUT, submit
    from tests.test_db_helpers import png_bytes

    monkeypatch.setenv("SKINMM_BUNDLE", str(tiny_bundle))
    at = submit(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT), png_bytes())
    assert not at.exception
    boxes = [str(e.value) for e in [*at.error, *at.info]]
    assert any("Triage: refer" in b or "Triage: low risk" in b for b in boxes)
    captions = [str(c.value) for c in at.caption]
    assert any("On the test split this threshold had sensitivity" in c for c in captions)


def test_the_pdf_carries_the_triage_verdict_of_the_bundle_that_made_the_case(tiny_bundle, tmp_path):
    from skinmm.casereport.report import build_case_report
    from skinmm.db.store import open_store
    from tests.test_db_helpers import case_from_bundle
    from tests.test_report_pdf import pdf_text, saved_case

    store = open_store(f"sqlite:///{tmp_path / 'cases.db'}", tmp_path / "home")
    bundle, _, case_id = case_from_bundle(store, tiny_bundle, "Male, 60 years. Back.")
    text = " ".join(pdf_text(build_case_report(store, case_id, bundle=bundle)).split())
    assert "Triage: refer" in text or "Triage: low risk at this operating point" in text
    assert "referral threshold" in text
    other = " ".join(pdf_text(build_case_report(store, saved_case(store), bundle=bundle)).split())
    assert "its referral threshold is unknown" in other
