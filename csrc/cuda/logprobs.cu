// Fused log-probs, CUDA: log_softmax(hidden @ weight^T + bias)[target] (+ top-k) without the fp32
// [N, V] logits. A thin launcher around sampling_math.h (the functions the CPU backend runs).
//
// grid = (row tiles of kRows rows, vocabulary splits), 8 warps per block. A warp takes the tokens
// v = begin + warp, begin + warp + 8, ... of its split; for each it computes the kRows dot products
// (lanes stride over d, fp32 accumulate, butterfly reduction so every lane holds every sum) and lane r
// pushes row r's logit into its online log-sum-exp and its top-k list. Each (split, warp) is one
// partial slot; a combine kernel merges the slots of each row. Correctness first: no tensor cores.
#include <ATen/Dispatch.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "../ops.h"
#include "../sampling_math.h"

namespace ptsfast {
namespace {

namespace m = ptsfast::math;
constexpr int kRows = 8;
constexpr int kWarps = 8;

template <typename scalar_t>
__global__ void logprobs_partial_kernel(const scalar_t* __restrict__ hidden, const scalar_t* __restrict__ weight,
                                        const scalar_t* __restrict__ bias, const int64_t* __restrict__ targets,
                                        int64_t N, int64_t V, int64_t d, int64_t span, int k,
                                        m::ScoreState* __restrict__ states, float* __restrict__ top_vals,
                                        int64_t* __restrict__ top_ids) {
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kRows;
  const int64_t slots = static_cast<int64_t>(gridDim.y) * kWarps;
  const int64_t slot = static_cast<int64_t>(blockIdx.y) * kWarps + warp;
  const int64_t begin = blockIdx.y * span, end = min(V, begin + span);
  const int64_t my_row = row0 + lane;
  const bool owner = lane < kRows && my_row < N;  // lane r keeps row r's state
  const int64_t target = owner ? targets[my_row] : -1;
  float* tv = owner ? top_vals + (my_row * slots + slot) * k : nullptr;
  int64_t* ti = owner ? top_ids + (my_row * slots + slot) * k : nullptr;
  if (owner) m::topk_clear(tv, ti, k);
  const scalar_t* h[kRows];
#pragma unroll
  for (int r = 0; r < kRows; ++r) h[r] = hidden + min(row0 + r, N - 1) * d;

  m::ScoreState total = m::score_empty(), tile = m::score_empty();
  int64_t in_tile = 0;
  for (int64_t v = begin + warp; v < end; v += kWarps) {
    const scalar_t* w = weight + v * d;
    float acc[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) acc[r] = 0.f;
    for (int64_t j = lane; j < d; j += 32) {
      const float wj = static_cast<float>(w[j]);
#pragma unroll
      for (int r = 0; r < kRows; ++r) acc[r] += wj * static_cast<float>(h[r][j]);
    }
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
#pragma unroll
      for (int off = 16; off > 0; off >>= 1) acc[r] += __shfl_xor_sync(0xffffffffu, acc[r], off);
    }
    if (owner) {
      float x = 0.f;
#pragma unroll
      for (int r = 0; r < kRows; ++r)
        if (r == lane) x = acc[r];
      if (bias != nullptr) x += static_cast<float>(bias[v]);
      m::score_push(tile, x, v, target);
      m::topk_push(tv, ti, k, x, v);
      if (++in_tile == kSampleTile) {  // short fp32 sums, merged: like the CPU backend's tiles
        m::score_merge(total, tile);
        tile = m::score_empty();
        in_tile = 0;
      }
    }
  }
  if (owner) {
    m::score_merge(total, tile);
    states[my_row * slots + slot] = total;
  }
}

__global__ void logprobs_combine_kernel(const m::ScoreState* __restrict__ states, const float* __restrict__ part_vals,
                                        const int64_t* __restrict__ part_ids, int64_t N, int64_t slots, int k,
                                        float* __restrict__ logprobs, float* __restrict__ top_vals,
                                        int64_t* __restrict__ top_ids) {
  const int64_t row = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (row >= N) return;
  m::ScoreState st = states[row * slots];
  for (int64_t s = 1; s < slots; ++s) m::score_merge(st, states[row * slots + s]);
  const float lse = m::lse_value(st.lse);
  logprobs[row] = st.target - lse;
  if (k == 0) return;
  float* tv = top_vals + row * k;
  int64_t* ti = top_ids + row * k;
  m::topk_clear(tv, ti, k);
  for (int64_t s = 0; s < slots; ++s)
    for (int j = 0; j < k; ++j) {
      const int64_t c = (row * slots + s) * k + j;
      m::topk_push(tv, ti, k, part_vals[c], part_ids[c]);
    }
  for (int j = 0; j < k; ++j) tv[j] -= lse;
}

}  // namespace

std::tuple<at::Tensor, at::Tensor, at::Tensor> fused_logprobs_cuda(const at::Tensor& hidden_in, const at::Tensor& weight_in,
                                                                   const at::Tensor& targets_in,
                                                                   const std::optional<at::Tensor>& bias_in,
                                                                   int64_t top_k, int64_t chunk_size) {
  check_logprobs(hidden_in, weight_in, targets_in, bias_in, top_k);
  TORCH_CHECK(top_k <= 1024, "fused_logprobs: the CUDA backend supports top_k <= 1024, got ", top_k);
  const auto hidden = hidden_in.contiguous(), weight = weight_in.contiguous(), targets = targets_in.contiguous();
  const auto bias = bias_in ? std::optional<at::Tensor>(bias_in->contiguous()) : std::nullopt;
  const int64_t N = hidden.size(0), V = weight.size(0), d = hidden.size(1);
  const int k = static_cast<int>(top_k);
  auto f32 = hidden.options().dtype(at::kFloat);
  auto i64 = hidden.options().dtype(at::kLong);
  auto logprobs = at::empty({N}, f32);
  auto top_vals = at::empty({N, top_k}, f32);
  auto top_ids = at::empty({N, top_k}, i64);
  if (N == 0) return {logprobs, top_ids, top_vals};
  const c10::cuda::CUDAGuard guard(hidden.device());
  auto stream = c10::cuda::getCurrentCUDAStream();
  int sms = 0;
  C10_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, hidden.device().index()));
  const int64_t tiles = (N + kRows - 1) / kRows;
  TORCH_CHECK(tiles <= 0x7FFFFFFF, "fused_logprobs: too many rows (", N, ")");
  int64_t span;
  if (chunk_size > 0) {
    span = chunk_size;
  } else {  // about two blocks per SM, at least 256 tokens per split
    const int64_t want = std::max<int64_t>(1, (2 * static_cast<int64_t>(sms) + tiles - 1) / tiles);
    span = std::max<int64_t>(256, (V + want - 1) / want);
  }
  const int64_t splits = (V + span - 1) / span;
  TORCH_CHECK(splits <= 65535, "fused_logprobs: too many vocabulary splits (", splits, "); raise chunk_size");
  const int64_t slots = splits * kWarps;
  auto states = at::empty({N * slots * static_cast<int64_t>(sizeof(m::ScoreState))}, hidden.options().dtype(at::kByte));
  auto part_vals = at::empty({N * slots * top_k}, f32);
  auto part_ids = at::empty({N * slots * top_k}, i64);
  auto* st = reinterpret_cast<m::ScoreState*>(states.data_ptr());
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, hidden.scalar_type(), "fused_logprobs_cuda", [&] {
    logprobs_partial_kernel<scalar_t><<<dim3(static_cast<unsigned>(tiles), static_cast<unsigned>(splits)),
                                        kWarps * 32, 0, stream>>>(
        hidden.const_data_ptr<scalar_t>(), weight.const_data_ptr<scalar_t>(),
        bias ? bias->const_data_ptr<scalar_t>() : nullptr, targets.const_data_ptr<int64_t>(), N, V, d, span, k, st,
        part_vals.data_ptr<float>(), part_ids.data_ptr<int64_t>());
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  });
  logprobs_combine_kernel<<<static_cast<unsigned>((N + 127) / 128), 128, 0, stream>>>(
      st, part_vals.data_ptr<float>(), part_ids.data_ptr<int64_t>(), N, slots, k, logprobs.data_ptr<float>(),
      top_vals.data_ptr<float>(), top_ids.data_ptr<int64_t>());
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return {logprobs, top_ids, top_vals};
}

}  // namespace ptsfast
