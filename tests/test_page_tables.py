"""The tables and words the Dashboard, Model card and Teach pages draw, built by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from skinmm.card_tables import (
    calibration_table,
    classes_table,
    component,
    data_table,
    rule_reason,
)
from skinmm.report_tables import errors_table, report_missing, resolve_image, unmapped_labels
from skinmm.taxonomy import HAM10000_CLASSES
from skinmm.teach import MODEL, QuizCase, QuizRound
from skinmm.teach_tables import answer_name, answerer_name, scores_shown

CLASSES = HAM10000_CLASSES


# --- Dashboard (skinmm.report_tables) -----------------------------------------------------


def test_a_report_lacking_fields_names_each_missing_one() -> None:
    whole = {
        "classes": [],
        **{
            b: dict.fromkeys(("weighted_f1", "confusion", "per_class", "roc"))
            for b in ("fused", "image", "text")
        },
    }
    assert report_missing(whole) == []
    del whole["text"]
    whole["image"].pop("roc")
    assert report_missing(whole) == [
        "text",
        "image.roc",
        "text.weighted_f1",
        "text.confusion",
        "text.per_class",
        "text.roc",
    ]


def test_unmapped_labels_keep_their_counts_when_the_report_has_them() -> None:
    assert unmapped_labels({"labels": {"vasc": 3, "df": 1}}) == "vasc (3), df (1)"
    assert unmapped_labels({"labels": ["vasc", "df"]}) == "vasc, df"
    assert unmapped_labels({}) == ""


def test_the_error_table_names_every_answer_and_cuts_long_notes() -> None:
    rows = pd.DataFrame(
        {
            "case_id": ["c1"],
            "label": ["mel"],
            "fused_pred": ["nv"],
            "image_pred": ["nv"],
            "text_pred": ["mel"],
            "note": ["x" * 200],
        }
    )
    table = errors_table(rows, str.upper, "en")
    assert list(table.columns) == ["Case", "True", "Fused says", "Image says", "Note says", "Note"]
    assert table.iloc[0, :5].tolist() == ["c1", "MEL", "NV", "NV", "MEL"]
    assert table.iloc[0, 5] == "x" * 160


def test_a_test_image_is_found_absolute_or_under_the_data_or_working_folder(
    tmp_path: Path,
) -> None:
    data, working = tmp_path / "data", tmp_path / "work"
    (data / "ham").mkdir(parents=True)
    working.mkdir()
    (data / "ham" / "a.jpg").write_bytes(b"a")
    (working / "b.jpg").write_bytes(b"b")
    assert resolve_image("ham/a.jpg", data, working) == data / "ham" / "a.jpg"
    assert resolve_image("b.jpg", data, working) == working / "b.jpg"
    assert resolve_image(str(working / "b.jpg"), data, tmp_path) == working / "b.jpg"
    assert resolve_image("missing.jpg", data, working) is None
    assert resolve_image(float("nan"), data, working) is None
    assert resolve_image("", data, working) is None


# --- Model card (skinmm.card_tables) ------------------------------------------------------


def test_a_card_component_is_named_from_a_string_or_nested_settings() -> None:
    assert component("densenet121", "en", "backbone") == "densenet121"
    assert component({"backbone": {"name": "resnet50"}}, "en", "backbone") == "resnet50"
    assert component({"arch": "vit"}, "en", "backbone", "name", "arch") == "vit"
    assert component(None, "zh") == "未知"
    assert component({}, "en", "name") == "unknown"


def test_the_classes_table_lists_risk_and_covered_tumours() -> None:
    assert classes_table(CLASSES[:1], "en").to_dict("records") == [
        {
            "Code": "akiec",
            "Class": "Actinic keratosis / Bowen's disease",
            "Risk": "premalignant",
            "Covers": "Actinic keratosis, Bowen's disease",
        }
    ]
    assert classes_table(CLASSES[:1], "zh").iloc[0, 3] == "光线性角化病, 鲍温病"


def test_the_data_table_leaves_out_what_the_card_lacks() -> None:
    card = {
        "created": "2026-01-01",
        "training": {"arguments": {"train": "/x/y/train.csv"}, "git_commit": "0123456789abcdef"},
    }
    table = data_table(card, "en")
    assert dict(zip(table["Field"], table["Value"], strict=True)) == {
        "Created": "2026-01-01",
        "Training manifest": "train.csv",
        "Code version (git commit)": "0123456789ab",
    }


@pytest.mark.parametrize(
    ("fusion", "start"),
    [
        ({"reason": "chosen by the user (--fusion)"}, "card_reason_user"),
        ({"image_fallback": True}, "card_reason_fallback"),
        (
            {
                "validation_chosen": {"weighted_f1": 0.8},
                "validation_image_only": {"weighted_f1": 0.7},
            },
            "card_reason_criterion",
        ),
        ({}, "card_reason_recorded"),
    ],
)
def test_the_rule_reason_is_rebuilt_from_the_cards_figures(fusion: dict, start: str) -> None:
    from skinmm.i18n import t

    if start == "card_reason_criterion":
        assert rule_reason(fusion, "en") == t(start, "en", best=0.8, base=0.7)
    elif start == "card_reason_fallback":
        nan = float("nan")
        assert rule_reason(fusion, "en") == t(start, "en", bacc=nan, mel=nan)
    else:
        assert rule_reason(fusion, "en") == t(start, "en")


def test_the_calibration_table_has_one_row_per_calibrated_branch() -> None:
    card = {
        "calibration": {
            "image": {"temperature": 1.5, "ece_before": 0.1, "ece_after": 0.05},
            "fused": {"temperature": 9},
            "text": "not a dict",
        }
    }
    assert calibration_table(card, "en").to_dict("records") == [
        {"Branch": "Image", "Temperature": 1.5, "ECE before": 0.1, "ECE after": 0.05}
    ]
    assert calibration_table({}, "en").empty


# --- Teach (skinmm.teach_tables) ----------------------------------------------------------


def test_answers_and_answerers_are_named_in_the_ui_language() -> None:
    assert answer_name("refer", CLASSES, "en") == "Refer (biopsy or specialist)"
    assert answer_name("mel", CLASSES, "en") == "Melanoma"
    assert answerer_name(MODEL, "zh") == "模型"
    assert answerer_name("Ana", "zh") == "Ana"


def test_the_score_table_counts_right_answers_out_of_cases_shown(tmp_path: Path) -> None:
    cases = [QuizCase("1", "mel", tmp_path / "1.png", ""), QuizCase("2", "nv", tmp_path, "")]
    quiz = QuizRound(1, cases, ["Ana"])
    quiz.commit({"Ana": "refer"}, "nv")  # refer is right for a melanoma; the model is wrong
    quiz.commit({"Ana": "mel"}, "nv")
    table = scores_shown(quiz, CLASSES, "en")
    assert table.to_dict("list") == {
        "True class": ["Melanoma", "Melanocytic nevus", "All classes"],
        "Cases": [1, 1, 2],
        "Ana": ["1 / 1", "0 / 1", "1 / 2"],
        "Model": ["0 / 1", "1 / 1", "1 / 2"],
    }
