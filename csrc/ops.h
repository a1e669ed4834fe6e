// Declarations shared by the CPU and CUDA implementations of ptsfast's ops.
#pragma once
#include <ATen/ATen.h>

#include <optional>
#include <tuple>

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

// Sampling (Gumbel-max with per-row cutoffs from sampling.filter_candidates): checks shared by the
// backends, then (tokens int64 [B], model log-probs fp32 [B]).
constexpr int64_t kSampleTile = 256;  // CPU tile = GPU threads per block: the same partial states
void check_sample(const at::Tensor& logits, const at::Tensor& temperature, const at::Tensor& cutoff,
                  const at::Tensor& seeds, const at::Tensor& steps);
std::tuple<at::Tensor, at::Tensor> sample_filtered_cpu(const at::Tensor& logits, const at::Tensor& temperature,
                                                       const at::Tensor& cutoff, const at::Tensor& seeds,
                                                       const at::Tensor& steps);

// The whole sampling rule per row on the CPU (top-k by selection, top-p within the candidates, min-p as
// log(min_p) in float64, -inf = off; noise for the candidates only): the tokens of sampling.sample_torch.
std::tuple<at::Tensor, at::Tensor> sample_candidates_cpu(const at::Tensor& logits, const at::Tensor& temperature,
                                                         const at::Tensor& top_k, const at::Tensor& top_p,
                                                         const at::Tensor& log_min_p, const at::Tensor& seeds,
                                                         const at::Tensor& steps);

// Fused log-probs: (log p(target) fp32 [N], top-k ids int64 [N, k], top-k log-probs fp32 [N, k]).
// chunk_size: vocabulary tokens per fp32 logits chunk on CPU, per vocabulary split on CUDA (0 = auto).
void check_logprobs(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& targets,
                    const std::optional<at::Tensor>& bias, int64_t top_k);
std::tuple<at::Tensor, at::Tensor, at::Tensor> fused_logprobs_cpu(const at::Tensor& hidden, const at::Tensor& weight,
                                                                  const at::Tensor& targets,
                                                                  const std::optional<at::Tensor>& bias,
                                                                  int64_t top_k, int64_t chunk_size);
// Paged decode attention, CPU: q [B, Hq, D] over caches [num_blocks, block_size, Hkv, D] read in place
// through block_tables [B, max_blocks]; context_lens [B] (>= 1); returns [B, Hq, D] in q's dtype.
// max_isa caps the build of the loop that runs: 0 portable, 1 AVX2+FMA, 2 AVX-512 (each where the CPU has it),
// so that tests run every build of the loop on a machine that has the widest.
at::Tensor paged_decode_attention_cpu(const at::Tensor& q, const at::Tensor& k_cache, const at::Tensor& v_cache,
                                      const at::Tensor& block_tables, const at::Tensor& context_lens, double scale,
                                      std::optional<int64_t> sliding_window, int64_t max_isa);
// The same without a window, also returning the log-sum-exp of each row's scaled scores (fp32 [B, Hq]); rows may
// be empty (context_lens 0: o = 0, lse = -inf). Cascade attention's suffix part on CPU.
std::tuple<at::Tensor, at::Tensor> paged_decode_attention_lse_cpu(const at::Tensor& q, const at::Tensor& k_cache,
                                                                  const at::Tensor& v_cache,
                                                                  const at::Tensor& block_tables,
                                                                  const at::Tensor& context_lens, double scale,
                                                                  int64_t max_isa);

#ifdef PTSFAST_WITH_CUDA
std::tuple<at::Tensor, at::Tensor> sample_filtered_cuda(const at::Tensor& logits, const at::Tensor& temperature,
                                                        const at::Tensor& cutoff, const at::Tensor& seeds,
                                                        const at::Tensor& steps);
std::tuple<at::Tensor, at::Tensor, at::Tensor> fused_logprobs_cuda(const at::Tensor& hidden, const at::Tensor& weight,
                                                                   const at::Tensor& targets,
                                                                   const std::optional<at::Tensor>& bias,
                                                                   int64_t top_k, int64_t chunk_size);
#endif

}  // namespace ptsfast
