"""Several manifests -> one training set, each row tagged with the source it came from.

Group and case ids are prefixed with the source (``ham10000:HAM_0000118``), so that two
sources that both number their patients from 1 never share a group, and a split can never put
one source's patient on both sides because another source reused the id.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from skinmm.data.manifest import REQUIRED_COLUMNS, ManifestError, read_manifest

SOURCE = "source"


def _prefixed(values: pd.Series, sources: pd.Series) -> pd.Series:
    """``source:value``, left as it is where a previous merge already prefixed it."""
    heads = sources + ":"
    done = pd.Series(
        [v.startswith(h) for v, h in zip(values, heads, strict=True)], index=values.index
    )
    return values.where(done, heads + values)


def tag_source(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The manifest with a ``source`` on every row (its own where it has one, else ``name``)
    and source-prefixed group and case ids."""
    out = frame.copy()
    own = out[SOURCE].astype(str).str.strip() if SOURCE in out.columns else ""
    out[SOURCE] = pd.Series(own, index=out.index).where(lambda s: s != "", name)
    out["group_id"] = _prefixed(out["group_id"].astype(str), out[SOURCE])
    out["case_id"] = _prefixed(out["case_id"].astype(str), out[SOURCE])
    return out


def source_name(path: Path) -> str:
    """A source's default name: the file's stem, or its folder's for a split side."""
    return path.parent.name if path.stem in ("train", "val", "test", "manifest") else path.stem


def merge_manifests(paths: Sequence[Path], names: Sequence[str] | None = None) -> pd.DataFrame:
    """Read, tag and stack manifests; extra columns are kept (empty where a source lacks them).

    ``names`` gives each file's source name where its rows carry none (default: the file's
    name, see :func:`source_name`). Raises :class:`ManifestError` naming the files when two
    rows would share a case id.
    """
    if names is not None and len(names) != len(paths):
        raise ManifestError(
            f"{len(names)} --source name(s) for {len(paths)} manifest(s); give one per file."
        )
    frames = []
    for k, path in enumerate(paths):
        frame = read_manifest(path, check_images=False)
        tagged = tag_source(frame, names[k] if names else source_name(Path(path)))
        frames.append(tagged.assign(_file=str(path), _line=tagged.index + 2))
    merged = pd.concat(frames, ignore_index=True)
    _check_unique(merged)
    columns = [*REQUIRED_COLUMNS, SOURCE]
    extra = [c for c in merged.columns if c not in columns and not c.startswith("_")]
    return merged[columns + extra].astype({c: object for c in columns}).fillna(
        {c: "" for c in columns}
    )


def _check_unique(merged: pd.DataFrame) -> None:
    dup = merged[merged["case_id"].duplicated(keep=False)]
    if dup.empty:
        return
    shown = "; ".join(
        f"{case} ({file}, CSV line {line})"
        for case, file, line in dup[["case_id", "_file", "_line"]].head(6).to_numpy()
    )
    raise ManifestError(
        f"Case ids repeat across the merged manifests: {shown}. Give each file its own "
        "--source name (or its own `source` column), or rename those cases."
    )
