"""`skinmm study`: the paper's protocol on one labelled manifest, end to end.

Patient-level stratified 4:1 split (every view in training, one image per test case), both
branches, the fusion chosen on validation groups, every fusion rule scored on the test split,
and a short Markdown report with the paper's figures beside these. The bundle's own report
folder is what the Dashboard opens (`skinmm serve --bundle DIR/bundle`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skinmm.data.manifest import known_labels, read_manifest
from skinmm.data.split import split_manifest, write_split
from skinmm.metrics import N_BOOTSTRAP
from skinmm.options import fill

# The paper's test-set weighted F1 (12 classes, 15,925 patients): what a study is read against.
PAPER_WEIGHTED_F1 = {"fused": 0.816, "image": 0.799, "text": 0.732}


@dataclass(frozen=True)
class StudyConfig:
    manifest: Path
    out: Path
    recipe: str = "default"
    label_space: str = "auto"
    test_size: float = 0.2
    val_size: float = 0.1
    seed: int = 0
    cache_dir: Path | None = None
    n_boot: int = N_BOOTSTRAP
    image_params: dict[str, Any] = field(default_factory=dict)
    text_params: dict[str, Any] = field(default_factory=dict)


def run_study(config: StudyConfig) -> Path:
    """Split, train, evaluate and write ``study.md``; returns the report's path."""
    from skinmm.bundle import load_bundle
    from skinmm.evaluate import evaluate_bundle
    from skinmm.train import TrainConfig, train_bundle

    frame = read_manifest(config.manifest, classes=known_labels(), require_labels=True)
    source = f"Manifest {config.manifest}"
    split = split_manifest(frame, config.test_size, config.val_size, config.seed, source)
    paths = write_split(split, config.out / "split")
    bundle_dir = train_bundle(
        fill(TrainConfig, config, train=paths["train"], val=paths["val"], out=config.out / "bundle")
    )
    bundle = load_bundle(bundle_dir)
    metrics = evaluate_bundle(
        bundle,
        paths["test"],
        bundle_dir / "report",
        cache_dir=config.cache_dir,
        seed=config.seed,
        n_boot=config.n_boot,
    )
    report = config.out / "study.md"
    text = study_markdown(metrics, bundle.not_covered, config, split.notes)
    report.write_text(text, encoding="utf-8")
    return report


def _f(value: Any) -> str:
    return "—" if value is None else f"{float(value):.3f}"


def _interval(report: dict[str, Any], key: str) -> str:
    ci = (report.get("ci") or {}).get(key)
    return f" ({_f(ci[0])}–{_f(ci[1])})" if isinstance(ci, list | tuple) and len(ci) == 2 else ""


def _weighted_rows(metrics: dict[str, Any]) -> list[str]:
    rows = []
    named = [("image", metrics["image"]), ("text", metrics["text"]), ("fused", metrics["fused"])]
    named += [(f"rule: {r}", v) for r, v in metrics["fusion_rules"].items()]
    for name, r in named:
        paper = PAPER_WEIGHTED_F1.get(name)
        rows.append(
            f"| {name} | {_f(r['weighted_precision'])} | {_f(r['weighted_recall'])} | "
            f"{_f(r['weighted_f1'])}{_interval(r, 'weighted_f1')} | {_f(paper)} | {r['n_cases']} |"
        )
    return rows


def _class_rows(metrics: dict[str, Any]) -> list[str]:
    rows = []
    for code in metrics["classes"]:
        auc = {b: metrics[b]["per_class"][code].get("auc") for b in ("image", "text", "fused")}
        support = metrics["fused"]["per_class"][code]["support"]
        helps = metrics["text_compensating_image"].get(code)
        rows.append(
            f"| {code} | {support} | {_f(auc['image'])} | {_f(auc['text'])} | "
            f"{_f(auc['fused'])} | {_f(helps)} |"
        )
    return rows


def study_markdown(
    metrics: dict[str, Any],
    not_covered: list[str],
    config: StudyConfig,
    split_notes: Sequence[str] = (),
) -> str:
    """The study's short report: the paper's tables on this data, the paper's figures beside."""
    lines = [
        "# SkinMM study",
        "",
        f"Manifest `{config.manifest}`; patient-level stratified split (test {config.test_size:g}, "
        f"validation {config.val_size:g} of training groups, seed {config.seed}); recipe "
        f"`{config.recipe}`. {metrics['n_cases']} test cases, {metrics['n_with_both_inputs']} "
        f"with image and note. Default decision: `{metrics['rule']}`. 95% intervals: grouped "
        f"bootstrap, {metrics['bootstrap']['replicates']} replicates.",
        *(f"Split: {note}" for note in split_notes),
        "",
        "Not recognisable by this bundle (no class covers them): "
        + (", ".join(not_covered) if not_covered else "none of the 12 reference tumours")
        + ".",
        "",
        "## Weighted precision, recall, F1 (test split)",
        "",
        "| model | precision | recall | F1 (95% CI) | the paper's F1 | cases |",
        "|---|---|---|---|---|---|",
        *_weighted_rows(metrics),
        "",
        "The paper's figures come from its own 12-class data (15,925 patients); they are a "
        "reference, not a comparison on the same cases.",
        "",
        "## Per class: AUC and where the note corrects the image",
        "",
        "| class | test cases | AUC image | AUC text | AUC fused | text compensating image |",
        "|---|---|---|---|---|---|",
        *_class_rows(metrics),
        "",
        f"Branches agree on {_f(metrics['agreement_rate'])} of the cases with both inputs. "
        "Error patterns: the confusion matrices and error explorer of the Dashboard "
        "(`skinmm serve --bundle " + str(config.out / "bundle") + "`).",
        "",
    ]
    return "\n".join(lines)
