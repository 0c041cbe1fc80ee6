"""The case-history schema: a case, the predictions made for it, and clinicians' feedback.

Every row has a random hex id rather than an autoincrement integer, so cases exported from
one installation import into another without colliding and a repeated import adds nothing.
Times are stored in UTC. Probabilities are JSON lists in the order of the stored ``classes``,
so a stored prediction can be shown again without the bundle that made it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

MODES = ("fused", "image-only", "text-only")
ID_LENGTH = 32
PATIENT_REF_LENGTH = 64
CODE_LENGTH = 32
# A diagnosis outside the taxonomy, in words (0002).
OTHER_LENGTH = 200

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both databases (SQLite hands back naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Store aware datetimes only (datetime.now(UTC)).")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Case(Base):
    """One lesion seen once: who (pseudonymously), when, the note and the photo's hash."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    patient_ref: Mapped[str | None] = mapped_column(String(PATIENT_REF_LENGTH), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    # The photo lives on disk, content-addressed: SKINMM_HOME/images/<sha[:2]>/<sha>.<ext>.
    image_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    image_ext: Mapped[str | None] = mapped_column(String(8))
    # What was read from the note (skinmm.text.facts.NoteReading as a dict, with the
    # clinician's corrections and the note given to the model) and the clinician's stated
    # impression: recorded with the case, never a model input (migration 0006).
    note_reading: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    impression: Mapped[str | None] = mapped_column(Text)
    # The earlier visit of the same patient's lesion this case follows (0006). SET NULL: deleting
    # an earlier visit must never delete a later one.
    follows_case_id: Mapped[str | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )

    predictions: Mapped[list[PredictionRecord]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="PredictionRecord.created_at",
    )
    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Feedback.created_at"
    )
    # Every photo of a multi-photo case, in upload order (0006); empty for a one-photo case,
    # whose photo is ``image_sha256`` alone. The first photo is also ``image_sha256``.
    photos: Mapped[list[CasePhoto]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CasePhoto.position"
    )

    @property
    def latest_prediction(self) -> PredictionRecord | None:
        return self.predictions[-1] if self.predictions else None

    @property
    def latest_feedback(self) -> Feedback | None:
        return self.feedback[-1] if self.feedback else None


class PredictionRecord(Base):
    """A bundle's differential for a case, with what is needed to redraw it and its CAMs."""

    __tablename__ = "predictions"
    __table_args__ = (CheckConstraint("mode IN ('fused', 'image-only', 'text-only')", name="mode"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    bundle_name: Mapped[str] = mapped_column(String(200))
    # Identifies the exact weights: see skinmm.db.repository.bundle_fingerprint.
    bundle_sha: Mapped[str] = mapped_column(String(64), index=True)
    classes: Mapped[list[Any]] = mapped_column()
    fused: Mapped[list[Any]] = mapped_column()
    image_proba: Mapped[list[Any] | None] = mapped_column()
    text_proba: Mapped[list[Any] | None] = mapped_column()
    carrier: Mapped[list[Any]] = mapped_column()
    mode: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(32))
    # Copies of what the probabilities imply, kept as columns so lists can filter on them.
    top_class: Mapped[str] = mapped_column(String(CODE_LENGTH), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    branches_agree: Mapped[bool | None] = mapped_column(Boolean, index=True)
    # Grad-CAM is recomputed from the stored photo and the same bundle, for these classes.
    cam_classes: Mapped[list[Any]] = mapped_column()
    # The input-scope verdict, its scores and failed checks (0004); NULL without a photo or
    # a gate, and in cases saved before the gate existed.
    scope_verdict: Mapped[str | None] = mapped_column(String(16), index=True)
    scope_scores: Mapped[dict[str, Any] | None] = mapped_column()
    scope_reasons: Mapped[list[Any] | None] = mapped_column()
    # True once the clinician asked to see the differential of an out-of-scope image.
    scope_shown_anyway: Mapped[bool | None] = mapped_column(Boolean)
    # The conformal prediction set (0004): its level and class codes, most probable first.
    set_level: Mapped[float | None] = mapped_column(Float)
    set_classes: Mapped[list[Any] | None] = mapped_column()

    case: Mapped[Case] = relationship(back_populates="predictions")


class Feedback(Base):
    """A clinician's word on a case; rows are only ever added, the latest one counts."""

    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    diagnosis: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    pathology: Mapped[str | None] = mapped_column(String(CODE_LENGTH), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(PATIENT_REF_LENGTH))
    # With the code "other": the diagnosis in words, for one outside the taxonomy (0002).
    diagnosis_other: Mapped[str | None] = mapped_column(String(OTHER_LENGTH))
    pathology_other: Mapped[str | None] = mapped_column(String(OTHER_LENGTH))

    case: Mapped[Case] = relationship(back_populates="feedback")


class CasePhoto(Base):
    """One photo of a multi-photo case, with the image branch's own reading of it (0006)."""

    __tablename__ = "case_photos"
    __table_args__ = (
        UniqueConstraint("case_id", "position"),
        CheckConstraint("position >= 0", name="position"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    image_sha256: Mapped[str] = mapped_column(String(64), index=True)
    image_ext: Mapped[str] = mapped_column(String(8))
    # This photo's image-branch probabilities (the prediction's class order) and the classes
    # its Grad-CAM was drawn for; NULL / empty where the analysis did not record them.
    image_proba: Mapped[list[Any] | None] = mapped_column()
    cam_classes: Mapped[list[Any]] = mapped_column(default=list)

    case: Mapped[Case] = relationship(back_populates="photos")


# --- Sign-in and audit trail (issue 13) -------------------------------------------------------

ROLES = ("clinician", "researcher", "admin")
AUDIT_ACTIONS = (
    "create",
    "view",
    "export",
    "import",
    "change",
    "feedback",
    "sign_in",
    "sign_in_failed",
    "user_add",
    "user_remove",
)
USER_NAME_LENGTH = 128


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class User(Base):
    """A person allowed in: a local account (password hash) or a single-sign-on e-mail (none)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    name: Mapped[str] = mapped_column(String(USER_NAME_LENGTH), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    # argon2 hash; NULL for an OIDC user, who signs in with the hospital's identity provider.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One access to the store; rows are only ever added (the database refuses the rest)."""

    __tablename__ = "audit"
    __table_args__ = (CheckConstraint(_one_of("action", AUDIT_ACTIONS), name="action"),)

    # An integer sequence keeps the entries in the order they were written.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(USER_NAME_LENGTH), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16), index=True)
    # No foreign key: the trail outlives a case and records ids that were never found.
    case_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
