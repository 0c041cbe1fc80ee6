"""The case store: cases, predictions and clinician feedback in SQL, photos on disk.

``DATABASE_URL`` chooses the database (SQLite or PostgreSQL); the default is
``$SKINMM_HOME/skinmm.db`` (``~/.skinmm``), created and migrated on first use. Photos are kept
content-addressed in ``$SKINMM_HOME/images``. See :mod:`skinmm.db.repository` for the calls.
"""

from __future__ import annotations

from skinmm.db.repository import (
    CaseFilter,
    CaseNotFoundError,
    add_feedback,
    bundle_fingerprint,
    get_case,
    list_cases,
    save_analysis,
)
from skinmm.db.store import StorageError, Store, open_store, shared_store

__all__ = [
    "CaseFilter",
    "CaseNotFoundError",
    "StorageError",
    "Store",
    "add_feedback",
    "bundle_fingerprint",
    "get_case",
    "list_cases",
    "open_store",
    "save_analysis",
    "shared_store",
]
