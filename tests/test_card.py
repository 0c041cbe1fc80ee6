"""The typed model card (skinmm.card) and bundles written whole (skinmm.staging)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from skinmm.bundle import CARD, CARD_DIGEST, BundleError, load_bundle, read_card, write_card
from skinmm.card import SCHEMA_VERSION, CardError, ModelCard, bundle_fingerprint
from skinmm.staging import sibling, staged_bundle
from tests.conftest import CLASSES, TINY_IMAGE_PARAMS, TINY_TEXT_PARAMS
from tests.test_bundle_integrity import bundle  # noqa: F401  (a private copy of the tiny bundle)


def _schema_1(card: dict) -> dict:
    """The card as schema 1 wrote it: classes, preprocessing and calibration repeated."""
    old = json.loads(json.dumps(card))
    old["schema_version"] = 1
    old["backbone"]["classes"] = old["embedder"]["classes"] = [c["code"] for c in old["classes"]]
    old["backbone"]["preprocessing"] = dict(old["preprocessing"])
    old["backbone"]["backbone"]["preprocessing"] = {**old["preprocessing"], "crop": 260}
    old["backbone"]["tta_views"] = list(old["backbone"]["hyperparameters"]["tta_views"])
    for branch, block in (("image", "backbone"), ("text", "embedder")):
        old[block].update(old["calibration"][branch])
    return old


def _write_raw(bundle: Path, card: dict) -> None:
    """Write a card's bytes as they are and seal them (write_card would migrate them)."""
    data = (json.dumps(card, indent=2, ensure_ascii=False) + "\n").encode()
    (bundle / CARD).write_bytes(data)
    (bundle / CARD_DIGEST).write_text(f"{hashlib.sha256(data).hexdigest()}  {CARD}\n")


def test_a_card_stores_each_fact_once(tiny_bundle: Path) -> None:
    card = read_card(tiny_bundle)
    assert isinstance(card, ModelCard) and card["schema_version"] == SCHEMA_VERSION
    for block, key in (("backbone", "classes"), ("embedder", "classes")):
        assert key not in card[block]
    assert "preprocessing" not in card["backbone"]
    assert "preprocessing" not in card["backbone"]["backbone"]  # the registry says it
    assert "temperature" not in card["backbone"] and "temperature" not in card["embedder"]
    assert card.codes == CLASSES and [c.code for c in card.classes] == CLASSES
    assert card.preprocessing.crop == card["preprocessing"]["crop"] == 64
    assert card.get("fusion") is card["fusion"] and card.fusion.rule == card["fusion"]["rule"]


def test_a_schema_1_bundle_loads_migrated_with_the_same_fingerprint(bundle: Path) -> None:
    new = json.loads((bundle / CARD).read_text())
    old = _schema_1(new)
    _write_raw(bundle, old)
    loaded = load_bundle(bundle)
    assert loaded.card["schema_version"] == SCHEMA_VERSION
    assert loaded.card == ModelCard.parse(new)
    # Cases saved under the schema 1 card still name this bundle.
    assert loaded.fingerprint == bundle_fingerprint(old) == bundle_fingerprint(new)
    assert json.loads((bundle / CARD).read_text())["schema_version"] == 1  # read, not rewritten


@pytest.mark.parametrize(
    ("spoil", "named"),
    [
        (lambda c: c["backbone"].update(classes=["x", *c["backbone"]["classes"][1:]]), "classes"),
        (lambda c: c["backbone"]["preprocessing"].update(crop=32), "backbone.preprocessing"),
        (lambda c: c["embedder"].update(temperature=9.0), "calibration.text.temperature"),
    ],
)
def test_a_card_that_contradicts_itself_is_refused(bundle: Path, spoil, named: str) -> None:
    old = _schema_1(json.loads((bundle / CARD).read_text()))
    spoil(old)
    with pytest.raises(CardError, match=f"contradicts itself.*{named}"):
        ModelCard.parse(old)
    _write_raw(bundle, old)
    with pytest.raises(BundleError, match="contradicts itself"):
        load_bundle(bundle)


def test_a_card_without_classes_or_preprocessing_is_refused() -> None:
    with pytest.raises(CardError, match="no classes"):
        ModelCard.parse({"preprocessing": {}})
    mel = {"code": "mel", "name_en": "Melanoma", "name_zh": "黑色素瘤"}
    with pytest.raises(CardError, match="classes are malformed"):
        ModelCard.parse({"classes": [mel], "preprocessing": {}})
    with pytest.raises(CardError, match="preprocessing"):
        ModelCard.parse({"classes": [{**mel, "covers": ["mel"]}], "preprocessing": {"crop": 1}})
    with pytest.raises(CardError, match="twice"):
        ModelCard.parse({"classes": [{**mel, "covers": ["mel"]}] * 2, "preprocessing": {}})


def test_a_card_that_disagrees_with_the_branch_files_is_refused(bundle: Path) -> None:
    card = json.loads((bundle / CARD).read_text())
    card["preprocessing"]["mean"] = [0.5, 0.5, 0.5]
    write_card(bundle, card)
    with pytest.raises(BundleError, match="image branch's preprocessing"):
        load_bundle(bundle)


def _retrain(tiny_bundle: Path, out: Path) -> Path:
    from skinmm.train import TrainConfig, train_bundle

    root = tiny_bundle.parent
    return train_bundle(
        TrainConfig(
            train=root / "train.csv",
            val=root / "val.csv",
            out=out,
            cache_dir=root / "cache",
            image_params=TINY_IMAGE_PARAMS,
            text_params=TINY_TEXT_PARAMS,
        )
    )


def test_a_retrain_in_place_is_whole_or_absent(
    tiny_bundle: Path, bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skinmm.train

    before = (bundle / CARD).read_bytes()
    # Killed while writing: the text branch is being saved into the staging folder.
    monkeypatch.setattr(skinmm.train, "write_card", _killed)
    with pytest.raises(KeyboardInterrupt):
        _retrain(tiny_bundle, bundle)
    assert (bundle / CARD).read_bytes() == before and (bundle / "report").is_dir()
    load_bundle(bundle)
    monkeypatch.undo()
    _retrain(tiny_bundle, bundle)
    loaded = load_bundle(bundle)
    # The old test report described the old weights: it is gone, not re-certified.
    assert not (bundle / "report").exists() and loaded.card["metrics"] == {}
    assert not any(p.name.startswith(".bundle.") for p in bundle.parent.iterdir())


def _killed(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def test_a_kill_between_the_renames_leaves_the_old_bundle(bundle: Path) -> None:
    before = read_card(bundle)
    # The state a kill leaves after the old bundle was moved aside, before the new moved in.
    bundle.rename(sibling(bundle, "old"))
    sibling(bundle, "staging").mkdir()
    assert load_bundle(bundle).card == before
    assert not sibling(bundle, "old").exists() and not sibling(bundle, "staging").exists()


def test_a_failed_write_leaves_no_staging_folder(bundle: Path) -> None:
    with pytest.raises(RuntimeError), staged_bundle(bundle) as staging:
        (staging / "half").write_text("x")
        raise RuntimeError("disk full")
    assert not sibling(bundle, "staging").exists() and (bundle / CARD).is_file()
