"""Helpers shared by benchmark scripts: interleaved timing and BENCHMARKS.md sections."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _alternate(
    subject: Callable[[], object], reference: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    subject(), reference()  # warm-up: lazy initialisation, allocator pools
    times: dict[str, list[float]] = {"s": [], "r": []}
    for _ in range(repeats):
        for key, fn in (("s", subject), ("r", reference)):
            started = time.perf_counter()
            fn()
            times[key].append((time.perf_counter() - started) * 1000)
    return times["s"], times["r"]


def interleaved_ms(
    subject: Callable[[], object], reference: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Median milliseconds of ``subject`` and ``reference``, timed alternately.

    Alternating the two spreads any background load on a shared machine evenly over both,
    so that their ratio stays meaningful when absolute times drift.
    """
    ours, ref = _alternate(subject, reference, repeats)
    return statistics.median(ours), statistics.median(ref)


def paired_ratio(
    subject: Callable[[], object], reference: Callable[[], object], repeats: int
) -> tuple[float, float, float, float, float]:
    """Median ms of both, then the median, minimum and maximum of ``reference / subject``
    over adjacent pairs.

    For long steps (seconds) a shared VM's speed drifts between repeats; the ratio of two
    neighbouring runs cancels that drift, where a ratio of two medians need not.
    """
    ours, ref = _alternate(subject, reference, repeats)
    ratios = [r / s for s, r in zip(ours, ref, strict=True)]
    return (
        statistics.median(ours),
        statistics.median(ref),
        statistics.median(ratios),
        min(ratios),
        max(ratios),
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_section(path: Path, name: str, lines: list[str]) -> None:
    """Replace (or append) the section between ``<!-- name:start -->`` and its end marker."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = "\n".join([start, *lines, end])
    text = path.read_text() if path.is_file() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
