"""``ImageBranch``: the image half of SkinMM as a scikit-learn-style estimator."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from PIL import Image

from skinmm.calibration import apply_temperature, expected_calibration_error, fit_temperature
from skinmm.image import DEFAULT_BACKBONE
from skinmm.image.backbones import Preprocessing, get_backbone
from skinmm.image.features import TTA_VIEWS, TrunkCache, check_views, extract_to_memory, view_batch
from skinmm.image.io import load_image
from skinmm.image.network import TRUNK_PREFIX, ImageClassifier
from skinmm.image.training import (
    FitResult,
    Recipe,
    activation_logits,
    choose_prior_shift,
    fit_on_activations,
    fit_on_images,
    frozen_depth,
    val_scores,
)

if TYPE_CHECKING:
    import pandas as pd

    from skinmm.image.cam import CamResult

SCHEMA_VERSION = 1
WEIGHTS_FILE = "image_weights.pt"
CONFIG_FILE = "image_config.json"
FINETUNE_MODES = ("tail", "full")
RECIPE_FIELDS = {f.name for f in fields(Recipe)}


class ImageBranch:
    """Image classifier with calibrated probabilities and Grad-CAM.

    Parameters
    ----------
    backbone : a name from :data:`skinmm.image.backbones.BACKBONES`.
    classes : the class codes, in the order of the probability columns.
    finetune : ``"tail"`` trains the tail and head on cached frozen-trunk activations (the CPU
        recipe); ``"full"`` fine-tunes every layer from augmented images (for GPUs).
    train_views, tta_views : cached views used for training (tail mode) and test-time
        augmentation (the predicted logits are averaged over ``tta_views``).
    input_size : crop size in pixels; ``None`` keeps the backbone's own.
    pretrained : ``False`` starts from random weights (tests, or backbones without weights).
    dropout : dropout before the linear head.
    **recipe : epochs, batch_size, lr, head_lr, weight_decay, label_smoothing,
        class_weight_power, warmup_fraction (see :class:`skinmm.image.training.Recipe`).
    """

    def __init__(
        self,
        backbone: str = DEFAULT_BACKBONE,
        *,
        classes: Sequence[str],
        finetune: str = "tail",
        train_views: Sequence[str] = TTA_VIEWS,
        tta_views: Sequence[str] = TTA_VIEWS,
        input_size: int | None = None,
        pretrained: bool = True,
        dropout: float = 0.2,
        **recipe: Any,
    ) -> None:
        self.spec = get_backbone(backbone)
        self.classes = list(classes)
        if len(self.classes) < 2 or len(set(self.classes)) != len(self.classes):
            raise ValueError(f"classes must be at least two distinct codes, got {self.classes}.")
        if finetune not in FINETUNE_MODES:
            raise ValueError(f"finetune must be one of {FINETUNE_MODES}, got {finetune!r}.")
        unknown = set(recipe) - RECIPE_FIELDS
        if unknown:
            raise ValueError(
                f"Unknown hyperparameter(s) {sorted(unknown)}; known: {sorted(RECIPE_FIELDS)}."
            )
        self.finetune = finetune
        self.train_views = check_views(train_views)
        self.tta_views = check_views(tta_views)
        self.input_size = input_size
        self.pretrained = pretrained
        self.dropout = dropout
        self.recipe = Recipe(**recipe)
        base = self.spec.preprocessing
        self.preprocessing = base.resized_for(input_size) if input_size else base

    # ----------------------------------------------------------------- construction
    def _new_model(self, pretrained: bool, *, initialise: bool = True) -> ImageClassifier:
        net = self.spec.create(
            pretrained=pretrained, crop=self.preprocessing.crop, initialise=initialise
        )
        return ImageClassifier(net, self.spec.feature_dim, len(self.classes), self.dropout)

    def hyperparameters(self) -> dict[str, Any]:
        return {
            "finetune": self.finetune,
            "train_views": list(self.train_views),
            "tta_views": list(self.tta_views),
            "input_size": self.input_size,
            "pretrained": self.pretrained,
            "dropout": self.dropout,
            **asdict(self.recipe),
        }

    def _labels(self, frame: pd.DataFrame, name: str) -> np.ndarray:
        missing = {"image_path", "label"} - set(frame.columns)
        if missing:
            raise ValueError(f"The {name} manifest lacks column(s) {sorted(missing)}.")
        if len(frame) == 0:
            raise ValueError(f"The {name} manifest is empty.")
        unknown = sorted(set(frame["label"]) - set(self.classes))
        if unknown:
            raise ValueError(
                f"The {name} manifest has label(s) {unknown} outside classes {self.classes}."
            )
        return np.array([self.classes.index(label) for label in frame["label"]], dtype=int)

    # ----------------------------------------------------------------- fitting
    def fit(
        self,
        train: pd.DataFrame,
        val: pd.DataFrame,
        *,
        cache_dir: Path,
        device: str = "cpu",
        seed: int = 0,
        log: Callable[[str], None] = print,
    ) -> ImageBranch:
        """Train on ``train``, choose the epoch and fit the temperature on ``val``.

        Both are manifest frames (see :func:`skinmm.data.manifest.read_manifest`).
        """
        y_train, y_val = self._labels(train, "training"), self._labels(val, "validation")
        torch.manual_seed(seed)
        model = self._new_model(self.pretrained)
        started = time.perf_counter()
        if self.finetune == "tail":
            result, cache_s = self._fit_tail(
                model, train, y_train, val, y_val, cache_dir, device, seed, log
            )
        else:
            result = fit_on_images(
                model,
                list(train["image_path"]),
                y_train,
                list(val["image_path"]),
                y_val,
                self.preprocessing,
                self.tta_views,
                self.recipe,
                device=device,
                seed=seed,
                log=log,
            )
            cache_s = 0.0
        self.prior_shift_, self.prior_trials_ = self._shift_prior(model, result, y_val)
        self.model_ = model.eval()
        self.to("cpu")
        self.classes_ = list(self.classes)
        self.preprocessing_ = self.preprocessing
        self._calibrate(result.val_logits, y_val)
        self.training_ = {
            "best_epoch": result.best_epoch,
            "history": result.history,
            "seed": seed,
            "device": device,
            "n_train": len(train),
            "n_val": len(val),
            "cache_seconds": round(cache_s, 1),
            "train_seconds": round(result.seconds, 1),
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        return self

    def _fit_tail(
        self,
        model: ImageClassifier,
        train: pd.DataFrame,
        y_train: np.ndarray,
        val: pd.DataFrame,
        y_val: np.ndarray,
        cache_dir: Path,
        device: str,
        seed: int,
        log: Callable[[str], None],
    ) -> tuple[Any, float]:
        if not self.pretrained:
            # A random trunk is not the cached one: never share its activations.
            cache_dir = Path(cache_dir) / f"random-seed{seed}"
        cache = TrunkCache(Path(cache_dir), self.spec, self.preprocessing)
        depth = self._frozen_depth(model)
        started = time.perf_counter()
        acts_train = extract_to_memory(
            cache,
            model.net,
            list(train["image_path"]),
            self.train_views,
            depth=depth,
            device=device,
        )
        acts_val = extract_to_memory(
            cache, model.net, list(val["image_path"]), self.tta_views, depth=depth, device=device
        )
        cache_s = time.perf_counter() - started
        self.cache_computed_ = cache.computed
        log(f"trunk activations ready in {cache_s:.0f} s ({cache.computed} computed)")
        result = fit_on_activations(
            model,
            acts_train,
            y_train,
            acts_val,
            y_val,
            self.recipe,
            device=device,
            seed=seed,
            log=log,
        )
        return result, cache_s

    def _frozen_depth(self, model: ImageClassifier) -> int:
        return frozen_depth(len(model.net.tail), self.recipe.tail_trainable)

    @staticmethod
    def _shift_prior(
        model: ImageClassifier, result: FitResult, y_val: np.ndarray
    ) -> tuple[float, list[dict[str, float]]]:
        """Fold the validation-chosen prior correction into the head's bias.

        A bias changes no gradient, so Grad-CAM still explains the same logits.
        """
        assert result.prior_log_ratio is not None
        tau, trials = choose_prior_shift(result.val_logits, y_val, result.prior_log_ratio)
        shift = tau * result.prior_log_ratio
        with torch.no_grad():
            model.fc.bias.add_(
                torch.as_tensor(shift, dtype=model.fc.bias.dtype, device=model.fc.bias.device)
            )
        result.val_logits = result.val_logits + shift
        return tau, trials

    def _calibrate(self, val_logits: np.ndarray, y_val: np.ndarray) -> None:
        self.temperature_ = fit_temperature(val_logits, y_val)
        raw = apply_temperature(val_logits, 1.0)
        calibrated = apply_temperature(val_logits, self.temperature_)
        self.ece_before_ = expected_calibration_error(raw, y_val)
        self.ece_after_ = expected_calibration_error(calibrated, y_val)
        self.val_metrics_ = val_scores(val_logits, y_val)

    # ----------------------------------------------------------------- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            # Imported here: scikit-learn costs seconds at start-up, and predicting never needs it.
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                "This ImageBranch is not fitted: call fit() or ImageBranch.load()."
            )

    def logits(
        self, images: Sequence[Image.Image | str | Path], *, batch_size: int = 16
    ) -> np.ndarray:
        """Uncalibrated logits, averaged over the TTA views, shape (n, n_classes)."""
        return self.logits_and_features(images, batch_size=batch_size)[0]

    def logits_and_features(
        self, images: Sequence[Image.Image | str | Path], *, batch_size: int = 16
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`logits`, and the identity view's pooled features from the same forward.

        The features (what the head reads, shape (n, feature_dim)) serve the input-scope gate
        (skinmm.scope), which then needs no forward of its own; None when the TTA views
        leave out the identity view.
        """
        self._check_fitted()
        views = len(self.tta_views)
        identity = self.tta_views.index("identity") if "identity" in self.tta_views else None
        per_batch = max(1, batch_size // views)
        logits_out, features_out = [], []
        for start in range(0, len(images), per_batch):
            chunk = [self._as_image(im) for im in images[start : start + per_batch]]
            x = torch.cat([self._views(im) for im in chunk]).to(self.device_)
            with torch.inference_mode():
                net = self.model_.net
                pooled = self.model_.pooled(net.tail(net.trunk(x)))
                logits = self.model_.fc(self.model_.dropout(pooled))
            logits_out.append(logits.double().view(len(chunk), views, -1).mean(1).cpu().numpy())
            if identity is not None:
                features_out.append(
                    pooled.float().view(len(chunk), views, -1)[:, identity].cpu().numpy()
                )
        if not logits_out:
            return np.zeros((0, len(self.classes_))), None
        features = np.concatenate(features_out) if identity is not None else None
        return np.concatenate(logits_out), features

    def predict_proba(self, images: Sequence[Image.Image | str | Path]) -> np.ndarray:
        """Calibrated class probabilities, shape (n, n_classes), columns in ``classes_`` order."""
        return apply_temperature(self.logits(images), self.temperature_)

    def predict_proba_and_features(
        self, images: Sequence[Image.Image | str | Path]
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`predict_proba` and the pooled features of :meth:`logits_and_features`."""
        logits, features = self.logits_and_features(images)
        return apply_temperature(logits, self.temperature_), features

    def logits_paths(
        self, paths: Sequence[str | Path], cache_dir: Path | None = None
    ) -> np.ndarray:
        """:meth:`logits` for image files, reusing the trunk-activation cache.

        The cache applies when the trunk is the frozen pretrained one (``finetune="tail"``);
        otherwise, or without ``cache_dir``, the images are run through the full model.
        Cached activations were computed under bf16 autocast, so the two paths agree to about
        1e-3 in probability.
        """
        self._check_fitted()
        if cache_dir is None or self.finetune != "tail" or not self.pretrained:
            return self.logits(list(paths))
        cache = TrunkCache(Path(cache_dir), self.spec, self.preprocessing_)
        depth = self._frozen_depth(self.model_)
        acts = extract_to_memory(
            cache, self.model_.net, list(paths), self.tta_views, depth=depth, device=self.device_
        )
        return activation_logits(self.model_, acts, start=depth, device=self.device_)

    def predict_proba_paths(
        self, paths: Sequence[str | Path], cache_dir: Path | None = None
    ) -> np.ndarray:
        """:meth:`predict_proba` for image files; see :meth:`logits_paths` for the cache."""
        return apply_temperature(self.logits_paths(paths, cache_dir), self.temperature_)

    def gradcam(
        self, image: Image.Image | str | Path | bytes, class_indices: Sequence[int]
    ) -> list[CamResult]:
        """Grad-CAM heat maps for the requested classes, at the input image's size bounded by
        :data:`skinmm.image.cam.CAM_MAX_SIDE` (see :func:`skinmm.image.cam.gradcam`).

        Safe to call from several threads at once on one loaded branch: the shared model
        only runs forward; the CAM works on a per-request copy of its last layers.
        """
        self._check_fitted()
        bad = [k for k in class_indices if not 0 <= int(k) < len(self.classes_)]
        if bad:
            raise ValueError(f"class indices {bad} are outside 0..{len(self.classes_) - 1}.")
        # Imported on the first map: pytorch-grad-cam loads matplotlib, OpenCV and
        # torchvision (about a second), which a prediction without maps never needs.
        from skinmm.image.cam import gradcam

        return gradcam(
            self.model_, self.preprocessing_, self._as_image(image), class_indices, self.device_
        )

    def _as_image(self, image: Image.Image | str | Path | bytes) -> Image.Image:
        if isinstance(image, Image.Image):
            return image if image.mode == "RGB" else image.convert("RGB")
        return load_image(image)

    def _views(self, image: Image.Image) -> torch.Tensor:
        unit = self.preprocessing_.to_unit_tensor(image)
        return view_batch(unit, self.tta_views, self.preprocessing_)

    def to(self, device: str) -> ImageBranch:
        """Move the fitted model to ``device`` (``"cpu"``, ``"cuda"``...)."""
        self._check_fitted()
        # Channels-last runs the depthwise convolutions markedly faster on CPUs.
        self.model_.to(device).to(memory_format=torch.channels_last)
        self.device_ = device
        return self

    # ----------------------------------------------------------------- persistence
    def card(self) -> dict[str, Any]:
        """What a model card needs to say about this branch."""
        self._check_fitted()
        return {
            "backbone": self.spec.card(),
            "classes": list(self.classes_),
            "preprocessing": self.preprocessing_.to_dict(),
            "temperature": self.temperature_,
            "prior_shift": self.prior_shift_,
            "prior_shift_trials": self.prior_trials_,
            "ece_before": self.ece_before_,
            "ece_after": self.ece_after_,
            "hyperparameters": self.hyperparameters(),
            "tta_views": list(self.tta_views),
            "validation_metrics": self.val_metrics_,
            "training": self.training_,
        }

    def _saves_trunk(self) -> bool:
        return self.finetune == "full" or not self.pretrained

    def save(self, directory: Path) -> list[Path]:
        """Write the trained weights (state_dict) and a JSON config; return the files."""
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        weights = directory / WEIGHTS_FILE
        state = self.model_.trained_state(include_trunk=self._saves_trunk())
        torch.save({k: v.detach().cpu() for k, v in state.items()}, weights)
        config = directory / CONFIG_FILE
        payload = {
            "schema_version": SCHEMA_VERSION,
            "backbone": self.spec.name,
            "classes": self.classes_,
            "hyperparameters": self.hyperparameters(),
            "saved_trunk": self._saves_trunk(),
            "card": self.card(),
        }
        config.write_text(json.dumps(payload, indent=2))
        return [weights, config]

    @classmethod
    def load(cls, directory: Path, device: str = "cpu") -> ImageBranch:
        """Rebuild a branch written by :meth:`save`."""
        directory = Path(directory)
        config_path, weights_path = directory / CONFIG_FILE, directory / WEIGHTS_FILE
        if not config_path.is_file() or not weights_path.is_file():
            raise FileNotFoundError(
                f"{directory} does not hold an image branch ({CONFIG_FILE} and {WEIGHTS_FILE}); "
                "train one with `skinmm train`."
            )
        config = json.loads(config_path.read_text())
        if config.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"{config_path} has schema {config.get('schema_version')}, expected {SCHEMA_VERSION}."
            )
        branch = cls(config["backbone"], classes=config["classes"], **config["hyperparameters"])
        card = config["card"]
        # A saved trunk replaces the pretrained one, so there is no need to load it first.
        model = branch._new_model(branch.pretrained and not config["saved_trunk"], initialise=False)
        state = torch.load(weights_path, map_location="cpu", weights_only=True)
        # The saved tensors replace the pretrained ones rather than being copied into them.
        result = model.load_state_dict(state, strict=False, assign=True)
        stray = [k for k in result.missing_keys if not k.startswith(TRUNK_PREFIX)]
        if stray or result.unexpected_keys or (config["saved_trunk"] and result.missing_keys):
            raise ValueError(f"{weights_path} does not match backbone {config['backbone']}.")
        branch.model_ = model.eval()
        branch.device_ = "cpu"
        branch.classes_ = list(config["classes"])
        branch.preprocessing_ = Preprocessing.from_dict(card["preprocessing"])
        branch.temperature_ = float(card["temperature"])
        branch.prior_shift_, branch.prior_trials_ = card["prior_shift"], card["prior_shift_trials"]
        branch.ece_before_, branch.ece_after_ = card["ece_before"], card["ece_after"]
        branch.val_metrics_ = card["validation_metrics"]
        branch.training_ = card["training"]
        return branch.to(device)
