"""One Teach round on screen: the case, everyone's answer, the reveal (truth, the model's
summary, differential, prediction set and Grad-CAM) and the scores so far."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
from PIL import Image

from skinmm.bundle import Bundle
from skinmm.charts import differential_figure, heatmap_overlay
from skinmm.errors import explain
from skinmm.i18n import t
from skinmm.image.io import load_image
from skinmm.prediction import Prediction
from skinmm.teach import MODEL, REFER, QuizCase, QuizRound, is_right
from skinmm.teach_tables import answer_name, answerer_name, scores_shown
from views.conformal_view import show_prediction_set
from views.error_box import show_error
from views.result_view import show_summary

ROUND_KEY = "teach_round"
REVEAL_KEY = "teach_revealed_result"
PHOTO_WIDTH = 360
CAM_OPACITY = 0.45


@dataclass
class Reveal:
    """What the model said on the case revealed most recently."""

    prediction: Prediction
    cam: np.ndarray | None


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
            format_func=lambda code: answer_name(code, bundle.classes, language),
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


def show_truth(quiz: QuizRound, case: QuizCase, bundle: Bundle, language: str) -> None:
    truth = next(c for c in bundle.classes if c.code == case.label)
    with st.container(border=True, key="teach_truth"):
        st.caption(t("teach_truth", language))
        st.markdown(f"#### {truth.name(language)}")
        for name in [*quiz.participants, MODEL]:
            answer = quiz.given(name) or ""
            right = is_right(answer, case.label, bundle.classes)
            mark = t("teach_right" if right else "teach_wrong", language)
            label = answer_name(answer, bundle.classes, language)
            st.markdown(f"- {answerer_name(name, language)}: {label} — {mark}")


def show_reveal(quiz: QuizRound, reveal: Reveal, bundle: Bundle, language: str) -> None:
    case = quiz.last
    if case is None:
        return
    show_truth(quiz, case, bundle, language)
    pred = reveal.prediction
    left, right_column = st.columns([1, 1])
    with left:
        st.markdown(f"**{t('teach_cam', language)}**")
        if reveal.cam is None:
            st.caption(t("cam_failed", language))
        else:
            with Image.open(case.photo) as photo:
                overlay = heatmap_overlay(photo.convert("RGB"), reveal.cam, CAM_OPACITY)
            st.image(overlay, caption=pred.top.name(language), width=PHOTO_WIDTH)
    with right_column:
        if pred.scope is not None and not pred.scope.in_scope:
            st.warning(t("scope_outside_mark", language), icon=":material/warning:")
        show_summary(
            pred, language, bundle.not_covered, key="teach_top", note_truncated=pred.note_truncated
        )
        show_prediction_set(pred, language)
        st.plotly_chart(differential_figure(pred, language), key="teach_chart")
    label = "teach_next" if not quiz.finished else "teach_finish"
    if st.button(t(label, language), type="primary", key="teach_next"):
        st.session_state[REVEAL_KEY] = None
        st.rerun()


def show_scores(quiz: QuizRound, bundle: Bundle, language: str) -> None:
    if not quiz.revealed:
        return
    st.markdown(f"**{t('teach_scores', language)}**")
    shown = scores_shown(quiz, bundle.classes, language)
    st.dataframe(shown, hide_index=True, key="teach_score_table")
    st.caption(t("teach_scoring_rule", language))


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
