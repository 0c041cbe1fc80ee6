"""A clinic's own data -> a manifest: one folder per diagnosis, or any exported table.

`skinmm manifest folder DIR` reads the common ImageFolder layout (``DIR/<diagnosis>/...``):
each folder name is mapped onto a label through the user's mapping file, else through the
taxonomy's codes, English and Chinese names and common synonyms
(:func:`skinmm.taxonomy.label_from_name`); a folder that maps to nothing is listed and the
command stops, never guesses. A notes table (CSV or Excel) joins each image to its patient
and its record. `skinmm manifest csv TABLE --map ...` renames an export's columns onto the
manifest's. Every refusal names the file, the line and what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from skinmm.data.manifest import MAX_LISTED, REQUIRED_COLUMNS, ManifestError
from skinmm.data.notes import NOTE_FIELDS
from skinmm.taxonomy import label_from_name

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
SKIP = "-"  # a mapping file's label that leaves a folder out on purpose
TABLE_COLUMNS = ("file", "patient_id", "note")
# An export may name each row's lesion too (a patient with lesions of two diagnoses).
MAP_COLUMNS = (*REQUIRED_COLUMNS, "lesion_id")
# Columns the manifest or the note renderer own; a table's own column of that name is kept
# as ``meta_<name>``, so that it never replaces the clinic's free-text note by a rendered one.
RESERVED = frozenset({*REQUIRED_COLUMNS, *NOTE_FIELDS, "source", "lesion_id"})


@dataclass
class Built:
    """A manifest and what the user should know about how it was made."""

    frame: pd.DataFrame
    messages: list[str] = field(default_factory=list)


def _lines(rows: pd.Index | list[int]) -> str:
    numbers = [int(i) + 2 for i in rows]  # header on line 1
    shown = ", ".join(map(str, numbers[:MAX_LISTED]))
    more = f" (and {len(numbers) - MAX_LISTED} more)" if len(numbers) > MAX_LISTED else ""
    return f"line(s) {shown}{more}"


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (UTF-8, any of , ; tab) or Excel table, every cell as text, index = line - 2."""
    if not path.is_file():
        raise ManifestError(f"Table {path} does not exist; check the path.")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _strip(_read_excel(path))
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, sep=None, engine="python", encoding="utf-8-sig"
        )
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"{path} is not UTF-8 text; save it as CSV UTF-8 (or as .xlsx) and try again."
        ) from exc
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise ManifestError(
            f"{path} could not be read as a CSV or Excel table ({exc}). Save it as CSV UTF-8 "
            "or .xlsx with one header line."
        ) from exc
    return _strip(frame)


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.map(lambda v: str(v).strip())


def _read_excel(path: Path) -> pd.DataFrame:
    """The first sheet of a workbook; an empty first sheet is refused, naming the others,
    rather than a table guessed from them."""
    try:
        with pd.ExcelFile(path) as book:
            sheets = [str(name) for name in book.sheet_names]
            frame = book.parse(sheets[0], dtype=str, keep_default_na=False)
    except Exception as exc:  # zip, XML or format errors alike: the workbook cannot be read
        raise ManifestError(
            f"{path} is not a readable Excel workbook ({type(exc).__name__}). Open it in Excel "
            "or LibreOffice and save it again as .xlsx, or as CSV UTF-8."
        ) from exc
    if frame.columns.empty:
        raise ManifestError(
            f"{path}: the first sheet ({sheets[0]!r}) is empty at line 1, where the table's "
            f"header is read from (sheets: {', '.join(sheets)}). Move the table to the first "
            "sheet, its header on line 1, or save that sheet as CSV UTF-8."
        )
    return frame


def read_mapping(path: Path) -> dict[str, str]:
    """Folder or diagnosis name -> label, from lines ``name,label`` or ``name=label``.

    A label is a taxonomy code, a public dataset's class code, or ``-`` to leave the folder
    out. Blank lines and lines starting with ``#`` are skipped.
    """
    if not path.is_file():
        raise ManifestError(f"Mapping file {path} does not exist; check the path.")
    mapping: dict[str, str] = {}
    bad: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = re.split(r"[=,\t]", line, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            bad.append(f"line {number} ({line!r}) is not `name,label`")
            continue
        name, label = parts[0].strip(), parts[1].strip()
        code = label if label == SKIP else label_from_name(label)
        if code is None:
            bad.append(f"line {number}: {label!r} is not a taxonomy or dataset class code")
            continue
        mapping[name] = code
    if bad:
        raise ManifestError(
            f"Mapping file {path} cannot be used: {'; '.join(bad[:MAX_LISTED])}. Write one "
            "`folder name,label` per line, the label a taxonomy code (mel, bcc, bowen, nev, "
            "hem, xg, sk, ak, scc, df, sl, pg) or - to leave the folder out."
        )
    return mapping


def folder_labels(root: Path, mapping: dict[str, str]) -> dict[str, str]:
    """Each diagnosis folder's label; raises naming every folder that maps to nothing."""
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise ManifestError(
            f"{root} has no sub-folders; put each diagnosis's images in a folder of its own "
            "(e.g. DIR/黑色素瘤/001.jpg, DIR/bcc/002.jpg)."
        )
    labels = {f: mapping.get(f) or label_from_name(f) for f in folders}
    unmapped = [f for f, code in labels.items() if code is None]
    if unmapped:
        raise ManifestError(
            f"Folder(s) of {root} that name no known diagnosis: {', '.join(unmapped)}. "
            "Nothing was guessed: write a mapping file with one `folder name,label` line each "
            "(label: mel, bcc, bowen, nev, hem, xg, sk, ak, scc, df, sl, pg, or - to leave "
            "the folder out) and pass it with --map."
        )
    return {f: code for f, code in labels.items() if code is not None and code != SKIP}


def _images(root: Path, labels: dict[str, str]) -> pd.DataFrame:
    rows = [
        {"relative": p.relative_to(root).as_posix(), "path": str(p.resolve()), "label": label}
        for folder, label in labels.items()
        for p in sorted((root / folder).rglob("*"))
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not rows:
        raise ManifestError(
            f"No image (.jpg, .png, .webp, .bmp, .tif) found under the diagnosis folders of "
            f"{root} ({', '.join(labels)}); put each diagnosis's images in its folder "
            "(e.g. DIR/黑色素瘤/001.jpg) and run the command again."
        )
    return pd.DataFrame(rows)


def _case_ids(images: pd.DataFrame, messages: list[str]) -> pd.Series:
    """The relative path without its extension; where two images differ only by extension
    (a.jpg, a.png), both keep it, so that case ids stay unique."""
    stems = images["relative"].map(lambda r: r.rsplit(".", 1)[0])
    clash = stems.duplicated(keep=False)
    if clash.any():
        messages.append(
            f"{int(clash.sum())} image(s) share a name apart from the extension (first: "
            f"{images.loc[clash, 'relative'].iloc[0]}); their case ids keep the extension."
        )
    return stems.where(~clash, images["relative"])


def _empty_folders(root: Path, labels: dict[str, str], images: pd.DataFrame) -> list[str]:
    used = set(images["relative"].map(lambda r: r.split("/", 1)[0]))
    empty = [f for f in labels if f not in used]
    if not empty:
        return []
    return [f"Folder(s) of {root} with no image, left out: {', '.join(empty)}."]


def _metadata_names(columns: list[str]) -> dict[str, str]:
    return {c: f"meta_{c}" if c in RESERVED else c for c in columns}


def _match_table(images: pd.DataFrame, table: pd.DataFrame, path: Path) -> pd.Series:
    """For each table row, the image it describes (by relative path, else by file name)."""
    by_path = {r: i for i, r in enumerate(images["relative"])}
    names = images["relative"].map(lambda r: r.rsplit("/", 1)[-1])
    unique = names[~names.duplicated(keep=False)]
    by_name = {n: i for i, n in unique.items()}
    files = table["file"].str.replace("\\", "/", regex=False).str.lstrip("./")
    found = files.map(lambda f: by_path.get(f, by_name.get(f)))
    twice = found.dropna().duplicated(keep=False)
    if twice.any():
        raise ManifestError(
            f"{path}: {_lines(found.dropna().index[twice])} describe the same image twice; keep "
            "one row per image."
        )
    ambiguous = files[found.isna() & files.isin(names[names.duplicated(keep=False)])]
    if len(ambiguous):
        raise ManifestError(
            f"{path}: {_lines(ambiguous.index)} give a file name that several folders hold "
            f"(first: {ambiguous.iloc[0]}); give the path relative to the folder instead."
        )
    return found


def _join_notes(images: pd.DataFrame, table_path: Path, messages: list[str]) -> pd.DataFrame:
    table = read_table(table_path)
    missing = [c for c in ("file",) if c not in table.columns]
    if missing:
        raise ManifestError(
            f"{table_path}: the header (line 1) has no `file` column (found: "
            f"{', '.join(table.columns) or 'none'}). Name the column that holds each image's "
            "path or file name `file`; `patient_id` and `note` are optional."
        )
    found = _match_table(images, table, table_path)
    unmatched = found.index[found.isna()]
    if len(unmatched):
        messages.append(
            f"{table_path}: {_lines(unmatched)} name no image under the folder (first: "
            f"{table.loc[unmatched[0], 'file']}); those rows were left out."
        )
    table = table.loc[found.notna()].assign(_image=found.dropna().astype(int))
    extra = [c for c in table.columns if c not in TABLE_COLUMNS and c != "_image"]
    table = table.rename(columns=_metadata_names(extra))
    return images.join(table.set_index("_image").drop(columns=["file"]), how="left")


FOLDER_GROUP_HINT = "Give a patient_id column in --notes, or --groups-from REGEX|COLUMN."
TABLE_GROUP_HINT = "Map the table's patient column with --map group_id=COLUMN."


def _groups(
    frame: pd.DataFrame, groups_from: str | None, messages: list[str], hint: str = FOLDER_GROUP_HINT
) -> pd.Series:
    """Patient id from the table, else from ``--groups-from``, else each case its own group."""
    group = frame.get("patient_id", pd.Series("", index=frame.index)).fillna("").astype(str)
    if groups_from:
        group = group.where(group != "", _groups_from(frame, groups_from))
    alone = group == ""
    if alone.any():
        messages.append(
            f"{int(alone.sum())} row(s) have no patient id, so each is its own group: "
            f"rows of one patient may then fall on both sides of a split. {hint}"
        )
    return group.where(~alone, "case:" + frame["case_id"])


def _groups_from(frame: pd.DataFrame, spec: str) -> pd.Series:
    """A metadata column's values, or the first group (or ``(?P<group>...)``) of a regular
    expression searched in each image's path relative to the folder."""
    for column in (spec, f"meta_{spec}"):
        if column in frame.columns:
            return frame[column].fillna("").astype(str)
    try:
        pattern = re.compile(spec)
    except re.error as exc:
        raise ManifestError(
            f"--groups-from {spec!r} is neither a column of the notes table nor a valid "
            f"regular expression ({exc}); e.g. --groups-from '(P\\d+)_' for P017_2.jpg."
        ) from exc

    def pick(relative: str) -> str:
        m = pattern.search(relative)
        if m is None:
            return ""
        return m.group("group") if "group" in pattern.groupindex else m.group(m.re.groups and 1)

    return frame["relative"].map(pick)


def folder_manifest(
    root: Path,
    *,
    notes: Path | None = None,
    mapping: Path | None = None,
    groups_from: str | None = None,
) -> Built:
    """The manifest of an ImageFolder tree (see the module's docstring)."""
    if not root.is_dir():
        raise ManifestError(
            f"{root} is not a folder; give the folder that holds one folder per diagnosis."
        )
    labels = folder_labels(root, read_mapping(mapping) if mapping else {})
    messages = [f"{folder} -> {code}" for folder, code in labels.items()]
    images = _images(root, labels)
    messages += _empty_folders(root, labels, images)
    images["case_id"] = _case_ids(images, messages)
    if notes is not None:
        images = _join_notes(images, notes, messages)
    images["group_id"] = _groups(images, groups_from, messages)
    images["note"] = images.get("note", pd.Series("", index=images.index)).fillna("")
    images = images.rename(columns={"path": "image_path"})
    columns = [*REQUIRED_COLUMNS, *(c for c in images.columns if c not in REQUIRED_COLUMNS)]
    frame = images[columns].drop(columns=["relative"]).assign(source=root.resolve().name)
    return Built(frame.drop(columns=["patient_id"], errors="ignore"), messages)


def parse_column_map(spec: str) -> dict[str, str]:
    """``case_id=ID,label=Diagnosis`` -> manifest column -> table column."""
    pairs = [p for p in spec.split(",") if p.strip()]
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key.strip() not in MAP_COLUMNS:
            raise ManifestError(
                f"--map entry {pair!r} is not `COLUMN=TABLE_COLUMN` with COLUMN one of "
                f"{', '.join(MAP_COLUMNS)}; e.g. --map case_id=编号,label=诊断,note=病历."
            )
        out[key.strip()] = value.strip()
    if "label" not in out:
        raise ManifestError("--map needs label=TABLE_COLUMN: the column that holds the diagnosis.")
    return out


def _table_labels(values: pd.Series, mapping: dict[str, str], path: Path, column: str) -> pd.Series:
    labels = values.map(lambda v: mapping.get(v) or (label_from_name(v) if v else ""))
    unknown = labels.index[labels.isna()]
    if len(unknown):
        names = sorted(set(values[unknown]))[:MAX_LISTED]
        raise ManifestError(
            f"{path}: column {column!r} at {_lines(unknown)} holds diagnoses that name no known "
            f"class ({', '.join(names)}). Nothing was guessed: map each with a "
            "`diagnosis,label` line in a file passed as --labels (label: a taxonomy code, or - "
            "to leave those rows out)."
        )
    return labels


def _check_case_ids(ids: pd.Series, path: Path, column: str) -> None:
    bad = ids.index[(ids == "") | ids.duplicated(keep=False)]
    if len(bad):
        raise ManifestError(
            f"{path}: column {column!r} at {_lines(bad)} is empty or repeats a case id (first: "
            f"{ids[bad[0]]!r}); give each row its own id, or leave case_id out of --map to "
            "number the rows by their line."
        )


def _check_one_label(frame: pd.DataFrame, path: Path, column_map: dict[str, str]) -> None:
    """A patient (or, with a lesion column, a lesion) carries one diagnosis."""
    unit = ["group_id", "lesion_id"] if "lesion_id" in frame.columns else ["group_id"]
    labels = frame.groupby(unit)["label"].transform("nunique")
    mixed = frame.index[labels > 1]
    if len(mixed):
        what = "lesion" if len(unit) == 2 else "patient"
        raise ManifestError(
            f"{path}: {_lines(mixed)} give one {what} (column "
            f"{column_map.get(unit[-1], unit[-1])!r}) two diagnoses. Map the column that tells "
            "a patient's lesions apart with --map lesion_id=COLUMN, or correct the diagnosis."
        )


def _check_image_files(frame: pd.DataFrame, path: Path, column: str) -> None:
    given = frame["image_path"] != ""
    missing = frame.index[given & ~frame["image_path"].map(lambda p: Path(p).is_file())]
    if len(missing):
        raise ManifestError(
            f"{path}: column {column!r} at {_lines(missing)} names image files that do not "
            f"exist (first: {frame.loc[missing[0], 'image_path']}); correct the paths "
            f"(relative to {path.resolve().parent}, or absolute), or empty those cells to keep "
            "the rows as text-only."
        )


def table_manifest(
    table_path: Path, column_map: dict[str, str], label_map: Path | None = None
) -> Built:
    """An exported table (CSV or Excel) renamed onto the manifest's columns.

    Image paths are taken relative to the table's folder; rows without a group are their own
    group, and rows without an image are text-only (they train the text branch).
    """
    table = read_table(table_path)
    absent = [v for v in column_map.values() if v not in table.columns]
    if absent:
        raise ManifestError(
            f"{table_path}: the header (line 1) has no column {', '.join(map(repr, absent))} "
            f"(found: {', '.join(table.columns)}); fix --map."
        )
    messages: list[str] = []
    frame = pd.DataFrame(index=table.index)
    for column in MAP_COLUMNS:
        if column in column_map or column != "lesion_id":
            frame[column] = table[column_map[column]] if column in column_map else ""
    frame["label"] = _table_labels(
        frame["label"],
        read_mapping(label_map) if label_map else {},
        table_path,
        column_map["label"],
    )
    skipped = frame.index[frame["label"] == SKIP]
    if len(skipped):
        messages.append(f"{table_path}: {_lines(skipped)} left out (mapped to -).")
    if "case_id" not in column_map:
        frame["case_id"] = [f"row{int(i) + 2}" for i in frame.index]
    kept = frame.drop(index=skipped)
    _check_case_ids(kept["case_id"], table_path, column_map.get("case_id", ""))
    root = table_path.resolve().parent
    frame["image_path"] = frame["image_path"].map(lambda p: str((root / p).resolve()) if p else "")
    _check_image_files(frame.drop(index=skipped), table_path, column_map.get("image_path", ""))
    extra = [c for c in table.columns if c not in column_map.values()]
    frame = frame.join(table[extra].rename(columns=_metadata_names(extra)))
    patients = frame.assign(relative="", patient_id=frame["group_id"])
    frame["group_id"] = _groups(patients, None, messages, TABLE_GROUP_HINT)
    _check_one_label(frame.drop(index=skipped), table_path, column_map)
    frame["source"] = table_path.stem
    return Built(frame.drop(index=skipped), messages)
