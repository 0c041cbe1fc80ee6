"""TextBranch on a tiny synthetic manifest: contract, NaN rows, languages, persistence."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skinmm.data.manifest import write_manifest
from skinmm.data.notes import render_notes
from skinmm.text import TextBranch, train_text_branch
from skinmm.text.branch import augmented_notes
from tests.conftest import note_manifest

CLASSES = ["bcc", "nv", "mel"]
SITES = {
    "bcc": ["face", "nose", "ear"],
    "nv": ["back", "trunk", "abdomen"],
    "mel": ["foot", "hand"],
}
AGES = {"bcc": (65, 90), "nv": (15, 40), "mel": (45, 70)}


def synthetic_manifest(n: int, seed: int) -> pd.DataFrame:
    """Labels that age and site predict, as in HAM10000, two rows per lesion."""

    def facts(label: str, rng: np.random.Generator) -> dict[str, object]:
        return {
            "age": float(rng.integers(*AGES[label])),
            "sex": rng.choice(["male", "female"]),
            "site": rng.choice(SITES[label]),
        }

    return note_manifest(n, seed, CLASSES, [0.3, 0.5, 0.2], facts, rows_per_group=2)


FAST = {"search": False, "n_estimators": 60, "early_stopping_rounds": 10, "n_jobs": 1}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> TextBranch:
    cache = tmp_path_factory.mktemp("cache")
    branch = TextBranch(classes=CLASSES, **FAST)
    return branch.fit(synthetic_manifest(90, 0), synthetic_manifest(30, 1), cache_dir=cache)


def test_predict_proba_contract(fitted: TextBranch) -> None:
    notes = synthetic_manifest(20, 2)["note"].tolist()
    proba = fitted.predict_proba(notes)
    assert proba.shape == (20, 3) and fitted.classes_ == CLASSES
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert fitted.booster_ is not None and fitted.temperature_ > 0


def test_missing_notes_are_nan_rows(fitted: TextBranch) -> None:
    notes = ["Male, 70 years. Lesion on the face.", None, "", "  \u200b ", float("nan")]
    proba = fitted.predict_proba(notes)
    assert fitted.has_text(notes).tolist() == [True, False, False, False, False]
    assert not np.isnan(proba[0]).any() and np.isnan(proba[1:]).all()


def test_learns_from_english_and_chinese_notes(fitted: TextBranch) -> None:
    test = synthetic_manifest(60, 3)
    y = test["label"].map(CLASSES.index).to_numpy()
    for lang in ("en", "zh"):
        accuracy = (fitted.predict_proba(render_notes(test, lang)).argmax(axis=1) == y).mean()
        assert accuracy > 0.6, lang  # chance is 0.5 (majority); the fields predict the label


def test_mixed_language_and_long_notes(fitted: TextBranch) -> None:
    mixed = "女，75岁。Lesion on the nose，皮损隆起。"
    notes = [mixed, "Lesion on the face. " * 300]
    proba = fitted.predict_proba(notes)
    assert not np.isnan(proba).any()
    assert fitted.truncated(notes).tolist() == [False, True]


def test_training_notes_mix_languages_and_dropout() -> None:
    frame = synthetic_manifest(10, 4)
    notes, origin, full = augmented_notes(frame, (0.0, 0.5), seed=0)
    assert len(notes) == 40 and full.sum() == 20
    assert any("岁" in n for n in notes) and any("years" in n for n in notes)
    assert sorted(set(origin)) == list(range(10))


def test_save_load_round_trip_is_exact(fitted: TextBranch, tmp_path: Path) -> None:
    paths = fitted.save(tmp_path)
    assert sorted(p.name for p in paths) == ["text.json", "text.ubj"]
    loaded = TextBranch.load(tmp_path)
    notes = [*synthetic_manifest(15, 5)["note"].tolist(), ""]
    np.testing.assert_array_equal(loaded.predict_proba(notes), fitted.predict_proba(notes))
    assert loaded.card() == json.loads(json.dumps(fitted.card()))


def test_card_records_calibration(fitted: TextBranch) -> None:
    card = fitted.card()
    assert card["embedder"] == "use-multilingual" and card["classes"] == CLASSES
    assert 0 <= card["ece_after"] <= 1 and 0 <= card["ece_before"] <= 1
    assert set(card["validation"]) >= {"weighted_f1", "macro_f1", "balanced_accuracy"}


def test_grouped_search_picks_from_the_grid(tmp_path: Path) -> None:
    params = {**FAST, "search": True, "cv_folds": 2, "n_estimators": 15}
    branch = TextBranch(classes=CLASSES, **params)
    branch.fit(synthetic_manifest(40, 6), synthetic_manifest(16, 7), cache_dir=tmp_path)
    assert len(branch.cv_table_) == 4
    best = max(branch.cv_table_, key=lambda r: r["cv_macro_f1"])
    assert branch.params_["max_depth"] == best["max_depth"]


def test_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Unknown text-branch hyperparameter"):
        TextBranch(classes=CLASSES, depth=3)
    with pytest.raises(ValueError, match="not fitted"):
        TextBranch(classes=CLASSES).predict_proba(["x"])
    with pytest.raises(ValueError, match="not among the classes"):
        TextBranch(classes=["bcc", "nv"], **FAST).fit(
            synthetic_manifest(20, 8), synthetic_manifest(10, 9), cache_dir=tmp_path
        )
    with pytest.raises(ValueError, match="holds no text branch"):
        TextBranch.load(tmp_path)


def test_train_text_branch_from_csv(tmp_path: Path) -> None:
    train_csv = write_manifest(synthetic_manifest(60, 10), tmp_path / "train.csv")
    val_csv = write_manifest(synthetic_manifest(20, 11), tmp_path / "val.csv")
    branch = train_text_branch(
        train_csv, val_csv, tmp_path / "model", classes=CLASSES, cache_dir=tmp_path, **FAST
    )
    assert (tmp_path / "model" / "text.ubj").is_file()
    assert TextBranch.load(tmp_path / "model").classes_ == branch.classes_


def test_pooled_sources_are_weighted_within_each_source(tmp_path: Path) -> None:
    """A merged manifest (skinmm merge's source column): the card names the sources whose
    notes were weighted and scored within themselves; one source is the plain branch."""

    def sourced(n: int, seed: int) -> pd.DataFrame:
        frame = synthetic_manifest(n, seed)
        return frame.assign(source=np.where(np.arange(len(frame)) % 3 == 0, "b", "a"))

    params = {**FAST, "search": True, "cv_folds": 2, "n_estimators": 15}
    branch = TextBranch(classes=CLASSES, **params)
    branch.fit(sourced(40, 6), sourced(16, 7), cache_dir=tmp_path)
    assert branch.card()["sources"] == ["a", "b"]
    plain = TextBranch(classes=CLASSES, **params)
    one = synthetic_manifest(40, 6).assign(source="a")
    plain.fit(one, synthetic_manifest(16, 7).assign(source="a"), cache_dir=tmp_path)
    assert plain.card()["sources"] == []
    unsourced = TextBranch(classes=CLASSES, **params)
    unsourced.fit(synthetic_manifest(40, 6), synthetic_manifest(16, 7), cache_dir=tmp_path)
    notes = synthetic_manifest(15, 5)["note"].tolist()
    np.testing.assert_array_equal(plain.predict_proba(notes), unsourced.predict_proba(notes))
