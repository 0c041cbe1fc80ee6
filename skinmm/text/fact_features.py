"""Facts read from a note -> a fixed feature vector for the text branch's XGBoost.

The facts come from :func:`skinmm.text.facts.read_note` applied to the note *text*, at
training and at prediction time alike, never from a manifest's structured columns: the
branch must learn from what a reader can take from a note, including what it misses.

"Not mentioned" is a value of its own: every categorical or present/absent fact is one-hot
over its values plus a "missing" column, so a denied symptom, a reported one and one never
written are three different inputs. Numbers (age, largest diameter) are NaN when missing,
which XGBoost routes down its learned default branch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from skinmm.data.notes import SITES
from skinmm.text.facts import MODEL_POLAR_FACTS, POLAR_VALUES

NUMERIC_FACTS: tuple[str, ...] = ("age", "diameter_mm", "fitzpatrick")
# The reader's present/absent facts, in its order: one list, kept by the reader.
BINARY_FACTS: tuple[str, ...] = MODEL_POLAR_FACTS
BINARY_VALUES: tuple[str, ...] = POLAR_VALUES
SEX_VALUES: tuple[str, ...] = ("male", "female")
# A site the reader names but this table lacks still differs from "not mentioned".
SITE_VALUES: tuple[str, ...] = (*sorted(SITES), "other")

# How the branch's input is built: the paper's embedding-only recipe, facts and the note's
# embedding concatenated, facts and the embedding of the facts re-rendered as one canonical
# English note (so the same facts in any language or wording give the same input, and words
# the reader does not use cannot move the model), or the facts alone; "auto" chooses by
# grouped CV.
FEATURE_OPTIONS: tuple[str, ...] = ("embedding", "facts+embedding", "facts+rendered", "facts")
AUTO = "auto"

FactReader = Callable[[str], Mapping[str, Any]]


def fact_columns() -> list[str]:
    """Names of the fact feature columns, in vector order."""
    columns = list(NUMERIC_FACTS)
    columns += [f"sex={v}" for v in (*SEX_VALUES, "missing")]
    columns += [f"site={v}" for v in (*SITE_VALUES, "missing")]
    for name in BINARY_FACTS:
        columns += [f"{name}={v}" for v in (*BINARY_VALUES, "missing")]
    return columns


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return np.nan
    return number if np.isfinite(number) and number > 0 else np.nan


def _one_hot(value: Any, levels: Sequence[str], other: str | None = None) -> list[float]:
    """One-hot over ``levels`` then "missing"; a value outside ``levels`` counts as
    ``other`` where one is given, else as missing."""
    text = None if value is None else (str(value).strip().lower() or None)
    if text is not None and text not in levels:
        text = other
    return [*(float(text == level) for level in levels), float(text is None)]


def fact_vector(facts: Mapping[str, Any]) -> np.ndarray:
    """The feature vector of one note's facts (see :func:`fact_columns` for its layout).

    Facts absent from ``facts`` are "not mentioned"; names this table does not use are
    ignored.
    """
    row = [_number(facts.get(name)) for name in NUMERIC_FACTS]
    row += _one_hot(facts.get("sex"), SEX_VALUES)
    row += _one_hot(facts.get("site"), SITE_VALUES, other="other")
    for name in BINARY_FACTS:
        row += _one_hot(facts.get(name), BINARY_VALUES)
    return np.asarray(row, dtype=np.float32)


def default_reader(text: str) -> Mapping[str, Any]:
    """The facts that :func:`skinmm.text.facts.read_note` takes from a note."""
    from skinmm.text.facts import read_note

    return read_note(text).facts


def read_facts(notes: Sequence[str], reader: FactReader | None = None) -> list[Mapping[str, Any]]:
    """The facts of each note, each distinct note read once.

    Training notes repeat a great deal (HAM10000: ~29k notes, ~1.2k distinct), so reading
    each distinct text once keeps extraction off the training time.
    """
    read = reader or default_reader
    seen: dict[str, Mapping[str, Any]] = {}
    for note in notes:
        if note not in seen:
            seen[note] = read(note)
    return [seen[note] for note in notes]


def fact_matrix(notes: Sequence[str], reader: FactReader | None = None) -> np.ndarray:
    """Fact vectors of ``notes`` (n, len(fact_columns())), each distinct note read once."""
    return facts_to_matrix(read_facts(notes, reader))


def facts_to_matrix(facts: Sequence[Mapping[str, Any]]) -> np.ndarray:
    if not facts:
        return np.zeros((0, len(fact_columns())), dtype=np.float32)
    return np.vstack([fact_vector(f) for f in facts])


def rendered_notes(facts: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each note's facts written as one canonical English note ("" where none were read)."""
    from skinmm.text.facts import render_facts

    return [render_facts(f, "en") for f in facts]


def check_option(features: str) -> str:
    """``features`` if it names a feature option (or ``auto``); a clear error otherwise."""
    if features not in (*FEATURE_OPTIONS, AUTO):
        raise ValueError(
            f"Unknown text features {features!r}; use one of {', '.join((*FEATURE_OPTIONS, AUTO))}."
        )
    return features
