"""TextBranch with facts read from the note: negations learned, EN = ZH, choice recorded."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skinmm.data.notes import render_note
from skinmm.text import TextBranch
from skinmm.text.fact_features import BINARY_FACTS, NUMERIC_FACTS, fact_columns
from skinmm.text.facts import FACT_NAMES, NOT_MODELLED
from tests.conftest import note_manifest

CLASSES = ["bcc", "nev", "mel"]
FAST = {"search": False, "n_estimators": 80, "early_stopping_rounds": 10, "n_jobs": 1}


def synthetic_manifest(n: int, seed: int) -> pd.DataFrame:
    """Labels that only the symptoms tell apart: the same ages and sites for every class,
    bleeding reported for bcc and denied otherwise, growth reported for mel only."""

    def facts(label: str, rng: np.random.Generator) -> dict[str, object]:
        return {
            "age": float(rng.integers(30, 80)),
            "sex": rng.choice(["male", "female"]),
            "site": rng.choice(["face", "back", "arm"]),
            "bleed": "True" if label == "bcc" else "False",
            "grew": "True" if label == "mel" else "False",
            "itch": rng.choice(["True", "False"]),
        }

    return note_manifest(n, seed, CLASSES, [0.35, 0.4, 0.25], facts)


@pytest.fixture(scope="module")
def branches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TextBranch]:
    cache = tmp_path_factory.mktemp("cache")
    train, val = synthetic_manifest(120, 0), synthetic_manifest(45, 1)
    out = {}
    for features in ("facts+embedding", "facts+rendered", "auto"):
        branch = TextBranch(classes=CLASSES, features=features, **FAST)
        out[features] = branch.fit(train, val, cache_dir=cache)
    return out


def test_feature_table_covers_every_fact_the_reader_returns() -> None:
    covered = set(NUMERIC_FACTS) | set(BINARY_FACTS) | {"sex", "site"}
    assert set(FACT_NAMES) - set(NOT_MODELLED) <= covered
    assert not covered & set(NOT_MODELLED)
    assert len(fact_columns()) > len(FACT_NAMES)


def test_negations_are_read_from_the_note(branches: dict[str, TextBranch]) -> None:
    branch = branches["facts+embedding"]
    base = {"age": 60, "sex": "female", "site": "back", "itch": "False"}
    notes = [
        render_note({**base, "bleed": "True", "grew": "False"}),
        render_note({**base, "bleed": "False", "grew": "True"}),
        render_note({**base, "bleed": "False", "grew": "False"}),
    ]
    proba = branch.predict_proba(notes)
    assert proba.argmax(axis=1).tolist() == [0, 2, 1]


def test_same_facts_in_english_and_chinese_give_the_same_probabilities(
    branches: dict[str, TextBranch],
) -> None:
    test = synthetic_manifest(40, 2)
    records = test[["age", "sex", "site", "bleed", "grew", "itch"]].to_dict("records")
    for branch in branches.values():
        en = branch.predict_proba([render_note(r, "en") for r in records])
        zh = branch.predict_proba([render_note(r, "zh") for r in records])
        assert np.abs(en - zh).max() <= 0.05


def test_auto_records_the_grouped_cv_choice(
    branches: dict[str, TextBranch], tmp_path: Path
) -> None:
    card = branches["auto"].card()
    choice = card["feature_choice"]
    assert choice["requested"] == "auto"
    assert set(choice["cv_macro_f1"]) == {"embedding", "facts+embedding", "facts+rendered", "facts"}
    best = max(choice["cv_macro_f1"].values())
    assert choice["cv_macro_f1"][choice["chosen"]] == best
    assert card["branch"]["features"] == choice["chosen"]
    branches["auto"].save(tmp_path)
    loaded = TextBranch.load(tmp_path)
    notes = synthetic_manifest(10, 3)["note"].tolist()
    np.testing.assert_array_equal(
        loaded.predict_proba(notes), branches["auto"].predict_proba(notes)
    )


def test_embedding_only_recipe_stays_selectable(tmp_path: Path) -> None:
    train, val = synthetic_manifest(60, 4), synthetic_manifest(30, 5)
    branch = TextBranch(classes=CLASSES, features="embedding", **FAST)
    branch.fit(train, val, cache_dir=tmp_path)
    card = branch.card()
    assert card["branch"]["features"] == "embedding"
    assert card["feature_choice"]["requested"] == "embedding"
    assert branch.booster_.num_features() == 512


def test_rendered_facts_make_the_language_irrelevant(branches: dict[str, TextBranch]) -> None:
    """With the facts re-rendered as one canonical note, the same facts in English and in
    Chinese are the same input, and words the reader does not use change nothing."""
    branch = branches["facts+rendered"]
    fields = {"age": 70, "sex": "male", "site": "face", "bleed": "True", "grew": "False"}
    en, zh = render_note(fields, "en"), render_note(fields, "zh")
    extra = en + " Pearly, rolled border. Basal cell carcinoma suspected."
    proba = branch.predict_proba([en, zh, extra])
    np.testing.assert_allclose(proba[1], proba[0], atol=1e-6)
    np.testing.assert_allclose(proba[2], proba[0], atol=1e-6)
