"""Move cases between installations: ``skinmm db export`` and ``skinmm db import``.

An export is one zip file::

    manifest.json   format, version, schema revision, time, and how many of each row/photo
    cases.jsonl     one case per line, its predictions and feedback nested in it
    images/         the photos, named <sha256>.<ext>

Import checks the file against its own manifest and every photo against its hash, writes the
photos, then adds every row whose id is not there yet in one transaction and checks that all
the file's rows are present before committing. Importing the same file twice adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, selectinload

from skinmm.db.models import Base, Case, Feedback, PredictionRecord
from skinmm.db.repository import _storage_errors
from skinmm.db.store import Store

FORMAT = "skinmm-cases"
VERSION = 1
MANIFEST = "manifest.json"
CASES = "cases.jsonl"
IMAGES = "images/"
BATCH = 500
TABLES = ("cases", "predictions", "feedback")


class TransferError(ValueError):
    """An export or import that cannot be done as asked; the message says why."""


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
            .options(selectinload(Case.predictions), selectinload(Case.feedback))
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
                if case.image_sha256 and case.image_ext:
                    images.add((case.image_sha256, case.image_ext))
        # A zip takes one open member at a time: the photos go in after the lines.
        for sha, ext in sorted(images):
            source = store.images.path(sha, ext)
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


def _counts_in(session: Session) -> dict[str, int]:
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in zip(TABLES, (Case, PredictionRecord, Feedback), strict=True)
    }


@dataclass
class _Archive:
    manifest: dict[str, Any]
    lines: list[dict[str, Any]]
    images: dict[str, bytes]


def _read_archive(path: Path) -> _Archive:
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            if manifest.get("format") != FORMAT or not isinstance(manifest.get("version"), int):
                raise TransferError(f"{path} is not a SkinMM case export.")
            if manifest["version"] > VERSION:
                raise TransferError(
                    f"{path} was written by a newer SkinMM (format {manifest['version']}); "
                    "upgrade SkinMM to import it."
                )
            lines = [json.loads(line) for line in archive.read(CASES).splitlines() if line]
            images = {
                name.removeprefix(IMAGES): archive.read(name)
                for name in archive.namelist()
                if name.startswith(IMAGES) and not name.endswith("/")
            }
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TransferError(f"{path} is not a readable SkinMM case export ({exc}).") from exc
    return _Archive(manifest, lines, images)


def _check_archive(path: Path, archive: _Archive) -> TransferSummary:
    found = {
        "cases": len(archive.lines),
        "predictions": sum(len(line.get("predictions", [])) for line in archive.lines),
        "feedback": sum(len(line.get("feedback", [])) for line in archive.lines),
        "images": len(archive.images),
    }
    if found != archive.manifest.get("counts"):
        raise TransferError(
            f"{path} is incomplete: its manifest promises {archive.manifest.get('counts')}, "
            f"it holds {found}. Export it again."
        )
    for name, data in archive.images.items():
        if hashlib.sha256(data).hexdigest() != name.split(".")[0]:
            raise TransferError(f"{path}: the photo {name} does not match its hash; export again.")
    return TransferSummary(**found)


def _parse(model: type[Base], row: dict[str, Any], case_id: str | None = None) -> Base:
    known = set(_columns(model))
    unknown = set(row) - known
    if unknown:
        raise TransferError(
            f"The export has fields this SkinMM does not know ({', '.join(sorted(unknown))}); "
            "upgrade SkinMM to import it."
        )
    values = dict(row)
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    if case_id is not None:
        values["case_id"] = case_id
    return model(**values)


def _existing(session: Session, model: type[Base], ids: Iterable[str]) -> set[str]:
    ids = list(ids)
    column = model.__table__.c.id  # type: ignore[attr-defined]
    found: set[str] = set()
    for start in range(0, len(ids), BATCH):
        found.update(session.scalars(select(column).where(column.in_(ids[start : start + BATCH]))))
    return found


def import_cases(store: Store, path: Path) -> TransferSummary:
    """Add the cases of an export file that are not here yet; all or nothing."""
    path = Path(path)
    if not path.is_file():
        raise TransferError(f"No export file at {path}; make one with `skinmm db export`.")
    archive = _read_archive(path)
    found = _check_archive(path, archive)
    added_images = 0
    with _storage_errors(store, "import the photos"):
        for name, data in archive.images.items():
            sha, ext = name.split(".", 1)
            if not store.images.path(sha, ext).is_file():
                added_images += 1
            if store.images.put(data) != (sha, ext):
                raise TransferError(f"{path}: the photo {name} is not what its name says.")
    with _storage_errors(store, "import the cases"), store.sessions.begin() as session:
        added = _add_rows(session, archive.lines)
        _check_present(session, path, archive.lines)
    return TransferSummary(
        **{k: v for k, v in found.to_dict().items() if not k.startswith("added_")},
        added_cases=added["cases"],
        added_predictions=added["predictions"],
        added_feedback=added["feedback"],
        added_images=added_images,
    )


def _ids(lines: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        "cases": [line["id"] for line in lines],
        "predictions": [p["id"] for line in lines for p in line.get("predictions", [])],
        "feedback": [f["id"] for line in lines for f in line.get("feedback", [])],
    }


def _add_rows(session: Session, lines: list[dict[str, Any]]) -> dict[str, int]:
    ids = _ids(lines)
    models = dict(zip(TABLES, (Case, PredictionRecord, Feedback), strict=True))
    present = {name: _existing(session, models[name], ids[name]) for name in TABLES}
    added = dict.fromkeys(TABLES, 0)
    for line in lines:
        case_row = {k: v for k, v in line.items() if k not in ("predictions", "feedback")}
        if case_row["id"] not in present["cases"]:
            session.add(_parse(Case, case_row))
            added["cases"] += 1
        for name, key in (("predictions", "predictions"), ("feedback", "feedback")):
            for row in line.get(key, []):
                if row["id"] not in present[name]:
                    session.add(_parse(models[name], row, case_id=line["id"]))
                    added[name] += 1
        session.flush()
    return added


def _check_present(session: Session, path: Path, lines: list[dict[str, Any]]) -> None:
    ids = _ids(lines)
    models = dict(zip(TABLES, (Case, PredictionRecord, Feedback), strict=True))
    for name in TABLES:
        have = len(_existing(session, models[name], ids[name]))
        if have != len(set(ids[name])):
            raise TransferError(
                f"Import count check failed for {name}: {len(set(ids[name]))} in {path}, "
                f"{have} in the database after the import. Nothing was imported."
            )
