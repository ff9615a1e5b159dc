#!/bin/bash
# Everything issue 7 asks of a GPU machine, in one device call (the `device` tool's 15 minutes allow one
# prepared run and a rerun). Here, first: npm ci && bash ../shared/gpu/prepare-devkit.sh && npm run build:node
# Then: device run, carry [".devkit", ".gl", "dist-node"], command `bash bench/gpu-session.sh`, timeout ~540 s.
# Each suite's log and JSON land in $OUT; a suite that crashes (dawn.node has died on some kernels there)
# does not stop the next one, and the training runs are retried once without the vec4 128x64 tile.
set -u
OUT=${OUT:-/tmp/gpu-session}
mkdir -p "$OUT"
source "$(dirname "$0")/device.sh" || exit 1
run() { # name, seconds allowed, then bench arguments (the device call's 600 s are shared by all)
  local name=$1 seconds=$2
  shift 2
  echo "== $name: $*" >&2
  timeout "$seconds" node dist-node/bench.js "$@" >"$OUT/$name.json" 2>"$OUT/$name.log"
  local rc=$?
  echo "== $name: exit $rc, $(tail -c 300 "$OUT/$name.json")" >&2
  return $rc
}
run adapter-kernels 120 kernels --shapes gpt1 --target-ms 20
run native 240 native --preset gpt1 --batch 8 --context 512 --steps 10 --warmup 3 ||
  run native-safe 120 native --preset gpt1 --batch 8 --context 512 --steps 10 --warmup 3 \
    --matmul-variants naive,tiled,vec4
run train-breakdown 120 train --preset gpt1 --batch 8 --context 512 --steps 5 --warmup 2 --profile auto ||
  run train-breakdown-safe 60 train --preset gpt1 --batch 8 --context 512 --steps 5 --warmup 2 --profile auto \
    --matmul-variants naive,tiled,vec4
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv >"$OUT/nvidia-smi.csv" 2>&1
