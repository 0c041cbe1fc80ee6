#!/bin/bash
# The HAM10000 + PAD-UFES-20 union run of issue 18 -> docs/results/union.json.
# HAM10000 rows bring images (its coarse labels), PAD-UFES-20 rows text only (taxonomy labels:
# ack -> ak, sek -> sk, SCC -> scc), so the union bundle learns SCC from notes alone. The HAM
# training side is a 20% label-stratified sample of its groups: the image cache of the whole
# side did not fit the time on the shared 2-core machine (both bundles use the same sample;
# validation and test sides are whole). Caches: SKINMM_CACHE (reused between the steps).
set -euo pipefail
export SKINMM_DATA=${SKINMM_DATA:-../shared/data}
S="nice -n 10 skinmm"
$S manifest ham10000 --out data/ham10000/manifest.csv
$S split data/ham10000/manifest.csv --out data/ham10000/split
python scripts/group_sample.py data/ham10000/split/train.csv 0.2 data/ham10000/sub/train.csv
$S manifest pad-ufes-20 --labels taxonomy --out data/pad/manifest.csv
$S split data/pad/manifest.csv --out data/pad/split
$S merge data/ham10000/sub/train.csv data/pad/split/train.csv --out data/union/train.csv
$S merge data/ham10000/split/val.csv data/pad/split/val.csv --out data/union/val.csv
$S merge data/ham10000/split/test.csv data/pad/split/test.csv --out data/union/test.csv
$S train --train data/ham10000/sub/train.csv --val data/ham10000/split/val.csv --recipe fast --out runs/ham-fast
$S train --train data/union/train.csv --val data/union/val.csv --recipe fast --out runs/union
$S evaluate --bundle runs/union --manifest data/ham10000/split/test.csv --out runs/eval/union-on-ham
$S evaluate --bundle runs/ham-fast --manifest data/ham10000/split/test.csv --out runs/eval/ham-fast-on-ham
$S evaluate --bundle runs/union --manifest data/pad/split/test.csv --out runs/eval/union-on-pad
nice -n 10 python scripts/pad_text_only.py data/pad/split runs/pad-text
python scripts/union_results.py runs/eval runs/pad-text docs/results/union.json
# The union bundle opens in the app with its per-source report:
$S evaluate --bundle runs/union --manifest data/union/test.csv --out runs/union/report
