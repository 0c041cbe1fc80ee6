"""Markdown tables from `skinmm text-evidence` reports.

python -m skinmm.text.report runs/text-eval/ham.json runs/text-eval/pad.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

METRICS = ("weighted_f1", "macro_f1", "balanced_accuracy")
FULL = "drop 0% en"


def _cells(row: dict[str, Any], keys: tuple[str, ...] = METRICS) -> str:
    return " | ".join(f"{row[k]:.3f}" for k in keys)


def embedders(report: dict[str, Any]) -> list[str]:
    return [k for k, v in report.items() if isinstance(v, dict) and "card" in v]


def main_table(reports: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| dataset | model | weighted F1 | macro F1 | balanced acc. | n |",
        "|---|---|---|---|---|---|",
    ]
    for r in reports:
        for spec in embedders(r):
            test = r[spec]["test"]
            for lang in ("en", "zh"):
                row = test[f"drop 0% {lang}"]
                lines.append(
                    f"| {r['dataset']} | text, {spec}, {lang} notes | {_cells(row)} | {row['n']} |"
                )
        row = r["tabular"]["drop 0%"]
        lines.append(
            f"| {r['dataset']} | tabular XGBoost, same fields | {_cells(row)} | {row['n']} |"
        )
    return lines


def dropout_table(report: dict[str, Any], spec: str) -> list[str]:
    lines = [
        "| test notes | text wF1 | text macro F1 | text bal. acc. | text coverage | "
        "text: share predicted majority | tabular wF1 | tabular bal. acc. | "
        "tabular: share predicted majority |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("drop 0%", "drop 30%", "drop 70%", "no age"):
        text, tab = report[spec]["test"][f"{name} en"], report["tabular"][name]
        lines.append(
            f"| {name} | {_cells(text)} | {text['coverage']:.3f} | "
            f"{text['predicted_majority']:.3f} | "
            f"{_cells(tab, ('weighted_f1', 'balanced_accuracy'))} | {tab['predicted_majority']:.3f} |"
        )
    return lines


def _speed_table(rows: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[str]:
    """One row per (embedder, its test scores, its entry with the timings)."""
    lines = [
        "| embedder | weighted F1 | macro F1 | balanced acc. | embedding s / 100 notes | fit s |",
        "|---|---|---|---|---|---|",
    ]
    for spec, scores, entry in rows:
        lines.append(
            f"| {spec} | {_cells(scores)} | "
            f"{entry['embed_seconds_per_100']:.2f} | {entry['fit_seconds']:.0f} |"
        )
    return lines


def embedder_table(report: dict[str, Any]) -> list[str]:
    return _speed_table(
        [(spec, report[spec]["test"][FULL], report[spec]) for spec in embedders(report)]
    )


def calibration_table(reports: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| dataset | embedder | temperature | val ECE before | val ECE after | "
        "test ECE before | test ECE after |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        for spec in embedders(r):
            card, ece = r[spec]["card"], r[spec]["test"]["test_ece"]
            lines.append(
                f"| {r['dataset']} | {spec} | {card['temperature']:.3f} | "
                f"{card['ece_before']:.3f} | {card['ece_after']:.3f} | "
                f"{ece['before']:.3f} | {ece['after']:.3f} |"
            )
    return lines


def light_table(report: dict[str, Any]) -> list[str]:
    entries = [(k, e) for k, e in report.items() if isinstance(e, dict) and "test" in e]
    return _speed_table([(spec, entry["test"], entry) for spec, entry in entries])


def render(reports: list[dict[str, Any]]) -> str:
    light = [r for r in reports if r.get("protocol") == "light"]
    out = []
    for r in light:
        out += [f"### Embedders, {r['dataset']} (light protocol)", "", *light_table(r), ""]
    reports = [r for r in reports if r.get("protocol") != "light"]
    out += ["### Test results (notes with every field)", "", *main_table(reports)]
    for r in reports:
        for spec in embedders(r):
            out += ["", f"### Missing fields, {r['dataset']}, {spec}", "", *dropout_table(r, spec)]
        if len(embedders(r)) > 1:
            out += ["", f"### Embedders, {r['dataset']}", "", *embedder_table(r)]
    out += ["", "### Calibration", "", *calibration_table(reports)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    paths = argv if argv is not None else sys.argv[1:]
    if not paths:
        raise SystemExit("usage: python -m skinmm.text.report REPORT.json [...]")
    print(render([json.loads(Path(p).read_text()) for p in paths]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
