"""`skinmm predict-batch`: a bundle over a whole manifest, as resumable Parquet shards.

The manifest's rows are cut into shards of ``shard_size`` rows; each finished shard is written
as ``OUT/part-NNNNN.parquet`` (aside, then renamed), so a run that is killed loses no
finished shard and a rerun skips them. ``pandas.read_parquet(OUT)`` reads every shard as one
table with the columns of ``predictions.csv`` (:func:`skinmm.evaluate.predictions_table`),
plus ``scope_verdict``, ``image_error`` and, with ``cam="top1"``, ``cam_path``.

One code path for the maths: both engines call the three stage functions below, which call
the same bundle methods as the app (``bundle.image.predict_proba_and_features``,
``bundle.scope.assess``, ``bundle.text.predict_proba``, the fusion in ``predictions_table``,
``bundle.cams``). The engine only moves rows: ``local`` runs the stages shard by shard in
this process; ``ray`` runs them as Ray Data ``map_batches`` stages (image stage on
``workers`` actors that each load the bundle once, text stage and row stage on their own
actors) and this process only writes the shards.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ENGINES = ("local", "ray")
PLAN_FILE = "_plan.json"  # leading underscore: pyarrow's dataset reader skips it
SHARD_PREFIX = "part-"
ROW = "_row"
SHARD = "_shard"
IMAGE_COLUMN = "_image_{}"
TEXT_COLUMN = "_text_{}"


@dataclass(frozen=True)
class BatchConfig:
    """What to run and how; see ``skinmm predict-batch --help``."""

    bundle: Path
    out: Path
    engine: str = "local"
    address: str | None = None
    workers: int = 2
    batch_size: int = 32
    shard_size: int = 1024
    cam: str | None = None
    gpus_per_worker: float = 0.0
    progress: bool = True


@dataclass(frozen=True)
class BatchSummary:
    rows: int
    predicted: int
    shards: int
    skipped: int
    image_errors: int
    seconds: float

    def line(self, out: Path) -> str:
        rate = self.predicted / self.seconds if self.seconds > 0 else float("nan")
        return (
            f"predict-batch: {self.rows} rows in {self.shards} shards -> {out}; "
            f"{self.shards - self.skipped} shards written ({self.predicted} rows, "
            f"{rate:.1f} rows/s), {self.skipped} already written and skipped; "
            f"{self.image_errors} unreadable images; {self.seconds:.1f} s"
        )


# -- the stages: the only place where a bundle is called ------------------------------------


def image_stage(bundle: Any, batch: pd.DataFrame) -> pd.DataFrame:
    """Decode each image, run the image branch (one forward per image) and, where the bundle
    has one, the input-scope gate on the same forward's features.

    An image that cannot be read gets NaN probabilities and its reason in ``image_error``
    (the fusion then uses the note alone), instead of stopping a run of thousands.
    """
    from skinmm.image.io import load_image

    n_classes = len(bundle.classes)
    proba = np.full((len(batch), n_classes), np.nan)
    verdicts = [""] * len(batch)
    errors = [""] * len(batch)
    decoded: dict[int, Any] = {}
    for i, path in enumerate(batch["image_path"].astype(str)):
        if not path:
            continue
        try:
            decoded[i] = load_image(path)
        except (ValueError, OSError) as exc:
            errors[i] = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
    rows = list(decoded)
    if rows:
        images = [decoded[i] for i in rows]
        proba[rows], features = bundle.image.predict_proba_and_features(images)
        if bundle.scope is not None and features is not None:
            for j, i in enumerate(rows):
                verdicts[i] = bundle.scope.assess(images[j], bundle.image, features[j]).verdict
    out = batch.copy()
    for k in range(n_classes):
        out[IMAGE_COLUMN.format(k)] = proba[:, k]
    out["scope_verdict"] = verdicts
    out["image_error"] = errors
    return out


def text_stage(bundle: Any, batch: pd.DataFrame) -> pd.DataFrame:
    """The text branch on every note (NaN rows where there is none).

    One note per call, as the app calls it: the sentence encoder's float32 sums change in
    the fifth decimal with the batch a note shares, and Ray cuts batches where it likes, so
    batching would make results depend on the engine. It costs about 7 ms a note here,
    against about 130 ms for the image branch.
    """
    notes = batch["note"].tolist()
    proba = np.vstack([bundle.text.predict_proba([note]) for note in notes])
    out = batch.copy()
    for k in range(len(bundle.classes)):
        out[TEXT_COLUMN.format(k)] = proba[:, k]
    return out


def row_stage(bundle: Any, batch: pd.DataFrame, cam_dir: Path | None = None) -> pd.DataFrame:
    """Fusion, triage and the conformal set (``predictions_table``), and the top class's
    Grad-CAM overlay where asked."""
    from skinmm.evaluate import predictions_table

    image_p, text_p = _probabilities(batch, len(bundle.classes))
    table = predictions_table(bundle, batch, image_p, text_p, decimals=None)
    table["scope_verdict"] = batch["scope_verdict"].to_numpy()
    table["image_error"] = batch["image_error"].to_numpy()
    if cam_dir is not None:
        table["cam_path"] = _top1_cams(bundle, batch, table, cam_dir)
    table[ROW] = batch[ROW].to_numpy()
    table[SHARD] = batch[SHARD].to_numpy()
    return table


def _probabilities(batch: pd.DataFrame, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    image = batch[[IMAGE_COLUMN.format(k) for k in range(n_classes)]].to_numpy(np.float64)
    text = batch[[TEXT_COLUMN.format(k) for k in range(n_classes)]].to_numpy(np.float64)
    return image, text


def _top1_cams(bundle: Any, batch: pd.DataFrame, table: pd.DataFrame, cam_dir: Path) -> list:
    cam_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    codes = bundle.codes
    for i, (path, error, pred) in enumerate(
        zip(batch["image_path"], batch["image_error"], table["fused_pred"], strict=True)
    ):
        if not path or error or not pred:
            paths.append("")
            continue
        cam = bundle.cams(path, [codes.index(pred)])[0]
        target = cam_dir / f"{_safe_name(str(batch['case_id'].iloc[i]))}.png"
        cam.overlay.save(target)
        paths.append(str(target))
    return paths


def _safe_name(case_id: str) -> str:
    kept = "".join(c if c.isalnum() or c in "-_." else "_" for c in case_id)[:80]
    return f"{kept}-{hashlib.sha256(case_id.encode()).hexdigest()[:8]}"


# -- shards ---------------------------------------------------------------------------------


def shard_path(out: Path, index: int) -> Path:
    return out / f"{SHARD_PREFIX}{index:05d}.parquet"


def _plan(frame: pd.DataFrame, config: BatchConfig, card_digest: str) -> dict[str, Any]:
    """What the shards in OUT were made from: a rerun may only add to the same plan."""
    keys = frame[["case_id", "image_path", "note"]].astype(str).to_csv(index=False)
    return {
        "manifest_sha256": hashlib.sha256(keys.encode()).hexdigest(),
        "rows": len(frame),
        "shard_size": config.shard_size,
        "bundle_card_sha256": card_digest,
        "cam": config.cam,
    }


def _check_plan(out: Path, plan: dict[str, Any]) -> None:
    path = out / PLAN_FILE
    if path.is_file():
        previous = json.loads(path.read_text())
        if previous != plan:
            changed = sorted(k for k in plan if previous.get(k) != plan[k])
            raise ValueError(
                f"{out} holds shards of another run (different {', '.join(changed)}). "
                "Give a new --out folder, or delete this one to start again."
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, (json.dumps(plan, indent=1) + "\n").encode())


def _write_atomic(path: Path, data: bytes) -> None:
    aside = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    aside.write_bytes(data)
    os.replace(aside, path)


def write_shard(out: Path, index: int, table: pd.DataFrame) -> None:
    """Write one finished shard aside and rename it, so a shard file is whole or absent."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = table.sort_values(ROW).drop(columns=[ROW, SHARD]).reset_index(drop=True)
    target = shard_path(out, index)
    aside = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # One schema whichever engine wrote the shard (a run may resume on the other): Ray hands
    # back Arrow-backed columns (large_string, double[pyarrow]) that pandas would record in
    # the file's metadata and restore on reading; plain Arrow types without it read back as
    # NumPy floats and str.
    arrow = pa.Table.from_pandas(rows, preserve_index=False)
    plain = [
        pa.field(f.name, pa.string() if pa.types.is_large_string(f.type) else f.type)
        for f in arrow.schema
    ]
    pq.write_table(arrow.cast(pa.schema(plain)).replace_schema_metadata(None), aside)
    os.replace(aside, target)


def _card_digest(bundle_dir: Path) -> str:
    from skinmm.bundle import CARD, sha256_file

    return sha256_file(Path(bundle_dir) / CARD)


def _prepared(frame: pd.DataFrame, shard_size: int) -> pd.DataFrame:
    keep = frame[[c for c in frame.columns if c in ("case_id", "label", "image_path", "note")]]
    prepared = keep.reset_index(drop=True).copy()
    prepared[ROW] = np.arange(len(prepared))
    prepared[SHARD] = prepared[ROW] // shard_size
    return prepared


# -- engines --------------------------------------------------------------------------------


def run(frame: pd.DataFrame, config: BatchConfig) -> BatchSummary:
    """Predict every row of a read manifest into ``config.out``; see the module docstring."""
    if config.engine not in ENGINES:
        raise ValueError(f"Unknown engine {config.engine!r}; choose one of {', '.join(ENGINES)}.")
    if config.shard_size < 1 or config.batch_size < 1 or config.workers < 1:
        raise ValueError("--shard-size, --batch-size and --workers must be at least 1.")
    if config.cam not in (None, "top1"):
        raise ValueError(f"--cam {config.cam!r} is not supported; use --cam top1.")
    started = time.perf_counter()
    prepared = _prepared(frame, config.shard_size)
    _check_plan(config.out, _plan(prepared, config, _card_digest(config.bundle)))
    n_shards = int(prepared[SHARD].max()) + 1 if len(prepared) else 0
    done = {i for i in range(n_shards) if shard_path(config.out, i).is_file()}
    pending = prepared[~prepared[SHARD].isin(done)]
    if done:
        print(
            f"Skipping {len(done)} of {n_shards} shards already in {config.out}.", file=sys.stderr
        )
    runner = _run_local if config.engine == "local" else _run_ray
    errors = 0
    if len(pending):
        errors = runner(pending, config)
    return BatchSummary(
        rows=len(prepared),
        predicted=len(pending),
        shards=n_shards,
        skipped=len(done),
        image_errors=errors,
        seconds=time.perf_counter() - started,
    )


def _bar(total: int, config: BatchConfig) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        desc=f"predict-batch ({config.engine})",
        unit="row",
        disable=not config.progress,
    )


def _cam_dir(config: BatchConfig) -> Path | None:
    # Leading underscore: pandas/pyarrow skip it when reading OUT as one Parquet table.
    return config.out / "_cams" if config.cam else None


def _run_local(pending: pd.DataFrame, config: BatchConfig) -> int:
    from skinmm.bundle import load_bundle

    bundle = load_bundle(config.bundle)
    errors = 0
    with _bar(len(pending), config) as bar:
        for index, shard in pending.groupby(SHARD, sort=True):
            parts = []
            for start in range(0, len(shard), config.batch_size):
                batch = shard.iloc[start : start + config.batch_size]
                batch = text_stage(bundle, image_stage(bundle, batch))
                parts.append(row_stage(bundle, batch, _cam_dir(config)))
                bar.update(len(batch))
            table = pd.concat(parts, ignore_index=True)
            errors += int((table["image_error"] != "").sum())
            write_shard(config.out, int(index), table)
    return errors


class _Stage:
    """A Ray Data actor: loads the bundle once, then runs one stage on each batch."""

    def __init__(
        self,
        bundle_dir: str,
        stage: Callable[..., pd.DataFrame],
        threads: int,
        device: str = "cpu",
        cam_dir: str | None = None,
    ) -> None:
        import torch

        from skinmm.bundle import load_bundle

        torch.set_num_threads(threads)
        self.bundle = load_bundle(bundle_dir, device=device)
        self.stage = stage
        self.extra = () if cam_dir is None else (Path(cam_dir),)

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        return self.stage(self.bundle, batch, *self.extra)


def _connect(config: BatchConfig) -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ValueError(
            "The ray engine needs Ray: pip install 'skinmm[scale]' (or pip install 'ray[data]')."
        ) from exc
    if not ray.is_initialized():
        # A fresh local instance unless --address names a running cluster ("auto" finds it).
        ray.init(
            address=config.address,
            num_cpus=None if config.address else config.workers,
            log_to_driver=False,
            include_dashboard=False,
        )
    # Our own bar and summary line say how far the run is; Ray Data's per-operator log
    # lines every few seconds would bury them.
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    return ray


def _run_ray(pending: pd.DataFrame, config: BatchConfig) -> int:
    ray = _connect(config)
    bundle_dir = str(Path(config.bundle).resolve())
    gpu = config.gpus_per_worker > 0
    rows = pending.reset_index(drop=True)
    # One block per model batch: Ray hands blocks to actors, so one block would feed one.
    blocks = [rows.iloc[s : s + config.batch_size] for s in range(0, len(rows), config.batch_size)]
    data = ray.data.from_pandas(blocks)
    data = data.map_batches(
        _Stage,
        fn_constructor_args=(bundle_dir, image_stage, 1, "cuda" if gpu else "cpu"),
        batch_size=config.batch_size,
        batch_format="pandas",
        compute=ray.data.ActorPoolStrategy(size=config.workers),
        num_cpus=1,
        num_gpus=config.gpus_per_worker,
    )
    # The text and row stages are light (milliseconds a row against the image stage's
    # tenths of a second): one actor each, asking for no whole CPU so that they never wait
    # for an image worker to give one back.
    for stage, extra in ((text_stage, None), (row_stage, _cam_dir(config))):
        data = data.map_batches(
            _Stage,
            fn_constructor_args=(
                bundle_dir,
                stage,
                1,
                "cpu",
                None if extra is None else str(extra),
            ),
            batch_size=config.batch_size * 4,
            batch_format="pandas",
            compute=ray.data.ActorPoolStrategy(size=1),
            num_cpus=0.01,
        )
    return _collect(_ray_batches(data), pending, config)


def _ray_batches(data: Any) -> Iterator[pd.DataFrame]:
    yield from data.iter_batches(batch_format="pandas", batch_size=None)


def _collect(batches: Iterator[pd.DataFrame], pending: pd.DataFrame, config: BatchConfig) -> int:
    """Gather rows (in any order) by shard and write each shard as soon as it is complete."""
    expected = pending[SHARD].value_counts().to_dict()
    waiting: dict[int, list[pd.DataFrame]] = {}
    counts: dict[int, int] = {}
    errors = 0
    with _bar(len(pending), config) as bar:
        for batch in batches:
            for index, part in batch.groupby(SHARD):
                index = int(index)
                waiting.setdefault(index, []).append(part)
                counts[index] = counts.get(index, 0) + len(part)
                if counts[index] == expected[index]:
                    table = pd.concat(waiting.pop(index), ignore_index=True)
                    errors += int((table["image_error"] != "").sum())
                    write_shard(config.out, index, table)
            bar.update(len(batch))
    if waiting:
        raise RuntimeError(f"Shards {sorted(waiting)} did not receive all their rows.")
    return errors


# -- reading back ---------------------------------------------------------------------------


def read_predictions(out: Path) -> pd.DataFrame:
    """Every shard of ``out`` as one table, in manifest order."""
    files = sorted(Path(out).glob(f"{SHARD_PREFIX}*.parquet"))
    if not files:
        raise ValueError(f"{out} holds no prediction shards; run `skinmm predict-batch` first.")
    return pd.read_parquet(out)


def branch_probabilities(table: pd.DataFrame, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The image and text probabilities of a predictions table, in ``codes`` order."""
    image = table[[f"image_{c}" for c in codes]].to_numpy(np.float64)
    text = table[[f"text_{c}" for c in codes]].to_numpy(np.float64)
    return image, text


def engine_probabilities(
    bundle: Any, config: BatchConfig
) -> Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray, list[str] | None]]:
    """For ``evaluate_bundle(probabilities=...)``: the branches' probabilities of a frame and
    its scope verdicts, computed by :func:`run` (resumable) and read back from its shards at
    full precision."""

    def probabilities(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
        summary = run(frame, config)
        print(summary.line(config.out), file=sys.stderr)
        table = read_predictions(config.out)
        if len(table) != len(frame) or list(table["case_id"]) != list(frame["case_id"]):
            raise ValueError(f"The shards in {config.out} do not match the manifest's rows.")
        image_p, text_p = branch_probabilities(table, bundle.codes)
        verdicts = table["scope_verdict"].astype(str).tolist() if bundle.scope else None
        return image_p, text_p, verdicts

    return probabilities
