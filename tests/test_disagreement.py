"""The "photo and note disagree" caution: a rule chosen on validation, not every mismatch."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from skinmm.bundle import load_bundle
from skinmm.cli import main
from skinmm.conformal import calibrate
from skinmm.disagreement import GRID, MIN_LIFT, case_flag, fit_block, flags
from skinmm.prediction import Prediction
from skinmm.taxonomy import label_space

CODES = ["a", "b", "c"]


def validation(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Image right 93% of the time; the note is usually unsure and names another class, but
    where the image is wrong a confident note often names the true class."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    right = rng.random(n) < 0.93
    image_top = np.where(right, y, (y + rng.integers(1, 3, n)) % 3)
    top_p = rng.uniform(0.6, 0.95, n)
    image = np.repeat(((1 - top_p) / 2)[:, None], 3, axis=1)
    image[np.arange(n), image_top] = top_p
    confident = ~right & (rng.random(n) < 0.7)
    text_top = np.where(confident, y, (image_top + 1) % 3)
    text_p = np.where(confident, 0.8, 0.36)
    text = np.repeat(((1 - text_p) / 2)[:, None], 3, axis=1)
    text[np.arange(n), text_top] = text_p
    return image, text, y


def test_rule_is_chosen_for_image_errors_and_fires_less_than_argmax() -> None:
    image, text, y = validation()
    conformal = calibrate({"image": image, "text": text}, y, CODES)
    block = fit_block(image, text, y, conformal, CODES)
    conf = block["text_confidence"]
    assert conf in GRID and conf > 0
    row = next(r for r in block["validation"] if r["text_confidence"] == conf)
    assert row["image_error_among_flagged"] >= MIN_LIFT * block["validation_image_error"]
    thresholds = np.array([conformal["thresholds"]["image"]["0.9"][c] for c in CODES])
    fired = flags(image, text, thresholds, conf)
    argmax_disagree = image.argmax(1) != text.argmax(1)
    assert fired.mean() < argmax_disagree.mean()
    assert (image.argmax(1) != y)[fired].mean() > (image.argmax(1) != y).mean()


def test_no_qualifying_threshold_switches_the_caution_off() -> None:
    image, _, y = validation()
    rng = np.random.default_rng(1)
    noise = rng.dirichlet(np.ones(3), len(y))  # a note unrelated to the image's errors
    conformal = calibrate({"image": image}, y, CODES)
    block = fit_block(image, noise, y, conformal, CODES)
    assert block["text_confidence"] is None and "reason" in block
    assert case_flag(block, conformal, image[0], noise[0], CODES) is False


def test_case_flag_needs_both_branches_and_a_rule() -> None:
    image, text, y = validation()
    conformal = calibrate({"image": image}, y, CODES)
    block = fit_block(image, text, y, conformal, CODES)
    assert case_flag(None, conformal, image[0], text[0], CODES) is None
    assert case_flag(block, conformal, image[0], None, CODES) is None
    fired = [case_flag(block, conformal, i, t, CODES) for i, t in zip(image, text, strict=True)]
    assert any(fired) and not all(fired)


def prediction(disagree: bool | None) -> Prediction:
    classes = label_space("ham10000")
    image = np.eye(len(classes))[5] * 0.9 + 0.1 / len(classes)
    text = np.eye(len(classes))[0] * 0.9 + 0.1 / len(classes)
    return Prediction(
        classes=classes,
        fused=image,
        image=image,
        text=text,
        carrier=(),
        mode="fused",
        rule="image",
        disagree=disagree,
    )


def test_caution_follows_the_rule_when_the_bundle_has_one() -> None:
    assert "branches_disagree" not in prediction(False).cautions()
    assert "branches_disagree" in prediction(True).cautions()
    # A bundle without a rule keeps comparing the top classes.
    assert "branches_disagree" in prediction(None).cautions()


def test_cli_fits_the_rule_into_a_sealed_bundle_and_measures_it(
    tiny_bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle_dir = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, bundle_dir)
    assert "disagreement" in load_bundle(bundle_dir).card  # written by skinmm train
    val = tiny_bundle.parent / "val.csv"
    assert main(["disagreement", "fit", "--bundle", str(bundle_dir), "--val", str(val)]) == 0
    block = json.loads(capsys.readouterr().out)
    bundle = load_bundle(bundle_dir)  # still verifies: the seal was renewed
    assert bundle.card["disagreement"] == block
    predictions = bundle_dir / "report" / "predictions.csv"
    assert (
        main(
            [
                "disagreement",
                "measure",
                "--bundle",
                str(bundle_dir),
                "--predictions",
                str(predictions),
            ]
        )
        == 0
    )
    measured = json.loads(capsys.readouterr().out)
    assert measured["cases_with_both"] > 0
    assert 0 <= measured["top_class_rule"]["fire_rate"] <= 1
