"""Follow-up visits of one lesion: link a case to the patient's earlier case, read the chain.

A case may follow one earlier case of the same patient (``cases.follows_case_id``), which the
clinician names: the same lesion seen again. A visit has at most one follow-up, so the visits
of a lesion form one line, oldest first. Each visit is shown with its photos, its
differential and its malignancy score: the summed probability of the malignant and
premalignant classes (:func:`skinmm.metrics.risk_score` over
:func:`skinmm.triage.risk_classes`, the score the triage threshold is set on), and the change
in that score from the visit before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from skinmm.db.audit import Actor, audit_entry, cases_created_by
from skinmm.db.models import Case
from skinmm.db.repository import _resolve_id, _transaction, to_prediction
from skinmm.db.rows import RowError
from skinmm.db.store import Store
from skinmm.errors import InputError
from skinmm.metrics import risk_score
from skinmm.prediction import Prediction
from skinmm.triage import risk_classes

# Longer than any real follow-up of one lesion; bounds a walk over a damaged chain.
MAX_VISITS = 100
EARLIER_LIMIT = 50


class FollowUpError(InputError):
    """A follow-up link that cannot be made; ``key`` names the message that says why."""

    key = "err_followup"


class NoPatientError(FollowUpError):
    key = "err_followup_no_patient"


class OtherPatientError(FollowUpError):
    key = "err_followup_other_patient"


class SelfOrLaterError(FollowUpError):
    key = "err_followup_not_earlier"


class AlreadyFollowedError(FollowUpError):
    key = "err_followup_taken"


def check_link(session: Session, case: Case, earlier_id: str) -> str:
    """The full id of ``earlier_id`` if ``case`` may follow it, else a :class:`FollowUpError`.

    The earlier case must belong to the same (non-empty) patient reference, be saved before
    ``case``, and have no follow-up yet; :class:`~skinmm.db.repository.CaseNotFoundError` when
    no case has that id.
    """
    earlier = session.get(Case, _resolve_id(session, earlier_id))
    assert earlier is not None
    if earlier.id == case.id:
        raise SelfOrLaterError("A case cannot follow itself.", case=earlier.id[:8])
    if not case.patient_ref:
        raise NoPatientError("Give the patient reference to link a follow-up visit.")
    if earlier.patient_ref != case.patient_ref:
        raise OtherPatientError(
            f"Case {earlier.id[:8]} belongs to another patient; a follow-up links visits of "
            "one patient's lesion.",
            case=earlier.id[:8],
        )
    if case.created_at is not None and earlier.created_at >= case.created_at:
        raise SelfOrLaterError(
            f"Case {earlier.id[:8]} was not saved before this one; a visit follows an earlier one.",
            case=earlier.id[:8],
        )
    taken = session.scalar(
        select(Case.id).where(Case.follows_case_id == earlier.id, Case.id != case.id).limit(1)
    )
    if taken is not None:
        raise AlreadyFollowedError(
            f"Case {earlier.id[:8]} already has a follow-up visit ({taken[:8]}); link to the "
            "latest visit of the lesion instead.",
            case=earlier.id[:8],
            later=taken[:8],
        )
    return earlier.id


def link_follow_up(
    store: Store, case_id: str, earlier_id: str, *, actor: Actor | None = None
) -> None:
    """Record that the saved case ``case_id`` is a follow-up visit of ``earlier_id``."""

    def work(session: Session) -> None:
        case = session.get(Case, _resolve_id(session, case_id))
        assert case is not None
        case.follows_case_id = check_link(session, case, earlier_id)
        if actor is not None:
            session.add(audit_entry(actor, "change", case.id, f"follows {case.follows_case_id}"))

    _transaction(store, "link the follow-up visit", work)


@dataclass(frozen=True)
class EarlierCase:
    """A saved case a new visit may follow: its id, date and most likely class."""

    id: str
    created_at: datetime
    top_class: str | None


def earlier_cases(
    store: Store,
    patient_ref: str | None,
    *,
    before: datetime | None = None,
    created_by: str | None = None,
    limit: int = EARLIER_LIMIT,
) -> list[EarlierCase]:
    """The patient's saved cases that have no follow-up yet, newest first.

    ``before``: only cases saved before then (a visit follows an earlier one); ``created_by``:
    only the cases this user saved (a clinician sees their own cases only).
    """
    patient_ref = (patient_ref or "").strip()
    if not patient_ref:
        return []
    followed = select(Case.follows_case_id).where(Case.follows_case_id.is_not(None))
    conditions = [Case.patient_ref == patient_ref, Case.id.not_in(followed)]
    if before is not None:
        conditions.append(Case.created_at < before)
    if created_by is not None:
        conditions.append(Case.id.in_(cases_created_by(created_by)))
    query = (
        select(Case)
        .where(*conditions)
        .options(selectinload(Case.predictions))
        .order_by(Case.created_at.desc(), Case.id)
        .limit(limit)
    )

    def work(session: Session) -> list[EarlierCase]:
        return [
            EarlierCase(
                c.id,
                c.created_at,
                c.latest_prediction.top_class if c.latest_prediction else None,
            )
            for c in session.scalars(query)
        ]

    return _transaction(store, "list the patient's cases", work)


@dataclass(frozen=True)
class Visit:
    """One visit of a lesion: its photos (hash, type), differential and malignancy score.

    ``prediction`` is None without a readable prediction; ``change`` is the malignancy score
    minus the previous visit's (None for the first visit or where either score is missing).
    """

    case_id: str
    created_at: datetime
    photos: list[tuple[str, str]]
    prediction: Prediction | None
    malignancy: float | None
    change: float | None


def malignancy_score(prediction: Prediction) -> float:
    """The summed probability of the malignant and premalignant classes of the decision."""
    positive = risk_classes(prediction.classes)
    return float(risk_score(np.asarray(prediction.fused)[None, :], positive)[0])


def case_photos(case: Case) -> list[tuple[str, str]]:
    """Every photo of a loaded case (hash, type) in order: its photo rows, else its photo."""
    if case.photos:
        return [(p.image_sha256, p.image_ext) for p in case.photos]
    if case.image_sha256 and case.image_ext:
        return [(case.image_sha256, case.image_ext)]
    return []


def _load(session: Session, case_id: str) -> Case | None:
    return session.scalars(
        select(Case)
        .where(Case.id == case_id)
        .options(selectinload(Case.predictions), selectinload(Case.photos))
    ).one_or_none()


def _chain_cases(session: Session, case: Case) -> list[Case]:
    chain, seen = [case], {case.id}
    while chain[0].follows_case_id and len(chain) < MAX_VISITS:
        earlier = _load(session, chain[0].follows_case_id)
        if earlier is None or earlier.id in seen:
            break
        chain.insert(0, earlier)
        seen.add(earlier.id)
    while len(chain) < MAX_VISITS:
        later_id = session.scalar(
            select(Case.id)
            .where(Case.follows_case_id == chain[-1].id)
            .order_by(Case.created_at, Case.id)
            .limit(1)
        )
        later = None if later_id is None or later_id in seen else _load(session, later_id)
        if later is None:
            break
        chain.append(later)
        seen.add(later.id)
    return chain


def _visit(case: Case, previous: float | None) -> Visit:
    prediction = None
    if case.latest_prediction is not None:
        try:
            prediction = to_prediction(case.latest_prediction)
        except RowError:
            prediction = None  # an unreadable row shows as a visit without a differential
    score = None if prediction is None else malignancy_score(prediction)
    change = None if score is None or previous is None else score - previous
    return Visit(case.id, case.created_at, case_photos(case), prediction, score, change)


def visit_chain(store: Store, case_id: str) -> list[Visit]:
    """The visits of the lesion of ``case_id``, oldest first; one visit for an unlinked case."""

    def work(session: Session) -> list[Visit]:
        case = _load(session, _resolve_id(session, case_id))
        assert case is not None
        visits: list[Visit] = []
        for member in _chain_cases(session, case):
            visits.append(_visit(member, visits[-1].malignancy if visits else None))
        return visits

    return _transaction(store, "read the visits of the lesion", work)
