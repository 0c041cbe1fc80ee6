"""The case store: cases, predictions and clinician feedback in SQL, photos on disk.

``DATABASE_URL`` chooses the database (SQLite or PostgreSQL); the default is
``$SKINMM_HOME/skinmm.db`` (``~/.skinmm``), created and migrated on first use. Photos are kept
content-addressed in ``$SKINMM_HOME/images``. See :mod:`skinmm.db.repository` for the calls.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Imported on first use: `skinmm.db.cli` is loaded by every `skinmm` command to list its
# subcommands, and SQLAlchemy (half a second) is only needed by the commands that use it.
_EXPORTS = {
    "CaseFilter": "skinmm.db.repository",
    "CaseNotFoundError": "skinmm.db.repository",
    "add_feedback": "skinmm.db.repository",
    "bundle_fingerprint": "skinmm.db.repository",
    "get_case": "skinmm.db.repository",
    "list_cases": "skinmm.db.repository",
    "save_analysis": "skinmm.db.repository",
    "StorageError": "skinmm.db.store",
    "Store": "skinmm.db.store",
    "open_store": "skinmm.db.store",
    "shared_store": "skinmm.db.store",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'skinmm.db' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
