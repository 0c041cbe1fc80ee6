"""The image branch: backbones, the image loader, cached trunk activations, the classifier,
and Grad-CAM.

Names are imported lazily, so that ``skinmm.image.io`` can be used without loading torch and
pytorch-grad-cam.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Chosen by grouped 3-fold cross-validation on the HAM10000 training split (`make cv`):
# Lite2 beat Lite0 in every fold (docs/image-branch.md); Lite0 stays the faster option.
# Defined here, not in backbones.py, so the command line can read it without loading torch.
DEFAULT_BACKBONE = "efficientnet-lite2"
LIST_KEYS = frozenset({"train_views", "tta_views"})


def parse_param(key: str, text: str) -> Any:
    """A hyperparameter from text: ``a+b`` lists for the view keys, else int, float, bool,
    ``none`` or the string itself (for ``--image-param`` and cross-validation candidates)."""
    if key in LIST_KEYS:
        return text.split("+")
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"none": None, "true": True, "false": False}.get(text.lower(), text)


def parse_params(items: list[str]) -> dict[str, Any]:
    """``["epochs=4", "tail_trainable=3"]`` -> ``{"epochs": 4, "tail_trainable": 3}``."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{item!r} is not KEY=VALUE (for example epochs=8).")
        params[key.strip()] = parse_param(key.strip(), text.strip())
    return params


_EXPORTS = {
    "BACKBONES": "skinmm.image.backbones",
    "MissingWeightsError": "skinmm.image.backbones",
    "Preprocessing": "skinmm.image.backbones",
    "CamResult": "skinmm.image.cam",
    "ImageBranch": "skinmm.image.model",
    "load_image": "skinmm.image.io",
    "train_image_branch": "skinmm.image.standalone",
}
__all__ = sorted([*_EXPORTS, "DEFAULT_BACKBONE", "parse_param", "parse_params"])


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'skinmm.image' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
