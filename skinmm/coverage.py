"""What a bundle cannot recognise, in words: the reference tumours none of its classes covers.

A class never learnt gets no probability worth reading; saying so beside the differential keeps
a low value from being read as "ruled out". One sentence for the pages and the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence

from skinmm.i18n import t
from skinmm.taxonomy import TAXONOMY, DatasetClass, not_covered


def uncovered_names(codes: Sequence[str], lang: str = "en") -> list[str]:
    """Display names of taxonomy codes, in taxonomy order (unknown codes as themselves)."""
    known = [c for c in TAXONOMY if c in codes]
    names = [TAXONOMY[c].name_zh if lang == "zh" else TAXONOMY[c].name_en for c in known]
    return names + sorted(set(codes) - set(TAXONOMY))


def coverage_notice(codes: Sequence[str], lang: str = "en") -> str | None:
    """The sentence naming what a bundle cannot recognise; None when it covers all 12."""
    if not codes:
        return None
    separator = "、" if lang == "zh" else ", "
    names = separator.join(uncovered_names(codes, lang))
    return t("coverage_not_covered", lang, names=names, n=len(codes), total=len(TAXONOMY))


def classes_notice(classes: Sequence[DatasetClass], lang: str = "en") -> str | None:
    """:func:`coverage_notice` for the classes a stored prediction was made over."""
    return coverage_notice(not_covered(classes), lang)
