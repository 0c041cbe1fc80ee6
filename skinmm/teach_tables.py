"""The Teach page's words and score table in the UI language (a quiz round's figures come
from :mod:`skinmm.teach`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from skinmm.i18n import t
from skinmm.taxonomy import DatasetClass
from skinmm.teach import ALL, MODEL, REFER, QuizRound


def answer_name(code: str, classes: Sequence[DatasetClass], language: str) -> str:
    """A bundle class's name, or the words for "refer"."""
    if code == REFER:
        return t("teach_refer", language)
    return next(c.name(language) for c in classes if c.code == code)


def answerer_name(name: str, language: str) -> str:
    """A participant as typed; the model in the UI language."""
    return t("teach_model", language) if name == MODEL else name


def scores_shown(quiz: QuizRound, classes: Sequence[DatasetClass], language: str) -> pd.DataFrame:
    """Right answers out of the cases shown, per true class then all, for each answerer."""
    table = quiz.scores(classes)
    names = {c.code: c.name(language) for c in classes}
    shown = pd.DataFrame(
        {
            t("teach_class", language): [
                t("teach_all", language) if code == ALL else names[code] for code in table["class"]
            ]
        }
    )
    shown[t("teach_shown", language)] = table["cases"]
    for name in [*quiz.participants, MODEL]:
        right = zip(table[name], table["cases"], strict=True)
        shown[answerer_name(name, language)] = [f"{r} / {n}" for r, n in right]
    return shown
