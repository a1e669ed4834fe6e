// copy_blocks, CPU: copies whole KV blocks src[i] -> dst[i] in every outer slice (all layers,
// K and V) with one call. The engine's fork uses it for the boundary block of each child.
#include <ATen/Parallel.h>
#include <cstring>

#include "ops.h"

namespace ptsfast {

BlockGeometry check_copy_blocks(const at::Tensor& cache, const at::Tensor& src,
                                const at::Tensor& dst, int64_t block_dim) {
  TORCH_CHECK(cache.is_contiguous(), "copy_blocks: the KV cache must be contiguous");
  TORCH_CHECK(block_dim >= 0 && block_dim < cache.dim(), "copy_blocks: block_dim ", block_dim,
              " out of range for a ", cache.dim(), "-d cache");
  TORCH_CHECK(src.dim() == 1 && dst.dim() == 1 && src.numel() == dst.numel(),
              "copy_blocks: src and dst must be 1-d index tensors of equal length, got ",
              src.sizes(), " and ", dst.sizes());
  TORCH_CHECK(src.scalar_type() == at::kLong && dst.scalar_type() == at::kLong,
              "copy_blocks: src and dst must be int64");
  TORCH_CHECK(src.device() == cache.device() && dst.device() == cache.device(),
              "copy_blocks: src/dst must be on the cache's device (", cache.device(), ")");
  BlockGeometry g{1, cache.size(block_dim), cache.element_size()};
  for (int64_t d = 0; d < block_dim; ++d) g.outer *= cache.size(d);
  for (int64_t d = block_dim + 1; d < cache.dim(); ++d) g.block_bytes *= cache.size(d);
  return g;
}

void copy_blocks_cpu(at::Tensor& cache, const at::Tensor& src, const at::Tensor& dst,
                     int64_t block_dim) {
  const BlockGeometry g = check_copy_blocks(cache, src, dst, block_dim);
  const int64_t n = src.numel();
  if (n == 0) return;
  const int64_t* s = src.data_ptr<int64_t>();
  const int64_t* d = dst.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    TORCH_CHECK(s[i] >= 0 && s[i] < g.num_blocks && d[i] >= 0 && d[i] < g.num_blocks,
                "copy_blocks: block pair (", s[i], ", ", d[i], ") out of range [0, ", g.num_blocks, ")");
  }
  auto* base = static_cast<char*>(cache.data_ptr());
  const int64_t slice = g.num_blocks * g.block_bytes;
  at::parallel_for(0, n * g.outer, 1, [&](int64_t begin, int64_t end) {
    for (int64_t w = begin; w < end; ++w) {
      const int64_t pair = w / g.outer, o = w % g.outer;
      std::memcpy(base + o * slice + d[pair] * g.block_bytes,
                  base + o * slice + s[pair] * g.block_bytes, g.block_bytes);
    }
  });
}

}  // namespace ptsfast
