"""How the model does on this clinic's own patients: cases with a pathology result.

The figures come from :mod:`skinmm.metrics`, the same functions as the test-set report, and
the result has the report's shape (``classes``, ``fused``/``image``/``text`` sub-reports,
``text_compensating_image``...), so :mod:`skinmm.charts` draws it unchanged. Cases are
grouped by bundle: probabilities from bundles with different classes cannot be pooled.
A pathology result outside a bundle's classes is counted and listed as out of scope, never
silently dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skinmm.db.repository import ConfirmedCase, confirmed_cases
from skinmm.db.store import Store
from skinmm.evaluate import label_mapper
from skinmm.metrics import agreement_rate, classification_report, compensation, per_class_dict
from skinmm.prediction import Prediction
from skinmm.taxonomy import DatasetClass


@dataclass(frozen=True)
class OutOfScope:
    """A confirmed case whose pathology is none of the bundle's classes: counted, not scored."""

    case_id: str
    pathology: str
    pathology_other: str | None
    predicted: str


@dataclass
class BundleCases:
    """The confirmed cases of one bundle, ready for the metrics.

    ``predictions`` and ``truth`` (bundle class codes) are the cases the metrics score: a
    pathology that is a bundle class or a taxonomy code one bundle class covers (``sk``
    counts as HAM10000's ``bkl``). The rest are ``out_of_scope``; ``unreadable`` lists the
    cases whose stored prediction breaks the schema.
    """

    bundle_name: str
    bundle_sha: str
    classes: tuple[DatasetClass, ...] = ()
    predictions: list[Prediction] = field(default_factory=list)
    truth: list[str] = field(default_factory=list)
    out_of_scope: list[OutOfScope] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.predictions) + len(self.out_of_scope) + len(self.unreadable)

    def add(self, case: ConfirmedCase) -> None:
        prediction = case.prediction
        if prediction is not None and not self.classes:
            self.classes = prediction.classes
        if prediction is None or prediction.classes != self.classes:
            self.unreadable.append(case.case_id)
            return
        truth = label_mapper(self.classes).get(case.pathology)
        if truth is None:
            self.out_of_scope.append(
                OutOfScope(case.case_id, case.pathology, case.pathology_other, prediction.top.code)
            )
            return
        self.predictions.append(prediction)
        self.truth.append(truth)


def group_by_bundle(store: Store) -> list[BundleCases]:
    """Confirmed cases per bundle, the bundle with the most of them first."""
    groups: dict[str, BundleCases] = {}
    for case in confirmed_cases(store):
        group = groups.setdefault(case.bundle_sha, BundleCases(case.bundle_name, case.bundle_sha))
        group.add(case)
    return sorted(groups.values(), key=lambda g: (-len(g.predictions), -g.total))


def _matrix(predictions: list[Prediction], branch: str) -> np.ndarray:
    """The ``branch`` probabilities of cases that all have that branch, one row a case."""
    return np.asarray([getattr(p, branch) for p in predictions], dtype=float)


def live_report(group: BundleCases) -> dict[str, Any] | None:
    """The evaluation-report figures for one bundle's confirmed cases (None without any).

    Branch sub-reports and the compensation values use only the cases where that branch
    ran (both branches for compensation); ``n`` says how many cases each figure rests on.
    """
    if not group.predictions:
        return None
    codes = [c.code for c in group.classes]
    index = {code: k for k, code in enumerate(codes)}
    y = np.array([index[code] for code in group.truth])
    report: dict[str, Any] = {
        "classes": codes,
        "n": {"fused": len(y)},
        "fused": classification_report(y, _matrix(group.predictions, "fused"), codes),
        "truth_counts": dict(Counter(group.truth)),
    }
    for branch in ("image", "text"):
        keep = [i for i, p in enumerate(group.predictions) if getattr(p, branch) is not None]
        report["n"][branch] = len(keep)
        if keep:
            proba = _matrix([group.predictions[i] for i in keep], branch)
            report[branch] = classification_report(y[keep], proba, codes)
    both = [
        i for i, p in enumerate(group.predictions) if p.image is not None and p.text is not None
    ]
    report["n"]["both"] = len(both)
    if both:
        image = np.asarray([group.predictions[i].image for i in both]).argmax(axis=1)
        text = np.asarray([group.predictions[i].text for i in both]).argmax(axis=1)
        n = len(codes)
        report["text_compensating_image"] = per_class_dict(
            compensation(y[both], image, text, n), codes
        )
        report["image_compensating_text"] = per_class_dict(
            compensation(y[both], text, image, n), codes
        )
        report["agreement"] = agreement_rate(image, text)
    return report
