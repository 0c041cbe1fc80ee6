"""The pretrained EfficientNet-Lite built without copies for a saved branch (meta device, the
file's tensors assigned) runs bit for bit as one built by copying the weights into fresh
tensors; a network built for training draws its random initialisation as before."""

from __future__ import annotations

import pytest
import torch
from efficientnet_lite_pytorch import EfficientNet

from skinmm.image.backbones import _lite_weights_file, get_backbone


def _copied(name: str, crop: int) -> EfficientNet:
    """The previous way: random initialisation, then the file's weights copied in."""
    net = EfficientNet.from_name(name, image_size=crop)
    net.load_state_dict(torch.load(_lite_weights_file(name), map_location="cpu", weights_only=True))
    return net


@pytest.mark.parametrize("name", ["efficientnet-lite0", "efficientnet-lite2"])
def test_assigned_weights_give_the_copied_networks_features(name):
    spec = get_backbone(name)
    crop = spec.preprocessing.crop
    built = spec.create(pretrained=True, initialise=False)
    copied = _copied(name, crop)
    tensors = [*built.trunk.parameters(), *built.trunk.buffers()]
    assert not any(t.is_meta for t in tensors)
    x = torch.rand(2, 3, crop, crop, generator=torch.Generator().manual_seed(0))
    x = x.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        # Every user runs the network channels-last (ImageBranch.to, training, features).
        built.eval().to(memory_format=torch.channels_last)
        copied.eval().to(memory_format=torch.channels_last)
        ours = built.tail(built.trunk(x))
        theirs = copied.extract_features(x)  # stem, blocks, head: trunk + tail
    assert torch.equal(ours, theirs)


def test_a_network_for_training_draws_the_same_random_numbers_as_before():
    spec = get_backbone("efficientnet-lite0")
    torch.manual_seed(0)
    spec.create(pretrained=True)
    after_build = torch.rand(3)
    torch.manual_seed(0)
    _copied("efficientnet-lite0", spec.preprocessing.crop)
    assert torch.equal(after_build, torch.rand(3))
