"""Fact dropout: seeded training copies, scored-only held-out copies, the rate chosen by
grouped CV and recorded on the card; EN = ZH with facts+rendered under dropout."""

from pathlib import Path

import numpy as np
import pytest

from skinmm.data.notes import FIELD_UNITS, render_note
from skinmm.text import TextBranch
from skinmm.text.dropout import (
    DROPOUT_CANDIDATES,
    DROPPED,
    HELD_OUT,
    WHOLE,
    check_dropout,
    dropout_design,
)
from skinmm.text.tabular import TabularReference
from tests.test_text_branch_facts import CLASSES, FAST, synthetic_manifest

FIELDS = ["age", "sex", "site", "bleed", "grew", "itch"]


def records(n: int = 30, seed: int = 0) -> list[dict]:
    return synthetic_manifest(n, seed)[FIELDS].to_dict("records")


def test_dropout_design_is_seeded_and_only_removes_facts() -> None:
    rows = records()
    first = dropout_design(rows, 0.7, 3, seed=4, held_out=True)
    again = dropout_design(rows, 0.7, 3, seed=4, held_out=True)
    other = dropout_design(rows, 0.7, 3, seed=5, held_out=True)
    assert first[0] == again[0]
    assert first[0] != other[0]
    out, origin, role = first
    assert len(out) == len(rows) * 5
    assert (role == WHOLE).sum() == (role == HELD_OUT).sum() == len(rows)
    assert (role == DROPPED).sum() == 3 * len(rows)
    for record, source in zip(out, origin, strict=True):
        for name, value in record.items():
            assert value is None or value == rows[source][name]
    assert out[: len(rows)] == rows  # the whole copies are untouched
    dropped = [r for r, k in zip(out, role, strict=True) if k == DROPPED]
    assert any(None in r.values() for r in dropped)


def test_per_row_rates_span_the_range() -> None:
    """Each row draws its own rate in [0, max]: some copies keep every fact, others lose
    most, which a single fixed rate would not give."""
    rows = [dict.fromkeys((f for unit in FIELD_UNITS for f in unit), 1.0)] * 400
    out, _, role = dropout_design(rows, 0.7, 1, seed=0, held_out=False)
    lost = np.array([sum(v is None for v in r.values()) for r in out])[role == DROPPED]
    share = lost / sum(len(u) for u in FIELD_UNITS)
    assert share.min() < 0.1 and share.max() > 0.5
    assert 0.25 < share.mean() < 0.45  # E[rate] = 0.35


def test_held_out_copies_are_the_same_for_every_rate() -> None:
    """Every candidate rate is scored on the very same held-out copies."""
    rows = records()
    held = [
        [
            r
            for r, k in zip(*dropout_design(rows, rate, 2, 3, held_out=True)[::2], strict=True)
            if k == HELD_OUT
        ]
        for rate in DROPOUT_CANDIDATES
    ]
    assert held[0] == held[1] == held[2]


@pytest.mark.parametrize("value", [0, -0.1, 1.5, "half", float("nan")])
def test_bad_dropout_settings_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="fact dropout"):
        check_dropout(value)
    with pytest.raises(ValueError, match="fact dropout"):
        TextBranch(classes=CLASSES, fact_dropout=value)


def fit(features: str, dropout: object, cache: Path, seed: int = 0) -> TextBranch:
    train, val = synthetic_manifest(90, 0), synthetic_manifest(36, 1)
    branch = TextBranch(classes=CLASSES, features=features, fact_dropout=dropout, **FAST)
    return branch.fit(train, val, cache_dir=cache, seed=seed)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def test_dropout_changes_the_training_rows_deterministically(cache: Path) -> None:
    legacy = fit("facts", None, cache)
    first, again = fit("facts", 0.7, cache), fit("facts", 0.7, cache)
    # Whole notes + 3 dropped copies, in two languages (a note that lost every fact is
    # left out), against whole + one copy at 0.5.
    assert first.n_train_notes_ > 1.8 * legacy.n_train_notes_
    assert first.n_train_notes_ == again.n_train_notes_
    notes = synthetic_manifest(20, 7)["note"].tolist()
    np.testing.assert_array_equal(first.predict_proba(notes), again.predict_proba(notes))
    reseeded = fit("facts", 0.7, cache, seed=1)
    assert not np.array_equal(reseeded.predict_proba(notes), first.predict_proba(notes))


def test_auto_rate_is_chosen_by_grouped_cv_and_saved(cache: Path, tmp_path: Path) -> None:
    branch = fit("facts", "auto", cache)
    block = branch.card()["fact_dropout"]
    assert block["requested"] == "auto"
    assert set(block["cv_macro_f1"]) == {str(r) for r in DROPOUT_CANDIDATES}
    best = max(block["cv_macro_f1"].values())
    assert block["cv_macro_f1"][str(block["chosen"])] == best
    assert branch.card()["branch"]["fact_dropout"] == block["chosen"]
    branch.save(tmp_path)
    loaded = TextBranch.load(tmp_path)
    assert loaded.card()["fact_dropout"] == block
    notes = synthetic_manifest(10, 3)["note"].tolist()
    np.testing.assert_array_equal(loaded.predict_proba(notes), branch.predict_proba(notes))


def test_rendered_facts_give_the_same_probabilities_in_english_and_chinese(
    cache: Path,
) -> None:
    branch = fit("facts+rendered", 0.5, cache)
    rows = synthetic_manifest(30, 8)[FIELDS].to_dict("records")
    rows += [{k: r[k] for k in ("age", "bleed")} for r in rows[:10]]  # fewer facts too
    en = branch.predict_proba([render_note(r, "en") for r in rows])
    zh = branch.predict_proba([render_note(r, "zh") for r in rows])
    np.testing.assert_allclose(en, zh, atol=1e-6)


def test_tabular_reference_meets_the_same_dropout() -> None:
    train, val = synthetic_manifest(90, 0), synthetic_manifest(36, 1)
    fast = {k: v for k, v in FAST.items() if k != "search"}
    tabular = TabularReference(classes=CLASSES, **fast).fit(train, val, fact_dropout="auto")
    assert tabular.fact_dropout_ in DROPOUT_CANDIDATES
    assert tabular.dropout_cv_[str(tabular.fact_dropout_)] == max(tabular.dropout_cv_.values())
    legacy = TabularReference(classes=CLASSES, **fast).fit(train, val)
    assert legacy.fact_dropout_ is None
    test = synthetic_manifest(20, 9)
    probs = tabular.predict_proba(test[FIELDS].to_dict("records"))
    assert probs.shape == (20, len(CLASSES))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_legacy_branch_has_no_scored_only_rows(cache: Path) -> None:
    train = synthetic_manifest(30, 0)
    branch = TextBranch(classes=CLASSES, **FAST)
    design = branch._design(train, None, 0, "training", held_out=False)
    assert design.trainable() is None
    assert set(np.unique(design.role)) == {WHOLE, DROPPED}


def test_train_command_passes_text_features_and_fact_dropout(tmp_path, monkeypatch, capsys):
    from skinmm.cli import main

    seen = []
    monkeypatch.setattr("skinmm.train.train_bundle", seen.append)
    base = ["train", "--train", "t.csv", "--val", "v.csv", "--out", str(tmp_path / "b")]
    assert main([*base, "--text-features", "facts+rendered", "--fact-dropout", "auto"]) == 0
    assert main([*base, "--fact-dropout", "0.5"]) == 0
    assert main(base) == 0
    assert [c.text_params for c in seen] == [
        {"features": "facts+rendered", "fact_dropout": "auto"},
        {"features": "auto", "fact_dropout": 0.5},
        {"features": "auto", "fact_dropout": None},
    ]
    with pytest.raises(SystemExit):
        main([*base, "--fact-dropout", "2"])
    assert "maximum rate in (0, 1]" in capsys.readouterr().err
