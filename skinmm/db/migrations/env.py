"""Alembic environment: runs on the caller's connection, or on ``sqlalchemy.url``.

``skinmm.db.store.upgrade`` passes its own connection (inside the transaction that holds the
migration lock); the ``alembic`` command line (``alembic -c skinmm/db/alembic.ini ...``)
connects to ``sqlalchemy.url``, else ``$DATABASE_URL``, else the default SQLite file.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from skinmm.db.models import Base
from skinmm.db.store import database_url, make_engine

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    # Batch mode rebuilds tables on SQLite, which cannot ALTER most things in place.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    shared = config.attributes.get("connection")
    if shared is not None:
        run(shared)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.connect() as connection:
        run(connection)
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
