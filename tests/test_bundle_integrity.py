"""The model card is sealed: a changed card, a card that lists no files, an unlisted file in a
folder SkinMM reads, or a name outside the bundle is refused with what to do."""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from pathlib import Path

import pytest

from skinmm.bundle import (
    CARD,
    CARD_DIGEST,
    BundleError,
    BundleWarning,
    load_bundle,
    read_card,
    reseal,
    update_card,
    write_card,
)

ROOT = Path(__file__).resolve().parents[1]
WHAT_TO_DO = "skinmm train"


@pytest.fixture
def bundle(tiny_bundle: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    return copy


def _card(bundle: Path) -> dict:
    return json.loads((bundle / CARD).read_text(encoding="utf-8"))


def _edit_card(bundle: Path, card: dict) -> None:
    """Rewrite the card as a hand edit would: the seal is left as it was."""
    (bundle / CARD).write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")


def _forge(bundle: Path, card: dict) -> None:
    """Rewrite the card and a matching seal, as someone who knows the format would."""
    data = json.dumps(card, indent=2).encode()
    (bundle / CARD).write_bytes(data)
    (bundle / CARD_DIGEST).write_text(f"{hashlib.sha256(data).hexdigest()}  {CARD}\n")


def _refused(bundle: Path, match: str) -> str:
    with pytest.raises(BundleError, match=match) as err:
        read_card(bundle)
    assert WHAT_TO_DO in str(err.value)
    return str(err.value)


def test_untouched_bundle_loads_without_warnings(bundle):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        card = read_card(bundle)
    assert (bundle / CARD_DIGEST).is_file()
    assert "image/" + "image_weights.pt" in card["files"]
    assert load_bundle(bundle).codes == [c["code"] for c in card["classes"]]


def test_shipped_default_bundle_is_sealed_and_loads():
    card = read_card(ROOT / "models" / "default")
    assert len(card["files"]) >= 4
    assert load_bundle(ROOT / "models" / "default").fusion.rule == card["fusion"]["rule"]


def test_renamed_class_is_refused(bundle):
    card = _card(bundle)
    mel = next(c for c in card["classes"] if c["code"] == "mel")
    mel["name_en"] = "Harmless freckle"
    _edit_card(bundle, card)
    _refused(bundle, "changed after it was written")
    with pytest.raises(BundleError):
        load_bundle(bundle)


def test_changed_fusion_rule_is_refused(bundle):
    card = _card(bundle)
    card["fusion"]["rule"] = "mean" if card["fusion"]["rule"] != "mean" else "max"
    _edit_card(bundle, card)
    _refused(bundle, "changed after it was written")


def test_a_new_field_is_covered_too(bundle):
    (bundle / CARD).write_bytes((bundle / CARD).read_bytes() + b" ")
    _refused(bundle, "changed after it was written")


@pytest.mark.parametrize("files", [None, {}, [], "image/image_weights.pt"])
def test_card_without_a_files_table_is_refused_even_when_resealed(bundle, files):
    card = _card(bundle)
    if files is None:
        del card["files"]
    else:
        card["files"] = files
    _forge(bundle, card)
    _refused(bundle, "no 'files' table")


def test_entry_that_is_not_a_sha256_is_refused(bundle):
    card = _card(bundle)
    card["files"]["image/image_weights.pt"] = None
    _forge(bundle, card)
    assert "image/image_weights.pt" in _refused(bundle, "not sha256 digests")


def test_dropped_weights_entry_leaves_an_unlisted_file_and_is_refused(bundle):
    card = _card(bundle)
    del card["files"]["image/image_weights.pt"]
    _forge(bundle, card)
    assert "image/image_weights.pt" in _refused(bundle, "does not cover")


@pytest.mark.parametrize("folder", ["image", "text", "report"])
def test_extra_file_in_a_folder_skinmm_reads_is_refused(bundle, folder):
    (bundle / folder / "extra.bin").write_bytes(b"not trained")
    assert f"{folder}/extra.bin" in _refused(bundle, "does not cover")


def test_extra_file_elsewhere_is_named_in_a_warning(bundle):
    (bundle / "NOTES.txt").write_text("kept beside the bundle")
    with pytest.warns(BundleWarning, match="NOTES.txt"):
        read_card(bundle)


@pytest.mark.parametrize("name", ["../outside.bin", "/etc/hostname", "image/../../outside.bin"])
def test_names_outside_the_bundle_are_refused(bundle, name):
    outside = bundle.parent / "outside.bin"
    outside.write_bytes(b"x")
    card = _card(bundle)
    card["files"][name] = hashlib.sha256(b"x").hexdigest()
    _forge(bundle, card)
    assert name in _refused(bundle, "outside the bundle")


def test_symlink_out_of_the_bundle_is_refused(bundle):
    outside = bundle.parent / "outside.bin"
    outside.write_bytes(b"x")
    (bundle / "report" / "link.bin").symlink_to(outside)
    card = _card(bundle)
    card["files"]["report/link.bin"] = hashlib.sha256(b"x").hexdigest()
    _forge(bundle, card)
    _refused(bundle, "outside the bundle")


def test_malformed_seal_and_non_object_card_are_refused(bundle):
    (bundle / CARD_DIGEST).write_text("not a digest\n")
    _refused(bundle, "not a sha256 line")
    _forge(bundle, [])  # type: ignore[arg-type]
    _refused(bundle, "not a model card")


def test_unsealed_bundle_says_how_to_seal_it_and_reseal_certifies_nothing_new(bundle):
    (bundle / CARD_DIGEST).unlink()
    _refused(bundle, "skinmm bundle reseal")
    weights = bundle / "text" / "text.ubj"
    original = weights.read_bytes()
    weights.write_bytes(original + b"x")
    with pytest.raises(BundleError, match=r"checksum mismatch for text/text\.ubj"):
        reseal(bundle)
    assert not (bundle / CARD_DIGEST).exists()
    weights.write_bytes(original)
    assert reseal(bundle) is True
    assert reseal(bundle) is False  # already sealed: nothing written
    read_card(bundle)


def test_reseal_refuses_a_card_changed_after_sealing(bundle):
    card = _card(bundle)
    card["fusion"]["rule"] = "max"
    _edit_card(bundle, card)
    with pytest.raises(BundleError, match=f"delete .*{CARD_DIGEST}"):
        reseal(bundle)


@pytest.mark.parametrize("damaged", ["image/image_weights.pt", "text/text.ubj"])
def test_corrupt_file_with_recomputed_checksums_is_a_bundle_error(bundle, damaged):
    path = bundle / damaged
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    write_card(bundle, _card(bundle))  # the checksums now certify the damaged file
    read_card(bundle)
    with pytest.raises(BundleError, match="could not be loaded") as err:
        load_bundle(bundle)
    assert WHAT_TO_DO in str(err.value)


def test_update_card_certifies_the_report_and_nothing_else(bundle):
    (bundle / "report" / "metrics.json").write_text("{}")
    (bundle / "report" / "new_plot.png").write_bytes(b"png")
    update_card(bundle, {"metrics": {"test": {"n_cases": 1}}}, renew="report")
    card = read_card(bundle)
    assert card["metrics"] == {"test": {"n_cases": 1}} and "report/new_plot.png" in card["files"]
    weights = bundle / "text" / "text.ubj"
    weights.write_bytes(weights.read_bytes() + b"x")
    with pytest.raises(BundleError, match=r"checksum mismatch for text/text\.ubj"):
        update_card(bundle, {"metrics": {}}, renew="report")
    assert _card(bundle)["metrics"] == {"test": {"n_cases": 1}}


def test_resealed_card_missing_what_loading_needs_is_a_bundle_error(bundle):
    card = _card(bundle)
    del card["fusion"]
    _forge(bundle, card)
    with pytest.raises(BundleError, match=r"KeyError.*skinmm train"):
        load_bundle(bundle)


def test_card_and_seal_are_readable_like_any_written_file(bundle):
    write_card(bundle, _card(bundle))
    probe = bundle / "probe"
    probe.write_bytes(b"")
    for name in (CARD, CARD_DIGEST):
        assert (bundle / name).stat().st_mode & 0o777 == probe.stat().st_mode & 0o777
    probe.unlink()
    read_card(bundle)
    assert not list(bundle.glob(".*.tmp"))
