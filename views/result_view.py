"""The summary block of one result: top class, confidence, how it was decided, the tumours the
bundle cannot recognise and the cautions. Drawn by this one helper wherever a result is shown
(Diagnose, History, Teach), so the pages never disagree on what a result says.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from skinmm.i18n import caution_text, rule_name, t
from skinmm.markup import escape_markdown
from skinmm.prediction import Prediction
from skinmm.text.clean import MAX_NOTE_CHARS
from views.coverage_view import show_not_covered

# Said in the mode caption already, so an info box rather than a warning.
MODE_CAUTIONS = ("image_only", "text_only")


def show_summary(
    pred: Prediction,
    language: str,
    not_covered: Sequence[str],
    *,
    key: str,
    note_truncated: bool = False,
    escape: bool = False,
) -> None:
    """The summary block; ``key`` names the top-class container (``diagnose_top``...).

    ``escape`` for a prediction read back from the case store: its class names are stored
    text, shown as typed rather than as Markdown.
    """
    # A heading, not st.metric: a metric's value is cut off at the column's width, and the
    # full name (with its sub-entities) is what a clinician needs to read.
    with st.container(key=key):
        st.caption(t("top_class", language))
        st.markdown(f"#### {_shown(pred.top.name(language), escape)}")
    st.metric(t("confidence", language), f"{pred.confidence:.0%}")
    st.caption(
        f"{t('mode', language)}: {t(f'mode_{pred.mode}', language)} · "
        f"{t('rule', language)}: {_shown(rule_name(pred.rule, language), escape)}"
    )
    show_not_covered(not_covered, language)
    _show_cautions(pred, language, note_truncated, escape)


def _shown(text: str, escape: bool) -> str:
    return escape_markdown(text) if escape else text


def _show_cautions(pred: Prediction, language: str, note_truncated: bool, escape: bool) -> None:
    """Each caution in plain words; the possible-malignancy one names the worrying classes."""
    if note_truncated:
        st.warning(t("warn_note_truncated", language, limit=MAX_NOTE_CHARS), icon=":material/cut:")
    keys = pred.cautions()
    if not keys:
        return
    st.markdown(f"**{t('cautions_title', language)}**")
    worrying = ", ".join(_shown(c.name(language), escape) for c in pred.worrying_classes())
    for key in keys:
        text = caution_text(key, language, p=pred.confidence, names=worrying)
        if key in MODE_CAUTIONS:
            st.info(text, icon=":material/info:")
        else:
            st.warning(text, icon=":material/warning:")
