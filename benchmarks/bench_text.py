"""Text-branch latency per note, written to its section of BENCHMARKS.md.

    python benchmarks/bench_text.py [--threads 1] [--repeats 50]

Measures, in one run: embedding one note per call against batches of 64 (the reference),
per embedder; the XGBoost + temperature step alone, single against batched; and the whole
``predict_proba`` for one uncached note. Ratios are against the batched figure of the
same run, so they hold across machines better than the milliseconds do.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from skinmm.data.manifest import read_manifest
from skinmm.taxonomy import HAM10000_CLASSES
from skinmm.text.boost import booster_proba
from skinmm.text.branch import TextBranch
from skinmm.text.embedders import get_embedder

REPO = Path(__file__).resolve().parents[1]
SPLIT = REPO / "data" / "ham10000" / "split"
START, END = "<!-- bench_text:start -->", "<!-- bench_text:end -->"
BATCH = 64


def per_call_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: model load, first-call allocations
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1000


def sample_notes(n: int) -> list[str]:
    """Distinct real notes from the HAM10000 training split, or simple stand-ins."""
    if (SPLIT / "train.csv").is_file():
        notes = read_manifest(SPLIT / "train.csv", check_images=False)["note"].unique().tolist()
    else:
        notes = [f"Male, {a} years. Lesion on the back." for a in range(10, 90)]
    rng = np.random.default_rng(0)
    return [str(n_) for n_ in rng.choice(notes, size=n, replace=len(notes) < n)]


def bench_embedders(specs: list[str], notes: list[str], threads: int, repeats: int) -> list[str]:
    rows = []
    for spec in specs:
        embedder = get_embedder(spec, threads=threads)
        single = per_call_ms(lambda e=embedder: e.encode(notes[:1]), repeats)
        batched = per_call_ms(lambda e=embedder: e.encode(notes[:BATCH]), 3) / BATCH
        rows.append(f"| embed, {spec} | {single:.2f} | {batched:.3f} | {single / batched:.1f} |")
    return rows


def fitted_branch() -> TextBranch:
    """A small real branch (HAM10000 validation notes, no search) to time prediction."""
    val = read_manifest(SPLIT / "val.csv", check_images=False)
    branch = TextBranch(classes=[c.code for c in HAM10000_CLASSES], search=False, n_jobs=1)
    return branch.fit(val, val, cache_dir=REPO / "cache", seed=0)


def bench_classifier(branch: TextBranch, notes: list[str], repeats: int) -> list[str]:
    x = branch._embed(notes[:BATCH])
    single = per_call_ms(lambda: booster_proba(branch.booster_, x[:1]), repeats)
    batched = per_call_ms(lambda: booster_proba(branch.booster_, x), 10) / BATCH
    branch.cache_dir = None  # end to end: clean, embed, classify, calibrate
    whole = per_call_ms(lambda: branch.predict_proba(notes[:1]), repeats)
    whole_batched = per_call_ms(lambda: branch.predict_proba(notes[:BATCH]), 3) / BATCH
    return [
        f"| XGBoost + temperature | {single:.2f} | {batched:.3f} | {single / batched:.1f} |",
        f"| predict_proba, whole | {whole:.2f} | {whole_batched:.3f} | "
        f"{whole / whole_batched:.1f} |",
    ]


def write_section(lines: list[str], path: Path) -> None:
    section = "\n".join([START, *lines, END])
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    if START in text:
        text = re.sub(
            re.escape(START) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--embedders", nargs="+", default=["use-multilingual", "e5-small"])
    parser.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    args = parser.parse_args()
    os.environ["SKINMM_THREADS"] = str(args.threads)
    notes = sample_notes(BATCH)
    rows = bench_embedders(args.embedders, notes, args.threads, args.repeats)
    rows += bench_classifier(fitted_branch(), notes, args.repeats)
    lines = [
        "## Text branch (benchmarks/bench_text.py)",
        "",
        f"{platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s); "
        f"notes: HAM10000 training notes; batch = {BATCH}. Reference: the batched time per "
        "note, measured in the same run.",
        "",
        "| step | single note, ms | batched, ms per note | single / batched |",
        "|---|---|---|---|",
        *rows,
    ]
    write_section(lines, Path(args.out))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
