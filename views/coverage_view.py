"""The reference tumours the bundle cannot recognise, shown beside the differential.

One call from each page (Diagnose, History, Model card); the PDF writes the same sentence
(skinmm.coverage).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from skinmm.coverage import coverage_notice
from skinmm.i18n import t
from skinmm.taxonomy import TAXONOMY


def show_not_covered(
    codes: Sequence[str], language: str, *, say_when_complete: bool = False
) -> None:
    """An info box naming the tumours never learnt; with ``say_when_complete``, also a caption
    when every reference tumour is covered (the Model card states it either way)."""
    text = coverage_notice(codes, language)
    if text is not None:
        st.info(text, icon=":material/visibility_off:")
    elif say_when_complete:
        st.caption(t("coverage_all", language, total=len(TAXONOMY)))
