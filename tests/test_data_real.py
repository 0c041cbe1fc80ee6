"""Data tests on the raw public datasets; skipped where they are absent."""

import pytest

from skinmm.data.datasets import ham10000_manifest, pad_ufes20_manifest
from skinmm.data.split import split_manifest
from tests.conftest import DATA_DIR, needs_data

pytestmark = [needs_data, pytest.mark.data]


@pytest.fixture(scope="module")
def ham():
    return ham10000_manifest(DATA_DIR)


def test_ham10000_manifest_has_every_image_and_seven_classes(ham):
    assert len(ham) == 10015
    assert ham["label"].nunique() == 7
    assert ham["group_id"].nunique() == 7470
    assert "dx_type" not in ham.columns
    assert not ham["note"].str.contains("unknown", case=False).any()


def test_ham10000_split_sizes_add_up(ham):
    split = split_manifest(ham, 0.2, 0.1, seed=0)
    assert len(split.train) + len(split.val) + split.test["group_id"].nunique() <= len(ham)
    groups = sum(p["group_id"].nunique() for p in split.sides().values())
    assert groups == 7470
    assert len(split.test) == split.test["group_id"].nunique()


def test_pad_ufes20_manifest_is_text_only_and_grouped_by_patient():
    pad = pad_ufes20_manifest(DATA_DIR, lang="zh")
    assert len(pad) == 2298 and pad["group_id"].nunique() == 1373
    assert set(pad["label"]) == {"ack", "bcc", "mel", "nev", "scc", "sek"}
    assert (pad["image_path"] == "").all()
    assert "biopsed" not in pad.columns and pad["note"].str.contains("岁").mean() > 0.9


def test_ham10000_split_is_stratified_at_group_level(ham):
    split = split_manifest(ham, 0.2, 0.1, seed=0)
    overall = ham.drop_duplicates("group_id")["label"].value_counts(normalize=True)
    for part in split.sides().values():
        share = part.drop_duplicates("group_id")["label"].value_counts(normalize=True)
        assert (share.reindex(overall.index, fill_value=0) - overall).abs().max() <= 0.02
