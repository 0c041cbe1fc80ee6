"""How long the lesion has been there, in months ("for 3 years", "2-week history", "半年", "2周来").

A number with a unit of time is a duration only with a cue that it is the lesion's: "for",
"since", "over the past", "ago", "history", "duration" in English; "前", "来", "余", "病程",
"近", "发现" in Chinese. A clause about a habit or an exposure ("smoked for 20 years",
"吸烟20年") says how long the habit lasted, not the lesion, and is skipped, as is one
about another disease or a past treatment. The first
duration written wins (a note states the lesion's history before anything else's).
"""

from __future__ import annotations

import re

from skinmm.text.facts_common import EN_NUMBER_WORDS, Finding

_DAYS_PER_MONTH = 365.25 / 12
_UNIT_MONTHS = {"day": 1 / _DAYS_PER_MONTH, "week": 7 / _DAYS_PER_MONTH, "month": 1.0}
_UNIT_MONTHS |= {"year": 12.0}
_EN_UNITS = {
    "day": r"days?|d",
    "week": r"weeks?|wks?",
    "month": r"months?|mos?|mths?",
    "year": r"years?|yrs?|yr",
}
_ZH_UNITS = {"day": "天|日", "week": "周|星期", "month": "个月|月", "year": "年"}
# One to twelve: a lesion's history is counted in small numbers of its unit.
_EN_WORDS = {"a": 1, "an": 1} | {w: n for w, n in EN_NUMBER_WORDS.items() if n <= 12}
_EN_WORDS |= {"several": 3, "few": 3, "a few": 3, "couple of": 2, "a couple of": 2}

_EN_NUMBER = r"(\d{1,3}(?:\.\d+)?|" + "|".join(sorted(_EN_WORDS, key=len, reverse=True)) + ")"
_EN_UNIT = "(" + "|".join(_EN_UNITS.values()) + ")"
_EN_BEFORE = (
    r"(?:for|since|over|x|×|duration|duration of|present for|noticed|onset)\s*[:=]?\s*"
    r"(?:the\s+)?(?:past\s+|last\s+)?(?:about\s+|approximately\s+|approx\.?\s+|~\s*)?"
)
_EN_PATTERNS = (
    re.compile(rf"\b{_EN_BEFORE}{_EN_NUMBER}[\s-]*{_EN_UNIT}\b", re.I),
    re.compile(rf"\b{_EN_NUMBER}[\s-]*{_EN_UNIT}\s+(?:ago|history|hx|duration)\b", re.I),
)
_EN_HALF_YEAR = re.compile(
    r"\b(?:for|since|over)\s+(?:the\s+(?:past|last)\s+)?half a year\b|"
    r"\bhalf a year\s+ago\b",
    re.I,
)

_ZH_UNIT = "(" + "|".join(_ZH_UNITS.values()) + ")"
_ZH_PATTERNS = (
    # 病程3年, 近2周, 发现1年, 3个月前, 2周来, 半年余, 1年半前
    re.compile(
        rf"(病程|持续|已有|近|发现|出现)?\s*(?<!\d)(\d{{1,3}}(?:\.\d+)?|半)\s*{_ZH_UNIT}(半)?"
        r"(余|多)?(前|来|以来|左右)?"
    ),
)

# A duration in a clause naming a habit, an exposure, another disease or a past treatment
# is theirs ("BCC removed 2 yrs ago", "5年前行基底细胞癌手术").
_NOT_THE_LESION = re.compile(
    r"smok|cigar|tobacco|pack|alcohol|drink|etoh|pesticide|outdoor|sun|farm|work|diabet|"
    r"cancer|carcinoma|\bca\b|bcc|scc|melanoma|lymphoma|malignan|removed|excised|treated|"
    r"surgery|operation|biops|"
    r"吸烟|抽烟|烟|饮酒|喝酒|酒|农药|日晒|户外|工作|糖尿病|高血压|癌|瘤|手术|切除|术后",
    re.I,
)
_CLAUSE_END = re.compile(r"[.;。；,，\n]")


def _clause(text: str, start: int, end: int) -> str:
    before = [m.end() for m in _CLAUSE_END.finditer(text, 0, start)]
    after = _CLAUSE_END.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)]


def _unit_of(word: str, table: dict[str, str]) -> str:
    return next(k for k, pattern in table.items() if re.fullmatch(pattern, word, re.I))


def _months(number: float, unit: str) -> float:
    return round(number * _UNIT_MONTHS[unit], 2)


# "发现左前臂皮损半年": the clause names the lesion or its discovery before the duration.
_LESION_BEFORE = re.compile(r"发现|出现|病程|起病|皮损|肿物|包块|黑痣|痣")


def _clause_before(text: str, match: re.Match[str]) -> str:
    before = [m.end() for m in _CLAUSE_END.finditer(text, 0, match.start())]
    return text[before[-1] if before else 0 : match.start()]


def _english(text: str) -> list[Finding]:
    out = []
    for pattern in _EN_PATTERNS:
        for m in pattern.finditer(text):
            raw = m.group(1).lower()
            number = float(_EN_WORDS.get(raw, 0) or raw)
            months = _months(number, _unit_of(m.group(2), _EN_UNITS))
            out.append(Finding("duration_months", months, m.group(0), *m.span()))
    out += [
        Finding("duration_months", 6.0, m.group(0), *m.span()) for m in _EN_HALF_YEAR.finditer(text)
    ]
    return out


def _chinese(text: str) -> list[Finding]:
    out = []
    for m in _ZH_PATTERNS[0].finditer(text):
        cue, raw, unit, half, _, after = m.groups()
        if cue is None and after is None and not _LESION_BEFORE.search(_clause_before(text, m)):
            continue
        number = 0.5 if raw == "半" else float(raw) + (0.5 if half else 0.0)
        months = _months(number, _unit_of(unit, _ZH_UNITS))
        out.append(Finding("duration_months", months, m.group(0).strip(), *m.span()))
    return out


def find_duration(text: str) -> Finding | None:
    """How long the lesion has been present, in months; None when the note does not say."""
    found = [
        f
        for f in (*_english(text), *_chinese(text))
        if 0 < float(f.value) <= 1000 and not _NOT_THE_LESION.search(_clause(text, f.start, f.end))
    ]
    return min(found, key=lambda f: f.start) if found else None
