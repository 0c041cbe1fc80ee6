"""Quiz rounds for teaching: cases drawn by a seed, participants' answers, scores per class.

A round is replayable: the same pool, size and seed draw the same cases in the same order. A
participant answers with one of the bundle's classes or :data:`REFER`; "refer" is right
exactly when the true class is malignant or premalignant (what a clinician who refers a
lesion for excision or biopsy is right to do), and a class is right when it is the true one.
The model answers with its most probable class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from skinmm.gallery import gallery_folder, load_gallery, report_image
from skinmm.taxonomy import DatasetClass, Risk

REFER = "refer"
MODEL = "__model__"  # the model's column in a score table; no participant may take the name
ALL = "all"
MAX_PARTICIPANTS = 12


@dataclass(frozen=True)
class QuizCase:
    """One case to show: a photo on disk, its note and (hidden until the reveal) its label."""

    case_id: str
    label: str
    photo: Path
    note_en: str
    note_zh: str = ""

    def note(self, lang: str) -> str:
        return self.note_zh if lang == "zh" and self.note_zh else self.note_en


def gallery_pool(bundle_dir: Path, codes: list[str]) -> list[QuizCase]:
    """The bundle's example gallery as quiz cases (works without the data folder)."""
    folder = gallery_folder(bundle_dir)
    return [
        QuizCase(e.case_id, e.label, e.photo_path(folder), e.note_en, e.note_zh)
        for e in load_gallery(bundle_dir, codes)
    ]


def held_out_pool(report_dir: Path, codes: list[str]) -> list[QuizCase]:
    """Every case of the bundle's test report whose photo is on this machine ([] if none)."""
    table = report_dir / "predictions.csv"
    if not table.is_file():
        return []
    frame = pd.read_csv(table, dtype=str, keep_default_na=False, usecols=_COLUMNS)
    pool = []
    for row in frame.itertuples(index=False):
        photo = report_image(row.image_path)
        if photo is not None and row.label in codes:
            pool.append(QuizCase(row.case_id, row.label, photo, row.note))
    return pool


_COLUMNS = ["case_id", "label", "image_path", "note"]


def draw_round(pool: Sequence[QuizCase], n: int, seed: int) -> list[QuizCase]:
    """``n`` distinct cases (all of them when the pool is smaller), the same for the same seed."""
    if n < 1:
        raise ValueError("A round needs at least one case.")
    ordered = sorted(pool, key=lambda c: c.case_id)
    picks = np.random.default_rng(seed).permutation(len(ordered))[:n]
    return [ordered[int(i)] for i in picks]


def parse_participants(text: str) -> list[str]:
    """Names from a comma-separated line (either comma), in order; duplicates refused."""
    names = [n.strip() for n in text.replace("，", ",").split(",") if n.strip()]
    if not names:
        raise ValueError("no_participants")
    if len(names) > MAX_PARTICIPANTS:
        raise ValueError("too_many_participants")
    if len({n.casefold() for n in names}) < len(names) or MODEL in names:
        raise ValueError("duplicate_participants")
    return names


def is_right(answer: str, label: str, classes: Sequence[DatasetClass]) -> bool:
    """A class is right when it is the true one; "refer" when the true class is not benign."""
    if answer == REFER:
        truth = next(c for c in classes if c.code == label)
        return truth.risk is not Risk.BENIGN
    return answer == label


def score_table(
    labels: Sequence[str],
    answers: Mapping[str, Sequence[str]],
    classes: Sequence[DatasetClass],
) -> pd.DataFrame:
    """Right answers per true class (rows, bundle order, then :data:`ALL`) for each answerer.

    Columns: ``cases`` (how many cases of the class were shown), then one per answerer.
    """
    rows = []
    codes = [c.code for c in classes]
    for code in [*codes, ALL]:
        shown = [k for k, label in enumerate(labels) if code in (label, ALL)]
        if not shown:
            continue
        row: dict[str, object] = {"class": code, "cases": len(shown)}
        for name, given in answers.items():
            row[name] = sum(is_right(given[k], labels[k], classes) for k in shown)
        rows.append(row)
    return pd.DataFrame(rows, columns=["class", "cases", *answers])


@dataclass
class QuizRound:
    """A round in progress: what was drawn, and what each answerer said on each shown case."""

    seed: int
    cases: list[QuizCase]
    participants: list[str]
    answers: dict[str, list[str]] = field(default_factory=dict)
    revealed: int = 0  # cases whose answers are committed and truth shown

    def __post_init__(self) -> None:
        for name in [*self.participants, MODEL]:
            self.answers.setdefault(name, [])

    @property
    def current(self) -> QuizCase:
        """The next case to answer."""
        if self.finished:
            raise ValueError("The round is over.")
        return self.cases[self.revealed]

    @property
    def last(self) -> QuizCase | None:
        """The case revealed most recently."""
        return self.cases[self.revealed - 1] if self.revealed else None

    def given(self, name: str) -> str | None:
        """``name``'s answer on the case revealed most recently."""
        return self.answers[name][-1] if self.revealed else None

    @property
    def finished(self) -> bool:
        return self.revealed >= len(self.cases)

    def commit(self, given: Mapping[str, str | None], model_answer: str) -> None:
        """Record every participant's answer and the model's for the current case."""
        missing = [name for name in self.participants if not given.get(name)]
        if missing:
            raise ValueError(f"No answer from: {', '.join(missing)}")
        if self.finished:
            raise ValueError("The round is over.")
        for name in self.participants:
            self.answers[name].append(str(given[name]))
        self.answers[MODEL].append(model_answer)
        self.revealed += 1

    def scores(self, classes: Sequence[DatasetClass]) -> pd.DataFrame:
        labels = [c.label for c in self.cases[: self.revealed]]
        return score_table(labels, self.answers, classes)
