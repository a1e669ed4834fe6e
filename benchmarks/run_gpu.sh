#!/usr/bin/env bash
# One scripted GPU job: build the extension with its CUDA sources, run every test including the
# GPU-only ones, then the benchmarks; results land in $OUT (default benchmarks/results/gpu-<date>).
# Works on a bare GPU machine without network: uses the machine's torch/triton/transformers.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-benchmarks/results/gpu-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
PY=${PYTHON:-python}
{
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null
  $PY -c "import torch, triton, transformers; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'triton', triton.__version__, 'transformers', transformers.__version__)"
} | tee "$OUT/env.txt"

PTSFAST_CUDA=ON $PY -m pip install --no-build-isolation --no-deps -e . > "$OUT/build.log" 2>&1 || { echo "build failed, see $OUT/build.log"; exit 1; }
$PY -m ptsfast.cli --version | tee "$OUT/backends.txt"

$PY -m pytest -q -p no:cacheprovider -m "not slow or gpu" --junitxml="$OUT/tests.xml" 2>&1 | tail -40 | tee "$OUT/tests.txt"
# the GPU-only kernel tests one per line (CUDA sampling / fused log-probs vs the reference, Triton kernels)
$PY -m pytest -p no:cacheprovider -m gpu -rA tests/kernels 2>&1 | grep -E "PASSED|FAILED|ERROR|SKIPPED|passed|failed" \
  | tail -80 | tee "$OUT/gpu_kernel_tests.txt"
$PY -m pytest -q -p no:cacheprovider benchmarks --benchmark-only -s --benchmark-json="$OUT/benchmarks.json" 2>&1 \
  | tail -80 | tee "$OUT/benchmarks.txt"
cp benchmarks/results/rollout_cuda.json "$OUT/" 2>/dev/null || true
echo "results in $OUT"
