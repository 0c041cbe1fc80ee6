"""Several photos of one lesion: the image branch's probabilities combined across photos.

Clinicians photograph a lesion more than once (views, distances, dermoscopic and clinical).
The image branch reads each photo; its class probabilities are combined into one row, which
the bundle then fuses with the note as it fuses a single photo's. The combination is chosen
on the validation groups (HAM10000 keeps several images of many lesions) and stored in the
model card's ``multi_photo`` block:

- ``mean``: the mean of the probabilities (a photo that is sure of a class counts as much as
  one that is not);
- ``log_mean``: the normalised geometric mean (the product of experts: one photo that rules a
  class out weighs heavily);
- ``max``: the normalised per-class maximum (any photo that sees a class keeps it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from skinmm.metrics import balanced_accuracy, weighted_f1

COMBINATIONS = ("mean", "log_mean", "max")
DEFAULT_COMBINATION = "mean"
MAX_PHOTOS = 5
EPS = 1e-12


def combine(proba: np.ndarray, how: str) -> np.ndarray:
    """One probability row from the rows of one lesion's photos (``(n_photos, n_classes)``)."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or not len(proba):
        raise ValueError("Combine at least one photo's probabilities (n_photos, n_classes).")
    if how == "mean":
        out = proba.mean(axis=0)
    elif how == "log_mean":
        out = np.exp(np.log(np.clip(proba, EPS, 1.0)).mean(axis=0))
    elif how == "max":
        out = proba.max(axis=0)
    else:
        raise ValueError(f"Unknown combination {how!r}; use one of {', '.join(COMBINATIONS)}.")
    return out / out.sum()


def combine_groups(
    proba: np.ndarray, groups: Sequence[Any], how: str
) -> tuple[list[Any], np.ndarray]:
    """One combined row per group, groups in order of first appearance."""
    order: dict[Any, list[int]] = {}
    for row, group in enumerate(groups):
        order.setdefault(group, []).append(row)
    combined = np.stack([combine(proba[rows], how) for rows in order.values()])
    return list(order), combined


def choose_combination(
    proba: np.ndarray, labels: Sequence[int], groups: Sequence[Any], n_classes: int
) -> dict[str, Any]:
    """The combination with the best balanced accuracy over the lesions with 2+ photos
    (weighted F1 breaks ties; then the order of :data:`COMBINATIONS`).

    ``labels`` are per row (one lesion has one label). Returns the choice, the scores of every
    combination and how many lesions scored them: the model card's ``multi_photo`` block.
    """
    row_labels = np.asarray(labels, dtype=int)
    sizes: dict[Any, int] = {}
    for group in groups:
        sizes[group] = sizes.get(group, 0) + 1
    keep = np.array([sizes[g] > 1 for g in groups])
    if not keep.any():
        raise ValueError("No group has two or more photos: nothing to choose the combination on.")
    kept_groups = [g for g, k in zip(groups, keep, strict=True) if k]
    label_of: dict[Any, int] = {}
    for group, label in zip(groups, row_labels, strict=True):
        label_of.setdefault(group, int(label))
    scores = {}
    for how in COMBINATIONS:
        names, combined = combine_groups(proba[keep], kept_groups, how)
        y = np.array([label_of[g] for g in names])
        pred = combined.argmax(axis=1)
        scores[how] = {
            "balanced_accuracy": round(balanced_accuracy(y, pred, n_classes), 4),
            "weighted_f1": round(weighted_f1(y, pred, n_classes), 4),
        }
    best = max(
        COMBINATIONS,
        key=lambda h: (
            scores[h]["balanced_accuracy"],
            scores[h]["weighted_f1"],
            -COMBINATIONS.index(h),
        ),
    )
    return {
        "combination": best,
        "criterion": "balanced accuracy, then weighted F1, on validation lesions with 2+ photos",
        "n_lesions": len(set(kept_groups)),
        "n_photos": int(keep.sum()),
        "validation": scores,
    }


def card_combination(card: dict[str, Any]) -> str:
    """The bundle's combination; the mean for a bundle that never chose one."""
    chosen = (card.get("multi_photo") or {}).get("combination", DEFAULT_COMBINATION)
    return chosen if chosen in COMBINATIONS else DEFAULT_COMBINATION


def predict_photos(
    bundle: Any, images: Sequence[Any], note: str | None = None
) -> tuple[Any, list[Any]]:
    """The lesion's differential from up to :data:`MAX_PHOTOS` photos, and each photo's own.

    Each photo goes through :meth:`Bundle.predict` (its probabilities and its scope verdict);
    the image probabilities are combined by the card's combination and fused with the note.
    The lesion carries the first out-of-scope photo's verdict if any (so the page withholds
    the differential until the clinician asks, as for one photo), else the first photo's.
    """
    if not 1 <= len(images) <= MAX_PHOTOS:
        raise ValueError(f"Give between 1 and {MAX_PHOTOS} photos of the lesion.")
    each = [bundle.predict(image=image, note=note) for image in images]
    if len(each) == 1:
        return each[0], each
    how = card_combination(bundle.card)
    combined = combine(np.stack([p.image for p in each]), how)
    lesion = bundle.predict_from_image_proba(combined[None, :], note)
    verdicts = [p.scope for p in each if p.scope is not None]
    outside = [v for v in verdicts if not v.in_scope]
    scope = (outside or verdicts or [None])[0]
    return replace(lesion, scope=scope), each
