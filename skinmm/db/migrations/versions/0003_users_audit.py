"""Local accounts and the append-only audit trail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Written out in plain SQLAlchemy types rather than importing the models, so this revision
stays what it was when the models change. The database itself refuses UPDATE and DELETE on
``audit`` (a trigger on SQLite and on PostgreSQL), so no code path can rewrite the trail.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("clinician", "researcher", "admin")
ACTIONS = (
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
REFUSAL = "the audit trail is append-only"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_no_{event.lower()} BEFORE {event} ON audit "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for event in ("UPDATE", "DELETE")
]
POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION skinmm_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION skinmm_audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION skinmm_audit_append_only()",
]


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_one_of("role", ROLES), name="ck_users_role"),
        sa.PrimaryKeyConstraint("name", name="pk_users"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint(_one_of("action", ACTIONS), name="ck_audit_action"),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_actor", "audit", ["actor"])
    op.create_index("ix_audit_action", "audit", ["action"])
    op.create_index("ix_audit_case_id", "audit", ["case_id"])
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}.get(
        dialect, []
    ):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS skinmm_audit_append_only()")
    op.drop_table("users")
