"""Where feature and embedding caches live: one setting for both branches."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "SKINMM_CACHE"


def default_cache_dir() -> Path:
    """``$SKINMM_CACHE``, else ``cache/`` at the repository root (git-ignored)."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path(__file__).resolve().parents[1] / "cache"
