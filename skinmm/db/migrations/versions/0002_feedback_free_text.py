"""Feedback: a diagnosis or pathology result outside the taxonomy, in words.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

The code column holds ``other`` and the new column the words, so the live metrics can count
such cases as out of scope instead of losing them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("diagnosis_other", "pathology_other")


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
