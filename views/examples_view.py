"""Diagnose's "Try an example": a real case from the bundle's gallery, loaded in one click.

The example's photo stands in for an upload (an upload still wins) and its note fills the
note box; its true diagnosis is shown only beside a result of that very photo, so the user
commits to nothing before the model has spoken. The example belongs to one case: "New case"
(which bumps the form's generation) forgets it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from skinmm.gallery import Example, gallery_folder, load_gallery
from skinmm.i18n import t
from skinmm.prediction import Prediction

EXAMPLE_KEY = "diagnose_example"
NEXT_KEY = "diagnose_example_next"
PREVIEW_WIDTH = 160
PICKS = ("median", "highest", "lowest")
InputsT = TypeVar("InputsT")


@st.cache_data(show_spinner=False, max_entries=4)
def gallery(bundle_dir: str, codes: tuple[str, ...], stamp: float) -> list[Example]:
    """The gallery, the typical (median) case of every class first, then the easiest, then the
    hardest: a first click gives a typical case (the easiest ones are often far from the
    training photos, and the scope gate withholds their differential until asked).

    ``stamp`` (the index's mtime) is part of the key, so a remade gallery is picked up.
    """
    examples = load_gallery(Path(bundle_dir), list(codes))
    rank = {pick: k for k, pick in enumerate(PICKS)}
    return sorted(examples, key=lambda e: (rank.get(e.pick, len(PICKS)), codes.index(e.label)))


def bundle_gallery(bundle: Any) -> list[Example]:
    index = gallery_folder(bundle.path) / "examples.json"
    stamp = index.stat().st_mtime if index.is_file() else 0.0
    return gallery(str(bundle.path), tuple(bundle.codes), stamp)


def example_button(
    container: Any,
    bundle: Any,
    language: str,
    start_new_case: Callable[[], None],
    note_key: str,
    generation_key: str,
) -> None:
    """The "Try an example" button; nothing for a bundle that ships no examples."""
    examples = bundle_gallery(bundle)
    if not examples:
        return

    def load_next() -> None:
        start_new_case()
        position = st.session_state.get(NEXT_KEY, 0) % len(examples)
        st.session_state[NEXT_KEY] = position + 1
        example = examples[position]
        st.session_state[note_key] = example.note(language)
        st.session_state[EXAMPLE_KEY] = (st.session_state[generation_key], example.case_id)

    container.button(
        t("try_example", language),
        icon=":material/photo_library:",
        help=t("try_example_help", language),
        key="diagnose_try_example",
        on_click=load_next,
    )


def loaded_example(bundle: Any, generation: int) -> Example | None:
    """The example loaded into this case's form, if any."""
    held = st.session_state.get(EXAMPLE_KEY)
    if not held or held[0] != generation:
        return None
    return next((e for e in bundle_gallery(bundle) if e.case_id == held[1]), None)


def example_photo(bundle: Any, example: Example) -> bytes:
    return example.photo_path(gallery_folder(bundle.path)).read_bytes()


def with_example(
    inputs: InputsT, bundle: Any, generation: int, has_upload: bool, column: Any, language: str
) -> InputsT:
    """``inputs`` with the loaded example's photo where nothing was uploaded; shows it."""
    example = loaded_example(bundle, generation)
    if example is None or has_upload:
        return inputs
    column.image(example_photo(bundle, example), width=PREVIEW_WIDTH)
    column.caption(t("example_loaded", language, case=example.case_id))
    return replace(inputs, photo=example_photo(bundle, example), photo_name=example.image)  # type: ignore[type-var]


def show_example_truth(
    bundle: Any, photo: bytes | None, prediction: Prediction, language: str
) -> None:
    """The true diagnosis, when the shown result is of a gallery photo (after the analysis)."""
    if photo is None:
        return
    example = next((e for e in bundle_gallery(bundle) if example_photo(bundle, e) == photo), None)
    if example is None:
        return
    truth = next(c for c in bundle.classes if c.code == example.label)
    right = prediction.top.code == example.label
    with st.container(border=True, key="diagnose_example_truth"):
        st.markdown(f"**{t('example_truth_title', language)}**")
        st.markdown(f"#### {truth.name(language)}")
        verdict = t("example_model_right" if right else "example_model_wrong", language)
        st.caption(
            t("example_truth_detail", language, top=prediction.top.name(language), verdict=verdict)
        )
        st.caption(pick_text(example.pick, language))
        st.caption(t("example_licence", language))


def pick_text(pick: str, language: str) -> str:
    """Why the gallery holds this case (the rule in skinmm.gallery)."""
    if pick in PICKS:
        return t(f"example_pick_{pick}", language)
    return t("example_pick_other", language, rank=pick)
