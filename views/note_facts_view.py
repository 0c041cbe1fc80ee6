"""Read from the note: the facts and the words they came from, and corrections before analysing.

Diagnose shows the reading live under the note, with a table in which a clinician corrects a
fact; the corrected facts then replace the note given to the model (re-rendered by the
training note writer), and the page says so. History shows what a case stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from skinmm.i18n import t
from skinmm.text.facts import FACT_NAMES, FactValue, NoteReading, read_note
from skinmm.text.facts_display import (
    BadValue,
    accepted,
    corrected_facts,
    fact_label,
    fact_lines,
    format_value,
    model_note,
    stored_reading,
)


@dataclass(frozen=True)
class NoteEdit:
    """The note's reading, the clinician's corrections and the note the model will read."""

    reading: NoteReading | None
    corrected: dict[str, FactValue] | None
    model_note: str
    invalid: bool = False

    def record(self) -> dict[str, Any] | None:
        """What the case stores of the reading (None without a readable note)."""
        if self.reading is None:
            return None
        note = self.model_note if self.corrected is not None else None
        return stored_reading(self.reading.to_dict(), self.corrected, note)

    @property
    def impression(self) -> str | None:
        return None if self.reading is None else self.reading.impression


def show_reading(reading: Mapping[str, Any], language: str) -> None:
    """The facts with their words, the phrases not used and the impression (plain text)."""
    lines = fact_lines(reading, language)
    if lines:
        st.text("\n".join(f"• {line}" for line in lines))
    else:
        st.caption(t("nf_none_found", language))
    if reading.get("unused"):
        st.caption(t("nf_unused_title", language))
        st.text("\n".join(f"• {phrase}" for phrase in reading["unused"]))
    if reading.get("impression"):
        st.text(t("nf_impression", language, text=reading["impression"]))
    if reading.get("model_note"):
        st.caption(t("nf_model_note", language))
        st.text(reading["model_note"])


def _columns(language: str) -> tuple[str, str, str, str]:
    """The table's column names, in the UI language: they are what the clinician reads."""
    return (
        t("nf_col_fact", language),
        t("nf_col_read", language),
        t("nf_col_words", language),
        t("nf_col_correction", language),
    )


def _table(reading: NoteReading, language: str) -> pd.DataFrame:
    fact, read, words, correction = _columns(language)
    rows = []
    for name in FACT_NAMES:
        value = reading.facts.get(name)
        rows.append(
            {
                fact: fact_label(name, language),
                read: "—" if value is None else format_value(name, value, language),
                words: reading.evidence.get(name, ""),
                correction: "",
            }
        )
    return pd.DataFrame(rows)


def _corrections(reading: NoteReading, language: str, key: str) -> dict[str, str]:
    fact, read, words, correction = _columns(language)
    with st.expander(t("nf_edit_title", language), icon=":material/edit_note:"):
        st.caption(t("nf_edit_help", language))
        edited = st.data_editor(
            _table(reading, language),
            # The columns are named in the UI language, so each language keeps its own edits.
            key=f"{key}_{language}",
            hide_index=True,
            disabled=[fact, read, words],
            column_config={correction: st.column_config.TextColumn(correction)},
        )
    values = edited[correction].fillna("").astype(str).tolist()
    return {name: value for name, value in zip(FACT_NAMES, values, strict=True) if value.strip()}


def note_facts_panel(note: str, language: str, key: str) -> NoteEdit:
    """Under the note: what was read from it, and the table to correct it before analysing."""
    if not note.strip():
        return NoteEdit(None, None, note)
    try:
        reading = read_note(note)
    except ValueError:  # an undecodable note: the analysis explains it
        return NoteEdit(None, None, note)
    with st.container(border=True, key="note_facts"):
        st.markdown(f"**{t('nf_title', language)}**")
        if not reading.readable:
            st.info(t("nf_unreadable", language), icon=":material/info:")
            return NoteEdit(reading, None, note)
        show_reading(reading.to_dict(), language)
        corrections = _corrections(reading, language, key)
        try:
            corrected = corrected_facts(reading.facts, corrections)
        except BadValue as bad:
            fact = fact_label(bad.name, language)
            message = t(
                "nf_bad_value",
                language,
                value=bad.text,
                fact=fact,
                accepted=accepted(bad.name, language),
            )
            st.error(message, icon=":material/error:")
            return NoteEdit(reading, None, note, invalid=True)
        if corrected == reading.facts:
            return NoteEdit(reading, None, note)
        rewritten = model_note(corrected, reading.language)
        st.info(t("nf_rewritten", language), icon=":material/edit_note:")
        st.text(rewritten)
        return NoteEdit(reading, corrected, rewritten)


def show_stored_reading(
    reading: Mapping[str, Any] | None, impression: str | None, language: str
) -> None:
    """History: what was read from a saved case's note (older cases stored none)."""
    if reading is None and not impression:
        return
    st.markdown(f"**{t('nf_title', language)}**")
    if reading is not None and not reading.get("readable", True):
        st.caption(t("nf_unreadable", language))
    elif reading is not None:
        show_reading(reading, language)
    if impression and (reading is None or not reading.get("impression")):
        st.text(t("nf_impression", language, text=impression))
