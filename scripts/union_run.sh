#!/bin/bash
# The HAM10000 + PAD-UFES-20 union run of issue 18 -> docs/results/union.json.
# HAM10000 rows bring images (its coarse labels), PAD-UFES-20 rows text only (taxonomy labels:
# ack -> ak, sek -> sk, SCC -> scc), so the union bundle learns SCC from notes alone. Both
# bundles train with the same settings on the same HAM10000 training rows; validation and test
# sides are whole. The union bundle is evaluated once, on the merged test side: `skinmm
# evaluate` reports each source (by_source), which are its HAM10000 and PAD-UFES-20 test
# figures. Caches: SKINMM_CACHE.
# Settings from the environment:
#   UNION_SHARE   share of HAM10000's training groups (label-stratified, scripts/group_sample.py);
#                 default 1 = the whole training side.
#   UNION_IMAGE   extra `--image-param` settings on top of `--recipe fast` (space-separated
#                 key=value), e.g. "epochs=2"; default none = the fast recipe as documented.
# Both bundles train without the input-scope gate (--no-scope): the gate is fitted on other
# photographs (sd198-subset), is the same for both bundles, and is not what is compared here.
set -euo pipefail
export SKINMM_DATA=${SKINMM_DATA:-../shared/data}
S="nice -n 10 skinmm"
SHARE=${UNION_SHARE:-1}
FAST="--recipe fast --no-scope"
for setting in ${UNION_IMAGE:-}; do FAST="$FAST --image-param $setting"; done
echo "union_run: share=$SHARE image=${UNION_IMAGE:-none} settings: $FAST"
$S manifest ham10000 --out data/ham10000/manifest.csv
$S split data/ham10000/manifest.csv --out data/ham10000/split
if [ "$SHARE" = "1" ]; then
  HAM_TRAIN=data/ham10000/split/train.csv
else
  HAM_TRAIN=data/ham10000/sub/train.csv
  python scripts/group_sample.py data/ham10000/split/train.csv "$SHARE" "$HAM_TRAIN"
fi
$S manifest pad-ufes-20 --labels taxonomy --out data/pad/manifest.csv
$S split data/pad/manifest.csv --out data/pad/split
$S merge $HAM_TRAIN data/pad/split/train.csv --out data/union/train.csv
$S merge data/ham10000/split/val.csv data/pad/split/val.csv --out data/union/val.csv
$S merge data/ham10000/split/test.csv data/pad/split/test.csv --out data/union/test.csv
$S train --train $HAM_TRAIN --val data/ham10000/split/val.csv $FAST --out runs/ham-fast
$S train --train data/union/train.csv --val data/union/val.csv $FAST --out runs/union
$S evaluate --bundle runs/ham-fast --manifest data/ham10000/split/test.csv --out runs/eval/ham-fast-on-ham
# The union bundle's own report (the Dashboard opens it), per source:
$S evaluate --bundle runs/union --manifest data/union/test.csv --out runs/union/report
nice -n 10 python scripts/pad_text_only.py data/pad/split runs/pad-text
python scripts/union_results.py runs docs/results/union.json
