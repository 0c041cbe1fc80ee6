"""What both language readers share: a finding, and the facts written as numbers.

Age, lesion size and Fitzpatrick type are read with regular expressions on the cleaned note:
they are written the same way in English and Chinese notes (digits, "mm", Roman numerals), and
Chinese numerals are turned into digits first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skinmm.text import facts_vocab as v

PRESENT = "present"
ABSENT = "absent"


@dataclass(frozen=True)
class Finding:
    """One fact read from a note: its name, value, the words it came from and where."""

    name: str
    value: str | int | float
    evidence: str
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """A vocabulary word where the note has it, whatever is said of it.

    ``kind`` is FACT, FLIP (the fact with the opposite polarity), SITE, SKIN_CANCER, CANCER
    or DIAGNOSIS; ``key`` the fact or site it names. A question or a form's field label names
    facts this way, and its answer says whether they hold (:mod:`skinmm.text.facts_forms`).
    """

    kind: str
    key: str
    start: int
    end: int


@dataclass
class LanguageReading:
    """What one language's reader found; :func:`skinmm.text.facts.read_note` merges them."""

    findings: list[Finding]
    impressions: list[str]
    hedged: list[str]
    mentions: list[Mention] = field(default_factory=list)


_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_ZH_DIGITS |= {"七": 7, "八": 8, "九": 9}
_ZH_NUMBER = re.compile(
    r"[零〇一二两三四五六七八九十百]+(?=\s*(?:岁|周岁|毫米|厘米|公分|型|mm|cm|年|个月|月|周|星期|天))"
    # "年龄：五十八": an age field's value has no unit.
    r"|(?<=年龄[:：])[零〇一二两三四五六七八九十百]+|(?<=年纪[:：])[零〇一二两三四五六七八九十百]+"
    r"|(?<=年龄】)[零〇一二两三四五六七八九十百]+"
)


def zh_to_int(text: str) -> int:
    total, digit = 0, 0
    for ch in text:
        if ch == "百":
            total += (digit or 1) * 100
            digit = 0
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = digit * 10 + _ZH_DIGITS[ch] if total == 0 and digit else _ZH_DIGITS[ch]
    return total + digit


def arabic_numerals(text: str) -> str:
    """Chinese numerals before an age, size or type unit written as digits ("六十二岁" -> "62岁").

    The replacement keeps every other character where it was only when lengths match; the
    readers therefore run on this text and quote evidence from it.
    """
    return _ZH_NUMBER.sub(lambda m: str(zh_to_int(m.group(0))), text)


_AGE_PATTERNS = (
    re.compile(r"\b(\d{1,3})\s*-?\s*(?:years?|yrs?|yr)[\s-]*old\b", re.I),
    re.compile(r"\b(\d{1,3})\s*-?\s*(?:y/o|y\.o\.?|yo|yoa)(?![a-z])", re.I),
    re.compile(r"\b(?:aged?|age)\s*[:=]?\s*(\d{1,3})\b", re.I),
    # "年龄：58", and a 【】 template's "【年龄】25".
    re.compile(r"(?:年龄|年纪)\s*】?\s*[:：]?\s*(\d{1,3})"),
    re.compile(r"(\d{1,3})\s*(?:周岁|岁)"),
    re.compile(r"\b(\d{1,3})\s*(?:y|yrs?|years?)?\s*[,/]?\s*(?:M|F)\b"),
    re.compile(r"\b(\d{1,3})\s*(?:y|yrs?|years?)?\s*[,/]?\s*(?:male|female|man|woman)\b", re.I),
    re.compile(r"\b(?:M|F)\s*[,/]\s*(\d{1,3})\b"),
    # "M 37, acral region": a bare M or F then the age, opening the note or a clause.
    re.compile(r"(?:^|[.;]\s*)(?:M|F)\s+(\d{1,3})\b(?!\s*(?:mm|cm|%))"),
    re.compile(r"\b(?:male|female|man|woman)\s*[,/]\s*(\d{1,3})\b(?!\s*(?:mm|cm))", re.I),
    re.compile(r"\b(?:male|female|man|woman|boy|girl)\s*\((\d{1,3})\)", re.I),
    # "Mrs Smith (35)": the age in brackets after a title and a name.
    re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+[A-Z][A-Za-z'-]+\s*\((\d{1,3})\)"),
    # Not "x 2y" (for two years).
    re.compile(r"(?<!x )(?<!×)(?<!x)\b(\d{1,3})\s*y\b(?!/|\.\s*o)", re.I),
    re.compile(
        r"(?<!for )(?<!since )(?<!past )(?<!last )\b(\d{1,3})\s*(?:years|yrs)\b(?!\s*ago)", re.I
    ),
)


# Ages written in words ("fifty-eight-year-old", "aged seventy two"): tens, then units.
_EN_UNITS: tuple[str, ...] = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
)
_EN_TEENS: tuple[str, ...] = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
)
_EN_TEENS += ("seventeen", "eighteen", "nineteen")
_EN_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# The one table of English number words (ages here, durations in facts_duration).
EN_NUMBER_WORDS: dict[str, int] = (
    {w: i + 1 for i, w in enumerate(_EN_UNITS)}
    | {w: i + 10 for i, w in enumerate(_EN_TEENS)}
    | {w: 10 * (i + 2) for i, w in enumerate(_EN_TENS)}
)
_WORD_NUMBER = (
    rf"(?:(?:{'|'.join(_EN_TENS)})(?:[\s-]+(?:{'|'.join(_EN_UNITS)}))?"
    rf"|{'|'.join(_EN_TEENS)}|{'|'.join(_EN_UNITS)})"
)
# Only beside a word that makes the number an age: "in his sixties" or "sixty-something"
# says no age and stays unknown.
_WORD_AGE_PATTERNS = (
    re.compile(rf"\b({_WORD_NUMBER})[\s-]*(?:years?|yrs?)[\s-]*old\b", re.I),
    re.compile(rf"\b({_WORD_NUMBER})[\s-]*(?:y/o|y\.o\.?|yo)(?![a-z])", re.I),
    re.compile(rf"\b(?:aged?|age\s*[:=])\s*({_WORD_NUMBER})\b(?![\s-]*(?:months?|weeks?))", re.I),
    re.compile(rf"\bI(?:'m|’m| am)\s+({_WORD_NUMBER})\b(?=\s*(?:[,.;()]|$|and\b))", re.I),
)
# A self-report's "I'm 48 (female)", "I'm 24.": the number alone after "I'm", closing the
# clause (not "I'm 5 foot", "I'm 2 weeks into ...").
_FIRST_PERSON_AGE = re.compile(r"\bI(?:'m|’m| am)\s+(\d{1,3})(?=\s*(?:[,.;()]|$|and\b))", re.I)


def _word_value(words: str) -> int:
    return sum(EN_NUMBER_WORDS[w] for w in re.split(r"[\s-]+", words.lower()))


# A relative (or a partner) named earlier in the clause makes the age theirs ("FHx: melanoma
# in maternal aunt, aged 52", "母亲72岁时患黑色素瘤"): English kin words as whole words, the
# Chinese ones anywhere (written without spaces).
_KIN_EN = re.compile(
    r"\b(?:"
    + "|".join(re.escape(w) for w in (*v.FAMILY_CUES_EN, *v.OTHER_PERSON_CUES_EN))
    + r")s?\b",
    re.I,
)
_KIN_ZH = re.compile("|".join((*v.FAMILY_CUES_ZH, *v.OTHER_PERSON_CUES_ZH)))
_CLAUSE_START = re.compile(r"[.;。；\n]")
_CLAUSE_START_ZH = re.compile(r"[.;。；\n，,]")
# The patient named after the relative takes the clause back ("Mother had melanoma at 40,
# patient is 62").
_PATIENT_AFTER = re.compile(r"\b(?:patient|pt|he|she|I)\b|患者|本人|病人", re.I)


def _last_clause(text: str, start: int, boundaries: re.Pattern[str]) -> str:
    opening = [m.end() for m in boundaries.finditer(text, 0, start)]
    return text[opening[-1] if opening else 0 : start]


def _a_relatives(text: str, start: int) -> bool:
    for kin, boundaries in ((_KIN_EN, _CLAUSE_START), (_KIN_ZH, _CLAUSE_START_ZH)):
        clause = _last_clause(text, start, boundaries)
        named = [m.end() for m in kin.finditer(clause)]
        if named and not _PATIENT_AFTER.search(clause, named[-1]):
            return True
    return False


def find_age(text: str) -> Finding | None:
    """The patient's age in years: the first pattern, in order of reliability, that matches."""
    for pattern in (*_AGE_PATTERNS, _FIRST_PERSON_AGE, *_WORD_AGE_PATTERNS):
        for match in pattern.finditer(text):
            if _a_relatives(text, match.start()):
                continue
            raw = match.group(1)
            age = int(raw) if raw.isdigit() else _word_value(raw)
            if 0 < age < 120:
                return Finding("age", age, match.group(0).strip(), match.start(), match.end())
    return None


# "皮肤癌没得过", "癌症从来没有过": a past illness denied after it is named.
DENIED_AFTER_ZH = re.compile(r"^\s*(?:从来|从)?(?:没|没有|未|未曾)(?:得|患|生)?过")

_UNIT = r"(mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?|毫米|厘米|公分)"
_NUM = r"(\d+(?:\.\d+)?)"
_SIZE_PAIR = re.compile(rf"{_NUM}\s*{_UNIT}?\s*(?:x|×|\*|by|乘)\s*{_NUM}\s*{_UNIT}(?![a-z])", re.I)
_SIZE_ONE = re.compile(rf"{_NUM}\s*{_UNIT}(?![a-z])", re.I)
_TO_MM = {"mm": 1.0, "毫米": 1.0, "cm": 10.0, "厘米": 10.0, "公分": 10.0}


def _to_mm(unit: str) -> float:
    unit = unit.lower()
    if unit.startswith("milli"):
        return 1.0
    return 10.0 if unit.startswith("centi") else _TO_MM[unit]


def find_diameter(text: str) -> Finding | None:
    """The largest lesion diameter in millimetres ("6 x 5 mm", "0.6 cm", "6毫米")."""
    best: Finding | None = None
    taken: list[tuple[int, int]] = []
    for match in _SIZE_PAIR.finditer(text):
        d1, u1, d2, u2 = match.groups()
        size = max(float(d1) * _to_mm(u1 or u2), float(d2) * _to_mm(u2))
        taken.append(match.span())
        best = _larger(best, Finding("diameter_mm", size, match.group(0), *match.span()))
    for match in _SIZE_ONE.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        size = float(match.group(1)) * _to_mm(match.group(2))
        best = _larger(best, Finding("diameter_mm", size, match.group(0), *match.span()))
    return best


def _larger(a: Finding | None, b: Finding) -> Finding:
    if a is None or float(b.value) > float(a.value):
        return Finding(b.name, round(float(b.value), 2), b.evidence, b.start, b.end)
    return a


# "It used to be about 12 mm and now it's 14 mm", "原来5mm，现在8mm": a size then and now.
# An earlier visit and today ("今年3月复诊时直径5mm，今日测量9mm") say the same.
_SIZE_THEN_NOW = re.compile(
    rf"(?:used to be|was|原来|以前|之前|复诊时|上次)[^.。;；\d]{{0,20}}?{_NUM}\s*{_UNIT}(?![a-z])"
    rf"[^.。;；\d]{{0,25}}?(?:now|现在|今日|今天|目前)[^.。;；\d]{{0,15}}?{_NUM}\s*{_UNIT}(?![a-z])",
    re.I,
)
# "It measured 7 mm at the review in March; today it is 9 mm": the size before its visit.
_SIZE_AT_VISIT = re.compile(
    rf"{_NUM}\s*{_UNIT}(?![a-z])\s+at\s+the\s+(?:last\s+|previous\s+)?(?:review|visit)"
    rf"[^.\d]{{0,30}}?(?:today|now)[^.\d]{{0,15}}?{_NUM}\s*{_UNIT}(?![a-z])",
    re.I,
)


_OBJECT = "|".join(sorted(map(re.escape, v.SIZE_OBJECTS_MM), key=len, reverse=True))
_OBJECTS_THEN_NOW = re.compile(
    rf"(?:used to be|was|原来|以前|之前)[^.。;；\d]{{0,20}}?(?<![a-z])({_OBJECT})s?(?![a-z])"
    rf"[^.。;；\d]{{0,25}}?(?:now|现在)[^.。;；\d]{{0,20}}?(?<![a-z])({_OBJECT})s?(?![a-z])",
    re.I,
)


def _sizes_then_now(text: str) -> tuple[re.Match[str], float, float] | None:
    match = _SIZE_THEN_NOW.search(text) or _SIZE_AT_VISIT.search(text)
    if match is not None:
        then = float(match.group(1)) * _to_mm(match.group(2))
        return match, then, float(match.group(3)) * _to_mm(match.group(4))
    match = _OBJECTS_THEN_NOW.search(text)
    if match is not None:
        sizes = [v.SIZE_OBJECTS_MM[match.group(k).lower()] for k in (1, 2)]
        return match, sizes[0], sizes[1]
    return None


def find_size_change(text: str) -> Finding | None:
    """Growth read from two sizes, then and now (in mm, or as things of known size: "the
    size of a pinhead, now like a pea"): larger now is grown, the same is not."""
    found = _sizes_then_now(text)
    if found is None:
        return None
    match, then, now = found
    if now < then:
        return None  # shrinking is neither growth nor its denial
    value = "present" if now > then else "absent"
    return Finding("grew", value, match.group(0), *match.span())


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
_FITZPATRICK = re.compile(
    r"(?:fitzpatrick|phototype|fitz|fst|skin\s+type|皮肤光型|皮肤分型|皮肤类型|光型)"
    r"(?:\s*(?:skin\s+)?(?:photo)?type|\s*皮肤分型|\s*皮肤光型|\s*皮肤类型|\s*分型)?"
    r"[\s:：#-]*(vi|iv|v|iii|ii|i|[1-6])(?:\s*型)?(?![a-z0-9])",
    re.I,
)


_TYPE_SKIN = re.compile(r"\btype\s+(vi|iv|v|iii|ii|i|[1-6])\s+skin\b", re.I)


def find_fitzpatrick(text: str) -> Finding | None:
    """The Fitzpatrick skin type, 1 to 6 ("Fitzpatrick III", "type II skin", "皮肤分型III型")."""
    match = _FITZPATRICK.search(text) or _TYPE_SKIN.search(text)
    if match is None:
        return None
    raw = match.group(1).lower()
    value = int(raw) if raw.isdigit() else _ROMAN[raw]
    return Finding("fitzpatrick", value, match.group(0), *match.span())


def numeric_findings(text: str) -> list[Finding]:
    """Age, diameter, Fitzpatrick type and duration, each where the note states it."""
    from skinmm.text.facts_duration import find_duration

    found = (
        find_age(text),
        find_diameter(text),
        find_fitzpatrick(text),
        find_duration(text),
        find_size_change(text),
    )
    return [f for f in found if f is not None]
