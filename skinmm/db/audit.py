"""The audit trail: who created, viewed, exported, imported or changed which case, and when.

Rows are only ever added. This module offers no update or delete, and the migration that
creates the table adds a trigger that makes the database itself refuse both. Write an entry
in the same transaction as the change it records where there is one (:func:`audit_entry`),
else on its own (:func:`record`).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from skinmm.db.models import AUDIT_ACTIONS, USER_NAME_LENGTH, AuditEntry, utcnow
from skinmm.db.store import StorageError, Store, unreachable_message

DETAIL_LIMIT = 2000
T = TypeVar("T")


def in_transaction(store: Store, action: str, work: Callable[[Session], T]) -> T:
    """``work`` in one transaction; a database failure becomes a :class:`StorageError`."""
    try:
        with store.sessions.begin() as session:
            return work(session)
    except (DBAPIError, PoolTimeoutError) as exc:
        raise StorageError(f"Could not {action}. {unreachable_message(store.url, exc)}") from exc


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user name (or ``cli:<OS user>``) and their role."""

    name: str
    role: str | None


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


def cli_actor() -> Actor:
    """The person at the command line; they can read the database file anyway."""
    return Actor(f"cli:{os_user()}", "admin")


def audit_entry(
    actor: Actor, action: str, case_id: str | None = None, detail: str | None = None
) -> AuditEntry:
    """A new (unsaved) audit row; add it to the session that makes the change it records."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}; expected one of {AUDIT_ACTIONS}.")
    return AuditEntry(
        at=utcnow(),
        actor=actor.name[:USER_NAME_LENGTH],
        role=actor.role,
        action=action,
        case_id=case_id,
        detail=None if detail is None else detail[:DETAIL_LIMIT],
    )


def record(
    store: Store,
    actor: Actor,
    action: str,
    case_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one entry in its own transaction."""
    entry = audit_entry(actor, action, case_id, detail)
    in_transaction(store, "write the audit trail", lambda session: session.add(entry))


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    role: str | None
    action: str
    case_id: str | None
    detail: str | None


def list_audit(
    store: Store,
    *,
    case_id: str | None = None,
    since: date | None = None,
    actor: str | None = None,
    limit: int | None = None,
) -> list[AuditRow]:
    """Entries, oldest first; ``case_id`` may be a prefix of the id, ``since`` a UTC day."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if case_id:
        query = query.where(AuditEntry.case_id.startswith(case_id.strip().lower(), autoescape=True))
    if since is not None:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min, tzinfo=UTC))
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if limit is not None:
        # The newest ``limit`` entries, still shown oldest first.
        newest = query.order_by(None).order_by(AuditEntry.id.desc()).limit(limit).subquery()
        query = (
            select(AuditEntry).join(newest, newest.c.id == AuditEntry.id).order_by(AuditEntry.id)
        )

    def work(session: Session) -> list[AuditRow]:
        return [
            AuditRow(e.id, e.at, e.actor, e.role, e.action, e.case_id, e.detail)
            for e in session.scalars(query)
        ]

    return in_transaction(store, "read the audit trail", work)


def cases_created_by(actor: str) -> Select[str | None]:
    """The ids of the cases ``actor`` saved: what a clinician's own History lists."""
    return select(AuditEntry.case_id).where(
        AuditEntry.action == "create", AuditEntry.actor == actor
    )


def created_case(store: Store, actor: str, case_id: str) -> bool:
    """Whether ``actor`` saved the case ``case_id``."""
    query = cases_created_by(actor).where(AuditEntry.case_id == case_id).limit(1)
    return in_transaction(
        store, "read the audit trail", lambda s: s.execute(query).first() is not None
    )


def format_audit(rows: list[AuditRow]) -> str:
    """A tab-separated table with a header line, as ``skinmm db audit`` prints it."""
    lines = ["time (UTC)\tactor\trole\taction\tcase\tdetail"]
    for row in rows:
        lines.append(
            "\t".join(
                (
                    row.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    row.actor,
                    row.role or "",
                    row.action,
                    row.case_id or "",
                    (row.detail or "").replace("\t", " ").replace("\n", " "),
                )
            )
        )
    return "\n".join(lines)
