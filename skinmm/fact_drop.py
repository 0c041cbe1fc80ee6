"""Facts left out of the note: what a bundle's image, text and fused decisions lose.

A clinic's note rarely states every fact the training notes did. For a labelled manifest with
structured note fields, each case's note is re-rendered (the same
:func:`skinmm.data.notes.render_note` the text branch was trained on) with each fact
independently left out at a rate r. One uniform draw per (case, fact) decides every rate: a
fact is dropped at r where its draw is below r, so a higher rate drops a superset of the facts
a lower one drops and the rates differ by the facts, not by reshuffled noise. The text branch
and every fusion read the very same notes at a rate; the image probabilities are computed once
by the caller and reused for all of them.

Every arm is scored with the same grouped bootstrap replicates (:mod:`skinmm.metrics`), so
"fused - image" and "text at r - text with every fact" are paired differences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from skinmm.data.notes import FIELD_UNITS, LANGS, note_fields, render_note, without_units
from skinmm.fusion import SELECTABLE, fuse
from skinmm.metrics import (
    CLINICAL_FIGURES,
    N_BOOTSTRAP,
    Statistic,
    bootstrap,
    interval,
    paired_difference,
    report_statistic,
)
from skinmm.triage import risk_classes

if TYPE_CHECKING:
    import pandas as pd

    from skinmm.bundle import Bundle

RATES: tuple[float, ...] = (0.0, 0.3, 0.5, 0.7)
# The condition: "with 50% of facts dropped".
TARGET_RATE = 0.5
Arms = dict[str, np.ndarray]


@dataclass(frozen=True)
class DropCondition:
    """One rate: which facts each case lost (``mask[i, j]``: fact ``units[j]`` of case ``i``)
    and the notes rendered without them."""

    rate: float
    units: tuple[tuple[str, ...], ...]
    mask: np.ndarray
    notes: list[str]


def fact_units(frame: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    """The clinical facts (field units dropped together) that the manifest carries."""
    present = set(note_fields(frame))
    return tuple(unit for unit in FIELD_UNITS if present.intersection(unit))


def drop_draws(n_cases: int, n_facts: int, seed: int) -> np.ndarray:
    """One uniform draw in [0, 1) per (case, fact), seeded."""
    return np.random.default_rng(seed).random((n_cases, n_facts))


def without_facts(
    records: Sequence[Mapping[str, Any]], units: Sequence[tuple[str, ...]], mask: np.ndarray
) -> list[dict[str, Any]]:
    """Copies of ``records`` with the masked facts set to missing."""
    return [
        without_units(record, [u for u, dropped in zip(units, row, strict=True) if dropped])
        for record, row in zip(records, mask, strict=True)
    ]


def drop_conditions(
    frame: pd.DataFrame, rates: Sequence[float] = RATES, seed: int = 0, lang: str = "en"
) -> list[DropCondition]:
    """The manifest's notes at each rate, from one set of draws (see the module docstring)."""
    if lang not in LANGS:
        raise ValueError(f"Unknown note language {lang!r}; use one of {', '.join(LANGS)}.")
    bad = [r for r in rates if not 0.0 <= r <= 1.0]
    if bad:
        raise ValueError(f"Drop rates must lie in [0, 1]; got {bad}.")
    units = fact_units(frame)
    if not units:
        raise ValueError("The manifest has no structured note fields to drop facts from.")
    records = frame[note_fields(frame)].to_dict("records")
    draws = drop_draws(len(records), len(units), seed)
    out = []
    for rate in rates:
        mask = draws < rate
        notes = [render_note(r, lang) for r in without_facts(records, units, mask)]
        out.append(DropCondition(float(rate), units, mask, notes))
    return out


def condition_arms(
    bundle: Bundle, image_p: np.ndarray, condition: DropCondition, rules: Sequence[str] = ()
) -> Arms:
    """Text, the bundle's fusion and each extra fusion rule on one condition's notes: one text
    pass, so every fused arm reads exactly the notes the text arm read."""
    from skinmm.evaluate import text_probabilities

    text_p = text_probabilities(bundle, condition.notes, desc=f"text, drop {condition.rate:g}")
    params = bundle.fusion.params
    arms = {"text": text_p, "fused": fuse(image_p, text_p, bundle.fusion.rule, params).proba}
    for rule in rules:
        arms[f"rule:{rule}"] = fuse(image_p, text_p, rule, params).proba
    return arms


def _present(p: np.ndarray) -> np.ndarray:
    return ~np.isnan(p).any(axis=1)


def _scored(
    y: np.ndarray, proba: np.ndarray, codes: Sequence[str], positive: Sequence[int]
) -> Statistic:
    """The report's bootstrappable figures on the rows where ``proba`` has a prediction."""
    rows = np.flatnonzero(_present(proba))
    return report_statistic(y, np.nan_to_num(proba), codes, rows, positive)


def _figures(point: Mapping[str, float], draws: Mapping[str, np.ndarray]) -> dict[str, Any]:
    return {f: {"value": round(point[f], 4), "ci": interval(draws[f])} for f in CLINICAL_FIGURES}


def _differences(
    point: Mapping[str, Mapping[str, float]],
    draws: Mapping[str, Mapping[str, np.ndarray]],
    a: str,
    b: str,
) -> dict[str, Any]:
    out = {}
    for f in CLINICAL_FIGURES:
        pa, pb = point[a][f], point[b][f]
        out[f] = paired_difference(
            None if np.isnan(pa) else pa, None if np.isnan(pb) else pb, draws[a][f], draws[b][f]
        )
    return out


def falls_below(differences: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The figures whose paired difference is below zero beyond the bootstrap's noise."""
    return [f for f, d in differences.items() if d["verdict"] == "lower"]


def fact_drop_study(
    bundle: Bundle,
    frame: pd.DataFrame,
    image_p: np.ndarray,
    *,
    rates: Sequence[float] = RATES,
    seed: int = 0,
    lang: str = "en",
    rules: Sequence[str] | None = None,
    n_boot: int = N_BOOTSTRAP,
    progress: bool = True,
) -> dict[str, Any]:
    """Image, text and fused figures of ``bundle`` on ``frame`` with facts dropped per rate.

    ``image_p`` are the image branch's probabilities of ``frame``'s rows (computed once by the
    caller). ``rules``: further fusion rules scored on the same notes (default: every
    selectable rule other than the bundle's own). Figures are :data:`CLINICAL_FIGURES` with
    grouped 95% intervals; each rate adds ``fused - image`` and ``text - text with every
    fact`` as paired differences.
    """
    codes, positive = bundle.codes, risk_classes(bundle.classes)
    y = frame["label"].map({c: i for i, c in enumerate(codes)}).to_numpy(dtype=int)
    rules = [r for r in SELECTABLE if r != bundle.fusion.rule] if rules is None else rules
    conditions = drop_conditions(frame, rates, seed, lang)
    arms: Arms = {"image": image_p}
    for condition in conditions:
        for name, proba in condition_arms(bundle, image_p, condition, rules).items():
            arms[f"{name}@{condition.rate:g}"] = proba
    statistics = {name: _scored(y, proba, codes, positive) for name, proba in arms.items()}
    point = {name: s(np.ones(len(y))) for name, s in statistics.items()}
    draws = bootstrap(statistics, frame["group_id"].tolist(), n_boot, seed=0, progress=progress)
    report: dict[str, Any] = {
        "n_cases": len(y),
        "n_groups": int(frame["group_id"].nunique()),
        "facts": ["+".join(u) for u in conditions[0].units] if conditions else [],
        "lang": lang,
        "seed": seed,
        "fusion_rule": bundle.fusion.rule,
        "figures": list(CLINICAL_FIGURES),
        "bootstrap": {"replicates": n_boot, "groups": "group_id", "seed": 0},
        "image": _figures(point["image"], draws["image"]) | {"n": int(_present(image_p).sum())},
        "rates": {},
    }
    whole = f"text@{conditions[0].rate:g}" if conditions else None
    for condition in conditions:
        report["rates"][f"{condition.rate:g}"] = _rate_report(
            condition, arms, point, draws, rules, whole
        )
    return report


def _rate_report(
    condition: DropCondition,
    arms: Arms,
    point: Mapping[str, Mapping[str, float]],
    draws: Mapping[str, Mapping[str, np.ndarray]],
    rules: Sequence[str],
    whole: str | None,
) -> dict[str, Any]:
    tag = f"@{condition.rate:g}"
    text_p = arms["text" + tag]
    fused_minus_image = _differences(point, draws, "fused" + tag, "image")
    out: dict[str, Any] = {
        "share_of_facts_dropped": round(float(condition.mask.mean()), 4),
        "share_of_notes_left_empty": round(float(1 - _present(text_p).mean()), 4),
        "text": _figures(point["text" + tag], draws["text" + tag])
        | {"n": int(_present(text_p).sum())},
        "fused": _figures(point["fused" + tag], draws["fused" + tag]),
        "fused_minus_image": fused_minus_image,
        "fused_below_image": falls_below(fused_minus_image),
    }
    if whole is not None and whole != "text" + tag:
        out["text_minus_text_whole_notes"] = _differences(point, draws, "text" + tag, whole)
    out["rules"] = {}
    for rule in rules:
        name = f"rule:{rule}{tag}"
        minus = _differences(point, draws, name, "image")
        out["rules"][rule] = {
            "figures": _figures(point[name], draws[name]),
            "minus_image": minus,
            "below_image": falls_below(minus),
        }
    return out
