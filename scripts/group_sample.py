"""A label-stratified share of a manifest's groups, every row of each group kept.

Used for the HAM10000 + PAD-UFES-20 union run on a shared 2-core machine, where computing the
image cache of the whole HAM10000 training side did not fit the time (docs/results/union.json):
    python scripts/group_sample.py data/ham10000/split/train.csv 0.2 data/ham10000/sub/train.csv
"""

from __future__ import annotations

import sys

from sklearn.model_selection import train_test_split

from skinmm.data.manifest import read_manifest, write_manifest


def main(source: str, share: float, out: str, seed: int = 0) -> None:
    frame = read_manifest(source, check_images=False)
    labels = frame.groupby("group_id")["label"].first()
    _, kept = train_test_split(
        labels.index.to_numpy(), test_size=share, stratify=labels.to_numpy(), random_state=seed
    )
    sample = frame[frame["group_id"].isin(set(kept))]
    write_manifest(sample, out)
    print(f"{len(sample)} rows, {len(kept)} of {len(labels)} groups -> {out}")
    print(sample["label"].value_counts().to_string())


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3])
