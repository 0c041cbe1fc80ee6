"""Repository functions: save an analysis, add feedback, find and list cases.

Each write is one transaction: a case and its prediction are stored together or not at all.
The photo is written first, content-addressed, so a transaction that fails afterwards leaves
at most an orphan file that the next save of the same photo reuses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Select, Text, and_, cast, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, aliased, selectinload

from skinmm.card import bundle_fingerprint as bundle_fingerprint  # its home is the card
from skinmm.db.audit import Actor, audit_entry, cases_created_by
from skinmm.db.models import (
    CODE_LENGTH,
    MODES,
    PATIENT_REF_LENGTH,
    Case,
    CasePhoto,
    Feedback,
    PredictionRecord,
    utcnow,
)
from skinmm.db.rows import (
    COMMENT_LENGTH,
    IMPRESSION_LENGTH,
    OTHER,
    OTHER_LENGTH,
    RowError,
    check_classes,
    check_note_reading,
    check_text,
    prediction_from_values,
)
from skinmm.db.store import StorageError, Store, unreachable_message
from skinmm.options import fill
from skinmm.prediction import Prediction
from skinmm.taxonomy import TAXONOMY, DatasetClass, class_to_dict

CAM_CLASSES = 3
MIN_ID_PREFIX = 6
T = TypeVar("T")


class CaseNotFoundError(LookupError):
    """No case (or more than one) matches the given id."""


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
        **_scope_columns(prediction),
        **_set_columns(prediction),
    )


def _scope_columns(prediction: Prediction) -> dict[str, Any]:
    if prediction.scope is None:
        return {}
    stored = prediction.scope.to_dict()
    return {
        "scope_verdict": stored["verdict"],
        "scope_scores": stored["scores"],
        "scope_reasons": stored["reasons"],
    }


def _set_columns(prediction: Prediction) -> dict[str, Any]:
    chosen = prediction.prediction_set
    if chosen is None:
        return {}
    return {"set_level": float(chosen.level), "set_classes": chosen.codes}


@dataclass(frozen=True)
class PhotoInput:
    """One photo of a multi-photo analysis: its bytes, the image branch's probabilities for it
    (the prediction's class order) and the classes its Grad-CAM is drawn for."""

    data: bytes
    image_proba: Sequence[float] | None = None
    cam_classes: Sequence[int] = ()


def _photo_rows(store: Store, photos: Sequence[PhotoInput], n_classes: int) -> list[CasePhoto]:
    rows = []
    for position, photo in enumerate(photos):
        proba = _floats(None if photo.image_proba is None else np.asarray(photo.image_proba))
        if proba is not None and len(proba) != n_classes:
            raise ValueError(
                f"Photo {position + 1} has {len(proba)} probabilities; the prediction has "
                f"{n_classes} classes."
            )
        with _storage_errors(store, "save the photos"):
            sha, ext = store.images.put(photo.data)
        cams = [int(k) for k in photo.cam_classes]
        rows.append(
            CasePhoto(
                position=position,
                image_sha256=sha,
                image_ext=ext,
                image_proba=proba,
                cam_classes=cams,
            )
        )
    return rows


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
    impression: str | None = None,
    note_reading: dict[str, Any] | None = None,
    photos: Sequence[PhotoInput] = (),
    follows_case_id: str | None = None,
) -> str:
    """Store one analysis as a new case and return the case id.

    ``photos``: every photo of a lesion analysed from several (the first is also the case's
    photo, ``image_bytes`` defaults to it), each stored once in the photo folder.
    ``follows_case_id``: the earlier case of the same patient and lesion this visit follows,
    checked by :func:`skinmm.db.followup.check_link` in the same transaction.

    ``note_reading`` (what was read from the note, see
    :func:`skinmm.text.facts_display.stored_reading`) and ``impression`` (the clinician's
    stated suspicion) are recorded with the case; neither is a model input.

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
    if photos and image_bytes is None:
        image_bytes = photos[0].data
    photo_rows = _photo_rows(store, photos, len(prediction.classes)) if len(photos) > 1 else []
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
        impression=check_text(impression, "impression", IMPRESSION_LENGTH),
        note_reading=check_note_reading(note_reading, "note_reading"),
        image_sha256=sha,
        image_ext=ext,
        predictions=[record],
        photos=photo_rows,
    )

    def work(session: Session) -> str:
        if follows_case_id is not None:
            from skinmm.db.followup import check_link

            case.follows_case_id = check_link(session, case, follows_case_id)
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
            .options(
                selectinload(Case.predictions),
                selectinload(Case.feedback),
                selectinload(Case.photos),
            )
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
    diagnosis_other: str | None = None,
    pathology_other: str | None = None,
    created_at: datetime | None = None,
    actor: Actor | None = None,
) -> str:
    """Record a clinician's diagnosis and/or pathology result and comment; the feedback id.

    A code is one of the case's classes, one of the 12 taxonomy codes, or ``"other"`` with
    the diagnosis in words (``diagnosis_other`` / ``pathology_other``), so every result can
    be recorded and the live metrics can tell in-scope cases from the rest.
    """
    diagnosis = _clean_text(diagnosis, CODE_LENGTH, "diagnosis code")
    pathology = _clean_text(pathology, CODE_LENGTH, "pathology code")
    diagnosis_other = _other_text(diagnosis, diagnosis_other, "diagnosis")
    pathology_other = _other_text(pathology, pathology_other, "pathology result")
    comment = _clean_text(comment, COMMENT_LENGTH, "comment")
    author = _clean_text(author, PATIENT_REF_LENGTH, "author")
    if diagnosis is None and pathology is None and comment is None:
        raise ValueError("Give a diagnosis, a pathology result or a comment.")

    def work(session: Session) -> str:
        case = session.get(Case, _resolve_id(session, case_id))
        assert case is not None
        allowed = {*feedback_codes(case), *TAXONOMY}
        for what, code in (("diagnosis", diagnosis), ("pathology result", pathology)):
            if code is not None and code not in allowed:
                raise ValueError(
                    f"The {what} {code!r} is neither one of this case's classes nor a taxonomy "
                    f'code; choose "{OTHER}" and name it in words.'
                )
        feedback = Feedback(
            diagnosis=diagnosis,
            pathology=pathology,
            diagnosis_other=diagnosis_other,
            pathology_other=pathology_other,
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


def _other_text(code: str | None, text: str | None, what: str) -> str | None:
    text = _clean_text(text, OTHER_LENGTH, f"{what} in words")
    if code == OTHER and text is None:
        raise ValueError(f'Name the {what} in words when you choose "{OTHER}".')
    if code != OTHER and text is not None:
        raise ValueError(f'Words for the {what} go with the choice "{OTHER}" only.')
    return text


def feedback_codes(case: Case) -> list[str]:
    """The codes feedback on ``case`` may use: its classes, the taxonomy, then ``other``.

    A taxonomy code that one of the classes stands for alone (``nev`` for HAM10000's
    ``nv``) is left out as a duplicate; one a class shares with others (``sk`` in ``bkl``)
    stays, as the more precise answer.
    """
    classes: dict[str, DatasetClass] = {}
    for record in case.predictions:
        try:
            classes.update((c.code, c) for c in stored_classes(record))
        except RowError:
            continue  # an unreadable prediction offers no classes; the taxonomy still does
    alone = {c.covers[0] for c in classes.values() if len(c.covers) == 1}
    taxonomy = [code for code in TAXONOMY if code not in classes and code not in alone]
    return [*classes, *taxonomy, OTHER]


def stored_classes(record: PredictionRecord) -> tuple[DatasetClass, ...]:
    """The classes a stored prediction was made over; :class:`RowError` if unreadable."""
    return check_classes(record.classes)


def to_prediction(record: PredictionRecord) -> Prediction:
    """The stored differential as a :class:`Prediction`, as the bundle made it.

    Raises :class:`RowError` (a ValueError naming the field) for a row that breaks the
    schema, e.g. one written into the database by hand, so a page can mark it unreadable.
    """
    return prediction_from_values(
        classes=record.classes,
        fused=record.fused,
        image=record.image_proba,
        text=record.text_proba,
        carrier=record.carrier,
        mode=record.mode,
        rule=record.rule,
        scope=(record.scope_verdict, record.scope_scores, record.scope_reasons),
        prediction_set=(record.set_level, record.set_classes),
    )


def mark_shown_anyway(store: Store, case_id: str, *, actor: Actor | None = None) -> None:
    """Record that the clinician asked to see the differential of an out-of-scope image.

    Marks the case's latest prediction, so History and the report say so; ValueError when
    that prediction has no out-of-scope verdict (nothing was hidden to be shown).
    """

    def work(session: Session) -> None:
        case = session.get(Case, _resolve_id(session, case_id))
        assert case is not None
        record = case.latest_prediction
        if record is None or record.scope_verdict in (None, "in_scope"):
            raise ValueError("This case's image was not outside the model's scope.")
        if record.scope_shown_anyway:
            return
        record.scope_shown_anyway = True
        if actor is not None:
            session.add(audit_entry(actor, "change", case.id, "differential shown out of scope"))

    _transaction(store, "mark the case", work)


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
    """One line of the case list: the case with its latest prediction and feedback.

    ``readable`` is False when the latest prediction breaks the schema (see
    :func:`to_prediction`): the list still shows the case, marked, instead of failing.
    """

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
    diagnosis_other: str | None = None
    pathology_other: str | None = None
    readable: bool = True
    # The input-scope verdict and whether an out-of-scope differential was shown on request.
    scope_verdict: str | None = None
    scope_shown_anyway: bool | None = None


# The prediction's JSON columns, read as text and parsed here, so one malformed value (only
# possible in a database edited by hand) marks its case instead of failing the whole query.
PREDICTION_JSON = ("classes", "fused", "image_proba", "text_proba", "carrier")


def _json_text(record: Any, name: str) -> Any:
    return cast(getattr(record, name), Text).label(name)


def _parsed(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _prediction_from_json(row: Any) -> Prediction:
    """The prediction of a row with :data:`PREDICTION_JSON` as text; RowError if unreadable."""
    try:
        values = {name: _parsed(getattr(row, name)) for name in PREDICTION_JSON}
    except (ValueError, RecursionError) as exc:
        raise RowError(f"a stored value is not valid JSON ({type(exc).__name__})") from None
    return prediction_from_values(
        classes=values["classes"],
        fused=values["fused"],
        image=values["image_proba"],
        text=values["text_proba"],
        carrier=values["carrier"],
        mode=row.mode,
        rule=row.rule,
    )


def _readable(row: Any) -> bool:
    if row.prediction_id is None:
        return True
    try:
        _prediction_from_json(row)
    except RowError:
        return False
    return True


def _latest(model: type[PredictionRecord] | type[Feedback]) -> Any:
    # aliased() of a union of two mapped classes is typed as their common base.
    inner: Any = aliased(model)
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


def _case_query(where: CaseFilter) -> Select[*tuple[Any, ...]]:
    pred = aliased(PredictionRecord)
    fb = aliased(Feedback)
    query = (
        select(
            Case.id,
            Case.created_at,
            Case.patient_ref,
            Case.note,
            Case.image_sha256,
            pred.id.label("prediction_id"),
            pred.bundle_name,
            pred.top_class,
            pred.confidence,
            pred.branches_agree,
            pred.mode,
            pred.rule,
            pred.scope_verdict,
            pred.scope_shown_anyway,
            *(_json_text(pred, name) for name in PREDICTION_JSON),
            fb.diagnosis,
            fb.pathology,
            fb.diagnosis_other,
            fb.pathology_other,
        )
        .select_from(Case)
        .outerjoin(pred, pred.id == _latest(PredictionRecord))
        .outerjoin(fb, fb.id == _latest(Feedback))
    )
    conditions = []
    if where.text.strip():
        # autoescape: a % or _ typed in the search box is a character to find, not a wildcard.
        words = where.text.strip().lower()
        conditions.append(
            or_(
                func.lower(Case.patient_ref).contains(words, autoescape=True),
                func.lower(Case.note).contains(words, autoescape=True),
                Case.id.contains(words, autoescape=True),
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


def _case_row(row: Any) -> CaseRow:
    return fill(
        CaseRow, row._mapping, has_image=row.image_sha256 is not None, readable=_readable(row)
    )


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
        return [_case_row(row) for row in session.execute(query).all()]

    return _transaction(store, "list the cases", work)


def count_cases(store: Store, where: CaseFilter | None = None) -> int:
    query = select(func.count()).select_from(_case_query(where or CaseFilter()).subquery())
    return _transaction(store, "count the cases", lambda s: int(s.execute(query).scalar_one()))


@dataclass(frozen=True)
class ConfirmedCase:
    """A case's latest prediction with its latest pathology result.

    ``prediction`` is None when the stored prediction is unreadable (``problem`` says why);
    ``pathology_other`` holds the words for the code ``other``.
    """

    case_id: str
    bundle_name: str
    bundle_sha: str
    prediction: Prediction | None
    pathology: str
    pathology_other: str | None
    problem: str | None = None


def _confirmed(row: Any) -> ConfirmedCase:
    try:
        prediction, problem = _prediction_from_json(row), None
    except RowError as exc:
        prediction, problem = None, str(exc)
    return ConfirmedCase(
        row.case_id,
        row.bundle_name,
        row.bundle_sha,
        prediction,
        row.pathology,
        row.pathology_other,
        problem,
    )


def confirmed_cases(store: Store) -> list[ConfirmedCase]:
    """Each case's latest prediction with its latest pathology result, where it has one."""
    pred = aliased(PredictionRecord)
    fb = aliased(Feedback)
    query = (
        select(
            Case.id.label("case_id"),
            pred.bundle_name,
            pred.bundle_sha,
            pred.mode,
            pred.rule,
            *(_json_text(pred, name) for name in PREDICTION_JSON),
            fb.pathology,
            fb.pathology_other,
        )
        .select_from(pred)
        .join(Case, Case.id == pred.case_id)
        .join(fb, fb.case_id == Case.id)
        .where(pred.id == _latest(PredictionRecord), fb.id == _latest(Feedback))
        .where(fb.pathology.is_not(None))
        .order_by(Case.created_at, Case.id)
    )

    def work(session: Session) -> list[ConfirmedCase]:
        return [_confirmed(row) for row in session.execute(query).all()]

    return _transaction(store, "read the confirmed cases", work)


def known_classes(store: Store) -> list[DatasetClass]:
    """Every class a readable stored prediction uses, in first-seen order, once per code."""
    classes_text = cast(PredictionRecord.classes, Text)
    query = (
        select(classes_text).group_by(classes_text).order_by(func.min(PredictionRecord.created_at))
    )

    def work(session: Session) -> list[DatasetClass]:
        out: dict[str, DatasetClass] = {}
        for text in session.scalars(query):
            try:
                classes = check_classes(_parsed(text))
            except (ValueError, RecursionError):
                continue  # an unreadable row names no classes; the History page marks it
            for c in classes:
                out.setdefault(c.code, c)
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
