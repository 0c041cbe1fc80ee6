"""The model card: one typed home for what ``model_card.json`` says about a bundle.

A :class:`ModelCard` is the card's JSON object (a ``dict``, so every block, including ones
added later, reads as ``card["fusion"]`` or ``card.get("conformal")``) with typed views of
the fields SkinMM itself relies on: :attr:`~ModelCard.classes`,
:attr:`~ModelCard.preprocessing`, :attr:`~ModelCard.fusion`, :attr:`~ModelCard.fingerprint`.

Each fact is stored once. Schema 1 cards (written before this module) repeated the classes
in the ``backbone`` and ``embedder`` blocks, the preprocessing twice inside ``backbone``,
each branch's temperature and ECE beside the ``calibration`` block, the test-time views
beside the image hyperparameters, and the backbone's native preprocessing (which follows
from its name in the registry). :func:`ModelCard.parse` migrates such a card in memory:
every copy must agree with the one kept, else the card is refused (:class:`CardError`
names the two places that disagree), and the copies are dropped. A card is always written
in the current schema (:func:`ModelCard.parse` first), so a migrated card is written once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skinmm.fusion import FusionParams
from skinmm.taxonomy import DatasetClass, class_from_dict

if TYPE_CHECKING:
    from skinmm.image.backbones import Preprocessing

SCHEMA_VERSION = 2
PREPROCESSING_KEYS = ("resize", "crop", "mean", "std")
CALIBRATION_KEYS = ("temperature", "ece_before", "ece_after")
# Where schema 1 repeated a fact, and where its one copy lives: (copy, kept).
REPEATED: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("backbone", "classes"), ("classes",)),
    (("embedder", "classes"), ("classes",)),
    (("backbone", "preprocessing"), ("preprocessing",)),
    (("backbone", "tta_views"), ("backbone", "hyperparameters", "tta_views")),
    *((("backbone", k), ("calibration", "image", k)) for k in CALIBRATION_KEYS),
    *((("embedder", k), ("calibration", "text", k)) for k in CALIBRATION_KEYS),
)
# Facts of the backbone registry, not of the bundle: the backbone's native preprocessing
# (the bundle's own, at its input size, is ``preprocessing``) follows from its name.
DERIVED: tuple[tuple[str, ...], ...] = (("backbone", "backbone", "preprocessing"),)
_MISSING = object()


class CardError(ValueError):
    """A model card that contradicts itself or lacks what SkinMM needs."""


@dataclass
class FusionConfig:
    rule: str = "max"
    params: FusionParams = field(default_factory=FusionParams)
    reason: str = "the paper's rule"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "params": self.params.to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FusionConfig:
        return cls(d["rule"], FusionParams.from_dict(d["params"]), d.get("reason", ""))


class ModelCard(dict[str, Any]):
    """A parsed, consistent model card: the JSON object plus typed views of its core."""

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> ModelCard:
        """Check a card's core and fold its repeated facts into one copy each.

        Raises :class:`CardError` for a card without classes or preprocessing, with a
        malformed one, or whose repeated copies disagree.
        """
        card = cls(json.loads(json.dumps(raw)))  # a deep copy; the caller's stays as it is
        for copy, kept in REPEATED:
            _fold(card, copy, kept)
        for path in DERIVED:
            parent = _at(card, path[:-1])
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
        card._check_core()
        card["schema_version"] = SCHEMA_VERSION
        return card

    def _check_core(self) -> None:
        classes = self.get("classes")
        if not isinstance(classes, list) or not classes:
            raise CardError("The card lists no classes.")
        try:
            codes = [class_from_dict(c).code for c in classes]
        except (TypeError, KeyError, ValueError) as exc:
            raise CardError(f"The card's classes are malformed ({exc}).") from exc
        if len(set(codes)) != len(codes):
            raise CardError(f"The card lists a class twice: {codes}.")
        pre = self.get("preprocessing")
        if not isinstance(pre, dict) or set(pre) != set(PREPROCESSING_KEYS):
            raise CardError(f"The card's preprocessing must have exactly {PREPROCESSING_KEYS}.")

    @property
    def classes(self) -> tuple[DatasetClass, ...]:
        """The bundle's classes, in the order of every probability column."""
        return tuple(class_from_dict(c) for c in self["classes"])

    @property
    def codes(self) -> list[str]:
        return [c["code"] for c in self["classes"]]

    @property
    def preprocessing(self) -> Preprocessing:
        """How the image branch turns a photo into its input (the one copy)."""
        from skinmm.image.backbones import Preprocessing

        return Preprocessing.from_dict(self["preprocessing"])

    @property
    def fusion(self) -> FusionConfig:
        return FusionConfig.from_dict(self["fusion"])

    @property
    def fingerprint(self) -> str:
        """A sha256 naming the bundle's exact files and classes (what a saved case records)."""
        return bundle_fingerprint(self)


def bundle_fingerprint(card: Mapping[str, Any]) -> str:
    """A sha256 naming a bundle's exact files and classes (from its verified model card)."""
    identity = {"files": card.get("files", {}), "classes": card.get("classes", [])}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def check_branches(card: ModelCard, image: Any, text: Any) -> None:
    """Refuse branch files that disagree with the card (classes, image preprocessing)."""
    for branch, name in ((image, "image"), (text, "text")):
        if list(branch.classes_) != card.codes:
            raise CardError(
                f"The {name} branch's classes {list(branch.classes_)} are not the card's "
                f"{card.codes}."
            )
    if image.preprocessing_.to_dict() != card["preprocessing"]:
        raise CardError(
            f"The image branch's preprocessing {image.preprocessing_.to_dict()} is not the "
            f"card's {card['preprocessing']}."
        )


def _fold(card: dict[str, Any], copy: Sequence[str], kept: Sequence[str]) -> None:
    """Drop a repeated fact after checking it against its one copy (keeping it if alone)."""
    parent = _at(card, copy[:-1])
    if not isinstance(parent, dict) or copy[-1] not in parent:
        return
    value = parent.pop(copy[-1])
    one = _at(card, kept)
    if one is _MISSING:
        _put(card, kept, value)
    elif _comparable(one, kept) != _comparable(value, kept):
        raise CardError(
            f"The card contradicts itself: {'.'.join(copy)} is {value!r} but "
            f"{'.'.join(kept)} is {one!r}."
        )


def _comparable(value: Any, kept: Sequence[str]) -> Any:
    # The classes' one copy holds full entries; their repeats held the codes only.
    if kept == ("classes",) and isinstance(value, list):
        return [c.get("code") if isinstance(c, dict) else c for c in value]
    return value


def _at(card: Mapping[str, Any], path: Sequence[str]) -> Any:
    node: Any = card
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _put(card: dict[str, Any], path: Sequence[str], value: Any) -> None:
    node = card
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
