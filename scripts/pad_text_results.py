"""Add the rows of later PAD-UFES-20 comparison runs to docs/results/text_pad_ufes20.json.

    python scripts/pad_text_results.py docs/results/text_pad_ufes20.json RUN.json [RUN.json ...]

Each run is a report of ``python -m skinmm.text.compare`` (or of
scripts/pad_dropout_ceiling.py, added under ``tabular_specialist``). A run's rows are added
beside the existing ones, never over them, and ``commands`` names the command that made
each added row, so every figure keeps the command beside it.
"""

import json
import sys
from pathlib import Path

SHARED = {"command", "dataset", "sizes", "seed", "bootstrap"}
POINTS = ("weighted_f1", "balanced_accuracy", "macro_f1", "n")


def same_points(old: dict, new: dict) -> bool:
    """The same model's figures in every condition (intervals may differ in the last digit)."""
    return old.keys() == new.keys() and all(
        isinstance(old[c], dict) and all(old[c].get(f) == new[c].get(f) for f in POINTS)
        for c in old
    )


target, runs = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
results = json.loads(target.read_text(encoding="utf-8"))
commands = results.setdefault("commands", {})
for path in runs:
    run = json.loads(path.read_text(encoding="utf-8"))
    if "dataset" not in run:  # the ceiling script: one row of conditions
        run = {"command": run.pop("command"), "tabular_specialist": run}
    for key, value in run.items():
        if key in SHARED:
            continue
        if key.startswith("en_vs_zh") and key in results:
            added = {k: v for k, v in value.items() if k not in results[key]}
            results[key] |= added
            commands |= {f"{key}.{k}": run["command"] for k in added}
            continue
        if key in results and results[key] != value:
            if (
                key.startswith("fit ")
                or key == "reader_en_vs_zh"
                or same_points(results[key], value)
            ):
                continue  # a refit of the same model with the same seed, kept once
            sys.exit(f"{path}: {key} is already in {target} with other figures; not replaced.")
        if key not in results:
            results[key] = value
            commands[key] = run["command"]
target.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {target}: {', '.join(commands)}")
