// copy_blocks, CUDA: one launch copies many (src, dst) KV blocks across all layers and K/V.
// grid = (pairs, outer slices); each block streams one block's bytes with 16-byte vectors when
// the geometry allows (block_bytes % 16 == 0, which holds for every real head_dim).
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/cuda/CUDAGuard.h>

#include "../ops.h"

namespace ptsfast {
namespace {

template <typename Vec>
__global__ void copy_blocks_kernel(char* __restrict__ cache, const int64_t* __restrict__ src,
                                   const int64_t* __restrict__ dst, int64_t num_blocks,
                                   int64_t block_bytes) {
  const int64_t pair = blockIdx.x, o = blockIdx.y;
  const int64_t slice = num_blocks * block_bytes;
  const Vec* from = reinterpret_cast<const Vec*>(cache + o * slice + src[pair] * block_bytes);
  Vec* to = reinterpret_cast<Vec*>(cache + o * slice + dst[pair] * block_bytes);
  const int64_t n = block_bytes / static_cast<int64_t>(sizeof(Vec));
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) to[i] = from[i];
}

}  // namespace

void copy_blocks_cuda(at::Tensor& cache, const at::Tensor& src, const at::Tensor& dst,
                      int64_t block_dim) {
  const BlockGeometry g = check_copy_blocks(cache, src, dst, block_dim);
  const int64_t n = src.numel();
  if (n == 0) return;
  TORCH_CHECK(g.outer <= 65535, "copy_blocks: too many outer slices (", g.outer, ")");
  const c10::cuda::CUDAGuard guard(cache.device());
  auto stream = c10::cuda::getCurrentCUDAStream();
  const dim3 grid(static_cast<unsigned>(n), static_cast<unsigned>(g.outer));
  auto* base = static_cast<char*>(cache.data_ptr());
  const auto* s = src.data_ptr<int64_t>();
  const auto* d = dst.data_ptr<int64_t>();
  if (g.block_bytes % 16 == 0 && reinterpret_cast<uintptr_t>(base) % 16 == 0) {
    copy_blocks_kernel<int4><<<grid, 256, 0, stream>>>(base, s, d, g.num_blocks, g.block_bytes);
  } else {
    copy_blocks_kernel<char><<<grid, 256, 0, stream>>>(base, s, d, g.num_blocks, g.block_bytes);
  }
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

}  // namespace ptsfast
