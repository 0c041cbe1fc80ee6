"""The one manifest format that every part of SkinMM reads.

A manifest is a CSV with one row per image (or per note, for text-only data):

``case_id``     unique per row
``group_id``    patient, or lesion where there is no patient id; splits never separate a group
``image_path``  relative to the manifest's folder, or absolute; empty for text-only data
``note``        free-text clinical note; may be empty
``label``       class code of the manifest's label space; empty for unlabelled data

Any further columns (age, sex, site, Fitzpatrick type...) are kept for subgroup analysis and
for re-rendering notes with field dropout.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from PIL import Image

REQUIRED_COLUMNS: tuple[str, ...] = ("case_id", "group_id", "image_path", "note", "label")
MAX_LISTED = 5


class ManifestError(ValueError):
    """A manifest that cannot be used, with the first offending rows named."""


def _rows(index: Iterable[int], limit: int = MAX_LISTED) -> str:
    rows = [int(i) + 2 for i in index]  # +2: header line, and CSV lines count from 1
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" (and {len(rows) - limit} more)" if len(rows) > limit else ""
    return f"CSV line(s) {shown}{more}"


def resolve_image_paths(frame: pd.DataFrame, root: Path) -> pd.Series:
    """Absolute image paths; relative ones are taken from ``root`` (the manifest's folder)."""

    def resolve(p: str) -> str:
        if not p:
            return ""
        path = Path(p)
        return str(path if path.is_absolute() else (root / path).resolve())

    return frame["image_path"].map(resolve)


def _check_columns(frame: pd.DataFrame) -> list[str]:
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        return [
            f"missing column(s) {', '.join(missing)}; a manifest needs {', '.join(REQUIRED_COLUMNS)}"
        ]
    return []


def _check_ids(frame: pd.DataFrame) -> list[str]:
    problems = []
    empty = frame.index[frame["case_id"] == ""]
    if len(empty):
        problems.append(f"empty case_id at {_rows(empty)}")
    dup = frame.index[frame["case_id"].duplicated(keep="first") & (frame["case_id"] != "")]
    if len(dup):
        problems.append(f"duplicate case_id at {_rows(dup)}")
    no_group = frame.index[frame["group_id"] == ""]
    if len(no_group):
        problems.append(f"empty group_id at {_rows(no_group)}")
    return problems


def _check_labels(frame: pd.DataFrame, classes: Sequence[str] | None) -> list[str]:
    problems = []
    labelled = frame[frame["label"] != ""]
    if classes is not None:
        unknown = labelled.index[~labelled["label"].isin(list(classes))]
        if len(unknown):
            names = sorted(set(frame.loc[unknown, "label"]))[:MAX_LISTED]
            problems.append(
                f"unknown label(s) {', '.join(names)} at {_rows(unknown)}; "
                f"expected one of {', '.join(classes)}"
            )
    # A lesion has one diagnosis; a patient may have several lesions. Where a manifest names
    # lesions inside its groups, labels must agree per lesion, else per group.
    unit = ["group_id", "lesion_id"] if "lesion_id" in labelled.columns else ["group_id"]
    per_unit = labelled.groupby(unit)["label"].nunique()
    mixed = per_unit.index[per_unit > 1]
    if len(mixed):
        keys = labelled.set_index(unit).index
        rows = labelled.index[keys.isin(mixed)]
        what = "lesion(s)" if len(unit) == 2 else "group(s)"
        problems.append(
            f"{what} {', '.join(map(str, mixed[:MAX_LISTED]))} carry two labels, at {_rows(rows)}"
        )
    return problems


def _unreadable(path: str) -> bool:
    try:
        with Image.open(path) as im:
            im.verify()
    except Exception:  # any failure to open or verify means the file cannot be used
        return True
    return False


def _check_images(frame: pd.DataFrame, verify: bool) -> list[str]:
    with_image = frame[frame["image_path"] != ""]
    exists = with_image["image_path"].map(lambda p: Path(p).is_file())
    problems = []
    missing = with_image.index[~exists]
    if len(missing):
        first = with_image.loc[missing[0], "image_path"]
        problems.append(f"image file(s) not found at {_rows(missing)} (first: {first})")
    if verify:
        present = with_image[exists]
        bad = present.index[present["image_path"].map(_unreadable)]
        if len(bad):
            first = present.loc[bad[0], "image_path"]
            problems.append(f"unreadable image file(s) at {_rows(bad)} (first: {first})")
    return problems


def validate_manifest(
    frame: pd.DataFrame,
    *,
    classes: Sequence[str] | None = None,
    check_images: bool = True,
    verify_images: bool = False,
    source: str = "manifest",
) -> None:
    """Raise one :class:`ManifestError` listing every problem found, with row numbers.

    ``image_path`` must already be resolved (see :func:`read_manifest`).
    """
    problems = _check_columns(frame)
    if not problems:
        problems = _check_ids(frame) + _check_labels(frame, classes)
        if check_images:
            problems += _check_images(frame, verify_images)
    if problems:
        bullet = "\n  - ".join(problems)
        raise ManifestError(
            f"{source} cannot be used:\n  - {bullet}\nFix these rows and try again."
        )


def read_manifest(
    path: str | Path,
    *,
    classes: Sequence[str] | None = None,
    check_images: bool = True,
    verify_images: bool = False,
) -> pd.DataFrame:
    """Read and validate a manifest; ``image_path`` comes back absolute.

    Parameters
    ----------
    path : path to the CSV.
    classes : the allowed labels; ``None`` accepts any.
    check_images : check that every image file exists.
    verify_images : also open every image (slow on large manifests).
    """
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"Manifest {path} does not exist. Build one with `skinmm manifest`.")
    try:
        frame = pd.read_csv(path, dtype={c: str for c in REQUIRED_COLUMNS}, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ManifestError(f"{path} is not a readable CSV manifest: {exc}") from exc
    # Arrow-backed strings trip some scikit-learn helpers; keep the key columns as objects.
    for column in REQUIRED_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype(object).fillna("").map(str).str.strip()
    if not _check_columns(frame):
        frame["image_path"] = resolve_image_paths(frame, path.parent)
    validate_manifest(
        frame,
        classes=classes,
        check_images=check_images,
        verify_images=verify_images,
        source=f"Manifest {path}",
    )
    return frame.reset_index(drop=True)


def write_manifest(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a manifest, storing image paths relative to its folder where possible."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.copy()
    root = path.parent.resolve()

    def relative(p: str) -> str:
        # Relative paths keep a manifest valid when its data folder moves along with it.
        return os.path.relpath(Path(p).resolve(), root) if p else ""

    out["image_path"] = out["image_path"].map(relative)
    columns = list(REQUIRED_COLUMNS) + [c for c in out.columns if c not in REQUIRED_COLUMNS]
    out[columns].to_csv(path, index=False)
    return path
