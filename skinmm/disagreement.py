"""When "the photo and the note disagree" is worth saying, chosen on the validation groups.

Comparing the two branches' top classes fired on most fused cases of the bundle's own test
images (the HAM10000 note branch is weak, so its top class often differs), and a caution
that fires every time teaches users to ignore it. The caution now fires only when the note
branch is confident (top probability >= a threshold) *and* its top class lies outside the
image branch's conformal prediction set at the card's default level: the note points
somewhere the photo does not consider plausible. The threshold is the smallest of
:data:`GRID` at which, on the validation groups, the image branch is wrong among the
flagged cases at least :data:`MIN_LIFT` times as often as among all cases (on at least
:data:`MIN_FLAGGED` flagged cases): the caution then means "look at this image again".
If no threshold qualifies, the caution is off and the card says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from skinmm.conformal import DEFAULT_LEVEL, prediction_sets, thresholds_of

GRID: tuple[float, ...] = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MIN_LIFT = 2.0
MIN_FLAGGED = 5
RULE = (
    "the note branch's top probability >= text_confidence and its top class outside the "
    "image branch's conformal set at the default level"
)


def flags(
    image_p: np.ndarray, text_p: np.ndarray, image_thresholds: np.ndarray, min_conf: float
) -> np.ndarray:
    """Boolean per case: the caution fires; False where a branch has no probabilities."""
    image_p, text_p = np.atleast_2d(image_p), np.atleast_2d(text_p)
    both = ~(np.isnan(image_p).any(axis=1) | np.isnan(text_p).any(axis=1))
    member = prediction_sets(np.nan_to_num(image_p), image_thresholds)
    top = np.nan_to_num(text_p).argmax(axis=1)
    outside = ~member[np.arange(len(top)), top]
    confident = np.nan_to_num(text_p).max(axis=1) >= min_conf
    return both & outside & confident


def _rates(flagged: np.ndarray, wrong: np.ndarray) -> dict[str, Any]:
    n = int(flagged.sum())
    return {
        "flagged": n,
        "flag_rate": round(float(flagged.mean()), 4) if len(flagged) else None,
        "image_error_among_flagged": round(float(wrong[flagged].mean()), 4) if n else None,
    }


def fit_block(
    image_p: np.ndarray,
    text_p: np.ndarray,
    y: np.ndarray,
    conformal: Mapping[str, Any] | None,
    codes: Sequence[str],
) -> dict[str, Any]:
    """The card's ``disagreement`` block, chosen on validation probabilities and labels."""
    level = float((conformal or {}).get("default_level", DEFAULT_LEVEL))
    thresholds = thresholds_of(conformal, "image", level, codes)
    both = ~(np.isnan(image_p).any(axis=1) | np.isnan(text_p).any(axis=1))
    wrong = image_p.argmax(axis=1) != np.asarray(y)
    base = float(wrong[both].mean()) if both.any() else float("nan")
    block: dict[str, Any] = {
        "rule": RULE,
        "level": level,
        "criterion": f"smallest threshold with image error among flagged >= {MIN_LIFT} x "
        f"the overall image error, on >= {MIN_FLAGGED} flagged validation cases",
        "validation_image_error": round(base, 4),
        "validation_argmax_disagreement_rate": round(
            float((image_p[both].argmax(1) != text_p[both].argmax(1)).mean()), 4
        ),
        "text_confidence": None,
    }
    if thresholds is None:
        block["reason"] = "the card has no conformal thresholds for the image branch"
        return block
    table = []
    for conf in GRID:
        rates = _rates(flags(image_p, text_p, thresholds, conf)[both], wrong[both])
        table.append({"text_confidence": conf, **rates})
    block["validation"] = table
    for row in table:
        error = row["image_error_among_flagged"]
        if row["flagged"] >= MIN_FLAGGED and error is not None and error >= MIN_LIFT * base:
            block["text_confidence"] = row["text_confidence"]
            break
    else:
        block["reason"] = "no threshold met the criterion on the validation groups"
    return block


def case_flag(
    block: Mapping[str, Any] | None,
    conformal: Mapping[str, Any] | None,
    image_p: np.ndarray | None,
    text_p: np.ndarray | None,
    codes: Sequence[str],
) -> bool | None:
    """Whether one case gets the caution; None when the bundle has no fitted rule or a
    branch is missing (the caller then keeps its own behaviour)."""
    if not block or image_p is None or text_p is None:
        return None
    conf = block.get("text_confidence")
    if conf is None:
        return False
    thresholds = thresholds_of(conformal, "image", float(block["level"]), codes)
    if thresholds is None:
        return None
    return bool(flags(image_p, text_p, thresholds, float(conf))[0])


def measure(
    block: Mapping[str, Any],
    conformal: Mapping[str, Any] | None,
    frame: Any,
    codes: Sequence[str],
) -> dict[str, Any]:
    """How often the rule fires on a `skinmm evaluate` predictions table (``predictions.csv``)
    and how often a flagged case is an image error; the old top-class rule beside it."""
    image_p = frame[[f"image_{c}" for c in codes]].to_numpy(dtype=float)
    text_p = frame[[f"text_{c}" for c in codes]].to_numpy(dtype=float)
    y = frame["label"].map(list(codes).index).to_numpy()
    both = ~(np.isnan(image_p).any(axis=1) | np.isnan(text_p).any(axis=1))
    wrong = image_p.argmax(axis=1) != y
    old = both & (image_p.argmax(axis=1) != np.nan_to_num(text_p).argmax(axis=1))
    out: dict[str, Any] = {
        "cases_with_both": int(both.sum()),
        "image_error": round(float(wrong[both].mean()), 4),
        "image_errors": int((wrong & both).sum()),
        "top_class_rule": _counts(old, wrong, both),
    }
    conf = block.get("text_confidence")
    thresholds = thresholds_of(conformal, "image", float(block["level"]), codes)
    if conf is not None and thresholds is not None:
        out["rule"] = _counts(flags(image_p, text_p, thresholds, float(conf)) & both, wrong, both)
    return out


def _counts(fired: np.ndarray, wrong: np.ndarray, both: np.ndarray) -> dict[str, Any]:
    n = int(fired.sum())
    return {
        "fires": n,
        "fire_rate": round(float(fired[both].mean()), 4),
        "image_errors_flagged": int((fired & wrong).sum()),
        "image_error_among_flagged": round(float(wrong[fired].mean()), 4) if n else None,
        "share_of_image_errors_flagged": round(float(fired[wrong & both].mean()), 4),
    }
