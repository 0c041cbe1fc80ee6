"""Concurrent sessions on the shipped bundle: 8 threads x 50 predict + Grad-CAM calls.

The app shares one loaded bundle across sessions. Each thread here analyses its own
HAM10000 case (photo and note; synthetic photos where the data folder is absent) on ONE
loaded bundle; every result is compared with that case's reference, computed single-threaded
first (tests/cam_storm.py). Reports crashes, foreign and wrong heat maps, changed
predictions, hooks seen on the shared model, and resident memory after a warm-up run and
after the measured run. Writes its section of BENCHMARKS.md.

    python benchmarks/bench_cam_concurrency.py [--bundle models/default] [--threads 8] [--calls 50]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

from common import peak_rss_mib, write_section  # noqa: E402

from tests.cam_storm import Case, storm, synthetic_cases  # noqa: E402

SECTION = "bench_cam_concurrency"


def ham_cases(n: int, seed: int = 13) -> list[Case] | None:
    """``n`` HAM10000 cases, a different diagnosis each where there are enough classes."""
    from skinmm.data.datasets import data_dir, ham10000_manifest
    from skinmm.image.io import load_image

    if not (data_dir() / "ham10000" / "metadata.csv").is_file():
        return None
    frame = ham10000_manifest(data_dir()).sample(frac=1.0, random_state=seed)
    picked = frame.groupby("label").head(n // frame["label"].nunique() + 1)
    picked = picked.sort_values("label", kind="stable").head(n)
    return [Case(load_image(row.image_path), row.note) for row in picked.itertuples()]


def markdown(report: dict, source: str, bundle: Path) -> list[str]:
    calls = report["calls"]
    return [
        "## Concurrent predict + Grad-CAM on one bundle (benchmarks/bench_cam_concurrency.py)",
        "",
        f"Bundle `{bundle.name}`; {report['threads']} threads x {report['calls_per_thread']} "
        f"calls, each thread its own case ({source}); {platform.machine()}, Python "
        f"{platform.python_version()}; {date.today().isoformat()}. Each call is "
        "`bundle.predict` + `bundle.cams` (top 3), compared with the case's reference "
        "computed single-threaded first.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| calls completed / crashed (exceptions) | {calls - report['error_count']} / "
        f"{report['error_count']} |",
        f"| heat maps: own / foreign (another case's) / wrong | {report['own']} / "
        f"{report['foreign']} / {report['wrong']} |",
        f"| share of requested maps that differ between cases (where an exchange shows) | "
        f"{report['distinctive_share']:.2f} |",
        f"| predictions changed | {report['prediction_changed']} (max difference "
        f"{report['max_proba_diff']:.1e}) |",
        f"| largest heat-map difference from its reference | {report['max_map_diff']:.1e} |",
        f"| hooks seen on the shared model during the run / after | {report['hooks_seen']} / "
        f"{report['hooks_after']} |",
        f"| gradients left on the shared model | {report['grads_after']} |",
        f"| resident memory after a warm-up run ({report['warmup_calls']} calls per thread) -> "
        f"after the run | {report['rss_warm_mib']:.0f}"
        f" -> {report['rss_after_mib']:.0f} MiB "
        f"({report['rss_after_mib'] - report['rss_warm_mib']:+.0f}) |",
        f"| wall time of the run (2 shared cores) | {report['seconds']:.0f} s |",
        "",
        f"Peak resident memory of the whole run: {peak_rss_mib():.0f} MiB.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--calls", type=int, default=50)
    # Resident memory climbs over the first ~200 concurrent calls (each thread's malloc arena
    # reaches its high-water mark) and is flat after that, so the warm-up is that long.
    parser.add_argument("--warmup-calls", type=int, default=25)
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    from skinmm.bundle import load_bundle

    bundle = load_bundle(args.bundle)
    cases = ham_cases(args.threads)
    source = "HAM10000 photos and notes"
    if cases is None:
        cases, source = synthetic_cases(args.threads, size=450), "synthetic photos, no note"
    total = args.threads * args.calls
    started = time.perf_counter()

    def progress(done: int) -> None:
        elapsed = time.perf_counter() - started
        print(f"{done}/{total} calls, {elapsed:.0f} s", flush=True)

    print(f"{len(cases)} cases ({source}); references and warm-up first", flush=True)
    report = storm(bundle, cases, args.calls, args.warmup_calls, progress)
    print(json.dumps(report, indent=1))
    write_section(args.out, SECTION, markdown(report, source, args.bundle))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
