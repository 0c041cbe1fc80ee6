"""`skinmm train`: both branches, fusion settings on validation, and the bundle's card."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from skinmm import __version__
from skinmm.bundle import (
    WEIGHTS_LICENCE,
    FusionConfig,
    fingerprint_frame,
    git_commit,
    write_card,
)
from skinmm.data.manifest import read_manifest
from skinmm.fusion import RULES, FusionParams, fit_params, fuse
from skinmm.metrics import balanced_accuracy, weighted_f1
from skinmm.taxonomy import LABEL_SPACES, DatasetClass, class_to_dict

# Another rule replaces the paper's max rule only when it beats it on validation (with its
# parameters cross-fitted) by at least this much weighted F1, without losing balanced accuracy.
CLEARLY_BETTER = 0.01


@dataclass(frozen=True)
class TrainConfig:
    train: Path
    val: Path
    out: Path
    backbone: str = "efficientnet-lite0"
    embedder: str = "use-multilingual"
    fusion: str = "auto"
    seed: int = 0
    device: str = "cpu"
    cache_dir: Path | None = None
    label_space: str = "auto"
    name: str | None = None
    image_params: dict[str, Any] = field(default_factory=dict)
    text_params: dict[str, Any] = field(default_factory=dict)


def infer_classes(labels: Sequence[str], label_space: str = "auto") -> tuple[DatasetClass, ...]:
    """The label space whose codes cover every label of the training manifest."""
    present = set(labels) - {""}
    if label_space != "auto":
        return LABEL_SPACES[label_space]
    for space in LABEL_SPACES.values():
        if present <= {c.code for c in space}:
            return space
    raise ValueError(
        f"Labels {sorted(present)} match no known label space "
        f"({', '.join(LABEL_SPACES)}); use the class codes of one of them."
    )


def _label_index(frame: pd.DataFrame, codes: list[str]) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(codes)}
    return frame["label"].map(lookup).to_numpy(dtype=int)


def cross_fitted_rules(
    image: np.ndarray, text: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int = 0
) -> dict[str, dict[str, float]]:
    """Validation scores of every rule, the fitted rules' parameters cross-fitted by group.

    Scoring ``weighted`` and ``stacked`` on the very cases they were fitted on would favour
    them unfairly against the parameter-free rules.
    """
    n_classes = image.shape[1]
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
    fused = {rule: np.zeros_like(image) for rule in RULES}
    for fit_idx, score_idx in folds.split(image, y, groups):
        params = fit_params(image[fit_idx], text[fit_idx], y[fit_idx])
        for rule in RULES:
            fused[rule][score_idx] = fuse(image[score_idx], text[score_idx], rule, params).proba
    return {
        rule: {
            "weighted_f1": weighted_f1(y, p.argmax(1), n_classes),
            "balanced_accuracy": balanced_accuracy(y, p.argmax(1), n_classes),
        }
        for rule, p in fused.items()
    }


def choose_rule(scores: dict[str, dict[str, float]], requested: str) -> tuple[str, str]:
    """The default rule and why: the paper's max rule unless another is clearly better."""
    if requested != "auto":
        return requested, "chosen by the user (--fusion)"
    base = scores["max"]
    best = max(RULES, key=lambda r: scores[r]["weighted_f1"])
    gain = scores[best]["weighted_f1"] - base["weighted_f1"]
    if (
        best != "max"
        and gain >= CLEARLY_BETTER
        and scores[best]["balanced_accuracy"] >= base["balanced_accuracy"]
    ):
        return best, (
            f"{best} beat the paper's max rule on the validation groups by {gain:.3f} weighted F1 "
            f"({scores[best]['weighted_f1']:.3f} vs {base['weighted_f1']:.3f}) without losing "
            "balanced accuracy; max stays selectable"
        )
    return "max", "the paper's rule; no other rule was clearly better on the validation groups"


def _branches(config: TrainConfig, codes: list[str]):
    from skinmm.image import ImageBranch
    from skinmm.text import TextBranch

    image = ImageBranch(config.backbone, classes=codes, **config.image_params)
    text = TextBranch(config.embedder, classes=codes, **config.text_params)
    return image, text


def _fit_fusion(
    config: TrainConfig, image: Any, text: Any, val: pd.DataFrame, codes: list[str]
) -> tuple[FusionConfig, dict[str, Any]]:
    y = _label_index(val, codes)
    image_p = image.predict_proba_paths(val["image_path"].tolist(), cache_dir=config.cache_dir)
    text_p = text.predict_proba(val["note"].tolist())
    has_both = ~np.isnan(text_p).any(axis=1)
    image_p, text_p, y = image_p[has_both], text_p[has_both], y[has_both]
    groups = val["group_id"].to_numpy(dtype=object)[has_both]
    scores = cross_fitted_rules(image_p, text_p, y, groups, config.seed)
    rule, reason = choose_rule(scores, config.fusion)
    params: FusionParams = fit_params(image_p, text_p, y)
    return FusionConfig(rule, params, reason), {"validation_scores": scores}


def build_card(
    config: TrainConfig,
    classes: tuple[DatasetClass, ...],
    image: Any,
    text: Any,
    fusion: FusionConfig,
    extra: dict[str, Any],
) -> dict[str, Any]:
    image_card, text_card = image.card(), text.card()
    return {
        "name": config.name or config.out.name,
        "skinmm_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "classes": [class_to_dict(c) for c in classes],
        "preprocessing": image_card.get("preprocessing"),
        "backbone": image_card,
        "embedder": text_card,
        "fusion": {**fusion.to_dict(), **extra["fusion"]},
        "calibration": {
            "image": {k: image_card.get(k) for k in ("temperature", "ece_before", "ece_after")},
            "text": {k: text_card.get(k) for k in ("temperature", "ece_before", "ece_after")},
        },
        "training": extra["training"],
        "metrics": {},
        "licence": {"code": "Apache-2.0", "weights": WEIGHTS_LICENCE},
        "intended_use": (
            "Research and teaching. Not a medical device: it must not be used to make or "
            "replace a clinical diagnosis."
        ),
    }


def train_bundle(config: TrainConfig) -> Path:
    """Train both branches, fit fusion on validation and write the bundle; returns its path."""
    started = time.perf_counter()
    train = read_manifest(config.train)
    val = read_manifest(config.val)
    classes = infer_classes(pd.concat([train["label"], val["label"]]).tolist(), config.label_space)
    codes = [c.code for c in classes]
    for frame, name in ((train, config.train), (val, config.val)):
        unknown = sorted(set(frame["label"]) - set(codes))
        if unknown:
            raise ValueError(f"{name} has labels {unknown} outside the classes {codes}.")
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    image, text = _branches(config, codes)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    image.fit(train, val, cache_dir=config.cache_dir, device=config.device, seed=config.seed)
    timings["image_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    text.fit(train, val, cache_dir=config.cache_dir, seed=config.seed)
    timings["text_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fusion, fusion_extra = _fit_fusion(config, image, text, val, codes)
    timings["fusion_s"] = time.perf_counter() - t0
    image.save(out / "image")
    text.save(out / "text")
    timings["total_s"] = time.perf_counter() - started
    training = {
        "arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(config).items()},
        "git_commit": git_commit(Path(__file__).parent),
        "data_fingerprint": {"train": fingerprint_frame(train), "val": fingerprint_frame(val)},
        "n_train_rows": len(train),
        "n_val_rows": len(val),
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }
    card = build_card(
        config, classes, image, text, fusion, {"fusion": fusion_extra, "training": training}
    )
    write_card(out, card)
    print(json.dumps({"bundle": str(out), "fusion": fusion.rule, **training["timings"]}))
    return out
