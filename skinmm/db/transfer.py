"""Move cases between installations: ``skinmm db export`` and ``skinmm db import``.

An export is one zip file::

    manifest.json   format, version, schema revision, time, and how many of each row/photo
    cases.jsonl     one case per line, its predictions, feedback and photos nested in it
    images/         the photos, named <sha256>.<ext>

A case's ``follows_case_id`` (the earlier visit it follows) travels with it; an import
refuses a link to a case that is neither in the file before it nor in the database.

An import trusts nothing in the file. Before anything is written it checks the zip directory
(names, sizes, count; :mod:`skinmm.db.archive`), the manifest, every row against the schema
(:mod:`skinmm.db.rows`) and every photo against its hash and type. Then, in one transaction,
it adds every row whose id is not there yet, copies the photos in (their file names come from
the checked hash and type only) and checks that all the file's rows are present before
committing. Importing the same file twice adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, selectinload

from skinmm.db import rows
from skinmm.db.archive import (
    CASES,
    CHUNK,
    IMAGES,
    MANIFEST,
    ImportLimits,
    Members,
    TransferError,
    iter_member_lines,
    open_members,
    open_photo,
    open_zip,
    read_member,
    zip_errors,
)
from skinmm.db.models import (
    CODE_LENGTH,
    PATIENT_REF_LENGTH,
    Base,
    Case,
    CasePhoto,
    Feedback,
    PredictionRecord,
)
from skinmm.db.repository import _storage_errors
from skinmm.db.rows import OTHER, OTHER_LENGTH, RowError
from skinmm.db.store import Store, image_extension
from skinmm.taxonomy import TAXONOMY

FORMAT = "skinmm-cases"
VERSION = 1
BATCH = 500
TABLES = ("cases", "predictions", "feedback", "case_photos")
MODELS: dict[str, type[Base]] = {
    "cases": Case,
    "predictions": PredictionRecord,
    "feedback": Feedback,
    "case_photos": CasePhoto,
}
# Nested in a case's line under these names (the table name for the others).
NESTED = {"predictions": "predictions", "feedback": "feedback", "case_photos": "photos"}
LIMITS = ImportLimits()
__all__ = ["ImportLimits", "TransferError", "TransferSummary", "export_cases", "import_cases"]


@dataclass(frozen=True)
class TransferSummary:
    """What an export wrote or an import found and added, per table (and photos)."""

    cases: int
    predictions: int
    feedback: int
    images: int
    added_cases: int = 0
    added_predictions: int = 0
    added_feedback: int = 0
    added_images: int = 0
    # Every photo of a multi-photo case (0006); 0 in files written before.
    case_photos: int = 0
    added_case_photos: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def _columns(model: type[Base]) -> list[str]:
    return [column.key for column in inspect(model).column_attrs]


def _row(obj: Base, skip: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _columns(type(obj)):
        if key == skip:
            continue
        value = getattr(obj, key)
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _case_line(case: Case) -> dict[str, Any]:
    line = _row(case)
    line["predictions"] = [_row(p, skip="case_id") for p in case.predictions]
    line["feedback"] = [_row(f, skip="case_id") for f in case.feedback]
    line["photos"] = [_row(p, skip="case_id") for p in case.photos]
    return line


def _snapshot_options(store: Store) -> dict[str, str]:
    # One consistent view for the rows and the counts they are checked against (SQLite's
    # BEGIN IMMEDIATE already gives one).
    if store.engine.dialect.name == "postgresql":
        return {"isolation_level": "REPEATABLE READ"}
    return {}


def _all_cases(session: Session) -> Iterator[Case]:
    ids = session.scalars(select(Case.id).order_by(Case.created_at, Case.id)).all()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        cases = session.scalars(
            select(Case)
            .where(Case.id.in_(chunk))
            .options(
                selectinload(Case.predictions),
                selectinload(Case.feedback),
                selectinload(Case.photos),
            )
            .order_by(Case.created_at, Case.id)
        ).all()
        yield from cases
        session.expunge_all()


def export_cases(store: Store, out: Path, *, allow_missing_images: bool = False) -> TransferSummary:
    """Write every case to the zip file ``out`` and check the counts against the database."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=".export-", suffix=".zip")
    os.close(handle)
    try:
        with _storage_errors(store, "export the cases"):
            summary = _write_export(store, Path(temporary), allow_missing_images)
        os.replace(temporary, out)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return summary


def _write_export(store: Store, path: Path, allow_missing_images: bool) -> TransferSummary:
    counts = dict.fromkeys(TABLES, 0)
    images: set[tuple[str, str]] = set()
    missing: list[str] = []
    with (
        store.engine.connect().execution_options(**_snapshot_options(store)) as connection,
        Session(bind=connection, expire_on_commit=False) as session,
        session.begin(),
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        with archive.open(CASES, "w") as lines:
            for case in _all_cases(session):
                line = _case_line(case)
                lines.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
                counts["cases"] += 1
                counts["predictions"] += len(line["predictions"])
                counts["feedback"] += len(line["feedback"])
                counts["case_photos"] += len(line["photos"])
                if case.image_sha256 and case.image_ext:
                    images.add((case.image_sha256, case.image_ext))
                images.update((p.image_sha256, p.image_ext) for p in case.photos)
        # A zip takes one open member at a time: the photos go in after the lines.
        for sha, ext in sorted(images):
            source = _photo_path(store, sha, ext)
            if source.is_file():
                archive.write(source, f"{IMAGES}{sha}.{ext}", zipfile.ZIP_STORED)
            else:
                missing.append(f"{sha}.{ext}")
        in_database = _counts_in(session)
        if in_database != counts:
            raise TransferError(
                f"Export count check failed: wrote {counts}, the database holds "
                f"{in_database}. Nothing was exported; try again."
            )
        if missing and not allow_missing_images:
            raise TransferError(
                f"{len(missing)} photo(s) are missing from {store.images.root} (e.g. "
                f"{missing[0]}). Copy the images folder of SKINMM_HOME here, or export "
                "without them (--allow-missing-images)."
            )
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "schema_revision": MigrationContext.configure(connection).get_current_revision(),
            "exported_at": datetime.now(UTC).isoformat(),
            "counts": {**counts, "images": len(images) - len(missing)},
            "missing_images": sorted(missing),
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
    return TransferSummary(**counts, images=len(images) - len(missing))


def _photo_path(store: Store, sha: str, ext: str) -> Path:
    try:
        return store.images.path(sha, ext)
    except ValueError as exc:
        raise TransferError(
            f"A case in the database names its photo {sha!r}.{ext!r}, which is not a photo "
            f"hash and type ({exc}). Nothing was exported; remove or repair that case."
        ) from None


def _counts_in(session: Session) -> dict[str, int]:
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in MODELS.items()
    }


# --- Import ---------------------------------------------------------------------------------


@dataclass
class _Line:
    """One case of the file, every value checked and ready for the models."""

    case: dict[str, Any]
    predictions: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    photos: list[dict[str, Any]]


@dataclass
class _Checked:
    manifest: dict[str, Any]
    lines: list[_Line]
    members: Members


def _fields(row: object, model: type[Base], what: str, skip: str | None = None) -> dict:
    if not isinstance(row, dict):
        raise RowError(f"{what} must be a JSON object")
    expected = set(_columns(model)) - {skip}
    unknown = set(row) - expected
    if unknown:
        raise RowError(
            f"{what} has fields this SkinMM does not know ({', '.join(sorted(unknown))}); "
            "upgrade SkinMM if the file comes from a newer one"
        )
    nullable = {c.key for c in model.__table__.columns if c.nullable}
    missing = expected - set(row) - nullable
    if missing:
        raise RowError(f"{what} lacks {', '.join(sorted(missing))}")
    return {key: row.get(key) for key in expected}


def _case_values(row: object) -> dict[str, Any]:
    values = _fields(row, Case, "the case")
    values["id"] = rows.check_id(values["id"], "id")
    values["created_at"] = rows.check_time(values["created_at"], "created_at")
    values["patient_ref"] = rows.check_text(
        values["patient_ref"], "patient_ref", PATIENT_REF_LENGTH
    )
    values["note"] = rows.check_text(values["note"], "note", rows.NOTE_LENGTH)
    values["impression"] = rows.check_text(
        values.get("impression"), "impression", rows.IMPRESSION_LENGTH
    )
    values["note_reading"] = rows.check_note_reading(values.get("note_reading"), "note_reading")
    if values.get("follows_case_id") is not None:
        values["follows_case_id"] = rows.check_id(values["follows_case_id"], "follows_case_id")
    sha, ext = values["image_sha256"], values["image_ext"]
    if (sha is None) != (ext is None):
        raise RowError("image_sha256 and image_ext must both be set or both be null")
    if sha is not None:
        values["image_sha256"] = rows.check_sha256(sha, "image_sha256")
        values["image_ext"] = rows.check_extension(ext, "image_ext")
    return values


def _prediction_values(row: object, k: int) -> dict[str, Any]:
    what = f"prediction {k + 1}"
    values = _fields(row, PredictionRecord, what, skip="case_id")
    try:
        prediction = rows.prediction_from_values(
            classes=values["classes"],
            fused=values["fused"],
            image=values["image_proba"],
            text=values["text_proba"],
            carrier=values["carrier"],
            mode=values["mode"],
            rule=values["rule"],
            scope=(values["scope_verdict"], values["scope_scores"], values["scope_reasons"]),
            prediction_set=(values["set_level"], values["set_classes"]),
        )
        values["scope_shown_anyway"] = rows.check_shown_anyway(
            values["scope_shown_anyway"], values["scope_verdict"]
        )
    except RowError as exc:
        raise RowError(f"{what}: {exc}") from None
    if prediction.scope is not None:  # stored as checked: finite numbers, known verdict
        values["scope_scores"] = prediction.scope.scores
        values["scope_reasons"] = list(prediction.scope.reasons)
    codes = [c.code for c in prediction.classes]
    values["id"] = rows.check_id(values["id"], f"{what} id")
    values["created_at"] = rows.check_time(values["created_at"], f"{what} created_at")
    values["bundle_name"] = rows.check_text(
        values["bundle_name"], f"{what} bundle_name", rows.BUNDLE_NAME_LENGTH, required=True
    )
    values["bundle_sha"] = rows.check_sha256(values["bundle_sha"], f"{what} bundle_sha")
    if values["top_class"] not in codes:
        raise RowError(f"{what} top_class must be one of its classes ({', '.join(codes)})")
    values["confidence"] = rows.check_probability(values["confidence"], f"{what} confidence")
    values["branches_agree"] = rows.check_bool(
        values["branches_agree"], f"{what} branches_agree", nullable=True
    )
    values["cam_classes"] = rows.check_cam_classes(values["cam_classes"], len(codes))
    return values


def _photo_values(row: object, k: int, n_classes: int | None) -> dict[str, Any]:
    what = f"photo {k + 1}"
    values = _fields(row, CasePhoto, what, skip="case_id")
    values["id"] = rows.check_id(values["id"], f"{what} id")
    if values["position"] != k:
        raise RowError(f"{what} position must be {k} (photos in order, from 0)")
    values["image_sha256"] = rows.check_sha256(values["image_sha256"], f"{what} image_sha256")
    values["image_ext"] = rows.check_extension(values["image_ext"], f"{what} image_ext")
    if values["image_proba"] is not None:
        if n_classes is None:
            raise RowError(f"{what} has probabilities but its case has no prediction")
        values["image_proba"] = rows.check_probabilities(
            values["image_proba"], n_classes, f"{what} image_proba"
        )
    values["cam_classes"] = rows.check_cam_classes(values["cam_classes"] or [], n_classes or 0)
    return values


def _feedback_values(row: object, k: int, codes: set[str]) -> dict[str, Any]:
    what = f"feedback {k + 1}"
    values = _fields(row, Feedback, what, skip="case_id")
    values["id"] = rows.check_id(values["id"], f"{what} id")
    values["created_at"] = rows.check_time(values["created_at"], f"{what} created_at")
    for field in ("diagnosis", "pathology"):
        code = rows.check_text(values[field], f"{what} {field}", CODE_LENGTH)
        if code is not None and code not in codes:
            raise RowError(
                f"{what} {field} {code!r} is neither a class of the case nor a taxonomy code"
            )
        other = rows.check_text(values[f"{field}_other"], f"{what} {field}_other", OTHER_LENGTH)
        if (code == OTHER) != (other is not None):
            raise RowError(f"{what} {field}_other must be given exactly when {field} is {OTHER!r}")
    values["comment"] = rows.check_text(values["comment"], f"{what} comment", rows.COMMENT_LENGTH)
    values["author"] = rows.check_text(values["author"], f"{what} author", PATIENT_REF_LENGTH)
    return values


def _line_values(row: object) -> _Line:
    if not isinstance(row, dict):
        raise RowError("a line must be a JSON object (one case)")
    predictions_raw, feedback_raw = row.get("predictions", []), row.get("feedback", [])
    photos_raw = row.get("photos", [])
    if not isinstance(predictions_raw, list) or not isinstance(feedback_raw, list):
        raise RowError("predictions and feedback must be lists")
    if not isinstance(photos_raw, list):
        raise RowError("photos must be a list")
    case = _case_values({k: v for k, v in row.items() if k not in NESTED.values()})
    predictions = [_prediction_values(p, k) for k, p in enumerate(predictions_raw)]
    codes = {c["code"] for p in predictions for c in p["classes"]} | set(TAXONOMY) | {OTHER}
    feedback = [_feedback_values(f, k, codes) for k, f in enumerate(feedback_raw)]
    n_classes = len(predictions[-1]["classes"]) if predictions else None
    photos = [_photo_values(p, k, n_classes) for k, p in enumerate(photos_raw)]
    return _Line(case, predictions, feedback, photos)


def _read_lines(
    path: Path, archive: zipfile.ZipFile, members: Members, limits: ImportLimits
) -> list[_Line]:
    lines: list[_Line] = []
    for number, raw in iter_member_lines(archive, members.cases, limits.line_bytes):
        try:
            lines.append(_line_values(json.loads(raw)))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise TransferError(
                f"{path}: line {number} of {CASES} is not valid JSON ({type(exc).__name__}). "
                "Nothing was imported; export the cases again."
            ) from None
        except RowError as exc:
            raise TransferError(
                f"{path}: line {number} of {CASES} is refused: {exc}. Nothing was imported; "
                "the file was altered or made by something other than `skinmm db export`."
            ) from None
    return lines


def _read_manifest(path: Path, archive: zipfile.ZipFile, members: Members) -> dict[str, Any]:
    try:
        manifest = json.loads(read_member(archive, members.manifest))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise TransferError(
            f"{path}: {MANIFEST} is not valid JSON ({exc}); export again."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise TransferError(f"{path} is not a SkinMM case export (its {MANIFEST} says otherwise).")
    version = manifest.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise TransferError(
            f"{path} was written by a newer SkinMM (format {version}); upgrade SkinMM to import it."
        )
    if version != VERSION:
        raise TransferError(f"{path} has an unknown format version {version!r}; export it again.")
    counts = manifest.get("counts")
    if isinstance(counts, dict):
        counts.setdefault("case_photos", 0)  # a file written before photo rows existed
    if (
        not isinstance(counts, dict)
        or set(counts) != {*TABLES, "images"}
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in counts.values())
    ):
        raise TransferError(f"{path}: {MANIFEST} has no valid counts; export it again.")
    missing = manifest.get("missing_images", [])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        raise TransferError(f"{path}: {MANIFEST} has an invalid missing_images list.")
    return manifest


def _check_unique(path: Path, lines: list[_Line]) -> None:
    for name, ids in _ids(lines).items():
        repeated = [i for i, n in Counter(ids).items() if n > 1]
        if repeated:
            raise TransferError(
                f"{path} holds {name} id {sorted(repeated)[0]} more than once; it was altered. "
                "Nothing was imported; export the cases again."
            )


def _check_links(path: Path, lines: list[_Line]) -> None:
    """A follow-up link names a case earlier in the file (an export writes the oldest first)
    or, checked again against the database when the rows are added, one already there."""
    in_file = {line.case["id"] for line in lines}
    seen: set[str] = set()
    for line in lines:
        earlier = line.case.get("follows_case_id")
        if earlier is not None and earlier in in_file and earlier not in seen:
            raise TransferError(
                f"{path}: case {line.case['id']} follows case {earlier}, which is not before "
                "it in the file; it was altered. Nothing was imported; export the cases again."
            )
        seen.add(line.case["id"])


def _check_link_targets(session: Session, path: Path, lines: list[_Line]) -> None:
    in_file = {line.case["id"] for line in lines}
    wanted = {line.case["follows_case_id"] for line in lines} - {None} - in_file
    missing = wanted - _existing(session, Case, wanted)
    if missing:
        raise TransferError(
            f"{path}: a case follows case {sorted(missing)[0]}, which is neither in the file "
            "nor in this database. Nothing was imported; export the cases again."
        )


def _check_counts(path: Path, checked: _Checked) -> TransferSummary:
    found = {
        "cases": len(checked.lines),
        "predictions": sum(len(line.predictions) for line in checked.lines),
        "feedback": sum(len(line.feedback) for line in checked.lines),
        "case_photos": sum(len(line.photos) for line in checked.lines),
        "images": len(checked.members.photos),
    }
    if found != checked.manifest["counts"]:
        raise TransferError(
            f"{path} is incomplete: its manifest promises {checked.manifest['counts']}, "
            f"it holds {found}. Export it again."
        )
    return TransferSummary(**found)


def _check_photo_references(path: Path, checked: _Checked) -> None:
    used = {
        (line.case["image_sha256"], line.case["image_ext"])
        for line in checked.lines
        if line.case["image_sha256"] is not None
    } | {(p["image_sha256"], p["image_ext"]) for line in checked.lines for p in line.photos}
    present = set(checked.members.photos)
    listed = set(checked.manifest.get("missing_images", []))
    unused = present - used
    if unused:
        sha, ext = sorted(unused)[0]
        raise TransferError(
            f"{path} holds the photo {sha}.{ext}, which no case uses; export again."
        )
    absent = sorted(f"{sha}.{ext}" for sha, ext in used - present if f"{sha}.{ext}" not in listed)
    if absent:
        raise TransferError(
            f"{path} lacks the photo {absent[0]} that a case uses, and its manifest does not "
            "list it as missing. Export it again."
        )


def _verify_photos(path: Path, archive: zipfile.ZipFile, members: Members) -> None:
    """Hash every photo, a chunk at a time, and check its content type against its name."""
    for (sha, ext), info in members.photos.items():
        digest = hashlib.sha256()
        with open_photo(archive, info) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        with open_photo(archive, info) as stream:
            kind = image_extension(stream)
        if digest.hexdigest() != sha or kind != ext:
            raise TransferError(
                f"{path}: the photo {info.filename} does not match its hash or type; it was "
                "altered. Nothing was imported; export the cases again."
            )


def _check(
    path: Path, archive: zipfile.ZipFile, limits: ImportLimits
) -> tuple[_Checked, TransferSummary]:
    """Everything an import can check before writing: directory, manifest, rows, photos."""
    members = open_members(path, archive, limits)
    manifest = _read_manifest(path, archive, members)
    checked = _Checked(manifest, _read_lines(path, archive, members, limits), members)
    _check_unique(path, checked.lines)
    _check_links(path, checked.lines)
    found = _check_counts(path, checked)
    _check_photo_references(path, checked)
    _verify_photos(path, archive, members)
    return checked, found


def import_cases(store: Store, path: Path, limits: ImportLimits = LIMITS) -> TransferSummary:
    """Add the cases of an export file that are not here yet; all or nothing.

    Every row and photo is checked before anything is written (:class:`TransferError`
    names the first problem); then the rows are added and the photos copied in one
    transaction, which rolls back if any step fails.
    """
    path = Path(path)
    if not path.is_file():
        raise TransferError(f"No export file at {path}; make one with `skinmm db export`.")
    with open_zip(path) as archive, zip_errors(path):
        checked, found = _check(path, archive, limits)
        with _storage_errors(store, "import the cases"), store.sessions.begin() as session:
            _check_link_targets(session, path, checked.lines)
            added = _add_rows(session, checked.lines)
            _check_present(session, path, checked.lines)
            added_images = _write_photos(store, path, archive, checked.members)
    return TransferSummary(
        **{k: v for k, v in found.to_dict().items() if not k.startswith("added_")},
        added_cases=added["cases"],
        added_predictions=added["predictions"],
        added_feedback=added["feedback"],
        added_images=added_images,
        added_case_photos=added["case_photos"],
    )


def _write_photos(store: Store, path: Path, archive: zipfile.ZipFile, members: Members) -> int:
    added = 0
    for (sha, ext), info in members.photos.items():
        existed = store.images.path(sha, ext).is_file()
        with open_photo(archive, info) as stream:
            written = store.images.put_stream(stream)
        if written != (sha, ext):
            raise TransferError(f"{path}: the photo {info.filename} changed while importing.")
        added += not existed
    return added


def _ids(lines: list[_Line]) -> dict[str, list[str]]:
    return {
        "cases": [line.case["id"] for line in lines],
        "predictions": [p["id"] for line in lines for p in line.predictions],
        "feedback": [f["id"] for line in lines for f in line.feedback],
        "case_photos": [p["id"] for line in lines for p in line.photos],
    }


def _existing(session: Session, model: type[Base], ids: Iterable[str]) -> set[str]:
    ids = list(ids)
    column = model.__table__.c.id
    found: set[str] = set()
    for start in range(0, len(ids), BATCH):
        found.update(session.scalars(select(column).where(column.in_(ids[start : start + BATCH]))))
    return found


def _add_rows(session: Session, lines: list[_Line]) -> dict[str, int]:
    ids = _ids(lines)
    present = {name: _existing(session, MODELS[name], ids[name]) for name in TABLES}
    added = dict.fromkeys(TABLES, 0)
    for line in lines:
        case_id = line.case["id"]
        if case_id not in present["cases"]:
            session.add(Case(**line.case))
            added["cases"] += 1
        nested = (
            ("predictions", line.predictions),
            ("feedback", line.feedback),
            ("case_photos", line.photos),
        )
        for name, values in nested:
            for row in values:
                if row["id"] not in present[name]:
                    session.add(MODELS[name](**row, case_id=case_id))
                    added[name] += 1
        session.flush()
    return added


def _check_present(session: Session, path: Path, lines: list[_Line]) -> None:
    ids = _ids(lines)
    for name in TABLES:
        have = len(_existing(session, MODELS[name], ids[name]))
        if have != len(set(ids[name])):
            raise TransferError(
                f"Import count check failed for {name}: {len(set(ids[name]))} in {path}, "
                f"{have} in the database after the import. Nothing was imported."
            )
