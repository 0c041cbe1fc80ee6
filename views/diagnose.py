"""Diagnose: photo and/or note in; differential, agreement, Grad-CAM and cautions out.

One patient per analysis: "New case" clears every input and the result; the inputs of the
shown result stay on screen beside it; editing any input after an analysis marks the result
as belonging to the previous inputs; a saved case records exactly what was analysed.

Layout and order only: the form, the analysis, the saving and the result are drawn by
``views/diagnose_*.py``.
"""

from __future__ import annotations

import streamlit as st

from skinmm.i18n import t
from views.case_photos_view import lesion_photos
from views.common import lang, notice, require_bundle, require_role
from views.diagnose_analysis import analyse, fail
from views.diagnose_form import input_form
from views.diagnose_result import show_result
from views.diagnose_save import record_shown_anyway, save_case, show_saved
from views.diagnose_state import (
    GENERATION_KEY,
    NOTE_KEY,
    RESULT_KEY,
    SAVED_KEY,
    changed,
    generation,
    read_inputs,
    start_new_case,
)
from views.examples_view import example_button, with_example
from views.multiphoto_view import combine_photos, with_first_photo
from views.note_facts_view import note_facts_panel

language = lang()
user = require_role("diagnose")
st.title(t("diagnose_title", language))
notice(language)
st.caption(t("diagnose_intro", language))

round_ = generation()
form = input_form(user, round_, language)
edit = note_facts_panel(form.note or "", language, f"diagnose_facts_{round_}")
# The form is drawn (and usable) before the page waits for the model, which app.py loads in
# the background; an Analyse pressed meanwhile is answered once it has loaded.
bundle = require_bundle("loading_model_background")
example_button(form.buttons, bundle, language, start_new_case, NOTE_KEY, GENERATION_KEY)
current = read_inputs(form.upload, form.note, form.patient_ref)
current = with_example(
    current, bundle, round_, form.upload is not None, form.photo_column, language
)
current, more = with_first_photo(current, form.more)
if form.submitted:
    st.session_state[RESULT_KEY] = st.session_state[SAVED_KEY] = None
    if edit.invalid:
        fail(t("nf_fix_first", language), language)
    with st.spinner(t("analysing", language)):
        model_note = current.note if edit.corrected is None else edit.model_note
        result = analyse(bundle, current.photo, model_note, language)
        lesion = combine_photos(
            bundle, result.image, current.photo_name, more, model_note, language
        )
        result.prediction = lesion or result.prediction
    result.inputs, result.note_edit = current, edit
    st.session_state[RESULT_KEY] = result

shown = st.session_state.get(RESULT_KEY)
if shown is not None:
    stale = shown.inputs is None or changed(shown.inputs, current)
    slot = show_result(shown, stale, more, bundle, user, round_, language)
    # Saved once the result is drawn: the clinician does not wait for the database.
    if form.submitted and form.keep:
        save_case(shown, bundle, user, lesion_photos(current.photo), form.follows)
        if slot is not None:  # an out-of-scope result the clinician chose to see
            record_shown_anyway(shown.prediction, user)
    if slot is not None:
        with slot.container():
            show_saved(language)
