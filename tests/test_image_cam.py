"""Grad-CAM: heat maps at the photo's (bounded) size, the library's numbers, and a shared
model that is never touched: no hook, gradient or mode switch, no memory left behind."""

from __future__ import annotations

import copy
import gc
import tracemalloc

import numpy as np
import pytest
import torch
from PIL import Image
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

from skinmm.image.backbones import Preprocessing, get_backbone
from skinmm.image.cam import (
    CAM_MAX_SIDE,
    _FromCamInput,
    _GradCAM,
    _to_image_frame,
    gradcam,
    hook_count,
)
from skinmm.image.network import ImageClassifier


def tiny_model(name: str, crop: int = 32) -> tuple[ImageClassifier, Preprocessing]:
    spec = get_backbone(name)
    pre = spec.preprocessing.resized_for(crop)
    net = spec.create(pretrained=False, crop=crop)
    return ImageClassifier(net, spec.feature_dim, 7, 0.2).eval(), pre


def photo() -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (45, 60, 3), dtype=np.uint8))


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def test_heatmaps_have_the_photos_size_and_range():
    model, pre = tiny_model("efficientnet-lite0")
    results = gradcam(model, pre, photo(), [4, 0, 6])
    assert [r.class_index for r in results] == [4, 0, 6]
    for r in results:
        assert r.heatmap.shape == (45, 60)
        assert r.heatmap.min() >= 0.0 and r.heatmap.max() <= 1.0
        assert r.overlay.size == (60, 45) and r.overlay.mode == "RGB"


def test_hundred_requests_leave_no_hooks_and_no_growth():
    torch.manual_seed(0)
    model, pre = tiny_model("efficientnet-lite0")
    image = photo()
    for _ in range(10):  # warm-up: allocator pools and lazy imports
        gradcam(model, pre, image, [0, 1, 2])
    gc.collect()
    before = rss_bytes()
    for _ in range(100):
        gradcam(model, pre, image, [0, 1, 2])
    gc.collect()
    assert hook_count(model) == 0
    for module in model.modules():
        assert not module._forward_hooks and not module._backward_hooks
    # type() rather than isinstance(): the latter wakes lazy modules among gc's objects.
    assert not [o for o in gc.get_objects() if type(o) is GradCAM]
    assert rss_bytes() - before < 64 * 2**20


@pytest.mark.parametrize("name", ["efficientnet-lite2", "densenet201"])
def test_every_backbone_has_a_working_cam_layer(name: str):
    model, pre = tiny_model(name)
    results = gradcam(model, pre, photo(), [1])
    assert results[0].heatmap.shape == (45, 60)
    assert hook_count(model) == 0


def library_maps(
    model: ImageClassifier, pre: Preprocessing, image: Image.Image, classes: list[int]
) -> list[np.ndarray]:
    """The plain pytorch-grad-cam recipe on the whole model (hooks, backward through the
    trunk), on a model this test owns."""
    x = pre(image).unsqueeze(0)
    batch = x.expand(len(classes), *x.shape[1:])
    targets = [ClassifierOutputTarget(k) for k in classes]
    with GradCAM(model=model, target_layers=[model.net.cam_layer]) as cam:
        maps = cam(input_tensor=batch, targets=targets)
    return [_to_image_frame(m, pre, image.width, image.height) for m in maps]


class _OnTheModel(torch.nn.Module):
    def __init__(self, model: ImageClassifier) -> None:
        super().__init__()
        self.model = model

    def forward(self, activations: torch.Tensor) -> torch.Tensor:
        return self.model.head(self.model.net.cam_layer(activations))


def hooked_maps(
    model: ImageClassifier, pre: Preprocessing, image: Image.Image, classes: list[int]
) -> list[np.ndarray]:
    """The recipe before per-request copies: the CAM hooked onto the model's own layers (a
    model this test owns), the trunk run once without autograd."""
    x = pre(image).unsqueeze(0)
    with torch.no_grad():
        start = model.net.tail[:-1](model.net.trunk(x))
    start = start.detach().requires_grad_(True)
    batch = start.expand(len(classes), *start.shape[1:]).contiguous()
    targets = [ClassifierOutputTarget(k) for k in classes]
    with _GradCAM(_OnTheModel(model), model.net.cam_layer, x.shape[-1]) as cam:
        maps = cam(input_tensor=batch, targets=targets)
    return [_to_image_frame(m, pre, image.width, image.height) for m in maps]


def test_maps_are_those_of_the_cam_hooked_on_the_model_itself():
    torch.manual_seed(1)
    model, pre = tiny_model("efficientnet-lite0", 96)  # a 3 x 3 CAM grid: maps with a shape
    ours = gradcam(model, pre, photo(), [4, 0, 6])
    expected = hooked_maps(copy.deepcopy(model), pre, photo(), [4, 0, 6])
    assert any(e.max() > 0 for e in expected)  # not a comparison of empty maps
    for result, reference in zip(ours, expected, strict=True):
        np.testing.assert_allclose(result.heatmap, reference, rtol=0, atol=1e-6)
    # The plain library on the whole model: the same maps up to float32 summation order (the
    # trunk runs on a batch of three there, and the map is rescaled to [0, 1]).
    plain = library_maps(copy.deepcopy(model), pre, photo(), [4, 0, 6])
    for result, reference in zip(ours, plain, strict=True):
        np.testing.assert_allclose(result.heatmap, reference, rtol=0, atol=1e-5)


def test_the_shared_model_is_never_changed():
    torch.manual_seed(2)
    model, pre = tiny_model("efficientnet-lite0")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trainable = [p.requires_grad for p in model.parameters()]
    gradcam(model, pre, photo(), [0, 1, 2])
    assert hook_count(model) == 0 and not model.training
    assert all(p.grad is None for p in model.parameters())
    assert [p.requires_grad for p in model.parameters()] == trainable
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_a_model_in_training_mode_is_refused_not_switched():
    model, pre = tiny_model("efficientnet-lite0")
    model.train()
    with pytest.raises(ValueError, match="eval mode"):
        gradcam(model, pre, photo(), [0])
    assert model.training


def test_the_cam_head_is_a_private_copy_with_the_models_logits():
    model, _ = tiny_model("efficientnet-lite0")
    private = _FromCamInput(model)
    shared = {p.data_ptr() for p in model.parameters()}
    assert not any(p.data_ptr() in shared for p in private.parameters())
    assert not any(p.requires_grad for p in private.parameters())
    activations = torch.randn(2, *model.net.cam_layer[0].weight.shape[1:2], 3, 3)
    with torch.no_grad():
        expected = model.head(model.net.cam_layer(activations))
        torch.testing.assert_close(private(activations), expected, rtol=0, atol=0)


def test_a_huge_photo_gives_bounded_maps_at_a_bounded_memory_cost():
    model, pre = tiny_model("efficientnet-lite0")
    huge = photo().resize((8000, 6000), Image.Resampling.NEAREST)  # 48 megapixels
    gradcam(model, pre, photo(), [0])  # warm-up: lazy imports and caches are not the cost
    tracemalloc.start()
    try:
        results = gradcam(model, pre, huge, [0, 1, 2])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert CAM_MAX_SIDE == 1024
    for r in results:
        assert r.heatmap.shape == (768, 1024) and r.overlay.size == (1024, 768)
    # Full-size maps of this photo would allocate 576 MB for the image as floats alone.
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB"
