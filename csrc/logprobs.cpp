// Fused log-probs, CPU: log p(target) (+ top-k) of hidden @ weight.T in vocabulary chunks, with the
// streaming per-row states of sampling_math.h (the same functions the CUDA kernel runs). Checks shared
// with the CUDA backend live here too.
#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#include "ops.h"
#include "sampling_math.h"

namespace ptsfast {

namespace m = ptsfast::math;

void check_logprobs(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& targets,
                    const std::optional<at::Tensor>& bias, int64_t top_k) {
  TORCH_CHECK(hidden.dim() == 2 && weight.dim() == 2 && hidden.size(1) == weight.size(1),
              "fused_logprobs: need hidden [N, d] and weight [V, d], got ", hidden.sizes(), " and ",
              weight.sizes());
  const auto st = hidden.scalar_type();
  TORCH_CHECK(st == at::kFloat || st == at::kHalf || st == at::kBFloat16,
              "fused_logprobs: hidden must be float32, float16 or bfloat16, got ", st);
  TORCH_CHECK(weight.scalar_type() == st, "fused_logprobs: weight is ", weight.scalar_type(),
              " but hidden is ", st);
  TORCH_CHECK(targets.dim() == 1 && targets.size(0) == hidden.size(0) && targets.scalar_type() == at::kLong,
              "fused_logprobs: targets must be int64 [N=", hidden.size(0), "], got ", targets.scalar_type(),
              " ", targets.sizes());
  TORCH_CHECK(targets.device() == hidden.device() && weight.device() == hidden.device(),
              "fused_logprobs: hidden, weight and targets must share a device");
  if (bias) {
    TORCH_CHECK(bias->dim() == 1 && bias->size(0) == weight.size(0) && bias->scalar_type() == st &&
                    bias->device() == hidden.device(),
                "fused_logprobs: bias must be [V=", weight.size(0), "] of the hidden's dtype and device");
  }
  TORCH_CHECK(top_k >= 0 && top_k <= weight.size(0), "fused_logprobs: top_k=", top_k, " out of range");
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> fused_logprobs_cpu(const at::Tensor& hidden, const at::Tensor& weight,
                                                                  const at::Tensor& targets,
                                                                  const std::optional<at::Tensor>& bias,
                                                                  int64_t top_k, int64_t chunk_size) {
  check_logprobs(hidden, weight, targets, bias, top_k);
  const int64_t N = hidden.size(0), V = weight.size(0);
  const int k = static_cast<int>(top_k);
  const int64_t chunk = chunk_size > 0 ? chunk_size : 4096;
  auto f32 = hidden.options().dtype(at::kFloat);
  auto logprobs = at::empty({N}, f32);
  auto top_vals = at::empty({N, top_k}, f32);
  auto top_ids = at::empty({N, top_k}, hidden.options().dtype(at::kLong));
  if (N == 0) return {logprobs, top_ids, top_vals};
  auto targets_c = targets.contiguous();
  const int64_t* tgt = targets_c.data_ptr<int64_t>();
  const auto h = hidden.to(at::kFloat);
  std::vector<m::ScoreState> state(N, m::score_empty());
  float* tv = top_vals.data_ptr<float>();
  int64_t* ti = top_ids.data_ptr<int64_t>();
  for (int64_t r = 0; r < N; ++r) m::topk_clear(tv + r * k, ti + r * k, k);
  // fp32 logits of one vocabulary chunk at a time: memory O(N * chunk), never O(N * V)
  for (int64_t v0 = 0; v0 < V; v0 += chunk) {
    const int64_t c = std::min(chunk, V - v0);
    auto logits = at::matmul(h, weight.narrow(0, v0, c).to(at::kFloat).t());
    if (bias) logits.add_(bias->narrow(0, v0, c).to(at::kFloat));
    logits = logits.contiguous();
    const float* lg = logits.const_data_ptr<float>();
    at::parallel_for(0, N, 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const float* x = lg + r * c;
        for (int64_t j0 = 0; j0 < c; j0 += kSampleTile) {
          m::ScoreState tile = m::score_empty();
          for (int64_t j = j0; j < std::min(c, j0 + kSampleTile); ++j) {
            m::score_push(tile, x[j], v0 + j, tgt[r]);
            m::topk_push(tv + r * k, ti + r * k, k, x[j], v0 + j);
          }
          m::score_merge(state[r], tile);
        }
      }
    });
  }
  float* lp = logprobs.data_ptr<float>();
  for (int64_t r = 0; r < N; ++r) {
    const float lse = m::lse_value(state[r].lse);
    lp[r] = state[r].target - lse;
    for (int j = 0; j < k; ++j) tv[r * k + j] -= lse;
  }
  return {logprobs, top_ids, top_vals};
}

}  // namespace ptsfast
