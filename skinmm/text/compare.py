"""Facts + embedding vs embedding only vs the tabular reference, with 95% intervals.

python -m skinmm.text.compare --data data/pad/manifest.csv \
    --out docs/results/text_pad_ufes20.json

The same patient-grouped PAD-UFES-20 split as `skinmm.text.evaluate` (hyperparameters by
grouped CV on the training patients, early stopping and temperature on the validation
patients), then the test lesions read once: English and Chinese notes with each fact
dropped at 0/30/50/70% (seeded; the tabular model loses exactly the same facts). Intervals
are grouped bootstrap over test patients (skinmm.metrics, 1,000 replicates, seed 0).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skinmm.cache import default_cache_dir
from skinmm.data.notes import render_note
from skinmm.metrics import bootstrap, intervals, report_statistic
from skinmm.taxonomy import label_space
from skinmm.text.branch import TextBranch
from skinmm.text.dropout import DEFAULT_COPIES, check_dropout
from skinmm.text.evaluate import SPACES, load_ham, load_pad
from skinmm.text.fact_features import FEATURE_OPTIONS, read_facts
from skinmm.text.tabular import TabularReference, dropped_records

DROPS = (0.0, 0.3, 0.5, 0.7)
FIGURES = ("weighted_f1", "balanced_accuracy", "macro_f1")
# Model name in the report -> (text-branch feature option, note language).
TEXT_MODELS: dict[str, tuple[str, str]] = {
    "text": ("facts+embedding", "en"),
    "text_zh": ("facts+embedding", "zh"),
    "text_rendered": ("facts+rendered", "en"),
    "text_rendered_zh": ("facts+rendered", "zh"),
    "embedding_only": ("embedding", "en"),
    "embedding_only_zh": ("embedding", "zh"),
    "facts_only": ("facts", "en"),
    "facts_only_zh": ("facts", "zh"),
}


def scored(
    y: np.ndarray, proba: np.ndarray, groups: list[str], classes: list[str], n_boot: int
) -> dict[str, Any]:
    """Figures of the rows with a prediction, each with its grouped 95% interval."""
    rows = np.flatnonzero(~np.isnan(proba).any(axis=1))
    filled = np.nan_to_num(proba)
    statistic = report_statistic(y, filled, classes, rows)
    point = statistic(np.ones(len(y)))
    draws = bootstrap({"s": statistic}, groups, n_boot=n_boot, seed=0)["s"]
    cis = intervals({f: draws[f] for f in FIGURES})
    out: dict[str, Any] = {f: round(point[f], 4) for f in FIGURES}
    out |= {f"{f}_ci": cis[f] for f in FIGURES}
    out["n"] = len(rows)
    out["coverage"] = round(len(rows) / len(y), 4)
    return out


def language_gap(en: np.ndarray, zh: np.ndarray) -> dict[str, Any]:
    """How far the same facts written in English and in Chinese move the probabilities."""
    both = ~(np.isnan(en).any(axis=1) | np.isnan(zh).any(axis=1))
    if not both.any():
        return {"n": 0}
    gap = np.abs(en[both] - zh[both]).max(axis=1)
    return {
        "max_abs_diff_per_class": {
            "mean": round(float(gap.mean()), 4),
            "median": round(float(np.median(gap)), 4),
            "p95": round(float(np.percentile(gap, 95)), 4),
            "max": round(float(gap.max()), 4),
        },
        "share_within_0.05": round(float((gap <= 0.05).mean()), 4),
        "n": int(both.sum()),
    }


def reader_agreement(records: list[dict[str, Any]]) -> tuple[np.ndarray, dict[str, Any]]:
    """Where the note reader reads the same facts from a case's English and Chinese notes
    (where facts+rendered is the same input by construction), and which facts differ."""
    en = read_facts([render_note(r, "en") for r in records])
    zh = read_facts([render_note(r, "zh") for r in records])
    same = np.array([dict(a) == dict(b) for a, b in zip(en, zh, strict=True)])
    differing = Counter(
        name for a, b in zip(en, zh, strict=True) for name in {*a, *b} if a.get(name) != b.get(name)
    )
    summary = {
        "share_same_facts_read": round(float(same.mean()), 4),
        "n_same": int(same.sum()),
        "n": len(same),
        "facts_read_differently": dict(differing.most_common()),
    }
    return same, summary


def language_gaps(probas: dict[str, np.ndarray], same: np.ndarray, tag: str) -> dict[str, Any]:
    """EN vs ZH probability gaps on whole test notes: all cases, then split by whether the
    reader read the same facts from both."""
    out: dict[str, Any] = {}
    for name in ("text", "text_rendered", "facts_only", "embedding_only"):
        if f"{name} 0.0" not in probas:
            continue
        en, zh = probas[f"{name} 0.0"], probas[f"{name}_zh 0.0"]
        out[name + tag] = {
            **language_gap(en, zh),
            "same_facts_read": language_gap(en[same], zh[same]),
            "facts_read_differently": language_gap(en[~same], zh[~same]),
        }
    return out


def _load(args: argparse.Namespace) -> tuple[pd.DataFrame, ...]:
    data = Path(args.data)
    return load_ham(data) if args.dataset == "ham" else load_pad(data, args.seed)


def run(args: argparse.Namespace, command: str) -> dict[str, Any]:
    train, val, test = _load(args)
    classes = [c.code for c in label_space(SPACES[args.dataset])]
    y = test["label"].map(classes.index).to_numpy(dtype=int)
    groups = test["group_id"].tolist()
    conditions = {p: dropped_records(test, p, args.seed) for p in DROPS}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "command": command,
        "dataset": args.dataset,
        "sizes": {"train": len(train), "val": len(val), "test": len(test)},
        "seed": args.seed,
        "bootstrap": {"replicates": args.n_boot, "groups": "patients (group_id)", "seed": 0},
    }
    dropout = {"fact_dropout": args.fact_dropout, "copies": args.dropout_copies}
    tabular = TabularReference(classes=classes, n_jobs=1).fit(train, val, seed=args.seed, **dropout)
    report[f"fit tabular{args.tag}"] = {
        "fact_dropout": tabular.fact_dropout_,
        "dropout_cv_macro_f1": tabular.dropout_cv_,
        "hyperparameters": tabular.params_,
    }
    report[f"tabular{args.tag}"] = {
        f"drop {int(p * 100)}%": scored(y, tabular.predict_proba(r), groups, classes, args.n_boot)
        for p, r in conditions.items()
    }
    probas: dict[str, np.ndarray] = {}
    for features in dict.fromkeys(args.features):
        start = time.perf_counter()
        params = {"features": features, "n_jobs": 1, **args.params.get(features, {})}
        if args.fact_dropout is not None:
            params |= {"fact_dropout": args.fact_dropout, "dropout_copies": args.dropout_copies}
        branch = TextBranch(args.embedder, classes=classes, **params)
        branch.fit(train, val, cache_dir=Path(args.cache_dir), seed=args.seed)
        card = branch.card()
        report[f"fit {features}{args.tag}"] = {
            "seconds": round(time.perf_counter() - start, 1),
            "grouped_cv_macro_f1": card["feature_choice"]["cv_macro_f1"][features],
            "hyperparameters": card["hyperparameters"],
            "search": card["branch"]["search"],
            "fact_dropout": card["fact_dropout"],
            "temperature": card["temperature"],
        }
        for name, (option, lang) in TEXT_MODELS.items():
            if option != features:
                continue
            report[name + args.tag] = {}
            for p, records in conditions.items():
                proba = branch.predict_proba([render_note(r, lang) for r in records])
                probas[f"{name} {p}"] = proba
                report[name + args.tag][f"drop {int(p * 100)}%"] = scored(
                    y, proba, groups, classes, args.n_boot
                )
        # Written after each fit, so a long run keeps what it has finished.
        Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"{features}: fitted and scored", flush=True)
    same, report["reader_en_vs_zh"] = reader_agreement(conditions[0.0])
    report[f"en_vs_zh_same_facts{args.tag}"] = language_gaps(probas, same, args.tag)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(SPACES), default="pad")
    parser.add_argument("--data", required=True, help="PAD manifest CSV or HAM split folder")
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--cache-dir", default=str(default_cache_dir()))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument(
        "--features",
        nargs="+",
        choices=FEATURE_OPTIONS,
        default=list(dict.fromkeys(f for f, _ in TEXT_MODELS.values())),
        help="text-branch feature options to fit, in this order (default: all)",
    )
    parser.add_argument(
        "--fact-dropout",
        type=check_dropout,
        default=None,
        help="train text branches and the tabular reference with fact dropout: a maximum "
        "rate in (0, 1], or auto (chosen by grouped CV on training); default: one copy at "
        "field dropout 0.5, as before",
    )
    parser.add_argument("--dropout-copies", type=int, default=DEFAULT_COPIES)
    parser.add_argument(
        "--params",
        type=json.loads,
        default={},
        help='per feature option, text-branch hyperparameters, e.g. \'{"facts": {"search": '
        'false, "max_depth": 3}}\'',
    )
    parser.add_argument("--tag", default="", help="suffix of the report's model names")
    parser.add_argument("--out", required=True, help="JSON report path")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    report = run(args, "python -m skinmm.text.compare " + shlex.join(argv))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
