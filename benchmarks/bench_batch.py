"""Throughput of `skinmm predict-batch`: the local engine against Ray Data with N workers.

    python benchmarks/bench_batch.py --manifest data/ham10000/split/test.csv [--rows 200]
        [--workers 2] [--repeats 1]

Each engine predicts the same rows into a fresh folder; the engines alternate (local, ray,
local, ...) so that a shared machine's load falls on both. Ray is started once before the
timed runs (its start-up is reported apart: a cluster user pays it once, not per run); each
timed run includes loading the bundle (in the process, or in every Ray actor). The ratio is
Ray's rows/s over the local engine's. Writes the ``bench_batch`` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import REPO, write_section

sys.path.insert(0, str(REPO))

from skinmm.batch import BatchConfig, read_predictions, run
from skinmm.data.manifest import read_manifest

TARGET = 0.85


def timed(frame, config: BatchConfig) -> float:
    shutil.rmtree(config.out, ignore_errors=True)
    started = time.perf_counter()
    run(frame, config)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--bundle", default="models/default")
    parser.add_argument("--rows", type=int, default=200, help="first N rows (0: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    frame = read_manifest(args.manifest)
    frame = frame.head(args.rows) if args.rows else frame
    load_start = os.getloadavg()[0]
    import ray

    started = time.perf_counter()
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - started
    scratch = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    common = {"bundle": Path(args.bundle), "batch_size": args.batch_size, "progress": False}
    local = BatchConfig(out=scratch / "local", **common)
    on_ray = BatchConfig(out=scratch / "ray", engine="ray", workers=args.workers, **common)
    times: dict[str, list[float]] = {"local": [], "ray": []}
    for _ in range(args.repeats):
        times["local"].append(timed(frame, local))
        times["ray"].append(timed(frame, on_ray))
    same = list(read_predictions(local.out)["fused_pred"]) == list(
        read_predictions(on_ray.out)["fused_pred"]
    )
    ray.shutdown()
    shutil.rmtree(scratch, ignore_errors=True)
    rates = {k: len(frame) / statistics.median(v) for k, v in times.items()}
    ratio = rates["ray"] / rates["local"]
    lines = [
        "## Batch prediction: local engine vs Ray Data (benchmarks/bench_batch.py)",
        "",
        f"Bundle `{Path(args.bundle).name}`; the first {len(frame)} rows of `{args.manifest}` "
        f"(HAM10000 test split); {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Ray {ray.__version__}; {date.today()}. Batch size "
        f"{args.batch_size}, {args.repeats} alternating run(s) per engine, median. Load average "
        f"{load_start:.1f} at the start and {os.getloadavg()[0]:.1f} at the end: the machine "
        "was shared with other jobs, so compare the ratio, not the rates. Local: one process, "
        f"torch's own threads; Ray: {args.workers} image actors of 1 thread each (Ray started "
        f"with num_cpus={args.workers}), one text actor, one row actor. Target: Ray ≥ "
        f"{TARGET}× local. Same predictions from both engines: {'yes' if same else 'NO'}.",
        "",
        "| engine | wall s (median) | rows/s | ratio to local |",
        "|---|---|---|---|",
        f"| local | {statistics.median(times['local']):.1f} | {rates['local']:.2f} | 1.00 |",
        f"| ray, {args.workers} workers | {statistics.median(times['ray']):.1f} | "
        f"{rates['ray']:.2f} | {ratio:.2f} |",
        f"| (Ray start-up, once per session) | {ray_start:.1f} | | |",
        "",
        "No device machine was lent to this task, so the GPU and 1/2/4/8-worker scaling "
        "targets (scaling efficiency at 8 workers ≥ 0.7) are not measured here; "
        "`--gpus-per-worker` and `--workers` are the knobs for that run (docs/scale.md).",
    ]
    write_section(REPO / "BENCHMARKS.md", "bench_batch", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
