"""Alembic migrations of the case store (run by :func:`skinmm.db.store.upgrade`)."""
