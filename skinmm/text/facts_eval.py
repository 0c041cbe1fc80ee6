"""Fact extraction measured on notes whose truth is known (issue 16, the unseen-wording set).

A predicted fact is right when its value equals the truth (diameters within 0.5 mm,
durations within half a month). Per fact:
precision = right / predicted, recall = right / stated in the truth; a negated fact read as
present is wrong twice (a false positive and a missed truth). Present/absent facts are also
scored per value ("itch=absent"), so a reader that never sees negations cannot hide behind
the pooled figure. Intervals: percentile bootstrap over notes (skinmm.metrics, 1,000
replicates, seed 0).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from skinmm.metrics import N_BOOTSTRAP, group_weights, interval
from skinmm.text.facts import FACT_NAMES, POLAR_FACTS, FactValue, read_note

# Issue 16's targets for extraction on unseen wording.
TARGETS: dict[str, float] = {"age": 0.95, "sex": 0.95, "site": 0.95} | dict.fromkeys(
    ("itch", "grew", "hurt", "changed", "bleed"), 0.90
)


def load_records(path: Path) -> list[dict[str, Any]]:
    """The notes of a JSON-lines set: ``{"id", "lang", "note", "facts"}`` per line."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _same(name: str, a: FactValue, b: FactValue) -> bool:
    if name in ("diameter_mm", "duration_months"):
        return abs(float(a) - float(b)) <= 0.5
    return a == b


def _keys(name: str, value: FactValue) -> list[str]:
    """The scoring keys a fact counts towards: its name, and name=value for polar facts."""
    return [name, f"{name}={value}"] if name in POLAR_FACTS else [name]


def _counts(truth: Mapping[str, FactValue], pred: Mapping[str, FactValue]) -> dict[str, list[int]]:
    """Per key, [right, predicted, stated] for one note."""
    out: dict[str, list[int]] = {}
    for name, value in pred.items():
        right = name in truth and _same(name, truth[name], value)
        for key in _keys(name, value):
            out.setdefault(key, [0, 0, 0])
            out[key][0] += right
            out[key][1] += 1
    for name, value in truth.items():
        for key in _keys(name, value):
            out.setdefault(key, [0, 0, 0])[2] += 1
    return out


def _figures(rows: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    w = np.ones(len(rows)) if weights is None else weights
    right, predicted, stated = (float(np.dot(w, rows[:, i])) for i in range(3))
    precision = right / predicted if predicted else float("nan")
    recall = right / stated if stated else float("nan")
    return precision, recall


def _score(counts: Sequence[dict[str, list[int]]], n_boot: int) -> dict[str, Any]:
    keys = sorted({k for c in counts for k in c}, key=_key_order)
    replicates = list(group_weights(range(len(counts)), n_boot, seed=0))
    out: dict[str, Any] = {}
    for key in keys:
        rows = np.array([c.get(key, [0, 0, 0]) for c in counts], dtype=np.float64)
        precision, recall = _figures(rows)
        draws = np.array([_figures(rows, w) for w in replicates]).reshape(-1, 2)
        out[key] = {
            "precision": _round(precision),
            "recall": _round(recall),
            "precision_ci": interval(draws[:, 0]),
            "recall_ci": interval(draws[:, 1]),
            "n_stated": int(rows[:, 2].sum()),
            "n_predicted": int(rows[:, 1].sum()),
        }
    return out


def _key_order(key: str) -> tuple[int, str]:
    name = key.split("=")[0]
    return (FACT_NAMES.index(name) if name in FACT_NAMES else len(FACT_NAMES), key)


def _round(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 4)


def _targets(per_fact: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for name, target in TARGETS.items():
        keys = [name] + (
            [f"{name}={v}" for v in ("present", "absent")] if name in POLAR_FACTS else []
        )
        figures = [per_fact[k][m] for k in keys if k in per_fact for m in ("precision", "recall")]
        met = bool(figures) and all(f is not None and f >= target for f in figures)
        out[name] = {"target": target, "met": met}
    return out


def evaluate_extraction(
    records: Iterable[Mapping[str, Any]], n_boot: int = N_BOOTSTRAP
) -> dict[str, Any]:
    """Per-fact precision and recall of :func:`read_note` on notes with known truth.

    Returns overall figures, figures per note language, the issue's targets (met only when
    the fact's pooled and per-value precision and recall all reach the target) and the notes
    with any error, for reading.
    """
    records = list(records)
    # A set scores the facts it records: one written before the reader read durations
    # cannot say whether a duration it reads is right.
    scored = {name for r in records for name in r["facts"]}
    readings = [read_note(r["note"]) for r in records]
    read = [{k: v for k, v in reading.facts.items() if k in scored} for reading in readings]
    counts = [_counts(r["facts"], facts) for r, facts in zip(records, read, strict=True)]
    overall = _score(counts, n_boot)
    by_language = {
        lang: _score([c for c, r in zip(counts, records, strict=True) if r["lang"] == lang], n_boot)
        for lang in sorted({r["lang"] for r in records})
    }
    errors = [
        {"id": r["id"], "note": r["note"], "truth": r["facts"], "read": facts}
        for r, facts in zip(records, read, strict=True)
        if facts != r["facts"]
    ]
    return {
        "n_notes": len(records),
        "n_notes_by_language": {
            lang: sum(r["lang"] == lang for r in records) for lang in by_language
        },
        "notes_read_exactly": len(records) - len(errors),
        "per_fact": overall,
        "per_fact_by_language": by_language,
        "targets": _targets(overall),
        "targets_by_language": {lang: _targets(s) for lang, s in by_language.items()},
        "errors": errors,
    }


# What each set of tests/data was for (docs/note-reader.md tells the story).
SET_ROLES: dict[str, str] = {
    "unseen_notes_a": "development: the reader was built and corrected on these phrasings",
    "unseen_notes_b": (
        "held out at first (its first-run figures are in docs/note-reader.md), then used "
        "to extend the reader's vocabulary"
    ),
    "unseen_notes_c": "held out: written last; see docs/note-reader.md for what changed after",
    "unseen_notes_d": (
        "written blind and read once (docs/results/note_extraction_heldout_d.json), then "
        "used to extend the reader: development"
    ),
    "unseen_notes_e": (
        "written blind and read once (docs/results/note_extraction_heldout_e.json), then "
        "used to add the record-format rules: development"
    ),
    "unseen_notes_f": (
        "written blind and read once (docs/results/note_extraction_heldout_f.json), then "
        "used to add the lay-wording, abbreviation and spoken-Chinese rules: development"
    ),
    "unseen_notes_g": (
        "written blind and read once (docs/results/note_extraction_heldout_g.json), then "
        "used to add the self-report, lay-site, hedge-scope and partner rules: development"
    ),
}
MAX_ERRORS_LISTED = 40


def evaluate_sets(paths: Sequence[Path], n_boot: int = N_BOOTSTRAP) -> dict[str, Any]:
    """:func:`evaluate_extraction` for each set, keyed by file name, errors capped for reading."""
    out: dict[str, Any] = {}
    for path in paths:
        result = evaluate_extraction(load_records(path), n_boot)
        result["role"] = SET_ROLES.get(path.stem, "")
        result["errors"] = result["errors"][:MAX_ERRORS_LISTED]
        out[path.stem] = result
    return {"sets": out}
