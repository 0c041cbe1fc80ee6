"""What a saved case says about its input-scope verdict and its conformal prediction set.

One wording for the History page and the PDF report, in the UI language. A case saved
before the gate or the sets existed has neither, and is described as such, never guessed.
"""

from __future__ import annotations

from skinmm.i18n import t
from skinmm.prediction import PredictionSet
from skinmm.scope import ScopeResult


def verdict_label(verdict: str | None, lang: str) -> str:
    """A verdict's short name ("Clinical photo"); empty for a case without one."""
    return "" if verdict is None else t(f"scope_label_{verdict}", lang)


def verdict_cell(verdict: str | None, shown_anyway: bool | None, lang: str) -> str:
    """The History list's cell: the verdict, marked when the differential was shown anyway."""
    label = verdict_label(verdict, lang)
    return t("scope_cell_shown", lang, verdict=label) if shown_anyway else label


def scope_sentence(scope: ScopeResult | None, shown_anyway: bool | None, lang: str) -> str:
    """One sentence on the case's input check, for the case view and the report."""
    if scope is None:
        return t("case_scope_none", lang)
    if scope.in_scope:
        return t("case_scope_in", lang)
    key = "case_scope_shown" if shown_anyway else "case_scope_out"
    return t(key, lang, verdict=verdict_label(scope.verdict, lang))


def set_sentence(chosen: PredictionSet | None, lang: str) -> str:
    """ "With 90% confidence the diagnosis is among: …", or why there is no such sentence."""
    if chosen is None:
        return t("case_set_none", lang)
    if not chosen.classes:
        return t("conf_set_empty", lang, level=chosen.level)
    names = "; ".join(c.name(lang) for c in chosen.classes)
    return f"{t('conf_set_title', lang, level=chosen.level)} {names}"


def out_of_scope(scope: ScopeResult | None) -> bool:
    return scope is not None and not scope.in_scope
