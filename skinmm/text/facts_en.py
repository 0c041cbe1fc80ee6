"""The English note reader: a blank spaCy pipeline with rule-based matchers and NegEx.

No statistical model is loaded (nothing to download): ``spacy.blank("en")`` tokenises, a
sentencizer splits sentences, an entity ruler marks the concepts of
:mod:`skinmm.text.facts_vocab`, and two negspacy ``Negex`` components (NegEx, Chapman et al.
2001) mark each concept as negated ("denies itching", "no bleeding") or hedged ("possible
bleeding"). "Itch: no"-style values written after a concept are read before NegEx is asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import negspacy.negation  # noqa: F401  (registers the "negex" factory)
import spacy
from negspacy.termsets import termset
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_suffix_regex

from skinmm.text import facts_en_scope as scope
from skinmm.text import facts_vocab as v
from skinmm.text.facts_common import (
    ABSENT,
    PRESENT,
    Finding,
    LanguageReading,
    Mention,
    numeric_findings,
)

# NegEx's clinical list counts "no change" / "no increase" as pseudo-negations (not a
# negation of the finding that follows); for a lesion they are exactly the negated facts.
_NOT_PSEUDO = {
    "no increase",
    "no significant change",
    "no change",
    "no definite change",
    "no suspicious change",
    "no interval change",
    "no significant interval change",
}
_EXTRA_PRECEDING = ["nil", "nor", "neither", "no history of", "no hx of", "no h/o"]
_EXTRA_PRECEDING += ["negative for", "no complaint of", "not reported", "no reported", "not"]
_EXTRA_PRECEDING += ["n't", "has not", "have not", "had not", "none of", "abstains from"]
# "r/o", "rule out": for a lesion these introduce the clinician's suspicion, not a denial.
_NOT_PRECEDING = {"r/o", "ro", "rule out", "rules out", "evaluate for", "versus", "doubt"}
_FOLLOWING = ["denied", "absent", "not present", "not reported", "not noted", "free", "-ve", "neg"]


def _negation_termset() -> dict[str, list[str]]:
    base = termset("en_clinical").get_patterns()
    return {
        "pseudo_negations": [p for p in base["pseudo_negations"] if p not in _NOT_PSEUDO],
        "preceding_negations": [
            p for p in [*base["preceding_negations"], *_EXTRA_PRECEDING] if p not in _NOT_PRECEDING
        ],
        "following_negations": [*base["following_negations"], *_FOLLOWING],
        "termination": [*base["termination"], *v.AFFIRM_CUES_EN, ";"],
    }


_HEDGE_FOLLOWING = ("questionable", "uncertain", "unclear", "possibly", *v.HEDGE_AFTER_EN)


def _hedge_termset() -> dict[str, list[str]]:
    return {
        "pseudo_negations": ["no doubt", "not possible"],
        "preceding_negations": list(v.HEDGE_CUES_EN),
        # "?" is read where it touches the word (scope.hedged_by_question): as a NegEx cue
        # it would reach into the sentence before ("never bled. ?itch").
        "following_negations": list(_HEDGE_FOLLOWING),
        "termination": [*termset("en").get_patterns()["termination"], ";"],
    }


def _with_sides(words: tuple[str, ...]) -> list[str]:
    # "back of the hand" is also written "back of the left hand", and by a patient "back of
    # my hand".
    sides = ("the left ", "the right ", "my ", "his ", "her ")
    sided = [w.replace("the ", s, 1) for w in words if "the " in w for s in sides]
    return [*words, *sided]


def _patterns() -> list[dict[str, str]]:
    out = []
    for label, table in (
        ("FACT", v.CONCEPTS_EN),
        ("FLIP", v.CONCEPTS_EN_FLIP),
        ("SITE", v.SITES_EN),
        ("SITE", v.LAY_SITES_EN),
    ):
        for key, words in table.items():
            out += [{"label": label, "pattern": w, "id": key} for w in _with_sides(words)]
    for label, words in (
        ("SKIN_CANCER", v.SKIN_CANCERS_EN),
        ("CANCER", v.OTHER_CANCERS_EN),
        ("DIAGNOSIS", v.DIAGNOSES_EN),
    ):
        out += [{"label": label, "pattern": w, "id": label.lower()} for w in words]
    return out


def _split_signs(nlp: Language) -> None:
    # "itching+", "itch(+)": the sign is a value of its own, not part of the word.
    # "itch-", "enlarging-": a trailing minus is a value too.
    suffixes = [*(nlp.Defaults.suffixes or ()), r"\+", r"(?<=[a-zA-Z])-"]
    infixes = [*(nlp.Defaults.infixes or ()), r"(?<=[a-zA-Z])[(+]"]
    tokenizer: Any = nlp.tokenizer  # spaCy types it as a plain callable
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


@Language.component("line_starts")
def _line_starts(doc: Doc) -> Doc:
    """A new line opens a sentence (a field, a bullet, a turn), unless it continues in lower
    case: a denial on one bullet does not reach the next ("- not growing\n- elevated")."""
    for token in doc[1:]:
        after_break = "\n" in doc[token.i - 1].text_with_ws
        if after_break and not token.is_space and not token.text[:1].islower():
            token.is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def english_pipeline() -> Language:
    """The pipeline, built once per process (about 0.1 s); read-only afterwards."""
    nlp = spacy.blank("en")
    _split_signs(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("line_starts")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(_patterns())  # type: ignore[attr-defined]
    nlp.add_pipe("negex", name="negation", config={"neg_termset": _negation_termset()})
    nlp.add_pipe(
        "negex",
        name="hedging",
        config={"neg_termset": _hedge_termset(), "extension_name": "hedged"},
    )
    return nlp


def _evidence(doc: Doc, span: Span, cue: Span | None) -> str:
    if cue is None or cue.start >= span.start:
        return span.text
    if span.start - cue.end <= 6:
        return doc[cue.start : span.end].text
    return f"{cue.text} … {span.text}"


def _negation(span: Span) -> tuple[bool, Span | None]:
    """Whether ``span`` is denied, and the cue that denies it (None for a cue written after)."""
    if not span._.negex:
        return False, None
    nlp = english_pipeline()
    cue = scope.cue_before(nlp, span, nlp.get_pipe("negation").preceding_negations)  # type: ignore[attr-defined]
    if cue is None:
        return scope.denied_after(nlp, span, _FOLLOWING), None
    if scope.is_value(cue) or not scope.list_reaches(cue, span):
        # The denial does not reach this far; a cue written after may ("bleeding absent").
        return scope.denied_after(nlp, span, _FOLLOWING), None
    return True, cue


def _non_prefixed(span: Span) -> bool:
    # "non-tender": "non" is no NegEx cue, since its scope would run on past the word
    # ("non-smoker, drinks alcohol" would deny the drinking).
    return scope.text_of(span.doc)[max(0, span.start_char - 4) : span.start_char].lower() in (
        "non-",
        "non ",
    )


def _hedged(span: Span) -> bool:
    if not span._.hedged:
        return False
    nlp = english_pipeline()
    return scope.hedge_reaches(nlp, span, v.HEDGE_CUES_EN, _HEDGE_FOLLOWING)


def _polar_finding(doc: Doc, span: Span) -> Finding | None:
    """A present/absent fact from a FACT or FLIP concept, or None when hedged."""
    stated = scope.stated_after(span)
    if stated is not None:
        value, end = stated
        evidence = scope.text_of(doc)[span.start_char : end]
    elif _hedged(span) or scope.hedged_by_question(span):
        return None
    elif _non_prefixed(span):
        value, evidence, end = (
            ABSENT,
            scope.text_of(doc)[span.start_char - 4 : span.end_char],
            span.end_char,
        )
    else:
        negated, cue = _negation(span)
        value = ABSENT if negated else PRESENT
        evidence, end = _evidence(doc, span, cue), span.end_char
    if span.label_ == "FLIP":
        value = ABSENT if value == PRESENT else PRESENT
    return Finding(span.ent_id_, value, evidence, span.start_char, end)


# "blood pressure", "blood tests": blood that is no bleeding of the lesion.
_NOT_BLEEDING_AFTER = frozenset(
    {
        "pressure",
        "test",
        "tests",
        "sugar",
        "glucose",
        "count",
        "counts",
        "thinner",
        "thinners",
        "thinning",
        "work",
        "results",
        "group",
        "type",
        "vessel",
        "vessels",
        "donor",
        "cells",
    }
)


def _is_lesion_noun(span: Span) -> bool:
    # "a growth on the back" names the lesion; it says nothing about it growing.
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    word = span.text.lower()
    if word == "blood":
        return after in _NOT_BLEEDING_AFTER
    return word == "growth" and before in {"a", "the", "this", "that", "skin"}


# A cancer named after these is what the clinician suspects now ("r/o SCC"), not a history.
_SUSPICION_CUES = ("r/o", "rule out", "rules out", "to exclude", "exclude", "query", "?")


def _history_cue(nlp: Language, span: Span) -> Span | None:
    """What makes a cancer mention a history: "hx of", "previous", "in remission", a year.

    A cue before counts within the clause only ("prostate ca hx; ...; r/o SCC": the SCC is
    no history), and not across a stated suspicion nearer the cancer.
    """
    found = scope.cue_before(nlp, span, v.HISTORY_CUES_EN)
    suspicion = scope.cue_before(nlp, span, _SUSPICION_CUES)
    if found is not None and (
        any(t.text == ";" for t in span.doc[found.end : span.start])
        or (suspicion is not None and suspicion.start > found.start)
    ):
        found = None
    found = found or scope.cue_after(nlp, span, v.HISTORY_CUES_EN, window=4)
    return found or scope.year_after(span)


def _instrument(span: Span) -> bool:
    """ "I can feel it with my finger": a body part the patient uses, not the lesion's site
    (not "presents with hand lesion")."""
    words = [t.lower_ for t in span.doc[max(0, span.start - 2) : span.start]]
    return words[:1] == ["with"] and words[1:] in (["my"], ["his"], ["her"], ["your"])


# "the back of the L hand", "back of the left upper arm": the part named by "of".
_PART_OF = re.compile(
    r"^\s+of\s+(?:the\s+|my\s+|his\s+|her\s+|their\s+)?(?:(?:left|right|lt|rt|l|r)\.?\s+)?$",
    re.I,
)


def _part_of_next_site(span: Span, following: Sequence[Span]) -> bool:
    """A site that is a side of the next one ("back of the left hand") names that one."""
    if not following or following[0].label_ != "SITE":
        return False
    between = scope.text_of(span.doc)[span.end_char : following[0].start_char]
    return _PART_OF.match(between) is not None


def _someone_elses(span: Span, kin: bool) -> bool:
    """A partner's (or, with ``kin``, a relative's) in the same clause: "Partner smokes",
    "FHx: father smoker"; not "Lives with partner, non-smoker"."""
    nlp = english_pipeline()
    cues = (*v.OTHER_PERSON_CUES_EN, *(v.FAMILY_CUES_EN if kin else ()))
    cue = scope.cue_before(nlp, span, cues)
    if cue is None or scope.cue_before(nlp, span, v.PERSONAL_CUES_EN) is not None:
        return False
    return all(t.text not in (",", ";") for t in span.doc[cue.end : span.start])


def _history_findings(doc: Doc, span: Span) -> tuple[list[Finding], str | None]:
    """Personal or family history from a cancer mention, else the clinician's impression.

    A cancer denied ("no other malignancies", "NMSC: none") is a denied history: nobody
    writes a suspicion in order to deny it.
    """
    nlp = english_pipeline()
    family = scope.cue_before(nlp, span, v.FAMILY_CUES_EN)
    if family is None and _someone_elses(span, kin=False):
        return [], None
    history = family or _history_cue(nlp, span)
    stated = scope.stated_after(span)
    if stated is None and history is not None and history.start >= span.end:
        stated = scope.stated_after(span, history.end_char)
    negated, cue = _negation(span)
    if stated is not None:
        negated, cue = stated[0] == ABSENT, None
    if span.label_ == "DIAGNOSIS" or (history is None and not negated):
        return [], scope.clause_text(span)
    value = ABSENT if negated else PRESENT
    first = min((c for c in (cue, history) if c is not None), key=lambda c: c.start, default=span)
    last = max((c for c in (history,) if c is not None), key=lambda c: c.end, default=span)
    end = stated[1] if stated is not None else max(span.end_char, last.end_char)
    evidence = scope.text_of(doc)[min(first.start_char, span.start_char) : end]
    names = []
    skin = span.label_ == "SKIN_CANCER"
    if family is not None and skin:
        names.append("family_skin_cancer_history")
    if family is None or scope.cue_before(nlp, span, v.PERSONAL_CUES_EN) is not None:
        names.append("skin_cancer_history" if skin else "cancer_history")
    if negated and family is None and not skin and _denies_every_cancer(span):
        names.append("skin_cancer_history")
    return [Finding(n, value, evidence, span.start_char, span.end_char) for n in names], None


# "no malignancy of any kind", "no history of any cancer, skin or otherwise": a denial of
# every cancer denies the skin cancers too; "no other cancer" leaves them open.
_EVERY_CANCER = re.compile(r"(?<!non-)\bskin\b|\bany (?:kind|type|sort)\b|\bof any\b", re.I)


def _denies_every_cancer(span: Span) -> bool:
    clause = scope.clause_text(span)
    return (
        _EVERY_CANCER.search(clause) is not None
        and re.search(r"\bother\b(?!wise)", clause, re.I) is None
    )


_SEX_PATTERNS = (
    (re.compile(r"\b(?:sex|gender)\s*[:=]?\s*(m|f|male|female)\b", re.I), 1),
    (re.compile(r"\b(male|female|man|woman|gentleman|lady|boy|girl|mr|mrs|ms|miss)\b", re.I), 1),
    (re.compile(r"\b\d{1,3}\s*(?:y/o|y\.o\.|yo|y|yrs?|years?)?\s*[,/]?\s*([MF])\b"), 1),
    # "F; back", "M 37," "F/60", "S: M in 20s", "F in forties": a bare M or F opening the
    # note or a clause.
    (re.compile(r"(?:^|[.;:]\s*)([MF])(?=\s*[,/.;]|\s+\d{1,3}\b|\s+in\s)", re.M), 1),
    # "DOB 1961 M": after a date of birth.
    (re.compile(r"\bDOB\s*:?\s*[\d/.-]{4,10}\s*,?\s*([MF])\b"), 1),
    (re.compile(r"\b(guy|bloke|chap)\b", re.I), 1),
    (re.compile(r"\b(he|his|him|she|her|hers)\b", re.I), 1),
)
_MALE = {"m", "male", "man", "gentleman", "boy", "mr", "he", "his", "him", "guy", "bloke", "chap"}
_PRONOUNS = {"he", "his", "him", "she", "her", "hers"}
_KIN = "|".join(map(re.escape, (*v.FAMILY_CUES_EN, *v.OTHER_PERSON_CUES_EN)))
_KIN_WORD = re.compile(rf"\b(?:{_KIN})\b", re.I)
_SENTENCE_END = re.compile(r"[.;!?\n]")


def _someone_elses_pronoun(text: str, match: re.Match[str]) -> bool:
    """ "My mother had melanoma when she was 72": a pronoun in a sentence naming a relative
    or a partner is theirs, not the patient's; "her mother" still names the patient's."""
    if _KIN_WORD.match(text, match.end() + 1):
        return False
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())]
    end = _SENTENCE_END.search(text, match.end())
    sentence = text[starts[-1] if starts else 0 : end.start() if end else len(text)]
    return _KIN_WORD.search(sentence) is not None


def find_sex(text: str) -> Finding | None:
    """The patient's sex from words ("woman", "male"), abbreviations ("62F", "Sex: M") or pronouns."""
    for pattern, group in _SEX_PATTERNS:
        match = next(
            (
                m
                for m in pattern.finditer(text)
                if m.group(group).lower() not in _PRONOUNS or not _someone_elses_pronoun(text, m)
            ),
            None,
        )
        if match is not None:
            value = "male" if match.group(group).lower() in _MALE else "female"
            return Finding("sex", value, match.group(0).strip(" .;,"), *match.span())
    return None


def read_english(text: str) -> LanguageReading:
    """Every fact the English reader finds in ``text`` (cleaned), in the order written."""
    doc = english_pipeline()(text)
    findings = numeric_findings(text)
    sex = find_sex(text)
    findings += [sex] if sex is not None else []
    impressions: list[str] = []
    hedged: list[str] = []
    for k, span in enumerate(doc.ents):
        if span.label_ in ("FACT", "FLIP"):
            if _is_lesion_noun(span):
                continue
            if scope.category(span) == "habit" and _someone_elses(span, kin=True):
                continue
            found = _polar_finding(doc, span)
            if found is None:
                hedged.append(scope.clause_text(span))
            else:
                findings.append(found)
        elif span.label_ == "SITE":
            if _part_of_next_site(span, doc.ents[k + 1 : k + 2]):
                continue
            if not scope.past_site(english_pipeline(), span) and not _instrument(span):
                findings.append(
                    Finding("site", span.ent_id_, span.text, span.start_char, span.end_char)
                )
        else:
            history, impression = _history_findings(doc, span)
            findings += history
            if impression is not None and impression not in impressions:
                impressions.append(impression)
    mentions = [Mention(e.label_, e.ent_id_, e.start_char, e.end_char) for e in doc.ents]
    return LanguageReading(findings, impressions, hedged, mentions)
