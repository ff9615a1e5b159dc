#!/bin/bash
# Everything issue 12 asks of the NVIDIA machine, as one device call that ends inside its ten minutes.
# Here, first: npm ci && bash ../shared/gpu/prepare-devkit.sh && npm run build:node
# Then one device call: carry [".devkit", ".gl", "dist-node"], command `bash bench/gpu-session.sh`,
# timeout_s 600. Results land in $OUT/<date>-<gpu>/ (commit that folder under bench/results/):
#   adapter.json          the adapter, its limits and features, and a GPU self-test
#   smoke-<variant>.*     each matmul variant alone at small shapes, in its own process: a variant that
#                         crashes dawn.node (two 128x128 tiles did on an H200) is left out of what follows
#   compile.*             each variant's pipeline build time on the driver, with Tint's SPIR-V (dump_shaders)
#   native.*              our tuned GPT-1 step at 8 x 512 (with its per-kernel breakdown from timestamp
#                         queries), then PyTorch fp32 / TF32 / bf16, ratios, planned and measured memory
#   hf-check.*            the run's exported HF folder through transformers' from_pretrained: our logits?
#   kernels-<variant>.*   every GPT-1 matmul shape per variant (one process each), kernels-ops.* the rest
#   cublas.*              the same products through cuBLAS (torch fp32, TF32 off): each variant's %
#   train-splitk.*        the GPT-1 step with split-K weight gradients (tokens/s against native's)
#   train-attention.*     the GPT-1 step with 64-row attention workgroups (the same bits; tokens/s)
#   gpu-memory.csv        nvidia-smi memory.used every 100 ms for the whole session
#   steps.jsonl, session.log, nvidia-smi.txt
# Each step has a time cap and gets no more than what is left of the budget; a step that fails or
# crashes is recorded and the next one runs. Steps run in order of what the issue needs most.
# GPU_SESSION_DRY=1 runs the same script on a machine without an NVIDIA GPU (SwiftShader, tiny shapes):
# it checks the script's own logic, measures nothing. GPU_SESSION_VARIANTS=a,b replaces the variant list.
set -u
cd "$(dirname "$0")/.." || exit 1
start=$(date +%s)
BUDGET=${GPU_SESSION_BUDGET_S:-540} # of the device call's 600 s: the rest is margin for the copy back
OUT=${OUT:-/tmp/gpu-session}
DRY=${GPU_SESSION_DRY:-0}
EXPORT=${GPU_SESSION_EXPORT:-/tmp/gpt1-lab-hf-export} # 470 MB of weights: never under $OUT, which travels back
PYTHON=${GPU_SESSION_PYTHON:-python3} # with torch (and transformers for the HF check)

if [ "$DRY" = 1 ]; then
  export PATH="$PWD/node_modules/.bin:$PATH"
  gpu="swiftshader (dry run)"
  MODEL=(--preset tiny --batch 4 --context 64 --steps 3 --warmup 1)
  SHAPES=small
  ATTENTION_BLOCK=32 # SwiftShader's 32 KiB of workgroup memory holds 32 rows, not 64
else
  source bench/device.sh || exit 1
  gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
  MODEL=(--preset gpt1 --batch 8 --context 512 --steps 10 --warmup 3)
  SHAPES=gpt1
  ATTENTION_BLOCK=64
fi
slug=$(printf '%s' "$gpu" | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//')
DIR="$OUT/$(date -u +%Y-%m-%d)-$slug"
mkdir -p "$DIR"
exec 2> >(tee -a "$DIR/session.log" >&2)
echo "== gpu-session: $gpu, results in $DIR, budget ${BUDGET}s" >&2

if command -v nvidia-smi >/dev/null; then
  nvidia-smi >"$DIR/nvidia-smi.txt" 2>&1
  nvidia-smi --query-gpu=timestamp,memory.used,memory.total,utilization.gpu --format=csv,nounits -lms 100 \
    >"$DIR/gpu-memory.csv" 2>/dev/null &
  sampler=$!
fi

left() { echo $((BUDGET - ($(date +%s) - start))); }

# run NAME CAP_SECONDS COMMAND...: stdout to NAME.json, stderr to NAME.log; returns the command's status.
run() {
  local name=$1 cap=$2
  shift 2
  local remaining t t0 rc
  remaining=$(left)
  t=$((cap < remaining - 5 ? cap : remaining - 5))
  if [ "$t" -lt 15 ]; then
    echo "== $name: skipped, ${remaining}s left" >&2
    printf '{"step":"%s","skipped":true,"left":%d}\n' "$name" "$remaining" >>"$DIR/steps.jsonl"
    return 124
  fi
  echo "== $name (up to ${t}s): $*" >&2
  t0=$(date +%s)
  timeout "$t" "$@" >"$DIR/$name.json" 2>"$DIR/$name.log"
  rc=$?
  printf '{"step":"%s","exit":%d,"seconds":%d,"cap":%d}\n' "$name" "$rc" $(($(date +%s) - t0)) "$t" \
    >>"$DIR/steps.jsonl"
  echo "== $name: exit $rc after $(($(date +%s) - t0))s: $(tail -c 200 "$DIR/$name.json")" >&2
  return $rc
}

BENCH=(node dist-node/bench.js)
# The "variants" field of a suite's JSON (its last line), comma-separated.
variants_of() { node -e 'const t=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").pop();
  console.log(JSON.parse(t).variants.join(","))' "$1"; }

run adapter 30 node dist-node/cli.js adapter

# 1. Each variant alone at small shapes; the survivors are the only ones offered to the tuner below.
run variants 20 "${BENCH[@]}" kernels --shapes small --only matmul --list
tiles=() splits=()
IFS=, read -r -a all <<<"${GPU_SESSION_VARIANTS:-$(variants_of "$DIR/variants.json" 2>/dev/null)}"
for v in "${all[@]}"; do
  if run "smoke-${v// /}" 40 "${BENCH[@]}" kernels --shapes small --only matmul --variants "$v" --target-ms 2; then
    case $v in split-K*) splits+=("$v") ;; *) tiles+=("$v") ;; esac
  fi
done
ok=$(IFS=,; echo "${tiles[*]}")
run compile 60 "${BENCH[@]}" compile --dump
echo "== matmul variants that ran: ${ok:-none}; split-K: ${splits[*]:-none}" >&2
[ -n "$ok" ] || ok=naive

# 2. The GPT-1 step beside PyTorch, with the kernel breakdown, measured memory and the HF export.
rm -rf "$EXPORT"
NATIVE=(native "${MODEL[@]}" --profile auto --export "$EXPORT" --python "$PYTHON")
run native 240 "${BENCH[@]}" "${NATIVE[@]}" --matmul-variants "$ok"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then # 3: unavailable here (no CUDA or PyTorch); anything else may be a crash
  run native-safe 150 "${BENCH[@]}" "${NATIVE[@]}" --matmul-variants naive,tiled,vec4
fi
if [ -f "$EXPORT/gpt1-lab-logits.json" ]; then
  run hf-check 90 "$PYTHON" bench/native/hf_logits_check.py --folder "$EXPORT" --device cuda
fi

# 3. Every matmul shape per variant (a crash loses one variant's rows), the big tiles first, then cuBLAS on
# the same products, then the other kernels and the small tiles, as long as the budget lasts.
kernels() { run "kernels-$1" "$2" "${BENCH[@]}" kernels --shapes "$SHAPES" "${@:3}" --target-ms 20; }
for ((i = ${#tiles[@]} - 1; i >= 0; i--)); do
  v=${tiles[i]}
  case $v in naive | tiled) ;; *) kernels "$v" 60 --only matmul --variants "$v" ;; esac
done
[ ${#splits[@]} -gt 0 ] && kernels splitk 45 --variants "$(IFS=,; echo "${splits[*]}")"
shopt -s nullglob
kernel_files=("$DIR"/kernels-*.json)
if [ ${#kernel_files[@]} -gt 0 ]; then
  args=()
  for f in "${kernel_files[@]}"; do args+=(--kernels "$f"); done
  device=cuda
  [ "$DRY" = 1 ] && device=cpu
  run cublas 60 "$PYTHON" bench/native/cublas_matmul.py "${args[@]}" --device "$device"
fi
kernels ops 60 --skip matmul
for v in "${tiles[@]}"; do
  case $v in naive | tiled) kernels "$v" 60 --only matmul --variants "$v" ;; esac
done

# 4. The step with split-K weight gradients: its tokens/s against native's (a numerics option, off by default).
if [ ${#splits[@]} -gt 0 ]; then
  run train-splitk 100 "${BENCH[@]}" train "${MODEL[@]}" --profile none --matmul-variants "$ok" --split-k
fi

# 5. The step with the biggest attention block the kernels have (the same bits: speed only).
run train-attention 90 "${BENCH[@]}" train "${MODEL[@]}" --profile none --matmul-variants "$ok" \
  --attention-block "$ATTENTION_BLOCK"

if [ -n "${sampler:-}" ]; then
  kill "$sampler" 2>/dev/null
  wait "$sampler" 2>/dev/null
  peak=$(awk -F', *' 'NR > 1 && $2 + 0 > max { max = $2 + 0 } END { print max + 0 }' "$DIR/gpu-memory.csv")
  echo "== nvidia-smi peak memory.used over the session: ${peak} MiB" >&2
fi
echo "== gpu-session done in $(($(date +%s) - start))s: $DIR" >&2
