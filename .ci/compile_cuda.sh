#!/usr/bin/env bash
# Compiles every csrc/cuda/*.cu for sm_80 and sm_90 against the headers of a CUDA build of torch,
# so a CUDA source can never be broken on main even though CI has no GPU (compile only, no link).
set -euo pipefail
PY=${PYTHON:-python}
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
if [ ! -x "$NVCC" ]; then echo "compile_cuda: nvcc not found" >&2; exit 1; fi
INC=$($PY .ci/torch_cuda_headers.py "${TORCH_CUDA_HEADERS:-$HOME/.cache/ptsfast/torch-cuda-headers}")
PY_INC=$($PY -c "import sysconfig; print(sysconfig.get_paths()['include'])")
OUTDIR=$(mktemp -d)
status=0
for cu in csrc/cuda/*.cu; do
  for arch in 80 90; do
    if "$NVCC" -std=c++20 -c "$cu" -o "$OUTDIR/$(basename "$cu").sm$arch.o" \
        -gencode "arch=compute_$arch,code=sm_$arch" --expt-relaxed-constexpr \
        -DPTSFAST_WITH_CUDA -D_GLIBCXX_USE_CXX11_ABI=1 -I"$INC" -I"$INC/torch/csrc/api/include" \
        -I"$PY_INC" -Icsrc; then
      echo "compile_cuda: ok   $cu sm_$arch"
    else
      echo "compile_cuda: FAIL $cu sm_$arch"; status=1
    fi
  done
done
rm -rf "$OUTDIR"
exit $status
