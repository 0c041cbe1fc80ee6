"""The fast paths of preprocessing give torchvision's numbers exactly.

The cache fills through NumPy (uint8 crop, views, one batched normalisation) while prediction
and Grad-CAM go through torch; both must produce the same input tensors, or cached training
and live prediction would see different images.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.transforms import functional as TF

from skinmm.image.backbones import Preprocessing
from skinmm.image.features import HWC_VIEWS, VIEWS, TrunkCache, view_batch

SIZES = [(80, 60), (64, 64), (61, 99), (300, 41)]
RECIPES = [
    Preprocessing(resize=64, crop=64),
    Preprocessing(resize=72, crop=64),
    Preprocessing(resize=50, crop=64),  # smaller than the crop: torchvision pads
]


def photo(size: tuple[int, int], seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


@pytest.mark.parametrize("pre", RECIPES)
@pytest.mark.parametrize("size", SIZES)
def test_unit_tensor_equals_torchvision_resize_crop_to_tensor(pre: Preprocessing, size):
    image = photo(size)
    resized = TF.resize(image, pre.resize, interpolation=TF.InterpolationMode.BILINEAR)
    expected = TF.to_tensor(TF.center_crop(resized, pre.crop))
    assert torch.equal(pre.to_unit_tensor(image), expected)


@pytest.mark.parametrize("pre", RECIPES)
def test_numpy_views_then_batch_normalisation_equal_the_torch_views(pre: Preprocessing):
    image = photo((90, 70), seed=1)
    unit = pre.to_unit_tensor(image)
    pixels = pre.pixels(image)
    batch = np.stack([HWC_VIEWS[v](pixels) for v in HWC_VIEWS])
    fast = pre.normalize(torch.from_numpy(batch).permute(0, 3, 1, 2).float().div_(255.0))
    slow = torch.stack([pre.normalize(VIEWS[v](unit, 0)) for v in HWC_VIEWS])
    assert torch.equal(fast.contiguous(), slow)


def test_view_batch_normalises_once_for_geometric_views_with_the_same_numbers():
    pre = RECIPES[0]
    unit = pre.to_unit_tensor(photo((64, 64), seed=2))
    for views in (["identity"], list(HWC_VIEWS), ["identity", "jitter", "rot90"]):
        expected = torch.stack([pre.normalize(VIEWS[v](unit, 7)) for v in views])
        assert torch.equal(view_batch(unit, views, pre, 7), expected)


class Recorder(torch.nn.Module):
    """A stand-in trunk that keeps what it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.detach().float().clone())
        return x[:, :, ::8, ::8]


@pytest.mark.parametrize("views", [["identity", "hflip", "rot90"], ["identity", "jitter"]])
def test_cache_feeds_the_trunk_what_view_batch_gives(tmp_path: Path, views: list[str]):
    from skinmm.image.backbones import get_backbone

    pre = Preprocessing(resize=64, crop=64)
    paths = []
    for i in range(5):
        path = tmp_path / f"p{i}.png"
        photo((70 + i, 66), seed=i).save(path)
        paths.append(path)
    cache = TrunkCache(tmp_path / "cache", get_backbone("efficientnet-lite0"), pre)
    trunk = Recorder()
    digests = cache.extract(trunk, paths, views, batch_size=4, progress=False)
    fed = torch.cat(trunk.seen)
    expected = torch.cat(
        [
            view_batch(pre.to_unit_tensor(Image.open(p).convert("RGB")), views, pre, int(d[:8], 16))
            for p, d in zip(paths, digests, strict=True)
        ]
    )
    torch.testing.assert_close(fed, expected, rtol=0, atol=0)
    assert cache.computed == len(paths) * len(views)


def test_dihedral_views_are_the_eight_distinct_symmetries_of_the_square():
    from skinmm.image.features import DIHEDRAL_VIEWS

    square = np.arange(16).reshape(4, 4, 1)
    seen = {HWC_VIEWS[v](square).tobytes() for v in DIHEDRAL_VIEWS}
    assert len(DIHEDRAL_VIEWS) == 8 and len(seen) == 8
