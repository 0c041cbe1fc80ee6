"""Cases, predictions and feedback.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Written out in plain SQLAlchemy types rather than importing the models, so this revision
stays what it was when the models change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(32), nullable=False)


def _case_id(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=f"fk_{table}_case_id_cases", ondelete="CASCADE"
        ),
    ]


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "cases",
        _id(),
        _created(),
        sa.Column("patient_ref", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("image_sha256", sa.String(64), nullable=True),
        sa.Column("image_ext", sa.String(8), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_index("ix_cases_created_at", "cases", ["created_at"])
    op.create_index("ix_cases_image_sha256", "cases", ["image_sha256"])
    op.create_index("ix_cases_patient_ref", "cases", ["patient_ref"])

    op.create_table(
        "predictions",
        _id(),
        *_case_id("predictions"),
        _created(),
        sa.Column("bundle_name", sa.String(200), nullable=False),
        sa.Column("bundle_sha", sa.String(64), nullable=False),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("fused", sa.JSON(), nullable=False),
        sa.Column("image_proba", sa.JSON(), nullable=True),
        sa.Column("text_proba", sa.JSON(), nullable=True),
        sa.Column("carrier", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("top_class", sa.String(32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("branches_agree", sa.Boolean(), nullable=True),
        sa.Column("cam_classes", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "mode IN ('fused', 'image-only', 'text-only')", name="ck_predictions_mode"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_predictions"),
    )
    op.create_index("ix_predictions_case_id", "predictions", ["case_id"])
    op.create_index("ix_predictions_bundle_sha", "predictions", ["bundle_sha"])
    op.create_index("ix_predictions_top_class", "predictions", ["top_class"])
    op.create_index("ix_predictions_branches_agree", "predictions", ["branches_agree"])

    op.create_table(
        "feedback",
        _id(),
        *_case_id("feedback"),
        _created(),
        sa.Column("diagnosis", sa.String(32), nullable=True),
        sa.Column("pathology", sa.String(32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("author", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
    )
    op.create_index("ix_feedback_case_id", "feedback", ["case_id"])
    op.create_index("ix_feedback_pathology", "feedback", ["pathology"])


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("predictions")
    op.drop_table("cases")
