"""The Dashboard's checks and tables over a bundle's test report (``metrics.json`` and
``predictions.csv``): what a report must hold, the unmapped labels line, the error table and
where a test image is on this machine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from skinmm.charts import BRANCHES
from skinmm.i18n import t

# What every branch of a report must hold for the Dashboard to draw it.
BRANCH_FIELDS = ("weighted_f1", "confusion", "per_class", "roc")
NOTE_CHARS = 160


def report_missing(report: dict[str, Any]) -> list[str]:
    """The fields a report lacks (``image.roc``...); [] when the Dashboard can draw it."""
    missing = [k for k in ("classes", *BRANCHES) if k not in report]
    return missing + [
        f"{b}.{k}" for b in BRANCHES for k in BRANCH_FIELDS if k not in report.get(b, {})
    ]


def unmapped_labels(unmapped: dict[str, Any]) -> str:
    """The test labels no class covers, with their counts when the report has them."""
    listed = unmapped.get("labels") or {}
    if isinstance(listed, dict):
        return ", ".join(f"{k} ({v})" for k, v in listed.items())
    return ", ".join(map(str, listed))


def errors_table(rows: pd.DataFrame, name: Callable[[str], str], language: str) -> pd.DataFrame:
    """The misclassified cases with every branch's answer named; notes cut to a glance."""
    return pd.DataFrame(
        {
            t("col_case", language): rows["case_id"],
            t("col_true", language): rows["label"].map(name),
            t("col_fused_pred", language): rows["fused_pred"].map(name),
            t("col_image_pred", language): rows["image_pred"].map(name),
            t("col_text_pred", language): rows["text_pred"].map(name),
            t("col_note", language): rows["note"].astype(str).str.slice(0, NOTE_CHARS),
        }
    )


def resolve_image(value: Any, data_folder: Path, working: Path) -> Path | None:
    """A test image on this machine: absolute, or relative to the data folder or the working
    folder; else None."""
    if not isinstance(value, str) or not value:
        return None
    path = Path(value)
    for candidate in (path,) if path.is_absolute() else (data_folder / path, working / path):
        if candidate.is_file():
            return candidate
    return None
