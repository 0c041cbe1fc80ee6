"""Grad-CAM: heat maps at the photo's size, and no hook or memory left behind."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import torch
from PIL import Image
from pytorch_grad_cam import GradCAM

from skinmm.image.backbones import get_backbone
from skinmm.image.cam import gradcam, hook_count
from skinmm.image.network import ImageClassifier


def tiny_model(name: str) -> tuple[ImageClassifier, object]:
    spec = get_backbone(name)
    pre = spec.preprocessing.resized_for(32)
    net = spec.create(pretrained=False, crop=32)
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
