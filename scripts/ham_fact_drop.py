"""A bundle with the facts of each note dropped at 0/30/50/70%: image, text and fused figures.

``python scripts/ham_fact_drop.py --bundle models/default --split val``
(then ``--split test`` once). Reads ``data/ham10000/split/{split}.csv`` (or ``--manifest``),
the image branch's trunk activations from ``SKINMM_CACHE`` (computed once per run and reused
at every rate), and merges its report into ``docs/results/ham_fact_drop.json`` under
``"<bundle> on <split>"``, with the command beside it. ``--text DIR`` scores a text branch
saved by ``skinmm train-text`` in place of the bundle's (same image branch and fusion), under
``"<bundle> + <DIR> on <split>"``. See :mod:`skinmm.fact_drop` for the
dropping (seeded, the same notes for every branch) and the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from skinmm.bundle import Bundle, load_bundle
from skinmm.cache import default_cache_dir
from skinmm.data.manifest import read_manifest
from skinmm.evaluate import image_probabilities, map_labels
from skinmm.fact_drop import RATES, fact_drop_study
from skinmm.metrics import CLINICAL_FIGURES, N_BOOTSTRAP
from skinmm.text import TextBranch

OUT = Path("docs/results/ham_fact_drop.json")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", default="models/default")
    parser.add_argument("--split", choices=("val", "test"), default="val")
    parser.add_argument("--manifest", help="default: data/ham10000/split/<split>.csv")
    parser.add_argument("--text", help="a text branch folder to score in place of the bundle's")
    parser.add_argument("--rates", type=float, nargs="+", default=list(RATES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--n-boot", type=int, default=N_BOOTSTRAP)
    parser.add_argument("--out", type=Path, default=OUT)
    return parser.parse_args(argv)


def with_text(bundle: Bundle, text: str | None) -> Bundle:
    """The bundle, or a copy of it reading notes with another text branch (in memory only)."""
    if text is None:
        return bundle
    branch = TextBranch.load(Path(text))
    if branch.classes != bundle.codes:
        raise ValueError(f"{text} classifies {branch.classes}, the bundle {bundle.codes}.")
    return dataclasses.replace(bundle, text=branch)


def key(args: argparse.Namespace) -> str:
    arm = args.bundle + (f" + {args.text}" if args.text else "")
    return f"{arm} on {args.manifest or args.split}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    bundle = with_text(load_bundle(args.bundle), args.text)
    manifest = Path(args.manifest or f"data/ham10000/split/{args.split}.csv")
    frame, unmapped = map_labels(read_manifest(manifest), bundle.classes)
    paths = frame["image_path"].astype(str).tolist()
    image_p = image_probabilities(bundle.image, paths, default_cache_dir())
    report = fact_drop_study(
        bundle, frame, image_p, rates=args.rates, seed=args.seed, lang=args.lang, n_boot=args.n_boot
    )
    return {
        "bundle": args.bundle,
        "text_branch": args.text or f"{args.bundle}/text",
        "manifest": str(manifest),
        "unmapped": unmapped,
        **report,
    }


def _cell(figure: dict[str, Any]) -> str:
    ci = figure["ci"]
    return f"{figure['value']:.3f}" + (f" ({ci[0]:.3f}–{ci[1]:.3f})" if ci else "")


def table(report: dict[str, Any]) -> str:
    """A markdown table: each figure of image, text and fused per rate, and fused - image."""
    lines = ["| rate | arm | " + " | ".join(CLINICAL_FIGURES) + " |"]
    lines.append("|---" * (len(CLINICAL_FIGURES) + 2) + "|")
    lines.append(
        "| any | image | " + " | ".join(_cell(report["image"][f]) for f in CLINICAL_FIGURES) + " |"
    )
    for rate, block in report["rates"].items():
        for arm in ("text", "fused"):
            cells = " | ".join(_cell(block[arm][f]) for f in CLINICAL_FIGURES)
            lines.append(f"| {rate} | {arm} | {cells} |")
        diff = block["fused_minus_image"]
        cells = " | ".join(
            f"{diff[f]['difference']:+.3f} {diff[f]['ci']}" for f in CLINICAL_FIGURES
        )
        lines.append(f"| {rate} | fused − image | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    report = {"command": "python scripts/ham_fact_drop.py " + shlex.join(argv), **run(args)}
    results = json.loads(args.out.read_text()) if args.out.is_file() else {}
    results[key(args)] = report
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(table(report))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
