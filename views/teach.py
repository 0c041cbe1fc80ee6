"""Teach: a quiz round for a class. The page shows a case (photo and note), every participant
commits a diagnosis (one of the bundle's classes, or "refer"), then it reveals the truth, the
model's differential, its prediction set and Grad-CAM, and keeps a score per class for each
participant and for the model. A round is drawn by a seed, so a teacher can replay it.

Cases come from the bundle's example gallery (always there), or from the whole test split
when the data folder holds its photos (skinmm.teach).
"""

from __future__ import annotations

import streamlit as st

from skinmm.i18n import t
from views.common import lang, notice, require_bundle, require_role
from views.teach_round import ROUND_KEY, show_round
from views.teach_setup import setup_form

language = lang()
require_role("teach")
bundle = require_bundle()
st.title(t("teach_title", language))
notice(language)
st.caption(t("teach_intro", language))
setup_form(bundle, language)
current_round = st.session_state.get(ROUND_KEY)
if current_round is not None:
    show_round(current_round, bundle, language)
st.caption(t("example_licence", language))
