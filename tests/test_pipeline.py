"""Train -> bundle -> evaluate -> predict, end to end on a tiny synthetic dataset."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from skinmm.bundle import BundleError, load_bundle, read_card
from skinmm.cli import main
from tests.conftest import CLASSES, synthetic_image


def test_card_has_what_the_house_asks_for(tiny_bundle):
    card = read_card(tiny_bundle)
    for key in ("schema_version", "classes", "preprocessing", "backbone", "embedder", "fusion"):
        assert card[key], key
    assert [c["code"] for c in card["classes"]] == CLASSES
    assert card["classes"][0]["covers"] == ["ak", "bowen"]
    assert card["fusion"]["rule"] in card["fusion"]["validation_scores"]
    training = card["training"]
    assert len(training["data_fingerprint"]["train"]) == 64
    assert "timings" in training and "arguments" in training
    assert card["calibration"]["image"]["temperature"] > 0
    assert "CC BY-NC-SA" in card["licence"]["weights"]
    assert all(len(h) == 64 for h in card["files"].values())
    assert "report/metrics.json" in card["files"]
    # The card's headline is the report's figure, which is the predictions' weighted F1.
    report = json.loads((tiny_bundle / "report" / "metrics.json").read_text())
    table = pd.read_csv(tiny_bundle / "report" / "predictions.csv")
    expected = f1_score(table["label"], table["fused_pred"], average="weighted")
    assert report["fused"]["weighted_f1"] == pytest.approx(expected)
    assert card["metrics"]["test"]["fused"]["weighted_f1"] == round(expected, 4)


def test_report_has_every_key_the_dashboard_reads(tiny_bundle):
    metrics = json.loads((tiny_bundle / "report" / "metrics.json").read_text())
    for key in ("image", "text", "fused", "fusion_rules", "text_compensating_image", "n_cases"):
        assert key in metrics
    for branch in ("image", "text", "fused"):
        for m in ("weighted_f1", "weighted_precision", "weighted_recall", "macro_f1"):
            assert 0 <= metrics[branch][m] <= 1
        assert {"balanced_accuracy", "accuracy", "auc_macro", "per_class"} <= set(metrics[branch])
    assert set(metrics["fusion_rules"]) == {"max", "mean", "product", "weighted", "stacked"}
    table = pd.read_csv(tiny_bundle / "report" / "predictions.csv")
    assert len(table) == metrics["n_cases"]
    assert {"case_id", "label", "fused_pred", "image_nv", "text_nv", "fused_nv"} <= set(
        table.columns
    )
    for png in ("confusion.png", "per_class_f1.png", "roc_fused.png"):
        assert (tiny_bundle / "report" / png).stat().st_size > 1000


def test_synthetic_signal_is_learned(tiny_bundle):
    metrics = json.loads((tiny_bundle / "report" / "metrics.json").read_text())
    # Colour and age encode the label in the synthetic data: far above chance (1/7).
    assert metrics["image"]["accuracy"] > 0.4
    assert metrics["text"]["accuracy"] > 0.3


def test_predict_every_mode(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    image = synthetic_image(np.random.default_rng(5), 4)
    both = bundle.predict(image, "Female, 52 years. Lesion on the back.")
    assert both.mode == "fused" and both.fused.sum() == pytest.approx(1)
    assert both.image is not None and both.text is not None
    assert bundle.predict(image, "").mode == "image-only"
    assert bundle.predict(None, "Male, 30 years. Lesion on the face.").mode == "text-only"
    with pytest.raises(ValueError, match="Nothing to analyse"):
        bundle.predict(None, "   ")
    record = both.to_dict()
    assert next(d["code"] for d in record["differential"]) == both.top.code
    assert len(record["differential"]) == len(CLASSES)


def test_cams_for_top_three(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    image = synthetic_image(np.random.default_rng(1), 2, size=80)
    cams = bundle.cams(image, [0, 1, 2])
    assert [c.class_index for c in cams] == [0, 1, 2]
    assert cams[0].heatmap.shape == (80, 80)


def test_damaged_bundle_refuses_to_load(tiny_bundle, tmp_path):
    copy = tmp_path / "b"
    shutil.copytree(tiny_bundle, copy)
    text_file = next((copy / "text").glob("*.ubj"))
    text_file.write_bytes(text_file.read_bytes() + b"x")
    with pytest.raises(BundleError, match="checksum mismatch"):
        load_bundle(copy)
    text_file.unlink()
    with pytest.raises(BundleError, match="missing"):
        load_bundle(copy)


def test_newer_schema_and_missing_bundle_are_clear(tiny_bundle, tmp_path):
    copy = tmp_path / "b"
    shutil.copytree(tiny_bundle, copy)
    card = json.loads((copy / "model_card.json").read_text())
    card["schema_version"] = 99
    (copy / "model_card.json").write_text(json.dumps(card))
    with pytest.raises(BundleError, match="Upgrade SkinMM"):
        load_bundle(copy)
    with pytest.raises(BundleError, match="skinmm train"):
        load_bundle(tmp_path / "nowhere")


def test_cli_predict_prints_the_differential(tiny_bundle, tmp_path, capsys):
    path = tmp_path / "lesion.png"
    synthetic_image(np.random.default_rng(2), 1, size=64).save(path)
    cam = tmp_path / "cam.png"
    args = [
        "predict",
        "--bundle",
        str(tiny_bundle),
        "--image",
        str(path),
        "--note",
        "Male, 40 years.",
    ]
    assert main([*args, "--cam", str(cam)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["mode"] == "fused" and len(record["cams"]) == 3 and cam.is_file()


def test_external_manifest_labels_map_or_are_reported(tiny_bundle, tmp_path):
    from skinmm.data.manifest import write_manifest
    from skinmm.evaluate import evaluate_bundle

    rng = np.random.default_rng(0)
    rows = []
    for i, label in enumerate(["sk", "bowen", "mel", "wart", "nv", "wart"]):
        path = tmp_path / f"{i}.png"
        synthetic_image(rng, i % 7).save(path)
        rows.append([f"c{i}", f"g{i}", str(path), "Male, 60 years.", label])
    frame = pd.DataFrame(rows, columns=["case_id", "group_id", "image_path", "note", "label"])
    manifest = write_manifest(frame, tmp_path / "external.csv")
    metrics = evaluate_bundle(
        load_bundle(tiny_bundle), manifest, tmp_path / "out", plots=False, n_boot=20
    )
    assert metrics["unmapped"] == {"count": 2, "labels": {"wart": 2}}
    assert metrics["n_cases"] == 4  # sk -> bkl, bowen -> akiec, mel, nv


def test_git_commit_says_when_the_code_is_not_the_commit(tmp_path):
    import subprocess

    from skinmm.bundle import git_commit

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "recipe.py").write_text("EPOCHS = 8\n")
    git("add", "recipe.py")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "recipe")
    clean = git_commit(tmp_path)
    assert clean is not None and len(clean) == 40
    (tmp_path / "notes.md").write_text("not code\n")  # untracked, not Python: still clean
    assert git_commit(tmp_path) == clean
    (tmp_path / "recipe.py").write_text("EPOCHS = 12\n")
    assert git_commit(tmp_path) == f"{clean}+dirty"
    assert git_commit(tmp_path / "missing") is None


def test_report_has_intervals_guarantees_and_triage(tiny_bundle):
    metrics = json.loads((tiny_bundle / "report" / "metrics.json").read_text())
    for name in ("image", "text", "fused", "fused_argmax"):
        report = metrics[name]
        low, high = report["ci"]["weighted_f1"]
        assert low <= report["weighted_f1"] <= high
        assert set(report["per_class"]["mel"]["ci"]) == {"recall", "precision", "auc"}
    assert all("ci" in r for r in metrics["fusion_rules"].values())
    for diff in metrics["fused_minus_image"].values():
        assert diff["verdict"] in {"higher", "lower", "no measurable difference", "not evaluated"}
    assert "recall/mel" in metrics["fused_minus_image"]
    triage = metrics["triage"]
    assert triage["classes"] == ["akiec", "bcc", "mel"]
    assert triage["threshold"] == read_card(tiny_bundle)["triage"]["threshold"]
    assert set(triage["ci"]) == {"sensitivity", "specificity"} and triage["curve"]["threshold"]
    assert metrics["guarantee"]["status"] in {"holds", "fails"}
    assert metrics["sensitivity_guarantee"]["classes"] == ["akiec", "bcc", "mel"]
    assert metrics["bootstrap"]["replicates"] == 1000
    card = read_card(tiny_bundle)
    assert "recall on any malignant or premalignant class" in card["fusion"]["criterion"]
    assert card["metrics"]["test"]["sensitivity_guarantee"] in {"holds", "fails"}


def test_manifest_without_notes_scores_each_branch_on_its_own_cases(tiny_bundle, tmp_path):
    from skinmm.evaluate import evaluate_bundle, summary

    test = pd.read_csv(tiny_bundle.parent / "test.csv", keep_default_na=False)
    test["image_path"] = [str(tiny_bundle.parent / p) for p in test["image_path"]]
    test["note"] = ""
    test = test.drop(columns=[c for c in ("age", "sex", "site") if c in test.columns])
    test.to_csv(tmp_path / "no_notes.csv", index=False)
    bundle = load_bundle(tiny_bundle)
    metrics = evaluate_bundle(
        bundle, tmp_path / "no_notes.csv", tmp_path / "out", n_boot=20, progress=False
    )
    assert metrics["image"]["n_cases"] == len(test) == metrics["fused"]["n_cases"]
    assert metrics["text"]["n_cases"] == 0 and metrics["text"]["weighted_f1"] is None
    table = pd.read_csv(tmp_path / "out" / "predictions.csv")
    # The figure is the recount of the image predictions, not 0.0 as before.
    recount = (table["image_pred"] == table["label"]).mean()
    assert recount > 0 and metrics["image"]["accuracy"] == pytest.approx(recount)
    assert (table["mode"] == "image-only").all()
    assert metrics["fused"]["accuracy"] == pytest.approx(
        (table["fused_pred"] == table["label"]).mean()
    )
    assert metrics["guarantee"]["status"] == "not evaluated"
    assert metrics["guarantee"]["holds_everywhere"] is None
    assert summary(metrics)["guarantee_holds"] is None
    assert (tmp_path / "out" / "confusion.png").is_file()


def test_evaluation_streams_in_chunks_with_progress(tiny_bundle, tmp_path, monkeypatch, capsys):
    import skinmm.evaluate as evaluate

    bundle = load_bundle(tiny_bundle)
    frame = pd.read_csv(tiny_bundle.parent / "test.csv", keep_default_na=False)
    paths = [str(tiny_bundle.parent / p) for p in frame["image_path"]]
    cache = tiny_bundle.parent / "cache"
    whole = bundle.image.predict_proba_paths(paths, cache_dir=cache)
    seen = []
    real = bundle.image.predict_proba_paths
    monkeypatch.setattr(evaluate, "CHUNK", 7)
    monkeypatch.setattr(
        bundle.image,
        "predict_proba_paths",
        lambda p, cache_dir: seen.append(len(p)) or real(p, cache_dir),
    )
    chunked = evaluate.image_probabilities(bundle.image, paths, cache)
    assert max(seen) == 7 and sum(seen) == len(paths)
    np.testing.assert_allclose(chunked, whole, atol=1e-9)
    evaluate.evaluate_bundle(
        bundle, tiny_bundle.parent / "test.csv", tmp_path, cache_dir=cache, n_boot=20
    )
    err = capsys.readouterr().err
    for stage in ("image branch", "text branch", "reports", "bootstrap", "plots"):
        assert stage in err, stage


def test_refit_fusion_replaces_the_bundle_atomically(tiny_bundle, tmp_path, capsys):
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    val = tiny_bundle.parent / "val.csv"
    args = ["refit-fusion", "--bundle", str(copy), "--val", str(val)]
    assert main([*args, "--cache-dir", str(tiny_bundle.parent / "cache")]) == 0
    printed = json.loads(capsys.readouterr().out)
    card = read_card(copy)
    assert printed["rule"] == card["fusion"]["rule"]
    assert card["triage"]["validation"]["sensitivity"] >= 0.9
    assert card["training"]["fusion_refit"]["val"] == str(val)
    assert not (copy / "report").exists() and card["metrics"] == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]  # nothing left behind
    bundle = load_bundle(copy)
    assert bundle.fusion.rule == card["fusion"]["rule"]
    # Same branches: the weights were not touched.
    original = read_card(tiny_bundle)["files"]
    assert {k: v for k, v in card["files"].items()} == {
        k: v for k, v in original.items() if not k.startswith("report/")
    }
