#!/bin/bash
# One batch folder through `newsflow run`, in parts (NEWSFLOW_PART_FILES=250) and in one piece, with 1 and 2
# processes, interleaved for ROUNDS rounds: wall, CPU and the peak RSS of the largest process (GNU time).
#   bash bench/bench_single_folder.sh INPUT_ROOT [ROUNDS]     # INPUT_ROOT holds one batch folder
# Warehouses go to ${WORK:-/tmp/newsflow-bench-single}; use a private PREFECT_HOME. docs/benchmarks.md has a run.
set -euo pipefail
cd "$(dirname "$0")/.."
input=${1:?usage: bench/bench_single_folder.sh INPUT_ROOT [ROUNDS]}
rounds=${2:-2}
work=${WORK:-/tmp/newsflow-bench-single}
mkdir -p "$work"
.venv/bin/newsflow run sample --warehouse "$work/wh-warm-up" --quiet >/dev/null   # Prefect's database exists
for round in $(seq "$rounds"); do
  for config in "one-piece 100000 1" "parts 250 1" "one-piece 100000 2" "parts 250 2"; do
    set -- $config
    name="round$round-$1-${3}p"
    rm -rf "$work/wh-$name"
    NEWSFLOW_PART_FILES=$2 /usr/bin/time -f "$name: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
      .venv/bin/newsflow run "$input" --warehouse "$work/wh-$name" --processes "$3" --quiet >/dev/null
  done
done
