"""Text branch: clinical-note embedders, embedding cache, calibrated XGBoost classifier."""

from skinmm.text.branch import TextBranch, text_metrics
from skinmm.text.clean import clean_note, clean_note_flagged, clean_notes
from skinmm.text.embedders import EMBEDDERS, Embedder, Qwen3Embedder, get_embedder

__all__ = [
    "EMBEDDERS",
    "Embedder",
    "Qwen3Embedder",
    "TextBranch",
    "clean_note",
    "clean_note_flagged",
    "clean_notes",
    "get_embedder",
    "text_metrics",
    "train_text_branch",
]


def __getattr__(name: str) -> object:
    # Imported on first use: it pulls in the bundle trainer's label spaces.
    if name == "train_text_branch":
        from skinmm.text.standalone import train_text_branch

        return train_text_branch
    raise AttributeError(f"module 'skinmm.text' has no attribute {name!r}")
