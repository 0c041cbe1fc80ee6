"""Example cases shipped with a bundle (``BUNDLE/examples/``), so a newcomer can try the app
without a dermoscopic photo of their own, and a teacher can run a quiz without the dataset.

The folder holds small JPEGs, ``examples.json`` (one record per case: true label, the note as
the app renders notes, in English and Chinese, and why the case was picked) and a README with
the source and licence. It is not part of the bundle's sealed file list: the examples are
teaching material, not the model, and the model never reads them.

Which cases: per class, the test cases whose decision probability of the true class (in the
bundle's own test report) is the highest, the median and the lowest. That covers an easy
case, a typical one and the hardest one (usually misclassified) of every class, and is fixed
by the report, so nobody chooses cases by their outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image

from skinmm.data.datasets import data_dir
from skinmm.data.notes import render_note

GALLERY_DIR = "examples"
GALLERY_JSON = "examples.json"
# The shorter side of a shipped photo at most the image branch's own resize (models/default:
# 260), never enlarged: the model then reads from the copy what it reads from the original.
SHORT_SIDE = 260
# The HAM10000 copy here holds 200 x 150 photos, so they are only re-encoded; at quality 85 one
# example changed its top class and one more was called unfamiliar by the scope gate.
JPEG_QUALITY = 90
PER_CLASS = 3


@dataclass(frozen=True)
class Example:
    """One shipped case: a photo in the gallery folder, its notes and its true diagnosis."""

    case_id: str
    label: str
    image: str
    note_en: str
    note_zh: str
    pick: str
    true_probability: float
    report_prediction: str

    def note(self, lang: str) -> str:
        """The note in the UI language (the text branch reads both)."""
        return self.note_zh if lang == "zh" and self.note_zh else self.note_en

    def photo_path(self, folder: Path) -> Path:
        return folder / self.image


def gallery_folder(bundle_dir: Path) -> Path:
    return Path(bundle_dir) / GALLERY_DIR


def load_gallery(bundle_dir: Path, codes: list[str] | None = None) -> list[Example]:
    """The bundle's example cases whose photo is present; [] for a bundle without any.

    Cases labelled outside ``codes`` (another bundle's classes) are left out.
    """
    folder = gallery_folder(bundle_dir)
    index = folder / GALLERY_JSON
    if not index.is_file():
        return []
    records = json.loads(index.read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise ValueError(f"{index} must hold a list of cases.")
    examples = [Example(**_fields(r, index)) for r in records]
    return [
        e for e in examples if (folder / e.image).is_file() and (codes is None or e.label in codes)
    ]


def _fields(record: Any, index: Path) -> dict[str, Any]:
    names = Example.__dataclass_fields__
    if not isinstance(record, dict) or set(record) != set(names):
        raise ValueError(f"{index}: each case needs exactly the fields {', '.join(names)}.")
    return record


def _round_half_up(value: float) -> int:
    return int(np.floor(value + 0.5))


def pick_positions(n: int, per_class: int = PER_CLASS) -> list[int]:
    """Evenly spaced ranks from first to last (0, middle, n-1 for three), without repeats."""
    if n <= 0:
        return []
    spaced = np.linspace(0, n - 1, min(per_class, n))
    return sorted({_round_half_up(p) for p in spaced})


def _pick_name(rank: int, n: int) -> str:
    """Where the pick sits among its class's cases, sorted by true-class probability."""
    if rank == 0:
        return "highest"
    if rank == n - 1:
        return "lowest"
    if rank == _round_half_up((n - 1) / 2):
        return "median"
    return f"rank {rank + 1} of {n}"


def pick_examples(
    predictions: pd.DataFrame, codes: list[str], per_class: int = PER_CLASS
) -> pd.DataFrame:
    """The documented rule: per class, the highest-, median- and lowest-probability cases.

    ``predictions`` is a report's ``predictions.csv`` (``case_id``, ``label``, ``fused_<code>``
    per class, ``fused_pred``). Ties break by ``case_id`` so the choice is reproducible.
    Returns the chosen rows with ``pick`` and ``true_probability`` added, class by class.
    """
    chosen = []
    for code in codes:
        rows = predictions[predictions["label"] == code].copy()
        rows["true_probability"] = rows[f"fused_{code}"].astype(float)
        rows = rows.sort_values(["true_probability", "case_id"], ascending=[False, True])
        n = len(rows)
        for rank in pick_positions(n, per_class):
            row = rows.iloc[rank].copy()
            row["pick"] = _pick_name(rank, n)
            chosen.append(row)
    return pd.DataFrame(chosen).reset_index(drop=True)


def report_image(value: object) -> Path | None:
    """A report's ``image_path`` on this machine (absolute, or relative to the data folder),
    or None where the photo is not here."""
    if not isinstance(value, str) or not value:
        return None
    path = Path(value)
    candidate = path if path.is_absolute() else data_dir() / path
    return candidate if candidate.is_file() else None


def small_jpeg(source: Path, target: Path, short_side: int = SHORT_SIDE) -> None:
    """A JPEG copy of ``source`` with its shorter side ``short_side`` (never enlarged)."""
    with Image.open(source) as image:
        small = image.convert("RGB")
        scale = min(1.0, short_side / min(small.size))
        size = (round(small.width * scale), round(small.height * scale))
        small = small.resize(size, Image.Resampling.LANCZOS)
        small.save(target, format="JPEG", quality=JPEG_QUALITY, optimize=True)


def write_gallery(
    picked: pd.DataFrame,
    fields: Mapping[str, Mapping[str, Any]],
    resolve: Callable[[str], Path],
    out: Path,
    short_side: int = SHORT_SIDE,
) -> list[Example]:
    """Write the picked cases' small photos and ``examples.json`` into ``out``.

    ``fields`` maps a case id to its note fields (age, sex, site, ...), from which both notes
    are rendered as the app renders notes; ``resolve`` turns a report's ``image_path`` into the
    raw photo's path.
    """
    out.mkdir(parents=True, exist_ok=True)
    examples = []
    for row in picked.to_dict("records"):
        case = str(row["case_id"])
        image = f"{case}.jpg"
        small_jpeg(resolve(str(row["image_path"])), out / image, short_side)
        case_fields = fields.get(case, {})
        examples.append(
            Example(
                case_id=case,
                label=str(row["label"]),
                image=image,
                note_en=render_note(case_fields, "en") if case_fields else str(row["note"]),
                note_zh=render_note(case_fields, "zh") if case_fields else "",
                pick=str(row["pick"]),
                true_probability=round(float(row["true_probability"]), 6),
                report_prediction=str(row["fused_pred"]),
            )
        )
    (out / GALLERY_JSON).write_text(
        json.dumps([asdict(e) for e in examples], ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    return examples


# The input-scope gate's example thumbnail (SCOPE_EXAMPLE.md): HAM10000 id, file, shorter side.
SCOPE_EXAMPLE = ("ISIC_0024341", "scope_example.jpg", 120)


def restore_photos(bundle_dir: Path, data: Path | None = None) -> tuple[int, list[str]]:
    """Write the gallery's small photos (and the scope example) from the raw HAM10000 images.

    The photos are never committed: they are the dataset's, which stays in ``SKINMM_DATA``;
    ``examples.json`` keeps the cases. Photos already present are kept. Returns how many
    were written and the image ids not found in the data folder.
    """
    folder = gallery_folder(bundle_dir)
    index = folder / GALLERY_JSON
    records = json.loads(index.read_text(encoding="utf-8")) if index.is_file() else []
    wanted = [(r["case_id"], r["image"], SHORT_SIDE) for r in records]
    images = data_dir(data) / "ham10000" / "images"
    written, missing = 0, []
    for case, name, side in [*wanted, SCOPE_EXAMPLE]:
        target, source = folder / name, images / f"{case}.jpg"
        if target.is_file():
            continue
        if not source.is_file():
            missing.append(case)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        small_jpeg(source, target, side)
        written += 1
    return written, missing
