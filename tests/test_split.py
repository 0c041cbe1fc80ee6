import pandas as pd
import pytest

from skinmm.data.manifest import ManifestError
from skinmm.data.split import split_manifest, split_summary, write_split
from tests.conftest import synthetic_manifest


@pytest.fixture
def frame(tmp_path) -> pd.DataFrame:
    return synthetic_manifest(tmp_path / "img", n_groups=210, views=3)


def _group_share(part: pd.DataFrame) -> pd.Series:
    groups = part.drop_duplicates("group_id")
    return groups["label"].value_counts(normalize=True)


def test_no_group_on_two_sides(frame):
    split = split_manifest(frame, 0.2, 0.1, seed=0)
    sides = [set(p["group_id"]) for p in split.sides().values()]
    assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    assert set().union(*sides) == set(frame["group_id"])


def test_training_keeps_every_view_test_keeps_one(frame):
    split = split_manifest(frame, 0.2, 0.1, seed=0)
    assert (split.train.groupby("group_id").size() == 3).all()
    assert (split.val.groupby("group_id").size() == 3).all()
    assert split.test["group_id"].is_unique
    chosen = split.test.set_index("group_id")["case_id"]
    firsts = frame.sort_values("case_id").groupby("group_id")["case_id"].first()
    assert (chosen == firsts.loc[chosen.index]).all()


def _imbalanced(n_groups: int = 3000) -> pd.DataFrame:
    """HAM10000-like class shares, 1-3 views per group, no image files needed."""
    shares = {"nv": 0.67, "mel": 0.11, "bkl": 0.1, "bcc": 0.05, "akiec": 0.03, "vasc": 0.02}
    labels = [c for c, s in shares.items() for _ in range(round(s * n_groups))]
    rows = [
        {"case_id": f"c{g}_{v}", "group_id": f"G{g}", "image_path": "", "note": "", "label": label}
        for g, label in enumerate(labels)
        for v in range(1 + g % 3)
    ]
    return pd.DataFrame(rows)


def test_class_shares_within_two_points():
    frame = _imbalanced()
    split = split_manifest(frame, 0.2, 0.1, seed=0)
    overall = _group_share(frame)
    for part in split.sides().values():
        share = _group_share(part).reindex(overall.index, fill_value=0)
        assert (share - overall).abs().max() <= 0.02


def test_same_seed_same_output_other_seed_differs(frame, tmp_path):
    a = write_split(split_manifest(frame, seed=1), tmp_path / "a")
    b = write_split(split_manifest(frame, seed=1), tmp_path / "b")
    for side in ("train", "val", "test"):
        assert a[side].read_bytes() == b[side].read_bytes()
    c = split_manifest(frame, seed=2)
    assert set(c.test["group_id"]) != set(split_manifest(frame, seed=1).test["group_id"])


def test_summary_adds_up(frame):
    split = split_manifest(frame)
    table = split_summary(split)
    assert table.loc["total", "train_rows"] + table.loc["total", "val_rows"] == len(
        split.train
    ) + len(split.val)
    groups = table.loc["total", ["train_groups", "val_groups", "test_groups"]].sum()
    assert groups == frame["group_id"].nunique()


def test_unsplittable_class_is_a_clear_error(frame):
    lone = frame[frame["label"] != "df"].copy()
    extra = frame[frame["label"] == "df"].head(1)
    with pytest.raises(ManifestError, match="fewer than 2 groups"):
        split_manifest(pd.concat([lone, extra]))


def test_made_up_and_missing_labels_are_refused_with_their_rows(frame):
    bad = frame.copy()
    bad.loc[3, "label"] = "harmless-freckle"
    bad.loc[7, "label"] = ""
    with pytest.raises(ManifestError) as err:
        split_manifest(bad)
    text = str(err.value)
    assert "unknown label(s) harmless-freckle at CSV line(s) 5" in text
    assert "empty label at CSV line(s) 9" in text


def test_taxonomy_codes_and_other_label_spaces_can_be_split(frame):
    # What `skinmm evaluate` accepts: taxonomy codes a bundle class covers (sk -> bkl, ...).
    renamed = frame.replace({"label": {"bkl": "sk", "akiec": "bowen", "nv": "nev"}})
    split = split_manifest(renamed, seed=0)
    assert {"sk", "bowen", "nev"} <= set(split.train["label"])


def test_a_side_too_small_for_every_class_gets_one_group_per_class(tmp_path):
    from skinmm.taxonomy import TAXONOMY

    codes = list(TAXONOMY)  # 12 classes, 8 patients each: 10% of 76 is 8 validation groups
    small = synthetic_manifest(tmp_path / "img", n_groups=96, views=1, classes=codes)
    split = split_manifest(small, 0.2, 0.1, seed=0)
    assert set(split.val["label"]) == set(codes) and split.val["group_id"].nunique() == 12
    assert split.notes == (
        "10% of 76 groups would leave classes off a side: 12 groups (one per "
        "class) were set aside instead.",
    )
    assert split_manifest(small, 0.2, 0.2, seed=0).notes == ()  # 16 groups: the share holds
