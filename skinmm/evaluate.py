"""`skinmm evaluate`: the paper's figures for a bundle on any labelled manifest.

Writes ``metrics.json`` (branches, every fusion rule, compensation values, agreement,
unmapped labels), ``predictions.csv`` (one row per case) and PNG plots. A manifest from
another source only needs labels that map onto the bundle's classes: its own class codes,
or taxonomy codes that one bundle class covers. Rows that do not map are counted and
reported, never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skinmm.bundle import Bundle, update_card
from skinmm.cache import default_cache_dir
from skinmm.data.datasets import data_dir
from skinmm.data.manifest import read_manifest
from skinmm.data.notes import note_fields, render_notes
from skinmm.fusion import RULES, fuse
from skinmm.metrics import (
    agreement_rate,
    classification_report,
    compensation,
    per_class_dict,
)
from skinmm.taxonomy import TAXONOMY, DatasetClass


def label_mapper(classes: Sequence[DatasetClass]) -> dict[str, str]:
    """Label -> bundle class code, for bundle codes and for taxonomy codes one class covers."""
    mapping = {c.code: c.code for c in classes}
    for code in TAXONOMY:
        owners = [c.code for c in classes if code in c.covers]
        if len(owners) == 1:
            mapping.setdefault(code, owners[0])
    return mapping


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


def branch_probabilities(
    bundle: Bundle, frame: pd.DataFrame, notes: list[str], cache_dir: Path | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each branch's probabilities for a manifest; NaN rows where an input is missing."""
    n_classes = len(bundle.classes)
    image_p = np.full((len(frame), n_classes), np.nan)
    with_image = np.flatnonzero(frame["image_path"].to_numpy(dtype=object) != "")
    if len(with_image):
        paths = frame["image_path"].iloc[with_image].tolist()
        image_p[with_image] = bundle.image.predict_proba_paths(paths, cache_dir=cache_dir)
    return image_p, bundle.text.predict_proba(notes)


def _both(image_p: np.ndarray, text_p: np.ndarray) -> np.ndarray:
    return ~np.isnan(image_p).any(axis=1) & ~np.isnan(text_p).any(axis=1)


def rule_reports(
    bundle: Bundle, image_p: np.ndarray, text_p: np.ndarray, y: np.ndarray
) -> dict[str, dict[str, Any]]:
    codes = bundle.codes
    return {
        rule: classification_report(
            y, fuse(image_p, text_p, rule, bundle.fusion.params).proba, codes
        )
        for rule in RULES
    }


def guarantee(reports: dict[str, Any], codes: Sequence[str]) -> dict[str, Any]:
    """The paper's guarantee per class: fused F1 at least the lower of the two branches' F1."""
    rows = {}
    for code in codes:
        f1 = {k: reports[k]["per_class"][code]["f1"] for k in ("image", "text", "fused")}
        rows[code] = {**f1, "holds": f1["fused"] >= min(f1["image"], f1["text"]) - 1e-12}
    return {"per_class": rows, "holds_everywhere": all(r["holds"] for r in rows.values())}


def compute_metrics(
    bundle: Bundle, frame: pd.DataFrame, image_p: np.ndarray, text_p: np.ndarray
) -> dict[str, Any]:
    """Every figure of the report, on the cases that have both an image and a note."""
    codes = bundle.codes
    both = _both(image_p, text_p)
    lookup = {c: i for i, c in enumerate(codes)}
    y = frame["label"].map(lookup).to_numpy(dtype=int)[both]
    image_b, text_b = image_p[both], text_p[both]
    rules = rule_reports(bundle, image_b, text_b, y)
    reports = {
        "image": classification_report(y, image_b, codes),
        "text": classification_report(y, text_b, codes),
        "fused": rules[bundle.fusion.rule],
    }
    image_pred, text_pred = image_b.argmax(1), text_b.argmax(1)
    return {
        **reports,
        "rule": bundle.fusion.rule,
        "fusion_rules": rules,
        "text_compensating_image": per_class_dict(
            compensation(y, image_pred, text_pred, len(codes)), codes
        ),
        "image_compensating_text": per_class_dict(
            compensation(y, text_pred, image_pred, len(codes)), codes
        ),
        "agreement_rate": agreement_rate(image_pred, text_pred),
        "guarantee": guarantee(reports, codes),
        "classes": codes,
        "n_cases": int(both.sum()),
        "n_without_both_inputs": int((~both).sum()),
    }


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
    bundle: Bundle, frame: pd.DataFrame, image_p: np.ndarray, text_p: np.ndarray
) -> pd.DataFrame:
    result = fuse(image_p, text_p, bundle.fusion.rule, bundle.fusion.params)
    table = frame[["case_id", "label", "image_path", "note"]].copy()
    table["image_path"] = table["image_path"].map(_portable)
    codes = bundle.codes
    for name, proba in (("image", image_p), ("text", text_p), ("fused", result.proba)):
        for k, code in enumerate(codes):
            table[f"{name}_{code}"] = np.round(proba[:, k], 6)
        valid = ~np.isnan(proba).any(axis=1)
        table[f"{name}_pred"] = np.where(valid, np.array(codes)[np.nan_to_num(proba).argmax(1)], "")
    table["mode"] = result.mode
    return table


def _headline(y: np.ndarray, proba: np.ndarray, codes: list[str]) -> dict[str, float]:
    report = classification_report(y, proba, codes)
    return {m: report[m] for m in ("weighted_f1", "macro_f1", "balanced_accuracy")}


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
    y = frame["label"].map({c: i for i, c in enumerate(codes)}).to_numpy(dtype=int)
    out = {}
    for rate in rates:
        notes = render_notes(frame, "en", drop=rate, rng=np.random.default_rng(seed))
        text_p = bundle.text.predict_proba(notes)
        has_text = ~np.isnan(text_p).any(axis=1)
        fused = fuse(image_p, text_p, bundle.fusion.rule, bundle.fusion.params).proba
        out[f"{rate:g}"] = {
            "image": _headline(y, image_p, codes),
            "text": _headline(y[has_text], text_p[has_text], codes),
            "fused": _headline(y, fused, codes),
            "share_of_notes_left_empty": float(1 - has_text.mean()),
        }
    return out


def evaluate_bundle(
    bundle: Bundle,
    manifest: Path,
    out: Path,
    *,
    cache_dir: Path | None = None,
    field_dropout: Sequence[float] = (),
    seed: int = 0,
    plots: bool = True,
) -> dict[str, Any]:
    """Evaluate ``bundle`` on ``manifest`` and write the report into ``out``."""
    frame = read_manifest(manifest)
    frame, unmapped = map_labels(frame[frame["label"] != ""], bundle.classes)
    if frame.empty:
        raise ValueError(f"No row of {manifest} has a label that maps onto {bundle.codes}.")
    cache_dir = cache_dir or default_cache_dir()
    image_p, text_p = branch_probabilities(bundle, frame, frame["note"].tolist(), cache_dir)
    metrics = compute_metrics(bundle, frame, image_p, text_p)
    metrics["unmapped"] = unmapped
    metrics["manifest"] = str(manifest)
    if field_dropout:
        metrics["field_dropout"] = field_dropout_study(bundle, frame, image_p, field_dropout, seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1, allow_nan=True) + "\n")
    predictions_table(bundle, frame, image_p, text_p).to_csv(out / "predictions.csv", index=False)
    if plots:
        from skinmm.plots import write_plots

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
)


def summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """The headline figures, as stored in the model card."""
    out: dict[str, Any] = {
        k: {m: round(metrics[k][m], 4) for m in SUMMARY_KEYS} for k in ("image", "text", "fused")
    }
    out["rules"] = {r: round(v["weighted_f1"], 4) for r, v in metrics["fusion_rules"].items()}
    out["n_cases"] = metrics["n_cases"]
    out["guarantee_holds"] = metrics["guarantee"]["holds_everywhere"]
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
