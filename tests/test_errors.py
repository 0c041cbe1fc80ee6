"""The one mapping from exceptions to UI messages: every input problem has its own message,
in both languages, and no technical detail carries an object repr or Pillow's limits."""

from __future__ import annotations

import io
import re
import string

import pytest
from PIL import Image

from skinmm.bundle import BundleError
from skinmm.db.store import StorageError
from skinmm.errors import (
    DamagedImage,
    EmptyImage,
    ImageTooLarge,
    ImageTooSmall,
    InputError,
    UnreadableImage,
    UnsupportedImage,
    explain,
    technical_detail,
)
from skinmm.i18n import LANGS, STRINGS, t
from skinmm.image.io import MAX_PIXELS, UPLOAD_FORMATS, load_image

INPUT_ERRORS = (
    InputError,
    EmptyImage,
    UnreadableImage,
    DamagedImage,
    UnsupportedImage,
    ImageTooLarge,
    ImageTooSmall,
)


def encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("cls", INPUT_ERRORS)
def test_every_input_error_has_a_message_in_both_languages(cls: type[InputError]) -> None:
    assert cls.key in STRINGS
    assert issubclass(cls, ValueError)  # callers that catch ValueError still do
    for lang in LANGS:
        assert STRINGS[cls.key][lang].strip()


@pytest.mark.parametrize(
    ("data", "cls", "values"),
    [
        (b"", EmptyImage, {}),
        (b"a referral letter, not a photo", UnreadableImage, {}),
        (encode(Image.new("RGB", (64, 64)), "GIF"), UnsupportedImage, {"format": "GIF"}),
        (encode(Image.new("RGB", (200, 200), (9, 9, 9)), "JPEG")[:200], DamagedImage, {}),
        (encode(Image.new("RGB", (20, 100)), "PNG"), ImageTooSmall, {"width": 20}),
    ],
    ids=["empty", "not-an-image", "gif", "truncated-jpeg", "too-small"],
)
def test_the_loader_raises_the_class_that_names_the_message(
    data: bytes, cls: type[InputError], values: dict[str, object]
) -> None:
    with pytest.raises(cls) as caught:
        load_image(data, formats=UPLOAD_FORMATS)
    explained = explain(caught.value)
    assert explained.key == cls.key
    assert values.items() <= explained.values.items()
    message = t(explained.key, "zh", **explained.values)  # every placeholder is filled
    assert "{" not in message
    assert "object at 0x" not in explained.detail and "<_io." not in explained.detail


def test_a_gif_is_still_read_where_formats_are_not_restricted() -> None:
    """Training data and the CLI read any image Pillow knows; only the upload is narrowed."""
    assert load_image(encode(Image.new("RGB", (64, 64)), "GIF")).size == (64, 64)


def test_too_large_states_our_limit_not_pillows(monkeypatch: pytest.MonkeyPatch) -> None:
    import skinmm.image.io as image_io

    monkeypatch.setattr(image_io, "MAX_PIXELS", 1000)
    with pytest.raises(ImageTooLarge) as caught:
        load_image(encode(Image.new("RGB", (100, 100)), "PNG"))
    explained = explain(caught.value)
    assert explained.values == {"megapixels": 0}
    real = MAX_PIXELS // 1_000_000
    assert f"{real} megapixels" in t("err_image_too_large", "en", megapixels=real)
    assert "DOS attack" not in explained.detail


def test_other_failures_map_by_kind_then_to_the_pages_fallback() -> None:
    assert explain(StorageError("database is locked")).key == "err_storage"
    assert explain(BundleError("checksum mismatch")).key == "err_bundle_damaged"
    assert explain(MemoryError()).key == "err_memory"
    assert explain(RuntimeError("CUDA exploded"), "err_report_unreadable").key == (
        "err_report_unreadable"
    )
    assert explain(KeyError("x")).key == "err_predict"


def test_technical_detail_hides_reprs_and_is_bounded() -> None:
    exc = OSError("cannot identify image file <_io.BytesIO object at 0x7f3a2c1b9e50>")
    detail = technical_detail(exc)
    assert detail == "[OSError] cannot identify image file <…>"
    assert "Error:" not in technical_detail(ValueError("x"))
    assert len(technical_detail(ValueError("y" * 5000))) < 700


def test_message_placeholders_are_the_values_the_errors_carry() -> None:
    carried = {
        "err_image_format": {"format"},
        "err_image_too_large": {"megapixels"},
        "err_image_too_small": {"width", "height", "min_side"},
        "err_image_damaged": {"format"},
    }
    for key, names in carried.items():
        for lang in LANGS:
            fields = {f for _, f, _, _ in string.Formatter().parse(STRINGS[key][lang]) if f}
            assert fields == names, (key, lang)
    assert not re.search(r"\{", STRINGS["err_image_empty"]["zh"])
