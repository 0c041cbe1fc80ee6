"""Predictions: the input-scope verdict and the conformal prediction set, saved with the case.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Every new column is nullable: cases saved before the gate and the sets existed keep NULL,
and the History page and the report then say nothing about them rather than guess.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("scope_verdict", sa.String(16)),
    ("scope_scores", sa.JSON()),
    ("scope_reasons", sa.JSON()),
    ("scope_shown_anyway", sa.Boolean()),
    ("set_level", sa.Float()),
    ("set_classes", sa.JSON()),
)
INDEX = "ix_predictions_scope_verdict"


def upgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_index(INDEX, ["scope_verdict"])


def downgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.drop_index(INDEX)
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
