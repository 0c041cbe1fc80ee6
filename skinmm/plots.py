"""Static PNG plots of an evaluation report (the dashboard draws its own, interactive ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; never a window

import matplotlib.pyplot as plt
import numpy as np

BRANCHES = ("image", "text", "fused")


def _confusions(metrics: dict[str, Any], path: Path) -> None:
    codes = metrics["classes"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    for ax, branch in zip(axes, BRANCHES, strict=True):
        if not metrics[branch]["n_cases"]:
            ax.set_title(f"{branch}: no case had this input")
            ax.axis("off")
            continue
        counts = np.asarray(metrics[branch]["confusion"], dtype=float)
        rows = counts / np.clip(counts.sum(axis=1, keepdims=True), 1, None)
        ax.imshow(rows, cmap="Blues", vmin=0, vmax=1)
        for i in range(len(codes)):
            for j in range(len(codes)):
                colour = "white" if rows[i, j] > 0.5 else "black"
                ax.text(j, i, int(counts[i, j]), ha="center", va="center", fontsize=8, color=colour)
        ax.set_xticks(range(len(codes)), codes, rotation=45)
        ax.set_yticks(range(len(codes)), codes)
        ax.set_title(f"{branch}: weighted F1 {metrics[branch]['weighted_f1']:.3f}")
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _per_class_f1(metrics: dict[str, Any], path: Path) -> None:
    codes = metrics["classes"]
    x = np.arange(len(codes))
    fig, ax = plt.subplots(figsize=(9, 4))
    for k, branch in enumerate(BRANCHES):
        f1 = [metrics[branch]["per_class"][c]["f1"] or 0.0 for c in codes]
        ax.bar(x + (k - 1) * 0.27, f1, width=0.27, label=branch)
    ax.set_xticks(x, codes)
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _roc(metrics: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for code in metrics["classes"]:
        curve = metrics["fused"]["roc"][code]
        auc = metrics["fused"]["per_class"][code]["auc"]
        if curve["fpr"]:
            ax.plot(curve["fpr"], curve["tpr"], label=f"{code} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("fused, one-vs-rest ROC")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plots(metrics: dict[str, Any], out: Path) -> list[Path]:
    paths = [out / "confusion.png", out / "per_class_f1.png", out / "roc_fused.png"]
    for draw, path in zip((_confusions, _per_class_f1, _roc), paths, strict=True):
        draw(metrics, path)
    return paths
