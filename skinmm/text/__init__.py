"""Text branch: clinical-note embedders, embedding cache, calibrated XGBoost classifier."""

from skinmm.text.branch import TextBranch, text_metrics
from skinmm.text.clean import LongNoteWarning, clean_note, clean_notes
from skinmm.text.embedders import EMBEDDERS, Embedder, Qwen3Embedder, get_embedder
from skinmm.text.train import train_text_branch

__all__ = [
    "EMBEDDERS",
    "Embedder",
    "LongNoteWarning",
    "Qwen3Embedder",
    "TextBranch",
    "clean_note",
    "clean_notes",
    "get_embedder",
    "text_metrics",
    "train_text_branch",
]
