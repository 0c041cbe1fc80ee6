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
from spacy.tokens import Doc, Span, Token

from skinmm.text import facts_vocab as v
from skinmm.text.facts_common import ABSENT, PRESENT

_JOINERS = {"or", "and", "nor", "/", "&", "any", "either"}
# Words that may stand between a list and a denial written after it ("... all denied").
_BETWEEN = {",", "all", "both", "were", "was", "is", "are", "been", "have", "has"}
# Words that may close a denied list ("no growth, pain or bleeding reported").
_LIST_CLOSERS = {"reported", "noted"}
_VERB_CUES = {"not", "n't", "never", "has not", "have not", "had not"}
_SHORTHAND_VALUES = {"neg", "-ve"}
_SYMPTOMS = {"itch", "grew", "hurt", "changed", "bleed"}
_HABITS = {"smoke", "drink", "pesticide", "sun_exposure"}


def sent_of(span: Span) -> Span:
    """``span.sent`` from a table built once per doc: spaCy's own walks the whole doc on
    every call, which made long notes (transcripts, checklists) slow."""
    doc = span.doc
    table = doc.user_data.get("skinmm_sent_at")
    if table is None:
        table = {i: sent for sent in doc.sents for i in range(sent.start, sent.end)}
        doc.user_data["skinmm_sent_at"] = table
    return table[span.start]


def text_of(doc: Doc) -> str:
    """``doc.text``, kept once per doc: spaCy joins every token's text on each access, and
    the scope checks read it for every concept of a note."""
    text = doc.user_data.get("skinmm_text")
    if text is None:
        text = doc.user_data["skinmm_text"] = doc.text
    return str(text)


@lru_cache(maxsize=32)
def _cue_tokens(nlp: Language, cues: tuple[str, ...]) -> list[list[str]]:
    # Cues are split as the notes are ("h/o" may be one token or three), longest first.
    tokens = [[t.lower_ for t in nlp.tokenizer(cue)] for cue in cues]
    return sorted(tokens, key=len, reverse=True)


def cue_before(nlp: Language, span: Span, cues: Iterable[str]) -> Span | None:
    """The nearest of ``cues`` before ``span`` in its sentence, as a span of the doc."""
    sent = sent_of(span)
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


def past_site(nlp: Language, span: Span) -> bool:
    """A site in a history clause ("prior SCC on the scalp") is not this lesion's site."""
    cue = cue_before(nlp, span, v.HISTORY_CUES_EN)
    if cue is None or _history_heading(cue):
        return False
    return all(t.text not in (",", ";") for t in span.doc[cue.end : span.start])


def _history_heading(cue: Span) -> bool:
    """ "History: I saw ... regarding a mole on the chest": a letter's heading for the
    presenting history, not a past illness ("PMHx:", "Past history:" stay cues)."""
    doc = cue.doc
    opens = cue.start == sent_of(cue).start or doc[cue.start - 1].text == "\n"
    return (
        cue.text.lower() == "history" and opens and cue.end < len(doc) and doc[cue.end].text == ":"
    )


_YEAR = re.compile(r"^[^.;,]{0,20}?\b(?:19|20)\d\d\b")


def year_after(span: Span) -> Span | None:
    """A year written after a diagnosis in the same clause ("melanoma in situ 2019")."""
    match = _YEAR.match(text_of(span.doc)[span.end_char :])
    if match is None:
        return None
    return span.doc.char_span(span.end_char, span.end_char + match.end(), alignment_mode="expand")


def denied_after(nlp: Language, span: Span, cues: Iterable[str]) -> bool:
    """A denial written after the finding ("bleeding absent", "itch, pain all denied").

    It reaches back over a list of findings of the same kind only ("20 pack-years, pain
    denied" does not deny the smoking).
    """
    doc, sent = span.doc, sent_of(span)
    at = _entity_at(doc)
    patterns = _cue_tokens(nlp, tuple(cues))
    lowered = [t.lower_ for t in doc]
    crossed_comma = False
    for i in range(span.end, sent.end):
        if any(lowered[i : i + len(words)] == words for words in patterns):
            # A shorthand value ("neg") is said of the word it follows: "painful, pruritus
            # neg" denies the itch alone, while "itch, pain denied" denies both.
            return not (crossed_comma and lowered[i] in _SHORTHAND_VALUES)
        crossed_comma = crossed_comma or lowered[i] == ","
        ent = at.get(i)
        if ent is not None and category(ent) != category(span):
            return False
        if ent is None and lowered[i] not in _JOINERS | _BETWEEN:
            return False
    return False


def clause_text(span: Span) -> str:
    """The part of the sentence between semicolons that holds ``span`` ("BCC suspected.")."""
    sent = sent_of(span)
    start = max((t.i + 1 for t in sent if t.text == ";" and t.i < span.start), default=sent.start)
    end = min((t.i for t in sent if t.text == ";" and t.i >= span.end), default=sent.end)
    return span.doc[start:end].text.strip()


def category(span: Span) -> str:
    """The kind of finding a concept is; a list continues only within one kind."""
    if span.label_ in ("FACT", "FLIP"):
        key = span.ent_id_
        return "symptom" if key in _SYMPTOMS else ("habit" if key in _HABITS else key)
    return "diagnosis" if span.label_ in ("SKIN_CANCER", "CANCER", "DIAGNOSIS") else span.label_


def _entity_at(doc: Doc) -> dict[int, Span]:
    # Built once per doc (the entities are final once the pipeline has run), like sent_of's.
    table = doc.user_data.get("skinmm_entity_at")
    if table is None:
        table = {i: ent for ent in doc.ents for i in range(ent.start, ent.end)}
        doc.user_data["skinmm_entity_at"] = table
    return table


# Words that qualify an item of a list without ending it ("no growth, spontaneous bleeding
# or pain").
_LIST_MODIFIERS = {"spontaneous", "significant", "recent", "obvious", "new", "noticeable"}


def _bare_list_item(doc: Doc, start: int, end: int, kind: str, at: dict[int, Span]) -> bool:
    """Tokens ``start:end`` hold only concepts of ``kind`` and list joiners."""
    for i in range(start, end):
        ent = at.get(i)
        if ent is None and doc[i].lower_ not in _JOINERS | _LIST_CLOSERS | _LIST_MODIFIERS:
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
    # "not", "never" deny a verb, not a list; "painless" carries its own polarity.
    if cue.text.lower() in _VERB_CUES or span.label_ == "FLIP":
        return False
    at = _entity_at(doc)
    first = next((at[i] for i in range(cue.end, span.start) if i in at), span)
    kind = category(first)
    bounds = [*commas, _clause_end(doc, span)]
    # A list is closed by "or"/"and" ("Denies itching, growth or bleeding"); without one the
    # commas join separate statements ("no growth, painful, pruritus neg").
    if not all(_bare_list_item(doc, a + 1, b, kind, at) for a, b in pairwise(bounds)):
        return False
    # The joiner may close the list after ``span`` ("Denies itching, growth, pain and bleeding").
    joined = any(doc[i].lower_ in _JOINERS for i in range(cue.end, bounds[-1]))
    return joined or _tail_joined(doc, bounds[-1], kind, at, sent_of(span).end)


def _tail_joined(doc: Doc, start: int, kind: str, at: dict[int, Span], sent_end: int) -> bool:
    """The bare list going on after ``start`` (a comma) is closed by "and"/"or"."""
    i = start
    while i < sent_end and doc[i].text == ",":
        j = i + 1
        while j < sent_end and not doc[j].is_punct:
            j += 1
        if not _bare_list_item(doc, i + 1, j, kind, at):
            return False
        if any(doc[k].lower_ in _JOINERS for k in range(i + 1, j)):
            return True
        i = j
    return False


# Words that turn a clause to something else: a denied list ends before them ("no
# bleeding, colour change or growth but tender").
_TURNS = frozenset({"but", "however", "although", "though", "yet", "whereas", "except"})


def _ends_clause(token: Token) -> bool:
    # A line break ends a clause too: the next bullet or field is another statement
    # ("- negative for itching, pain or bleeding\n- nodular").
    return token.is_punct or token.lower_ in _TURNS or (token.is_space and "\n" in token.text)


def _clause_end(doc: Doc, span: Span) -> int:
    end = span.end
    while end < sent_of(span).end and not _ends_clause(doc[end]):
        end += 1
    return end


_OBJECT_CUES = frozenset({"without", "for", "of"})


def is_value(cue: Span) -> bool:
    """A cue that belongs to the finding before it denies nothing after it.

    "itch: no, pain" and "Pain denied, never-smoker": the "no" and "denied" are what was said
    of the itch and the pain.
    """
    # A cue that needs an object ("without bleeding", "negative for pain") is no value of
    # the finding before it: "enlarged without bleeding" denies the bleeding.
    if cue.text.lower().split()[-1] in _OBJECT_CUES:
        return False
    # "Neither smokes nor drinks": "nor" joins the next denied item, it is no value.
    if cue.text.lower() == "nor":
        return False
    # Only a finding takes a value: after a section heading ("PMH: No previous skin cancer",
    # "SH: Denies tobacco use") the cue opens a statement of its own.
    i = cue.start - 1
    if i >= 0 and cue.doc[i].text in (":", "=", "("):
        i -= 1
    return i >= 0 and i in _entity_at(cue.doc)


# "? bled once", "Hx: ? tender": a question mark standing alone before the word.
_LONE_QUESTION = re.compile(r"(?:^|\s)\?[^\S\n]+$")


def hedged_by_question(span: Span) -> bool:
    """ "?itch", "bleeding?", "? bled once": a question mark written against the word, or
    standing alone right before it."""
    text = text_of(span.doc)
    before = text[span.start_char - 1] if span.start_char > 0 else ""
    after = text[span.end_char] if span.end_char < len(text) else ""
    if "?" in (before, after):
        return True
    # "growth ?", "Growth: ?": the question mark standing alone after the word.
    if re.match(r"[^\S\n]*[:：]?[^\S\n]*\?(?:$|[\s,;.)])", text[span.end_char :]):
        return True
    return _LONE_QUESTION.search(text[max(0, span.start_char - 4) : span.start_char]) is not None


def hedge_reaches(
    nlp: Language, span: Span, preceding: Iterable[str], following: Iterable[str]
) -> bool:
    """Whether a hedge NegEx found for ``span`` is said of it.

    NegEx lets a hedge written after ("possibly darker, unclear") reach back to the start of
    the sentence, which hedged every finding of a comma-joined history. A hedge before the
    finding reaches it across commas only into a bare list ("possibly itchy or sore"), and
    not past a turn ("possibly itchy, pt unsure but tender"); one after it only within its
    clause ("bled, possibly" hedges the bleeding, not what came before the comma).
    """
    cue = cue_before(nlp, span, preceding)
    turned = cue is not None and any(t.lower_ in _TURNS for t in span.doc[cue.end : span.start])
    if cue is not None and not turned and list_reaches(cue, span):
        return True
    return _hedge_after(nlp, span, following)


def _closes_clause(doc: Doc, i: int, sent_end: int) -> bool:
    return i >= sent_end or doc[i].is_punct


def _hedge_after(nlp: Language, span: Span, cues: Iterable[str]) -> bool:
    """A hedge cue after ``span`` in its clause ("bleeding possibly"), or closing the next
    clause when that clause says nothing else ("It bled, I'm not sure")."""
    doc, sent_end = span.doc, sent_of(span).end
    at = _entity_at(doc)
    patterns = _cue_tokens(nlp, tuple(cues))
    lowered = [t.lower_ for t in doc[span.end : sent_end]]
    commas = 0
    for i in range(span.end, sent_end):
        k = i - span.end
        found = next((w for w in patterns if lowered[k : k + len(w)] == w), None)
        # In the next clause the cue must close it: "painful, possibly darker" hedges only
        # the darkening.
        if found is not None and (not commas or _closes_clause(doc, i + len(found), sent_end)):
            return True
        if lowered[k] in _TURNS or (doc[i].is_punct and lowered[k] != ","):
            return False
        commas += lowered[k] == ","
        if commas > 1 or (commas and i in at):
            return False
    return False


_WORDS = "|".join(
    re.escape(w)
    for w in sorted({*v.AFTER_PRESENT, *v.AFTER_ABSENT} - {"+", "-"}, key=len, reverse=True)
)
_SYMBOLS = r"\+ve|-ve|\+|-"
# Spaces within the line only: the "-" opening the next bullet is no value of this one.
_SP = r"[^\S\n]"
# "? tender - the patient cannot say": a "-" that goes on into a remark is a dash, not the
# sign; the sign closes its item ("pain -, itch +", "pain - itch +").
_NOT_A_DASH = rf"(?!(?<=-){_SP}+(?![A-Za-z/ ]{{1,25}}?{_SP}[-+](?:$|[\s,;.]))[A-Za-z])"
_AFTER = re.compile(
    rf"^{_SP}*(?:[:=]{_SP}*\(?{_SP}*({_WORDS}|{_SYMBOLS}){_SP}*\)?"
    rf"|\({_SP}*({_WORDS}|{_SYMBOLS}){_SP}*\)"
    rf"|{_SP}+-{_SP}+({_WORDS})"
    rf"|{_SP}*({_SYMBOLS}))(?![\w+-]){_NOT_A_DASH}",
    re.I,
)


def _value_at(text: str, start: int) -> tuple[str, int] | None:
    match = _AFTER.match(text[start:])
    if match is None:
        return None
    word = next(g for g in match.groups() if g).lower()
    return (PRESENT if word in v.AFTER_PRESENT else ABSENT), start + match.end()


def _list_end(span: Span) -> int:
    """Where the bare list that ``span`` opens ends ("change and bleeding: negative")."""
    doc, at = span.doc, _entity_at(span.doc)
    end, i = span.end_char, span.end
    end_of_sentence = sent_of(span).end
    while i < end_of_sentence:
        ent = at.get(i)
        if ent is not None and category(ent) == category(span):
            end, i = ent.end_char, ent.end
        elif ent is None and (doc[i].lower_ in _JOINERS or doc[i].text == ","):
            i += 1
        else:
            break
    return end


def _opens_clause(span: Span) -> bool:
    """Nothing but list joiners stands before ``span`` in its clause ("itching and ...")."""
    i = span.start - 1
    start_of_sentence = sent_of(span).start
    while i >= start_of_sentence and not span.doc[i].is_punct:
        if span.doc[i].lower_ not in _JOINERS:
            return False
        i -= 1
    return True


def stated_after(span: Span, end_char: int | None = None) -> tuple[str, int] | None:
    """A value written right after the concept ("itch: no", "bleeding (+)"), and its end.

    Words count only after a colon, equals sign or in brackets ("changes noted" is not
    "change: noted"); the signs + and - may stand alone ("pain -"). A value after a colon
    that closes a list is the value of each finding in it. ``end_char``: read from there
    instead of the span's end ("skin cancer history: negative").
    """
    text = text_of(span.doc)
    own = _value_at(text, span.end_char if end_char is None else end_char)
    if own is not None or end_char is not None:
        return own
    end = _list_end(span)
    if _opens_clause(span) and end > span.end_char and text[end:].lstrip().startswith((":", "=")):
        return _value_at(text, end)
    return None
