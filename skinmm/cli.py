"""The `skinmm` command line: `skinmm manifest | split | train | evaluate | predict | serve`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]


def _manifest(args: argparse.Namespace) -> int:
    from skinmm.data.datasets import BUILDERS
    from skinmm.data.manifest import write_manifest

    frame = BUILDERS[args.dataset](args.data_dir, lang=args.lang)
    path = write_manifest(frame, args.out)
    print(f"Wrote {len(frame)} rows, {frame['group_id'].nunique()} groups to {path}")
    print(frame["label"].value_counts().to_string())
    return 0


def _split(args: argparse.Namespace) -> int:
    from skinmm.data.manifest import read_manifest
    from skinmm.data.split import split_manifest, split_summary, write_split

    started = time.perf_counter()
    frame = read_manifest(args.manifest, check_images=not args.skip_image_check)
    split = split_manifest(frame, args.test_size, args.val_size, args.seed)
    paths = write_split(split, args.out)
    print(split_summary(split).to_string())
    print(
        f"Wrote {', '.join(str(p) for p in paths.values())} in {time.perf_counter() - started:.1f} s"
    )
    return 0


def _add_data_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("manifest", help="build a manifest from a raw public dataset")
    p.add_argument("dataset", choices=["ham10000", "pad-ufes-20"])
    p.add_argument("--data-dir", help="raw data folder (default: $SKINMM_DATA or ../shared/data)")
    p.add_argument("--out", required=True, help="manifest CSV to write")
    p.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the notes")
    p.set_defaults(handler=_manifest)

    p = sub.add_parser("split", help="grouped, stratified train/val/test split of a manifest")
    p.add_argument("manifest")
    p.add_argument("--out", required=True, help="folder for train.csv, val.csv, test.csv")
    p.add_argument("--test-size", type=float, default=0.2)
    p.add_argument("--val-size", type=float, default=0.1, help="share of training groups")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-image-check", action="store_true", help="do not check image files exist")
    p.set_defaults(handler=_split)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skinmm", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, FileNotFoundError) as exc:
        # Errors a user can cause carry their own explanation; no traceback for those.
        print(f"skinmm {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
