"""The text-only PAD-UFES-20 model (taxonomy labels), trained on the same split as the union's
PAD-UFES-20 rows with the bundle's text-branch defaults, scored on its test side (test_report.json,
and predictions.csv for scripts/union_results.py):
    python scripts/pad_text_only.py data/pad/split runs/pad-text
"""

import json
import sys
from pathlib import Path

import numpy as np

from skinmm.data.manifest import read_manifest
from skinmm.metrics import classification_report
from skinmm.taxonomy import TAXONOMY_CLASSES
from skinmm.text.standalone import train_text_branch
from skinmm.triage import risk_classes

split, out = Path(sys.argv[1]), Path(sys.argv[2])
codes = ["ak", "bcc", "mel", "nev", "scc", "sk"]
branch = train_text_branch(split / "train.csv", split / "val.csv", out, classes=codes)
test = read_manifest(split / "test.csv", check_images=False)
p = branch.predict_proba(test["note"].tolist())
keep = ~np.isnan(p).any(axis=1)
y = test["label"].map(codes.index).to_numpy()
classes = [c for c in TAXONOMY_CLASSES if c.code in codes]
classes.sort(key=lambda c: codes.index(c.code))
report = classification_report(y[keep], p[keep], codes, risk_classes(classes))
(out / "test_report.json").write_text(json.dumps(report, indent=1, default=float))
# Per-case decisions, for scripts/union_results.py's intervals and paired differences.
predicted = np.where(keep, np.array(codes)[p.argmax(axis=1) * keep], "")
test[["case_id", "group_id", "label"]].assign(text_pred=predicted).to_csv(
    out / "predictions.csv", index=False
)
print(
    json.dumps({k: report[k] for k in ("weighted_f1", "balanced_accuracy", "macro_f1", "n_cases")})
)
print("scc recall", report["per_class"]["scc"]["recall"])
