"""Fact dropout: training rows whose facts are masked to "not mentioned" at random.

A note met in a clinic rarely states every fact a training note does. Fact dropout adds
copies of each training case in which each fact is removed with a rate drawn per row from
``[0, max_rate]``, so the model sees every degree of incompleteness, not one fixed rate.
The text branch renders these records as notes (the reader then finds the facts missing);
the tabular reference reads the same records directly, so both meet the same dropout.

When dropout is on, held-out folds are scored on their cases' whole notes **and** on the
same cases with half their facts dropped (:data:`HELD_OUT_DROP`): rows built only to be
scored, never fitted on, so that the choice of rate (and of hyperparameters) weighs the
incomplete notes a clinic sends as much as the complete ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from skinmm.data.notes import drop_fields

# Candidate maximum rates for ``fact_dropout="auto"``, chosen by grouped CV on training.
DROPOUT_CANDIDATES: tuple[float, ...] = (0.3, 0.5, 0.7)
DEFAULT_COPIES = 3
# The rate at which scored-only copies of held-out cases lose facts (the target's condition).
HELD_OUT_DROP = 0.5

# Role of each augmented row: fitted and scored, fitted only, scored only.
WHOLE, DROPPED, HELD_OUT = 0, 1, 2

Record = Mapping[str, Any]


def check_dropout(value: Any) -> float | str | None:
    """``value`` as a fact-dropout setting: None (off), "auto", or a rate in (0, 1]."""
    if value is None or value == "auto":
        return value
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = np.nan
    if not 0 < rate <= 1:
        raise ValueError(
            f"fact dropout must be a maximum rate in (0, 1], 'auto' or None; got {value!r}."
        )
    return rate


def dropped_copies(
    records: Sequence[Record], max_rate: float, copies: int, rng: np.random.Generator
) -> list[dict[str, Any]]:
    """``copies`` copies of ``records``, each row's facts dropped at a rate drawn from
    ``[0, max_rate]`` for that row (deterministic for a seeded ``rng``)."""
    return [
        drop_fields(record, float(rng.uniform(0.0, max_rate)), rng)
        for _ in range(copies)
        for record in records
    ]


def dropout_design(
    records: Sequence[Record],
    max_rate: float,
    copies: int,
    seed: int | Sequence[int],
    *,
    held_out: bool,
) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    """Records with fact dropout: the whole records, ``copies`` dropped copies, and (with
    ``held_out``) one scored-only copy at :data:`HELD_OUT_DROP`.

    Returns the records, the input row each came from, and each row's role
    (:data:`WHOLE`, :data:`DROPPED`, :data:`HELD_OUT`).
    """
    seeds = np.random.SeedSequence(seed).spawn(2)
    n = len(records)
    rng = np.random.default_rng(seeds[0])
    out = [dict(r) for r in records] + dropped_copies(records, max_rate, copies, rng)
    roles = [np.full(n, WHOLE), np.full(n * copies, DROPPED)]
    if held_out:
        # Its own stream, so every rate is scored on the very same held-out copies.
        held_rng = np.random.default_rng(seeds[1])
        out += [drop_fields(r, HELD_OUT_DROP, held_rng) for r in records]
        roles.append(np.full(n, HELD_OUT))
    origin = np.tile(np.arange(n), len(out) // max(n, 1))
    return out, origin, np.concatenate(roles)
