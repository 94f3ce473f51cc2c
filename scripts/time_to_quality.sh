#!/bin/bash
# Time to quality: AUROC against training minutes for one sampling mode, same seed and backend.
# Trains in segments (--max-minutes, then --resume), evaluates (exact search) after each, and
# keeps every segment's metrics beside the run. Usage:
#   bash scripts/time_to_quality.sh SAMPLING OUT MINUTES... [-- extra train flags]
# e.g. bash scripts/time_to_quality.sh dense runs/ttq_dense 4 4   (evaluations after 4 and 8 minutes)
# With ALSO_TRAINED=1 (runs trained with --ema), each point is also evaluated with the trained (not
# averaged) weights, kept as metrics_trained_<M>min.json.
# With UNIT=steps the segments are cumulative step counts (--steps N), for a fine look at the first
# minutes; each point is then named after the run's training minutes so far (two decimals), e.g.
#   UNIT=steps bash scripts/time_to_quality.sh dense runs/early 50 100 200 -- --dense-crops 2
set -eu
sampling=$1 out=$2
shift 2
segments=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do segments+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
deno=${DENO:-node_modules/deno/deno}
mkdir -p "$(dirname "$out")"
data=${MVTEC_ROOT:-../shared/data/mvtec_ad}
total=${START_MINUTES:-0}  # minutes already trained (when extending a curve)
unit=${UNIT:-minutes}
for m in "${segments[@]}"; do
  resume=()
  [ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
  budget=(--max-minutes "$m")
  [ "$unit" = steps ] && budget=(--steps "$m")
  "$deno" run -A src/cli/train.ts --data "$data" --category bottle --out "$out" --sampling "$sampling" \
    "${budget[@]}" --seed 0 --backend native "${resume[@]}" "$@" >"$out.train.log" 2>&1 || exit 1
  if [ "$unit" = steps ]; then
    total=$(grep -o '"train_seconds": *[0-9.]*' "$out/train_summary.json" | head -1 | awk '{printf "%.2f", $2 / 60}')
  else
    total=$((total + m))
  fi
  "$deno" run -A src/cli/eval.ts --run "$out" --data "$data" --category bottle --nn exact --no-overlays \
    >"$out.eval.log" 2>&1 || exit 1
  cp "$out/metrics.json" "$out/metrics_${total}min.json"
  if [ "${ALSO_TRAINED:-0}" = 1 ]; then
    "$deno" run -A src/cli/eval.ts --run "$out" --data "$data" --category bottle --nn exact --no-overlays \
      --weights trained >"$out.eval_trained.log" 2>&1 || exit 1
    cp "$out/metrics.json" "$out/metrics_trained_${total}min.json"
  fi
  cp "$out/train_summary.json" "$out/train_summary_${total}min.json"
  echo "$sampling ${total} min: $(grep -o '"steps": *[0-9]*' "$out/train_summary.json" | head -1)"
done
