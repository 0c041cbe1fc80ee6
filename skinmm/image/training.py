"""Training loops for the image classifier.

``fit_on_activations`` trains the tail and head on cached frozen-trunk activations (the CPU
recipe); ``fit_on_images`` fine-tunes every layer from augmented images (the GPU recipe). Both
choose the epoch on the validation split and return its TTA-averaged validation logits.
"""

from __future__ import annotations

import copy
import functools
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm.auto import tqdm

from skinmm.image.backbones import Preprocessing
from skinmm.image.features import view_batch
from skinmm.image.io import load_image
from skinmm.image.network import ImageClassifier
from skinmm.metrics import label_scores


@dataclass
class Recipe:
    """Hyperparameters shared by both training loops.

    ``class_cap`` (tail recipe) draws at most that many images of each class per epoch, fresh
    each epoch: on HAM10000 it shows a third of the nevi per epoch, which both halves the
    epoch time and counters the imbalance. ``train_depthwise=False`` (tail recipe) freezes the
    depthwise kernels of the tail: on CPUs their weight gradient costs more than the rest of
    the tail together, while the pointwise convolutions and batch norms hold most of the
    parameters. ``tail_trainable=k`` (tail recipe) trains only the last ``k`` modules of the
    tail: the frozen leading ones keep their pretrained weights and their output is cached on
    disk like the trunk's (``TailCache``), so a warm run trains the last ``k`` on it directly.
    Grouped cross-validation preferred the whole tail (docs/image-branch.md).
    ``train_crop=s`` (tail recipe) trains on a random ``s`` x ``s`` window of each cached
    activation map (a fresh window per image and epoch) and predicts on the whole map: a
    random-crop augmentation that also cuts the step's cost with the map's area. Grouped
    cross-validation found it no help on HAM10000 (docs/image-branch.md); off by default.
    """

    epochs: int = 8
    batch_size: int = 64
    lr: float = 5e-4
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    label_smoothing: float = 0.1
    class_weight_power: float = 0.5
    warmup_fraction: float = 0.05
    class_cap: int | None = 1600
    train_depthwise: bool = False
    tail_trainable: int | None = None
    train_crop: int | None = None


@dataclass
class FitResult:
    best_epoch: int
    val_logits: np.ndarray
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    prior_log_ratio: np.ndarray | None = None


def val_scores(logits: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Weighted F1, balanced accuracy and macro F1; ``selection`` averages the first two."""
    scores = label_scores(y, logits.argmax(axis=1), logits.shape[1])
    wf1, bacc = scores["weighted_f1"], scores["balanced_accuracy"]
    return {
        "weighted_f1": wf1,
        "balanced_accuracy": bacc,
        "macro_f1": scores["macro_f1"],
        "selection": (wf1 + bacc) / 2,
    }


def class_weights(y: np.ndarray, n_classes: int, power: float) -> torch.Tensor:
    """(n_max / n_c) ** power: softened inverse frequency, so nevi do not swamp the loss.

    A class with no training image (a union's note-only class, such as PAD-UFES-20's SCC)
    weighs 0. Label smoothing spreads each target over every class *by its weight*, so the
    largest weight on a class with no images taught the branch to give it mass on every photo
    (the HAM10000 + PAD-UFES-20 union, issue 18: melanoma recall 0.545 -> 0.276).
    """
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    weights = np.where(counts > 0, (counts.max() / np.maximum(counts, 1.0)) ** power, 0.0)
    return torch.tensor(weights, dtype=torch.float32)


def training_loss(y_seen: np.ndarray, n_classes: int, recipe: Recipe) -> nn.CrossEntropyLoss:
    """Cross-entropy weighted by :func:`class_weights` of the labels an epoch shows."""
    weights = class_weights(y_seen, n_classes, recipe.class_weight_power)
    return nn.CrossEntropyLoss(weight=weights, label_smoothing=recipe.label_smoothing)


def prior_log_ratio(y: np.ndarray, n_classes: int, power: float, cap: int | None) -> np.ndarray:
    """log(class prior in the data) - log(class prior the loss effectively saw).

    Capping and class weights teach the model a flatter prior than the data's; adding a
    fraction of this vector to the logits moves it back towards the data's prior.
    """
    sizes = np.maximum(np.bincount(y, minlength=n_classes), 1).astype(np.float64)
    seen = np.minimum(sizes, cap) if cap else sizes
    effective = (
        seen
        * class_weights(np.repeat(np.arange(n_classes), seen.astype(int)), n_classes, power).numpy()
    )
    return np.log(sizes / sizes.sum()) - np.log(effective / effective.sum())


def choose_prior_shift(
    val_logits: np.ndarray, y_val: np.ndarray, log_ratio: np.ndarray
) -> tuple[float, list[dict[str, float]]]:
    """The fraction of ``log_ratio`` to add to the logits that scores best on validation."""
    trials = [
        {"tau": tau, **val_scores(val_logits + tau * log_ratio, y_val)}
        for tau in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]
    best = max(trials, key=lambda t: t["selection"])
    return float(best["tau"]), trials


def _optimizer(model: ImageClassifier, recipe: Recipe) -> torch.optim.Optimizer:
    backbone = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("net.")]
    head = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("net.")]
    groups = [{"params": backbone, "lr": recipe.lr}, {"params": head, "lr": recipe.head_lr}]
    return torch.optim.AdamW([g for g in groups if g["params"]], weight_decay=recipe.weight_decay)


def _schedule(
    optimizer: torch.optim.Optimizer, total: int, warmup: float
) -> torch.optim.lr_scheduler.LambdaLR:
    warm = max(1, int(total * warmup))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _epoch_loop(
    model: ImageClassifier,
    forward: Callable[[torch.Tensor], torch.Tensor],
    batches: Callable[[int], Iterable[tuple[torch.Tensor, torch.Tensor]]],
    evaluate: Callable[[], np.ndarray],
    y_val: np.ndarray,
    loss_fn: nn.Module,
    recipe: Recipe,
    steps_per_epoch: int,
    log: Callable[[str], None],
    include_trunk: bool,
) -> FitResult:
    optimizer = _optimizer(model, recipe)
    scheduler = _schedule(optimizer, recipe.epochs * steps_per_epoch, recipe.warmup_fraction)
    best, history, started = None, [], time.perf_counter()
    for epoch in range(recipe.epochs):
        model.train()
        total, seen = 0.0, 0
        for x, y in tqdm(
            batches(epoch),
            total=steps_per_epoch,
            desc=f"epoch {epoch + 1}",
            leave=False,
            mininterval=10,
        ):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(forward(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total, seen = total + loss.item() * len(y), seen + len(y)
        logits = evaluate()
        scores = {
            "epoch": epoch + 1,
            "train_loss": total / max(seen, 1),
            **val_scores(logits, y_val),
        }
        scores["seconds"] = time.perf_counter() - started
        history.append(scores)
        log(
            f"epoch {epoch + 1}/{recipe.epochs} loss {scores['train_loss']:.3f} "
            f"val wF1 {scores['weighted_f1']:.3f} bacc {scores['balanced_accuracy']:.3f} "
            f"mF1 {scores['macro_f1']:.3f} ({scores['seconds']:.0f} s)"
        )
        if best is None or scores["selection"] > best[0]:
            state = model.trained_state(include_trunk=include_trunk)
            best = (scores["selection"], epoch + 1, copy.deepcopy(state), logits)
    assert best is not None
    model.load_state_dict(best[2], strict=False)
    return FitResult(best[1], best[3], history, time.perf_counter() - started)


def _epoch_indices(y: np.ndarray, cap: int | None, rng: np.random.Generator) -> np.ndarray:
    """A shuffled epoch with at most ``cap`` images of each class."""
    if cap is None:
        return rng.permutation(len(y))
    picked = [rng.permutation(np.flatnonzero(y == c))[:cap] for c in np.unique(y)]
    return rng.permutation(np.concatenate(picked))


def _freeze_depthwise(module: nn.Module) -> None:
    for conv in module.modules():
        if isinstance(conv, nn.Conv2d) and conv.groups > 1:
            conv.weight.requires_grad_(False)


def frozen_depth(tail_length: int, trainable: int | None) -> int:
    """How many leading tail modules stay frozen when the last ``trainable`` ones train."""
    k = trainable or tail_length
    if not 1 <= k <= tail_length:
        raise ValueError(f"tail_trainable must be between 1 and {tail_length}, got {trainable}.")
    return tail_length - k


def fit_on_activations(
    model: ImageClassifier,
    train: dict[str, np.ndarray],
    y_train: np.ndarray,
    val: dict[str, np.ndarray],
    y_val: np.ndarray,
    recipe: Recipe,
    *,
    device: str = "cpu",
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> FitResult:
    """Train tail + head; each epoch shows each drawn image once, in one random cached view.

    ``train`` and ``val`` hold activations after the trunk and the tail's frozen leading
    modules (``frozen_depth``; see :class:`~skinmm.image.features.TailCache`).
    """
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model.freeze_trunk()
    if not recipe.train_depthwise:
        _freeze_depthwise(model.net.tail)
    # Channels-last makes the tail's convolutions markedly faster on CPUs.
    model.to(device).to(memory_format=torch.channels_last)
    start = frozen_depth(len(model.net.tail), recipe.tail_trainable)
    model.net.tail[:start].requires_grad_(False)
    trained = model.net.tail[start:]
    stacked = np.stack([train[v] for v in train])  # (views, n, C, H, W), float16
    crop = _check_crop(recipe.train_crop, stacked.shape[-2:])

    def forward(x: torch.Tensor) -> torch.Tensor:
        with _autocast(device, cpu_bf16=True):
            return model.head(trained(x)).float()

    y_train = np.asarray(y_train)
    sizes = np.bincount(y_train, minlength=model.fc.out_features)
    capped = np.minimum(sizes, recipe.class_cap) if recipe.class_cap else sizes
    loss_fn = training_loss(np.repeat(np.arange(len(sizes)), capped), len(sizes), recipe).to(device)
    targets = torch.tensor(y_train, dtype=torch.long)
    steps = max(1, round(int(capped.sum()) / recipe.batch_size))

    def batches(_: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = _epoch_indices(y_train, recipe.class_cap, rng)
        views = rng.integers(len(stacked), size=len(order))
        for chunk, chunk_views in zip(
            np.array_split(order, steps), np.array_split(views, steps), strict=True
        ):
            acts = stacked[chunk_views, chunk]
            if crop:
                acts = random_windows(acts, crop, rng)
            yield _channels_last(acts, device), targets[chunk].to(device)

    def evaluate() -> np.ndarray:
        # The training forward, bf16 where supported: the epoch, temperature and prior shift
        # are chosen on these logits. Prediction runs in float32; on the bundled Lite2 branch
        # the two differ by 0.0006 in probability on average (max 0.019) over the validation
        # images, and their top class agrees on 99.9% of them.
        return activation_logits(model, val, device=device, forward=forward)

    result = _epoch_loop(
        model, forward, batches, evaluate, y_val, loss_fn, recipe, steps, log, False
    )
    result.prior_log_ratio = prior_log_ratio(
        y_train, len(sizes), recipe.class_weight_power, recipe.class_cap
    )
    return result


def _check_crop(crop: int | None, shape: tuple[int, ...]) -> int | None:
    if crop is None or crop == shape[0] == shape[1]:
        return None
    if not 1 <= crop <= min(shape):
        raise ValueError(
            f"train_crop must be between 1 and the cached map's size {min(shape)}, got {crop}."
        )
    return crop


def random_windows(acts: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random ``size`` x ``size`` spatial window of each map in ``acts`` (n, C, H, W)."""
    n, _, height, width = acts.shape
    tops = rng.integers(height - size + 1, size=n)
    lefts = rng.integers(width - size + 1, size=n)
    return np.stack(
        [a[:, t : t + size, u : u + size] for a, t, u in zip(acts, tops, lefts, strict=True)]
    )


@functools.cache
def bf16_supported(device: str) -> bool:
    """Whether bf16 autocast runs natively (CUDA, or a CPU with AVX512-BF16 / AMX)."""
    if torch.device(device).type == "cuda":
        return True
    try:  # a private op: a torch without it is treated as a CPU without native bf16
        return bool(
            torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
        )
    except (AttributeError, RuntimeError):
        return False


def _channels_last(acts: np.ndarray, device: str) -> torch.Tensor:
    return torch.from_numpy(acts).float().to(device).contiguous(memory_format=torch.channels_last)


def activation_logits(
    model: ImageClassifier,
    views: dict[str, np.ndarray],
    *,
    device: str = "cpu",
    batch: int = 256,
    start: int = 0,
    forward: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> np.ndarray:
    """Mean over views of the logits computed from cached activations.

    ``forward`` maps activations to logits; by default the tail from module ``start`` on
    (the activations being those after ``tail[:start]``) and the head.
    """
    forward = forward or (lambda acts: model.head(model.net.tail[start:](acts)))
    model.eval()
    total = None
    with torch.inference_mode():
        for acts in views.values():
            parts = [
                forward(_channels_last(acts[s : s + batch], device)).cpu()
                for s in range(0, len(acts), batch)
            ]
            logits = torch.cat(parts).double().numpy()
            total = logits if total is None else total + logits
    assert total is not None
    return total / len(views)


class _AugmentedImages(Dataset):
    """Random crops, flips, 90-degree rotations and colour jitter for full fine-tuning."""

    def __init__(self, paths: Sequence[str], y: np.ndarray, preprocessing: Preprocessing) -> None:
        # Imported here: prediction never augments, and torchvision costs a second to import.
        from torchvision import transforms as T

        self.paths, self.y, self.pre = list(paths), y, preprocessing
        self.geometry = T.Compose(
            [
                T.Resize(preprocessing.resize),
                T.RandomResizedCrop(preprocessing.crop, scale=(0.4, 1.0)),
                T.RandomHorizontalFlip(),
                T.RandomVerticalFlip(),
                T.ColorJitter(0.2, 0.2, 0.2, 0.03),
                T.ToTensor(),
            ]
        )

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        unit = self.geometry(load_image(self.paths[i]))
        unit = unit.rot90(int(torch.randint(4, ())), (-2, -1))
        return self.pre.normalize(unit), int(self.y[i])


class _ViewImages(Dataset):
    def __init__(self, paths: Sequence[str], views: Sequence[str], pre: Preprocessing) -> None:
        self.paths, self.views, self.pre = list(paths), list(views), pre

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> torch.Tensor:
        return view_batch(self.pre.to_unit_tensor(load_image(self.paths[i])), self.views, self.pre)


def _workers(device: str) -> int:
    return 0 if device == "cpu" else min(12, max(0, (os.cpu_count() or 1) - 2))


def image_logits(
    model: ImageClassifier,
    paths: Sequence[str],
    views: Sequence[str],
    preprocessing: Preprocessing,
    *,
    device: str = "cpu",
    batch_size: int = 64,
) -> np.ndarray:
    """Mean over views of the full model's logits, from image files."""
    loader = DataLoader(
        _ViewImages(paths, views, preprocessing),
        batch_size=max(1, batch_size // len(views)),
        num_workers=_workers(device),
    )
    model.eval()
    out = []
    with torch.inference_mode(), _autocast(device):
        for x in loader:
            b, v = x.shape[:2]
            logits = model(x.flatten(0, 1).to(device, non_blocking=True)).float()
            out.append(logits.view(b, v, -1).mean(1).double().cpu())
    return torch.cat(out).numpy()


def _autocast(device: str, *, cpu_bf16: bool = False) -> torch.autocast:
    """bf16 autocast on CUDA; on a CPU only with ``cpu_bf16`` and native bf16 support.

    The CPU tail recipe asks for it: on this machine's AMX CPU one Lite0 tail step (batch
    64) took 0.53-0.65 s instead of 0.71-0.89 s in float32. Where bf16 is emulated it would be
    slower, so it stays off there. Full-image evaluation on a CPU stays float32, like
    prediction. Weights and optimizer state are float32 either way.
    """
    kind = torch.device(device).type
    enabled = kind == "cuda" or (cpu_bf16 and bf16_supported(device))
    return torch.autocast(kind, dtype=torch.bfloat16, enabled=enabled)


def fit_on_images(
    model: ImageClassifier,
    train_paths: Sequence[str],
    y_train: np.ndarray,
    val_paths: Sequence[str],
    y_val: np.ndarray,
    preprocessing: Preprocessing,
    tta_views: Sequence[str],
    recipe: Recipe,
    *,
    device: str = "cpu",
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> FitResult:
    """Fine-tune every layer from augmented images, bf16 autocast on CUDA."""
    torch.manual_seed(seed)
    model.requires_grad_(True)
    model.to(device)
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(
        _AugmentedImages(train_paths, y_train, preprocessing),
        batch_size=recipe.batch_size,
        shuffle=True,
        drop_last=len(train_paths) > recipe.batch_size,
        num_workers=_workers(device),
        pin_memory=device != "cpu",
        persistent_workers=_workers(device) > 0,
        generator=generator,
    )
    loss_fn = training_loss(np.asarray(y_train), model.fc.out_features, recipe).to(device)

    def fit_forward(x: torch.Tensor) -> torch.Tensor:
        with _autocast(device):
            return model(x).float()

    def batches(_: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for x, y in loader:
            yield x.to(device, non_blocking=True), y.to(device, non_blocking=True)

    def evaluate() -> np.ndarray:
        return image_logits(model, val_paths, tta_views, preprocessing, device=device)

    result = _epoch_loop(
        model, fit_forward, batches, evaluate, y_val, loss_fn, recipe, len(loader), log, True
    )
    result.prior_log_ratio = prior_log_ratio(
        np.asarray(y_train), model.fc.out_features, recipe.class_weight_power, None
    )
    return result
