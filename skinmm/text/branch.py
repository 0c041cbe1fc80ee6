"""The text branch: note embeddings -> XGBoost -> temperature-calibrated probabilities."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skinmm.cache import default_cache_dir
from skinmm.calibration import (
    apply_temperature,
    as_logits,
    expected_calibration_error,
    fit_temperature,
)
from skinmm.data.notes import LANGS, note_fields, render_note, render_notes
from skinmm.metrics import label_scores
from skinmm.text.boost import (
    DEFAULT_PARAMS,
    SEARCH_GRID,
    DistinctRows,
    booster_proba,
    fit_booster,
    grouped_search,
)
from skinmm.text.cache import embed_cached
from skinmm.text.clean import MAX_NOTE_CHARS, clean_note_flagged, clean_notes
from skinmm.text.dropout import (
    DEFAULT_COPIES,
    DROPOUT_CANDIDATES,
    DROPPED,
    HELD_OUT,
    HELD_OUT_DROP,
    WHOLE,
    check_dropout,
    dropout_design,
)
from skinmm.text.embedders import DEFAULT_EMBEDDER, Embedder, get_embedder
from skinmm.text.fact_features import (
    AUTO,
    check_option,
    facts_to_matrix,
    read_facts,
    rendered_notes,
)

if TYPE_CHECKING:
    import pandas as pd


FORMAT = "skinmm-text-branch"
FORMAT_VERSION = 1
MODEL_FILE = "text.ubj"
META_FILE = "text.json"

BRANCH_PARAMS: dict[str, Any] = {
    "train_drop": 0.5,  # field-dropout rate of the augmented copy of each training note
    "search": True,  # grouped-CV hyperparameter search; False uses the given values
    "cv_folds": 3,
    "max_chars": MAX_NOTE_CHARS,
    # Input of the booster (skinmm.text.fact_features.FEATURE_OPTIONS); "auto" lets grouped
    # CV on the training split choose between these two, and the card records the choice.
    "features": AUTO,
    # Fact dropout (skinmm.text.dropout): None keeps the one copy at ``train_drop``; a rate
    # adds ``dropout_copies`` copies with each row's facts dropped at a rate drawn from
    # [0, rate]; "auto" chooses the rate by grouped CV on the training split.
    "fact_dropout": None,
    "dropout_copies": DEFAULT_COPIES,
}
# In order of preference on a tie: the paper's recipe first.
AUTO_CHOICES: tuple[str, ...] = ("embedding", "facts+embedding", "facts+rendered", "facts")
# Branches saved before the facts option existed read embeddings only.
LEGACY_FEATURES = "embedding"


Blocks = dict[str, np.ndarray]


@dataclass
class Design:
    """Augmented notes of a manifest: labels, source rows and roles (see dropout)."""

    notes: list[str]
    y: np.ndarray
    origin: np.ndarray
    role: np.ndarray

    def trainable(self) -> np.ndarray | None:
        """Rows a fit may use; None where every row may (no scored-only copies)."""
        held = self.role == HELD_OUT
        return ~held if held.any() else None


@dataclass
class Fit:
    """One (fact-dropout rate, feature option) candidate: its search and validation rows."""

    x_val: np.ndarray
    y_val: np.ndarray
    distinct: tuple[DistinctRows, DistinctRows]
    params: dict[str, Any]
    table: list[dict[str, Any]]
    design: Design

    @property
    def cv_score(self) -> float | None:
        return max((row["cv_macro_f1"] for row in self.table), default=None)


def pools_sources(train: pd.DataFrame) -> bool:
    """Whether the training manifest pools several sources (``skinmm merge``'s ``source``
    column): class weights and the grouped-CV score then work within each source
    (:func:`skinmm.text.boost.stratum_weights`)."""
    return "source" in train and train["source"].nunique(dropna=False) >= 2


def strata(frame: pd.DataFrame, design: Design) -> np.ndarray | None:
    """Each design row's source (None where the manifest has no ``source`` column)."""
    if "source" not in frame:
        return None
    return frame["source"].astype(str).to_numpy()[design.origin]


# The blocks each feature option concatenates, in order.
OPTION_BLOCKS: dict[str, tuple[str, ...]] = {
    "embedding": ("embedding",),
    "facts+embedding": ("facts", "embedding"),
    "facts+rendered": ("facts", "rendered"),
    "facts": ("facts",),
}


def assemble(option: str, blocks: Blocks) -> np.ndarray:
    """The booster's input for a feature option from the blocks computed for it."""
    parts = [blocks[name] for name in OPTION_BLOCKS[option]]
    return parts[0] if len(parts) == 1 else np.hstack(parts)


def text_metrics(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """Weighted F1, macro F1 and balanced accuracy of argmax predictions."""
    scores = label_scores(y, proba.argmax(axis=1), proba.shape[1])
    keep = ("weighted_f1", "macro_f1", "balanced_accuracy")
    return {**{k: scores[k] for k in keep}, "n": len(y)}


def augmented_notes(
    frame: pd.DataFrame, drops: Sequence[float], seed: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Notes re-rendered in English and Chinese at each field-dropout rate.

    Returns the notes, the manifest row each came from, and a mask of the full (drop 0)
    notes. A manifest without structured fields keeps its free-text notes, once.
    """
    if not note_fields(frame):
        free_text = frame["note"].astype(str).tolist()
        return free_text, np.arange(len(frame)), np.ones(len(frame), dtype=bool)
    rng = np.random.default_rng(seed)
    notes: list[str] = []
    origin, full = [], []
    for lang in LANGS:
        for drop in drops:
            notes += render_notes(frame, lang, drop, rng)
            origin.append(np.arange(len(frame)))
            full.append(np.full(len(frame), drop == 0))
    return notes, np.concatenate(origin), np.concatenate(full)


class TextBranch:
    """Classifies clinical notes; says so when a case has no text.

    Parameters
    ----------
    embedder : str
        Registry name (see :func:`skinmm.text.embedders.get_embedder`).
    classes : sequence of str
        Class codes in the order of the probability columns.
    **hyperparams
        Overrides of :data:`skinmm.text.boost.DEFAULT_PARAMS` and :data:`BRANCH_PARAMS`.
    """

    def __init__(
        self, embedder: str = DEFAULT_EMBEDDER, *, classes: Sequence[str], **hyperparams: Any
    ) -> None:
        unknown = set(hyperparams) - set(DEFAULT_PARAMS) - set(BRANCH_PARAMS)
        if unknown:
            raise ValueError(
                f"Unknown text-branch hyperparameter(s): {', '.join(sorted(unknown))}."
            )
        if len(classes) < 2 or len(set(classes)) != len(classes):
            raise ValueError("classes must list at least two distinct class codes.")
        self.embedder = embedder
        self.classes = list(classes)
        self.hyperparams = {**DEFAULT_PARAMS, **BRANCH_PARAMS, **hyperparams}
        check_option(self.hyperparams["features"])
        self.hyperparams["fact_dropout"] = check_dropout(self.hyperparams["fact_dropout"])
        self.cache_dir: Path | None = None
        self._embedder: Embedder | None = None

    # -- embedding -------------------------------------------------------------------------

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = get_embedder(self.embedder)
        if self.cache_dir is None:
            return self._embedder.encode(texts)
        return embed_cached(self._embedder, texts, self.cache_dir)

    def _labels(self, frame: pd.DataFrame, side: str) -> np.ndarray:
        unknown = sorted(set(frame["label"]) - set(self.classes))
        if unknown:
            raise ValueError(
                f"{side} labels {', '.join(unknown)} are not among the classes "
                f"{', '.join(self.classes)}."
            )
        return frame["label"].map(self.classes.index).to_numpy(dtype=int)

    def _blocks(self, notes: Sequence[str], options: Sequence[str]) -> Blocks:
        """The feature blocks the options use: facts read from the note texts, the notes'
        embeddings, and embeddings of the facts re-rendered as canonical English notes."""
        needed = {name for option in options for name in OPTION_BLOCKS[option]}
        blocks: Blocks = {}
        if "embedding" in needed:
            blocks["embedding"] = self._embed(notes)
        if needed & {"facts", "rendered"}:
            facts = read_facts(notes)
            blocks["facts"] = facts_to_matrix(facts)
        if "rendered" in needed:
            blocks["rendered"] = self._embed_or_nan(rendered_notes(facts))
        return blocks

    def _embed_or_nan(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``; NaN rows (missing, for XGBoost) where a text is empty."""
        present = [i for i, t in enumerate(texts) if t]
        # With no text at all, one placeholder is embedded only to learn the vectors' width.
        vectors = self._embed([texts[i] for i in present] or ["."])
        out = np.full((len(texts), vectors.shape[1]), np.nan, dtype=np.float32)
        if present:
            out[present] = vectors
        return out

    def _design(
        self, frame: pd.DataFrame, rate: float | None, seed: int, side: str, held_out: bool
    ) -> Design:
        notes, origin, role = self._augmented(frame, rate, seed, held_out)
        notes = clean_notes(notes, max_chars=self.hyperparams["max_chars"])
        keep = np.array([bool(n) for n in notes])
        if not keep.any():
            raise ValueError(f"The {side} manifest has no note text to learn from.")
        kept = [n for n, k in zip(notes, keep, strict=True) if k]
        y = self._labels(frame, side)[origin[keep]]
        return Design(kept, y, origin[keep], role[keep])

    def _augmented(
        self, frame: pd.DataFrame, rate: float | None, seed: int, held_out: bool
    ) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Notes, source rows and roles: the legacy field dropout without a rate, else
        fact dropout (:mod:`skinmm.text.dropout`) drawn afresh for each language."""
        if rate is None or not note_fields(frame):
            legacy, origin, full = augmented_notes(
                frame, (0.0, self.hyperparams["train_drop"]), seed
            )
            return legacy, origin, np.where(full, WHOLE, DROPPED)
        records = frame[note_fields(frame)].to_dict("records")
        notes: list[str] = []
        origins, roles = [], []
        for index, lang in enumerate(LANGS):
            rows, rows_origin, role = dropout_design(
                records, rate, self.hyperparams["dropout_copies"], [seed, index], held_out=held_out
            )
            notes += [render_note(r, lang) for r in rows]
            origins.append(rows_origin)
            roles.append(role)
        return notes, np.concatenate(origins), np.concatenate(roles)

    # -- fitting ---------------------------------------------------------------------------

    def fit(
        self,
        train: pd.DataFrame,
        val: pd.DataFrame,
        *,
        cache_dir: Path | None = None,
        seed: int = 0,
    ) -> TextBranch:
        """Fit on manifest frames: grouped-CV search on ``train``, early stopping and
        temperature on ``val``.

        Training notes are re-rendered from the structured columns in English and Chinese,
        whole and with facts dropped, so that short or Chinese notes are read as well.
        Feature option and fact-dropout rate, where set to "auto", are chosen together by
        the same grouped CV. Embeddings are cached in ``cache_dir`` (default:
        :func:`default_cache_dir`).
        """
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        requested = self.hyperparams["features"]
        options = AUTO_CHOICES if requested == AUTO else (requested,)
        dropout = self.hyperparams["fact_dropout"]
        rates = DROPOUT_CANDIDATES if dropout == AUTO else (dropout,)
        compare = len(options) * len(rates) > 1
        fits: dict[tuple[float | None, str], Fit] = {}
        pooled = pools_sources(train)
        for rate in rates:
            design = self._design(train, rate, seed, "training", held_out=rate is not None)
            design_val = self._design(val, rate, seed + 1, "validation", held_out=False)
            blocks = self._blocks(design.notes, options)
            blocks_val = self._blocks(design_val.notes, options)
            sources = (strata(train, design), strata(val, design_val)) if pooled else (None, None)
            for option in options:
                x, x_val = assemble(option, blocks), assemble(option, blocks_val)
                distinct = (
                    DistinctRows(x, design.y, sources[0]),
                    DistinctRows(x_val, design_val.y, sources[1]),
                )
                params, table = self._search(
                    x, design, train, (x_val, design_val.y), distinct, seed, compare
                )
                fits[rate, option] = Fit(x_val, design_val.y, distinct, params, table, design)
        # Ties keep the paper's recipe (first in AUTO_CHOICES) and the smallest rate.
        chosen_rate, chosen = max(fits, key=lambda key: fits[key].cv_score or 0.0)
        self.feature_cv_ = {o: fits[chosen_rate, o].cv_score for o in options}
        self.dropout_cv_ = {str(r): fits[r, chosen].cv_score for r in rates}
        self.hyperparams["features"], self.hyperparams["fact_dropout"] = chosen, chosen_rate
        self.features_requested_, self.dropout_requested_ = requested, dropout
        best = fits[chosen_rate, chosen]
        self.params_, self.cv_table_ = best.params, best.table
        self.booster_ = fit_booster(
            *best.distinct, len(self.classes), self.params_, seed, best.design.trainable()
        )
        self._calibrate(best.x_val, best.y_val)
        self.n_train_notes_ = int((best.design.role != HELD_OUT).sum())
        self.sources_ = sorted(set(train["source"].astype(str))) if pooled else []
        return self

    def _search(
        self,
        x: np.ndarray,
        design: Design,
        train: pd.DataFrame,
        validation: tuple[np.ndarray, np.ndarray],
        distinct: tuple[DistinctRows, DistinctRows],
        seed: int,
        compare: bool,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Hyperparameters by grouped CV on the training rows, or the given ones without a
        search; ``compare`` scores the given ones by the same grouped CV, so that feature
        options and dropout rates can be compared even without a search."""
        params = {k: v for k, v in self.hyperparams.items() if k in DEFAULT_PARAMS}
        search = self.hyperparams["search"]
        if not search and not compare:
            return params, []
        return grouped_search(
            x,
            design.y,
            design.origin,
            design.role != DROPPED,
            train["group_id"].tolist(),
            self._labels(train, "training"),
            validation,
            len(self.classes),
            params,
            grid=SEARCH_GRID if search else ({},),
            folds=self.hyperparams["cv_folds"],
            seed=seed,
            distinct=distinct,
            trainable=design.trainable(),
        )

    def _calibrate(self, x_val: np.ndarray, y_val: np.ndarray) -> None:
        raw = booster_proba(self.booster_, x_val)
        self.temperature_ = fit_temperature(as_logits(raw), y_val)
        calibrated = apply_temperature(as_logits(raw), self.temperature_)
        self.ece_before_ = expected_calibration_error(raw, y_val)
        self.ece_after_ = expected_calibration_error(calibrated, y_val)
        self.val_metrics_ = text_metrics(y_val, calibrated)

    # -- prediction ------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise ValueError("This TextBranch is not fitted yet; call fit() or load() first.")

    def has_text(self, notes: Sequence[str | None]) -> np.ndarray:
        """True where a note has text left after cleaning."""
        cleaned = clean_notes(list(notes), max_chars=self.hyperparams["max_chars"])
        return np.array([bool(n) for n in cleaned], dtype=bool)

    def truncated(self, notes: Sequence[str | None]) -> np.ndarray:
        """True where a note was longer than the branch reads and was cut before embedding."""
        max_chars = self.hyperparams["max_chars"]
        return np.array([clean_note_flagged(n, max_chars=max_chars)[1] for n in notes], dtype=bool)

    def predict_proba(self, notes: Sequence[str | None], *, calibrated: bool = True) -> np.ndarray:
        """Probabilities (n, n_classes) in :attr:`classes_` order; all-NaN rows for cases
        without text, so that fusion falls back to the image branch."""
        self._check_fitted()
        cleaned = clean_notes(list(notes), max_chars=self.hyperparams["max_chars"])
        present = np.array([bool(n) for n in cleaned], dtype=bool)
        out = np.full((len(cleaned), len(self.classes)), np.nan)
        if present.any():
            texts = [n for n in cleaned if n]
            features = self.hyperparams["features"]
            x = assemble(features, self._blocks(texts, (features,)))
            raw = booster_proba(self.booster_, x)
            out[present] = (
                apply_temperature(as_logits(raw), self.temperature_) if calibrated else raw
            )
        return out

    @property
    def classes_(self) -> list[str]:
        return self.classes

    # -- persistence -----------------------------------------------------------------------

    def card(self) -> dict[str, Any]:
        """What the model card says about this branch."""
        self._check_fitted()
        return {
            "embedder": self.embedder,
            "classes": self.classes,
            "hyperparameters": self.params_,
            "branch": {k: self.hyperparams[k] for k in BRANCH_PARAMS},
            "cv_search": self.cv_table_,
            "feature_choice": {
                "requested": self.features_requested_,
                "chosen": self.hyperparams["features"],
                "cv_macro_f1": self.feature_cv_,
            },
            "fact_dropout": {
                "requested": self.dropout_requested_,
                "chosen": self.hyperparams["fact_dropout"],
                "copies": self.hyperparams["dropout_copies"],
                "held_out_drop": HELD_OUT_DROP,
                "cv_macro_f1": self.dropout_cv_,
            },
            "n_train_notes": self.n_train_notes_,
            # Sources whose notes were weighted and scored each within itself (strata).
            "sources": self.sources_,
            "temperature": self.temperature_,
            "ece_before": self.ece_before_,
            "ece_after": self.ece_after_,
            "validation": self.val_metrics_,
        }

    def save(self, directory: Path) -> list[Path]:
        """Write ``text.ubj`` (XGBoost UBJSON) and ``text.json``; returns both paths."""
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        model_path, meta_path = directory / MODEL_FILE, directory / META_FILE
        self.booster_.save_model(model_path)
        meta = {"format": FORMAT, "version": FORMAT_VERSION, **self.card()}
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        return [model_path, meta_path]

    @classmethod
    def load(cls, directory: Path, *, booster: bool = True) -> TextBranch:
        """A fitted branch from a folder written by :meth:`save`.

        With ``booster=False``, everything but the booster, and XGBoost is not imported: a
        branch that answers :attr:`classes_`, :meth:`truncated` and :meth:`has_text` but does
        not predict (what a command whose note is scored in another process needs,
        :mod:`skinmm.text.offload`).
        """
        directory = Path(directory)
        meta_path, model_path = directory / META_FILE, directory / MODEL_FILE
        if not meta_path.is_file() or not model_path.is_file():
            raise ValueError(f"{directory} holds no text branch ({META_FILE} and {MODEL_FILE}).")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"{meta_path} is not a version-{FORMAT_VERSION} text branch.")
        branch_params = {"features": LEGACY_FEATURES, **meta["branch"]}
        branch = cls(meta["embedder"], classes=meta["classes"], **branch_params)
        if booster:
            # Imported here: XGBoost imports scikit-learn whenever it is installed.
            import xgboost as xgb

            branch.booster_ = xgb.Booster()
            branch.booster_.load_model(model_path)
        branch.params_ = meta["hyperparameters"]
        branch.cv_table_ = meta["cv_search"]
        choice = meta.get("feature_choice", {})
        branch.features_requested_ = choice.get("requested", LEGACY_FEATURES)
        branch.feature_cv_ = choice.get("cv_macro_f1", {})
        dropout = meta.get("fact_dropout", {})
        branch.dropout_requested_ = dropout.get("requested")
        branch.dropout_cv_ = dropout.get("cv_macro_f1", {})
        branch.n_train_notes_ = meta["n_train_notes"]
        branch.sources_ = meta.get("sources", [])
        branch.temperature_ = meta["temperature"]
        branch.ece_before_, branch.ece_after_ = meta["ece_before"], meta["ece_after"]
        branch.val_metrics_ = meta["validation"]
        return branch
