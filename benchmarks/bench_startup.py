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


def _seconds(command: list[str], code: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the child: on a machine shared
    with other jobs, CPU time shows the work a command does, wall time also the waiting."""
    # Run from the checkout itself: `python -m` puts the working directory first on the path.
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=code, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed")
    return wall, usage.ru_utime + usage.ru_stime


def _predict(bundle: str, image: str, note: str | None) -> list[str]:
    command = [sys.executable, "-m", "skinmm.cli", "predict", "--bundle", bundle, "--image", image]
    return command + (["--note", note] if note else [])


def measure(args: argparse.Namespace) -> dict[str, list[tuple[float, float]]]:
    reference = [sys.executable, "-c", "import torch"]
    args.bundle, args.image = str(Path(args.bundle).resolve()), str(Path(args.image).resolve())
    subjects = {
        "predict, image + note": (_predict(args.bundle, args.image, NOTE), REPO),
        "predict, image only": (_predict(args.bundle, args.image, None), REPO),
    }
    if args.baseline:
        for name, note in (("image + note", NOTE), ("image only", None)):
            subjects[f"before (baseline checkout), {name}"] = (
                _predict(args.bundle, args.image, note),
                Path(args.baseline).resolve(),
            )
    times: dict[str, list[tuple[float, float]]] = {"reference": [], **{k: [] for k in subjects}}
    for command, code in subjects.values():  # warm-up: the OS file cache
        _seconds(command, code)
    for _ in range(args.repeats):
        for name, (command, code) in subjects.items():
            times["reference"].append(_seconds(reference, REPO))
            times[name].append(_seconds(command, code))
    return times


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def write(
    times: dict[str, list[tuple[float, float]]], args: argparse.Namespace, load_start: str
) -> None:
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
        "| command | wall s (median) | reference wall s | wall ratio (min–max) | CPU s | "
        "reference CPU s | CPU ratio (min–max) |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, (name, values) in enumerate(item for item in times.items() if item[0] != "reference"):
        paired = refs[k::n]
        cells = []
        for part in (0, 1):
            ours = [v[part] for v in values]
            ref = [r[part] for r in paired]
            ratios = [s / r for s, r in zip(ours, ref, strict=True)]
            cells.append(
                f"{statistics.median(ours):.2f} | {statistics.median(ref):.2f} | "
                f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"
            )
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
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
