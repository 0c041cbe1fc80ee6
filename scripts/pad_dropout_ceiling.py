"""How much weighted F1 is left in PAD-UFES-20 notes that lost a share p of their facts?

A specialist per condition: the tabular reference's recipe (same grid, grouped CV on the
training patients, early stopping on the validation patients), trained and validated only on
records with each fact dropped at p (three seeded copies), then tested on the same test
records as skinmm.text.compare at that p. It reads the fields directly (no reading errors)
and is tuned for that one condition, so its score is what this recipe can take from what is
left; a general model trained on whole notes cannot be expected to beat it there.

    python scripts/pad_dropout_ceiling.py runs/pad/manifest.csv runs/pad/ceiling.json
"""

import json
import sys
from pathlib import Path

import numpy as np

from skinmm.taxonomy import label_space
from skinmm.text.boost import DEFAULT_PARAMS, grouped_search, train_booster
from skinmm.text.compare import DROPS, scored
from skinmm.text.evaluate import SPACES, load_pad
from skinmm.text.tabular import TabularReference, dropped_records

COPIES = 3
manifest, out = Path(sys.argv[1]), Path(sys.argv[2])
train, val, test = load_pad(manifest, 0)
classes = [c.code for c in label_space(SPACES["pad"])]
model = TabularReference(classes=classes, n_jobs=1)
model._learn_levels(train)
y_train = train["label"].map(classes.index).to_numpy(dtype=int)
y_val = val["label"].map(classes.index).to_numpy(dtype=int)
y_test = test["label"].map(classes.index).to_numpy(dtype=int)
report: dict = {"command": "python scripts/pad_dropout_ceiling.py " + " ".join(sys.argv[1:])}
for p in DROPS[1:]:
    seeds = range(10, 10 + COPIES)
    x = model._features([r for s in seeds for r in dropped_records(train, p, s)])
    x_val = model._features([r for s in seeds for r in dropped_records(val, p, s + 100)])
    origin = np.tile(np.arange(len(train)), COPIES)
    params, _ = grouped_search(
        x,
        y_train[origin],
        origin,
        np.ones(len(x), dtype=bool),
        train["group_id"].tolist(),
        y_train,
        (x_val, np.tile(y_val, COPIES)),
        len(classes),
        DEFAULT_PARAMS,
    )
    model.booster_ = train_booster(
        x, y_train[origin], x_val, np.tile(y_val, COPIES), len(classes), params
    )
    # The same test records as skinmm.text.compare (seed 0) at this rate.
    proba = model.predict_proba(dropped_records(test, p, 0))
    report[f"drop {int(p * 100)}%"] = scored(
        y_test, proba, test["group_id"].tolist(), classes, 1000
    )
    print(p, report[f"drop {int(p * 100)}%"]["weighted_f1"], flush=True)
out.write_text(json.dumps(report, indent=2) + "\n")
