#!/bin/bash
# Recipe study (issue 20): AUROC against training steps of one recipe, category and seed, resumable.
# Trains to each step count in turn (--steps N, --resume), evaluates with exact search after each,
# and keeps metrics_step<N>.json and train_summary_step<N>.json beside the run. A point whose
# metrics file exists is skipped, so the script can be killed and rerun at any time (the run itself
# checkpoints every 5 minutes). Step 0 is the untrained encoder of that seed.
#   bash scripts/recipe_study.sh RUNS_ROOT RECIPE DATA_ROOT CATEGORY SEED STEPS... [-- extra train flags]
# RECIPE: "fast" (train --preset fast) or "reference" (the defaults). Example:
#   nice bash scripts/recipe_study.sh runs/recipe fast ../shared/data/mvtec_ad bottle 0 0 600 1200 2400
set -eu
root=$1 recipe=$2 data=$3 category=$4 seed=$5
shift 5
points=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do points+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
deno=${DENO:-node_modules/deno/deno}
out="$root/$recipe/$category/seed$seed"
mkdir -p "$out"
flags=(--seed "$seed" --backend native --quiet)
[ "$recipe" = fast ] && flags+=(--preset fast)
for n in "${points[@]}"; do
  [ -f "$out/metrics_step$n.json" ] && continue
  resume=()
  [ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
  "$deno" run -A src/cli/train.ts --data "$data" --category "$category" --out "$out" --steps "$n" \
    "${flags[@]}" "${resume[@]}" "$@" >>"$out/train.log" 2>&1 || { echo "train failed: $out (see train.log)"; exit 1; }
  "$deno" run -A src/cli/eval.ts --run "$out" --nn exact --no-overlays >"$out/eval.log" 2>&1 ||
    { echo "eval failed: $out (see eval.log)"; exit 1; }
  cp "$out/metrics.json" "$out/metrics_step$n.json"
  # The untrained encoder is the run's own baseline: eval's sanity check reads RUN/baseline/metrics.json.
  [ "$n" = 0 ] && mkdir -p "$out/baseline" && cp "$out/metrics.json" "$out/baseline/metrics.json"
  cp "$out/train_summary.json" "$out/train_summary_step$n.json"
  echo "$recipe $category seed $seed step $n: $(grep -o '"mult": *[0-9.]*' "$out/metrics.json" | head -2 | tr '\n' ' ')"
done
