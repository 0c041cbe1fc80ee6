"""Repository functions: save an analysis, add feedback, find and list cases.

Each write is one transaction: a case and its prediction are stored together or not at all.
The photo is written first, content-addressed, so a transaction that fails afterwards leaves
at most an orphan file that the next save of the same photo reuses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, aliased, selectinload

from skinmm.db.audit import Actor, audit_entry, cases_created_by
from skinmm.db.models import (
    CODE_LENGTH,
    MODES,
    PATIENT_REF_LENGTH,
    Case,
    Feedback,
    PredictionRecord,
    utcnow,
)
from skinmm.db.store import StorageError, Store, unreachable_message
from skinmm.prediction import Prediction
from skinmm.taxonomy import DatasetClass, class_from_dict, class_to_dict

CAM_CLASSES = 3
MIN_ID_PREFIX = 6
T = TypeVar("T")


class CaseNotFoundError(LookupError):
    """No case (or more than one) matches the given id."""


def bundle_fingerprint(card: dict[str, Any]) -> str:
    """A sha256 naming a bundle's exact files and classes (from its verified model card)."""
    identity = {"files": card.get("files", {}), "classes": card.get("classes", [])}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


@contextmanager
def _storage_errors(store: Store, action: str) -> Iterator[None]:
    try:
        yield
    except StorageError:
        raise
    except (DBAPIError, PoolTimeoutError) as exc:
        raise StorageError(f"Could not {action}. {unreachable_message(store.url, exc)}") from exc
    except OSError as exc:
        raise StorageError(
            f"Could not {action}: writing to {store.images.root} failed ({exc}). Check the "
            "disk and the permissions of SKINMM_HOME."
        ) from exc


def _transaction(store: Store, action: str, work: Callable[[Session], T]) -> T:
    with _storage_errors(store, action), store.sessions.begin() as session:
        return work(session)


def _clean_text(value: str | None, limit: int | None, what: str) -> str | None:
    value = (value or "").strip()
    if limit is not None and len(value) > limit:
        raise ValueError(f"The {what} is {len(value)} characters long; at most {limit} fit.")
    return value or None


def _floats(proba: np.ndarray | None) -> list[float] | None:
    return None if proba is None else [float(p) for p in np.asarray(proba, dtype=float)]


def prediction_record(
    prediction: Prediction,
    *,
    bundle_name: str,
    bundle_sha: str,
    cam_classes: Sequence[int] = (),
) -> PredictionRecord:
    """A new (unsaved) row for ``prediction``."""
    if prediction.mode not in MODES:
        raise ValueError(f"Unknown prediction mode {prediction.mode!r}; expected one of {MODES}.")
    return PredictionRecord(
        bundle_name=bundle_name,
        bundle_sha=bundle_sha,
        classes=[class_to_dict(c) for c in prediction.classes],
        fused=_floats(prediction.fused),
        image_proba=_floats(prediction.image),
        text_proba=_floats(prediction.text),
        carrier=list(prediction.carrier),
        mode=prediction.mode,
        rule=prediction.rule,
        top_class=prediction.top.code,
        confidence=prediction.confidence,
        branches_agree=prediction.branches_agree,
        cam_classes=[int(k) for k in cam_classes],
    )


def save_analysis(
    store: Store,
    *,
    prediction: Prediction,
    bundle_name: str,
    bundle_sha: str,
    image_bytes: bytes | None = None,
    note: str | None = None,
    patient_ref: str | None = None,
    cam_classes: Sequence[int] | None = None,
    created_at: datetime | None = None,
    actor: Actor | None = None,
) -> str:
    """Store one analysis as a new case and return the case id.

    ``actor``, when given, is recorded in the audit trail in the same transaction.

    ``cam_classes`` defaults to the top three classes when there is a photo. Raises
    :class:`StorageError` when the photo or the row cannot be written (nothing is half
    saved), ValueError for a patient reference that is too long.
    """
    patient_ref = _clean_text(patient_ref, PATIENT_REF_LENGTH, "patient reference")
    if cam_classes is None:
        cam_classes = prediction.order[:CAM_CLASSES] if image_bytes is not None else []
    record = prediction_record(
        prediction, bundle_name=bundle_name, bundle_sha=bundle_sha, cam_classes=cam_classes
    )
    sha = ext = None
    if image_bytes is not None:
        with _storage_errors(store, "save the photo"):
            sha, ext = store.images.put(image_bytes)
    when = created_at or utcnow()
    record.created_at = when
    case = Case(
        created_at=when,
        patient_ref=patient_ref,
        note=_clean_text(note, None, "note"),
        image_sha256=sha,
        image_ext=ext,
        predictions=[record],
    )

    def work(session: Session) -> str:
        session.add(case)
        session.flush()
        if actor is not None:
            session.add(audit_entry(actor, "create", case.id))
        return case.id

    return _transaction(store, "save the case", work)


def _resolve_id(session: Session, case_id: str) -> str:
    case_id = case_id.strip().lower()
    if session.get(Case, case_id) is not None:
        return case_id
    if len(case_id) < MIN_ID_PREFIX:
        raise CaseNotFoundError(
            f"No case {case_id!r}; give the full id or at least {MIN_ID_PREFIX} characters of it."
        )
    matches = session.scalars(
        select(Case.id).where(Case.id.startswith(case_id, autoescape=True)).limit(2)
    ).all()
    if len(matches) != 1:
        problem = "No case" if not matches else "More than one case"
        raise CaseNotFoundError(f"{problem} starts with {case_id!r}; give more of the id.")
    return matches[0]


def get_case(store: Store, case_id: str) -> Case:
    """The case with this id (or unique id prefix), its predictions and feedback loaded."""

    def work(session: Session) -> Case:
        found = _resolve_id(session, case_id)
        return session.scalars(
            select(Case)
            .where(Case.id == found)
            .options(selectinload(Case.predictions), selectinload(Case.feedback))
        ).one()

    return _transaction(store, "read the case", work)


def add_feedback(
    store: Store,
    case_id: str,
    *,
    diagnosis: str | None = None,
    pathology: str | None = None,
    comment: str | None = None,
    author: str | None = None,
    created_at: datetime | None = None,
    actor: Actor | None = None,
) -> str:
    """Record a clinician's diagnosis and/or pathology result (class codes) and comment.

    Codes must be classes of the case's prediction, so the live metrics can use them; say
    anything else in ``comment``. Returns the feedback id.
    """
    diagnosis = _clean_text(diagnosis, CODE_LENGTH, "diagnosis code")
    pathology = _clean_text(pathology, CODE_LENGTH, "pathology code")
    comment = _clean_text(comment, None, "comment")
    author = _clean_text(author, PATIENT_REF_LENGTH, "author")
    if diagnosis is None and pathology is None and comment is None:
        raise ValueError("Give a diagnosis, a pathology result or a comment.")

    def work(session: Session) -> str:
        case = session.get(Case, _resolve_id(session, case_id))
        assert case is not None
        known = {c["code"] for p in case.predictions for c in p.classes}
        for what, code in (("diagnosis", diagnosis), ("pathology result", pathology)):
            if code is not None and known and code not in known:
                raise ValueError(
                    f"The {what} {code!r} is not one of this case's classes "
                    f"({', '.join(sorted(known))}); put other diagnoses in the comment."
                )
        feedback = Feedback(
            diagnosis=diagnosis,
            pathology=pathology,
            comment=comment,
            author=author,
            created_at=created_at or utcnow(),
        )
        case.feedback.append(feedback)
        session.flush()
        if actor is not None:
            session.add(audit_entry(actor, "feedback", case.id))
        return feedback.id

    return _transaction(store, "save the feedback", work)


def stored_classes(record: PredictionRecord) -> tuple[DatasetClass, ...]:
    return tuple(class_from_dict(c) for c in record.classes)


def to_prediction(record: PredictionRecord) -> Prediction:
    """The stored differential as a :class:`Prediction`, as the bundle made it."""

    def array(values: list[Any] | None) -> np.ndarray | None:
        return None if values is None else np.asarray(values, dtype=float)

    fused = array(record.fused)
    assert fused is not None
    return Prediction(
        classes=stored_classes(record),
        fused=fused,
        image=array(record.image_proba),
        text=array(record.text_proba),
        carrier=tuple(record.carrier),
        mode=record.mode,
        rule=record.rule,
    )


@dataclass(frozen=True)
class CaseFilter:
    """What the History list shows; every field narrows it, ``None`` means any."""

    text: str = ""
    since: date | None = None
    until: date | None = None
    predicted: str | None = None
    confirmed: str | None = None
    has_pathology: bool | None = None
    agreement: bool | None = None
    # Only the cases this user saved (a clinician's own History); ``None``: everyone's.
    created_by: str | None = None


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: the case with its latest prediction and feedback."""

    id: str
    created_at: datetime
    patient_ref: str | None
    note: str | None
    has_image: bool
    bundle_name: str | None
    top_class: str | None
    confidence: float | None
    branches_agree: bool | None
    mode: str | None
    diagnosis: str | None
    pathology: str | None


def _latest(model: type[PredictionRecord] | type[Feedback]) -> Any:
    inner = aliased(model)
    return (
        select(inner.id)
        .where(inner.case_id == Case.id)
        .order_by(inner.created_at.desc(), inner.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _case_query(where: CaseFilter) -> Select[Any]:
    pred = aliased(PredictionRecord)
    fb = aliased(Feedback)
    query = (
        select(Case, pred, fb)
        .select_from(Case)
        .outerjoin(pred, pred.id == _latest(PredictionRecord))
        .outerjoin(fb, fb.id == _latest(Feedback))
    )
    conditions = []
    if where.text.strip():
        pattern = f"%{where.text.strip().lower()}%"
        conditions.append(
            or_(
                func.lower(Case.patient_ref).like(pattern),
                func.lower(Case.note).like(pattern),
                Case.id.like(pattern),
            )
        )
    if where.since is not None:
        conditions.append(Case.created_at >= _day_start(where.since))
    if where.until is not None:
        conditions.append(Case.created_at < _day_start(where.until + timedelta(days=1)))
    if where.predicted:
        conditions.append(pred.top_class == where.predicted)
    if where.confirmed:
        conditions.append(
            or_(
                fb.pathology == where.confirmed,
                and_(fb.pathology.is_(None), fb.diagnosis == where.confirmed),
            )
        )
    if where.has_pathology is not None:
        has = fb.pathology.is_not(None)
        conditions.append(has if where.has_pathology else or_(fb.id.is_(None), ~has))
    if where.agreement is not None:
        conditions.append(pred.branches_agree.is_(where.agreement))
    if where.created_by is not None:
        conditions.append(Case.id.in_(cases_created_by(where.created_by)))
    return query.where(*conditions)


def list_cases(
    store: Store, where: CaseFilter | None = None, *, limit: int = 200, offset: int = 0
) -> list[CaseRow]:
    """Cases matching ``where``, newest first."""
    query = (
        _case_query(where or CaseFilter())
        .order_by(Case.created_at.desc(), Case.id)
        .limit(limit)
        .offset(offset)
    )

    def work(session: Session) -> list[CaseRow]:
        return [
            CaseRow(
                id=case.id,
                created_at=case.created_at,
                patient_ref=case.patient_ref,
                note=case.note,
                has_image=case.image_sha256 is not None,
                bundle_name=None if pred is None else pred.bundle_name,
                top_class=None if pred is None else pred.top_class,
                confidence=None if pred is None else pred.confidence,
                branches_agree=None if pred is None else pred.branches_agree,
                mode=None if pred is None else pred.mode,
                diagnosis=None if fb is None else fb.diagnosis,
                pathology=None if fb is None else fb.pathology,
            )
            for case, pred, fb in session.execute(query).all()
        ]

    return _transaction(store, "list the cases", work)


def count_cases(store: Store, where: CaseFilter | None = None) -> int:
    query = select(func.count()).select_from(_case_query(where or CaseFilter()).subquery())
    return _transaction(store, "count the cases", lambda s: int(s.execute(query).scalar_one()))


def confirmed_cases(store: Store) -> list[tuple[PredictionRecord, str]]:
    """Each case's latest prediction with its latest pathology result, where it has one."""
    pred = aliased(PredictionRecord)
    fb = aliased(Feedback)
    query = (
        select(pred, fb.pathology)
        .select_from(pred)
        .join(Case, Case.id == pred.case_id)
        .join(fb, fb.case_id == Case.id)
        .where(pred.id == _latest(PredictionRecord), fb.id == _latest(Feedback))
        .where(fb.pathology.is_not(None))
        .order_by(Case.created_at)
    )

    def work(session: Session) -> list[tuple[PredictionRecord, str]]:
        return [(record, str(code)) for record, code in session.execute(query).all()]

    return _transaction(store, "read the confirmed cases", work)


def known_classes(store: Store) -> list[DatasetClass]:
    """Every class that some stored prediction uses, in first-seen order, once per code."""
    first = (
        select(func.min(PredictionRecord.id))
        .group_by(PredictionRecord.bundle_sha)
        .scalar_subquery()
    )

    def work(session: Session) -> list[DatasetClass]:
        out: dict[str, DatasetClass] = {}
        for classes in session.scalars(
            select(PredictionRecord.classes).where(PredictionRecord.id.in_(first))
        ):
            for c in classes:
                out.setdefault(c["code"], class_from_dict(c))
        return list(out.values())

    return _transaction(store, "read the classes", work)


def table_counts(store: Store) -> dict[str, int]:
    """Rows per table: what an export or import checks against."""

    def work(session: Session) -> dict[str, int]:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("cases", Case),
                ("predictions", PredictionRecord),
                ("feedback", Feedback),
            )
        }

    return _transaction(store, "count the rows", work)
