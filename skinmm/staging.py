"""Write a bundle beside its destination, then swap it in whole.

``skinmm train`` and ``skinmm refit-fusion`` write into a hidden sibling folder
(``.NAME.staging``) and only a finished, sealed bundle is renamed into place; the old one
is renamed aside (``.NAME.old``) first and deleted last. So a kill at any point leaves the
old bundle or the new one whole at ``NAME``, and a retrain in place starts from an empty
folder: it can never keep, and re-certify, the old bundle's test report.

The one moment with no folder at ``NAME`` lies between the two renames; :func:`recover`
(run before every write, and by :func:`skinmm.bundle.load_bundle` when ``NAME`` is
missing) puts the old bundle back from ``.NAME.old``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def sibling(out: Path, role: str) -> Path:
    """The hidden folder beside ``out`` for one role of the swap (``staging``, ``old``)."""
    return out.with_name(f".{out.name}.{role}")


def recover(out: Path) -> bool:
    """Undo what an interrupted swap left; True if the old bundle was put back."""
    out = Path(out)
    retired, staging = sibling(out, "old"), sibling(out, "staging")
    restored = False
    if retired.is_dir() and not out.exists():
        retired.rename(out)
        restored = True
    shutil.rmtree(retired, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    return restored


@contextmanager
def staged_bundle(out: Path) -> Iterator[Path]:
    """An empty folder to write the new bundle into; swapped in at ``out`` on success.

    On any exception (or a kill) the staging folder is abandoned and ``out`` is untouched.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    staging = sibling(out, "staging")
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, out)


def swap_in(staging: Path, out: Path) -> None:
    """Put the finished bundle at ``staging`` in place of ``out`` (if any), then drop the old."""
    retired = sibling(out, "old")
    if out.exists():
        out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)
