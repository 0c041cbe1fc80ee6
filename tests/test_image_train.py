"""The training command on tiny manifests: CPU tail recipe and the full fine-tuning path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from skinmm.data.manifest import write_manifest
from skinmm.image.model import CONFIG_FILE, ImageBranch
from skinmm.image.standalone import REPORT_FILE, main, train_image_branch

CLASSES = ["bkl", "nv"]


def manifest(folder: Path, name: str, per_class: int) -> Path:
    rng = np.random.default_rng(len(name))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for k, label in enumerate(CLASSES):
        for i in range(per_class):
            pixels = np.clip(80 + 90 * k + rng.normal(0, 20, (36, 36, 3)), 0, 255)
            path = folder / f"{name}_{label}{i}.png"
            Image.fromarray(pixels.astype(np.uint8)).save(path)
            rows.append(
                {
                    "case_id": path.stem,
                    "group_id": path.stem,
                    "image_path": str(path),
                    "note": "",
                    "label": label,
                }
            )
    return write_manifest(pd.DataFrame(rows), folder / f"{name}.csv")


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("manifests")
    return {name: manifest(root, name, n) for name, n in [("train", 4), ("val", 2), ("test", 2)]}


def test_train_function_saves_a_loadable_branch(manifests, tmp_path: Path):
    branch = train_image_branch(
        manifests["train"],
        manifests["val"],
        tmp_path / "out",
        cache_dir=tmp_path / "cache",
        input_size=32,
        epochs=1,
        batch_size=4,
        train_views=["identity"],
        tta_views=["identity"],
        log=lambda _: None,
    )
    assert branch.classes_ == CLASSES
    assert ImageBranch.load(tmp_path / "out").classes_ == CLASSES


@pytest.mark.parametrize("finetune", ["tail", "full"])
def test_command_prints_val_and_test_figures(manifests, tmp_path: Path, capsys, finetune: str):
    args = [
        "--train",
        str(manifests["train"]),
        "--val",
        str(manifests["val"]),
        "--test",
        str(manifests["test"]),
        "--out",
        str(tmp_path / finetune),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--epochs",
        "1",
        "--batch-size",
        "4",
        "--input-size",
        "32",
        "--train-views",
        "identity",
        "--tta-views",
        "identity,hflip",
        "--finetune",
        finetune,
        "--device",
        "cpu",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "epoch 1/1" in out
    report = json.loads((tmp_path / finetune / REPORT_FILE).read_text())
    for side in ("val", "test"):
        assert {"weighted_f1", "balanced_accuracy", "macro_f1", "ece_before", "ece_after"} <= set(
            report[side]
        )
    assert report["test"]["n"] == 4
    assert (tmp_path / finetune / CONFIG_FILE).is_file()
