"""Text branch: clinical-note embedders, embedding cache, calibrated XGBoost classifier.

Names are imported lazily (as in :mod:`skinmm.image`), so that the note reader and the note
cleaner (``skinmm.text.facts``, ``skinmm.text.clean``) can be used without importing XGBoost,
which imports scikit-learn whenever it is installed (about a second at start-up).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "EMBEDDERS": "skinmm.text.embedders",
    "Embedder": "skinmm.text.embedders",
    "Qwen3Embedder": "skinmm.text.embedders",
    "get_embedder": "skinmm.text.embedders",
    "TextBranch": "skinmm.text.branch",
    "text_metrics": "skinmm.text.branch",
    "clean_note": "skinmm.text.clean",
    "clean_note_flagged": "skinmm.text.clean",
    "clean_notes": "skinmm.text.clean",
    # It pulls in the bundle trainer's label spaces.
    "train_text_branch": "skinmm.text.standalone",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'skinmm.text' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
