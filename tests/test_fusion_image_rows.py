"""Several sources: the fusion's rows with an image decided by what the image branch learnt
(skinmm.fusion.FusionParams.image_prior / image_classes_only, skinmm.train.IMAGE_ROWS)."""

import json

import numpy as np
import pandas as pd
import pytest

from skinmm.fusion import FusionParams, fuse
from skinmm.taxonomy import TAXONOMY_CLASSES
from skinmm.train import (
    image_class_prior,
    image_rows_fusion,
    refit_fusion,
    select_fusion,
)

# Three classes; the third (scc) came from notes alone, so the image branch never saw it.
TEXT_PRIOR = np.array([0.5, 0.3, 0.2])
IMAGE_PRIOR = np.array([0.8, 0.2, 0.0])


def test_image_rows_use_the_image_prior_and_text_rows_the_text_prior():
    proba = np.array([[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    params = FusionParams(text_prior=TEXT_PRIOR, decision_power=1.0, image_prior=IMAGE_PRIOR)
    out = params.decide(proba, np.array([True, False]))
    # Image row: 0.4/0.8, 0.4/0.2, and scc (no training image) left as it is, renormalised.
    image_row = np.array([0.5, 2.0, 0.2])
    assert out[0] == pytest.approx(image_row / image_row.sum())
    text_row = np.array([0.4 / 0.5, 0.4 / 0.3, 0.2 / 0.2])
    assert out[1] == pytest.approx(text_row / text_row.sum())


def test_without_an_image_prior_every_row_uses_the_one_prior():
    proba = np.array([[0.4, 0.4, 0.2], [0.1, 0.2, 0.7]])
    pooled = FusionParams(text_prior=TEXT_PRIOR, decision_power=0.5)
    assert pooled.decide(proba, np.array([True, False])) == pytest.approx(pooled.decide(proba))


def test_a_class_learnt_from_notes_alone_cannot_overrule_a_photograph():
    image = np.array([[0.55, 0.4, 0.05], [np.nan] * 3])
    text = np.array([[0.05, 0.05, 0.9], [0.05, 0.05, 0.9]])
    pooled = FusionParams(text_prior=TEXT_PRIOR, image_prior=IMAGE_PRIOR)
    assert fuse(image, text, "max", pooled).predicted.tolist() == [2, 2]
    only = FusionParams(text_prior=TEXT_PRIOR, image_prior=IMAGE_PRIOR, image_classes_only=True)
    result = fuse(image, text, "max", only)
    # The photo's row decides among the classes the image branch learnt; the note-only row
    # may still say scc.
    assert result.predicted.tolist() == [0, 2]
    assert result.proba[0, 2] == 0 and result.proba[0].sum() == pytest.approx(1)


def test_the_card_keeps_the_setting_and_old_cards_read_as_pooled():
    params = FusionParams(text_prior=TEXT_PRIOR, image_prior=IMAGE_PRIOR, image_classes_only=True)
    again = FusionParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert again.image_prior == pytest.approx(IMAGE_PRIOR) and again.image_classes_only
    old = params.to_dict()
    del old["image_prior"], old["image_classes_only"]
    legacy = FusionParams.from_dict(old)
    assert legacy.image_prior is None and not legacy.image_classes_only


def test_image_rows_options_from_the_training_manifest():
    train = pd.DataFrame(
        {
            "label": ["bcc", "bcc", "mel", "scc", "bcc"],
            "image_path": ["a.jpg", "b.jpg", "c.jpg", "", ""],
        }
    )
    codes = ["bcc", "mel", "scc"]
    assert image_class_prior(train, codes) == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert image_rows_fusion("pooled", train, codes) == {
        "image_prior": None,
        "image_classes_only": False,
    }
    own = image_rows_fusion("own-classes", train, codes)
    assert own["image_classes_only"] and own["image_prior"][2] == 0
    assert not image_rows_fusion("own-prior", train, codes)["image_classes_only"]
    with pytest.raises(ValueError, match="choose one of pooled, own-prior, own-classes"):
        image_rows_fusion("mine", train, codes)


def _validation(seed: int = 0) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """HAM10000-like validation rows with both inputs, for the union's classes; the note leans
    to scc on some nevi, as a text branch that also learnt PAD-UFES-20's notes might."""
    rng = np.random.default_rng(seed)
    codes = ["bcc", "mel", "nev", "scc"]
    y = rng.choice([0, 1, 2], size=240, p=[0.2, 0.2, 0.6])
    image = rng.dirichlet(np.ones(4) * 0.5, len(y)) * 0.4
    image[np.arange(len(y)), y] += 0.6
    image[:, 3] = 1e-3
    image /= image.sum(1, keepdims=True)
    text = rng.dirichlet(np.ones(4), len(y))
    text[(y == 2) & (rng.random(len(y)) < 0.4), 3] += 2.0
    text /= text.sum(1, keepdims=True)
    val = pd.DataFrame(
        {"label": [codes[k] for k in y], "group_id": [f"g{i}" for i in range(len(y))]}
    )
    return image, text, val


def test_selection_records_the_option_and_never_decides_scc_on_a_photo():
    image, text, val = _validation()
    codes = ["bcc", "mel", "nev", "scc"]
    classes = sorted(
        (c for c in TAXONOMY_CLASSES if c.code in codes), key=lambda c: codes.index(c.code)
    )
    prior = np.array([0.2, 0.15, 0.5, 0.15])
    fusion, extra, _ = select_fusion(
        image,
        text,
        val,
        classes,
        prior,
        requested="max",
        image_prior=np.array([0.2, 0.2, 0.6, 0.0]),
        image_classes_only=True,
    )
    assert extra["image_rows"] == {"own_prior": True, "image_classes_only": True}
    assert fusion.params.image_classes_only
    assert 3 not in fuse(image, text, fusion.rule, fusion.params).predicted
    # The same rule without the option lets the note's scc through on some photos.
    pooled, _, _ = select_fusion(image, text, val, classes, prior, requested="max")
    assert 3 in fuse(image, text, pooled.rule, pooled.params).predicted


def test_refit_with_an_own_prior_needs_the_training_manifest(tiny_bundle, tmp_path):
    with pytest.raises(ValueError, match="needs the bundle's training manifest"):
        refit_fusion(tiny_bundle, tmp_path / "val.csv", image_rows="own-prior", train_manifest=None)


def test_the_cli_offers_exactly_the_library_image_rows_options() -> None:
    # cli.py keeps its own copy so that `skinmm --help` does not import training code.
    from skinmm.cli import IMAGE_ROWS as CLI_IMAGE_ROWS
    from skinmm.train import IMAGE_ROWS

    assert CLI_IMAGE_ROWS == IMAGE_ROWS
