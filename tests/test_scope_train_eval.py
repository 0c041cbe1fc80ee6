"""`skinmm train` fits the input-scope gate; `skinmm evaluate` reports every case's verdict
and the main figures on in-scope cases; the Dashboard shows them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from skinmm import scope
from skinmm.bundle import load_bundle, read_card
from skinmm.i18n import t
from skinmm.metrics import classification_report
from skinmm.scope_metrics import NO_IMAGE
from skinmm.triage import risk_classes
from tests.conftest import tiny_split, train_tiny_bundle
from tests.test_scope import clinical_like

ROOT = Path(__file__).resolve().parents[1]
CLINICAL_CLASSES = ("Eczema", "Psoriasis", "Tinea", "Acne")


def clinical_folder(root: Path) -> Path:
    """An sd198-subset-shaped folder: metadata.csv and clinical-like photos of four classes."""
    rng = np.random.default_rng(4)
    rows = []
    for name in CLINICAL_CLASSES:
        (root / "images" / name).mkdir(parents=True)
        for k in range(12):
            path = f"images/{name}/{k}.png"
            clinical_like(rng).save(root / path)
            rows.append({"image_path": path, "sd198_class": name})
    pd.DataFrame(rows).to_csv(root / "metadata.csv", index=False)
    return root


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny bundle trained with a gate, and its evaluation report (a text-only row too)."""
    root = tmp_path_factory.mktemp("gated-train")
    paths = tiny_split(root)
    test = pd.read_csv(paths["test"], keep_default_na=False)
    test.loc[0, "image_path"] = ""  # a case with a note only: no verdict, never dropped
    test.to_csv(paths["test"], index=False)
    clinical = clinical_folder(root / "clinical")
    scope_params = {"held_out_classes": 1}
    out = train_tiny_bundle(root, paths, clinical=clinical, scope_params=scope_params)
    return {"bundle": out, "test": paths["test"], "val": paths["val"]}


def test_training_fits_and_seals_the_gate(trained: dict[str, Path]) -> None:
    bundle_dir = trained["bundle"]
    card = read_card(bundle_dir)
    assert {"scope/scope.json", "scope/scope.npz"} <= set(card["files"])
    assert card["scope"]["thresholds"]["distance"] > 0
    bundle = load_bundle(bundle_dir)
    assert bundle.scope is not None
    assert bundle.scope.info["image_weights_sha256"] == card["files"]["image/image_weights.pt"]
    assert bundle.scope.info["held_out"]["sd198_classes"] != []
    calibration = bundle.scope.info["calibration"]
    val_lesions = pd.read_csv(trained["val"])["group_id"].nunique()
    assert (calibration["level"], calibration["n"]) == (0.95, val_lesions)
    assert 0 < bundle.scope.info["validation"]["val_pass_rate"] <= 1
    red = bundle.predict(image=Image.new("RGB", (200, 200), (200, 30, 30)))
    assert red.scope is not None and red.scope.verdict == "not_skin"


def test_evaluate_reports_every_case_with_its_verdict_and_set(trained: dict[str, Path]) -> None:
    report = trained["bundle"] / "report"
    table = pd.read_csv(report / "predictions.csv", keep_default_na=False)
    manifest = pd.read_csv(trained["test"], keep_default_na=False)
    assert len(table) == len(manifest)  # nothing dropped for its verdict
    assert set(table["scope"]) <= {*scope.VERDICTS, NO_IMAGE}
    assert table.loc[table["image_path"] == "", "scope"].tolist() == [NO_IMAGE]
    assert "in_scope" in set(table["scope"])
    # Every case's set at the default level, as the card's calibration gives it (a Mondrian
    # set may be empty: no class is typical enough of the case; the page says so).
    from skinmm.conformal import DEFAULT_LEVEL, sets_by_mode

    card = read_card(trained["bundle"])
    codes = [c["code"] for c in card["classes"]]
    proba = table[[f"fused_{c}" for c in codes]].to_numpy(dtype=float)
    member = sets_by_mode(card["conformal"], proba, table["mode"].tolist(), codes, DEFAULT_LEVEL)
    assert member is not None
    expected = ["|".join(c for c, m in zip(codes, row, strict=True) if m) for row in member]
    assert table["fused_set"].tolist() == expected
    assert sum(map(bool, expected)) >= len(table) // 2  # a tiny model: some sets are empty
    import json

    metrics = json.loads((report / "metrics.json").read_text())
    block = metrics["scope"]
    assert sum(block["verdicts"].values()) + block["no_image"] == block["n_cases"] == len(table)
    assert block["verdicts"] == {v: int((table["scope"] == v).sum()) for v in scope.VERDICTS}
    # The in-scope figures are the report's own figures on those rows, counted again here.
    bundle = load_bundle(trained["bundle"])
    codes = bundle.codes
    inside = table[table["scope"] == "in_scope"]
    y = inside["label"].map(codes.index).to_numpy()
    proba = inside[[f"fused_{c}" for c in codes]].to_numpy(dtype=float)
    expected = classification_report(y, proba, codes, risk_classes(bundle.classes))
    for figure in ("weighted_f1", "balanced_accuracy", "malignant_sensitivity"):
        assert block["in_scope"][figure] == pytest.approx(expected[figure], abs=1e-4), figure
    mel = expected["per_class"]["mel"]["recall"]
    assert block["in_scope"]["melanoma_recall"] == pytest.approx(mel, abs=1e-4)
    low, high = block["in_scope"]["ci"]["weighted_f1"]
    assert low <= block["in_scope"]["weighted_f1"] <= high
    assert block["all_cases"]["n_cases"] == len(table)
    assert block["all_cases"]["weighted_f1"] == pytest.approx(metrics["fused"]["weighted_f1"])
    assert (
        read_card(trained["bundle"])["metrics"]["test"]["scope"]["verdicts"] == (block["verdicts"])
    )


def test_the_dashboard_shows_the_scope_block(
    trained: dict[str, Path], app_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setenv("SKINMM_BUNDLE", str(trained["bundle"]))
    block = json.loads((trained["bundle"] / "report" / "metrics.json").read_text())["scope"]
    for lang, title in (
        ("en", "Input-scope check on the test cases"),
        ("zh", "测试病例的输入范围检查"),
    ):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["lang"] = lang
        at.run().switch_page("views/dashboard.py").run()
        assert not at.exception, [e.message for e in at.exception]
        assert title in [s.value for s in at.subheader]
        frames = {str(d.value.columns[0]): d.value for d in at.dataframe}
        counts = frames[t("scope_dash_col_verdict", lang)]
        assert list(counts.iloc[:, 1]) == list(block["verdicts"].values())
        figures = frames[t("scope_dash_col_metric", lang)]
        assert figures.iloc[0, 1].startswith(f"{block['in_scope']['weighted_f1']:.3f}")


def test_train_command_finds_the_clinical_photos_or_trains_without_a_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from skinmm.cli import main

    seen: list = []
    monkeypatch.setattr("skinmm.train.train_bundle", seen.append)
    base = ["train", "--train", "t.csv", "--val", "v.csv", "--out", str(tmp_path / "b")]
    clinical_folder(tmp_path / "sd198-subset")
    monkeypatch.setenv("SKINMM_DATA", str(tmp_path))
    assert main(base) == 0 and seen[-1].clinical == tmp_path / "sd198-subset"
    assert main([*base, "--no-scope"]) == 0 and seen[-1].clinical is None
    assert main([*base, "--clinical", str(tmp_path / "sd198-subset")]) == 0
    assert seen[-1].clinical == tmp_path / "sd198-subset"
    assert main([*base, "--clinical", str(tmp_path / "nowhere")]) == 2
    assert "has no metadata.csv" in capsys.readouterr().err
    monkeypatch.setenv("SKINMM_DATA", str(tmp_path / "empty"))
    assert main(base) == 0 and seen[-1].clinical is None
    assert "no input-scope gate" in capsys.readouterr().err
    assert len(seen) == 4
