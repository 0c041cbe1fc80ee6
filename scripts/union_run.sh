#!/bin/bash
# The HAM10000 + PAD-UFES-20 union run of issue 18 -> docs/results/union.json.
# HAM10000 rows bring images (its coarse labels), PAD-UFES-20 rows text only (taxonomy labels:
# ack -> ak, sek -> sk, SCC -> scc), so the union bundle learns SCC from notes alone. The HAM
# training side is a 20% label-stratified sample of its groups, and both bundles train with the
# fast recipe cut to 2 epochs and no input-scope gate: on the shared 2-core machine (load ~20)
# the image cache of the whole side, and 8 epochs of two bundles, did not fit a session. Both
# bundles use the same sample and settings; validation and test sides are whole. The union
# bundle is evaluated once, on the merged test side: `skinmm evaluate` reports each source
# (by_source), which are its HAM10000 and PAD-UFES-20 test figures. Caches: SKINMM_CACHE.
set -euo pipefail
export SKINMM_DATA=${SKINMM_DATA:-../shared/data}
S="nice -n 10 skinmm"
FAST="--recipe fast --image-param epochs=2 --no-scope"
$S manifest ham10000 --out data/ham10000/manifest.csv
$S split data/ham10000/manifest.csv --out data/ham10000/split
python scripts/group_sample.py data/ham10000/split/train.csv 0.2 data/ham10000/sub/train.csv
$S manifest pad-ufes-20 --labels taxonomy --out data/pad/manifest.csv
$S split data/pad/manifest.csv --out data/pad/split
$S merge data/ham10000/sub/train.csv data/pad/split/train.csv --out data/union/train.csv
$S merge data/ham10000/split/val.csv data/pad/split/val.csv --out data/union/val.csv
$S merge data/ham10000/split/test.csv data/pad/split/test.csv --out data/union/test.csv
$S train --train data/ham10000/sub/train.csv --val data/ham10000/split/val.csv $FAST --out runs/ham-fast
$S train --train data/union/train.csv --val data/union/val.csv $FAST --out runs/union
$S evaluate --bundle runs/ham-fast --manifest data/ham10000/split/test.csv --out runs/eval/ham-fast-on-ham
# The union bundle's own report (the Dashboard opens it), per source:
$S evaluate --bundle runs/union --manifest data/union/test.csv --out runs/union/report
nice -n 10 python scripts/pad_text_only.py data/pad/split runs/pad-text
python scripts/union_results.py runs docs/results/union.json
