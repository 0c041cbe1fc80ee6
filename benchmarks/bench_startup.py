"""Start-up of a one-image `skinmm predict`, as a ratio to `python -c "import torch"`.

    python benchmarks/bench_startup.py --image IMG [--baseline OTHER_CHECKOUT] [--repeats 5]

Every command is a fresh interpreter, run alternately with the reference so that the load
of a shared machine falls on both; the ratio is the median over adjacent pairs. With
``--baseline``, the same predict is also timed with another checkout's code first on the
path (for a before/after in one run). Writes the ``bench_startup`` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from common import REPO, write_section

NOTE = "Male, 60 years. Lesion on the back."
TARGET = 2.0


def _seconds(command: list[str], code: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _predict(bundle: str, image: str, note: str | None) -> list[str]:
    command = [sys.executable, "-m", "skinmm.cli", "predict", "--bundle", bundle, "--image", image]
    return command + (["--note", note] if note else [])


def measure(args: argparse.Namespace) -> dict[str, list[float]]:
    reference = [sys.executable, "-c", "import torch"]
    subjects = {
        "predict, image + note": (_predict(args.bundle, args.image, NOTE), REPO),
        "predict, image only": (_predict(args.bundle, args.image, None), REPO),
    }
    if args.baseline:
        subjects["before (baseline checkout), image + note"] = (
            _predict(args.bundle, args.image, NOTE),
            Path(args.baseline).resolve(),
        )
    times: dict[str, list[float]] = {"reference": [], **{k: [] for k in subjects}}
    for command, code in subjects.values():  # warm-up: the OS file cache
        _seconds(command, code)
    for _ in range(args.repeats):
        for name, (command, code) in subjects.items():
            times["reference"].append(_seconds(reference, REPO))
            times[name].append(_seconds(command, code))
    return times


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def write(times: dict[str, list[float]], args: argparse.Namespace, load_start: str) -> None:
    n = len(times) - 1
    refs = times["reference"]
    lines = [
        "## Start-up: one-image `skinmm predict` (benchmarks/bench_startup.py)",
        "",
        f"Bundle `{Path(args.bundle).name}`; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {date.today()}. Each command a fresh "
        f'interpreter, alternated with the reference `python -c "import torch"`; '
        f"{args.repeats} pairs each after a warm-up; ratio = median over adjacent pairs. "
        f"Load average {load_start} at the start, {_load()} at the end (a shared machine: "
        "compare ratios, not seconds). Target: image + note ≤ "
        f"{TARGET:.0f}× the reference.",
        "",
        "| command | median s | reference median s | ratio (min–max) |",
        "|---|---|---|---|",
    ]
    for k, (name, values) in enumerate(item for item in times.items() if item[0] != "reference"):
        paired = refs[k::n]
        ratios = [s / r for s, r in zip(values, paired, strict=True)]
        lines.append(
            f"| {name} | {statistics.median(values):.2f} | {statistics.median(paired):.2f} | "
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |"
        )
    write_section(REPO / "BENCHMARKS.md", "bench_startup", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", default="models/default")
    parser.add_argument("--image", required=True)
    parser.add_argument("--baseline", help="another checkout of SkinMM to time for comparison")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    load_start = _load()
    times = measure(args)
    write(times, args, load_start)
    print((REPO / "BENCHMARKS.md").read_text().split("<!-- bench_startup:start -->")[1][:2000])


if __name__ == "__main__":
    main()
