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
from skinmm.branch import ImageModel, NoteModel
from skinmm.bundle import (
    WEIGHTS_LICENCE,
    FusionConfig,
    fingerprint_frame,
    git_commit,
    write_card,
)
from skinmm.cache import default_cache_dir
from skinmm.conformal import calibrate
from skinmm.data.manifest import _rows, known_labels, read_manifest
from skinmm.disagreement import fit_block
from skinmm.fusion import IMAGE_ONLY, RULES, FusionParams, fit_params, fuse
from skinmm.image import DEFAULT_BACKBONE
from skinmm.metrics import balanced_accuracy, per_class_prf, weighted_f1
from skinmm.staging import staged_bundle
from skinmm.taxonomy import (
    LABEL_SPACE_RULE,
    TAXONOMY,
    DatasetClass,
    class_to_dict,
    infer_classes,
    label_mapper,
    not_covered,
)
from skinmm.triage import operating_point, risk_classes

# Shares of the training prior taken out of the text branch before fusion (see FusionParams),
# and out of the fused probabilities before the decision (prior-corrected decisions).
PRIOR_POWERS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
DECISION_POWERS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
CRITERION = (
    "on the validation groups (fitted parameters cross-fitted by group), the fused decision "
    "must not lose balanced accuracy, nor recall on any malignant or premalignant class, "
    "against the image branch alone; among the candidates that hold it, the best weighted F1; "
    "where none holds, the image branch alone"
)
# Named training recipes (`skinmm train --recipe`); explicit --image-param settings win.
RECIPES: dict[str, dict[str, Any]] = {
    "default": {},
    # Only the last three tail modules train, on cached activations of the frozen ones:
    # 4 min 12 s warm instead of 10 min 52 s, for 0.013 less cross-validated weighted F1.
    "fast": {"tail_trainable": 3, "lr": 1e-3},
}


def recipe_params(recipe: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The image-branch settings of a named recipe, with explicit settings on top."""
    if recipe not in RECIPES:
        raise ValueError(f"Unknown recipe {recipe!r}; choose one of {', '.join(RECIPES)}.")
    return {**RECIPES[recipe], **(overrides or {})}


@dataclass(frozen=True)
class TrainConfig:
    train: Path
    val: Path
    out: Path
    backbone: str = DEFAULT_BACKBONE
    embedder: str = "use-multilingual"
    fusion: str = "auto"
    seed: int = 0
    device: str = "cpu"
    cache_dir: Path | None = None
    label_space: str = "auto"
    name: str | None = None
    recipe: str = "default"
    image_params: dict[str, Any] = field(default_factory=dict)
    text_params: dict[str, Any] = field(default_factory=dict)
    # Clinical photographs (an sd198-subset-style folder with metadata.csv) for the
    # input-scope gate fitted after the branches; None: the bundle gets no gate.
    clinical: Path | None = None
    scope_params: dict[str, Any] = field(default_factory=dict)  # skinmm.scope.run_fit's
    fusion_image_rows: str = "pooled"  # IMAGE_ROWS


# How the fusion decides rows with an image when the image branch learnt from other rows
# than the text branch (several sources, text-only rows): "pooled", one training prior for
# both branches (a single source: the same thing); "own-prior", those rows corrected by the
# prior of the training rows with an image; "own-classes", that and their decision kept to
# the classes the image branch learnt (skinmm.fusion.FusionParams).
IMAGE_ROWS: tuple[str, ...] = ("pooled", "own-prior", "own-classes")


def image_class_prior(train: pd.DataFrame, codes: Sequence[str]) -> np.ndarray:
    """The class shares among the training rows with an image: what the image branch learnt
    (0 for a class only notes brought)."""
    rows = train[train["image_path"] != ""]
    return rows["label"].value_counts(normalize=True).reindex(codes, fill_value=0).to_numpy()


def image_rows_fusion(option: str, train: pd.DataFrame, codes: Sequence[str]) -> dict[str, Any]:
    """:func:`select_fusion`'s ``image_prior`` and ``image_classes_only`` for an
    :data:`IMAGE_ROWS` option, from the training manifest (labels as class codes)."""
    if option not in IMAGE_ROWS:
        raise ValueError(
            f"Unknown fusion image-rows option {option!r}; choose one of {', '.join(IMAGE_ROWS)}."
        )
    if option == "pooled":
        return {"image_prior": None, "image_classes_only": False}
    prior = image_class_prior(train, codes)
    return {"image_prior": prior, "image_classes_only": option == "own-classes"}


def read_training_manifest(path: Path) -> pd.DataFrame:
    """A training or validation manifest, every label one SkinMM knows (lines named)."""
    return read_manifest(path, classes=known_labels(), require_labels=True)


def with_images(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The rows that have an image: what the image branch learns from (text-only rows such as
    PAD-UFES-20's train the text branch alone)."""
    rows = frame[frame["image_path"] != ""]
    if rows.empty:
        raise ValueError(
            f"{path} has no row with an image (every image_path is empty); the image branch "
            "needs some. Add rows with images, or train the text branch alone with "
            "`skinmm train-text`."
        )
    return rows.reset_index(drop=True)


def training_classes(
    frames: dict[Path, pd.DataFrame], label_space: str
) -> tuple[DatasetClass, ...]:
    """The classes of the training and validation manifests (:func:`infer_classes`); a
    refusal names the manifests and, where rows are at fault, their CSV lines."""
    try:
        return infer_classes(pd.concat([f["label"] for f in frames.values()]).tolist(), label_space)
    except ValueError as exc:
        raise ValueError(f"{exc} {_label_rows(frames, label_space)}") from exc


def _label_rows(frames: dict[Path, pd.DataFrame], label_space: str) -> str:
    if label_space != "taxonomy":
        return f"(labels of {', '.join(map(str, frames))})"
    at = [
        f"{path}: {_rows(bad)}"
        for path, frame in frames.items()
        if len(bad := frame.index[~frame["label"].isin(list(TAXONOMY))])
    ]
    return f"(rows: {'; '.join(at)})" if at else f"(labels of {', '.join(map(str, frames))})"


def to_class_codes(
    frame: pd.DataFrame, path: Path, classes: Sequence[DatasetClass]
) -> pd.DataFrame:
    """The manifest with each label replaced by the class that covers it; a label no class
    covers is refused with its CSV lines."""
    mapping = label_mapper(classes)
    if not frame["label"].isin(list(mapping)).all():
        read_manifest(path, classes=sorted(mapping), check_images=False)  # names the lines
    return frame.assign(label=frame["label"].map(mapping))


def _label_index(frame: pd.DataFrame, codes: list[str]) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(codes)}
    return frame["label"].map(lookup).to_numpy(dtype=int)


def cross_fitted_probas(
    image: np.ndarray,
    text: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    seed: int = 0,
    text_prior: np.ndarray | None = None,
    prior_power: float = 0.0,
    image_prior: np.ndarray | None = None,
    image_classes_only: bool = False,
) -> dict[str, np.ndarray]:
    """Validation probabilities of every rule (plain argmax decision), the fitted rules'
    parameters cross-fitted by group.

    Scoring ``weighted`` and ``stacked`` on the very cases they were fitted on would favour
    them unfairly against the parameter-free rules.
    """
    # A small clinic's validation side may hold only a few cases of each class: fewer folds
    # then, as long as some class fills two.
    n_splits = min(5, int(np.bincount(y).max()), len(set(groups)))
    if n_splits < 2:
        raise ValueError(
            "The validation manifest has too few cases with both an image and a note (no "
            "class has two) to choose a fusion rule; add validation cases, or train with "
            "--fusion image."
        )
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    fused = {rule: np.zeros_like(image) for rule in RULES}
    for fit_idx, score_idx in folds.split(image, y, groups):
        params = fit_params(
            image[fit_idx],
            text[fit_idx],
            y[fit_idx],
            text_prior,
            prior_power,
            image_prior,
            image_classes_only,
        )
        for rule in RULES:
            fused[rule][score_idx] = fuse(image[score_idx], text[score_idx], rule, params).proba
    return fused


def decision_scores(
    y: np.ndarray, proba: np.ndarray, codes: Sequence[str], positive: Sequence[int]
) -> dict[str, Any]:
    """What the criterion compares: weighted F1, balanced accuracy, recall of risk classes."""
    n = len(codes)
    pred = proba.argmax(1)
    recall = per_class_prf(y, pred, n)["recall"]
    return {
        "weighted_f1": weighted_f1(y, pred, n),
        "balanced_accuracy": balanced_accuracy(y, pred, n),
        "risk_recall": {codes[k]: float(recall[k]) for k in positive if (y == k).any()},
    }


def holds_criterion(candidate: dict[str, Any], image: dict[str, Any]) -> bool:
    """No loss of balanced accuracy, nor of recall on any risk class, against the image."""
    tol = 1e-12  # equal counts compare equal despite floating point
    if candidate["balanced_accuracy"] < image["balanced_accuracy"] - tol:
        return False
    return all(candidate["risk_recall"][c] >= r - tol for c, r in image["risk_recall"].items())


Candidate = tuple[str, float, float]  # rule, text prior power, decision prior power


def select_candidate(
    scores: dict[Candidate, dict[str, Any]], image: dict[str, Any], requested: str = "auto"
) -> tuple[Candidate, str]:
    """The candidate the criterion picks, and why (see :data:`CRITERION`).

    ``requested`` restricts the rules to the user's (``--fusion``); the image branch is the
    fallback of ``auto`` only.
    """
    if requested == IMAGE_ONLY:
        return (IMAGE_ONLY, 0.0, 0.0), "chosen by the user (--fusion image)"
    pool = {k: v for k, v in scores.items() if requested in ("auto", k[0])}
    holding = [k for k in pool if holds_criterion(pool[k], image)]
    if holding:
        best = max(holding, key=lambda k: pool[k]["weighted_f1"])
        s = pool[best]
        return best, (
            f"{best[0]} rule (text prior power {best[1]:g}, decision prior power {best[2]:g}): "
            f"the best weighted F1 ({s['weighted_f1']:.3f}, image alone "
            f"{image['weighted_f1']:.3f}) of the {len(holding)} of {len(pool)} candidates "
            "that keep the image branch's balanced accuracy and its recall on every "
            "malignant and premalignant class on the validation groups"
        )
    if requested != "auto":
        best = max(pool, key=lambda k: pool[k]["weighted_f1"])
        return best, (
            f"chosen by the user (--fusion {requested}); no setting of it keeps the image "
            "branch's sensitivity on the validation groups"
        )
    return (IMAGE_ONLY, 0.0, 0.0), (
        "no fusion rule kept the image branch's balanced accuracy and its recall on every "
        "malignant and premalignant class on the validation groups, so the default is the "
        "image branch alone (the note is used only when there is no image); every rule stays "
        "selectable"
    )


def _branches(config: TrainConfig, codes: list[str]):
    from skinmm.image import ImageBranch
    from skinmm.text import TextBranch

    params = recipe_params(config.recipe, config.image_params)
    image = ImageBranch(config.backbone, classes=codes, **params)
    text = TextBranch(config.embedder, classes=codes, **config.text_params)
    return image, text


def _validation_probas(
    cache_dir: Path, image: ImageModel, text: NoteModel, val: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    # Streamed in chunks with progress, as `skinmm evaluate` does.
    from skinmm.evaluate import image_probabilities

    image_p = image_probabilities(image, val["image_path"].astype(str).tolist(), cache_dir)
    return image_p, text.predict_proba(val["note"].tolist())


def select_fusion(
    image_p: np.ndarray,
    text_p: np.ndarray,
    val: pd.DataFrame,
    classes: Sequence[DatasetClass],
    prior: np.ndarray,
    seed: int = 0,
    requested: str = "auto",
    image_prior: np.ndarray | None = None,
    image_classes_only: bool = False,
) -> tuple[FusionConfig, dict[str, Any], dict[str, Any]]:
    """Rule, prior corrections, decision and triage point, chosen on the validation groups.

    ``image_prior`` and ``image_classes_only``: see :class:`skinmm.fusion.FusionParams`
    (several sources whose image and text rows differ). Returns the fusion config, what the
    card records about the choice, and the triage block.
    """
    codes = [c.code for c in classes]
    positive = risk_classes(classes)
    y_all = _label_index(val, codes)
    # Text-only and image-only rows have nothing to fuse: the fusion learns from rows with both.
    has_both = ~np.isnan(text_p).any(axis=1) & ~np.isnan(image_p).any(axis=1)
    if not has_both.any():
        raise ValueError(
            "No validation row has both an image and a note, so no fusion can be fitted; "
            "add validation cases with both, or train with --fusion image."
        )
    image_b, text_b, y = image_p[has_both], text_p[has_both], y_all[has_both]
    groups = val["group_id"].to_numpy(dtype=object)[has_both]

    def decided(p: np.ndarray, decision: float) -> np.ndarray:
        # Every row here has an image: what fuse() does to such rows.
        params = FusionParams(
            text_prior=prior,
            decision_power=decision,
            image_prior=image_prior,
            image_classes_only=image_classes_only,
        )
        return params.decide(p, np.ones(len(p), dtype=bool))

    probas: dict[Candidate, np.ndarray] = {(IMAGE_ONLY, 0.0, 0.0): decided(image_b, 0.0)}
    for power in PRIOR_POWERS:
        by_rule = cross_fitted_probas(
            image_b, text_b, y, groups, seed, prior, power, image_prior, image_classes_only
        )
        for rule, p in by_rule.items():
            for decision in DECISION_POWERS:
                probas[(rule, power, decision)] = decided(p, decision)
    scores = {k: decision_scores(y, p, codes, positive) for k, p in probas.items()}
    image_scores = scores.pop((IMAGE_ONLY, 0.0, 0.0))
    (rule, power, decision), reason = select_candidate(scores, image_scores, requested)
    params = fit_params(image_b, text_b, y, prior, power, image_prior, image_classes_only)
    params.decision_power = decision
    triage = operating_point(y, probas[(rule, power, decision)], classes)
    side_by_side = {r: scores[(r, power, 0.0)] for r in RULES}
    extra = {
        "criterion": CRITERION,
        "image_fallback": rule == IMAGE_ONLY,
        "prior_power": power,
        "decision": {"kind": "prior-corrected argmax", "power": decision},
        "image_rows": {
            "own_prior": image_prior is not None,
            "image_classes_only": image_classes_only,
        },
        "validation_image_only": image_scores,
        "validation_chosen": image_scores
        if rule == IMAGE_ONLY
        else scores[(rule, power, decision)],
        "validation_scores": {**side_by_side, IMAGE_ONLY: image_scores},
        "validation_candidates": [
            {
                "rule": k[0],
                "text_prior_power": k[1],
                "decision_power": k[2],
                **v,
                "holds": holds_criterion(v, image_scores),
            }
            for k, v in scores.items()
        ],
    }
    return FusionConfig(rule, params, reason), extra, triage


def conformal_block(
    image_p: np.ndarray,
    text_p: np.ndarray,
    val: pd.DataFrame,
    codes: list[str],
    fusion: FusionConfig,
) -> dict[str, Any]:
    """Conformal thresholds of each branch and of the chosen fusion, on the validation groups.

    The fused calibration uses the rows the fusion really fused: a row with one input falls
    back to that branch, and its set follows that branch's thresholds. A fitted rule's
    parameters come from these same groups, so its fused coverage may run slightly high of
    what a fresh sample shows; the image branch's fallback has no such parameters.
    """
    result = fuse(image_p, text_p, fusion.rule, fusion.params)
    fused = np.where((result.mode == "fused")[:, None], result.proba, np.nan)
    probas = {"image": image_p, "text": text_p, "fused": fused}
    return calibrate(probas, _label_index(val, codes), codes)


def build_card(
    config: TrainConfig,
    classes: tuple[DatasetClass, ...],
    image: ImageModel,
    text: NoteModel,
    fusion: FusionConfig,
    extra: dict[str, Any],
) -> dict[str, Any]:
    image_card, text_card = image.card(), text.card()
    return {
        "name": config.name or config.out.name,
        "skinmm_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "classes": [class_to_dict(c) for c in classes],
        "not_covered": not_covered(classes),
        "label_space": {"requested": config.label_space, "rule": LABEL_SPACE_RULE},
        "preprocessing": image_card.get("preprocessing"),
        "backbone": image_card,
        "embedder": text_card,
        "fusion": {**fusion.to_dict(), **extra["fusion"]},
        "triage": extra["triage"],
        "conformal": extra["conformal"],
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
    train = read_training_manifest(config.train)
    val = read_training_manifest(config.val)
    classes = training_classes({config.train: train, config.val: val}, config.label_space)
    codes = [c.code for c in classes]
    train = to_class_codes(train, config.train, classes)
    val = to_class_codes(val, config.val, classes)
    out = Path(config.out)
    cache_dir = config.cache_dir or default_cache_dir()
    image, text = _branches(config, codes)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    image.fit(
        with_images(train, config.train),
        with_images(val, config.val),
        cache_dir=cache_dir,
        device=config.device,
        seed=config.seed,
    )
    timings["image_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    text.fit(train, val, cache_dir=cache_dir, seed=config.seed)
    timings["text_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    prior = train["label"].value_counts(normalize=True).reindex(codes, fill_value=0).to_numpy()
    image_p, text_p = _validation_probas(cache_dir, image, text, val)
    fusion, fusion_extra, triage = select_fusion(
        image_p,
        text_p,
        val,
        classes,
        prior,
        config.seed,
        config.fusion,
        **image_rows_fusion(config.fusion_image_rows, train, codes),
    )
    conformal = conformal_block(image_p, text_p, val, codes, fusion)
    disagreement = fit_block(image_p, text_p, _label_index(val, codes), conformal, codes)
    timings["fusion_s"] = time.perf_counter() - t0
    timings["total_s"] = time.perf_counter() - started
    training: dict[str, Any] = {
        "arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(config).items()},
        "git_commit": git_commit(Path(__file__).parent),
        "data_fingerprint": {"train": fingerprint_frame(train), "val": fingerprint_frame(val)},
        "n_train_rows": len(train),
        "n_val_rows": len(val),
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }
    card = build_card(
        config,
        classes,
        image,
        text,
        fusion,
        {
            "fusion": fusion_extra,
            "training": training,
            "triage": triage,
            "conformal": conformal,
        },
    )
    card["disagreement"] = disagreement
    # Written aside and swapped in whole: a kill leaves the old bundle or the new one, and
    # a retrain in place never keeps (and re-certifies) the old bundle's test report.
    with staged_bundle(out) as staging:
        image.save(staging / "image")
        text.save(staging / "text")
        write_card(staging, card)
        if config.clinical is not None:
            fit_scope(config, staging, cache_dir)
    print(json.dumps({"bundle": str(out), "fusion": fusion.rule, **training["timings"]}))
    return out


def fit_scope(config: TrainConfig, bundle_dir: Path, cache_dir: Path) -> dict[str, Any]:
    """Fit the input-scope gate on the new bundle's own features and seal it into the bundle:
    what `skinmm scope fit` then `skinmm scope add` do, with the training's manifests."""
    import tempfile

    from skinmm.scope import add_to_bundle, run_fit

    if config.clinical is None:
        raise ValueError("The input-scope gate needs a folder of clinical photographs.")
    with tempfile.TemporaryDirectory(prefix="skinmm-scope-") as folder:
        figures = run_fit(
            bundle_dir,
            config.train,
            config.val,
            config.clinical,
            Path(folder),
            seed=config.seed,
            cache_dir=cache_dir,
            **config.scope_params,
        )
        add_to_bundle(bundle_dir, Path(folder))
    return figures


def _refit_image_rows(
    bundle: Any, option: str | None, train_manifest: Path | None
) -> dict[str, Any]:
    if option is None:
        params = bundle.fusion.params
        return {"image_prior": params.image_prior, "image_classes_only": params.image_classes_only}
    if train_manifest is None:
        if option == "pooled":
            return image_rows_fusion(option, pd.DataFrame(), bundle.codes)
        raise ValueError(
            f"--fusion-image-rows {option} needs the bundle's training manifest (--train) for "
            "the prior of its rows with an image."
        )
    train = to_class_codes(read_training_manifest(train_manifest), train_manifest, bundle.classes)
    return image_rows_fusion(option, train, bundle.codes)


def refit_fusion(
    bundle_path: Path,
    val_manifest: Path,
    *,
    cache_dir: Path | None = None,
    seed: int = 0,
    requested: str = "auto",
    image_rows: str | None = None,
    train_manifest: Path | None = None,
) -> dict[str, Any]:
    """Re-select rule, decision and triage point of a trained bundle on ``val_manifest``,
    keeping both branches' weights, and replace the bundle atomically.

    ``image_rows`` (an :data:`IMAGE_ROWS` option) needs the bundle's ``train_manifest`` for
    the image rows' prior; None keeps the bundle's own setting.

    The new bundle is written beside the old one and swapped in by renames, so a reader sees
    the old bundle or the new one, never half of each. Its test report is left out: it
    described the old decision, and `skinmm evaluate` writes the new one.
    """
    import shutil

    from skinmm.bundle import load_bundle

    bundle = load_bundle(bundle_path)
    rows = _refit_image_rows(bundle, image_rows, train_manifest)
    prior = bundle.fusion.params.text_prior
    if prior is None:
        raise ValueError(
            f"{bundle_path} records no training prior; retrain it with `skinmm train`."
        )
    val = read_manifest(val_manifest)
    unknown = sorted(set(val["label"]) - set(bundle.codes))
    if unknown:
        raise ValueError(f"{val_manifest} has labels {unknown} outside the classes {bundle.codes}.")
    cache_dir = cache_dir or default_cache_dir()
    image_p, text_p = _validation_probas(cache_dir, bundle.image, bundle.text, val)
    fusion, extra, triage = select_fusion(
        image_p, text_p, val, bundle.classes, prior, seed, requested, **rows
    )
    card = dict(bundle.card)
    card["fusion"] = {**fusion.to_dict(), **extra}
    card["triage"] = triage
    card["conformal"] = conformal_block(image_p, text_p, val, bundle.codes, fusion)
    card["disagreement"] = fit_block(
        image_p, text_p, _label_index(val, bundle.codes), card["conformal"], bundle.codes
    )
    card["metrics"] = {}
    card["training"] = {
        **card.get("training", {}),
        "fusion_refit": {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "val": str(val_manifest),
            "val_fingerprint": fingerprint_frame(val),
            "git_commit": git_commit(Path(__file__).parent),
        },
    }
    path = Path(bundle_path)
    with staged_bundle(path) as staging:
        shutil.copytree(
            path,
            staging,
            ignore=shutil.ignore_patterns("report", "__pycache__"),
            dirs_exist_ok=True,
        )
        write_card(staging, card)
    return card
