"""Read the clinical facts of a free-text note, in English or Chinese (issue 16).

``read_note(text)`` returns a :class:`NoteReading`: the facts a dermatologist would record
(age, sex, site, size, symptoms with their negations, histories), the words each came from,
the phrases the model does not use (morphology, a stated suspicion), the clinician's stated
impression (recorded, never a model input), and whether the note is readable at all: a note of
emoji, punctuation or one unrelated word is treated as no note.

English is read by :mod:`skinmm.text.facts_en` (spaCy + negspacy, no model download), Chinese
by :mod:`skinmm.text.facts_zh` (jieba + cue lists); a note mixing both is read by both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

import opencc

from skinmm.data.notes import render_note
from skinmm.text import facts_vocab as v
from skinmm.text.clean import MAX_NOTE_CHARS, clean_note
from skinmm.text.facts_common import ABSENT, PRESENT, Finding, LanguageReading, arabic_numerals
from skinmm.text.facts_forms import read_forms

FactValue = str | int | float

# The present/absent facts. New ones go at the end: the text branch's fact features
# (skinmm.text.fact_features) take those of them it models in this order.
POLAR_FACTS: tuple[str, ...] = (
    "itch",
    "grew",
    "hurt",
    "changed",
    "bleed",
    "elevation",
    "skin_cancer_history",
    "family_skin_cancer_history",
    "cancer_history",
    "smoke",
    "drink",
    "pesticide",
    "sun_exposure",
)
# Order is the order facts are shown in (new ones last: a table row keeps its place). Those
# of the interface (PAD-UFES-20 names), and fitzpatrick, family history, pesticide,
# sun exposure and the lesion's duration in months where stated.
FACT_NAMES: tuple[str, ...] = (
    "age",
    "sex",
    "site",
    "diameter_mm",
    "fitzpatrick",
    *POLAR_FACTS,
    "duration_months",
)
POLAR_VALUES: tuple[str, ...] = (PRESENT, ABSENT)
# Read, shown and stored, not yet inputs of the text branch: a new column changes its
# booster's column sampling (the EN = ZH probability check moved past 0.05 with them), so
# they wait for a retrain measured on PAD-UFES-20 by the branch's owner.
NOT_MODELLED: tuple[str, ...] = ("sun_exposure", "duration_months")
MODEL_POLAR_FACTS: tuple[str, ...] = tuple(f for f in POLAR_FACTS if f not in NOT_MODELLED)

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CLAUSE = re.compile(r"[;；。!?！？\n,，]|\.(?=\s|$)")


@dataclass(frozen=True)
class NoteReading:
    """What the reader took from one note.

    Attributes
    ----------
    language : {"en", "zh", "none"}
        The note's main language; "none" when it has no readable clinical content.
    facts : dict
        Fact name (see :data:`FACT_NAMES`) -> value: ``age`` (int years), ``sex``
        ("male"/"female"), ``site`` (a key of :data:`skinmm.data.notes.SITES`), ``diameter_mm``
        (float, the largest), ``fitzpatrick`` (int 1-6), every other fact "present"/"absent".
        A fact the note does not mention is absent from the dict.
    evidence : dict
        Fact name -> the words of the note it came from.
    unused : list of str
        Phrases of the note that no fact came from (morphology, a stated suspicion, ...).
    impression : str or None
        The clinician's stated suspicion ("BCC suspected"), recorded, never a model input.
    readable : bool
        False for a note without readable clinical content: treat it as no note.
    """

    language: Literal["en", "zh", "none"]
    facts: dict[str, FactValue] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    impression: str | None = None
    readable: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The reading as plain JSON-ready types (the ``skinmm read-note`` output)."""
        return asdict(self)


def _language(text: str) -> tuple[bool, bool, Literal["en", "zh", "none"]]:
    han = len(_HAN.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    main: Literal["en", "zh", "none"] = (
        "zh" if han and han >= latin else ("en" if latin else "none")
    )
    return latin > 0, han > 0, main


def _merge(findings: list[Finding]) -> dict[str, Finding]:
    """The first finding of each fact in the order written (diameter: already the largest)."""
    chosen: dict[str, Finding] = {}
    for finding in sorted(findings, key=lambda f: f.start):
        chosen.setdefault(finding.name, finding)
    return {name: chosen[name] for name in FACT_NAMES if name in chosen}


def _unused(text: str, used: list[Finding]) -> list[str]:
    """Clauses of the note that no fact came from and that say more than filler words."""
    out, start = [], 0
    for match in [*_CLAUSE.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        clause = text[start:end].strip(" .:-")
        overlaps = any(f.start < end and f.end > start for f in used)
        if clause and not overlaps and _says_something(clause):
            out.append(clause)
        start = match.end() if match is not None else len(text)
    return out


def _says_something(clause: str) -> bool:
    if _HAN.search(clause):
        return len(_HAN.findall(clause)) >= 2
    words = re.findall(r"[a-z?]+", clause.lower())
    return any(w not in v.FILLER_EN and len(w) > 1 for w in words)


def _morphology_terms(text: str) -> int:
    lowered = text.lower()
    return sum(term in lowered for term in (*v.MORPHOLOGY_EN, *v.MORPHOLOGY_ZH))


def _read(text: str, has_latin: bool, has_han: bool) -> LanguageReading:
    from skinmm.text.facts_en import read_english
    from skinmm.text.facts_zh import read_chinese

    merged = LanguageReading([], [], [])
    for wanted, reader in ((has_latin, read_english), (has_han, read_chinese)):
        if wanted:
            part = reader(text)
            merged.findings += part.findings
            merged.impressions += [i for i in part.impressions if i not in merged.impressions]
            merged.hedged += part.hedged
            merged.mentions += part.mentions
    return _with_forms(text, merged)


def _claimed(finding: Finding, claims: list[tuple[int, int, frozenset[str] | None]]) -> bool:
    for start, end, names in claims:
        if start <= finding.start < end:
            if names is None and finding.name in POLAR_FACTS:
                return True
            if names is not None and finding.name in names:
                return True
    return False


def _with_forms(text: str, reading: LanguageReading) -> LanguageReading:
    """Questions and fields answered: their facts replace what the sentences said there."""
    forms = read_forms(text, reading.mentions)
    kept = [f for f in reading.findings if not _claimed(f, forms.claims)]
    return LanguageReading(
        [*kept, *forms.findings],
        reading.impressions,
        [*reading.hedged, *forms.hedged],
        reading.mentions,
    )


def warm_reader() -> None:
    """Build the English pipeline and the Chinese tokenizer now, once per process.

    The first note read in a process otherwise pays for importing spaCy and building the
    pipeline, and for loading jieba's dictionary (seconds; see BENCHMARKS.md). Call it where
    a long-lived process loads its models (the app: next to the cached bundle load).
    """
    from skinmm.text.facts_en import english_pipeline
    from skinmm.text.facts_zh import chinese_tokenizer

    english_pipeline()
    chinese_tokenizer()


# A markdown table's rule row ("|---|:--:|") and a row of cells ("| Age | 34 yrs |").
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-[\s:|-]*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")


def _table_row_as_field(line: str) -> str:
    """A table row read as the field it is ("| Pain | present |" -> "Pain: present"): the
    form readers know "label: value", and the pipes would otherwise join every row's cells
    into one sentence. A rule row says nothing."""
    if _TABLE_RULE.match(line):
        return ""
    row = _TABLE_ROW.match(line)
    if row is None:
        return line
    cells = [cell.strip() for cell in row.group(1).split("|")]
    label, values = cells[0], [c for c in cells[1:] if c]
    return f"{label}: {' '.join(values)}" if label and values else " ".join(cells).strip()


def _clean_keeping_lines(text: str) -> str:
    """The note cleaned as for the embedder, line by line: a line is a field, a bullet or a
    turn of a dialogue, and the readers use its end as a boundary."""
    lines = (clean_note(_table_row_as_field(line)) for line in str(text).splitlines())
    return "\n".join(line for line in lines if line)[:MAX_NOTE_CHARS]


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """Traditional characters as simplified ("長大了" -> "长大了"): the Chinese vocabulary is
    written in simplified. Kept only where the length is unchanged, so evidence offsets hold."""
    if not re.search(r"[\u3400-\u9fff]", text):
        return text
    converted = _to_simplified().convert(text)
    return converted if len(converted) == len(text) else text


# A sentence that says it is about another lesion than the one referred ("Separately, a
# seborrhoeic keratosis on the nose is itchy and has bled; that is not the lesion referred.",
# "上唇另见一处脂溢性角化，自觉瘙痒，曾出血，与本次皮损无关。"): its facts are not the index
# lesion's. The disclaimer may close the sentence, so the whole sentence goes.
_OTHER_LESION = re.compile(
    r"\bnot\s+(?:the\s+)?(?:today'?s|index|referred)\s+(?:lesion|one|mole|spot)\b"
    r"|\bnot\s+the\s+(?:lesion|one|mole|spot)\s+(?:referred|of concern|we are seeing)\b"
    r"|\bnot\s+of\s+concern\s+today\b"
    r"|与本次(?:就诊)?(?:皮损|病变|主诉)?无关|非本次(?:就诊)?(?:皮损|病变|主诉)",
    re.I,
)
# A relative's mole that bled or was removed is theirs, not the patient's lesion ("Her sister
# had a mole that bled and was removed.", "姐姐的痣出过血，已切除"); a relative's cancer is
# family history and stays.
_RELATIVE_LESION = re.compile(
    r"\b(?:his|her|my|their)\s+(?:mother|father|sister|brother|son|daughter|wife|husband"
    r"|mum|mom|dad|aunt|uncle|grandmother|grandfather)\s+had\s+an?\s+"
    r"(?:mole|lesion|spot|naevus|nevus)\s+that\b"
    r"|(?:姐姐|哥哥|妹妹|弟弟|母亲|父亲|妈妈|爸爸|儿子|女儿|爷爷|奶奶|外婆|外公)的(?:痣|皮损)",
    re.I,
)
_CANCER = re.compile(r"melanoma|cancer|carcinoma|\bbcc\b|\bscc\b|癌|瘤", re.I)
_SENTENCE = re.compile(
    r"[^\n.!?。！？]*(?:[.!?](?=\s|$)|[。！？]|\.(?=\S)[^\n.!?。！？]*)*[.!?。！？]?"
)
# A clause of an earlier visit followed by today's ("At the review in March it was flat; it is
# now raised.", "今年3月复诊时不痒，近来开始瘙痒"): the earlier state is not the lesion's now.
# A clause with a number stays: "复诊时直径5mm，今日测量9mm" is how it grew.
_THEN_CLAUSE = re.compile(
    r"(?:\bat\s+the\s+(?:last\s+|previous\s+|earlier\s+)?(?:review|visit|appointment)\b"
    r"|(?:上次|此前)?复诊时|上次就诊时)[^;；,，。.\n\d]*(?=[;；,，]\s*(?:"
    r"it\s+(?:is|has)\s+(?:now|since|started|begun|become)|(?:but\s+)?now\b"
    r"|since\s+then|现已|现在|近来|近期|目前|今日|如今|此后|之后))",
    re.I,
)


# The patient's observations, not the lesion's course ("Obs stable. Routed to derm clinic."):
# "stable" there must not be read as an unchanged lesion.
_VITALS = re.compile(
    r"\b(?:obs|observations|vitals|vital signs)\s*(?:are\s+|:\s*)?(?:stable|normal|ok)\b"
    r"|生命体征(?:平稳|稳定|正常)",
    re.I,
)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with these spans as spaces (newlines kept): evidence offsets still hold."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _not_index_lesion(sentence: str) -> bool:
    if _OTHER_LESION.search(sentence):
        return True
    return bool(_RELATIVE_LESION.search(sentence)) and not _CANCER.search(sentence)


def _about_index_lesion(text: str) -> str:
    """The note without the sentences about another lesion and the states of an earlier
    visit that today's contradicts (see :data:`_OTHER_LESION`, :data:`_THEN_CLAUSE`)."""
    spans = [
        (m.start(), m.end())
        for m in _SENTENCE.finditer(text)
        if m.group() and _not_index_lesion(m.group())
    ]
    spans += [(m.start(), m.end()) for m in _THEN_CLAUSE.finditer(text)]
    spans += [(m.start(), m.end()) for m in _VITALS.finditer(text)]
    return _blank(text, spans) if spans else text


def read_note(text: str) -> NoteReading:
    """Read the facts of one note (English, Chinese or both).

    Raises
    ------
    ValueError
        For text that is not valid UTF-8 or was decoded with the wrong encoding (see
        :func:`skinmm.text.clean.clean_note`).
    """
    cleaned = arabic_numerals(_simplified(_clean_keeping_lines(text)))
    has_latin, has_han, language = _language(cleaned)
    reading = _read(_about_index_lesion(cleaned), has_latin, has_han)
    readable = bool(reading.findings or reading.impressions or reading.hedged)
    if not readable and _morphology_terms(cleaned) == 0:
        return NoteReading("none", unused=[cleaned] if cleaned else [])
    chosen = _merge(reading.findings)
    return NoteReading(
        language=language,
        facts={name: f.value for name, f in chosen.items()},
        evidence={name: f.evidence for name, f in chosen.items()},
        unused=_unused(cleaned, list(chosen.values())),
        impression="; ".join(reading.impressions) or None,
        readable=True,
    )


def facts_to_fields(facts: Mapping[str, FactValue]) -> dict[str, Any]:
    """Facts as the structured fields of :func:`skinmm.data.notes.render_note`."""
    fields: dict[str, Any] = {}
    for name, value in facts.items():
        if name == "diameter_mm":
            fields["diameter_1"] = float(value)
        elif name in POLAR_FACTS:
            fields[name] = value == PRESENT
        else:
            fields[name] = value
    return fields


def render_facts(facts: Mapping[str, FactValue], lang: str = "en") -> str:
    """The note the training renderer writes for these facts (for corrected facts)."""
    return render_note(facts_to_fields(facts), lang)
