"""The History page through Streamlit's AppTest: empty, broken, browsing, feedback, CAMs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from skinmm.db.repository import add_feedback, get_case, save_analysis
from skinmm.db.store import Store, open_store, shared_store
from tests.test_db_helpers import (
    case_from_bundle,
    make_prediction,
    one_hot_ish,
    save_case,
)

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "views" / "history.py")
TIMEOUT = 90
SHA = "b" * 64


@pytest.fixture(autouse=True)
def _fresh(app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKINMM_BUNDLE", str(tmp_path / "no-bundle"))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(home=tmp_path / "home")


@pytest.fixture
def cases(store: Store) -> dict[str, str]:
    note = "Pigmented lesion on the back, grew and bled."
    mel = save_case(store, photo=1, note=note, patient_ref="P-1")
    nv_text = one_hot_ish(0, 7, 0.5)
    nv = save_case(store, image=5, text=nv_text, note="Small brown macule.", patient_ref="P-2")
    add_feedback(store, mel, pathology="mel")
    return {"mel": mel, "nv": nv}


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=TIMEOUT)


def texts(elements: object) -> list[str]:
    return [str(e.value) for e in elements]  # type: ignore[attr-defined]


def kinds(at: AppTest) -> list[str]:
    return [type(e).__name__ for e in at.main]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def open_case(case_id: str) -> AppTest:
    at = page().run()
    at.selectbox(key="history_case").select(case_id).run()
    assert_clean(at)
    return at


def test_an_empty_database_says_where_cases_come_from(tmp_path: Path) -> None:
    at = page().run()
    assert_clean(at)
    assert any("No cases yet" in i for i in texts(at.info))
    assert (tmp_path / "home" / "skinmm.db").is_file()


def test_an_unreachable_database_is_an_error_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nurse:secret@127.0.0.1:1/cases")
    at = page().run()
    assert_clean(at)
    assert len(at.error) == 1
    assert "cannot be used" in at.error[0].value and "secret" not in at.error[0].value
    assert any("DATABASE_URL" in i for i in texts(at.info))


def test_the_list_shows_every_case_and_filters_narrow_it(cases: dict[str, str]) -> None:
    at = page().run()
    assert_clean(at)
    assert "2 of 2 matching cases shown" in texts(at.caption)
    table = at.dataframe[0].value
    assert list(table["Patient ref."]) == ["P-2", "P-1"]
    assert list(table["Confirmed"]) == ["—", "Melanoma"]
    at.text_input(key="history_search").input("brown").run()
    assert "1 of 1 matching cases shown" in texts(at.caption)
    at.text_input(key="history_search").input("").run()
    at.selectbox(key="history_confirmed").select("mel").run()
    assert list(at.dataframe[0].value["Patient ref."]) == ["P-1"]
    at.selectbox(key="history_confirmed").select(None).run()
    at.selectbox(key="history_agreement").select("disagree").run()
    assert list(at.dataframe[0].value["Patient ref."]) == ["P-2"]
    at.selectbox(key="history_predicted").select("mel").run()
    assert any("No case matches" in i for i in texts(at.info))
    assert_clean(at)


def test_opening_a_case_shows_photo_note_differential_and_report(cases: dict[str, str]) -> None:
    at = open_case(cases["mel"])
    # The summary block Diagnose draws too: the top class as a heading, then the confidence.
    assert "Most likely" in texts(at.caption) and "#### Melanoma" in texts(at.markdown)
    assert at.metric[0].label == "Calibrated confidence"
    assert "Image" in kinds(at)
    assert "Pigmented lesion on the back, grew and bled." in texts(at.text)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {trace["name"] for trace in spec["data"]} >= {"Fused", "Image", "Note"}
    # No bundle here: the case stands, Grad-CAM says why it is missing.
    assert any("Grad-CAM needs the model bundle" in c for c in texts(at.caption))
    assert len(at.get("download_button")) == 1
    feedback = at.dataframe[-1].value
    assert list(feedback["Pathology"]) == ["Melanoma"]


def test_a_case_link_opens_it(cases: dict[str, str]) -> None:
    at = page()
    at.query_params["case"] = cases["nv"]
    at.run()
    assert_clean(at)
    assert at.selectbox(key="history_case").value == cases["nv"]
    assert "No photo was given." in texts(at.caption)


def test_feedback_is_saved_and_shown(cases: dict[str, str], store: Store) -> None:
    at = open_case(cases["nv"])
    assert "No feedback yet." in texts(at.caption)
    at.selectbox(key="history_fb_pathology").select("nv")
    at.selectbox(key="history_fb_diagnosis").select("mel")
    at.text_area(key="history_fb_comment").input("excised; benign")
    at.button(key="history_fb_save").click().run()
    assert_clean(at)
    assert "Feedback saved." in texts(at.success)
    table = at.dataframe[-1].value
    assert list(table["Pathology"]) == ["Melanocytic nevus"]
    saved = get_case(store, cases["nv"]).feedback
    assert [(f.diagnosis, f.pathology, f.comment) for f in saved] == [
        ("mel", "nv", "excised; benign")
    ]


def test_empty_feedback_is_refused_with_a_message(cases: dict[str, str], store: Store) -> None:
    at = open_case(cases["nv"])
    at.button(key="history_fb_save").click().run()
    assert_clean(at)
    assert any("Feedback not saved" in e for e in texts(at.error))
    assert any("Give a diagnosis" in c for c in texts(at.code))
    assert get_case(store, cases["nv"]).feedback == []


def test_live_performance_shows_the_metrics_of_confirmed_cases(cases: dict[str, str]) -> None:
    at = page().run()
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert labels == ["Weighted F1 — Fused", "Weighted F1 — Image", "Weighted F1 — Note"]
    assert at.metric[0].value == "1.000"
    assert any("Cases with a pathology result: 1" in c for c in texts(at.caption))
    assert any("Fewer than 30 cases" in w for w in texts(at.warning))
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(trace["type"] == "heatmap" for c in charts for trace in c["data"])


def test_the_page_speaks_chinese(cases: dict[str, str]) -> None:
    at = page()
    at.session_state["lang"] = "zh"
    at.run()
    assert_clean(at)
    assert at.title[0].value == "病例记录"
    assert "共 2 个符合条件的病例，显示 2 个" in texts(at.caption)


def test_grad_cam_is_recomputed_with_the_bundle_that_made_the_case(
    tiny_bundle: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle_dir = Path(tiny_bundle)
    _, _, case_id = case_from_bundle(store, bundle_dir, "Male, 63 years. Lesion on the back.")
    monkeypatch.setenv("SKINMM_BUNDLE", str(bundle_dir))
    at = open_case(case_id)
    assert "Where the image branch looked (Grad-CAM)" in " ".join(texts(at.markdown))
    assert kinds(at).count("Image") == 1 + 3  # the photo and three overlays
    assert len(at.get("download_button")) == 1


def test_a_database_lost_after_opening_is_an_error_not_a_traceback(
    cases: dict[str, str], tmp_path: Path
) -> None:
    at = page().run()
    assert_clean(at)
    shared_store().dispose()
    for leftover in (tmp_path / "home").glob("skinmm.db*"):
        leftover.unlink()
    at.run()
    assert_clean(at)
    assert any("cannot be used" in e for e in texts(at.error))


# --- Content the page must survive and must not render --------------------------------------

MARKDOWN_KINDS = (
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
    "title",
    "subheader",
)
CRAFTED_REF = "![x](http://127.0.0.1:9/x.png) **bold**"


def rendered_as_markdown(at: AppTest) -> list[str]:
    """The source text of every element Streamlit renders as Markdown."""
    return [str(e.value) for kind in MARKDOWN_KINDS for e in getattr(at, kind)]


def frame_with(at: AppTest, column: str) -> object:
    """The (last) table on the page that has ``column``."""
    return [d.value for d in at.dataframe if column in d.value.columns][-1]


def spoil(store: Store, case_id: str, column: str, value: str) -> None:
    """Write a prediction value straight into the database, as a hand edit would."""
    with store.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE predictions SET {column} = :value WHERE case_id = :case"),
            {"value": value, "case": case_id},
        )


def test_a_bad_row_in_the_database_is_marked_and_the_other_cases_still_show(
    cases: dict[str, str], store: Store
) -> None:
    third = save_analysis(
        store,
        prediction=make_prediction(image=1),
        bundle_name="tiny",
        bundle_sha=SHA,
        note="third",
        patient_ref="P-3",
    )
    spoil(store, cases["mel"], "classes", "42")  # valid JSON, wrong shape
    spoil(store, third, "fused", "{not json")  # SQLite keeps whatever text it is given
    at = page().run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert list(table["Patient ref."]) == ["P-3", "P-2", "P-1"]
    assert list(table["Predicted"]) == [
        "unreadable (open for details)",
        "Melanocytic nevus",
        "unreadable (open for details)",
    ]
    assert any("cannot be read" in w for w in texts(at.warning))  # live performance
    at.selectbox(key="history_case").select(cases["mel"]).run()
    assert_clean(at)
    assert any("stored prediction of this case cannot be read" in w for w in texts(at.warning))
    assert "Pigmented lesion on the back, grew and bled." in texts(at.text)
    assert list(frame_with(at, "Pathology")["Pathology"]) == ["Melanoma"]
    at.selectbox(key="history_case").select(third).run()
    assert_clean(at)
    assert any("cannot be read from the database" in e for e in texts(at.error))
    at.selectbox(key="history_case").select(cases["nv"]).run()
    assert_clean(at)
    assert "#### Melanocytic nevus" in texts(at.markdown)


def test_a_patient_reference_is_shown_as_typed_never_as_markdown(store: Store) -> None:
    case_id = save_analysis(
        store,
        prediction=make_prediction(image=4),
        bundle_name="![b](http://127.0.0.1:9/b.png)",
        bundle_sha=SHA,
        note=CRAFTED_REF,
        patient_ref=CRAFTED_REF,
    )
    at = page()
    at.query_params["case"] = case_id
    at.run()
    assert_clean(at)
    assert CRAFTED_REF in list(at.dataframe[0].value["Patient ref."])
    assert CRAFTED_REF in texts(at.text)  # the note
    shown = rendered_as_markdown(at)
    assert not [s for s in shown if "](" in s or "**bold" in s], shown
    meta = next(c for c in texts(at.caption) if c.startswith("Saved "))
    html = MarkdownIt("commonmark").renderInline(meta)
    assert "<img" not in html and "<strong>" not in html
    assert "patient ![x](http://127.0.0.1:9/x.png) **bold**" in html
    assert "model ![b](http://127.0.0.1:9/b.png)" in html


def test_a_crafted_case_link_is_refused_and_shown_as_text(cases: dict[str, str]) -> None:
    at = page()
    at.query_params["case"] = CRAFTED_REF
    at.run()
    assert_clean(at)
    assert any("The link's case id is not valid" in e for e in texts(at.error))
    assert CRAFTED_REF in texts(at.text)
    assert not [s for s in rendered_as_markdown(at) if "](" in s or "**bold" in s]
    assert at.selectbox(key="history_case").value is None
    unknown = "abcdef" if not cases["mel"].startswith("abcdef") else "fedcba"
    at = page()  # a new visit: the open-case box keeps its choice within a session
    at.query_params["case"] = unknown
    at.run()
    assert_clean(at)
    assert any("No saved case has this id" in e for e in texts(at.error))
    assert unknown in texts(at.text)


def test_search_takes_percent_and_underscore_literally(cases: dict[str, str]) -> None:
    at = page().run()
    for typed in ("%", "_"):
        at.text_input(key="history_search").input(typed).run()
        assert any("No case matches" in i for i in texts(at.info)), typed
    at.text_input(key="history_search").input("P-").run()
    assert "2 of 2 matching cases shown" in texts(at.caption)


def test_feedback_outside_the_classes_is_recorded_and_counted_as_out_of_scope(
    cases: dict[str, str], store: Store
) -> None:
    at = open_case(cases["nv"])
    options = at.selectbox(key="history_fb_pathology").options
    assert "Seborrheic keratosis" in options and "Squamous cell carcinoma" in options
    assert "Other (name it in words)" in options
    assert options.count("Melanocytic nevus") == 1  # taxonomy "nev" is HAM's nv: not repeated
    at.selectbox(key="history_fb_pathology").select("other")
    at.button(key="history_fb_save").click().run()
    assert any("in words" in c for c in texts(at.code))
    at.selectbox(key="history_fb_pathology").select("other")
    at.text_input(key="history_fb_pathology_other").input("Lichen planus")
    at.button(key="history_fb_save").click().run()
    assert_clean(at)
    assert list(frame_with(at, "Pathology")["Pathology"]) == ["Other: Lichen planus"]
    saved = get_case(store, cases["nv"]).feedback
    assert [(f.pathology, f.pathology_other) for f in saved] == [("other", "Lichen planus")]
    third = save_analysis(
        store, prediction=make_prediction(image=2), bundle_name="tiny", bundle_sha=SHA
    )
    add_feedback(store, third, pathology="sk")  # covered by bkl: counts as bkl
    at = page().run()
    assert_clean(at)
    assert any("Cases with a pathology result: 2" in c for c in texts(at.caption))
    assert any("1 confirmed case(s) have a pathology result outside" in i for i in texts(at.info))
    listed = frame_with(at, "Pathology (out of scope)")
    assert list(listed["Pathology (out of scope)"]) == ["Other: Lichen planus"]
    assert list(listed["Predicted"]) == ["Melanocytic nevus"]
    at.session_state["lang"] = "zh"
    at.run()
    assert_clean(at)
    assert any("不在该模型的类别中" in i for i in texts(at.info))
    assert list(frame_with(at, "病理（超出范围）")["病理（超出范围）"]) == ["其他：Lichen planus"]
