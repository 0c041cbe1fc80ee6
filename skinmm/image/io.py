"""The one image loader, for training and for prediction.

Clinical photos arrive as phone JPEGs with EXIF rotation, scanner PNGs at 16 bits, CMYK
prints, palette GIF-like PNGs, images with transparency, WebP. All become upright 8-bit RGB.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from skinmm.errors import (
    DamagedImage,
    EmptyImage,
    ImageTooLarge,
    ImageTooSmall,
    UnreadableImage,
    UnsupportedImage,
)

MIN_SIDE = 32
MAX_PIXELS = 64_000_000  # ~ an 8000 x 8000 photo; larger files are rejected as possible bombs
ImageSource = bytes | str | Path | BinaryIO
# What the app's uploader accepts, as Pillow names it (MPO: phone JPEGs with a depth map).
UPLOAD_FORMATS: tuple[str, ...] = ("JPEG", "MPO", "PNG", "WEBP")
# Our own limit (MAX_PIXELS, checked after every open) is below Pillow's warning threshold
# (89 MP), so its warning adds nothing. It is silenced once here rather than with
# ``warnings.catch_warnings`` per call: that context manager swaps the process-wide filter
# list and is not thread-safe, and the app decodes uploads from several sessions at once.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def image_format(data: bytes) -> str:
    """The format Pillow recognises in ``data`` ("JPEG", "GIF", ...) without decoding it."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            return probe.format or "unknown"
    except Exception:  # anything Pillow cannot even identify
        return "unknown"


def _read_bytes(source: ImageSource) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "the uploaded image"
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"Image file {path} does not exist; check the path.")
        return path.read_bytes(), str(path)
    return source.read(), getattr(source, "name", "the uploaded image")


def _open(data: bytes, name: str) -> Image.Image:
    megapixels = MAX_PIXELS // 1_000_000
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise Image.DecompressionBombError("too many pixels")
        image.load()
    except Image.DecompressionBombError as exc:
        # Pillow's own text quotes its limit, not ours: state ours only.
        raise ImageTooLarge(
            f"{name} is too large: it has more than {megapixels} megapixels, the most that "
            "is accepted. Downscale it and try again.",
            megapixels=megapixels,
        ) from exc
    except UnidentifiedImageError as exc:
        raise UnreadableImage(
            f"{name} is not a readable image. Upload a complete JPEG, PNG or WebP file."
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise DamagedImage(
            f"{name} is not a readable image or is truncated ({image_format(data)} data "
            f"that cannot be decoded: {exc}). Upload a complete JPEG, PNG or WebP file.",
            format=image_format(data),
        ) from exc
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits rather than clip, which would turn it white.
        values = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if values.max() > 255 else 255.0
        image = Image.fromarray(np.round(values / peak * 255).astype(np.uint8), mode="L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def load_image(
    source: ImageSource, *, min_side: int = MIN_SIDE, formats: Collection[str] | None = None
) -> Image.Image:
    """Decode ``source`` (bytes, path or file object) into an upright 8-bit RGB image.

    Parameters
    ----------
    source : the encoded image: raw bytes, a path, or a binary file object.
    min_side : the smallest accepted width and height, in pixels.
    formats : the accepted Pillow formats (e.g. :data:`UPLOAD_FORMATS`); None accepts any.

    Raises
    ------
    ValueError
        If the data is not an image, is truncated, is too large or too small (subclasses of
        :class:`skinmm.errors.InputError`, which name the message to show a user).
    """
    data, name = _read_bytes(source)
    if not data:
        raise EmptyImage(f"{name} is empty; upload a JPEG, PNG or WebP image.")
    image = _open(data, name)
    if formats is not None and image.format not in formats:
        raise UnsupportedImage(
            f"{name} is a {image.format} image; upload a JPEG, PNG or WebP file.",
            format=image.format or "unknown",
        )
    image = ImageOps.exif_transpose(image) or image
    rgb = _to_rgb(image)
    if min(rgb.size) < min_side:
        raise ImageTooSmall(
            f"{name} is {rgb.width}x{rgb.height} pixels; at least {min_side} pixels on each side "
            "are needed. Upload a larger image of the lesion.",
            width=rgb.width,
            height=rgb.height,
            min_side=min_side,
        )
    return rgb
