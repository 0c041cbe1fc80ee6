"""The one manifest format that every part of SkinMM reads.

A manifest is a UTF-8 CSV (comma-, semicolon- or tab-separated) with one row per image (or per
note, for text-only data):

``case_id``     unique per row
``group_id``    patient, or lesion where there is no patient id; splits never separate a group
``image_path``  relative to the manifest's folder (inside it or the data folder), or absolute;
                empty for text-only data
``note``        free-text clinical note; may be empty
``label``       class code of a label space or a taxonomy code (:func:`known_labels`); empty
                for unlabelled data

Any further columns (age, sex, site, Fitzpatrick type...) are kept for subgroup analysis and
for re-rendering notes with field dropout.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from PIL import Image

from skinmm.taxonomy import LABEL_SPACES, TAXONOMY

REQUIRED_COLUMNS: tuple[str, ...] = ("case_id", "group_id", "image_path", "note", "label")
MAX_LISTED = 5
# Comma first: a header that splits into the required columns on it is read as comma-separated.
SEPARATORS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab"}


class ManifestError(ValueError):
    """A manifest that cannot be used, with the first offending rows named."""


def known_labels() -> list[str]:
    """Every label a manifest may carry: what `skinmm train` or `skinmm evaluate` can use.

    A class code of a known label space (what training learns) or a taxonomy code (what
    evaluation maps onto a bundle's classes).
    """
    codes = {c.code for space in LABEL_SPACES.values() for c in space} | set(TAXONOMY)
    return sorted(codes)


def _data_root() -> Path:
    from skinmm.data.datasets import data_dir  # datasets imports this module

    return data_dir().resolve()


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


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
        found = ", ".join(map(str, frame.columns)) or "none"
        return [
            f"missing column(s) {', '.join(missing)}; the header (CSV line 1) has: {found}. "
            f"A manifest needs {', '.join(REQUIRED_COLUMNS)}: rename those header fields"
        ]
    return []


def _check_ids(frame: pd.DataFrame) -> list[str]:
    problems = []
    empty = frame.index[frame["case_id"] == ""]
    if len(empty):
        problems.append(f"empty case_id at {_rows(empty)}; give each row a case_id")
    dup = frame.index[frame["case_id"].duplicated(keep="first") & (frame["case_id"] != "")]
    if len(dup):
        problems.append(
            f"duplicate case_id at {_rows(dup)}; give each row its own case_id (several "
            "sources: `skinmm merge` prefixes each source's ids)"
        )
    no_group = frame.index[frame["group_id"] == ""]
    if len(no_group):
        problems.append(
            f"empty group_id at {_rows(no_group)}; give the patient id (the case_id where "
            "there is none)"
        )
    return problems


def _check_labels(
    frame: pd.DataFrame, classes: Sequence[str] | None, require: bool = False
) -> list[str]:
    problems = []
    labelled = frame[frame["label"] != ""]
    if require and len(labelled) < len(frame):
        empty = frame.index[frame["label"] == ""]
        problems.append(
            f"empty label at {_rows(empty)}; every row needs a label here (label or remove those rows)"
        )
    if classes is not None:
        unknown = labelled.index[~labelled["label"].isin(list(classes))]
        if len(unknown):
            names = sorted(set(frame.loc[unknown, "label"]))[:MAX_LISTED]
            problems.append(
                f"unknown label(s) {', '.join(names)} at {_rows(unknown)}; "
                f"expected one of {', '.join(classes)}: relabel or remove those rows "
                "(a clinic's own diagnosis names: `skinmm manifest csv --labels MAPPING`)"
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
            f"{what} {', '.join(map(str, mixed[:MAX_LISTED]))} carry two labels, at {_rows(rows)}; "
            "correct the wrong label, or tell the lesions apart with a lesion_id column"
        )
    return problems


def _unreadable(path: str) -> bool:
    try:
        with Image.open(path) as im:
            im.verify()
    except Exception:  # any failure to open or verify means the file cannot be used
        return True
    return False


def _outside_roots(frame: pd.DataFrame, root: Path) -> pd.Index:
    """Rows whose relative image path leaves both the manifest's folder and the data folder."""
    roots = (root.resolve(), _data_root())

    def outside(p: str) -> bool:
        # Lexical, not resolved: `..` may not climb out, but a symlink the user made may.
        return (
            bool(p)
            and not Path(p).is_absolute()
            and not _inside(Path(os.path.normpath(roots[0] / p)), roots)
        )

    return frame.index[frame["image_path"].map(outside)]


def _check_image_roots(frame: pd.DataFrame, outside: pd.Index, root: Path) -> list[str]:
    if not len(outside):
        return []
    first = frame.loc[outside[0], "image_path"]
    return [
        f"image path(s) leading outside the manifest's folder {root.resolve()} and the data "
        f"folder {_data_root()} (SKINMM_DATA) at {_rows(outside)} (first: {first}); keep images "
        "under one of them or give absolute paths"
    ]


def _check_images(frame: pd.DataFrame, verify: bool) -> list[str]:
    with_image = frame[frame["image_path"] != ""]
    exists = with_image["image_path"].map(lambda p: Path(p).is_file())
    problems = []
    missing = with_image.index[~exists]
    if len(missing):
        first = with_image.loc[missing[0], "image_path"]
        problems.append(
            f"image file(s) not found at {_rows(missing)} (first: {first}); correct the "
            "paths (relative to the manifest's folder, or absolute) or remove those rows"
        )
    if verify:
        present = with_image[exists]
        bad = present.index[present["image_path"].map(_unreadable)]
        if len(bad):
            first = present.loc[bad[0], "image_path"]
            problems.append(
                f"unreadable image file(s) at {_rows(bad)} (first: {first}); replace the "
                "files with readable JPEG/PNG images or remove those rows"
            )
    return problems


def validate_manifest(
    frame: pd.DataFrame,
    *,
    classes: Sequence[str] | None = None,
    check_images: bool = True,
    verify_images: bool = False,
    require_labels: bool = False,
    image_root: Path | None = None,
    source: str = "manifest",
) -> None:
    """Raise one :class:`ManifestError` listing every problem found, with CSV line numbers.

    Row ``i`` of ``frame``'s index is CSV line ``i + 2`` (see :func:`read_manifest`).
    ``image_path`` is absolute, or relative to ``image_root`` when that is given; relative
    paths may not lead outside ``image_root`` and the data folder.
    """
    problems = _check_columns(frame)
    if not problems:
        problems = _check_ids(frame) + _check_labels(frame, classes, require_labels)
        if image_root is not None:
            outside = _outside_roots(frame, image_root)
            problems += _check_image_roots(frame, outside, image_root)
            frame = frame.drop(index=outside)  # named once, not again as "not found"
            frame = frame.assign(image_path=resolve_image_paths(frame, image_root))
        if check_images:
            problems += _check_images(frame, verify_images)
    if problems:
        bullet = "\n  - ".join(problems)
        raise ManifestError(
            f"{source} cannot be used:\n  - {bullet}\nFix these rows and try again."
        )


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ManifestError(
            f"{path} is not UTF-8 text: CSV line {line}, byte {column} is 0x{data[exc.start]:02X}. "
            "Save it as UTF-8 (Excel: Save As > CSV UTF-8; LibreOffice: character set "
            "Unicode (UTF-8)) and try again."
        ) from exc


def _separator(text: str) -> str:
    """The separator whose header has the most of the required columns; comma on a tie.

    Spreadsheets in many locales save CSV with semicolons (or tabs); such a file is read as it
    is rather than refused, since its header says unambiguously how it is split.
    """
    header = text.split("\n", 1)[0]

    def score(sep: str) -> int:
        names = {c.strip() for c in next(csv.reader([header], delimiter=sep), [])}
        return len(names & set(REQUIRED_COLUMNS))

    return max(SEPARATORS, key=score)  # max keeps the first of equals: comma


def _records(text: str, sep: str) -> list[tuple[int, int]]:
    """(CSV line it starts on, number of fields) of each record; a quoted note may span lines."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    records, end = [], 0
    for record in reader:
        if record:  # pandas skips blank lines too
            records.append((end + 1, len(record)))
        end = reader.line_num
    return records


def _check_widths(path: Path, records: list[tuple[int, int]], sep: str) -> None:
    width = records[0][1]
    ragged = [line for line, n in records[1:] if n != width]
    if ragged:
        shown = ", ".join(map(str, ragged[:MAX_LISTED]))
        more = f" (and {len(ragged) - MAX_LISTED} more)" if len(ragged) > MAX_LISTED else ""
        raise ManifestError(
            f"{path}: CSV line(s) {shown}{more} do not have the header's {width} "
            f"{SEPARATORS[sep]}-separated fields. Put quotes around any value that contains "
            f"a {SEPARATORS[sep]}, and fix those lines."
        )


def _read_csv(path: Path) -> pd.DataFrame:
    text = _decode(path, path.read_bytes())
    sep = _separator(text)
    try:
        records = _records(text, sep)
    except csv.Error as exc:
        raise ManifestError(f"{path} is not a readable CSV manifest ({exc}).") from exc
    if not records:
        raise ManifestError(f"{path} is empty; a manifest needs a header line and rows.")
    _check_widths(path, records, sep)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype={c: str for c in REQUIRED_COLUMNS},
            keep_default_na=False,
            index_col=False,
        )
    except pd.errors.ParserError as exc:
        raise ManifestError(
            f"{path} is not a readable {SEPARATORS[sep]}-separated manifest ({exc}). Check the "
            "separators and quotes on that line."
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(records) == len(frame) + 1:
        # Index = CSV line - 2, so that validation's line numbers are the file's own.
        frame.index = pd.Index([line - 2 for line, _ in records[1:]])
    return frame


def read_manifest(
    path: str | Path,
    *,
    classes: Sequence[str] | None = None,
    check_images: bool = True,
    verify_images: bool = False,
    require_labels: bool = False,
) -> pd.DataFrame:
    """Read and validate a manifest; ``image_path`` comes back absolute.

    Parameters
    ----------
    path : path to the CSV: UTF-8, separated by commas, semicolons or tabs.
    classes : the allowed labels; ``None`` accepts any (see :func:`known_labels`).
    check_images : check that every image file exists.
    verify_images : also open every image (slow on large manifests).
    require_labels : refuse rows without a label.
    """
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"Manifest {path} does not exist. Build one with `skinmm manifest`.")
    frame = _read_csv(path)
    # Arrow-backed strings trip some scikit-learn helpers; keep the key columns as objects.
    for column in REQUIRED_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype(object).fillna("").map(str).str.strip()
    validate_manifest(
        frame,
        classes=classes,
        check_images=check_images,
        verify_images=verify_images,
        require_labels=require_labels,
        image_root=path.parent,
        source=f"Manifest {path}",
    )
    frame["image_path"] = resolve_image_paths(frame, path.parent)
    return frame.reset_index(drop=True)


def write_manifest(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a manifest, storing image paths relative to its folder where possible."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.copy()
    root = path.parent.resolve()
    roots = (root, _data_root())

    def relative(p: str) -> str:
        # Relative paths keep a manifest valid when its data folder moves along with it; they
        # are written only where read_manifest accepts them (inside the folder or data root).
        if not p:
            return ""
        image = Path(p).resolve()
        return os.path.relpath(image, root) if _inside(image, roots) else str(image)

    out["image_path"] = out["image_path"].map(relative)
    columns = list(REQUIRED_COLUMNS) + [c for c in out.columns if c not in REQUIRED_COLUMNS]
    out[columns].to_csv(path, index=False)
    return path
