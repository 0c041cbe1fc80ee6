"""The tabular reference: XGBoost on the structured fields the notes are written from.

It answers "does the note text lose anything the fields carry?": same recipe as the text
branch (:mod:`skinmm.text.boost`), same field dropout, only the input differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from skinmm.data.notes import drop_fields, is_missing, note_fields
from skinmm.text.boost import DEFAULT_PARAMS, booster_proba, grouped_search, train_booster
from skinmm.text.dropout import (
    DEFAULT_COPIES,
    DROPOUT_CANDIDATES,
    DROPPED,
    HELD_OUT,
    WHOLE,
    check_dropout,
    dropout_design,
)

NUMERIC = ("age", "fitzpatrick", "diameter_1", "diameter_2")
CATEGORICAL = ("sex", "site", "background_father", "background_mother")


def dropped_records(frame: pd.DataFrame, p: float, seed: int) -> list[dict[str, Any]]:
    """The frame's note fields with each fact removed with probability ``p`` (seeded).

    The text evaluation renders its notes from these same records, so text and tabular
    models see exactly the same missing facts.
    """
    rng = np.random.default_rng(seed)
    records = frame[note_fields(frame)].to_dict("records")
    return [drop_fields(r, p, rng) if p > 0 else dict(r) for r in records]


def _number(value: Any) -> float:
    if is_missing(value):
        return np.nan
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return float(text == "true")
    try:
        number = float(text)
    except ValueError:
        return np.nan
    return number if number > 0 else np.nan  # HAM10000 writes 0 for an unknown age


class TabularReference:
    """XGBoost on numeric, boolean and one-hot categorical note fields (NaN = missing)."""

    def __init__(self, *, classes: Sequence[str], **params: Any) -> None:
        self.classes = list(classes)
        self.params = {**DEFAULT_PARAMS, **params}

    def _features(self, records: list[dict[str, Any]]) -> np.ndarray:
        columns = []
        for field in self.fields_:
            if field in CATEGORICAL:
                values = [
                    None if is_missing(r.get(field)) else str(r[field]).lower() for r in records
                ]
                for level in self.levels_[field]:
                    columns.append([np.nan if v is None else float(v == level) for v in values])
            else:
                columns.append([_number(r.get(field)) for r in records])
        return np.asarray(columns, dtype=np.float32).T

    def _learn_levels(self, frame: pd.DataFrame) -> None:
        self.fields_ = note_fields(frame)
        self.levels_ = {
            f: sorted({str(v).lower() for v in frame[f] if not is_missing(v)})
            for f in self.fields_
            if f in CATEGORICAL
        }

    def fit(
        self,
        train: pd.DataFrame,
        val: pd.DataFrame,
        *,
        drop: float = 0.5,
        seed: int = 0,
        fact_dropout: float | str | None = None,
        copies: int = DEFAULT_COPIES,
    ) -> TabularReference:
        """Fit as the text branch is fitted: one copy at field dropout ``drop``, or with
        ``fact_dropout`` (a maximum rate, or "auto" for grouped CV over
        :data:`DROPOUT_CANDIDATES`) the text branch's fact dropout on the same records."""
        self._learn_levels(train)
        setting = check_dropout(fact_dropout)
        rates = DROPOUT_CANDIDATES if isinstance(setting, str) else (setting,)
        fits = [self._search(train, val, drop, seed, rate, copies) for rate in rates]
        scores = [max(row["cv_macro_f1"] for row in fit[1]) for fit in fits]
        best = int(np.argmax(scores))  # the first (smallest) rate on a tie
        self.params_, self.cv_table_, design, validation = fits[best]
        self.fact_dropout_ = rates[best]
        self.dropout_cv_ = {str(r): s for r, s in zip(rates, scores, strict=True)}
        x, y, trainable = design
        keep = slice(None) if trainable is None else trainable
        x_val, y_val = validation
        self.booster_ = train_booster(
            x[keep], y[keep], x_val, y_val, len(self.classes), self.params_, seed
        )
        return self

    def _search(
        self,
        train: pd.DataFrame,
        val: pd.DataFrame,
        drop: float,
        seed: int,
        rate: float | None,
        copies: int,
    ) -> tuple[
        dict[str, Any],
        list[dict[str, Any]],
        tuple[np.ndarray, np.ndarray, np.ndarray | None],
        tuple[np.ndarray, np.ndarray],
    ]:
        y_rows = train["label"].map(self.classes.index).to_numpy(dtype=int)
        y_val_rows = val["label"].map(self.classes.index).to_numpy(dtype=int)
        if rate is None:
            records = dropped_records(train, 0.0, seed) + dropped_records(train, drop, seed)
            origin = np.concatenate([np.arange(len(train))] * 2)
            role = np.repeat([WHOLE, DROPPED], len(train))
            val_records = dropped_records(val, 0.0, seed) + dropped_records(val, drop, seed + 1)
            val_origin = np.concatenate([np.arange(len(val))] * 2)
        else:
            whole = dropped_records(train, 0.0, seed)
            records, origin, role = dropout_design(whole, rate, copies, seed, held_out=True)
            whole_val = dropped_records(val, 0.0, seed)
            val_records, val_origin, _ = dropout_design(
                whole_val, rate, copies, seed + 1, held_out=False
            )
        x, y = self._features(records), y_rows[origin]
        validation = (self._features(val_records), y_val_rows[val_origin])
        trainable = None if rate is None else role != HELD_OUT
        params, table = grouped_search(
            x,
            y,
            origin,
            role != DROPPED,
            train["group_id"].tolist(),
            y_rows,
            validation,
            len(self.classes),
            self.params,
            seed=seed,
            trainable=trainable,
        )
        return params, table, (x, y, trainable), validation

    def predict_proba(self, records: list[dict[str, Any]]) -> np.ndarray:
        return booster_proba(self.booster_, self._features(records))
