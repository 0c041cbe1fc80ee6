"""How far an English cue reaches: the checks NegEx needs on real notes.

NegEx (negspacy) lets a denial run to the end of the sentence or to a termination word.
Notes are written as comma-joined clauses, so "No prior skin malignancy, bleeds on touch"
would deny the bleeding. Here a denial crosses a comma only into a bare list of the same
kind of finding ("Denies itching, growth or bleeding"), and a "no" that is the value of an
earlier finding ("itch: no, pain") denies nothing after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc, Span

from skinmm.text import facts_vocab as v
from skinmm.text.facts_common import ABSENT, PRESENT

_JOINERS = {"or", "and", "nor", "/", "&", "any", "either"}
_SYMPTOMS = {"itch", "grew", "hurt", "changed", "bleed"}
_HABITS = {"smoke", "drink", "pesticide"}


@lru_cache(maxsize=32)
def _cue_tokens(nlp: Language, cues: tuple[str, ...]) -> list[list[str]]:
    # Cues are split as the notes are ("h/o" may be one token or three), longest first.
    tokens = [[t.lower_ for t in nlp.tokenizer(cue)] for cue in cues]
    return sorted(tokens, key=len, reverse=True)


def cue_before(nlp: Language, span: Span, cues: Iterable[str]) -> Span | None:
    """The nearest of ``cues`` before ``span`` in its sentence, as a span of the doc."""
    sent = span.sent
    lowered = [t.lower_ for t in sent]
    patterns = _cue_tokens(nlp, tuple(cues))
    for i in range(span.start - sent.start - 1, -1, -1):
        for words in patterns:
            if lowered[i : i + len(words)] == words and sent.start + i + len(words) <= span.start:
                return sent[i : i + len(words)]
    return None


def cue_after(nlp: Language, span: Span, cues: Iterable[str], window: int = 2) -> Span | None:
    """One of ``cues`` within ``window`` tokens after ``span`` ("no other cancer history")."""
    doc = span.doc
    end = min(len(doc), span.end + window)
    lowered = [t.lower_ for t in doc[span.end : end]]
    for words in _cue_tokens(nlp, tuple(cues)):
        for i in range(len(lowered)):
            if lowered[i : i + len(words)] == words:
                return doc[span.end + i : span.end + i + len(words)]
    return None


def category(span: Span) -> str:
    """The kind of finding a concept is; a list continues only within one kind."""
    if span.label_ in ("FACT", "FLIP"):
        key = span.ent_id_
        return "symptom" if key in _SYMPTOMS else ("habit" if key in _HABITS else key)
    return "diagnosis" if span.label_ in ("SKIN_CANCER", "CANCER", "DIAGNOSIS") else span.label_


def _entity_at(doc: Doc) -> dict[int, Span]:
    return {i: ent for ent in doc.ents for i in range(ent.start, ent.end)}


def _bare_list_item(doc: Doc, start: int, end: int, kind: str, at: dict[int, Span]) -> bool:
    """Tokens ``start:end`` hold only concepts of ``kind`` and list joiners."""
    for i in range(start, end):
        ent = at.get(i)
        if ent is None and doc[i].lower_ not in _JOINERS:
            return False
        if ent is not None and category(ent) != kind:
            return False
    return True


def list_reaches(cue: Span, span: Span) -> bool:
    """Whether a denial at ``cue`` still covers ``span`` across the commas between them."""
    doc = span.doc
    commas = [i for i in range(cue.end, span.start) if doc[i].text == ","]
    if not commas:
        return True
    at = _entity_at(doc)
    first = next((at[i] for i in range(cue.end, span.start) if i in at), span)
    kind = category(first)
    bounds = [*commas, _clause_end(doc, span)]
    return all(_bare_list_item(doc, a + 1, b, kind, at) for a, b in pairwise(bounds))


def _clause_end(doc: Doc, span: Span) -> int:
    end = span.end
    while end < span.sent.end and not doc[end].is_punct:
        end += 1
    return end


def is_value(cue: Span) -> bool:
    """A "no" written as the value of an earlier finding ("itch: no") is no cue."""
    before = cue.doc.text[: cue.start_char].rstrip()
    return before.endswith((":", "=", "("))


def hedged_by_question(span: Span) -> bool:
    """ "?itch", "bleeding?": a question mark written against the word."""
    text = span.doc.text
    before = text[span.start_char - 1] if span.start_char > 0 else ""
    after = text[span.end_char] if span.end_char < len(text) else ""
    return "?" in (before, after)


_WORDS = "|".join(
    re.escape(w)
    for w in sorted({*v.AFTER_PRESENT, *v.AFTER_ABSENT} - {"+", "-"}, key=len, reverse=True)
)
_SYMBOLS = r"\+ve|-ve|\+|-"
_AFTER = re.compile(
    rf"^\s*(?:[:=]\s*\(?\s*({_WORDS}|{_SYMBOLS})\s*\)?"
    rf"|\(\s*({_WORDS}|{_SYMBOLS})\s*\)"
    rf"|\s+-\s+({_WORDS})"
    rf"|\s*({_SYMBOLS}))(?![\w+-])",
    re.I,
)


def stated_after(span: Span) -> tuple[str, int] | None:
    """A value written right after the concept ("itch: no", "bleeding (+)"), and its end.

    Words count only after a colon, equals sign or in brackets ("changes noted" is not
    "change: noted"); the signs + and - may stand alone ("pain -").
    """
    rest = span.doc.text[span.end_char :]
    match = _AFTER.match(rest)
    if match is None:
        return None
    word = next(g for g in match.groups() if g).lower()
    return (PRESENT if word in v.AFTER_PRESENT else ABSENT), span.end_char + match.end()
