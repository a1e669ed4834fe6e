// The one place where ptsfast's C++/CUDA ops are registered. Schemas mark mutated arguments
// with (a!) so the ops are torch.compile-safe and checkable with torch.library.opcheck.
#include <torch/extension.h>
#include <torch/library.h>

#include "ops.h"

TORCH_LIBRARY(ptsfast, m) {
  m.def("copy_blocks(Tensor(a!) cache, Tensor src, Tensor dst, int block_dim) -> ()");
  m.def("sample_filtered(Tensor logits, Tensor temperature, Tensor cutoff, Tensor seeds, Tensor steps)"
        " -> (Tensor, Tensor)");
  m.def("sample_candidates(Tensor logits, Tensor temperature, Tensor top_k, Tensor top_p, Tensor log_min_p,"
        " Tensor seeds, Tensor steps) -> (Tensor, Tensor)");
  m.def("fused_logprobs(Tensor hidden, Tensor weight, Tensor targets, Tensor? bias, int top_k, int chunk_size)"
        " -> (Tensor, Tensor, Tensor)");
  m.def("paged_decode_attention(Tensor q, Tensor k_cache, Tensor v_cache, Tensor block_tables,"
        " Tensor context_lens, float scale, int? sliding_window, int max_isa=2) -> Tensor");
  m.def("paged_decode_attention_lse(Tensor q, Tensor k_cache, Tensor v_cache, Tensor block_tables,"
        " Tensor context_lens, float scale, int max_isa=2) -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(ptsfast, CPU, m) {
  m.impl("copy_blocks", [](at::Tensor& cache, const at::Tensor& src, const at::Tensor& dst,
                           int64_t block_dim) { ptsfast::copy_blocks_cpu(cache, src, dst, block_dim); });
  m.impl("sample_filtered", &ptsfast::sample_filtered_cpu);
  m.impl("sample_candidates", &ptsfast::sample_candidates_cpu);
  m.impl("fused_logprobs", &ptsfast::fused_logprobs_cpu);
  m.impl("paged_decode_attention", &ptsfast::paged_decode_attention_cpu);
  m.impl("paged_decode_attention_lse", &ptsfast::paged_decode_attention_lse_cpu);
}

#ifdef PTSFAST_WITH_CUDA
TORCH_LIBRARY_IMPL(ptsfast, CUDA, m) {
  m.impl("copy_blocks", [](at::Tensor& cache, const at::Tensor& src, const at::Tensor& dst,
                           int64_t block_dim) { ptsfast::copy_blocks_cuda(cache, src, dst, block_dim); });
  m.impl("sample_filtered", &ptsfast::sample_filtered_cuda);
  m.impl("fused_logprobs", &ptsfast::fused_logprobs_cuda);
}
#endif

PYBIND11_MODULE(_C, m) {
  m.doc() = "ptsfast C++/CUDA ops (registered as torch.ops.ptsfast.*)";
#ifdef PTSFAST_WITH_CUDA
  m.attr("with_cuda") = true;
#else
  m.attr("with_cuda") = false;
#endif
}
