"""The image loader: every format and failure a clinic's uploads can bring."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skinmm.image import io as image_io
from skinmm.image.io import load_image


def encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (80, 40), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    loaded = load_image(encode(image, "JPEG", exif=exif.tobytes()))
    assert loaded.size == (40, 80)


@pytest.mark.parametrize("mode", ["L", "CMYK", "P", "RGB"])
def test_modes_become_rgb(mode):
    image = Image.new("RGB", (48, 40), (30, 120, 200)).convert(mode)
    fmt = "JPEG" if mode in ("L", "CMYK") else "PNG"
    loaded = load_image(encode(image, fmt))
    assert loaded.mode == "RGB" and loaded.size == (48, 40)


def test_transparency_is_composited_on_white():
    image = Image.new("RGBA", (40, 40), (255, 0, 0, 0))
    image.putpixel((0, 0), (255, 0, 0, 255))
    loaded = np.asarray(load_image(encode(image, "PNG")))
    assert tuple(loaded[10, 10]) == (255, 255, 255)
    assert tuple(loaded[0, 0]) == (255, 0, 0)


def test_palette_with_transparency_is_composited():
    image = Image.new("RGBA", (40, 40), (0, 0, 255, 0)).convert("P")
    image.info["transparency"] = 0
    loaded = load_image(encode(image, "PNG", transparency=0))
    assert loaded.mode == "RGB"


def test_sixteen_bit_png_is_scaled_not_clipped():
    values = np.full((40, 40), 32768, dtype=np.uint16)
    loaded = np.asarray(load_image(encode(Image.fromarray(values), "PNG")))
    assert loaded.shape == (40, 40, 3)
    assert 120 <= int(loaded[0, 0, 0]) <= 135


def test_webp_path_and_file_object(tmp_path: Path):
    data = encode(Image.new("RGB", (50, 40), (10, 200, 10)), "WEBP")
    path = tmp_path / "lesion.webp"
    path.write_bytes(data)
    assert load_image(path).size == (50, 40)
    assert load_image(str(path)).size == (50, 40)
    with path.open("rb") as handle:
        assert load_image(handle).size == (50, 40)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is a clinical note, not a photo", "not a readable image"),
    ],
)
def test_non_images_give_clear_errors(data, message):
    with pytest.raises(ValueError, match=message):
        load_image(data)


def test_truncated_jpeg_is_rejected():
    rng = np.random.default_rng(0)
    noisy = Image.fromarray(rng.integers(0, 255, (120, 120, 3), dtype=np.uint8))
    data = encode(noisy, "JPEG")
    with pytest.raises(ValueError, match="truncated"):
        load_image(data[: len(data) // 2])


def test_too_small_and_missing_files(tmp_path: Path):
    with pytest.raises(ValueError, match="at least 32 pixels"):
        load_image(encode(Image.new("RGB", (20, 100)), "PNG"))
    with pytest.raises(ValueError, match="does not exist"):
        load_image(tmp_path / "absent.jpg")


def test_decompression_bomb_guard(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(image_io, "MAX_PIXELS", 1000)
    with pytest.raises(ValueError, match="too large"):
        load_image(encode(Image.new("RGB", (100, 100)), "PNG"))
