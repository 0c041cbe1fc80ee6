"""One case's result: the differential, where it came from, and the cautions it warrants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skinmm.taxonomy import DatasetClass, Risk

# Below this fused confidence in the top class a specialist should look (chosen with the
# validation reliability diagram in mind: calibrated top-class confidence under 0.6 is right
# less than about six times in ten).
LOW_CONFIDENCE = 0.6
# A malignant or premalignant class at or above this probability is worth naming even when
# it is not the top class.
RISK_FLAG = 0.2


@dataclass(frozen=True)
class PredictionSet:
    """The classes that hold the true one with probability ``level`` (split conformal),
    most probable first."""

    level: float
    classes: tuple[DatasetClass, ...]

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.classes]

    @property
    def needs_referral(self) -> bool:
        """A malignant or premalignant class that the set cannot tell from others."""
        return len(self.classes) > 1 and any(c.risk is not Risk.BENIGN for c in self.classes)

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "classes": self.codes}


@dataclass(frozen=True)
class Prediction:
    """The differential for one case, in the bundle's class order."""

    classes: tuple[DatasetClass, ...]
    fused: np.ndarray
    image: np.ndarray | None
    text: np.ndarray | None
    carrier: tuple[str, ...]
    mode: str  # "fused" | "image-only" | "text-only"
    rule: str
    # The note was longer than the text branch reads and only its beginning was used.
    note_truncated: bool = False
    # None when the bundle carries no conformal calibration, or for an uncalibrated rule.
    prediction_set: PredictionSet | None = None
    # The input-scope verdict (skinmm.scope.ScopeResult); None without an image or a gate.
    scope: Any = None
    # Whether the bundle's disagreement rule (skinmm.disagreement) flags this case; None for
    # a bundle without one, which falls back to comparing the branches' top classes.
    disagree: bool | None = None
    # What was read from the note (skinmm.text.facts.NoteReading); None without a note.
    note_reading: Any = None

    @property
    def order(self) -> list[int]:
        """Class indices from the most to the least probable."""
        return [int(i) for i in np.argsort(-self.fused, kind="stable")]

    @property
    def top(self) -> DatasetClass:
        return self.classes[self.order[0]]

    @property
    def confidence(self) -> float:
        return float(self.fused.max())

    def branch_top(self, branch: str) -> DatasetClass | None:
        proba = self.image if branch == "image" else self.text
        return None if proba is None else self.classes[int(np.argmax(proba))]

    @property
    def branches_agree(self) -> bool | None:
        """Whether both branches name the same top class; None when only one is present."""
        if self.image is None or self.text is None:
            return None
        return bool(np.argmax(self.image) == np.argmax(self.text))

    def largest_differences(self, k: int = 3) -> list[tuple[DatasetClass, float]]:
        """Classes where image and text probabilities differ most (image minus text)."""
        if self.image is None or self.text is None:
            return []
        diff = self.image - self.text
        idx = np.argsort(-np.abs(diff), kind="stable")[:k]
        return [(self.classes[int(i)], float(diff[i])) for i in idx]

    def worrying_classes(self) -> list[DatasetClass]:
        """The malignant or premalignant classes the fused result gives at least
        ``RISK_FLAG``: the one rule behind the possible-malignancy caution and its names."""
        return [
            c
            for c, p in zip(self.classes, self.fused, strict=True)
            if c.risk is not Risk.BENIGN and p >= RISK_FLAG
        ]

    def cautions(self) -> list[str]:
        """Message keys for the plain-language cautions, most important first."""
        out = []
        if self.confidence < LOW_CONFIDENCE:
            out.append("low_confidence")
        if self.disagree if self.disagree is not None else self.branches_agree is False:
            out.append("branches_disagree")
        if self.worrying_classes():
            out.append("possible_malignancy")
        if out:
            out.append("consider_biopsy")
        if self.mode == "image-only":
            out.append("image_only")
        elif self.mode == "text-only":
            out.append("text_only")
        if self.note_reading is not None and not self.note_reading.readable:
            out.append("note_unreadable")
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the whole result."""

        def value(p: np.ndarray | None, k: int) -> float | None:
            return None if p is None else round(float(p[k]), 6)

        return {
            "mode": self.mode,
            "rule": self.rule,
            "top": self.top.code,
            "confidence": round(self.confidence, 6),
            "branches_agree": self.branches_agree,
            "cautions": self.cautions(),
            "note_truncated": self.note_truncated,
            "prediction_set": None
            if self.prediction_set is None
            else self.prediction_set.to_dict(),
            "scope": None if self.scope is None else self.scope.to_dict(),
            "note_facts": None if self.note_reading is None else self.note_reading.to_dict(),
            "differential": [
                {
                    "code": self.classes[k].code,
                    "name_en": self.classes[k].name_en,
                    "name_zh": self.classes[k].name_zh,
                    "risk": self.classes[k].risk.value,
                    "fused": value(self.fused, k),
                    "image": value(self.image, k),
                    "text": value(self.text, k),
                    "carried_by": self.carrier[k],
                }
                for k in self.order
            ],
        }
