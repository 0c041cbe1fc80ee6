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
        self, train: pd.DataFrame, val: pd.DataFrame, *, drop: float = 0.5, seed: int = 0
    ) -> TabularReference:
        self._learn_levels(train)
        y_rows = train["label"].map(self.classes.index).to_numpy(dtype=int)
        full, dropped = dropped_records(train, 0.0, seed), dropped_records(train, drop, seed)
        x = self._features(full + dropped)
        y = np.concatenate([y_rows, y_rows])
        origin = np.concatenate([np.arange(len(train))] * 2)
        scored = np.arange(len(x)) < len(train)
        y_val_rows = val["label"].map(self.classes.index).to_numpy(dtype=int)
        val_records = dropped_records(val, 0.0, seed) + dropped_records(val, drop, seed + 1)
        validation = (self._features(val_records), np.concatenate([y_val_rows, y_val_rows]))
        self.params_, self.cv_table_ = grouped_search(
            x,
            y,
            origin,
            scored,
            train["group_id"].tolist(),
            y_rows,
            validation,
            len(self.classes),
            self.params,
            seed=seed,
        )
        self.booster_ = train_booster(x, y, *validation, len(self.classes), self.params_, seed)
        return self

    def predict_proba(self, records: list[dict[str, Any]]) -> np.ndarray:
        return booster_proba(self.booster_, self._features(records))
