"""Grad-CAM on the image classifier, safe on a model shared by every session.

The app serves one loaded model to all sessions at once. Grad-CAM registers hooks on its
target layer, calls ``zero_grad`` and ``backward`` and switches the model to eval mode; on a
shared model, two requests at once crashed the process or got each other's heat maps. So a
request never touches the shared model beyond a forward pass under ``torch.no_grad``: the
CAM runs on the request's own copy of the few layers from the CAM layer on (their
parameters frozen: Grad-CAM needs the gradient at the activations only). The CAM object is
still a context manager created and released per call (pytorch-grad-cam issues #132, #483).
"""

from __future__ import annotations

import copy
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

# The longest side of the heat maps and overlays. The network sees a few hundred pixels, so
# a larger map adds no detail, while a full-size map of a 64-megapixel photo costs gigabytes.
CAM_MAX_SIDE = 1024


class _FromCamInput(torch.nn.Module):
    """A private copy of the classifier from the CAM layer's input on: ``head(cam_layer(a))``.

    Grad-CAM needs the gradient at the CAM layer only, so everything before that layer runs
    once without autograd and the backward pass stops right there. The copy (a few MB: the
    CAM layer, the pooling and the linear head) takes the hooks, the ``zero_grad`` and the
    backward pass, so concurrent requests share nothing mutable. The logits are those of
    the full model, computed in the same order with the same weights.
    """

    def __init__(self, model: ImageClassifier) -> None:
        super().__init__()
        layers = (model.net.cam_layer, model.net.post, model.pool, model.dropout, model.fc)
        self.cam_layer, self.post, self.pool, self.dropout, self.fc = copy.deepcopy(layers)
        self.requires_grad_(False)
        self.eval()

    def forward(self, activations: torch.Tensor) -> torch.Tensor:
        # ImageClassifier.head, on the copied layers.
        pooled = torch.flatten(self.pool(self.post(self.cam_layer(activations))), 1)
        return self.fc(self.dropout(pooled))


def _cam_input(model: ImageClassifier, x: torch.Tensor) -> torch.Tensor:
    """The activations entering the CAM layer, as this request's own leaf that requires grad.

    The shared model only runs forward here, without autograd, so it records nothing.
    """
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
    """One class's heat map (H x W in [0, 1], at :func:`shown_size`) and its overlay."""

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


def shown_size(width: int, height: int, max_side: int = CAM_MAX_SIDE) -> tuple[int, int]:
    """The size heat maps and overlays come out at: the image's, scaled down (aspect kept)
    so that the longer side is at most ``max_side``."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shown(image: Image.Image, max_side: int) -> Image.Image:
    size = shown_size(image.width, image.height, max_side)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def gradcam(
    model: ImageClassifier,
    preprocessing: Preprocessing,
    image: Image.Image,
    class_indices: Sequence[int],
    device: str = "cpu",
    *,
    alpha: float = 0.4,
    max_side: int = CAM_MAX_SIDE,
) -> list[CamResult]:
    """Grad-CAM of ``model`` for each requested class, in one batched forward and backward.

    The network input is made from ``image`` exactly as for prediction; the image passes
    through the layers before the CAM layer once, and a private copy of the CAM layer and
    the head then runs on a batch of one copy per requested class. ``model`` must be in eval
    mode and is never changed (no hooks, gradients or mode switches), so concurrent calls on
    one shared model are safe. Heat maps and overlays come out at :func:`shown_size`: the
    image's size, bounded by ``max_side`` so that a photo of tens of megapixels does not cost
    gigabytes of full-size maps.
    """
    if model.training:
        raise ValueError("Grad-CAM needs the model in eval mode; call model.eval() once first.")
    if not class_indices:
        return []
    x = preprocessing(image).unsqueeze(0).to(device)
    start = _cam_input(model, x)
    batch = start.expand(len(class_indices), *start.shape[1:]).contiguous()
    targets = [ClassifierOutputTarget(int(k)) for k in class_indices]
    private = _FromCamInput(model)
    with _GradCAM(private, private.cam_layer, x.shape[-1]) as cam:
        maps = cam(input_tensor=batch, targets=targets)
    shown = _shown(image, max_side)
    rgb = np.asarray(shown, dtype=np.float32) / 255.0
    results = []
    for k, crop_map in zip(class_indices, maps, strict=True):
        heat = _to_image_frame(crop_map, preprocessing, shown.width, shown.height)
        overlay = show_cam_on_image(rgb, heat, use_rgb=True, image_weight=1.0 - alpha)
        results.append(CamResult(int(k), heat, Image.fromarray(overlay)))
    return results


def hook_count(module: torch.nn.Module) -> int:
    """Hooks of every kind left on ``module`` and its children (0 after every CAM request)."""
    kinds = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
    return sum(len(getattr(m, kind, {})) for m in module.modules() for kind in kinds)
