"""The Chinese note reader: jieba segmentation plus cue lists, NegEx-style.

jieba splits the note into words with the reader's vocabulary added to its dictionary, so a
cue is only a cue as a whole word ("无" negates, "无关" does not). Within a sentence a
negation cue ("否认", "无", "未见", "没有" ...) reaches every concept after it until an affirming
cue ("有", "伴", "自诉" ...), a turn ("但") or a comma followed by something other than more
concepts ("无瘙痒，皮损隆起": the elevation is not denied). Values written after a concept
("瘙痒：无", "出血（+）") are read first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba

from skinmm.text import facts_vocab as v
from skinmm.text.facts_common import (
    ABSENT,
    DENIED_AFTER_ZH,
    PRESENT,
    Finding,
    LanguageReading,
    Mention,
    numeric_findings,
)

# A 【heading】 of an electronic-record template opens a sentence of its own.
_SENTENCE_END = re.compile(r"[。；;！!？?\n]|(?=【)")
_COMMAS = {"，", ","}


def _lexicon() -> dict[str, tuple[str, str]]:
    """Word -> (kind, key) for every concept, site and diagnosis word."""
    out: dict[str, tuple[str, str]] = {}
    for kind, table in (
        ("FACT", v.CONCEPTS_ZH),
        ("FLIP", v.CONCEPTS_ZH_FLIP),
        ("SITE", v.SITES_ZH),
        ("SITE", v.LAY_SITES_ZH),
    ):
        for key, words in table.items():
            out |= {w: (kind, key) for w in words}
    for kind, words in (
        ("SKIN_CANCER", v.SKIN_CANCERS_ZH),
        ("CANCER", v.OTHER_CANCERS_ZH),
        ("DIAGNOSIS", v.DIAGNOSES_ZH),
    ):
        out |= {w: (kind, kind.lower()) for w in words}
    # "右耳", "左侧面颊": the side and the site are kept together as one jieba word, and so
    # is a lay "on the …" ("背上", "手上", "耳朵上"), which jieba otherwise keeps as a word
    # of its own that names no site.
    sides = ("左", "右", "左侧", "右侧", "双")
    for table in (v.SITES_ZH, v.LAY_SITES_ZH):
        for key, words in table.items():
            out |= {side + w: ("SITE", key) for w in words for side in sides}
            out |= {w + "上": ("SITE", key) for w in words if not w.endswith("上")}
    return out


@lru_cache(maxsize=1)
def chinese_tokenizer() -> tuple[jieba.Tokenizer, dict[str, tuple[str, str]]]:
    """A jieba tokenizer of our own (the global one stays untouched), built once per process."""
    jieba.setLogLevel(logging.WARNING)  # its start-up chatter is not for the user
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    lexicon = _lexicon()
    cues = (
        *v.NEGATION_CUES_ZH,
        *v.AFFIRM_CUES_ZH,
        *v.HEDGE_CUES_ZH,
        *v.SUSPICION_CUES_ZH,
        *v.HISTORY_CUES_ZH,
        *v.FAMILY_CUES_ZH,
        *v.OTHER_PERSON_CUES_ZH,
    )
    for word in (*lexicon, *cues):
        tokenizer.add_word(word, freq=200000)
    return tokenizer, lexicon


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int


def _sentences(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            out.append((start, text[start : match.end()]))
            start = match.end()
    if start < len(text):
        out.append((start, text[start:]))
    return out


def _tokens(sentence: str, offset: int) -> list[_Token]:
    tokenizer, _ = chinese_tokenizer()
    return [
        _Token(w, offset + a, offset + b) for w, a, b in tokenizer.tokenize(sentence, HMM=False)
    ]


_AFTER = re.compile(
    r"^[^\S\n]*[:：]?[^\S\n]*[（(]?[^\S\n]*("
    + "|".join(
        re.escape(w)
        for w in sorted({*v.AFTER_PRESENT_ZH, *v.AFTER_ABSENT_ZH}, key=len, reverse=True)
    )
    + r")\s*[）)]?"
)


def _stated_after(text: str, token: _Token, after_colon_only: bool) -> tuple[str, int] | None:
    rest = text[token.end :]
    match = _AFTER.match(rest)
    if match is None:
        return None
    # "瘙痒无" is unusual; "出血无" after a colon or in brackets is the form that means a value.
    if after_colon_only and not re.match(r"^\s*[:：（(]", rest) and match.group(1) not in "+-":
        return None
    word = match.group(1)
    return (PRESENT if word in v.AFTER_PRESENT_ZH else ABSENT), token.end + match.end()


@dataclass
class _Scope:
    """The negation, hedge and history state while walking one sentence."""

    negation: _Token | None = None
    hedge: bool = False
    history: _Token | None = None
    family: bool = False
    other: bool = False
    personal: bool = False
    suspicion: bool = False

    def reset(self) -> None:
        """Back to a fresh clause (a comma closes every cue's scope)."""
        self.__dict__.update(vars(_Scope()))


def _just_after(cue: _Token | None, token: _Token) -> bool:
    # "否认有出血", "无明显": an affirming word right after a denial is part of the denial.
    return cue is not None and cue.end == token.start


def _update_scope(scope: _Scope, tokens: list[_Token], i: int) -> None:
    word = tokens[i].text
    if word in _COMMAS:
        # A comma opens a new clause ("无瘙痒，皮损隆起", "既往有乳腺癌病史，耳后见一皮损");
        # Chinese lists are written with "、".
        scope.reset()
    elif word in v.NEGATION_CUES_ZH:
        scope.negation = tokens[i]
    elif word in v.TERMINATION_ZH:
        scope.negation, scope.hedge = None, False
    elif word in v.AFFIRM_CUES_ZH and not _just_after(scope.negation, tokens[i]):
        scope.negation = None  # "可能有出血": still hedged
    if word in v.HEDGE_CUES_ZH:
        scope.hedge = True
    if word in v.SUSPICION_CUES_ZH:
        scope.suspicion = True
    if word in v.HISTORY_CUES_ZH:
        scope.history = tokens[i]
    if word in v.FAMILY_CUES_ZH:
        scope.family = True
    if word in v.OTHER_PERSON_CUES_ZH:
        scope.other = True
    if word in v.PERSONAL_CUES_ZH:
        scope.personal = True


def _hedged_after(tokens: list[_Token], i: int) -> bool:
    """ "出血情况不详": the hedge may follow the finding."""
    after = tokens[i + 1 : i + 3]
    # A comma closes the clause: "不痒，说不准有没有出过血" hedges the bleeding only.
    after = after[: next((k for k, t in enumerate(after) if t.text in _COMMAS), len(after))]
    return any(t.text in v.HEDGE_CUES_ZH for t in after)


def _history_after(tokens: list[_Token], i: int) -> bool:
    """ "基底细胞癌病史": the history cue may follow the diagnosis in Chinese."""
    return any(t.text in v.HISTORY_CUES_ZH for t in tokens[i + 1 : i + 3])


def _evidence(text: str, cue: _Token | None, token: _Token, end: int) -> str:
    if cue is None or cue.start >= token.start:
        return text[token.start : end]
    if token.start - cue.end <= 12:
        return text[cue.start : end]
    return f"{cue.text}…{text[token.start : end]}"


@dataclass
class _Walk:
    findings: list[Finding]
    impressions: list[str]
    hedged: list[str]
    mentions: list[Mention]


def lookup(word: str) -> tuple[str, str] | None:
    """(kind, key) of a vocabulary word; any "…癌" is a cancer ("卵巢癌", "皮肤…癌": skin)."""
    _, lexicon = chinese_tokenizer()
    if word in lexicon:
        return lexicon[word]
    if len(word) >= 2 and word.endswith("癌"):
        kind = "SKIN_CANCER" if word.startswith("皮肤") else "CANCER"
        return kind, kind.lower()
    return None


_SIZE_WORDS = ("大小", "体积", "直径")


def _size_change(tokens: list[_Token], i: int) -> bool:
    """ "大小无明显变化": a change said of the size is growth, not a change of the lesion."""
    for token in reversed(tokens[:i]):
        if token.text in _COMMAS:
            return False
        if token.text in _SIZE_WORDS:
            return True
    return False


def _concept(
    text: str, sentence: str, tokens: list[_Token], i: int, scope: _Scope, walk: _Walk
) -> None:
    token = tokens[i]
    kind, key = lookup(token.text) or ("", "")
    if key == "changed" and _size_change(tokens, i):
        key = "grew"
    if kind in ("FACT", "FLIP"):
        if (scope.family or scope.other) and not scope.personal:
            return  # "我哥天天抽烟", "配偶吸烟": another's habit is not the patient's
        if _not_asked_twice(tokens, i):
            walk.hedged.append(sentence.strip())
            return
        stated = _stated_after(text, token, after_colon_only=scope.negation is not None)
        if stated is None and (scope.hedge or _hedged_after(tokens, i)):
            walk.hedged.append(sentence.strip())
            return
        stated = _habit_denied_after(text, token, key) or stated
        if stated is not None:
            value, end = stated
            evidence = text[token.start : end]
        else:
            value = ABSENT if scope.negation is not None else PRESENT
            end = token.end
            evidence = _evidence(text, scope.negation, token, end)
        if kind == "FLIP":
            value = ABSENT if value == PRESENT else PRESENT
        walk.findings.append(Finding(key, value, evidence, token.start, end))
        if token.text in v.HABIT_PAIRS_ZH:  # "无烟酒嗜好": both habits
            walk.findings.append(
                Finding(v.HABIT_PAIRS_ZH[token.text], value, evidence, token.start, end)
            )
    elif kind == "SITE":
        # "黑色素瘤切除术后" names a past site, "哥哥耳部鳞癌" a relative's: not this lesion's.
        if scope.history is None and not scope.family:
            walk.findings.append(Finding("site", key, token.text, token.start, token.end))
    else:
        _diagnosis(text, sentence, tokens, i, scope, walk, kind)


# "酒是不喝的", "烟酒都不沾", "烟也不抽": a habit named first, then denied.
_HABIT_DENIED_AFTER = re.compile(
    r"^(?:是|也|都|倒是|我)*(?:从来|一直)?(?:不|没|从不|从没)(?:喝|抽|吸|沾|碰)"
)


def _habit_denied_after(text: str, token: _Token, key: str) -> tuple[str, int] | None:
    if key not in ("smoke", "drink"):
        return None
    match = _HABIT_DENIED_AFTER.match(text[token.end :])
    return None if match is None else (ABSENT, token.end + match.end())


def _not_asked_twice(tokens: list[_Token], i: int) -> bool:
    """ "痒不痒说不清", "疼不疼不太确定": a finding asked as A-not-A is in doubt, not stated.

    (A question written so, "疼不疼？", is read with its answer by facts_forms.)
    """
    word = tokens[i].text
    nxt, before = tokens[i + 1 : i + 3], tokens[max(0, i - 2) : i]
    asked_next = len(nxt) == 2 and nxt[0].text in ("不", "没") and nxt[1].text == word
    asked_before = len(before) == 2 and before[1].text in ("不", "没") and before[0].text == word
    return asked_next or asked_before


def _included_in_last_history(tokens: list[_Token], i: int, walk: _Walk) -> Finding | None:
    """ "从没得过癌症，包括皮肤癌": a cancer named as included in the history just read
    takes its value (the comma closed the denial's scope)."""
    if i < 1 or tokens[i - 1].text not in ("包括", "包含", "含"):
        return None
    before = [f for f in walk.findings if f.end <= tokens[i - 1].start]
    last = max(before, key=lambda f: f.end, default=None)
    if last is None or last.name != "cancer_history" or tokens[i - 1].start - last.end > 3:
        return None
    return last


def _denied_after(text: str, token: _Token) -> int | None:
    match = DENIED_AFTER_ZH.match(text[token.end :])
    return None if match is None else token.end + match.end()


def _diagnosis(
    text: str, sentence: str, tokens: list[_Token], i: int, scope: _Scope, walk: _Walk, kind: str
) -> None:
    token = tokens[i]
    if scope.other and not scope.family and not scope.personal:
        return  # a partner's illness: neither the patient's history nor the family's
    included = _included_in_last_history(tokens, i, walk)
    if included is not None:
        evidence = text[included.start : token.end]
        name = "skin_cancer_history" if kind == "SKIN_CANCER" else "cancer_history"
        walk.findings.append(Finding(name, included.value, evidence, token.start, token.end))
        return
    denied_end = _denied_after(text, token)
    is_history = scope.history is not None or scope.family or _history_after(tokens, i)
    is_history = is_history or denied_end is not None
    if kind == "DIAGNOSIS" or not is_history or scope.suspicion:
        if sentence.strip() not in walk.impressions:
            walk.impressions.append(sentence.strip())
        return
    value = ABSENT if scope.negation is not None or denied_end is not None else PRESENT
    end = tokens[i + 1].end if _history_after(tokens, i) and i + 1 < len(tokens) else token.end
    # "皮肤癌病史：无": the value is written after the history cue.
    stated = _stated_after(text, tokens[i + 1] if end != token.end else token, True)
    if stated is not None:
        value, end = stated
    end = max(end, denied_end or 0)
    evidence = _evidence(text, scope.negation or scope.history, token, end)
    names = []
    if scope.family and kind == "SKIN_CANCER":
        names.append("family_skin_cancer_history")
    if not scope.family or scope.personal:
        names.append("skin_cancer_history" if kind == "SKIN_CANCER" else "cancer_history")
    walk.findings += [Finding(n, value, evidence, token.start, end) for n in names]


_SEX = (
    re.compile(r"性别\s*[:：]?\s*(男|女)"),
    # "男", "女" alone or as "男性", "女士", never inside a word ("女儿", "男友").
    re.compile(r"(男|女)(?:(?=性|士|患者|病人)|(?![\u3400-\u9fff]))"),
    re.compile(r"(先生|女士)"),
    # A patient's own reply: "79岁，女的" (the "的" makes "男"/"女" a word of its own).
    re.compile(r"(男|女)的(?![\u3400-\u9fff])"),
)


def find_sex_zh(text: str) -> Finding | None:
    """The patient's sex: "性别：女", "男，62岁", "女性", "患者女", "王先生"."""
    for pattern in _SEX:
        match = pattern.search(text)
        if match is not None:
            value = "male" if match.group(1) in ("男", "先生") else "female"
            return Finding("sex", value, match.group(0).strip("，,。 "), *match.span())
    return None


def read_chinese(text: str) -> LanguageReading:
    """Every fact the Chinese reader finds in ``text`` (cleaned), in the order written."""
    walk = _Walk(numeric_findings(text), [], [], [])
    sex = find_sex_zh(text)
    walk.findings += [sex] if sex is not None else []
    for offset, sentence in _sentences(text):
        tokens = _tokens(sentence, offset)
        scope = _Scope()
        for i, token in enumerate(tokens):
            known = lookup(token.text)
            if known is not None:
                walk.mentions.append(Mention(*known, token.start, token.end))
                _concept(text, sentence, tokens, i, scope, walk)
            else:
                _update_scope(scope, tokens, i)
    return LanguageReading(walk.findings, walk.impressions, walk.hedged, walk.mentions)
