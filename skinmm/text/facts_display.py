"""Facts read from a note, in words for a clinician, and corrections typed back in.

The page, the History view and the PDF report all show a reading the same way: one line per
fact with the words of the note it came from. A clinician corrects a fact by typing its value
in either language ("absent", "无", "female", "女", "back", "背部", "6", "III"); the corrected
facts replace the read ones and the note given to the model is re-rendered from them with the
training renderer (:func:`skinmm.text.facts.render_facts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skinmm.data.notes import ROMAN, SITES
from skinmm.i18n import t
from skinmm.text.facts import FACT_NAMES, POLAR_FACTS, FactValue, render_facts
from skinmm.text.facts_common import ABSENT, PRESENT

REMOVE = "-"
_PRESENT_WORDS = {"present", "yes", "y", "+", "有", "是", "阳性"}
_ABSENT_WORDS = {"absent", "no", "n", "none", "无", "否", "没有", "阴性"}
_MALE, _FEMALE = {"male", "m", "man", "男", "男性"}, {"female", "f", "woman", "女", "女性"}
_ROMAN_VALUES = {v.lower(): k for k, v in ROMAN.items()}


def fact_label(name: str, lang: str) -> str:
    return t(f"nf_fact_{name}", lang)


def format_value(name: str, value: FactValue, lang: str) -> str:
    """A fact's value in words of ``lang`` ("62 years", "无", "背部", "type III")."""
    if name == "age":
        return t("nf_value_age", lang, n=value)
    if name == "diameter_mm":
        return t("nf_value_mm", lang, mm=f"{float(value):g}")
    if name == "fitzpatrick":
        return t("nf_value_fitzpatrick", lang, roman=ROMAN.get(int(value), str(value)))
    if name == "duration_months":
        return t("nf_value_months", lang, n=f"{float(value):g}")
    if name == "sex":
        return t(f"nf_value_{value}", lang)
    if name == "site":
        return site_name(str(value), lang)
    if name == "elevation":
        return t("nf_value_raised" if value == PRESENT else "nf_value_flat", lang)
    return t(f"nf_value_{value}", lang)


def site_name(key: str, lang: str) -> str:
    en, zh = SITES.get(key, (key, key))
    return zh if lang == "zh" else en.removeprefix("the ").removeprefix("an ")


class BadValue(ValueError):
    """A typed correction that is no value of its fact; the page says what is accepted."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"{text!r} is not a value of {name}")
        self.name, self.text = name, text


def parse_value(name: str, text: str) -> FactValue | None:
    """The value a clinician typed for fact ``name``; None for "-" (remove the fact).

    Raises
    ------
    BadValue
        When ``text`` is no value of that fact.
    """
    word = text.strip().lower()
    if word == REMOVE:
        return None
    value = _parse(name, word)
    if value is None:
        raise BadValue(name, text)
    return value


def _parse(name: str, word: str) -> FactValue | None:
    if name in POLAR_FACTS:
        flat_raised = {"raised": PRESENT, "隆起": PRESENT, "flat": ABSENT, "平坦": ABSENT}
        extra = flat_raised if name == "elevation" else {}
        if word in _PRESENT_WORDS:
            return PRESENT
        return ABSENT if word in _ABSENT_WORDS else extra.get(word)
    if name == "sex":
        return "male" if word in _MALE else ("female" if word in _FEMALE else None)
    if name == "site":
        return _site(word)
    return _number(name, word)


def _site(word: str) -> str | None:
    for key, (en, zh) in SITES.items():
        if word in (key, en.lower(), en.lower().removeprefix("the "), zh):
            return key
    return None


def _number(name: str, word: str) -> FactValue | None:
    word = word.removesuffix("mm").removesuffix("岁").removesuffix("years").strip()
    for unit in ("months", "month", "个月", "月"):
        word = word.removesuffix(unit).strip()
    if name == "fitzpatrick" and word in _ROMAN_VALUES:
        return _ROMAN_VALUES[word]
    try:
        number = float(word)
    except ValueError:
        return None
    if name == "diameter_mm":
        return number if 0 < number <= 500 else None
    if name == "duration_months":
        return number if 0 < number <= 1000 else None
    if not number.is_integer():
        return None
    low, high = (1, 6) if name == "fitzpatrick" else (0, 120)
    return int(number) if low <= number <= high else None


def accepted(name: str, lang: str) -> str:
    """What may be typed for fact ``name``, in words of ``lang``."""
    if name in POLAR_FACTS:
        return t("nf_accepted_polar", lang)
    if name == "sex":
        return t("nf_accepted_sex", lang)
    if name == "site":
        return ", ".join(site_name(k, lang) for k in SITES)
    if name == "duration_months":
        return t("nf_accepted_months", lang)
    return t("nf_accepted_fitzpatrick" if name == "fitzpatrick" else "nf_accepted_number", lang)


def corrected_facts(
    read: Mapping[str, FactValue], corrections: Mapping[str, str]
) -> dict[str, FactValue]:
    """The read facts with each typed correction applied ("-" removes a fact).

    Raises :class:`BadValue` for the first correction that is no value of its fact.
    """
    facts = dict(read)
    for name, text in corrections.items():
        if not text.strip():
            continue
        value = parse_value(name, text)
        if value is None:
            facts.pop(name, None)
        else:
            facts[name] = value
    return {name: facts[name] for name in FACT_NAMES if name in facts}


def stored_reading(
    reading: Mapping[str, Any], corrected: Mapping[str, FactValue] | None, model_note: str | None
) -> dict[str, Any]:
    """What a case keeps of its note reading: the reading, any corrections, the note the
    model was given."""
    out = dict(reading)
    out["corrected_facts"] = None if corrected is None else dict(corrected)
    out["model_note"] = model_note
    return out


def model_note(corrected: Mapping[str, FactValue], language: str) -> str:
    """The note the model reads for corrected facts, in the note's language."""
    return render_facts(corrected, "zh" if language == "zh" else "en")


def fact_lines(reading: Mapping[str, Any], lang: str) -> list[str]:
    """One line per fact: 'Itch: absent — from “denies itching”' (corrected ones marked)."""
    corrected = reading.get("corrected_facts")
    facts = corrected if corrected is not None else reading.get("facts", {})
    evidence = reading.get("evidence", {})
    read = reading.get("facts", {})
    lines = []
    for name in FACT_NAMES:
        if name not in facts:
            continue
        line = t(
            "nf_line",
            lang,
            fact=fact_label(name, lang),
            value=format_value(name, facts[name], lang),
        )
        if corrected is not None and read.get(name) != facts[name]:
            line += " — " + t("nf_corrected", lang)
        elif name in evidence:
            line += " — " + t("nf_from", lang, words=evidence[name])
        lines.append(line)
    return lines
