"""The Dashboard's test report: read and checked once, then the line that sums it up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from skinmm.bundle import Bundle
from skinmm.errors import explain
from skinmm.i18n import rule_name, t
from skinmm.report_tables import report_missing, unmapped_labels
from views.common import read_json
from views.error_box import show_explanation


def load_report(report_dir: Path, language: str) -> dict[str, Any]:
    """The report, or an error saying it cannot be read, then stop."""
    path = report_dir / "metrics.json"
    try:
        report = read_json(str(path), path.stat().st_mtime)
        missing = report_missing(report)
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        show_explanation(explain(exc, "err_report_unreadable"), language)
        st.stop()
    return report


def show_report_summary(metrics: dict[str, Any], bundle: Bundle, language: str) -> None:
    st.caption(
        t(
            "report_summary",
            language,
            n=int(metrics.get("n_cases", 0)),
            rule=rule_name(str(metrics.get("rule", bundle.fusion.rule)), language),
            agree=float(metrics.get("agreement_rate", float("nan"))),
        )
    )
    unmapped = metrics.get("unmapped") or {}
    if unmapped.get("count"):
        labels = unmapped_labels(unmapped)
        st.caption(t("unmapped", language, count=int(unmapped["count"]), labels=labels))
