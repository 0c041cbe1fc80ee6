"""`skinmm predict-batch`: Parquet shards, resumable, the app's numbers, local and Ray alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skinmm.batch import (
    BatchConfig,
    branch_probabilities,
    engine_probabilities,
    read_predictions,
    run,
    shard_path,
)
from skinmm.bundle import load_bundle
from skinmm.data.manifest import read_manifest, write_manifest
from skinmm.evaluate import evaluate_bundle, predictions_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def manifest(tiny_bundle: Path) -> pd.DataFrame:
    return read_manifest(tiny_bundle.parent / "test.csv")


def config(bundle: Path, out: Path, **changes: object) -> BatchConfig:
    settings: dict = {"shard_size": 8, "batch_size": 4, "progress": False, **changes}
    return BatchConfig(bundle=bundle, out=out, **settings)


def test_shards_read_as_one_table_with_the_apps_numbers(
    tiny_bundle: Path, manifest: pd.DataFrame, tmp_path: Path
) -> None:
    summary = run(manifest, config(tiny_bundle, tmp_path / "out"))
    table = pd.read_parquet(tmp_path / "out")
    bundle = load_bundle(tiny_bundle)
    image_p, text_p = branch_probabilities(table, bundle.codes)
    reference = predictions_table(bundle, manifest, image_p, text_p)
    assert set(reference.columns) <= set(table.columns)
    assert {"scope_verdict", "image_error"} <= set(table.columns)
    assert list(table["case_id"]) == list(manifest["case_id"])
    assert summary.shards == -(-len(manifest) // 8) and summary.skipped == 0
    # The same numbers as the app's one-case prediction, case by case.
    for i in range(0, len(manifest), 7):
        row = manifest.iloc[i]
        single = bundle.predict(row["image_path"] or None, row["note"] or None)
        fused = table.loc[i, [f"fused_{c}" for c in bundle.codes]].to_numpy(float)
        assert np.abs(fused - single.fused).max() <= 1e-6
        assert table.loc[i, "fused_pred"] == single.top.code


def test_a_rerun_skips_finished_shards_and_rewrites_a_missing_one(
    tiny_bundle: Path, manifest: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "out"
    run(manifest, config(tiny_bundle, out))
    first = pd.read_parquet(out)
    shard_path(out, 1).unlink()
    summary = run(manifest, config(tiny_bundle, out))
    assert summary.skipped == summary.shards - 1 and summary.predicted == 8
    assert f"Skipping {summary.shards - 1} of {summary.shards} shards" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(out), first)


def test_shards_of_another_manifest_are_refused(
    tiny_bundle: Path, manifest: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(manifest.head(8), config(tiny_bundle, out))
    with pytest.raises(ValueError, match="another run"):
        run(manifest.head(9), config(tiny_bundle, out))


def test_an_unreadable_image_is_recorded_and_the_note_decides(
    tiny_bundle: Path, manifest: pd.DataFrame, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    frame = manifest.head(3).copy()
    frame.loc[1, "image_path"] = str(broken)
    summary = run(frame, config(tiny_bundle, tmp_path / "out"))
    table = read_predictions(tmp_path / "out")
    assert summary.image_errors == 1
    assert table.loc[1, "image_error"] and table.loc[1, "mode"] == "text-only"
    assert (table.loc[[0, 2], "image_error"] == "").all()


def test_a_killed_run_keeps_its_finished_shards_and_a_rerun_completes_the_set(
    tiny_bundle: Path, manifest: pd.DataFrame, tmp_path: Path
) -> None:
    many = pd.concat([manifest.assign(case_id=manifest["case_id"] + f"-{k}") for k in range(4)])
    csv = write_manifest(many.reset_index(drop=True), tmp_path / "many.csv")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "skinmm.cli", "predict-batch", str(csv), "--bundle"]
    command += [str(tiny_bundle), "--out", str(out), "--shard-size", "4", "--batch-size", "4"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not shard_path(out, 1).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    kept = sorted(out.glob("part-*.parquet"))
    n_shards = -(-len(many) // 4)
    assert 2 <= len(kept) < n_shards  # killed mid-run, with finished shards on disk
    for path in kept:
        assert len(pd.read_parquet(path)) == 4  # whole shards only: written aside, renamed
    frame = read_manifest(csv)
    summary = run(frame, config(tiny_bundle, out, shard_size=4))
    assert summary.skipped >= len(kept)
    reference = tmp_path / "reference"
    run(frame, config(tiny_bundle, reference, shard_size=4))
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(reference))


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_gives_the_local_engines_results_and_resumes(
    local_ray, tiny_bundle: Path, manifest: pd.DataFrame, tmp_path: Path
) -> None:
    run(manifest, config(tiny_bundle, tmp_path / "local"))
    on_ray = config(tiny_bundle, tmp_path / "ray", engine="ray", workers=2)
    run(manifest, on_ray)
    local, ray_table = pd.read_parquet(tmp_path / "local"), pd.read_parquet(tmp_path / "ray")
    numbers = [c for c in local.columns if c.split("_")[0] in ("image", "text", "fused")]
    numbers = [c for c in numbers if local[c].dtype.kind == "f"]
    assert np.nanmax(np.abs(local[numbers].to_numpy() - ray_table[numbers].to_numpy())) <= 1e-6
    for column in ("case_id", "image_pred", "text_pred", "fused_pred", "fused_set", "mode"):
        assert list(local[column]) == list(ray_table[column])
    assert dict(local.dtypes) == dict(ray_table.dtypes)  # one schema, whichever engine wrote
    shard_path(tmp_path / "ray", 0).unlink()
    summary = run(manifest, on_ray)
    assert summary.skipped == summary.shards - 1
    assert len(pd.read_parquet(tmp_path / "ray")) == len(manifest)


def test_evaluate_on_ray_computes_the_report_of_the_local_predictions(
    local_ray, tiny_bundle: Path, tmp_path: Path
) -> None:
    bundle = load_bundle(tiny_bundle)
    test_csv = tiny_bundle.parent / "test.csv"
    reports = {}
    for engine in ("local", "ray"):
        probabilities = engine_probabilities(
            bundle, config(tiny_bundle, tmp_path / f"{engine}-shards", engine=engine)
        )
        reports[engine] = evaluate_bundle(
            bundle,
            test_csv,
            tmp_path / f"{engine}-report",
            plots=False,
            n_boot=20,
            progress=False,
            probabilities=probabilities,
        )
    for key in ("image", "text", "fused", "triage", "conformal"):
        local, ray_values = numbers_of(reports["local"][key]), numbers_of(reports["ray"][key])
        assert local.keys() == ray_values.keys() and local
        for name, value in local.items():
            # The report rounds to 6 decimals: probabilities that agree to 1e-6 can land on
            # either side of a rounding boundary, one unit in the last place apart.
            assert ray_values[name] == pytest.approx(value, abs=1.5e-6, nan_ok=True), name


def numbers_of(value: object, prefix: str = "") -> dict[str, float]:
    """Every number of a nested report, by its path."""
    if isinstance(value, dict):
        return {
            k: v
            for key, item in value.items()
            for k, v in numbers_of(item, f"{prefix}/{key}").items()
        }
    if isinstance(value, list | tuple):
        return {
            k: v
            for i, item in enumerate(value)
            for k, v in numbers_of(item, f"{prefix}/{i}").items()
        }
    if isinstance(value, bool | int | float) and value is not None:
        return {prefix: float(value)}
    return {}


def test_cam_top1_writes_the_fused_top_class_overlay_beside_a_readable_table(
    tiny_bundle: Path, manifest: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(manifest.head(3), config(tiny_bundle, out, cam="top1"))
    table = pd.read_parquet(out)  # the overlays' folder does not disturb the Parquet reader
    assert len(table) == 3
    for path in table["cam_path"]:
        assert Path(path).is_file() and Path(path).parent == out / "_cams"
