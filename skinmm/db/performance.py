"""How the model does on this clinic's own patients: cases with a pathology result.

The figures come from :mod:`skinmm.metrics`, the same functions as the test-set report, and
the result has the report's shape (``classes``, ``fused``/``image``/``text`` sub-reports,
``text_compensating_image``...), so :mod:`skinmm.charts` draws it unchanged. Cases are
grouped by bundle: probabilities from bundles with different classes cannot be pooled.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from skinmm.db.models import PredictionRecord
from skinmm.db.repository import confirmed_cases, stored_classes
from skinmm.db.store import Store
from skinmm.metrics import agreement_rate, classification_report, compensation, per_class_dict
from skinmm.taxonomy import DatasetClass


@dataclass(frozen=True)
class BundleCases:
    """The confirmed cases of one bundle, ready for the metrics."""

    bundle_name: str
    bundle_sha: str
    classes: tuple[DatasetClass, ...]
    records: list[PredictionRecord]
    truth: list[str]


def group_by_bundle(store: Store) -> list[BundleCases]:
    """Confirmed cases per bundle, the bundle with the most of them first."""
    groups: dict[str, BundleCases] = {}
    for record, pathology in confirmed_cases(store):
        group = groups.get(record.bundle_sha)
        if group is None:
            group = groups[record.bundle_sha] = BundleCases(
                record.bundle_name, record.bundle_sha, stored_classes(record), [], []
            )
        if pathology in {c.code for c in group.classes}:
            group.records.append(record)
            group.truth.append(pathology)
    return sorted(groups.values(), key=lambda g: -len(g.records))


def _matrix(records: list[PredictionRecord], field: str) -> np.ndarray | None:
    rows = [getattr(r, field) for r in records]
    if any(row is None for row in rows) or not rows:
        return None
    return np.asarray(rows, dtype=float)


def live_report(group: BundleCases) -> dict[str, Any] | None:
    """The evaluation-report figures for one bundle's confirmed cases (None without any).

    Branch sub-reports and the compensation values use only the cases where that branch
    ran (both branches for compensation); ``n`` says how many cases each figure rests on.
    """
    if not group.records:
        return None
    codes = [c.code for c in group.classes]
    index = {code: k for k, code in enumerate(codes)}
    y = np.array([index[code] for code in group.truth])
    report: dict[str, Any] = {
        "classes": codes,
        "n": {"fused": len(y)},
        "fused": classification_report(y, _matrix(group.records, "fused"), codes),
        "truth_counts": dict(Counter(group.truth)),
    }
    for branch, field in (("image", "image_proba"), ("text", "text_proba")):
        keep = [i for i, r in enumerate(group.records) if getattr(r, field) is not None]
        report["n"][branch] = len(keep)
        if keep:
            proba = _matrix([group.records[i] for i in keep], field)
            report[branch] = classification_report(y[keep], proba, codes)
    both = [
        i
        for i, r in enumerate(group.records)
        if r.image_proba is not None and r.text_proba is not None
    ]
    report["n"]["both"] = len(both)
    if both:
        image = np.asarray([group.records[i].image_proba for i in both]).argmax(axis=1)
        text = np.asarray([group.records[i].text_proba for i in both]).argmax(axis=1)
        n = len(codes)
        report["text_compensating_image"] = per_class_dict(
            compensation(y[both], image, text, n), codes
        )
        report["image_compensating_text"] = per_class_dict(
            compensation(y[both], text, image, n), codes
        )
        report["agreement"] = agreement_rate(image, text)
    return report
