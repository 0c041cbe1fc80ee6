"""The note reader where users meet it (issue 16): predict JSON, CLI, Diagnose, History, PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from skinmm.bundle import load_bundle
from skinmm.casereport.report import build_case_report
from skinmm.cli import main as cli
from skinmm.db.repository import get_case, save_analysis
from skinmm.db.store import open_store
from skinmm.errors import UnreadableNote, explain
from skinmm.i18n import t
from skinmm.text.facts import read_note
from skinmm.text.facts_display import (
    BadValue,
    corrected_facts,
    fact_lines,
    model_note,
    parse_value,
    stored_reading,
)
from tests.test_app import bundle_dir, submit, texts
from tests.test_db_helpers import make_prediction, png_bytes
from tests.test_report_pdf import pdf_text

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90
NOTE = (
    "63 y/o M. Lesion on the back, 6 x 5 mm. Denies itching; grew over six months. "
    "Pearly rolled border. BCC suspected."
)
EMOJI = "😀😀 !!"


# --- Corrections, in words of either language ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "typed", "value"),
    [
        ("itch", "absent", "absent"),
        ("itch", "无", "absent"),
        ("bleed", "有", "present"),
        ("sex", "女", "female"),
        ("sex", "M", "male"),
        ("site", "背部", "back"),
        ("site", "lower extremity", "lower extremity"),
        ("age", "40", 40),
        ("diameter_mm", "6.5", 6.5),
        ("fitzpatrick", "III", 3),
        ("elevation", "flat", "absent"),
        ("age", "-", None),
    ],
)
def test_a_typed_correction_is_read_in_either_language(
    name: str, typed: str, value: object
) -> None:
    assert parse_value(name, typed) == value


@pytest.mark.parametrize(
    ("name", "typed"),
    [("itch", "sometimes"), ("age", "old"), ("fitzpatrick", "7"), ("site", "moon")],
)
def test_a_correction_that_is_no_value_is_refused(name: str, typed: str) -> None:
    with pytest.raises(BadValue):
        parse_value(name, typed)


def test_corrected_facts_override_and_the_model_note_is_rendered_from_them() -> None:
    reading = read_note("62 y/o F, denies itching, lesion on the back.")
    corrected = corrected_facts(reading.facts, {"itch": "present", "age": "-", "sex": ""})
    assert corrected == {"sex": "female", "site": "back", "itch": "present"}
    assert model_note(corrected, "en") == "Female. Lesion on the back. Reports itching."
    assert model_note(corrected, "zh") == "女。皮损位于背部。自诉瘙痒。"
    lines = fact_lines(stored_reading(reading.to_dict(), corrected, None), "en")
    assert "Itching: present — corrected by you" in lines
    assert "Site: back — from “back”" in lines


# --- predict ---------------------------------------------------------------------------------


def test_predict_json_carries_note_facts(tiny_bundle: Path) -> None:
    bundle = load_bundle(tiny_bundle)
    prediction = bundle.predict(png_bytes(), NOTE)
    facts = prediction.to_dict()["note_facts"]
    assert facts["facts"]["age"] == 63 and facts["facts"]["itch"] == "absent"
    assert facts["evidence"]["itch"] == "Denies itching"
    assert facts["impression"] == "BCC suspected."
    assert bundle.predict(png_bytes(), None).to_dict()["note_facts"] is None


def test_an_unreadable_note_is_treated_as_no_note(tiny_bundle: Path) -> None:
    bundle = load_bundle(tiny_bundle)
    with_emoji = bundle.predict(png_bytes(), EMOJI)
    alone = bundle.predict(png_bytes(), None)
    assert with_emoji.mode == "image-only" and with_emoji.text is None
    assert (with_emoji.fused == alone.fused).all()
    assert "note_unreadable" in with_emoji.cautions()
    with pytest.raises(UnreadableNote) as caught:
        bundle.predict(None, EMOJI)
    assert explain(caught.value).key == "err_note_unreadable"


# --- CLI -------------------------------------------------------------------------------------


def test_cli_read_note_prints_the_interface_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["read-note", "女，62岁。否认瘙痒。皮损位于面部。"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["language"] == "zh"
    assert out["facts"] == {"age": 62, "sex": "female", "site": "face", "itch": "absent"}
    assert out["evidence"]["itch"] == "否认瘙痒"
    assert set(out) >= {"language", "facts", "evidence", "unused"}


def test_cli_read_note_evaluates_a_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        json.dumps({"id": "1", "lang": "en", "note": "No itching.", "facts": {"itch": "absent"}})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "figures.json"
    assert cli(["read-note", "--evaluate", str(notes), "--out", str(out), "--n-boot", "5"]) == 0
    figures = json.loads(out.read_text())["sets"]["notes"]["per_fact"]["itch"]
    assert (figures["precision"], figures["recall"]) == (1.0, 1.0)
    assert "notes: 1/1 notes read exactly" in capsys.readouterr().out


def test_cli_read_note_without_text_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["read-note"]) == 2
    assert "Give the note" in capsys.readouterr().err


# --- PDF -------------------------------------------------------------------------------------


def test_the_pdf_lists_what_was_read_and_the_impression(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'cases.db'}", tmp_path / "home")
    reading = read_note(NOTE)
    case_id = save_analysis(
        store,
        prediction=make_prediction(image=4, text=1),
        bundle_name="tiny",
        bundle_sha="a" * 64,
        note=NOTE,
        impression=reading.impression,
        note_reading=stored_reading(reading.to_dict(), None, None),
    )
    text = pdf_text(build_case_report(store, case_id))
    assert "Read from the note:" in text
    assert "Itching: absent" in text and "Denies itching" in text
    assert "Not used by the model: Pearly rolled border" in text
    assert "BCC suspected." in text


# --- Pages -----------------------------------------------------------------------------------


@pytest.fixture
def app(tiny_bundle: object, app_home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SKINMM_BUNDLE", str(bundle_dir(tiny_bundle)))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def typed(at: AppTest, note: str) -> AppTest:
    at.run()
    at.text_area(key="diagnose_note").input(note)
    return at.run()


def shown_text(at: AppTest) -> str:
    return "\n".join(texts(at.text))


def test_diagnose_shows_each_fact_with_its_words_before_analysing(app: AppTest) -> None:
    at = typed(app, NOTE)
    assert not at.exception
    assert "Read from the note:" in [m.value.strip("*") for m in at.markdown]
    words = shown_text(at)
    assert "Age: 63 years — from “63 y/o”" in words
    assert "Itching: absent — from “Denies itching”" in words
    assert "Pearly rolled border" in words and "Not used by the model:" in texts(at.caption)
    assert (
        "Clinical impression (saved with the case, never given to the model): BCC suspected."
        in words
    )


def test_a_corrected_fact_rewrites_the_note_the_model_reads_and_is_saved(app: AppTest) -> None:
    at = typed(app, NOTE)
    at.session_state["diagnose_facts_0_en"] = {
        "edited_rows": {0: {t("nf_col_correction", "en"): "40"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = at.button(key="diagnose_analyse").click().run()
    assert not at.exception and not at.error
    assert any("rewritten from the corrected facts" in i for i in texts(at.info))
    # The largest diameter is the fact: the renderer writes it alone.
    rewritten = "Male, 40 years. Lesion on the back, 6 mm. Reports growth. Denies itching."
    assert rewritten in shown_text(at)
    status, case_id = at.session_state["diagnose_saved_case"]
    assert status == "saved"
    case = get_case(open_store(), case_id)
    assert case.note == NOTE  # the clinician's words are kept
    assert case.note_reading["corrected_facts"]["age"] == 40
    assert case.note_reading["model_note"] == rewritten
    assert case.impression == "BCC suspected."


def test_a_correction_that_cannot_be_read_stops_the_analysis(app: AppTest) -> None:
    at = typed(app, NOTE)
    at.session_state["diagnose_facts_0_en"] = {
        "edited_rows": {5: {t("nf_col_correction", "en"): "sometimes"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = at.button(key="diagnose_analyse").click().run()
    errors = texts(at.error)
    assert (
        "“sometimes” is not a value for Itching. Use present or absent, or “-” to remove it."
        in errors
    )
    assert t("nf_fix_first", "en") in errors
    assert not at.get("plotly_chart")


def test_an_unreadable_note_is_said_on_the_page(app: AppTest) -> None:
    at = typed(app, EMOJI)
    assert t("nf_unreadable", "en") in texts(at.info)
    at = submit(at, png_bytes(), EMOJI)
    assert not at.exception and not at.error
    assert t("caution_note_unreadable", "en") in texts(at.warning)
    alone = submit(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT), None, EMOJI)
    assert texts(alone.error)[0] == t("err_note_unreadable", "en")


def test_the_reading_is_in_chinese_when_the_page_is(app: AppTest) -> None:
    app.run()
    app.radio(key="lang_switch").set_value("zh").run()
    at = typed(app, "女，62岁。否认瘙痒。皮损位于面部。考虑基底细胞癌。")
    assert "从病历中读取：" in [m.value.strip("*") for m in at.markdown]
    words = shown_text(at)
    assert "年龄：62岁 — 来自“62岁”" in words and "瘙痒：无 — 来自“否认瘙痒”" in words
    assert "临床印象（随病例保存，不输入模型）：考虑基底细胞癌。" in words


def test_history_shows_what_was_read_from_a_saved_note(
    app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_BUNDLE", str(tmp_path / "no-bundle"))
    reading = read_note(NOTE)
    case_id = save_analysis(
        open_store(home=tmp_path / "home"),
        prediction=make_prediction(image=4, text=1),
        bundle_name="tiny",
        bundle_sha="b" * 64,
        note=NOTE,
        impression=reading.impression,
        note_reading=stored_reading(reading.to_dict(), None, None),
    )
    at = AppTest.from_file(str(ROOT / "views" / "history.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key="history_case").select(case_id).run()
    assert not at.exception
    words = shown_text(at)
    assert "Itching: absent — from “Denies itching”" in words
    assert "BCC suspected." in words
