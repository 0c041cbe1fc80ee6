"""A note cut to the text branch's length is flagged in the prediction, not warned about.

The Diagnose page used to catch the warning with ``warnings.catch_warnings``, which swaps the
process-wide filters under every other session's feet; the flag travels with the result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from skinmm.bundle import load_bundle
from tests.conftest import synthetic_image
from tests.test_app import TIMEOUT, submit, texts
from tests.test_db_helpers import png_bytes

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "Male, 55 years. Pigmented lesion on the back. "


def long_note(limit: int) -> str:
    return SENTENCE * (limit // len(SENTENCE) + 5)


def test_predict_flags_a_truncated_note_and_only_then(tiny_bundle: Path) -> None:
    bundle = load_bundle(tiny_bundle)
    limit = bundle.text.hyperparams["max_chars"]
    cut = bundle.predict(note=long_note(limit))
    assert cut.note_truncated and cut.to_dict()["note_truncated"] is True
    whole = bundle.predict(note=SENTENCE * (limit // len(SENTENCE) - 1))
    assert not whole.note_truncated and whole.to_dict()["note_truncated"] is False
    photo = synthetic_image(np.random.default_rng(0), 1)
    assert not bundle.predict(image=photo).note_truncated


def test_diagnose_shows_the_truncation_from_the_prediction(
    tiny_bundle: Path, app_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_BUNDLE", str(tiny_bundle))
    limit = load_bundle(tiny_bundle).text.hyperparams["max_chars"]
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at = submit(app, png_bytes(), long_note(limit))
    assert not at.exception and not at.error
    assert any("only its first" in w for w in texts(at.warning))
    at = submit(app, png_bytes(), SENTENCE)
    assert not any("only its first" in w for w in texts(at.warning))
