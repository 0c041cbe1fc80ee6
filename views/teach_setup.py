"""Teach's setup form: where the cases come from, how many, the seed and who takes part;
starting replaces any round in progress."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from skinmm.bundle import Bundle
from skinmm.i18n import t
from skinmm.teach import (
    QuizCase,
    QuizRound,
    draw_round,
    gallery_pool,
    held_out_pool,
    parse_participants,
)
from views.error_box import show_error
from views.teach_round import REVEAL_KEY, ROUND_KEY

MAX_CASES = 30


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
