"""Patient- (or lesion-) grouped, label-stratified splits, as in the paper.

Groups, not rows, are split: each group carries one label, the groups are stratified by it,
4:1 train:test. The training side keeps every image of its groups (multi-view); the test side
keeps exactly one image per group, the first by ``case_id`` so the choice is deterministic.
A validation set of whole groups is carved from the training side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from skinmm.data.manifest import (
    ManifestError,
    _rows,
    known_labels,
    validate_manifest,
    write_manifest,
)


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    val: pd.DataFrame
    test: pd.DataFrame
    # What the user should know about how the split was made (a side raised to one group
    # per class).
    notes: tuple[str, ...] = field(default=())

    def sides(self) -> dict[str, pd.DataFrame]:
        return {"train": self.train, "val": self.val, "test": self.test}


def _group_labels(frame: pd.DataFrame) -> pd.Series:
    # A patient with lesions of several diagnoses is stratified by the commonest of them.
    labels = frame.groupby("group_id", sort=True)["label"].agg(lambda s: s.value_counts().index[0])
    if "source" not in frame.columns or frame["source"].nunique() < 2:
        return labels
    # Several sources (skinmm merge): each keeps its own share of every class on each side.
    sources = frame.groupby("group_id", sort=True)["source"].first()
    return labels + " @ " + sources.astype(str)


def _refuse_rare(frame: pd.DataFrame, groups: pd.Series, side: str, source: str) -> None:
    """Refuse classes with fewer than 2 groups on ``side``, naming their manifest lines."""
    counts = groups.value_counts()
    rare = counts.index[counts < 2]
    if not len(rare):
        return
    rows = frame.index[frame["group_id"].isin(groups.index[groups.isin(rare)])]
    raise ManifestError(
        f"{source}: class(es) {', '.join(rare)} have fewer than 2 groups (patients) {side}, "
        f"at {_rows(rows)}; they cannot be split. Add patients of those classes, or remove "
        "those rows (or relabel them) and split again."
    )


def side_size(n_groups: int, n_classes: int, share: float) -> float | int:
    """``share`` of the groups, or one group per class where the share (rounded up, as
    scikit-learn does) would leave a class off the side: a small clinic (8 patients a class,
    12 classes) still gets a validation side that holds every class."""
    return share if math.ceil(share * n_groups) >= n_classes else n_classes


def _stratified(
    groups: pd.Series, size: float, seed: int, source: str, notes: list[str]
) -> tuple[pd.Index, pd.Index]:
    counts = groups.value_counts()
    taken = side_size(len(groups), len(counts), size)
    if taken != size:
        notes.append(
            f"{size:.0%} of {len(groups)} groups would leave classes off a side: "
            f"{taken} groups (one per class) were set aside instead."
        )
    try:
        keep, take = train_test_split(
            groups.index.to_numpy(dtype=object),
            test_size=taken,
            stratify=groups.to_numpy(dtype=object),
            random_state=seed,
        )
    except ValueError as exc:  # scikit-learn's text names its own parameters, not ours
        raise ManifestError(
            f"{source}: {len(groups)} groups of {len(counts)} classes cannot be split {size:.0%} aside "
            f"with every class on both sides ({exc}). Raise --test-size or --val-size, or add "
            "groups."
        ) from exc
    return pd.Index(sorted(keep)), pd.Index(sorted(take))


def one_per_group(frame: pd.DataFrame) -> pd.DataFrame:
    """The first row of each group by ``case_id``: the test side's single image per case.

    For a patient with several lesions this keeps one of them: the paper's test set has one
    image per case, and a case here is the group.
    """
    return frame.sort_values(["group_id", "case_id"]).drop_duplicates("group_id", keep="first")


def split_manifest(
    frame: pd.DataFrame,
    test_size: float = 0.2,
    val_size: float = 0.1,
    seed: int = 0,
    source: str = "The manifest to split",
) -> Split:
    """Split a manifest into train / val / test by group.

    ``val_size`` is the share of the training groups set aside for validation. Every row needs
    a label from :func:`skinmm.data.manifest.known_labels`; else :class:`ManifestError`, which
    names ``source`` and the rows (row ``i`` of ``frame``'s index is CSV line ``i + 2``).
    """
    if not 0 < test_size < 1 or not 0 <= val_size < 1:
        raise ValueError("test_size must be in (0, 1) and val_size in [0, 1).")
    # Labels that neither training nor evaluation could use would only fail later.
    validate_manifest(
        frame,
        classes=known_labels(),
        check_images=False,
        require_labels=True,
        source=source,
    )
    labels = _group_labels(frame)
    notes: list[str] = []
    _refuse_rare(frame, labels, "in the manifest", source)
    train_groups, test_groups = _stratified(labels, test_size, seed, source, notes)
    if val_size > 0:
        _refuse_rare(frame, labels.loc[train_groups], "left for training and validation", source)
        train_groups, val_groups = _stratified(
            labels.loc[train_groups], val_size, seed, source, notes
        )
    else:
        val_groups = pd.Index([])
    by_case = frame.sort_values("case_id")
    return Split(
        train=by_case[by_case["group_id"].isin(train_groups)].reset_index(drop=True),
        val=by_case[by_case["group_id"].isin(val_groups)].reset_index(drop=True),
        test=one_per_group(by_case[by_case["group_id"].isin(test_groups)]).reset_index(drop=True),
        notes=tuple(notes),
    )


def split_summary(split: Split) -> pd.DataFrame:
    """Rows and groups per class and side."""
    rows = {}
    for side, part in split.sides().items():
        rows[f"{side}_rows"] = part["label"].value_counts()
        rows[f"{side}_groups"] = part.groupby("label")["group_id"].nunique()
    table = pd.DataFrame(rows).fillna(0).astype(int).sort_index()
    table.loc["total"] = table.sum()
    table.index.name = "label"
    return table


def write_split(split: Split, out_dir: str | Path) -> dict[str, Path]:
    """Write train.csv, val.csv, test.csv and summary.csv."""
    out = Path(out_dir)
    paths = {
        side: write_manifest(part, out / f"{side}.csv") for side, part in split.sides().items()
    }
    summary = out / "summary.csv"
    split_summary(split).to_csv(summary)
    paths["summary"] = summary
    return paths
