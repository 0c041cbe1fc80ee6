"""Teach: a quiz round for a class. The page shows a case (photo and note), every participant
commits a diagnosis (one of the bundle's classes, or "refer"), then it reveals the truth, the
model's differential, its prediction set and Grad-CAM, and keeps a score per class for each
participant and for the model. A round is drawn by a seed, so a teacher can replay it.

Cases come from the bundle's example gallery (always there), or from the whole test split
when the data folder holds its photos (skinmm.teach).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.charts import differential_figure, heatmap_overlay
from skinmm.errors import explain
from skinmm.i18n import t
from skinmm.image.io import load_image
from skinmm.prediction import Prediction
from skinmm.teach import (
    ALL,
    MODEL,
    REFER,
    QuizCase,
    QuizRound,
    draw_round,
    gallery_pool,
    held_out_pool,
    is_right,
    parse_participants,
)
from views.common import lang, notice, require_bundle, require_role
from views.conformal_view import show_prediction_set
from views.error_box import show_error

ROUND_KEY = "teach_round"
REVEAL_KEY = "teach_revealed_result"
PHOTO_WIDTH = 360
MAX_CASES = 30
CAM_OPACITY = 0.45


@dataclass
class Reveal:
    """What the model said on the case revealed most recently."""

    prediction: Prediction
    cam: np.ndarray | None


@st.cache_data(show_spinner=False, max_entries=4)
def pools(bundle_dir: str, codes: tuple[str, ...]) -> dict[str, list[QuizCase]]:
    """The case sources this machine has: the gallery, and the test split where its photos
    are here."""
    report = Path(bundle_dir) / "report"
    return {
        "gallery": gallery_pool(Path(bundle_dir), list(codes)),
        "test": held_out_pool(report, list(codes)),
    }


def setup_form(bundle: Bundle, language: str) -> None:
    """Source, size, seed and participants; starting replaces any round in progress."""
    available = {k: v for k, v in pools(str(bundle.path), tuple(bundle.codes)).items() if v}
    if not available:
        st.info(t("teach_no_cases", language), icon=":material/info:")
        st.stop()
    with st.form("teach_setup", border=True):
        source = st.radio(
            t("teach_source", language),
            list(available),
            format_func=lambda k: t(f"teach_source_{k}", language, n=len(available[k])),
            horizontal=True,
            key="teach_source",
        )
        size, seed = st.columns(2)
        n = size.number_input(t("teach_cases", language), 1, MAX_CASES, 5, key="teach_n")
        chosen_seed = seed.number_input(
            t("teach_seed", language),
            0,
            10**6,
            1,
            help=t("teach_seed_help", language),
            key="teach_seed",
        )
        names = st.text_input(
            t("teach_participants", language),
            value=t("teach_default_participant", language),
            help=t("teach_participants_help", language),
            key="teach_names",
        )
        if st.form_submit_button(t("teach_start", language), type="primary"):
            start_round(available[str(source)], int(n), int(chosen_seed), names, language)


def start_round(pool: list[QuizCase], n: int, seed: int, names: str, language: str) -> None:
    try:
        participants = parse_participants(names)
    except ValueError as exc:
        show_error(t(f"teach_err_{exc}", language), language)
        st.stop()
    st.session_state[ROUND_KEY] = QuizRound(seed, draw_round(pool, n, seed), participants)
    st.session_state[REVEAL_KEY] = None


def answer_label(code: str, bundle: Bundle, language: str) -> str:
    if code == REFER:
        return t("teach_refer", language)
    return next(c.name(language) for c in bundle.classes if c.code == code)


def show_case(case: QuizCase, number: int, total: int, language: str) -> None:
    st.subheader(t("teach_case_title", language, k=number, n=total))
    photo, note = st.columns([1, 1])
    photo.image(str(case.photo), width=PHOTO_WIDTH)
    note.caption(t("teach_note", language))
    # Plain text: a note is never rendered as Markdown.
    note.text(case.note(language) or t("teach_no_note", language))


def ask(quiz: QuizRound, bundle: Bundle, language: str) -> None:
    """Every participant's answer for the current case, then Reveal."""
    options = [*bundle.codes, REFER]
    given = {}
    for k, name in enumerate(quiz.participants):
        given[name] = st.selectbox(
            t("teach_answer", language, name=name),
            options,
            index=None,
            format_func=lambda code: answer_label(code, bundle, language),
            placeholder=t("teach_answer_placeholder", language),
            key=f"teach_answer_{quiz.seed}_{quiz.revealed}_{k}",
        )
    if not st.button(t("teach_reveal", language), type="primary", key="teach_reveal"):
        return
    if any(v is None for v in given.values()):
        st.warning(t("teach_missing_answers", language), icon=":material/how_to_reg:")
        return
    reveal = analyse(bundle, quiz.current, language)
    quiz.commit(given, reveal.prediction.top.code)
    st.session_state[REVEAL_KEY] = reveal
    st.rerun()


def analyse(bundle: Bundle, case: QuizCase, language: str) -> Reveal:
    """The model's differential and its Grad-CAM of the top class; an error stops the page."""
    try:
        image = load_image(case.photo)
        with st.spinner(t("teach_analysing", language)):
            prediction = bundle.predict(image=image, note=case.note("en") or None)
    except Exception as exc:  # a missing or unreadable photo must not show a traceback
        explained = explain(exc, "err_predict")
        show_error(t(explained.key, language, **explained.values), language, explained.detail)
        st.stop()
    try:
        cam = np.asarray(bundle.cams(image, prediction.order[:1])[0].heatmap)
    except Exception:  # Grad-CAM is an aid; the reveal stands without it
        cam = None
    return Reveal(prediction, cam)


def show_reveal(quiz: QuizRound, reveal: Reveal, bundle: Bundle, language: str) -> None:
    case = quiz.last
    if case is None:
        return
    truth = next(c for c in bundle.classes if c.code == case.label)
    with st.container(border=True, key="teach_truth"):
        st.caption(t("teach_truth", language))
        st.markdown(f"#### {truth.name(language)}")
        for name in [*quiz.participants, MODEL]:
            answer = quiz.given(name) or ""
            right = is_right(answer, case.label, bundle.classes)
            who = t("teach_model", language) if name == MODEL else name
            mark = t("teach_right" if right else "teach_wrong", language)
            st.markdown(f"- {who}: {answer_label(answer, bundle, language)} — {mark}")
    left, right_column = st.columns([1, 1])
    with left:
        st.markdown(f"**{t('teach_cam', language)}**")
        if reveal.cam is None:
            st.caption(t("cam_failed", language))
        else:
            with Image.open(case.photo) as photo:
                overlay = heatmap_overlay(photo.convert("RGB"), reveal.cam, CAM_OPACITY)
            caption = reveal.prediction.top.name(language)
            st.image(overlay, caption=caption, width=PHOTO_WIDTH)
    with right_column:
        scope = reveal.prediction.scope
        if scope is not None and not scope.in_scope:
            st.warning(t("scope_outside_mark", language), icon=":material/warning:")
        show_prediction_set(reveal.prediction, language)
        st.plotly_chart(differential_figure(reveal.prediction, language), key="teach_chart")
    label = "teach_next" if not quiz.finished else "teach_finish"
    if st.button(t(label, language), type="primary", key="teach_next"):
        st.session_state[REVEAL_KEY] = None
        st.rerun()


def show_scores(quiz: QuizRound, bundle: Bundle, language: str) -> None:
    if not quiz.revealed:
        return
    st.markdown(f"**{t('teach_scores', language)}**")
    table = quiz.scores(bundle.classes)
    shown = pd.DataFrame({t("teach_class", language): class_names(table, bundle, language)})
    shown[t("teach_shown", language)] = table["cases"]
    for name in [*quiz.participants, MODEL]:
        header = t("teach_model", language) if name == MODEL else name
        shown[header] = [f"{r} / {n}" for r, n in zip(table[name], table["cases"], strict=True)]
    st.dataframe(shown, hide_index=True, key="teach_score_table")
    st.caption(t("teach_scoring_rule", language))


def class_names(table: pd.DataFrame, bundle: Bundle, language: str) -> list[str]:
    names = {c.code: c.name(language) for c in bundle.classes}
    return [t("teach_all", language) if code == ALL else names[code] for code in table["class"]]


def show_round(quiz: QuizRound, bundle: Bundle, language: str) -> None:
    reveal = st.session_state.get(REVEAL_KEY)
    st.caption(t("teach_round_caption", language, seed=quiz.seed, n=len(quiz.cases)))
    if reveal is not None and quiz.last is not None:
        show_case(quiz.last, quiz.revealed, len(quiz.cases), language)
        show_reveal(quiz, reveal, bundle, language)
    elif quiz.finished:
        st.success(t("teach_done", language, seed=quiz.seed), icon=":material/school:")
    else:
        show_case(quiz.current, quiz.revealed + 1, len(quiz.cases), language)
        ask(quiz, bundle, language)
    show_scores(quiz, bundle, language)


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
