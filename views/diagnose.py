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
from views.diagnose_save import save_case
from views.diagnose_state import RESULT_KEY, SAVED_KEY, changed, generation, read_inputs
from views.examples_view import with_example
from views.multiphoto_view import combine_photos, with_first_photo
from views.note_facts_view import note_facts_panel

language = lang()
user = require_role("diagnose")
bundle = require_bundle()
st.title(t("diagnose_title", language))
notice(language)
st.caption(t("diagnose_intro", language))

round_ = generation()
form = input_form(bundle, user, round_, language)
edit = note_facts_panel(form.note or "", language, f"diagnose_facts_{round_}")
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
    if form.keep:
        save_case(result, bundle, user, lesion_photos(current.photo), form.follows)

shown = st.session_state.get(RESULT_KEY)
if shown is not None:
    stale = shown.inputs is None or changed(shown.inputs, current)
    show_result(shown, stale, more, bundle, user, round_, language)
