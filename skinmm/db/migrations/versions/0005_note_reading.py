"""Cases: what was read from the note, and the clinician's impression (issue 16).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

``note_reading`` holds the facts read from the note with the words they came from, the
phrases the model does not use, any facts the clinician corrected and the note then given to
the model; ``impression`` the clinician's stated suspicion ("BCC suspected"), which is
recorded with the case and never given to the model. Both are empty for older cases.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("note_reading", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("impression", sa.Text(), nullable=True))


def downgrade() -> None:
    # Never a table copy: rebuilding ``cases`` (the parent table) under SQLite's foreign keys
    # would delete every prediction and feedback row through ON DELETE CASCADE. SQLite has
    # dropped plain columns in place since 3.35.
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_column("impression")
        batch.drop_column("note_reading")
