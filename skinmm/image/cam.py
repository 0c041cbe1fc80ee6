"""Grad-CAM on the full image classifier, one CAM object per request.

The CAM is a context manager created and released per call: a CAM object kept on a shared,
cached model leaves hooks behind and leaks memory (pytorch-grad-cam issues #132, #483).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.image import show_cam_on_image
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

from skinmm.image.backbones import Preprocessing
from skinmm.image.network import ImageClassifier


@dataclass(frozen=True)
class CamResult:
    """One class's heat map (H x W in [0, 1], at the input image's size) and its overlay."""

    class_index: int
    heatmap: np.ndarray
    overlay: Image.Image


def _to_image_frame(cam: np.ndarray, pre: Preprocessing, width: int, height: int) -> np.ndarray:
    """Place a crop-sized map back onto the original image; outside the crop it is 0."""
    scale, left, top = pre.crop_box(width, height)
    resized_w, resized_h = round(width * scale), round(height * scale)
    canvas = np.zeros((resized_h, resized_w), dtype=np.float32)
    x0, y0 = round(left * scale), round(top * scale)
    crop = cam[: resized_h - y0, : resized_w - x0]
    canvas[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = crop
    full = Image.fromarray(canvas, mode="F").resize((width, height), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(full, dtype=np.float32), 0.0, 1.0)


def gradcam(
    model: ImageClassifier,
    preprocessing: Preprocessing,
    image: Image.Image,
    class_indices: Sequence[int],
    device: str = "cpu",
    *,
    alpha: float = 0.4,
) -> list[CamResult]:
    """Grad-CAM of ``model`` for each requested class, in one batched forward and backward."""
    if not class_indices:
        return []
    x = preprocessing(image).unsqueeze(0).to(device)
    batch = x.expand(len(class_indices), -1, -1, -1).contiguous()
    targets = [ClassifierOutputTarget(int(k)) for k in class_indices]
    was_training = model.training
    with GradCAM(model=model, target_layers=[model.net.cam_layer]) as cam:
        maps = cam(input_tensor=batch, targets=targets)
    model.train(was_training)
    rgb = np.asarray(image, dtype=np.float32) / 255.0
    results = []
    for k, crop_map in zip(class_indices, maps, strict=True):
        heat = _to_image_frame(crop_map, preprocessing, image.width, image.height)
        overlay = show_cam_on_image(rgb, heat, use_rgb=True, image_weight=1.0 - alpha)
        results.append(CamResult(int(k), heat, Image.fromarray(overlay)))
    return results


def hook_count(module: torch.nn.Module) -> int:
    """Hooks of every kind left on ``module`` and its children (0 after every CAM request)."""
    kinds = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
    return sum(len(getattr(m, kind, {})) for m in module.modules() for kind in kinds)
