"""The one summary block (views/result_view.py) that Diagnose, History and Teach draw,
rendered through AppTest on a hand-made prediction."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from skinmm.markup import escape_markdown

TIMEOUT = 30


def summary_page(escape: bool, note_truncated: bool) -> None:
    import numpy as np

    from skinmm.prediction import Prediction
    from skinmm.taxonomy import LABEL_SPACES, DatasetClass
    from views.result_view import show_summary

    ham = LABEL_SPACES["ham10000"]
    # A class name that would be a link if drawn as Markdown.
    mel = next(c for c in ham if c.code == "mel")
    odd = DatasetClass("mel", "[Mel](http://x)", mel.name_zh, mel.covers)
    classes = tuple(odd if c.code == "mel" else c for c in ham)
    #                 akiec bcc   bkl  df    mel  nv    vasc
    proba = np.array([0.25, 0.19, 0.1, 0.05, 0.4, 0.01, 0.0])
    pred = Prediction(classes, proba, proba, None, ("image",) * 7, "image-only", "max")
    show_summary(pred, "en", ["scc"], key="test_top", note_truncated=note_truncated, escape=escape)


def run(escape: bool, note_truncated: bool = False) -> AppTest:
    at = AppTest.from_function(
        summary_page, kwargs={"escape": escape, "note_truncated": note_truncated}
    )
    at.run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_block_shows_top_class_confidence_mode_coverage_and_cautions() -> None:
    at = run(escape=False)
    markdown = [m.value for m in at.markdown]
    assert "#### [Mel](http://x)" in markdown
    assert at.metric[0].label == "Calibrated confidence" and at.metric[0].value == "40%"
    assert at.caption[0].value == "Most likely"
    assert at.caption[1].value.startswith("Mode: Image only · Fusion rule: ")
    assert any("Squamous cell carcinoma" in i.value for i in at.info)  # never learnt
    assert "**Cautions**" in markdown
    warnings = [w.value for w in at.warning]
    # The worrying classes by Prediction.worrying_classes(): akiec and mel, not bcc (< 0.2).
    malignancy = next(w for w in warnings if "notable probability" in w)
    assert "Actinic keratosis" in malignancy and "[Mel](http://x)" in malignancy
    assert "Basal cell" not in malignancy
    assert any("Image-only mode" in i.value for i in at.info)  # the mode caution is an info
    assert not any("Image-only mode" in w for w in warnings)


def test_names_read_from_the_case_store_are_escaped() -> None:
    at = run(escape=True)
    shown = escape_markdown("[Mel](http://x)")
    assert f"#### {shown}" in [m.value for m in at.markdown]
    malignancy = next(w.value for w in at.warning if "notable probability" in w.value)
    assert shown in malignancy and "](" not in malignancy


def test_a_cut_note_is_said_first() -> None:
    at = run(escape=False, note_truncated=True)
    assert "only its first" in at.warning[0].value
    assert not any("only its first" in w.value for w in run(escape=False).warning)
