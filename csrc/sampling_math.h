// Per-row math of sampling and fused log-prob scoring, shared by the C++ CPU backend and the CUDA
// kernels (every function is __host__ __device__), so the CPU tests run the very code the GPU runs.
//
// Noise (docs/design.md §3, "Sampling details"): murmur3's finaliser of (row key, token id) gives 32
// bits, 23 of them make u = (k + 0.5) * 2^-23 strictly inside (0, 1), and the Gumbel noise is
// -log(-log u). These are bit-for-bit the operations of ptsfast.kernels.sampling (uint32 arithmetic
// here, int64 masked to 32 bits there); only `log` may differ by 1 ulp between libraries.
//
// Streaming state: an online log-sum-exp of the raw logits (m, s), a running argmax of the noisy
// logits (first maximum = lowest token id wins, like torch.argmax), and a top-k list (descending
// values, ties by lowest id). Every state has a `push` for one token and a `merge` for two partial
// states, so any split of the vocabulary (CPU tiles, GPU threads, warps, blocks) gives the same argmax
// and top-k, and the same log-sum-exp up to rounding.
#pragma once
#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define PTS_HD __host__ __device__ __forceinline__
#else
#define PTS_HD inline
#endif

namespace ptsfast::math {

constexpr uint32_t kMix1 = 0x85EBCA6Bu;
constexpr uint32_t kMix2 = 0xC2B2AE35u;
constexpr uint32_t kSeedHi = 0x9E3779B9u;
constexpr uint32_t kStepMul = 0x632BE5ABu;
constexpr uint32_t kTokenMul = 0x9E3779B1u;
constexpr int kNoiseBits = 23;

// IEEE round-to-nearest float ops that nvcc may not contract into FMAs (torch computes them unfused).
PTS_HD float div_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}
PTS_HD float add_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
PTS_HD float mul_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
PTS_HD float log_f(float x) {
#ifdef __CUDA_ARCH__
  return logf(x);
#else
  return std::log(x);
#endif
}
PTS_HD float exp_f(float x) {
#ifdef __CUDA_ARCH__
  return expf(x);
#else
  return std::exp(x);
#endif
}
PTS_HD float neg_inf() { return -INFINITY; }

// murmur3's 32-bit finaliser (sampling.mix32).
PTS_HD uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= kMix1;
  x ^= x >> 13;
  x *= kMix2;
  return x ^ (x >> 16);
}

// One uint32 key per row from an int64 seed and the row's step counter (sampling.row_keys).
PTS_HD uint32_t row_key(int64_t seed, int64_t step) {
  const uint64_t s = static_cast<uint64_t>(seed);
  const uint32_t lo = static_cast<uint32_t>(s), hi = static_cast<uint32_t>(s >> 32);
  return mix32((lo ^ mix32(hi + kSeedHi)) + static_cast<uint32_t>(static_cast<uint64_t>(step)) * kStepMul);
}

// The 32 hash bits of (row key, token id) (sampling.noise_bits).
PTS_HD uint32_t noise_bits(uint32_t key, int64_t token) {
  return mix32(key ^ (static_cast<uint32_t>(static_cast<uint64_t>(token)) * kTokenMul));
}

// ((bits >> 9) + 0.5) * 2^-23: every step exact in fp32, extremes 2^-24 and 1 - 2^-24.
PTS_HD float uniform_from_bits(uint32_t bits) {
  return mul_rn(add_rn(static_cast<float>(bits >> (32 - kNoiseBits)), 0.5f), 1.1920928955078125e-07f);
}

// -log(-log u): finite for every uint32, about [-2.8, 16.6].
PTS_HD float gumbel_from_bits(uint32_t bits) { return -log_f(-log_f(uniform_from_bits(bits))); }

// ---- online log-sum-exp -------------------------------------------------------------------------

struct Lse {
  float m;  // running max (-inf while empty)
  float s;  // sum of exp(x - m)
};
PTS_HD Lse lse_empty() { return {neg_inf(), 0.f}; }
PTS_HD void lse_push(Lse& a, float x) {
  if (x == neg_inf()) return;  // a masked token: never -inf - -inf = NaN
  if (x > a.m) {
    a.s = a.s * exp_f(a.m - x) + 1.f;
    a.m = x;
  } else {
    a.s += exp_f(x - a.m);
  }
}
PTS_HD void lse_merge(Lse& a, const Lse& b) {
  if (b.m == neg_inf()) return;
  if (a.m == neg_inf()) {
    a = b;
    return;
  }
  const float m = a.m > b.m ? a.m : b.m;
  a.s = a.s * exp_f(a.m - m) + b.s * exp_f(b.m - m);
  a.m = m;
}
PTS_HD float lse_value(const Lse& a) { return a.m == neg_inf() ? neg_inf() : a.m + log_f(a.s); }

// ---- sampling: one streaming pass per row --------------------------------------------------------

struct Pick {
  float v;    // best noisy value
  int64_t i;  // its token id (-1 while none)
  float x;    // its raw logit (for the log-prob)
};
PTS_HD Pick pick_empty() { return {neg_inf(), -1, neg_inf()}; }
// `b` replaces `a` when larger, or equal with a lower token id (torch.argmax's first maximum).
PTS_HD void pick_merge(Pick& a, const Pick& b) {
  if (b.i < 0) return;
  if (a.i < 0 || b.v > a.v || (b.v == a.v && b.i < a.i)) a = b;
}

// The noisy value of token `v` with raw logit `x` (sampling.perturbed_logits): x / T with IEEE
// division (T = 1 on greedy rows), -inf below the row's cutoff (top-k / top-p) and for -inf logits,
// plus Gumbel noise on sampled rows. A filtered token stays -inf whatever its noise.
PTS_HD float noisy_logit(float x, int64_t v, float t_div, bool sampled, float cutoff, uint32_t key) {
  const float scaled = div_rn(x, t_div);
  if (scaled < cutoff || scaled == neg_inf()) return neg_inf();
  return sampled ? add_rn(scaled, gumbel_from_bits(noise_bits(key, v))) : scaled;
}

struct SampleState {
  Pick pick;
  Lse lse;
};
PTS_HD SampleState sample_empty() { return {pick_empty(), lse_empty()}; }
// Tokens must be pushed in increasing id order into one state (strict > keeps the first maximum).
PTS_HD void sample_push(SampleState& st, float x, int64_t v, float t_div, bool sampled, float cutoff,
                        uint32_t key) {
  lse_push(st.lse, x);
  const float noisy = noisy_logit(x, v, t_div, sampled, cutoff, key);
  if (noisy > st.pick.v) st.pick = {noisy, v, x};
}
PTS_HD void sample_merge(SampleState& a, const SampleState& b) {
  pick_merge(a.pick, b.pick);
  lse_merge(a.lse, b.lse);
}
// The drawn token (0 when every token is -inf, like torch.argmax) and its model log-prob.
PTS_HD int64_t sample_token(const SampleState& st) { return st.pick.i < 0 ? 0 : st.pick.i; }
PTS_HD float sample_logprob(const SampleState& st, float x0) {
  return (st.pick.i < 0 ? x0 : st.pick.x) - lse_value(st.lse);
}

// ---- candidate sampling: top-k / top-p over a row's candidates only ------------------------------
//
// sampling.filter_candidates' rule: top-k keeps every token whose scaled logit is >= the k-th largest
// (ties at the k-th value all kept, like Hugging Face's TopKLogitsWarper); top-p then renormalises over
// what top-k kept and drops, in ascending order, the tokens whose cumulative probability is <= 1 - top_p
// (HF's TopPLogitsWarper), always keeping the top token. The cumulative sums run in float64, so rounding
// (exp or summation order) can only flip a token lying within ~1e-16 of the boundary.

PTS_HD double exp_d(double x) {
#ifdef __CUDA_ARCH__
  return exp(x);
#else
  return std::exp(x);
#endif
}

// Top-p over candidates sorted descending as far as `desc[0..n)`, `total` = sum of exp(v - desc[0]) over
// every candidate. A value's ascending cumulative probability is the mass of it and of everything below
// it, (total - mass above) / total; HF drops the values where that is <= 1 - top_p and keeps the top one.
// Returns the index in `desc` of the smallest kept value, or -1 when all n are kept (then the caller
// sorts further, or, holding every candidate, keeps them all).
PTS_HD int64_t top_p_last_kept(const float* desc, int64_t n, double total, float top_p) {
  const double top = desc[0], drop_below = 1.0 - static_cast<double>(top_p);
  double above = 0;
  for (int64_t j = 0; j < n; ++j) {
    if (j > 0 && (total - above) / total <= drop_below) return j - 1;
    above += exp_d(static_cast<double>(desc[j]) - top);
  }
  return -1;
}

// One kept candidate's draw: Gumbel-perturbed scaled logit, merged into `best` with torch.argmax's rule
// (larger value, or equal value and lower token id). `scaled` must be >= the row's cutoff and finite.
PTS_HD void candidate_push(Pick& best, float scaled, int64_t v, float x, uint32_t key) {
  const Pick p = {add_rn(scaled, gumbel_from_bits(noise_bits(key, v))), v, x};
  pick_merge(best, p);
}

// ---- top-k list (descending values, ties by lowest id) -------------------------------------------

PTS_HD bool topk_before(float a, int64_t ia, float b, int64_t ib) { return a > b || (a == b && ia < ib); }
// vals/ids hold k entries, initialised with topk_clear; inserts (x, v) if it belongs.
PTS_HD void topk_clear(float* vals, int64_t* ids, int k) {
  for (int j = 0; j < k; ++j) {
    vals[j] = neg_inf();
    ids[j] = INT64_MAX;
  }
}
PTS_HD void topk_push(float* vals, int64_t* ids, int k, float x, int64_t v) {
  if (k <= 0 || !topk_before(x, v, vals[k - 1], ids[k - 1])) return;
  int j = k - 1;
  while (j > 0 && topk_before(x, v, vals[j - 1], ids[j - 1])) {
    vals[j] = vals[j - 1];
    ids[j] = ids[j - 1];
    --j;
  }
  vals[j] = x;
  ids[j] = v;
}

// ---- fused log-probs: per (row, vocabulary part) -------------------------------------------------

struct ScoreState {
  Lse lse;
  float target;  // the target's logit when this part holds it, else -inf (merge = max)
};
PTS_HD ScoreState score_empty() { return {lse_empty(), neg_inf()}; }
PTS_HD void score_push(ScoreState& st, float x, int64_t v, int64_t target) {
  lse_push(st.lse, x);
  if (v == target) st.target = x;
}
PTS_HD void score_merge(ScoreState& a, const ScoreState& b) {
  lse_merge(a.lse, b.lse);
  if (b.target > a.target) a.target = b.target;
}

}  // namespace ptsfast::math
