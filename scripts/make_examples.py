"""Make the example gallery of a bundle (``BUNDLE/examples/``) from its own test report.

``python scripts/make_examples.py [--bundle models/default] [--test data/ham10000/split/test.csv]``
(after ``make data``; the raw photos are read from ``SKINMM_DATA``). The rule is
:func:`skinmm.gallery.pick_examples`: per class, the test cases whose decision probability of
the true class is the highest, the median and the lowest. Photos become JPEGs whose shorter
side is at most the image branch's resize (never enlarged); the notes are rendered from the test manifest's fields in English and Chinese. Rewrites
``examples.json`` and the photos; the folder's README.md and other files are left alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from skinmm.bundle import read_card
from skinmm.data.manifest import read_manifest
from skinmm.data.notes import note_fields
from skinmm.gallery import (
    GALLERY_JSON,
    PER_CLASS,
    gallery_folder,
    load_gallery,
    pick_examples,
    report_image,
    write_gallery,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=Path("models/default"))
    parser.add_argument("--test", type=Path, default=Path("data/ham10000/split/test.csv"))
    parser.add_argument("--per-class", type=int, default=PER_CLASS)
    args = parser.parse_args()

    card = read_card(args.bundle)
    codes = [c["code"] for c in card["classes"]]
    predictions = pd.read_csv(args.bundle / "report" / "predictions.csv", dtype={"case_id": str})
    manifest = read_manifest(args.test, check_images=False)
    columns = note_fields(manifest)
    fields = {str(r.pop("case_id")): r for r in manifest[["case_id", *columns]].to_dict("records")}

    def resolve(value: str) -> Path:
        path = report_image(value)
        if path is None:
            raise SystemExit(f"Photo {value} not found: set SKINMM_DATA to the raw data folder.")
        return path

    picked = pick_examples(predictions, codes, args.per_class)
    out = gallery_folder(args.bundle)
    for stale in load_gallery(args.bundle):  # the previous picks' photos, nothing else
        stale.photo_path(out).unlink()
    examples = write_gallery(picked, fields, resolve, out, int(card["preprocessing"]["resize"]))
    print(f"Wrote {len(examples)} cases and {out / GALLERY_JSON}")
    for e in examples:
        print(f"  {e.label:6} {e.pick:8} p={e.true_probability:.3f} -> {e.report_prediction}")


if __name__ == "__main__":
    main()
