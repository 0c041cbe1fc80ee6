"""Quiz rounds (skinmm.teach) and the Teach page, driven through a whole round."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from skinmm.bundle import read_card
from skinmm.gallery import load_gallery
from skinmm.taxonomy import class_from_dict
from skinmm.teach import (
    MODEL,
    REFER,
    QuizCase,
    QuizRound,
    draw_round,
    held_out_pool,
    is_right,
    parse_participants,
    score_table,
)
from tests.test_gallery import failures, make_gallery, texts

# Every test starts the app afresh (conftest.app_home).
pytestmark = pytest.mark.usefixtures("app_home")

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
CLASSES = [class_from_dict(c) for c in read_card(ROOT / "models" / "default")["classes"]]


def case(case_id: str, label: str) -> QuizCase:
    return QuizCase(case_id, label, Path(f"{case_id}.jpg"), "Male, 50 years.")


POOL = [case(f"c{i:02d}", ["mel", "nv", "bcc"][i % 3]) for i in range(12)]


# --- The library ----------------------------------------------------------------------------


def test_a_seed_replays_the_same_round_and_another_seed_draws_another() -> None:
    first = draw_round(POOL, 5, seed=7)
    assert first == draw_round(list(reversed(POOL)), 5, seed=7)  # pool order does not matter
    assert len({c.case_id for c in first}) == 5
    assert first != draw_round(POOL, 5, seed=8)
    assert len(draw_round(POOL, 50, seed=0)) == len(POOL)  # all of a smaller pool
    with pytest.raises(ValueError):
        draw_round(POOL, 0, seed=0)


def test_refer_is_right_for_malignant_and_premalignant_classes_only() -> None:
    assert is_right(REFER, "mel", CLASSES) and is_right(REFER, "akiec", CLASSES)
    assert not is_right(REFER, "nv", CLASSES)
    assert is_right("nv", "nv", CLASSES) and not is_right("bkl", "nv", CLASSES)


def test_score_table_counts_by_hand() -> None:
    labels = ["mel", "nv", "mel", "bcc"]
    answers = {"Ada": ["mel", "mel", REFER, "nv"], MODEL: ["nv", "nv", "mel", "bcc"]}
    table = score_table(labels, answers, CLASSES).set_index("class")
    assert table.loc["mel"].tolist() == [2, 2, 1]
    assert table.loc["nv"].tolist() == [1, 0, 1]
    assert table.loc["bcc"].tolist() == [1, 0, 1]
    assert table.loc["all"].tolist() == [4, 2, 3]
    assert "akiec" not in table.index  # classes not shown yet have no row


def test_participants_are_parsed_and_bad_lists_refused() -> None:
    assert parse_participants(" Ada, Bo ，李雷 ") == ["Ada", "Bo", "李雷"]
    for bad, reason in (("", "no_participants"), ("a, A", "duplicate_participants")):
        with pytest.raises(ValueError, match=reason):
            parse_participants(bad)
    with pytest.raises(ValueError, match="too_many"):
        parse_participants(",".join(f"p{i}" for i in range(13)))


def test_a_round_needs_every_answer_and_stops_at_the_end() -> None:
    quiz = QuizRound(1, draw_round(POOL, 2, 1), ["Ada", "Bo"])
    with pytest.raises(ValueError, match="Bo"):
        quiz.commit({"Ada": "mel", "Bo": None}, "nv")
    assert quiz.revealed == 0
    quiz.commit({"Ada": "mel", "Bo": REFER}, "nv")
    quiz.commit({"Ada": "nv", "Bo": "nv"}, "nv")
    assert quiz.finished and quiz.given("Bo") == "nv"
    with pytest.raises(ValueError, match="over"):
        quiz.commit({"Ada": "mel", "Bo": "mel"}, "nv")
    assert quiz.scores(CLASSES).set_index("class").loc["all", "cases"] == 2


def test_the_held_out_pool_holds_only_cases_whose_photo_is_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_DATA", str(tmp_path))
    (tmp_path / "a.jpg").write_bytes(b"x")
    report = tmp_path / "report"
    report.mkdir()
    (report / "predictions.csv").write_text(
        "case_id,label,image_path,note,fused_nv\n"
        'A,nv,a.jpg,"Male, 50 years.",0.9\n'
        "B,nv,b.jpg,,0.9\n"
        "C,zz,a.jpg,,0.9\n",
        encoding="utf-8",
    )
    pool = held_out_pool(report, ["nv", "mel"])
    assert [(c.case_id, c.photo, c.note_en) for c in pool] == [
        ("A", tmp_path / "a.jpg", "Male, 50 years.")
    ]


# --- The page -------------------------------------------------------------------------------


@pytest.fixture
def gallery_bundle(tiny_bundle: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny bundle with its example gallery."""
    copy = tmp_path / "bundle"
    shutil.copytree(Path(getattr(tiny_bundle, "path", tiny_bundle)), copy)
    make_gallery(copy)
    monkeypatch.setenv("SKINMM_BUNDLE", str(copy))
    return copy


def open_teach(language: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    if language != "en":
        at.radio(key="lang_switch").set_value(language).run()
    return at.switch_page("views/teach.py").run()


def start(at: AppTest, n: int, seed: int, names: str) -> AppTest:
    gallery = at.radio(key="teach_source").options[0]
    at.radio(key="teach_source").set_value(gallery)
    at.number_input(key="teach_n").set_value(n)
    at.number_input(key="teach_seed").set_value(seed)
    at.text_input(key="teach_names").input(names)
    return at.form_submit_button[0].click().run()


def shown_case_ids(at: AppTest, gallery: Path) -> str:
    """The case on screen, known by its note (the page never names the case)."""
    notes = texts(at.text)
    return next(e.case_id for e in load_gallery(gallery) if e.note_en in notes)


def test_a_whole_quiz_round_from_the_gallery_alone(gallery_bundle: Path) -> None:
    at = open_teach()
    assert not at.exception
    assert at.title[0].value == "Teach"
    assert "example gallery" in at.radio(key="teach_source").options[0]
    at = start(at, 3, 4, "Ada, Bo")
    assert at.subheader[0].value == "Case 1 of 3"
    seen = []
    for number in range(1, 4):
        seen.append(shown_case_ids(at, gallery_bundle))
        at = at.button(key="teach_reveal").click().run()  # no answers yet: refused
        assert "Every participant commits a diagnosis before the reveal." in texts(at.warning)
        at.selectbox[0].set_value("mel")
        at.selectbox[1].set_value(REFER)
        at = at.button(key="teach_reveal").click().run()
        assert not at.exception and not failures(at)
        assert any(m.startswith("#### ") for m in texts(at.markdown))  # the truth
        assert any(m.startswith("- Model: ") for m in texts(at.markdown))
        assert at.get("plotly_chart")  # the model's differential
        assert len(at.get("image")) == 2  # the case's photo, then its Grad-CAM
        table = at.dataframe[0].value
        assert table.iloc[-1]["Cases"] == number
        at = at.button(key="teach_next").click().run()
    assert "Round complete" in texts(at.success)[0]
    labels = {e.case_id: e.label for e in load_gallery(gallery_bundle)}
    codes = [c["code"] for c in read_card(gallery_bundle)["classes"]]
    classes = [class_from_dict(c) for c in read_card(gallery_bundle)["classes"]]
    final = at.dataframe[0].value.iloc[-1]
    assert final["Ada"] == f"{sum(labels[c] == 'mel' for c in seen)} / 3"
    refer_right = sum(is_right(REFER, labels[c], classes) for c in seen)
    assert final["Bo"] == f"{refer_right} / 3"
    assert set(labels.values()) <= set(codes)

    # The same seed replays the same cases in the same order.
    replay = start(open_teach(), 3, 4, "Ada")
    assert shown_case_ids(replay, gallery_bundle) == seen[0]


def test_the_teach_page_speaks_chinese(gallery_bundle: Path) -> None:
    at = open_teach("zh")
    assert at.title[0].value == "教学"
    at = start(at, 1, 0, "甲，乙")
    assert at.subheader[0].value == "第 1 例，共 1 例"
    at.selectbox[0].set_value("nv")
    at.selectbox[1].set_value("nv")
    at = at.button(key="teach_reveal").click().run()
    assert not at.exception
    assert any(m.startswith("- 模型: ") for m in texts(at.markdown))
    assert "真实类别" in at.dataframe[0].value.columns


def test_duplicate_participants_are_refused_with_a_message(gallery_bundle: Path) -> None:
    at = start(open_teach(), 2, 0, "Ada, ada")
    assert not at.exception
    assert "Each participant needs a different name." in texts(at.error)
    assert not at.selectbox


def test_without_the_data_folder_the_shipped_gallery_alone_feeds_a_round(
    shipped_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_BUNDLE", str(shipped_bundle))
    monkeypatch.setenv("SKINMM_DATA", str(tmp_path / "no-data"))
    at = open_teach()
    assert at.radio(key="teach_source").options == ["the example gallery (21 cases)"]
    at = start(at, 1, 0, "Ada")
    at.selectbox[0].set_value(REFER)
    at = at.button(key="teach_reveal").click().run()
    assert not at.exception and not failures(at)
    assert at.get("plotly_chart") and len(at.get("image")) == 2
