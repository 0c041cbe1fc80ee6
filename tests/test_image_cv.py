"""Grouped cross-validation of image candidates on the training split only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skinmm.data.manifest import write_manifest
from skinmm.image import DEFAULT_BACKBONE
from skinmm.image.cv import RESULTS_FILE, SUMMARY_FILE, grouped_folds, main, parse_candidate
from tests.conftest import synthetic_manifest


def test_parse_candidate_reads_backbone_numbers_lists_and_flags():
    c = parse_candidate(
        "small:backbone=efficientnet-lite2,epochs=3,lr=1e-3,train_views=identity+hflip,"
        "pretrained=false,class_cap=none"
    )
    assert c.name == "small" and c.backbone == "efficientnet-lite2"
    assert c.params == {
        "epochs": 3,
        "lr": 1e-3,
        "train_views": ["identity", "hflip"],
        "pretrained": False,
        "class_cap": None,
    }
    assert parse_candidate("plain").backbone == DEFAULT_BACKBONE


@pytest.mark.parametrize("bad", [":epochs=3", "x:epochs"])
def test_parse_candidate_rejects_malformed_specs(bad: str):
    with pytest.raises(ValueError, match="Candidate"):
        parse_candidate(bad)


def test_folds_never_split_a_group_and_hold_out_one_image_per_group(tmp_path: Path):
    frame = synthetic_manifest(tmp_path / "images", n_groups=42, views=3)
    folds = grouped_folds(frame, 3, seed=0)
    held_groups = []
    for fit, held in folds:
        assert not set(fit["group_id"]) & set(held["group_id"])
        assert held["group_id"].is_unique
        assert (fit.groupby("group_id").size() == 3).all()  # every view kept for fitting
        held_groups += list(held["group_id"])
    assert sorted(held_groups) == sorted(set(frame["group_id"]))


def test_cv_command_scores_every_candidate_on_every_fold(tmp_path: Path):
    frame = synthetic_manifest(tmp_path / "images", n_groups=36, views=2)
    train = write_manifest(frame, tmp_path / "train.csv")
    common = "pretrained=false,input_size=32,batch_size=8,train_views=identity,tta_views=identity"
    argv = [
        "--train", str(train), "--out", str(tmp_path / "cv"), "--folds", "2",
        "--cache-dir", str(tmp_path / "cache"),
        "--candidate", f"one:epochs=1,{common}",
        "--candidate", f"two:epochs=2,{common}",
    ]  # fmt: skip
    assert main(argv) == 0
    results = json.loads((tmp_path / "cv" / RESULTS_FILE).read_text())
    assert [(r["candidate"], r["fold"]) for r in results] == [
        ("one", 0),
        ("one", 1),
        ("two", 0),
        ("two", 1),
    ]
    assert all(0.0 <= r["weighted_f1"] <= 1.0 for r in results)
    summary = (tmp_path / "cv" / SUMMARY_FILE).read_text()
    assert "| one |" in summary and "| two |" in summary
    assert "skinmm cv --train" in summary
