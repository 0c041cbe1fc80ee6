"""A one-shot command's note scored by the text branch in a child process.

``skinmm predict`` with a note spends most of its start-up on two independent paths: torch and
the image branch, and XGBoost (which imports scikit-learn), the sentence encoder's tokenizer
and its weights. They meet only at fusion, so :func:`offloaded_text` starts a child process at
the command's entry, before torch is imported (a fork is then cheap and safe: no threads yet),
that loads the text branch and scores the note while this process loads the image branch.
The bundle then gets an :class:`OffloadedText` as its text branch (``load_bundle``'s
``text_loader``), which answers from the child's result.

The result is the one the text branch would give in this process: the child runs the same
``TextBranch.predict_proba`` on the same note. Anything else falls back to scoring here, so
that what a user sees never depends on the child: a child that fails (the error the same
code then raises here is the refusal the user sees, the same as without a child), dies, or
read a different bundle (a model swapped in between: fingerprints differ); a note other than
the one sent; or no note at all (then XGBoost is never loaded). No child is started where it
cannot pay or fork safely: in a process that has already imported torch or XGBoost, or that
runs other threads (a test session, a notebook).
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from skinmm.branch import NoteModel
    from skinmm.card import ModelCard
    from skinmm.text.branch import TextBranch


ChildAnswer = tuple[str, np.ndarray, list[Any]]


def score_notes(bundle_dir: str, notes: list[str | None]) -> ChildAnswer:
    """The fingerprint of the card that certified the text branch, the branch's
    probabilities for ``notes`` and what the note reader read in each (None for a note
    without text). Run in the child; module level, so that it pickles by name.

    The child's imports skip two optional extras it never uses, which cost more than the rest
    of its work: thinc's torch support (spaCy imports torch where it is installed; the
    reader's blank pipelines run no network) and XGBoost's scikit-learn estimators (the
    branch scores with a Booster). A bundle whose branch needs either imports it afterwards.
    """
    from skinmm.text.clean import clean_note

    with absent("torch"):
        from skinmm.text.facts import read_note

        readings = [read_note(n) if n is not None and clean_note(n) else None for n in notes]
    with absent("sklearn"):
        import xgboost  # noqa: F401  (imported here, without its estimators)
    from skinmm.bundle import load_text_branch

    fingerprint, branch = load_text_branch(bundle_dir)
    return fingerprint, branch.predict_proba(notes), readings


@contextmanager
def absent(*names: str) -> Iterator[None]:
    """Imports inside the block find ``names`` not installed, unless already imported.

    ``sys.modules[name] = None`` makes ``import name`` raise ImportError (the import
    system's documented switch); optional imports then take their fallback. Afterwards the
    modules are importable again.
    """
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


class OffloadedText:
    """The bundle's text branch, scoring from the child's result where it can.

    Answers :attr:`classes_`, :meth:`truncated` and :meth:`has_text` from the branch's
    settings (no XGBoost), and a note without text as the branch does (a NaN row) without
    loading anything; otherwise the child's result, or the branch loaded here.
    """

    def __init__(
        self,
        shell: TextBranch,
        bundle_dir: Path,
        fingerprint: str,
        job: tuple[list[str | None], Future[ChildAnswer]] | None,
    ) -> None:
        self._shell = shell  # settings only: TextBranch.load(..., booster=False)
        self._bundle_dir = bundle_dir
        self._fingerprint = fingerprint
        self._job = job
        self._here: NoteModel | None = None

    @property
    def classes_(self) -> list[str]:
        return self._shell.classes_

    @property
    def loaded_here(self) -> bool:
        """Whether the branch was loaded in this process (a note was not the child's)."""
        return self._here is not None

    @property
    def hyperparams(self) -> dict[str, Any]:
        return self._shell.hyperparams

    def truncated(self, notes: Sequence[str | None]) -> np.ndarray:
        return self._shell.truncated(notes)

    def has_text(self, notes: Sequence[str | None]) -> np.ndarray:
        return self._shell.has_text(notes)

    def predict_proba(self, notes: Sequence[str | None]) -> np.ndarray:
        """As ``TextBranch.predict_proba``: (n, n_classes), NaN rows for notes without text."""
        if not self._shell.has_text(notes).any():
            return np.full((len(notes), len(self.classes_)), np.nan)
        if self._job is not None and list(notes) == self._job[0]:
            answer = self._child_answer()
            if answer is not None:
                return answer[1]
        return self._branch_here().predict_proba(notes)

    def read_note(self, note: str) -> Any:
        """What the note reader reads in ``note``: the child's reading of it where it has one
        (the same reader, the same answer), else read here."""
        if self._job is not None and note in self._job[0]:
            answer = self._child_answer()
            reading = None if answer is None else answer[2][self._job[0].index(note)]
            if reading is not None:
                return reading
        from skinmm.text.facts import read_note

        return read_note(note)

    def _child_answer(self) -> ChildAnswer | None:
        assert self._job is not None
        try:
            answer = self._job[1].result()
        except Exception:
            # Scored here instead: a real fault raises here the refusal it raises without a
            # child; a child killed or unable to start costs only the time.
            return None
        return answer if answer[0] == self._fingerprint else None

    def _branch_here(self) -> NoteModel:
        if self._here is None:
            from skinmm.bundle import BundleError, load_text_branch

            fingerprint, self._here = load_text_branch(self._bundle_dir)
            if fingerprint != self._fingerprint:
                raise BundleError(
                    f"Bundle {self._bundle_dir} was replaced while this command ran (its model "
                    "card changed). Run the command again."
                )
        return self._here

    def card(self) -> dict[str, Any]:
        return self._branch_here().card()

    def fit(self, train: pd.DataFrame, val: pd.DataFrame, /, *, cache_dir: Path) -> Self:
        raise TypeError("An offloaded text branch only predicts; fit a TextBranch instead.")


class _Loader:
    """``load_bundle``'s ``text_loader``: the branch's settings, and the child's job."""

    def __init__(self, job: tuple[list[str | None], Future[ChildAnswer]] | None):
        self._job = job

    def __call__(self, text_dir: Path, card: ModelCard) -> OffloadedText:
        from skinmm.text.branch import TextBranch

        shell = TextBranch.load(text_dir, booster=False)
        return OffloadedText(shell, text_dir.parent, card.fingerprint, self._job)


def _child_pays() -> bool:
    """Whether a child saves time, and may be forked safely.

    A child pays for overlapping the imports of torch and XGBoost, so not once either is
    loaded (a test session, a notebook); and a fork is safe only while this process runs one
    thread (an OpenMP pool or a lock held by another thread would be copied half-way).
    """
    return (
        "torch" not in sys.modules
        and "xgboost" not in sys.modules
        and threading.active_count() == 1
    )


@contextmanager
def offloaded_text(bundle_dir: str | Path, notes: list[str | None]) -> Iterator[_Loader]:
    """Start scoring ``notes`` in a child process now; yields the ``text_loader`` to give
    :func:`skinmm.bundle.load_bundle`. Call it before torch is imported.

    With no note to score, no child is started. On leaving, the child is waited for (it
    finishes its one job; nothing is left running).
    """
    from skinmm.text.clean import clean_notes

    if not any(clean_notes(notes)) or not _child_pays():
        yield _Loader(None)
        return
    # Fork: the child starts at once with what this process has imported (argparse and
    # little else), rather than importing this module afresh.
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        future = pool.submit(score_notes, str(Path(bundle_dir).resolve()), list(notes))
        yield _Loader((list(notes), future))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
