"""Record formats: a question and its answer, a form's field and its Y/N or ticked box.

The sentence readers read what a sentence asserts. A transcript ("Q: Does it itch? A: Nope.")
or a checklist ("Raised lesion: N", "Bleeding: [x] Y  [ ] N", "瘙痒：□是 ☑否", "医生：疼不疼？
患者：没有的。") asserts nothing in the question or the label: the facts it names there take
the polarity of the reply. Here a *prompt* (a question, a field label) names facts by the
vocabulary words the language readers found in it (:class:`Mention`), and its *reply* (an
answer, a field value) says yes, no or not sure:

- a negative reply ("No, not at all", "Nope", "N", "[x] N", "没有的", "不会", "☑否") makes each
  named fact absent, a positive one ("Yes, definitely", "Y", "有一点", "对") present; a word
  that names the fact the other way round ("painless", "平坦") flips it;
- an unsure reply ("not sure", "不清楚") decides nothing and is reported as hedged;
- a cancer named in a prompt is asked about as a history ("Have you ever had skin cancer?"),
  a relative's when a relative is named;
- "How old are you? A: 72" gives the age.

What a prompt decides replaces what the sentence readers took from the prompt and its reply
(:func:`skinmm.text.facts.read_note` drops those findings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skinmm.text import facts_vocab as v
from skinmm.text.facts_common import (
    ABSENT,
    DENIED_AFTER_ZH,
    PRESENT,
    Finding,
    Mention,
    zh_to_int,
)

UNSURE = "unsure"

# Who speaks: a label opening a question or an answer in a transcript.
_ASKER = r"(?:Q|Question|Doctor|Dr|Clinician|Nurse|问|医生|医师|护士)"
_ANSWERER = r"(?:A|Answer|Patient|Pt|Pat|Relative|答|患者|病人|家属)"
_LABEL = rf"(?:{_ASKER}|{_ANSWERER})\s*[:：]"
_ASK_LABEL = re.compile(rf"(?:^|(?<=[\s.。!！?？;；]))({_ASKER}\s*[:：])", re.I)
_ANSWER_LABEL = re.compile(rf"\s*{_ANSWERER}\s*[:：]\s*", re.I)
_NEXT_LABEL = re.compile(rf"\n|(?<=[\s.。!！?？;；]){_LABEL}", re.I)
_QUESTION_MARK = re.compile(r"？|\?(?=\s|$|[\u3400-\u9fff])")
_BOUNDARY = re.compile(r"[.。!！;；\n?？]")

# A question, not a hedge ("Bleeding? noted" is terse; "?BCC" never reaches here).
_INTERROGATIVE_EN = re.compile(
    r"^(?:do|does|did|is|are|was|were|has|have|had|any|can|could|how|where|what|when|which|"
    r"ever|will|would|tell)\b",
    re.I,
)
_INTERROGATIVE_ZH = re.compile(r"吗|么|呢|是否|有没有|有无|多大|多少|哪|几|(.)不\1")
_AGE_QUESTION = re.compile(r"how old|\bage\b|年龄|年纪|多大岁数|几岁|多大了", re.I)
_NUMBER = re.compile(r"(?<![\d.])(\d{1,3})(?!\d|\.\d)")
_ZH_AGE_REPLY = re.compile(
    r"\s*(?:今年|我)?\s*([一二三四五六七八九十]{1,4})(?:岁|了)?(?![\u3400-\u9fff])"
)

_UNSURE_WORDS = (
    r"not sure|unsure|don'?t know|do not know|unknown|can'?t remember|cannot remember|"
    r"not certain|uncertain|unclear|maybe|perhaps|possibly|n/a|"
    r"不确定|不知道|不清楚|说不清|记不清|不详|不太清楚|可能|也许"
)
_NEGATIVE_WORDS = (
    r"i don'?t think so|i do not think so|don'?t think so|it does ?n[o']t|it has ?n[o']t|"
    r"it is ?n[o']t|it'?s not|i do ?n[o']t|i have ?n[o']t|i'?ve not|"
    r"no|nope|nah|n|never|none|nil|negative|neg|absent|denied|denies|not at all|not really|"
    r"false|没有|没|无|不|否|未|从不|从没|从来没有|阴性"
)
_POSITIVE_WORDS = (
    r"yes|yeah|yep|yup|y|definitely|positive|pos|present|true|sure|correct|it does|it has|"
    r"i think so|"
    r"i do|i have|a little|a bit|sometimes|occasionally|有|是|对|嗯|会|偶尔|经常|阳性"
)
# A tick or a cross as a field's whole value ("| 瘙痒 | × |", "| 隆起 | √ |"): a table's yes/no.
_SIGNS = {
    "+": PRESENT,
    "(+)": PRESENT,
    "-": ABSENT,
    "(-)": ABSENT,
    "−": ABSENT,
    "√": PRESENT,
    "✓": PRESENT,
    "✔": PRESENT,
    "×": ABSENT,
    "✗": ABSENT,
    "✘": ABSENT,
}
_BOX = r"(?:\[\s*[xX✓✔√]\s*\]|[☑☒■✓✔√])"
_CHECKED = re.compile(
    rf"{_BOX}\s*(yes|no|y|n|unknown|unsure|not sure|是|否|有|无|不详|不确定|不清楚)", re.I
)
_EMPTY_BOX = re.compile(r"\[\s*\]|[□☐]")
_END = r"(?=$|[\s.,;:!。，；：！、)）]|(?<=[\u3400-\u9fff]))"


# A reply may open with when ("以前没得过皮肤癌", "之前有过"): the answer word follows it.
_WHEN_ZH = r"(?:以前|之前|从前|过去|平时)?"


def _starts_with(words: str, text: str) -> bool:
    opening = rf"^\s*(?:well,?\s*|um+,?\s*|嗯，)?{_WHEN_ZH}(?:{words}){_END}"
    return re.match(opening, text, re.I) is not None


def answer_polarity(reply: str) -> str | None:
    """PRESENT, ABSENT or UNSURE from the opening words of an answer; None when it says none."""
    if _starts_with(_UNSURE_WORDS, reply):
        return UNSURE
    if _starts_with(_NEGATIVE_WORDS, reply):
        return ABSENT
    if _starts_with(_POSITIVE_WORDS, reply):
        return PRESENT
    return None


# "有（ ） 无（√）": the tick written in brackets after the option.
_CHECKED_AFTER = re.compile(r"(yes|no|y|n|是|否|有|无)\s*[（(]\s*[xX✓✔√]\s*[）)]", re.I)
_EMPTY_BRACKETS = re.compile(r"[（(]\s*[）)]")


def field_polarity(value: str) -> str | None:
    """The polarity of a field's whole value: a Y/N word or sign, or the ticked box."""
    value = value.strip().rstrip(".。;；,，")
    checked = _CHECKED.findall(value)
    if len(checked) == 1 and _EMPTY_BOX.search(value):
        return answer_polarity(checked[0])
    checked = _CHECKED_AFTER.findall(value)
    if len(checked) == 1 and _EMPTY_BRACKETS.search(value):
        return answer_polarity(checked[0])
    if value in _SIGNS:
        return _SIGNS[value]
    words = rf"{_UNSURE_WORDS}|{_NEGATIVE_WORDS}|{_POSITIVE_WORDS}"
    # "yes (lung cancer)", "是（甲状腺癌）": a reply with what it was in brackets.
    bracketed = r"(?:\s*[(（][^()（）]{1,30}[)）])?"
    if re.fullmatch(
        rf"(?:{words})(?:[,，]?\s*(?:not at all|definitely|的))?{bracketed}", value, re.I
    ):
        return answer_polarity(value)
    return None


@dataclass(frozen=True)
class Prompt:
    """A question or a field label (``start:end``) and its reply (``reply_start:reply_end``)."""

    start: int
    end: int
    reply_start: int
    reply_end: int
    polarity: str | None
    is_question: bool


def _is_question(text: str, labelled: bool) -> bool:
    text = text.strip()
    return labelled or bool(_INTERROGATIVE_EN.match(text) or _INTERROGATIVE_ZH.search(text))


def _questions(text: str) -> list[Prompt]:
    """Every "...?" followed by its answer (labelled "A:", "患者：" or not)."""
    out = []
    for mark in _QUESTION_MARK.finditer(text):
        before = [m.end() for m in _BOUNDARY.finditer(text, 0, mark.start())]
        start = before[-1] if before else 0
        label = None
        for found in _ASK_LABEL.finditer(text, start, mark.start()):
            label = found
        start = label.end() if label is not None else start
        reply_start = mark.end()
        answer = _ANSWER_LABEL.match(text, reply_start)
        reply_start = answer.end() if answer is not None else reply_start
        following = _NEXT_LABEL.search(text, reply_start)
        reply_end = following.start() if following is not None else len(text)
        # The answer is its first sentence; what follows is read as sentences.
        stop = _BOUNDARY.search(text, reply_start, reply_end)
        reply_end = stop.end() if stop is not None else reply_end
        reply = text[reply_start:reply_end]
        asked = text[start : mark.start()]
        # "Itch? No.": a terse question is one when a bare yes or no answers it.
        if _is_question(asked, label is not None) or field_polarity(_first_clause(reply)):
            # "疼不疼？会痒吗？": a question that follows at once is no answer to this one.
            polarity = None if _QUESTION_MARK.search(reply) else answer_polarity(reply)
            out.append(Prompt(start, mark.end(), reply_start, reply_end, polarity, True))
    return out


def _first_clause(reply: str) -> str:
    return re.split(r"[.,;。，；\n]", reply.strip(), maxsplit=1)[0]


_FIELD = re.compile(
    r"^[^\S\n]*(?:[-*•·]\s*|\d{1,2}[.)]\s*|【)?(?P<label>[^:：\n?？。【】]{1,40}?)[】]?"
    r"[^\S\n]*[:：】][^\S\n]*(?P<value>[^\n]{1,40}?)[^\S\n]*$",
    re.M,
)


def _fields(text: str, mentions: list[Mention]) -> list[Prompt]:
    """Every line ``Label: value`` whose value is a Y/N word, a sign, a ticked box or the
    label's finding named again ("Raised: flat")."""
    out = []
    for match in _FIELD.finditer(text):
        polarity = field_polarity(match.group("value")) or _value_naming_label(match, mentions)
        if polarity is not None:
            start, end = match.span("label")
            out.append(Prompt(start, end, *match.span("value"), polarity, False))
    return out


def _value_naming_label(match: re.Match[str], mentions: list[Mention]) -> str | None:
    """PRESENT/ABSENT when a field's whole value is a word for the label's own finding:
    "Raised: flat" (the finding named the other way round: absent), "Elevation: raised"."""
    label_start, label_end = match.span("label")
    value_start, value_end = match.span("value")
    said = [m for m in mentions if value_start <= m.start < value_end]
    if len(said) != 1 or said[0].kind not in ("FACT", "FLIP"):
        return None
    if match.group("value").strip(" .。") != match.string[said[0].start : said[0].end]:
        return None
    for m in mentions:
        in_label = label_start <= m.start < label_end and m.kind in ("FACT", "FLIP")
        if in_label and m.key == said[0].key:
            return PRESENT if m.kind == said[0].kind else ABSENT
    return None


# "除了皮肤癌，以前得过别的肿瘤吗？", "Apart from skin cancer, any other cancer?": the
# excepted concept is not what is asked.
_EXCEPTED = re.compile(r"(?:除了|除|other than|apart from|besides|except(?: for)?)\s*$", re.I)


def _asked_facts(text: str, prompt: Prompt, mentions: list[Mention]) -> list[tuple[str, str]]:
    """(fact, value if the reply is yes) for each fact the prompt names."""
    asked = text[prompt.start : prompt.end].lower()
    family = any(re.search(rf"\b{re.escape(c)}\b", asked) for c in v.FAMILY_CUES_EN) or any(
        c in asked for c in v.FAMILY_CUES_ZH
    )
    out: list[tuple[str, str]] = []
    for m in mentions:
        if not prompt.start <= m.start < prompt.end or _EXCEPTED.search(
            text[prompt.start : m.start]
        ):
            continue
        if m.kind in ("FACT", "FLIP"):
            out.append((m.key, PRESENT if m.kind == "FACT" else ABSENT))
        elif m.kind == "SKIN_CANCER":
            out.append(("family_skin_cancer_history" if family else "skin_cancer_history", PRESENT))
        elif m.kind == "CANCER" and not family:
            out.append(("cancer_history", PRESENT))
    return list(dict.fromkeys(out))


def _answered(value: str, polarity: str) -> str:
    if polarity == PRESENT:
        return value
    return ABSENT if value == PRESENT else PRESENT


def _age(text: str, prompt: Prompt) -> Finding | None:
    if not prompt.is_question or not _AGE_QUESTION.search(text[prompt.start : prompt.end]):
        return None
    number = _NUMBER.search(text, prompt.reply_start, prompt.reply_end)
    if number is not None:
        years, words = int(number.group(1)), number
    else:
        # "五十四，女的": a spoken age, with no unit for the numerals' conversion to find.
        spoken = _ZH_AGE_REPLY.match(text, prompt.reply_start, prompt.reply_end)
        if spoken is None:
            return None
        years, words = zh_to_int(spoken.group(1)), spoken
    if not 0 < years < 120:
        return None
    return Finding("age", years, words.group(0).strip(), *words.span())


@dataclass
class FormReading:
    """The facts the prompts decided, the spans whose sentence readings they replace."""

    findings: list[Finding]
    hedged: list[str]
    # (start, end, names): findings of these facts read from text[start:end] are replaced;
    # names None: every present/absent fact (a question asserts nothing itself).
    claims: list[tuple[int, int, frozenset[str] | None]]


def read_forms(text: str, mentions: list[Mention]) -> FormReading:
    """The facts that questions and fields with their replies state in ``text``."""
    reading = FormReading([], [], [])
    questions = _questions(text)
    taken = [(q.start, q.reply_end) for q in questions]
    fields = [f for f in _fields(text, mentions) if not any(a <= f.start < b for a, b in taken)]
    for prompt in [*questions, *fields]:
        asked = _asked_facts(text, prompt, mentions)
        if prompt.is_question:
            asked = _not_said_in_reply(prompt, asked, mentions)
        polarity = prompt.polarity or _named_in_reply(text, prompt, asked, mentions)
        age = _age(text, prompt)
        decided = [age] if age is not None else []
        if polarity in (PRESENT, ABSENT):
            evidence = text[prompt.start : prompt.reply_end].strip()
            decided += [
                Finding(name, _answered(value, polarity), evidence, prompt.start, prompt.reply_end)
                for name, value in asked
            ]
        elif polarity == UNSURE and asked:
            reading.hedged.append(text[prompt.start : prompt.reply_end].strip())
        reading.findings += decided
        if prompt.is_question:
            reading.claims.append((prompt.start, prompt.end, None))
        if polarity is not None:
            names = frozenset(f.name for f in decided) | frozenset(n for n, _ in asked)
            reading.claims.append((prompt.start, prompt.reply_end, names))
    return reading


_ASKED_BY_KIND = {"SKIN_CANCER": "skin_cancer_history", "CANCER": "cancer_history"}


def _not_said_in_reply(
    prompt: Prompt, asked: list[tuple[str, str]], mentions: list[Mention]
) -> list[tuple[str, str]]:
    """The asked findings that the answer does not name itself.

    An answer that names the finding says what holds in its own words, and the sentence
    reader reads it: "会痒吗？ 患者：不疼，时不时会痒。" opens with "不" but the itch is there;
    "Does it itch? No, it doesn't itch." is read the same either way.
    """
    said = {
        m.key
        for m in mentions
        if m.kind in ("FACT", "FLIP") and prompt.reply_start <= m.start < prompt.reply_end
    }
    return [(name, value) for name, value in asked if name not in said]


def _named_in_reply(
    text: str, prompt: Prompt, asked: list[tuple[str, str]], mentions: list[Mention]
) -> str | None:
    """PRESENT when an answer names the cancer it was asked about ("得过淋巴瘤", "I had a BCC").

    Only for histories: an answer that names a symptom may deny it ("it doesn't itch"), and
    the sentence reader reads it.
    """
    names = {n for n, _ in asked}
    for m in mentions:
        if prompt.reply_start <= m.start < prompt.reply_end and _ASKED_BY_KIND.get(m.kind) in names:
            # "皮肤癌没得过": named, then denied.
            return ABSENT if DENIED_AFTER_ZH.match(text[m.end : prompt.reply_end]) else PRESENT
    return None
