"""`skinmm evaluate`: the paper's figures for a bundle on any labelled manifest.

Writes ``metrics.json`` (branches, every fusion rule, compensation values, agreement,
unmapped labels), ``predictions.csv`` (one row per case) and PNG plots. A manifest from
another source only needs labels that map onto the bundle's classes: its own class codes,
or taxonomy codes that one bundle class covers. Rows that do not map are counted and
reported, never silently dropped.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from skinmm.branch import ImageModel
from skinmm.bundle import Bundle, update_card
from skinmm.cache import default_cache_dir
from skinmm.conformal import DEFAULT_LEVEL, LEVELS, level_key, sets_by_mode
from skinmm.data.datasets import data_dir
from skinmm.data.manifest import read_manifest
from skinmm.data.notes import note_fields, render_notes
from skinmm.fusion import RULES, fuse
from skinmm.metrics import (
    CI_LEVEL,
    N_BOOTSTRAP,
    agreement_rate,
    binary_sens_spec,
    bootstrap,
    classification_report,
    compensation,
    intervals,
    paired_difference,
    per_class_dict,
    report_statistic,
    risk_coverage,
    risk_score,
    sens_spec_statistic,
    set_coverage,
    triage_curve,
)
from skinmm.scope_metrics import case_verdicts, scope_report
from skinmm.taxonomy import DatasetClass, label_mapper
from skinmm.triage import risk_classes


def map_labels(frame: pd.DataFrame, classes: Sequence[DatasetClass]) -> tuple[pd.DataFrame, dict]:
    """Keep the rows whose label maps onto the bundle; report the others."""
    mapping = label_mapper(classes)
    mapped = frame["label"].map(mapping)
    dropped = frame.loc[mapped.isna(), "label"]
    kept = frame.loc[mapped.notna()].copy()
    kept["label"] = mapped[mapped.notna()]
    unmapped = {
        "count": len(dropped),
        "labels": {str(k): int(v) for k, v in dropped.value_counts().items()},
    }
    return kept.reset_index(drop=True), unmapped


# Rows per streamed chunk: bounds the activations held at once (about 277 KB a row for
# Lite2's trunk) whatever the manifest's length; the cache is filled as the chunks go.
CHUNK = 256


def _chunks(n: int, size: int | None = None) -> list[slice]:
    size = size or CHUNK
    return [slice(s, min(s + size, n)) for s in range(0, n, size)]


def image_probabilities(
    branch: ImageModel, paths: Sequence[str], cache_dir: Path | None, progress: bool = True
) -> np.ndarray:
    """An image branch on every path, streamed in chunks ("" marks a row without image)."""
    out = np.full((len(paths), len(branch.classes_)), np.nan)
    rows = np.flatnonzero(np.asarray(paths, dtype=object) != "")
    bar = tqdm(total=len(rows), desc="image branch", unit="img", disable=not progress)
    for part in _chunks(len(rows)):
        chunk = rows[part]
        chunk_paths = [paths[i] for i in chunk]
        out[chunk] = branch.predict_proba_paths(chunk_paths, cache_dir=cache_dir)
        bar.update(len(chunk))
    bar.close()
    return out


def text_probabilities(
    bundle: Bundle, notes: Sequence[str], progress: bool = True, desc: str = "text branch"
) -> np.ndarray:
    """The text branch on every note, in chunks (all-NaN rows where there is no note)."""
    out = np.full((len(notes), len(bundle.classes)), np.nan)
    bar = tqdm(total=len(notes), desc=desc, unit="note", disable=not progress)
    for part in _chunks(len(notes), 4 * CHUNK):
        out[part] = bundle.text.predict_proba(list(notes[part]))
        bar.update(part.stop - part.start)
    bar.close()
    return out


def branch_probabilities(
    bundle: Bundle,
    frame: pd.DataFrame,
    notes: list[str],
    cache_dir: Path | None,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Each branch's probabilities for a manifest; NaN rows where an input is missing."""
    paths = frame["image_path"].astype(str).tolist()
    image_p = image_probabilities(bundle.image, paths, cache_dir, progress)
    return image_p, text_probabilities(bundle, notes, progress)


def _present(p: np.ndarray) -> np.ndarray:
    return ~np.isnan(p).any(axis=1)


def _decided(bundle: Bundle, image_p: np.ndarray, text_p: np.ndarray, rule: str) -> np.ndarray:
    """Fused probabilities of ``rule`` with the bundle's prior corrections, decided by plain
    argmax: the paper's comparison of rules."""
    params = dataclasses.replace(bundle.fusion.params, decision_power=0.0)
    return fuse(image_p, text_p, rule, params).proba


def guarantee(reports: dict[str, Any], codes: Sequence[str], n_cases: int) -> dict[str, Any]:
    """The paper's guarantee per class: fused F1 at least the lower of the two branches' F1,
    on the cases with both inputs. Over zero cases it is not evaluated, never "holds"."""
    if n_cases == 0:
        return {"status": "not evaluated", "holds_everywhere": None, "n_cases": 0, "per_class": {}}
    rows = {}
    for code in codes:
        f1 = {k: reports[k]["per_class"][code]["f1"] for k in ("image", "text", "fused")}
        rows[code] = {**f1, "holds": f1["fused"] >= min(f1["image"], f1["text"]) - 1e-12}
    holds = all(r["holds"] for r in rows.values())
    return {
        "status": "holds" if holds else "fails",
        "holds_everywhere": holds,
        "n_cases": n_cases,
        "per_class": rows,
    }


def sensitivity_guarantee(
    image: dict[str, Any], fused: dict[str, Any], risk_codes: Sequence[str]
) -> dict[str, Any]:
    """The new guarantee: fused recall never below the image's on each malignant and
    premalignant class, on the cases that have an image. A class without case is not
    evaluated; neither is the whole with no case at all."""
    rows = {}
    for code in risk_codes:
        support = image["per_class"][code]["support"]
        if not support:
            rows[code] = {"status": "not evaluated", "support": 0}
            continue
        r_img, r_fus = image["per_class"][code]["recall"], fused["per_class"][code]["recall"]
        holds = r_fus >= r_img - 1e-12
        rows[code] = {"image": r_img, "fused": r_fus, "support": support, "holds": holds}
    judged = [r["holds"] for r in rows.values() if "holds" in r]
    status = "not evaluated" if not judged else ("holds" if all(judged) else "fails")
    return {
        "status": status,
        "holds_everywhere": all(judged) if judged else None,
        "n_cases": image["n_cases"],
        "classes": list(risk_codes),
        "per_class": rows,
    }


def _labels(frame: pd.DataFrame, codes: Sequence[str]) -> np.ndarray:
    return frame["label"].map({c: i for i, c in enumerate(codes)}).to_numpy(dtype=int)


def _probability_sets(
    bundle: Bundle, image_p: np.ndarray, text_p: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every scored set of probabilities with the rows it covers: each branch on the cases it
    saw, the fusion on every case (with the app's per-case fallback)."""
    everyone = np.ones(len(image_p), dtype=bool)
    fused = fuse(image_p, text_p, bundle.fusion.rule, bundle.fusion.params).proba
    sets = {
        "image": (image_p, _present(image_p)),
        "text": (text_p, _present(text_p)),
        "fused": (fused, everyone),
        "fused_argmax": (_decided(bundle, image_p, text_p, bundle.fusion.rule), everyone),
        # The fusion on the image's own cases: what a paired fused - image difference compares.
        "fused_on_image_cases": (fused, _present(image_p)),
    }
    sets.update({f"rule:{r}": (_decided(bundle, image_p, text_p, r), everyone) for r in RULES})
    return sets


def _with_ci(report: dict[str, Any], draws: dict[str, np.ndarray]) -> dict[str, Any]:
    """``ci`` beside each figure: top-level figures in ``report["ci"]``, per-class figures in
    each class's own ``ci``."""
    ci = intervals(draws)
    report["ci"] = {k: v for k, v in ci.items() if "/" not in k}
    for code, row in report["per_class"].items():
        row["ci"] = {m: ci.get(f"{m}/{code}") for m in ("recall", "precision", "auc")}
    return report


DIFFERENCE_FIGURES = (
    "weighted_f1",
    "balanced_accuracy",
    "macro_f1",
    "auc_macro",
    "malignant_sensitivity",
    "malignant_specificity",
)


def _differences(
    draws: dict[str, dict[str, np.ndarray]],
    estimates: dict[str, dict[str, float]],
    codes: Sequence[str],
    risk_codes: Sequence[str],
) -> dict[str, Any]:
    """Paired fused - image differences on the image's cases, each with its verdict."""
    if "image" not in draws:
        return {}
    figures = [*DIFFERENCE_FIGURES, *(f"recall/{c}" for c in risk_codes)]
    out = {}
    for figure in figures:
        a, b = estimates["fused_on_image_cases"][figure], estimates["image"][figure]
        out[figure] = paired_difference(
            None if np.isnan(a) else a,
            None if np.isnan(b) else b,
            draws["fused_on_image_cases"][figure],
            draws["image"][figure],
        )
    return out


def triage_report(
    bundle: Bundle, y: np.ndarray, fused: np.ndarray, positive: Sequence[int]
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """The triage block (without intervals), each case's score and referral."""
    point = bundle.card.get("triage") or {}
    score = risk_score(fused, positive)
    threshold = point.get("threshold")
    refer = score >= threshold if threshold is not None else np.zeros(len(y), dtype=bool)
    sens, spec = binary_sens_spec(y, refer, positive) if threshold is not None else (None, None)
    report = {
        "classes": [bundle.codes[k] for k in positive],
        "threshold": threshold,
        "target_sensitivity": point.get("target_sensitivity"),
        "validation": point.get("validation"),
        "sensitivity": sens,
        "specificity": spec,
        "n_cases": len(y),
        "n_referred": int(refer.sum()),
        "curve": triage_curve(y, score, positive),
    }
    return report, score, refer


def _branch_sets(
    bundle: Bundle, image_p: np.ndarray, text_p: np.ndarray, level: float
) -> dict[str, tuple[np.ndarray, np.ndarray] | None]:
    """Each branch's conformal sets on its own cases, and the fusion's on every case (a
    fallback row under its branch's calibration); None where the card has no thresholds."""
    block = bundle.card.get("conformal")
    result = fuse(image_p, text_p, bundle.fusion.rule, bundle.fusion.params)
    out: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
    for name, proba, mode in (("image", image_p, "image-only"), ("text", text_p, "text-only")):
        rows = _present(proba)
        member = sets_by_mode(block, proba[rows], [mode] * int(rows.sum()), bundle.codes, level)
        out[name] = None if member is None else (member, rows)
    fused = sets_by_mode(block, result.proba, result.mode, bundle.codes, level)
    out["fused"] = None if fused is None else (fused, np.ones(len(image_p), dtype=bool))
    return out


def conformal_report(
    bundle: Bundle, y: np.ndarray, image_p: np.ndarray, text_p: np.ndarray
) -> dict[str, Any]:
    """Coverage (overall, per class) and set size per level, branch and fusion; empty for a
    bundle calibrated before conformal sets existed."""
    out: dict[str, Any] = {}
    for level in LEVELS:
        sets = _branch_sets(bundle, image_p, text_p, level)
        out[level_key(level)] = {
            name: set_coverage(y[pair[1]], pair[0], bundle.codes)
            for name, pair in sets.items()
            if pair is not None
        }
    return out if any(out.values()) else {}


def risk_coverage_report(
    y: np.ndarray, sets: dict[str, tuple[np.ndarray, np.ndarray]]
) -> dict[str, Any]:
    """Abstention on the least confident cases: each branch on its own cases, the fusion on
    all."""
    return {
        name: risk_coverage(y[sets[name][1]], sets[name][0][sets[name][1]])
        for name in ("image", "text", "fused")
    }


def compute_metrics(
    bundle: Bundle,
    frame: pd.DataFrame,
    image_p: np.ndarray,
    text_p: np.ndarray,
    *,
    n_boot: int = N_BOOTSTRAP,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Every figure of the report, each branch on its own cases, with grouped intervals."""
    codes = bundle.codes
    positive = risk_classes(bundle.classes)
    risk_codes = [codes[k] for k in positive]
    y = _labels(frame, codes)
    sets = _probability_sets(bundle, image_p, text_p)
    reports = {
        name: classification_report(y[rows], p[rows], codes, positive)
        for name, (p, rows) in tqdm(sets.items(), desc="reports", disable=not progress)
    }
    triage, _, refer = triage_report(bundle, y, sets["fused"][0], positive)
    statistics = {
        name: report_statistic(y, p, codes, rows, positive)
        for name, (p, rows) in sets.items()
        if rows.any()
    }
    everyone = np.ones(len(y), dtype=bool)
    if triage["threshold"] is not None:
        statistics["triage"] = sens_spec_statistic(y, refer, positive, everyone)
    groups = frame["group_id"].astype(str).to_numpy()
    draws = bootstrap(statistics, groups, n_boot, seed, progress)
    estimates = {name: stat(np.ones(len(y))) for name, stat in statistics.items()}
    for name in statistics:
        if name != "triage":
            _with_ci(reports[name], draws[name])
    if "triage" in draws:
        triage["ci"] = intervals(draws["triage"])
    both = _present(image_p) & _present(text_p)
    both_reports = {
        k: classification_report(y[both], sets[k][0][both], codes) for k in ("image", "text")
    }
    both_reports["fused"] = classification_report(y[both], sets["fused"][0][both], codes)
    image_pred, text_pred = image_p[both].argmax(1), text_p[both].argmax(1)
    return {
        "image": reports["image"],
        "text": reports["text"],
        "fused": reports["fused"],
        "fused_argmax": reports["fused_argmax"],
        "rule": bundle.fusion.rule,
        "decision": {
            "kind": "prior-corrected argmax",
            "power": bundle.fusion.params.decision_power,
        },
        "fusion_rules": {r: reports[f"rule:{r}"] for r in RULES},
        "fused_minus_image": _differences(draws, estimates, codes, risk_codes),
        "triage": triage,
        "conformal": conformal_report(bundle, y, image_p, text_p),
        "risk_coverage": risk_coverage_report(y, sets),
        "text_compensating_image": per_class_dict(
            compensation(y[both], image_pred, text_pred, len(codes)), codes
        ),
        "image_compensating_text": per_class_dict(
            compensation(y[both], text_pred, image_pred, len(codes)), codes
        ),
        "agreement_rate": agreement_rate(image_pred, text_pred) if both.any() else None,
        "guarantee": guarantee(both_reports, codes, int(both.sum())),
        "sensitivity_guarantee": sensitivity_guarantee(
            reports["image"], reports["fused_on_image_cases"], risk_codes
        ),
        "bootstrap": {
            "replicates": n_boot,
            "seed": seed,
            "resampled": "groups (group_id: lesion or patient)",
            "n_groups": len(set(groups)),
            "level": CI_LEVEL,
        },
        "classes": codes,
        "n_cases": len(y),
        "n_with_both_inputs": int(both.sum()),
        "n_without_both_inputs": int((~both).sum()),
    }


def per_source_metrics(
    bundle: Bundle,
    frame: pd.DataFrame,
    image_p: np.ndarray,
    text_p: np.ndarray,
    n_boot: int = N_BOOTSTRAP,
    seed: int = 0,
) -> dict[str, Any]:
    """Every figure of the report for each source of a merged manifest (`skinmm merge`):
    a pooled figure can hide that one source got worse. Empty for a single source."""
    if "source" not in frame.columns or frame["source"].nunique() < 2:
        return {}
    out = {}
    for source in sorted(frame["source"].astype(str).unique()):
        rows = (frame["source"].astype(str) == source).to_numpy()
        part = frame[rows].reset_index(drop=True)
        out[source] = compute_metrics(
            bundle, part, image_p[rows], text_p[rows], n_boot=n_boot, seed=seed, progress=False
        )
    return out


def _portable(path: str) -> str:
    """An image path relative to the data folder where it lies inside it, so that a report
    committed with a bundle finds its images on any machine through ``SKINMM_DATA``."""
    if not path:
        return path
    root = data_dir().resolve()
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def predictions_table(
    bundle: Bundle,
    frame: pd.DataFrame,
    image_p: np.ndarray,
    text_p: np.ndarray,
    decimals: int | None = 6,
) -> pd.DataFrame:
    """One row per case: inputs, each branch's and the fused probabilities, predictions,
    triage and the conformal set. ``decimals=None`` keeps full precision (Parquet shards)."""
    result = fuse(image_p, text_p, bundle.fusion.rule, bundle.fusion.params)
    table = frame[["case_id", "label", "image_path", "note"]].copy()
    table["image_path"] = table["image_path"].map(_portable)
    codes = bundle.codes
    for name, proba in (("image", image_p), ("text", text_p), ("fused", result.proba)):
        for k, code in enumerate(codes):
            column = proba[:, k]
            table[f"{name}_{code}"] = column if decimals is None else np.round(column, decimals)
        valid = ~np.isnan(proba).any(axis=1)
        table[f"{name}_pred"] = np.where(valid, np.array(codes)[np.nan_to_num(proba).argmax(1)], "")
    table["mode"] = result.mode
    positive = risk_classes(bundle.classes)
    threshold = (bundle.card.get("triage") or {}).get("threshold")
    score = risk_score(result.proba, positive)
    table["triage_score"] = score if decimals is None else np.round(score, decimals)
    table["triage_refer"] = (score >= threshold).astype(int) if threshold is not None else ""
    level = float((bundle.card.get("conformal") or {}).get("default_level", DEFAULT_LEVEL))
    member = sets_by_mode(bundle.card.get("conformal"), result.proba, result.mode, codes, level)
    table["fused_set"] = (
        "" if member is None else ["|".join(np.array(codes)[row]) for row in member]
    )
    return table


def _headline(
    y: np.ndarray, proba: np.ndarray, codes: list[str], positive: Sequence[int]
) -> dict[str, Any]:
    report = classification_report(y, proba, codes, positive)
    keys = ("weighted_f1", "macro_f1", "balanced_accuracy", "malignant_sensitivity", "n_cases")
    return {m: report[m] for m in keys}


def field_dropout_study(
    bundle: Bundle, frame: pd.DataFrame, image_p: np.ndarray, rates: Sequence[float], seed: int
) -> dict[str, Any]:
    """Text and fused metrics when a share of each note's facts is left out (MetaBlock-SE).

    A note that loses every fact is empty: the text branch abstains and the fusion falls back
    to the image, as it would in the app. Text figures cover the notes that kept some text.
    """
    if not note_fields(frame):
        return {}
    codes = bundle.codes
    positive = risk_classes(bundle.classes)
    y = _labels(frame, codes)
    has_image = _present(image_p)
    out = {}
    for rate in rates:
        notes = render_notes(frame, "en", drop=rate, rng=np.random.default_rng(seed))
        text_p = text_probabilities(bundle, notes, desc=f"field dropout {rate:g}")
        has_text = _present(text_p)
        fused = fuse(image_p, text_p, bundle.fusion.rule, bundle.fusion.params).proba
        out[f"{rate:g}"] = {
            "image": _headline(y[has_image], image_p[has_image], codes, positive),
            "text": _headline(y[has_text], text_p[has_text], codes, positive),
            "fused": _headline(y, fused, codes, positive),
            "share_of_notes_left_empty": float(1 - has_text.mean()),
        }
    return out


# What an engine hands evaluate_bundle: image and text probabilities, and the scope verdict of
# each row (None: not computed, so the report runs the gate itself).
BranchOutputs = tuple[np.ndarray, np.ndarray, list[str] | None]


def evaluate_bundle(
    bundle: Bundle,
    manifest: Path,
    out: Path,
    *,
    cache_dir: Path | None = None,
    field_dropout: Sequence[float] = (),
    seed: int = 0,
    plots: bool = True,
    n_boot: int = N_BOOTSTRAP,
    progress: bool = True,
    probabilities: Callable[[pd.DataFrame], BranchOutputs] | None = None,
) -> dict[str, Any]:
    """Evaluate ``bundle`` on ``manifest`` and write the report into ``out``.

    The branches run over the manifest in chunks (memory bounded by the chunk, not the
    manifest), and every stage shows its progress on standard error. ``probabilities``
    replaces that step (frame -> image and text probabilities, and the scope verdicts
    where it has them): ``skinmm evaluate --engine ray`` reads them from
    :mod:`skinmm.batch`'s shards, so the gate does not run a second time.
    """
    frame = read_manifest(manifest)
    frame, unmapped = map_labels(frame[frame["label"] != ""], bundle.classes)
    if frame.empty:
        raise ValueError(f"No row of {manifest} has a label that maps onto {bundle.codes}.")
    cache_dir = cache_dir or default_cache_dir()
    verdicts: list[str] | None = None
    if probabilities is None:
        image_p, text_p = branch_probabilities(
            bundle, frame, frame["note"].tolist(), cache_dir, progress
        )
    else:
        image_p, text_p, verdicts = probabilities(frame)
    metrics = compute_metrics(
        bundle, frame, image_p, text_p, n_boot=n_boot, seed=seed, progress=progress
    )
    metrics["unmapped"] = unmapped
    metrics["manifest"] = str(manifest)
    metrics["by_source"] = per_source_metrics(bundle, frame, image_p, text_p, n_boot, seed)
    if field_dropout:
        metrics["field_dropout"] = field_dropout_study(bundle, frame, image_p, field_dropout, seed)
    if verdicts is None:
        paths = frame["image_path"].astype(str).tolist()
        verdicts = case_verdicts(bundle, paths, cache_dir, progress)
    metrics["scope"] = scope_report(
        bundle, frame, image_p, text_p, verdicts, n_boot=n_boot, seed=seed, progress=progress
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1, allow_nan=True) + "\n")
    table = predictions_table(bundle, frame, image_p, text_p)
    table["scope"] = verdicts  # never a dropped row: "" where there was no image to check
    table.to_csv(out / "predictions.csv", index=False)
    if plots:
        from skinmm.plots import write_plots

        if progress:
            print("plots ...", file=sys.stderr, flush=True)
        write_plots(metrics, out)
    _record_in_card(bundle, out, metrics)
    return metrics


SUMMARY_KEYS = (
    "weighted_f1",
    "weighted_precision",
    "weighted_recall",
    "macro_f1",
    "balanced_accuracy",
    "auc_macro",
    "ece",
    "malignant_sensitivity",
    "malignant_specificity",
)


def _round(value: Any) -> Any:
    return None if value is None else round(float(value), 4)


def summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """The headline figures, as stored in the model card, with their intervals."""
    out: dict[str, Any] = {}
    for k in ("image", "text", "fused"):
        report = metrics[k]
        out[k] = {m: _round(report[m]) for m in SUMMARY_KEYS}
        out[k]["melanoma_recall"] = _round((report["per_class"].get("mel") or {}).get("recall"))
        out[k]["n_cases"] = report["n_cases"]
        out[k]["ci"] = {
            m: report.get("ci", {}).get(m) for m in ("weighted_f1", "balanced_accuracy")
        }
    out["rules"] = {r: _round(v["weighted_f1"]) for r, v in metrics["fusion_rules"].items()}
    out["rule"] = metrics["rule"]
    out["decision_power"] = metrics["decision"]["power"]
    out["n_cases"] = metrics["n_cases"]
    out["guarantee"] = metrics["guarantee"]["status"]
    out["guarantee_holds"] = metrics["guarantee"]["holds_everywhere"]
    out["sensitivity_guarantee"] = metrics["sensitivity_guarantee"]["status"]
    conformal = (metrics.get("conformal") or {}).get(level_key(DEFAULT_LEVEL), {}).get("fused")
    if conformal:
        out["conformal"] = {
            "level": DEFAULT_LEVEL,
            **{k: _round(conformal[k]) for k in ("coverage", "mean_size")},
        }
    out["aurc"] = {k: _round(v["aurc"]) for k, v in metrics["risk_coverage"].items()}
    gated = metrics.get("scope")
    if gated:
        out["scope"] = {"verdicts": gated["verdicts"], "in_scope": gated["in_scope"]}
    triage = metrics["triage"]
    out["triage"] = {k: triage.get(k) for k in ("threshold", "sensitivity", "specificity", "ci")}
    return out


def _record_in_card(bundle: Bundle, out: Path, metrics: dict[str, Any]) -> None:
    """Store the headline figures in the card when the report lies inside the bundle."""
    try:
        inside = out.resolve().relative_to(bundle.path.resolve())
    except ValueError:
        return
    test = {"test": summary(metrics), "manifest": Path(metrics["manifest"]).name}
    # Only the report is certified anew: weights changed since loading are refused.
    bundle.card = update_card(bundle.path, {"metrics": test}, renew=inside.as_posix())
