"""Many threads calling predict + Grad-CAM on ONE shared bundle, as concurrent app sessions do.

The harness behind ``tests/test_cam_concurrency.py`` and
``benchmarks/bench_cam_concurrency.py``. Each thread analyses its own image, again and again;
every result is compared with that image's reference, computed single-threaded beforehand:

* own: every heat map equals its image's reference map for that class (within ``MAP_TOL``);
* foreign: some heat map equals ANOTHER image's reference map for that class;
* wrong: neither (a map mixed from two requests, or otherwise changed).

Run as a module it prints one JSON report as its last line, so that a caller sees a crash
(a segfault kills the whole process) as a return code instead of losing its own process:

    python -m tests.cam_storm BUNDLE --threads 8 --calls 50 [--images A.jpg B.jpg ...]
"""

from __future__ import annotations

import argparse
import gc
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from skinmm.bundle import Bundle, load_bundle
from skinmm.image.cam import hook_count

# Two runs of the same request on the same model give the same floats; the tolerance only
# absorbs summation-order noise. Distinct images' maps differ by far more where they differ
# at all (the report's distinctive_share says how often).
MAP_TOL = 1e-6
PROBA_TOL = 1e-9
CAM_CLASSES = 3


@dataclass(frozen=True)
class Case:
    image: Image.Image
    note: str | None = None


@dataclass(frozen=True)
class Reference:
    fused: np.ndarray
    maps: np.ndarray  # (n_classes, H, W): every class's heat map


@dataclass
class Tally:
    """What the threads saw; ``errors`` holds every exception's text."""

    calls: int = 0
    own: int = 0
    foreign: int = 0
    wrong: int = 0
    prediction_changed: int = 0
    hooks_seen: int = 0
    max_map_diff: float = 0.0
    max_proba_diff: float = 0.0
    errors: list[str] = field(default_factory=list)


def rss_mib() -> float:
    """Resident memory of this process now (not the peak)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def references(bundle: Bundle, cases: Sequence[Case]) -> list[Reference]:
    """Each case's probabilities and every class's heat map, computed one at a time."""
    every = list(range(len(bundle.classes)))
    out = []
    for case in cases:
        fused = bundle.predict(image=case.image, note=case.note).fused.copy()
        maps = np.stack([np.asarray(c.heatmap) for c in bundle.cams(case.image, every)])
        out.append(Reference(fused, maps))
    return out


def distinctive_share(refs: Sequence[Reference], tol: float = 1e-3) -> float:
    """The share of the maps the threads ask for (each image's top classes) that differ from
    every other image's map of that class by more than ``tol``: where an exchange of heat
    maps between requests would be seen."""
    seen = []
    for ref in refs:
        for k in np.argsort(-ref.fused, kind="stable")[:CAM_CLASSES]:
            seen.append(
                all(
                    _distance(ref.maps[k], other.maps[k]) > tol
                    for other in refs
                    if other is not ref
                )
            )
    return float(np.mean(seen)) if seen else 0.0


def _distance(heatmap: np.ndarray, reference: np.ndarray) -> float:
    return float(np.abs(heatmap - reference).max()) if heatmap.shape == reference.shape else np.inf


def _judge(tally: Tally, me: int, fused: np.ndarray, cams: list, refs: Sequence[Reference]) -> None:
    proba_diff = float(np.abs(fused - refs[me].fused).max())
    tally.max_proba_diff = max(tally.max_proba_diff, proba_diff)
    tally.prediction_changed += proba_diff > PROBA_TOL
    own_maps = foreign_maps = 0
    for cam in cams:
        heat, k = np.asarray(cam.heatmap), cam.class_index
        mine = _distance(heat, refs[me].maps[k])
        tally.max_map_diff = max(tally.max_map_diff, mine)
        own_maps += mine <= MAP_TOL
        # Where two images' maps of a class coincide (a class the CAM finds nowhere is all
        # zero for both), an exchange cannot be seen, and the map counts as its own.
        foreign_maps += mine > MAP_TOL and any(
            _distance(heat, r.maps[k]) <= MAP_TOL for j, r in enumerate(refs) if j != me
        )
    tally.own += own_maps == len(cams)
    tally.foreign += foreign_maps > 0
    tally.wrong += own_maps < len(cams) and foreign_maps == 0


def _worker(
    bundle: Bundle,
    cases: Sequence[Case],
    refs: Sequence[Reference],
    me: int,
    calls: int,
    start: threading.Barrier,
    tally: Tally,
) -> None:
    model = bundle.image.model_
    case = cases[me]
    start.wait()
    for _ in range(calls):
        try:
            prediction = bundle.predict(image=case.image, note=case.note)
            cams = bundle.cams(case.image, prediction.order[:CAM_CLASSES])
        except Exception as exc:  # counted, not raised: the other threads carry on
            tally.errors.append(f"{type(exc).__name__}: {exc}")
            continue
        finally:
            tally.calls += 1
            # Another request's hooks on the shared model would show here, mid-run.
            tally.hooks_seen += hook_count(model)
        _judge(tally, me, prediction.fused, cams, refs)


def run_threads(
    bundle: Bundle,
    cases: Sequence[Case],
    refs: Sequence[Reference],
    calls: int,
    progress: Callable[[int], None] | None = None,
) -> list[Tally]:
    """One thread per case, all started together, each making ``calls`` predict+CAM calls."""
    tallies = [Tally() for _ in cases]
    start = threading.Barrier(len(cases))
    threads = [
        threading.Thread(
            target=_worker,
            args=(bundle, cases, refs, i, calls, start, tallies[i]),
            name=f"storm-{i}",
        )
        for i in range(len(cases))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=10.0)
            if progress is not None:
                progress(sum(t.calls for t in tallies))
    return tallies


def storm(
    bundle: Bundle,
    cases: Sequence[Case],
    calls: int,
    warmup_calls: int = 2,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """References, a short warm-up storm, then the measured one; a JSON-ready report."""
    model = bundle.image.model_
    refs = references(bundle, cases)
    run_threads(bundle, cases, refs, warmup_calls)  # allocator arenas, one per thread
    gc.collect()
    rss_warm = rss_mib()
    started = time.perf_counter()
    tallies = run_threads(bundle, cases, refs, calls, progress)
    seconds = time.perf_counter() - started
    gc.collect()
    total = Tally()
    for tally in tallies:
        for name in ("calls", "own", "foreign", "wrong", "prediction_changed", "hooks_seen"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        total.max_map_diff = max(total.max_map_diff, tally.max_map_diff)
        total.max_proba_diff = max(total.max_proba_diff, tally.max_proba_diff)
        total.errors += tally.errors
    return {
        "threads": len(cases),
        "calls_per_thread": calls,
        "warmup_calls": warmup_calls,
        **asdict(total),
        "errors": total.errors[:5],
        "error_count": len(total.errors),
        "hooks_after": hook_count(model),
        "grads_after": sum(p.grad is not None for p in model.parameters()),
        "model_training_after": model.training,
        "distinctive_share": round(distinctive_share(refs), 3),
        "rss_warm_mib": round(rss_warm, 1),
        "rss_after_mib": round(rss_mib(), 1),
        "seconds": round(seconds, 1),
    }


def synthetic_cases(n: int, size: int = 80) -> list[Case]:
    """``n`` distinct photos (different colours and noise), the same size, no note."""
    from tests.conftest import synthetic_image

    rng = np.random.default_rng(13)
    return [Case(synthetic_image(rng, i % 7, size=size)) for i in range(n)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--warmup-calls", type=int, default=2)
    args = parser.parse_args(argv)
    bundle = load_bundle(args.bundle)
    report = storm(bundle, synthetic_cases(args.threads), args.calls, args.warmup_calls)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
