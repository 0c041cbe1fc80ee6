"""What Diagnose keeps between reruns: the inputs of an analysis, its result, and the session
keys that hold them. One patient per analysis: "New case" clears all of it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st
from PIL import Image

from skinmm.prediction import Prediction
from views.note_facts_view import NoteEdit

RESULT_KEY = "diagnose_result"
SAVED_KEY = "diagnose_saved_case"
SHOWN_KEY = "diagnose_shown_anyway_case"  # the saved case already marked "shown anyway"
# Bumped by "New case": a file_uploader cannot be cleared through session_state, but a
# widget under a new key starts empty.
GENERATION_KEY = "diagnose_generation"
NOTE_KEY, PATIENT_KEY = "diagnose_note", "diagnose_patient"


@dataclass(frozen=True)
class Inputs:
    """What one analysis is of: the exact bytes, note and reference, never widgets' values."""

    photo: bytes | None
    photo_name: str | None
    note: str
    patient_ref: str


def changed(analysed: Inputs, now: Inputs) -> bool:
    """Whether the form now holds other inputs than ``analysed`` (the file's name aside).

    Field by field, not ``!=``: a result kept in the session may come from before Streamlit
    reloaded this module, and dataclass equality between two versions of a class says no.
    """
    return (analysed.photo, analysed.note, analysed.patient_ref) != (
        now.photo,
        now.note,
        now.patient_ref,
    )


@dataclass
class Result:
    prediction: Prediction
    image: Image.Image | None = None
    cams: list[tuple[int, np.ndarray]] = field(default_factory=list)
    cam_failed: bool = False
    note_truncated: bool = False
    inputs: Inputs | None = None
    note_edit: NoteEdit | None = None


def generation() -> int:
    """How many times "New case" was pressed: part of every input widget's key."""
    return int(st.session_state.get(GENERATION_KEY, 0))


def start_new_case() -> None:
    """Clear every input and the shown result (an on_click callback: runs before the widgets)."""
    st.session_state[GENERATION_KEY] = generation() + 1
    st.session_state[NOTE_KEY] = st.session_state[PATIENT_KEY] = ""
    st.session_state[RESULT_KEY] = st.session_state[SAVED_KEY] = None


def read_inputs(upload: object, note: str | None, patient_ref: str | None) -> Inputs:
    """The form's current values, as they would be analysed."""
    photo = None if upload is None else upload.getvalue()  # type: ignore[attr-defined]
    name = None if upload is None else str(upload.name)  # type: ignore[attr-defined]
    return Inputs(photo, name, (note or "").strip(), (patient_ref or "").strip())
