"""Every page, in Chinese, after an analysis and after every bad input of issue 13's audit:
no English-only string a user reads, and no raw exception text anywhere, in either language.

The walk collects the text of every element a user reads (headings, Markdown, captions,
alerts, metric labels, values and deltas, widget labels, options and help, expander and tab
labels, table headers, chart titles and legends). In Chinese each must contain CJK, or be
made only of codes, numbers and proper names (:data:`ALLOWED`). In both languages no element
at all (code blocks and plain text included) may carry a raw exception's text.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from skinmm.i18n import STRINGS
from skinmm.image.io import MAX_PIXELS

# The AppTest fixtures (fresh caches, a private SKINMM_HOME, the tiny bundle's app).
from tests.test_app import app  # noqa: F401

# Every test starts the app afresh (conftest.app_home).
pytestmark = pytest.mark.usefixtures("app_home")

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Codes, units, proper names and file formats that are the same in every language.
ALLOWED = re.compile(
    r"SkinMM|Grad-CAM|JSON|AUC|ECE|F1|JPEG|PNG|WebP|GIF|MB|English|Apache-2\.0|"
    r"CC BY-NC-SA 4\.0|HAM10000|Tschandl|Sci\. Data|DATABASE_URL|SKINMM_\w+|"
    r"efficientnet[\w-]*|densenet\w*|use-multilingual|akiec|bcc|bkl|df|mel|nv|vasc|"
    r"ISIC_\d+|\bvs\b|e\.g\."
)
RAW = ("Error:", "Traceback", "<_io.", "object at 0x", "DOS attack")
NOTE_ZH = "男，63岁。背部色素性皮损，近六个月增大，偶有出血。"
NOTE_EN = "Male, 63 years. Pigmented lesion on the back that grew over six months and bled."


def encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def photo(fmt: str = "PNG") -> bytes:
    rng = np.random.default_rng(0)
    pixels = np.clip(rng.normal(120, 40, (96, 96, 3)), 0, 255).astype(np.uint8)
    return encode(Image.fromarray(pixels), fmt)


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and header claiming ``width`` x ``height``, with almost no data:
    a few hundred bytes that would decode to hundreds of megabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


# (id, photo name and bytes or None, note, message key shown or None for a result)
BAD_INPUTS: list[tuple[str, tuple[str, bytes] | None, str, str | None]] = [
    ("empty-submit", None, "", "err_empty"),
    (
        "non-image",
        ("scan.png", b"%PDF-1.4 a referral letter, not a photo"),
        "",
        "err_image_unreadable",
    ),
    ("gif-renamed-png", ("lesion.png", photo("GIF")), "", "err_image_format"),
    ("truncated-jpeg", ("lesion.jpg", photo("JPEG")[:700]), "", "err_image_damaged"),
    ("bomb-png", ("lesion.png", png_header_only(30_000, 30_000)), "", "err_image_too_large"),
    (
        "over-our-limit-png",
        ("lesion.png", png_header_only(8_500, 8_500)),
        "",
        "err_image_too_large",
    ),
    ("zero-bytes", ("lesion.jpg", b""), "", "err_image_empty"),
    ("emoji-note", None, "🙂🔬🩺", "err_note_unreadable"),  # no readable content: no note
    ("long-note", None, "瘤" * 20_000, "err_note_too_long"),
    ("whitespace-note", None, " \n\t \u3000 ", "err_empty"),
]


def in_language(at: AppTest, lang: str) -> AppTest:
    at.run()
    if lang != "en":
        at.radio(key="lang_switch").set_value(lang).run()
    return at


def submit(at: AppTest, upload: tuple[str, bytes] | None, note: str) -> AppTest:
    if upload is not None:
        name, data = upload
        at.get("file_uploader")[0].set_value((name, data, "image/png"))
    at.text_area(key="diagnose_note").input(note)
    return at.button(key="diagnose_analyse").click().run()


def _proto_texts(element: object, *fields: str) -> Iterator[str]:
    proto = getattr(element, "proto", None)
    for name in fields:
        value = getattr(proto, name, None)
        if isinstance(value, str):
            yield value
        elif value is not None and not isinstance(value, str | bytes):
            yield from (str(v) for v in value)


def read_texts(at: AppTest) -> list[str]:
    """The text of everything on the page a user reads."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in ("error", "warning", "info", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    for metric in at.metric:
        out += [metric.label, str(metric.value), *_proto_texts(metric, "delta", "help")]
    for kind in ("button", "download_button", "page_link"):
        for e in at.get(kind):
            out += list(_proto_texts(e, "label", "help"))
    for kind in ("text_area", "text_input", "toggle", "slider", "file_uploader", "checkbox"):
        for e in at.get(kind):
            out += list(_proto_texts(e, "label", "help", "placeholder"))
    for kind in ("radio", "selectbox", "multiselect", "button_group"):
        for e in at.get(kind):
            out += list(_proto_texts(e, "label", "help", "options"))
    out += [e.label for e in at.expander] + [e.label for e in at.tabs]
    for frame in at.dataframe:
        out += [str(c) for c in frame.value.columns]
    for chart in at.get("plotly_chart"):
        out += chart_texts(json.loads(chart.proto.spec))
    return [text for text in out if text and text.strip()]


def chart_texts(spec: dict) -> list[str]:
    layout = spec.get("layout", {})
    texts = [str(trace.get("name", "")) for trace in spec.get("data", [])]
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis", "legend")) or key == "title":
            title = value.get("title") if isinstance(value, dict) else None
            if key == "title":
                title = value
            if isinstance(title, dict):
                texts.append(str(title.get("text", "")))
    return texts


def every_text(at: AppTest) -> list[str]:
    """``read_texts`` plus code blocks, plain text and exceptions: for the raw-text check."""
    extra = [str(e.value) for e in at.code] + [str(e.value) for e in at.text]
    return read_texts(at) + extra + [str(e.message) for e in at.exception]


def english_only(texts: list[str]) -> list[str]:
    """Texts with Latin letters that are not allowed codes or names, and no Chinese."""
    return [
        text
        for text in texts
        if not CJK.search(text) and re.search(r"[A-Za-z]", ALLOWED.sub("", text))
    ]


def assert_no_raw_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    raw = [text for text in every_text(at) if any(marker in text for marker in RAW)]
    assert not raw, raw


def assert_all_chinese(at: AppTest, where: str) -> None:
    leftovers = english_only(read_texts(at))
    assert not leftovers, f"{where}: English-only text in the Chinese UI: {leftovers}"


def test_the_walk_can_fail() -> None:
    """The checks above catch what they are for (else the walks below prove nothing)."""
    assert english_only(["Most likely", "最可能的诊断", "73%", "SkinMM", "nv", "0.845"]) == [
        "Most likely"
    ]
    assert english_only(["Browse files", "+0.010 vs image"]) == ["Browse files", "+0.010 vs image"]


def test_every_page_in_chinese_after_an_analysis(app: AppTest) -> None:
    at = in_language(app, "zh")
    assert_no_raw_exception(at)
    assert_all_chinese(at, "Diagnose")
    # The uploader's own texts have no API: the page's CSS writes them in the UI language.
    style = " ".join(str(e.proto.body) for e in at.get("html"))
    for text in ("将照片拖放到此处", "最大 25 MB · JPEG、PNG、WebP", "选择文件"):
        assert f'content: "{text}"' in style
    at = submit(at, ("病灶.png", photo()), NOTE_ZH)
    assert_no_raw_exception(at)
    assert at.get("plotly_chart"), "the analysis did not show a result"
    assert_all_chinese(at, "Diagnose after an analysis")
    # An edit after the analysis: the stale warning and the inputs beside the result.
    at.text_area(key="diagnose_note").input(NOTE_ZH + "瘙痒。").run()
    assert any("之前的输入" in w.value for w in at.warning)
    assert_all_chinese(at, "Diagnose with a stale result")
    for page, where in [
        ("views/dashboard.py", "Dashboard"),
        ("views/history.py", "History"),
        ("views/model_card.py", "Model card"),
        ("views/teach.py", "Teach"),
    ]:
        at.switch_page(page).run()
        assert_no_raw_exception(at)
        assert_all_chinese(at, where)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("upload", "note", "key"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_every_bad_input_gives_a_message_in_the_ui_language(
    app: AppTest, lang: str, upload: tuple[str, bytes] | None, note: str, key: str | None
) -> None:
    at = submit(in_language(app, lang), upload, note)
    assert_no_raw_exception(at)
    errors = [e.value for e in at.error]
    if key is None:  # an odd but valid input: analysed, not refused
        assert not errors and at.get("plotly_chart")
    else:
        assert len(errors) == 1, errors
        # The message's fixed opening, before its first placeholder.
        opening = re.split(r"\{", STRINGS[key][lang])[0][:20]
        assert errors[0].startswith(opening), (errors[0], opening)
        assert not at.get("plotly_chart")
    if lang == "zh":
        assert_all_chinese(at, f"Diagnose after {note[:10]!r} / {upload and upload[0]}")


def test_the_size_limit_stated_is_the_one_enforced(app: AppTest) -> None:
    at = submit(in_language(app, "en"), ("lesion.png", png_header_only(30_000, 30_000)), "")
    message = at.error[0].value
    assert f"more than {MAX_PIXELS // 1_000_000} megapixels" in message
    details = " ".join(str(e.value) for e in at.code)
    assert "89478485" not in details and "178956970" not in details  # Pillow's own limits
