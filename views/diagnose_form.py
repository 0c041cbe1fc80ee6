"""Diagnose's input form: photo(s), note, patient reference, save switch and the buttons.

No st.form: a form hides edits until it is submitted, and an edit after an analysis must mark
the shown result as belonging to the previous inputs at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import streamlit as st

from skinmm.auth import Identity
from skinmm.i18n import t
from skinmm.i18n import t as db_t
from views.diagnose_state import NOTE_KEY, PATIENT_KEY, start_new_case
from views.followup_view import follow_up_picker
from views.multiphoto_view import more_photos


@dataclass
class FormValues:
    """The widgets' values on this run (the photo column, for the example's caption)."""

    upload: Any
    more: list[Any]
    note: str | None
    patient_ref: str | None
    keep: bool
    follows: str | None
    submitted: bool
    photo_column: Any
    buttons: Any  # the row the example button joins once the model has loaded


def uploader_labels(max_mb: int, language: str) -> None:
    """The uploader's own texts in the UI language.

    Streamlit 1.67 has no API for its dropzone texts ("Upload", "25MB per file • JPG, PNG,
    WEBP"); CSS hides them and writes ours in their place (checked in Chromium).
    """

    def css_string(key: str, **values: object) -> str:
        return json.dumps(t(key, language, **values), ensure_ascii=False)

    zone = "[data-testid='stFileUploaderDropzone']"
    instructions = "[data-testid='stFileUploaderDropzoneInstructions'] > div"
    button = f"{zone} button [data-testid='stMarkdownContainer']"
    st.html(
        f"""<style>
{instructions} > span, {instructions} > small, {button} p {{ display: none; }}
{instructions}::before {{ content: {css_string("upload_drop")}; display: block; }}
{instructions}::after {{
  content: {css_string("upload_limit", size=max_mb)}; display: block; font-size: 0.85em;
  opacity: 0.7;
}}
{button}::after {{ content: {css_string("upload_browse")}; }}
</style>"""
    )


def input_form(user: Identity, generation: int, language: str) -> FormValues:
    max_upload = int(st.get_option("server.maxUploadSize"))
    uploader_labels(max_upload, language)
    with st.container(border=True, key="diagnose_inputs_form"):
        photo_column, note_column = st.columns(2)
        upload = photo_column.file_uploader(
            t("upload_label", language),
            type=["jpg", "jpeg", "png", "webp"],
            help=t("upload_help", language, size=max_upload),
            key=f"diagnose_upload_{generation}",
        )
        more = more_photos(photo_column, language, generation)
        note = note_column.text_area(
            t("note_label", language),
            placeholder=t("note_placeholder", language),
            height=150,
            key=NOTE_KEY,
        )
        patient_ref = note_column.text_input(
            db_t("diagnose_patient_ref", language),
            max_chars=64,
            help=db_t("diagnose_patient_help", language),
            key=PATIENT_KEY,
        )
        follows = follow_up_picker(note_column, patient_ref, user, language, generation)
        keep = note_column.toggle(db_t("diagnose_save", language), value=True, key="diagnose_save")
        buttons = st.container(horizontal=True)
        submitted = buttons.button(
            t("analyse", language),
            type="primary",
            icon=":material/biotech:",
            key="diagnose_analyse",
        )
        buttons.button(
            t("new_case", language),
            icon=":material/person_add:",
            help=t("new_case_help", language),
            key="new_case",
            on_click=start_new_case,
        )
    return FormValues(
        upload, more, note, patient_ref, keep, follows, submitted, photo_column, buttons
    )
