// Sampling, CUDA: a thin launcher around sampling_math.h (the functions the CPU backend runs).
// grid = (rows, vocabulary splits), 256 threads: each thread pushes the tokens v = begin + tid,
// begin + tid + 256, ... of its split into its own state (increasing ids, so its argmax keeps the
// first maximum), the block merges them (ties -> lowest id), and a combine kernel merges the splits
// of each row in order. Tokens equal the torch reference's up to 1-ulp differences of `log`.
#include <ATen/Dispatch.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "../ops.h"
#include "../sampling_math.h"

namespace ptsfast {
namespace {

namespace m = ptsfast::math;
constexpr int kThreads = static_cast<int>(kSampleTile);

template <typename scalar_t>
__global__ void sample_partial_kernel(const scalar_t* __restrict__ logits, int64_t ld, int64_t V, int64_t span,
                                      const float* __restrict__ temperature, const float* __restrict__ cutoff,
                                      const int64_t* __restrict__ seeds, const int64_t* __restrict__ steps,
                                      m::SampleState* __restrict__ partial) {
  __shared__ m::SampleState states[kThreads];
  const int64_t row = blockIdx.x, split = blockIdx.y;
  const float temp = temperature[row];
  const bool sampled = temp > 0;
  const float t_div = sampled ? temp : 1.f;
  const float cut = cutoff[row];
  const uint32_t key = m::row_key(seeds[row], steps[row]);
  const scalar_t* x = logits + row * ld;
  const int64_t begin = split * span, end = min(V, begin + span);
  m::SampleState st = m::sample_empty();
  for (int64_t v = begin + threadIdx.x; v < end; v += kThreads)
    m::sample_push(st, static_cast<float>(x[v]), v, t_div, sampled, cut, key);
  states[threadIdx.x] = st;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) m::sample_merge(states[threadIdx.x], states[threadIdx.x + stride]);
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[row * gridDim.y + split] = states[0];
}

template <typename scalar_t>
__global__ void sample_combine_kernel(const m::SampleState* __restrict__ partial, int64_t B, int64_t splits,
                                      const scalar_t* __restrict__ logits, int64_t ld,
                                      int64_t* __restrict__ tokens, float* __restrict__ logprobs) {
  const int64_t row = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (row >= B) return;
  m::SampleState st = partial[row * splits];
  for (int64_t s = 1; s < splits; ++s) m::sample_merge(st, partial[row * splits + s]);
  tokens[row] = m::sample_token(st);
  logprobs[row] = m::sample_logprob(st, static_cast<float>(logits[row * ld]));
}

}  // namespace

std::tuple<at::Tensor, at::Tensor> sample_filtered_cuda(const at::Tensor& logits, const at::Tensor& temperature,
                                                        const at::Tensor& cutoff, const at::Tensor& seeds,
                                                        const at::Tensor& steps) {
  check_sample(logits, temperature, cutoff, seeds, steps);
  const int64_t B = logits.size(0), V = logits.size(1), ld = logits.stride(0);
  auto tokens = at::empty({B}, logits.options().dtype(at::kLong));
  auto logprobs = at::empty({B}, logits.options().dtype(at::kFloat));
  if (B == 0) return {tokens, logprobs};
  TORCH_CHECK(B <= 0x7FFFFFFF, "sample: too many rows (", B, ")");
  const c10::cuda::CUDAGuard guard(logits.device());
  auto stream = c10::cuda::getCurrentCUDAStream();
  // enough blocks for the whole GPU when B is small; at least 8 tokens per thread per split
  int sms = 0;
  C10_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, logits.device().index()));
  const int64_t max_splits = std::max<int64_t>(1, (V + 8 * kThreads - 1) / (8 * kThreads));
  int64_t splits = std::min<int64_t>(std::max<int64_t>(1, (2 * sms + B - 1) / B), std::min<int64_t>(max_splits, 65535));
  const int64_t span = (V + splits - 1) / splits;
  splits = (V + span - 1) / span;
  auto partial = at::empty({B * splits * static_cast<int64_t>(sizeof(m::SampleState))},
                           logits.options().dtype(at::kByte));
  auto* part = reinterpret_cast<m::SampleState*>(partial.data_ptr());
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, logits.scalar_type(), "sample_cuda", [&] {
    const scalar_t* x = logits.const_data_ptr<scalar_t>();
    sample_partial_kernel<scalar_t><<<dim3(static_cast<unsigned>(B), static_cast<unsigned>(splits)), kThreads, 0,
                                      stream>>>(x, ld, V, span, temperature.data_ptr<float>(),
                                                cutoff.data_ptr<float>(), seeds.data_ptr<int64_t>(),
                                                steps.data_ptr<int64_t>(), part);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    sample_combine_kernel<scalar_t><<<static_cast<unsigned>((B + 127) / 128), 128, 0, stream>>>(
        part, B, splits, x, ld, tokens.data_ptr<int64_t>(), logprobs.data_ptr<float>());
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  });
  return {tokens, logprobs};
}

}  // namespace ptsfast
