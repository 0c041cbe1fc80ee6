"""Clinical notes as users type or paste them, made safe to embed.

Notes come from a text box, a CSV or a hospital system: they may be bytes, carry control or
zero-width characters, mix Chinese and English, or be pages long. Cleaning is the same at
training and at prediction time, so the embedder always sees one normal form.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

MAX_NOTE_CHARS = 2000
REPLACEMENT_CHAR = "\ufffd"
_SPACES = re.compile(r"\s+")


def _as_text(note: object) -> str:
    if note is None or (isinstance(note, float) and math.isnan(note)):
        return ""
    if isinstance(note, bytes):
        try:
            return note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"A note is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                "save or paste it as UTF-8 and try again."
            ) from None
    if not isinstance(note, str):
        raise ValueError(f"A note must be text, got {type(note).__name__}.")
    return note


def _strip_controls(text: str) -> str:
    # Control characters (Cc) become spaces so that words they separated stay apart;
    # format characters (Cf: zero-width space, BOM, bidi marks) are invisible and dropped.
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            out.append(" ")
        elif category not in ("Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    return "".join(out)


def _truncate(text: str, max_chars: int) -> str:
    cut = text[:max_chars]
    # Cut at the last space when there is one near the end, so no word is split in two.
    space = cut.rfind(" ")
    return cut[:space] if space > max_chars * 0.9 else cut


def clean_note_flagged(note: object, *, max_chars: int = MAX_NOTE_CHARS) -> tuple[str, bool]:
    """One note in normal form (``""`` means the case has no text), and whether it was cut.

    NFKC-normalised (full-width digits and letters become ASCII), control and invisible
    characters removed, whitespace collapsed. Notes longer than ``max_chars`` are truncated
    and flagged. The flag is returned rather than warned: a server catching warnings would
    have to change the process-wide warning filters, which concurrent sessions share.

    Raises
    ------
    ValueError
        For bytes that are not UTF-8, non-text values, and text that was decoded with the
        wrong encoding (it carries U+FFFD replacement characters).
    """
    text = _as_text(note)
    if REPLACEMENT_CHAR in text:
        raise ValueError(
            "A note contains U+FFFD replacement characters: it was read with the wrong "
            "encoding. Re-export it as UTF-8 and try again."
        )
    text = _SPACES.sub(" ", _strip_controls(unicodedata.normalize("NFKC", text))).strip()
    if len(text) > max_chars:
        return _truncate(text, max_chars), True
    return text, False


def clean_note(note: object, *, max_chars: int = MAX_NOTE_CHARS) -> str:
    """:func:`clean_note_flagged` without the flag."""
    return clean_note_flagged(note, max_chars=max_chars)[0]


def clean_notes(notes: Sequence[object], *, max_chars: int = MAX_NOTE_CHARS) -> list[str]:
    """:func:`clean_note` for each note, with the offending note's position in any error."""
    out = []
    for i, note in enumerate(notes):
        try:
            out.append(clean_note(note, max_chars=max_chars))
        except ValueError as exc:
            raise ValueError(f"Note {i}: {exc}") from None
    return out
