"""What a user is told when something fails: one mapping from exceptions to UI messages.

The library raises ordinary exceptions whose text is written for developers and the CLI (in
English, sometimes quoting Pillow or SQLAlchemy). Pages never show that text as the message:
they call :func:`explain`, which names a message key of :data:`skinmm.i18n.STRINGS` (what was
wrong and what to do, in the UI language) and keeps the technical text as ``detail``, for an
expander. Input problems that the user can fix have their own exception classes below, so the
mapping never has to parse English sentences.

This module imports nothing heavy: :mod:`skinmm.image.io` raises its classes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

# Reprs such as <_io.BytesIO object at 0x7f...> say nothing to anyone and leak addresses.
_OBJECT_REPR = re.compile(r"<[^<>]*? object at 0x[0-9a-fA-F]+>")
DETAIL_LIMIT = 600


class InputError(ValueError):
    """An input the user gave that cannot be used; ``key`` names the message that says why.

    ``values`` fill the message's placeholders. The exception's own text stays the developer's
    sentence (shown by the CLI, and behind the expander in the app).
    """

    key: ClassVar[str] = "err_input"

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.values: dict[str, object] = values


class EmptyImage(InputError):
    key = "err_image_empty"


class UnreadableImage(InputError):
    """The bytes are not an image format the decoder knows (a PDF, a text file)."""

    key = "err_image_unreadable"


class DamagedImage(InputError):
    """A known image format whose data is truncated or corrupt."""

    key = "err_image_damaged"


class UnsupportedImage(InputError):
    """A readable image in a format the upload does not accept (a GIF renamed ``.png``)."""

    key = "err_image_format"


class ImageTooLarge(InputError):
    """More pixels than :data:`skinmm.image.io.MAX_PIXELS` (``megapixels`` in values)."""

    key = "err_image_too_large"


class ImageTooSmall(InputError):
    key = "err_image_too_small"


class UnreadableNote(InputError):
    """A note with no readable clinical content (emoji, punctuation, one unrelated word) and
    no photo beside it: nothing is left to analyse."""

    key = "err_note_unreadable"


@dataclass(frozen=True)
class Explanation:
    """A message key with its values, and the technical detail for the expander."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)
    detail: str = ""


def technical_detail(exc: BaseException) -> str:
    """The exception's own text without object reprs, tagged with its class, bounded."""
    text = _OBJECT_REPR.sub("<…>", str(exc)).strip() or "—"
    if len(text) > DETAIL_LIMIT:
        text = text[:DETAIL_LIMIT] + "…"
    return f"[{type(exc).__name__}] {text}"


def explain(exc: BaseException, fallback: str = "err_predict") -> Explanation:
    """The message for ``exc``: its own key for input errors, else by kind, else ``fallback``.

    ``fallback`` names what the page was doing (``err_predict``, ``err_report``, ...), so an
    unexpected failure still says which step failed and what to try.
    """
    from skinmm.bundle import BundleError
    from skinmm.db.store import StorageError

    detail = technical_detail(exc)
    if isinstance(exc, InputError):
        return Explanation(exc.key, dict(exc.values), detail)
    if isinstance(exc, StorageError):
        return Explanation("err_storage", {}, detail)
    if isinstance(exc, BundleError):
        return Explanation("err_bundle_damaged", {}, detail)
    if isinstance(exc, MemoryError):
        return Explanation("err_memory", {}, detail)
    return Explanation(fallback, {}, detail)
