"""Facts dropped from notes (skinmm.fact_drop, scripts/ham_fact_drop.py): the masks, the notes
they give, and that every branch reads the same notes at a rate."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skinmm.bundle import load_bundle
from skinmm.data.manifest import read_manifest
from skinmm.data.notes import render_note
from skinmm.evaluate import image_probabilities
from skinmm.fact_drop import drop_conditions, fact_drop_study, fact_units
from skinmm.fusion import fuse
from skinmm.metrics import weighted_f1
from tests.conftest import needs_data, synthetic_manifest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """400 cases with age, sex and site (a few ages unknown, as in HAM10000)."""
    frame = synthetic_manifest(tmp_path_factory.mktemp("drop"), n_groups=200, views=2)
    frame.loc[::37, "age"] = 0.0
    return frame


def test_the_facts_are_the_manifests_note_fields(cases: pd.DataFrame) -> None:
    assert fact_units(cases) == (("sex",), ("age",), ("site",))


def test_same_seed_same_notes_other_seed_other_notes(cases: pd.DataFrame) -> None:
    first, again = drop_conditions(cases, seed=3), drop_conditions(cases, seed=3)
    other = drop_conditions(cases, seed=4)
    for a, b, c in zip(first, again, other, strict=True):
        assert np.array_equal(a.mask, b.mask) and a.notes == b.notes
        if 0 < a.rate < 1:
            assert not np.array_equal(a.mask, c.mask)


def test_each_rate_drops_its_share_and_a_higher_rate_drops_more(cases: pd.DataFrame) -> None:
    conditions = drop_conditions(cases, rates=(0.0, 0.3, 0.5, 0.7, 1.0))
    n = conditions[0].mask.size
    for condition in conditions:
        # Binomial(n, r): the share lies within 4 standard errors of the rate.
        tolerance = 4 * np.sqrt(condition.rate * (1 - condition.rate) / n)
        assert abs(condition.mask.mean() - condition.rate) <= tolerance + 1e-12
    for lower, higher in itertools.pairwise(conditions):
        assert not (lower.mask & ~higher.mask).any()
    assert conditions[-1].notes == [""] * len(cases)


def test_whole_notes_are_the_training_rendering(cases: pd.DataFrame) -> None:
    records = cases[["sex", "age", "site"]].to_dict("records")
    assert drop_conditions(cases, rates=(0.0,))[0].notes == [render_note(r) for r in records]
    zh = drop_conditions(cases, rates=(0.0,), lang="zh")[0].notes
    assert zh == [render_note(r, "zh") for r in records]


def test_a_dropped_fact_is_missing_from_its_note_and_a_kept_one_is_there(
    cases: pd.DataFrame,
) -> None:
    (condition,) = drop_conditions(cases, rates=(0.5,), seed=1)
    sex, age, site = condition.mask.T
    for i, note in enumerate(condition.notes):
        row = cases.iloc[i]
        assert ("Lesion on" in note) == (not site[i])
        assert (row["sex"].capitalize() in note) == (not sex[i])
        if row["age"] > 0:
            assert (f"{int(row['age'])} years" in note) == (not age[i])


def test_bad_settings_are_refused(cases: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="rates"):
        drop_conditions(cases, rates=(1.5,))
    with pytest.raises(ValueError, match="language"):
        drop_conditions(cases, lang="fr")
    with pytest.raises(ValueError, match="structured note fields"):
        drop_conditions(cases[["case_id", "group_id", "note", "label"]])


@pytest.fixture(scope="module")
def tiny_study(tiny_bundle: Path) -> dict:
    """The tiny bundle on its test split: every text call recorded."""
    bundle = load_bundle(tiny_bundle)
    frame = read_manifest(tiny_bundle.parent / "test.csv")
    image_p = image_probabilities(bundle.image, frame["image_path"].tolist(), None, False)
    calls: list[list[str]] = []
    predict = bundle.text.predict_proba

    def recording(notes: list[str], **kwargs: object) -> np.ndarray:
        calls.append(list(notes))
        return predict(notes, **kwargs)

    bundle.text.predict_proba = recording  # type: ignore[method-assign]
    rules = ["max", "image"]
    report = fact_drop_study(bundle, frame, image_p, rules=rules, n_boot=50, progress=False)
    bundle.text.predict_proba = predict  # type: ignore[method-assign]
    return {"bundle": bundle, "frame": frame, "image_p": image_p, "calls": calls, "report": report}


def test_every_branch_reads_the_same_notes_at_a_rate(tiny_study: dict) -> None:
    frame, calls = tiny_study["frame"], tiny_study["calls"]
    conditions = drop_conditions(frame)
    # One text pass per rate (the notes fit one chunk), on exactly that rate's notes.
    assert calls == [c.notes for c in conditions]
    bundle, image_p, report = tiny_study["bundle"], tiny_study["image_p"], tiny_study["report"]
    y = frame["label"].map(bundle.codes.index).to_numpy()
    for condition in conditions:
        block = report["rates"][f"{condition.rate:g}"]
        text_p = bundle.text.predict_proba(condition.notes)
        for rule, figures in (
            (bundle.fusion.rule, block["fused"]),
            ("max", block["rules"]["max"]["figures"]),
        ):
            fused = fuse(image_p, text_p, rule, bundle.fusion.params).proba
            expected = weighted_f1(y, fused.argmax(axis=1))
            assert figures["weighted_f1"]["value"] == pytest.approx(expected, abs=1e-4)
        assert block["text"]["n"] == sum(bool(n) for n in condition.notes)


def test_the_image_alone_never_differs_from_itself(tiny_study: dict) -> None:
    report = tiny_study["report"]
    assert report["image"]["weighted_f1"]["ci"] is not None
    for block in report["rates"].values():
        same = block["rules"]["image"]["minus_image"]
        assert all(d["difference"] == 0 and d["ci"] == [0.0, 0.0] for d in same.values())
        assert block["rules"]["image"]["below_image"] == []
    assert "text_minus_text_whole_notes" not in report["rates"]["0"]
    assert "text_minus_text_whole_notes" in report["rates"]["0.5"]


def test_the_script_writes_its_report_with_its_command(
    tiny_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from ham_fact_drop import main

    monkeypatch.setenv("SKINMM_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "drop.json"
    manifest = str(tiny_bundle.parent / "test.csv")
    args = ["--bundle", str(tiny_bundle), "--manifest", manifest, "--rates", "0", "0.5"]
    assert main([*args, "--n-boot", "20", "--out", str(out)]) == 0
    # The bundle's own text branch given as a candidate: a second entry, the same figures.
    own = ["--text", str(tiny_bundle / "text"), "--n-boot", "20", "--out", str(out)]
    assert main([*args, *own]) == 0
    report, candidate = json.loads(out.read_text()).values()
    assert report["command"].startswith("python scripts/ham_fact_drop.py --bundle")
    assert list(report["rates"]) == ["0", "0.5"]
    assert report["fusion_rule"] == load_bundle(tiny_bundle).fusion.rule
    assert candidate["text_branch"] == str(tiny_bundle / "text")
    assert candidate["rates"] == report["rates"]


@needs_data
def test_the_ham10000_notes_at_rate_0_are_the_manifests_own() -> None:
    split = ROOT / "data" / "ham10000" / "split"
    if not (split / "val.csv").is_file():
        pytest.skip("the HAM10000 split (data/ham10000/split) is not here")
    for side in ("val", "test"):
        frame = read_manifest(split / f"{side}.csv", check_images=False)
        whole, half = drop_conditions(frame, rates=(0.0, 0.5))
        assert whole.notes == frame["note"].fillna("").tolist()
        assert half.mask.shape == (len(frame), 3)
        assert abs(half.mask.mean() - 0.5) < 0.03
