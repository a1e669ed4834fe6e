// Declarations shared by the CPU and CUDA implementations of ptsfast's ops.
#pragma once
#include <ATen/ATen.h>

namespace ptsfast {

// Checks shared by every backend of copy_blocks; returns {outer, num_blocks, inner_bytes}.
struct BlockGeometry {
  int64_t outer;        // product of dims before block_dim (e.g. layers * 2)
  int64_t num_blocks;   // size of block_dim
  int64_t block_bytes;  // bytes of one block in one outer slice
};
BlockGeometry check_copy_blocks(const at::Tensor& cache, const at::Tensor& src,
                                const at::Tensor& dst, int64_t block_dim);

void copy_blocks_cpu(at::Tensor& cache, const at::Tensor& src, const at::Tensor& dst,
                     int64_t block_dim);
#ifdef PTSFAST_WITH_CUDA
void copy_blocks_cuda(at::Tensor& cache, const at::Tensor& src, const at::Tensor& dst,
                      int64_t block_dim);
#endif

}  // namespace ptsfast
