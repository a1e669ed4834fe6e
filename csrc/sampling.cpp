// Sampling, CPU: the per-row math of sampling_math.h (the same functions the CUDA kernels run), one row
// per task. Checks shared with the CUDA backend live here too.
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "cpu_math.h"
#include "ops.h"
#include "sampling_math.h"

namespace ptsfast {

namespace m = ptsfast::math;

void check_sample(const at::Tensor& logits, const at::Tensor& temperature, const at::Tensor& cutoff,
                  const at::Tensor& seeds, const at::Tensor& steps) {
  TORCH_CHECK(logits.dim() == 2, "sample: logits must be [B, V], got ", logits.sizes());
  TORCH_CHECK(logits.stride(1) == 1, "sample: logits must have unit stride along V");
  const auto st = logits.scalar_type();
  TORCH_CHECK(st == at::kFloat || st == at::kHalf || st == at::kBFloat16,
              "sample: logits must be float32, float16 or bfloat16, got ", st);
  const int64_t B = logits.size(0);
  const std::pair<const at::Tensor*, at::ScalarType> args[] = {
      {&temperature, at::kFloat}, {&cutoff, at::kFloat}, {&seeds, at::kLong}, {&steps, at::kLong}};
  for (const auto& [t, dtype] : args) {
    TORCH_CHECK(t->dim() == 1 && t->size(0) == B && t->scalar_type() == dtype && t->is_contiguous() &&
                    t->device() == logits.device(),
                "sample: per-row arguments must be contiguous [B=", B, "] on ", logits.device(),
                " (temperature/cutoff float32, seeds/steps int64), got ", t->scalar_type(), " ",
                t->sizes(), " on ", t->device());
  }
}

std::tuple<at::Tensor, at::Tensor> sample_filtered_cpu(const at::Tensor& logits, const at::Tensor& temperature,
                                                       const at::Tensor& cutoff, const at::Tensor& seeds,
                                                       const at::Tensor& steps) {
  check_sample(logits, temperature, cutoff, seeds, steps);
  const int64_t B = logits.size(0), V = logits.size(1), ld = logits.stride(0);
  auto tokens = at::empty({B}, logits.options().dtype(at::kLong));
  auto logprobs = at::empty({B}, logits.options().dtype(at::kFloat));
  if (B == 0) return {tokens, logprobs};
  const float* temp = temperature.data_ptr<float>();
  const float* cut = cutoff.data_ptr<float>();
  const int64_t* seed = seeds.data_ptr<int64_t>();
  const int64_t* step = steps.data_ptr<int64_t>();
  int64_t* tok = tokens.data_ptr<int64_t>();
  float* lp = logprobs.data_ptr<float>();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, logits.scalar_type(), "sample_cpu", [&] {
    const scalar_t* base = logits.const_data_ptr<scalar_t>();
    at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const scalar_t* x = base + r * ld;
        const bool sampled = temp[r] > 0;
        const float t_div = sampled ? temp[r] : 1.f;
        const uint32_t key = m::row_key(seed[r], step[r]);
        // tiles of kSampleTile tokens merged into the row, like the GPU's per-thread partial states
        m::SampleState row = m::sample_empty();
        for (int64_t v0 = 0; v0 < V; v0 += kSampleTile) {
          m::SampleState tile = m::sample_empty();
          for (int64_t v = v0; v < std::min(V, v0 + kSampleTile); ++v)
            m::sample_push(tile, static_cast<float>(x[v]), v, t_div, sampled, cut[r], key);
          m::sample_merge(row, tile);
        }
        tok[r] = m::sample_token(row);
        lp[r] = m::sample_logprob(row, static_cast<float>(x[0]));
      }
    });
  });
  return {tokens, logprobs};
}

// ---- sample_candidates: the whole rule per row, noise for candidates only --------------------------

namespace {

constexpr int64_t kLane = 16;  // values per vectorisable block (partial maxima / sums)

// Each block's maximum (NaN ignored) into `bmax`; returns the row's maximum. Later passes skip blocks
// by these.
// x86-64: an AVX2 clone next to the baseline one, picked at load time (no FMA: the same rounding).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PTS_WIDE __attribute__((target_clones("avx2", "default")))
#else
#define PTS_WIDE
#endif

PTS_WIDE float block_maxima(const float* x, int64_t V, std::vector<float>& bmax) {
  const int64_t nb = (V + kLane - 1) / kLane, full = V / kLane;
  bmax.resize(nb);
  float best = m::neg_inf();
  for (int64_t b = 0; b < full; ++b) {
    float acc = m::neg_inf();
    for (int j = 0; j < kLane; ++j) acc = x[b * kLane + j] > acc ? x[b * kLane + j] : acc;
    bmax[b] = acc;
    best = acc > best ? acc : best;
  }
  if (full < nb) {
    float acc = m::neg_inf();
    for (int64_t v = full * kLane; v < V; ++v) acc = x[v] > acc ? x[v] : acc;
    bmax[full] = acc;
    best = acc > best ? acc : best;
  }
  return best;
}

// log(sum(exp(x - mx))) + mx: torch.logsumexp up to rounding.
PTS_WIDE float row_lse(const float* x, int64_t V, float mx) {
  if (!(mx > m::neg_inf())) return mx;  // every logit -inf (or NaN)
  float acc[kLane] = {};
  int64_t v = 0;
  for (; v + kLane <= V; v += kLane)
    for (int j = 0; j < kLane; ++j) acc[j] += cpu::exp_nonpositive(x[v + j] - mx);
  float s = 0.f;
  for (; v < V; ++v) s += cpu::exp_nonpositive(x[v] - mx);
  for (int j = 0; j < kLane; ++j) s += acc[j];
  return mx + std::log(s);
}

// The k-th largest raw value of a row (k in [1, V]): a k-list with a threshold for small k (blocks whose
// maximum does not beat the current k-th value are skipped), nth_element otherwise.
float kth_largest(const float* x, int64_t V, int64_t k, const std::vector<float>& bmax, std::vector<float>& scratch,
                  std::vector<int64_t>& scratch_ids) {
  if (k <= 64) {
    scratch.assign(k, m::neg_inf());
    scratch_ids.assign(k, INT64_MAX);
    for (int64_t v0 = 0; v0 < V; v0 += kLane) {
      const int64_t n = std::min(kLane, V - v0);
      if (!(bmax[v0 / kLane] > scratch[k - 1])) continue;
      for (int64_t j = 0; j < n; ++j) m::topk_push(scratch.data(), scratch_ids.data(), static_cast<int>(k), x[v0 + j], v0 + j);
    }
    // fewer than k tokens above -inf: the k-th largest is -inf (NaN never enters the list)
    return scratch[k - 1];
  }
  scratch.resize(V);
  for (int64_t v = 0; v < V; ++v) scratch[v] = std::isnan(x[v]) ? m::neg_inf() : x[v];
  std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), std::greater<float>());
  return scratch[k - 1];
}

}  // namespace

std::tuple<at::Tensor, at::Tensor> sample_candidates_cpu(const at::Tensor& logits, const at::Tensor& temperature,
                                                         const at::Tensor& top_k, const at::Tensor& top_p,
                                                         const at::Tensor& log_min_p, const at::Tensor& seeds,
                                                         const at::Tensor& steps) {
  check_sample(logits, temperature, top_p, seeds, steps);
  TORCH_CHECK(top_k.dim() == 1 && top_k.size(0) == logits.size(0) && top_k.scalar_type() == at::kLong &&
                  top_k.is_contiguous() && top_k.device() == logits.device(),
              "sample: top_k must be contiguous int64 [B=", logits.size(0), "] on ", logits.device());
  TORCH_CHECK(log_min_p.dim() == 1 && log_min_p.size(0) == logits.size(0) &&
                  log_min_p.scalar_type() == at::kDouble && log_min_p.is_contiguous() &&
                  log_min_p.device() == logits.device(),
              "sample: log_min_p must be contiguous float64 [B=", logits.size(0), "] on ", logits.device());
  const int64_t B = logits.size(0), V = logits.size(1), ld = logits.stride(0);
  auto tokens = at::empty({B}, logits.options().dtype(at::kLong));
  auto logprobs = at::empty({B}, logits.options().dtype(at::kFloat));
  if (B == 0) return {tokens, logprobs};
  const float* temp = temperature.data_ptr<float>();
  const int64_t* topk = top_k.data_ptr<int64_t>();
  const float* topp = top_p.data_ptr<float>();
  const double* lmp = log_min_p.data_ptr<double>();
  const int64_t* seed = seeds.data_ptr<int64_t>();
  const int64_t* step = steps.data_ptr<int64_t>();
  int64_t* tok = tokens.data_ptr<int64_t>();
  float* lp = logprobs.data_ptr<float>();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, logits.scalar_type(), "sample_candidates_cpu", [&] {
    const scalar_t* base = logits.const_data_ptr<scalar_t>();
    at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> row_f, scratch, bmax;
      std::vector<int64_t> scratch_ids;
      std::vector<std::pair<float, int64_t>> cand;
      std::vector<float> desc;
      for (int64_t r = begin; r < end; ++r) {
        const float* x;
        if constexpr (std::is_same_v<scalar_t, float>) {
          x = reinterpret_cast<const float*>(base + r * ld);
        } else {
          row_f.resize(V);
          for (int64_t v = 0; v < V; ++v) row_f[v] = static_cast<float>(base[r * ld + v]);
          x = row_f.data();
        }
        const float mx = block_maxima(x, V, bmax);
        const float lse = row_lse(x, V, mx);
        const bool sampled = temp[r] > 0;
        const int64_t k = std::min(topk[r], V);
        const float p = topp[r];
        int64_t token = 0;
        if (!sampled) {  // greedy: the first maximum (the top token is never filtered)
          for (int64_t v = 0; v < V; ++v)
            if (x[v] == mx) {
              token = v;
              break;
            }
        } else if (k <= 0 && !(p < 1.f) && !(lmp[r] > static_cast<double>(m::neg_inf()))) {
          // unfiltered: noise over the whole vocabulary
          const uint32_t key = m::row_key(seed[r], step[r]);
          float best = m::neg_inf();
          for (int64_t v = 0; v < V; ++v) {  // strict > keeps the first maximum, like torch.argmax
            const float noisy = m::noisy_logit(x[v], v, temp[r], true, m::neg_inf(), key);
            if (noisy > best) {
              best = noisy;
              token = v;
            }
          }
        } else {
          const float t = temp[r];
          const float kth = k > 0 ? m::div_rn(kth_largest(x, V, k, bmax, scratch, scratch_ids), t) : m::neg_inf();
          // min-p: below the largest scaled logit + log(min_p), summed in float64 as sampling._min_p_cutoff
          const float min_p_cut = static_cast<float>(static_cast<double>(m::div_rn(mx, t)) + lmp[r]);
          // candidates: finite scaled logits >= the k-th (every tie included) and, where top-p does not need
          // the rest of top-k's mass, >= the min-p cut; blocks whose maximum scales below it are skipped
          // (x / t is non-decreasing in x)
          const float least = p < 1.f ? kth : std::max(kth, min_p_cut);
          cand.clear();
          for (int64_t v0 = 0; v0 < V; v0 += kLane) {
            const int64_t n = std::min(kLane, V - v0);
            const float b = m::div_rn(bmax[v0 / kLane], t);
            if (!(b >= least) || b == m::neg_inf()) continue;
            for (int64_t j = 0; j < n; ++j) {
              const float s = m::div_rn(x[v0 + j], t);
              if (s >= least && s != m::neg_inf()) cand.emplace_back(s, v0 + j);
            }
          }
          float cutoff = least;
          if (p < 1.f && !cand.empty()) {
            // sort only as far as top-p's cut: the first 64 candidates, then 4x more while all are kept
            float top = m::neg_inf();
            for (const auto& c : cand) top = std::max(top, c.first);
            double total = 0;
            for (const auto& c : cand) total += m::exp_d(static_cast<double>(c.first) - top);
            const auto by_value = [](const auto& a, const auto& b) { return a.first > b.first; };
            for (size_t n = std::min<size_t>(cand.size(), 64), sorted = 0;; n = std::min(cand.size(), 4 * n)) {
              std::partial_sort(cand.begin() + sorted, cand.begin() + n, cand.end(), by_value);
              sorted = n;
              desc.resize(n);
              for (size_t i = 0; i < n; ++i) desc[i] = cand[i].first;
              const int64_t last = m::top_p_last_kept(desc.data(), static_cast<int64_t>(n), total, p);
              if (last >= 0 || n == cand.size()) {
                cutoff = std::max(desc[last >= 0 ? last : n - 1], kth);
                break;
              }
            }
            cutoff = std::max(cutoff, min_p_cut);  // min-p comes after top-p, on what it kept
          }
          const uint32_t key = m::row_key(seed[r], step[r]);
          m::Pick best = m::pick_empty();
          for (const auto& [s, v] : cand)
            if (s >= cutoff) m::candidate_push(best, s, v, x[v], key);
          token = best.i < 0 ? 0 : best.i;
        }
        tok[r] = token;
        lp[r] = x[token] - lse;
      }
    });
  });
  return {tokens, logprobs};
}

}  // namespace ptsfast
