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


class _FromCamInput(torch.nn.Module):
    """The classifier from the CAM layer's input on: ``head(cam_layer(a))``.

    Grad-CAM needs the gradient at the CAM layer only, so everything before that layer runs
    once without autograd and the backward pass stops right there, instead of running through
    the whole trunk. The logits are those of the full model, computed in the same order.
    """

    def __init__(self, model: ImageClassifier) -> None:
        super().__init__()
        self.model = model

    def forward(self, activations: torch.Tensor) -> torch.Tensor:
        return self.model.head(self.model.net.cam_layer(activations))


def _cam_input(model: ImageClassifier, x: torch.Tensor) -> torch.Tensor:
    """The activations entering the CAM layer, as a leaf that requires grad."""
    before = model.net.tail[:-1]
    with torch.no_grad():
        activations = before(model.net.trunk(x))
    return activations.detach().requires_grad_(True)


class _GradCAM(GradCAM):
    """GradCAM whose maps come out at the network's input size.

    The input handed to it is the CAM layer's input (a few pixels across), so the output size
    cannot be read from it as pytorch-grad-cam does by default.
    """

    def __init__(self, model: torch.nn.Module, layer: torch.nn.Module, size: int) -> None:
        super().__init__(model=model, target_layers=[layer])
        self.size = size

    def get_target_width_height(self, input_tensor: torch.Tensor) -> tuple[int, int]:
        return self.size, self.size


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
    """Grad-CAM of ``model`` for each requested class, in one batched forward and backward.

    The image passes through the layers before the CAM layer once; the CAM layer and the head
    then run on a batch of one copy per requested class.
    """
    if not class_indices:
        return []
    x = preprocessing(image).unsqueeze(0).to(device)
    was_training = model.training
    model.eval()
    start = _cam_input(model, x)
    batch = start.expand(len(class_indices), *start.shape[1:]).contiguous()
    targets = [ClassifierOutputTarget(int(k)) for k in class_indices]
    with _GradCAM(_FromCamInput(model), model.net.cam_layer, x.shape[-1]) as cam:
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
