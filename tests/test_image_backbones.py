"""Backbone registry: real architectures, the split, preprocessing, and weight loading."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from skinmm.image import backbones
from skinmm.image.backbones import (
    BACKBONES,
    DENSENET_FILE,
    MissingWeightsError,
    Preprocessing,
    get_backbone,
)


def test_registry_declares_everything_once():
    assert set(BACKBONES) == {"efficientnet-lite0", "efficientnet-lite2", "densenet201"}
    for spec in BACKBONES.values():
        card = spec.card()
        assert card["feature_dim"] == spec.feature_dim
        assert set(card["preprocessing"]) == {"resize", "crop", "mean", "std"}
    with pytest.raises(ValueError, match="choose one of"):
        get_backbone("resnet50")


def test_preprocessing_is_keyword_only_and_round_trips():
    with pytest.raises(TypeError):
        Preprocessing(256, 224)  # type: ignore[misc]
    pre = Preprocessing(resize=256, crop=224)
    assert Preprocessing.from_dict(pre.to_dict()) == pre
    assert pre.resized_for(64) == Preprocessing(resize=73, crop=64)
    tensor = pre(Image.new("RGB", (200, 150), (128, 128, 128)))
    assert tensor.shape == (3, 224, 224)


def test_lite0_split_matches_the_package_forward():
    from efficientnet_lite_pytorch import EfficientNet

    spec = get_backbone("efficientnet-lite0")
    net = spec.create(pretrained=True, crop=64).eval()
    reference = EfficientNet.from_name("efficientnet-lite0", image_size=64).eval()
    reference.load_state_dict(
        torch.load(backbones._lite_weights_file("efficientnet-lite0"), weights_only=True)
    )
    x = torch.randn(2, 3, 64, 64)
    with torch.inference_mode():
        assert torch.allclose(net(x), reference.extract_features(x), atol=1e-5)
        assert net.trunk(x).shape[1] == 112
    assert net.cam_layer is net.tail[-1]


def test_densenet201_random_weights_build_at_tiny_size():
    net = get_backbone("densenet201").create(pretrained=False, crop=64).eval()
    with torch.inference_mode():
        out = net(torch.randn(1, 3, 64, 64))
    assert out.shape == (1, 1920, 2, 2)
    assert net.cam_layer is net.tail[-1]  # norm5, torchvision's features[-1]


@pytest.fixture
def no_densenet_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty weight folders, and a download that fails as it does on an offline machine."""
    from torchvision.models._api import WeightsEnum

    def offline(*args: object, **kwargs: object) -> None:
        raise OSError("network is unreachable")

    monkeypatch.setenv("SKINMM_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    monkeypatch.setattr(WeightsEnum, "get_state_dict", offline)
    return tmp_path / "weights"


def test_missing_densenet_weights_name_the_file_and_folders(no_densenet_weights: Path):
    with pytest.raises(MissingWeightsError) as err:
        get_backbone("densenet201").create(pretrained=True)
    message = str(err.value)
    assert DENSENET_FILE in message and str(no_densenet_weights) in message
    assert "efficientnet-lite0" in message


def test_densenet_weights_placed_in_the_weights_dir_are_used(no_densenet_weights: Path):
    from torchvision.models import densenet201

    source = densenet201(weights=None)
    state = source.state_dict()
    # Old checkpoints spell dense-layer keys 'norm.1'; the loader must rename them.
    old = {
        k.replace("norm1.", "norm.1.") if "denselayer" in k else k: v
        for k, v in state.items()
        if not k.endswith("num_batches_tracked")
    }
    no_densenet_weights.mkdir()
    torch.save(old, no_densenet_weights / DENSENET_FILE)
    net = get_backbone("densenet201").create(pretrained=True, crop=64)
    assert torch.equal(net.trunk[0].weight, source.features.conv0.weight)
