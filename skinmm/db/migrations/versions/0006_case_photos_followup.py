"""Cases: every photo of a multi-photo case, and the earlier visit a case follows (issue 20).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

``case_photos`` holds each photo of a lesion analysed from several (its position, its hash in
the content-addressed photo folder, the image branch's probabilities for it and its Grad-CAM
classes); deleting a case deletes its photo rows. ``cases.follows_case_id`` links a follow-up
visit to the earlier case of the same lesion; deleting the earlier case only clears the link.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINK = "follows_case_id"
LINK_INDEX = "ix_cases_follows_case_id"
LINK_FK = "fk_cases_follows_case_id_cases"
SAVED = "_skinmm_0006_saved_"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a foreign key only by copying the table (see _copy_cases).
        with _copy_cases() as batch:
            batch.add_column(sa.Column(LINK, sa.String(32), nullable=True))
            batch.create_foreign_key(LINK_FK, "cases", [LINK], ["id"], ondelete="SET NULL")
    else:
        op.add_column("cases", sa.Column(LINK, sa.String(32), nullable=True))
        op.create_foreign_key(LINK_FK, "cases", "cases", [LINK], ["id"], ondelete="SET NULL")
    op.create_index(LINK_INDEX, "cases", [LINK])
    op.create_table(
        "case_photos",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        sa.Column("image_ext", sa.String(8), nullable=False),
        sa.Column("image_proba", sa.JSON(), nullable=True),
        sa.Column("cam_classes", sa.JSON(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_case_photos_position")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_photos_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_photos")),
        sa.UniqueConstraint("case_id", "position", name=op.f("uq_case_photos_case_id")),
    )
    op.create_index(op.f("ix_case_photos_case_id"), "case_photos", ["case_id"])
    op.create_index(op.f("ix_case_photos_image_sha256"), "case_photos", ["image_sha256"])


def downgrade() -> None:
    op.drop_table("case_photos")
    op.drop_index(LINK_INDEX, table_name="cases")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(LINK_FK, "cases", type_="foreignkey")
        op.drop_column("cases", LINK)
        return
    # SQLite cannot drop a column that is part of a foreign key: copy the table without it.
    with _copy_cases() as batch:
        batch.drop_constraint(LINK_FK, type_="foreignkey")
        batch.drop_column(LINK)


@contextmanager
def _copy_cases() -> Iterator[Any]:
    """A batch operation that copies ``cases`` (SQLite), every row that references a case kept.

    Dropping the old ``cases`` table deletes every row that references a case (predictions,
    feedback, any later table) through ON DELETE CASCADE, and foreign keys cannot be switched
    off inside the migration's transaction; so those rows are set aside first and put back
    once the new table holds every case.
    """
    children = _tables_referencing_cases()
    for table in children:
        op.execute(f'CREATE TEMP TABLE "{SAVED}{table}" AS SELECT * FROM "{table}"')
    with op.batch_alter_table("cases", recreate="always") as batch:
        yield batch
    for table in children:
        op.execute(f'DELETE FROM "{table}"')
        op.execute(f'INSERT INTO "{table}" SELECT * FROM "{SAVED}{table}"')
        op.execute(f'DROP TABLE "{SAVED}{table}"')


def _tables_referencing_cases() -> list[str]:
    connection = op.get_bind()
    tables: Any = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).scalars()
    out = []
    for table in tables.all():
        if table == "cases":
            continue
        keys = connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').all()
        if any(key[2] == "cases" for key in keys):
            out.append(table)
    return out
