// Paged decode attention on CPU: one query token per row attends to its cached K/V, read in place
// through the block table (no gathered copy of the context). One task = (row, KV head): the task's
// query heads (the GQA group) share each K/V row load; scores go to a per-thread buffer (two-pass
// softmax in fp32, stable: exp(s - max)); caches may be fp32, bf16 or fp16 and any float q.
//
// The per-task loop is compiled three times in this file: plain, and on x86-64 with AVX2+FMA and with
// AVX-512 (selected at run time with __builtin_cpu_supports), so a generic build still vectorises on the
// machines that can.
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "cpu_math.h"
#include "ops.h"

namespace ptsfast {
namespace {

struct DecodeGeometry {
  int64_t Hq, Hkv, G, D, block_size, max_blocks;
  int64_t k_sb, k_st, k_sh, v_sb, v_st, v_sh;  // element strides: block, token, head (unit along D)
  int64_t window;                              // <= 0: no sliding window
  float scale;
};

template <typename T>
inline __attribute__((always_inline)) float to_float(T x) {
  if constexpr (std::is_same_v<T, c10::BFloat16>) {
    uint32_t bits = static_cast<uint32_t>(x.x) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    return f;
  } else {
    return static_cast<float>(x);
  }
}

// Row of D cache elements as fp32: the row itself for fp32 caches, else converted into buf.
template <typename T>
inline __attribute__((always_inline)) const float* load_row(const T* src, float* buf, int64_t D) {
  if constexpr (std::is_same_v<T, float>) {
    return src;
  } else {
    for (int64_t d = 0; d < D; ++d) buf[d] = to_float(src[d]);
    return buf;
  }
}

// Reductions keep W independent lanes (vector registers once compiled) and fold them as a tree at
// the end: a serial scalar chain would cost more than the loads for head dims like 64.
constexpr int W = 16;

inline __attribute__((always_inline)) float fold(float* acc) {
  for (int j = 0; j < 8; ++j) acc[j] += acc[j + 8];
  for (int j = 0; j < 4; ++j) acc[j] += acc[j + 4];
  return (acc[0] + acc[2]) + (acc[1] + acc[3]);
}

inline __attribute__((always_inline)) float dot(const float* a, const float* b, int64_t D) {
  float acc[W] = {};
  int64_t d = 0;
  for (; d + W <= D; d += W)
    for (int j = 0; j < W; ++j) acc[j] += a[d + j] * b[d + j];
  float s = fold(acc);
  for (; d < D; ++d) s += a[d] * b[d];
  return s;
}

inline __attribute__((always_inline)) float max_of(const float* x, int64_t n) {
  float acc[W];
  for (int j = 0; j < W; ++j) acc[j] = -std::numeric_limits<float>::infinity();
  int64_t i = 0;
  for (; i + W <= n; i += W)
    for (int j = 0; j < W; ++j) acc[j] = acc[j] > x[i + j] ? acc[j] : x[i + j];
  float m = acc[0];
  for (int j = 1; j < W; ++j) m = m > acc[j] ? m : acc[j];
  for (; i < n; ++i) m = m > x[i] ? m : x[i];
  return m;
}

// x <- exp(x - m) in place; returns the sum.
inline __attribute__((always_inline)) float exp_shifted_sum(float* x, int64_t n, float m) {
  for (int64_t i = 0; i < n; ++i) x[i] = cpu::exp_nonpositive(x[i] - m);
  float acc[W] = {};
  int64_t i = 0;
  for (; i + W <= n; i += W)
    for (int j = 0; j < W; ++j) acc[j] += x[i + j];
  float s = fold(acc);
  for (; i < n; ++i) s += x[i];
  return s;
}

// Requests the cache lines of the row kPrefetch tokens ahead: rows of one head are short runs spread
// over randomly placed blocks, and without this the loops wait on loads (the time was mostly stalls).
constexpr int64_t kPrefetch = 8;

template <typename T>
inline __attribute__((always_inline)) void prefetch_row(const T* row, int64_t D) {
  const char* p = reinterpret_cast<const char*>(row);
  for (int64_t off = 0; off < D * static_cast<int64_t>(sizeof(T)); off += 64) __builtin_prefetch(p + off);
}

constexpr int64_t kMaxGroup = 64;  // query heads per KV head (a per-task stack array)

// Per-thread scratch: q of the group (scaled, fp32), scores, output accumulators, one converted row, and
// the task's K/V row addresses (resolved once per block: a division per token cost more than its math).
template <typename T>
struct Scratch {
  std::vector<float> q, scores, acc, row;
  std::vector<const T*> k_rows, v_rows;
};

// Attention of rows' GQA groups [begin, end) in task order (task = row * Hkv + kv head). kD: the head
// dim when known at compile time (0: g.D), so that the per-row loops unroll for the common dims.
template <typename T, int64_t kD>
inline __attribute__((always_inline)) void decode_tasks(const DecodeGeometry& g, const float* q, const T* k,
                                                        const T* v, const int64_t* tables, const int64_t* lens,
                                                        float* out, float* lse, Scratch<T>& s, int64_t begin,
                                                        int64_t end) {
  const int64_t G = g.G, D = kD ? kD : g.D, bs = g.block_size;
  for (int64_t task = begin; task < end; ++task) {
    const int64_t b = task / g.Hkv, h = task % g.Hkv;
    const int64_t len = lens[b];
    const int64_t start = g.window > 0 ? std::max<int64_t>(0, len - g.window) : 0;
    const int64_t n = len - start;
    float* o = out + (b * g.Hq + h * G) * D;
    if (n == 0) {  // an empty part (only where lse is asked for): o = 0, lse = -inf, as merge_state expects
      std::fill(o, o + G * D, 0.f);
      for (int64_t j = 0; j < G; ++j) lse[b * g.Hq + h * G + j] = -std::numeric_limits<float>::infinity();
      continue;
    }
    if (static_cast<int64_t>(s.scores.size()) < G * n) s.scores.resize(G * n);
    if (static_cast<int64_t>(s.k_rows.size()) < n) s.k_rows.resize(n), s.v_rows.resize(n);
    const float* qg = q + (b * g.Hq + h * G) * D;
    for (int64_t i = 0; i < G * D; ++i) s.q[i] = qg[i] * g.scale;
    const int64_t* table = tables + b * g.max_blocks;
    const T** k_rows = s.k_rows.data();
    const T** v_rows = s.v_rows.data();
    for (int64_t t = start; t < len;) {
      const int64_t block = table[t / bs];
      const T* kb = k + block * g.k_sb + h * g.k_sh;
      const T* vb = v + block * g.v_sb + h * g.v_sh;
      for (int64_t o = t % bs; o < bs && t < len; ++o, ++t) {
        k_rows[t - start] = kb + o * g.k_st;
        v_rows[t - start] = vb + o * g.v_st;
      }
    }
    float* sc = s.scores.data();
    // pass 1: scores[j][t] = q_j . k_t, each K row loaded once for the G heads
    for (int64_t i = 0; i < n; ++i) {
      if (i + kPrefetch < n) prefetch_row(k_rows[i + kPrefetch], D);
      const float* kf = load_row(k_rows[i], s.row.data(), D);
      for (int64_t j = 0; j < G; ++j) sc[j * n + i] = dot(s.q.data() + j * D, kf, D);
    }
    // softmax numerators in place, per head
    float inv_sum[kMaxGroup];
    for (int64_t j = 0; j < G; ++j) {
      float* x = sc + j * n;
      const float m = max_of(x, n);
      const float sum = exp_shifted_sum(x, n, m);
      inv_sum[j] = 1.f / sum;
      // natural log of the softmax denominator of the scaled scores (q was scaled above): cascade's merge weight
      if (lse) lse[b * g.Hq + h * G + j] = m + std::log(sum);
    }
    if constexpr (kD != 0 && !std::is_same_v<T, c10::Half>) {
      // pass 2, fp32/bf16 cache and a known head dim: one head at a time with its accumulator in registers
      // (the V rows stay in cache for the group's next heads); same sums in the same order as below
      for (int64_t j = 0; j < G; ++j) {
        float a[kD] = {};
        const float* p = sc + j * n;
        for (int64_t i = 0; i < n; ++i) {
          if (j == 0 && i + kPrefetch < n) prefetch_row(v_rows[i + kPrefetch], D);
          const T* vr = v_rows[i];
          for (int64_t d = 0; d < kD; ++d) a[d] += p[i] * to_float(vr[d]);
        }
        for (int64_t d = 0; d < kD; ++d) o[j * D + d] = a[d] * inv_sum[j];
      }
      continue;
    }
    // pass 2: acc[j] = sum_t p[j][t] v_t, each V row loaded once for the G heads
    std::fill(s.acc.begin(), s.acc.end(), 0.f);
    for (int64_t i = 0; i < n; ++i) {
      if (i + kPrefetch < n) prefetch_row(v_rows[i + kPrefetch], D);
      const float* vf = load_row(v_rows[i], s.row.data(), D);
      for (int64_t j = 0; j < G; ++j) {
        const float p = sc[j * n + i];
        float* a = s.acc.data() + j * D;
        for (int64_t d = 0; d < D; ++d) a[d] += p * vf[d];
      }
    }
    for (int64_t j = 0; j < G; ++j)
      for (int64_t d = 0; d < D; ++d) o[j * D + d] = s.acc[j * D + d] * inv_sum[j];
  }
}

template <typename T>
inline __attribute__((always_inline)) void decode_tasks_by_dim(const DecodeGeometry& g, const float* q, const T* k,
                                                               const T* v, const int64_t* tables, const int64_t* lens,
                                                               float* out, float* lse, Scratch<T>& s, int64_t begin,
                                                               int64_t end) {
  if (g.D == 64) return decode_tasks<T, 64>(g, q, k, v, tables, lens, out, lse, s, begin, end);
  if (g.D == 128) return decode_tasks<T, 128>(g, q, k, v, tables, lens, out, lse, s, begin, end);
  decode_tasks<T, 0>(g, q, k, v, tables, lens, out, lse, s, begin, end);
}

template <typename T>
void decode_tasks_generic(const DecodeGeometry& g, const float* q, const T* k, const T* v, const int64_t* tables,
                          const int64_t* lens, float* out, float* lse, Scratch<T>& s, int64_t begin, int64_t end) {
  decode_tasks_by_dim(g, q, k, v, tables, lens, out, lse, s, begin, end);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PTSFAST_PAGED_AVX2 1
template <typename T>
__attribute__((target("avx2,fma"))) void decode_tasks_avx2(const DecodeGeometry& g, const float* q, const T* k,
                                                           const T* v, const int64_t* tables, const int64_t* lens,
                                                           float* out, float* lse, Scratch<T>& s, int64_t begin,
                                                           int64_t end) {
  decode_tasks_by_dim(g, q, k, v, tables, lens, out, lse, s, begin, end);
}

bool cpu_has_avx2_fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

// The W = 16 lanes of the reductions are one 512-bit register here (two with AVX2): same lanes, same
// arithmetic, so the same results, in half the instructions.
template <typename T>
__attribute__((target("avx512f,avx512vl,avx2,fma,prefer-vector-width=512"))) void decode_tasks_avx512(
    const DecodeGeometry& g, const float* q, const T* k, const T* v, const int64_t* tables, const int64_t* lens,
    float* out, float* lse, Scratch<T>& s, int64_t begin, int64_t end) {
  decode_tasks_by_dim(g, q, k, v, tables, lens, out, lse, s, begin, end);
}

bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  return has;
}
#endif

}  // namespace

namespace {

// Both ops: with_lse also returns the log-sum-exp of each (row, head)'s scaled scores and accepts empty rows
// (context_lens 0: o = 0, lse = -inf), which is what cascade attention's merge takes for its suffix part.
std::tuple<at::Tensor, at::Tensor> paged_decode(const at::Tensor& q, const at::Tensor& k_cache,
                                                const at::Tensor& v_cache, const at::Tensor& block_tables,
                                                const at::Tensor& context_lens, double scale,
                                                std::optional<int64_t> sliding_window, int64_t max_isa,
                                                bool with_lse) {
  const char* name = with_lse ? "paged_decode_attention_lse" : "paged_decode_attention";
  TORCH_CHECK(q.dim() == 3 && k_cache.dim() == 4 && k_cache.sizes() == v_cache.sizes(), name,
              ": need q [B, Hq, D] and caches [num_blocks, block_size, Hkv, D], got ", q.sizes(), ", ",
              k_cache.sizes(), ", ", v_cache.sizes());
  const int64_t B = q.size(0), Hq = q.size(1), D = q.size(2);
  const int64_t num_blocks = k_cache.size(0), bs = k_cache.size(1), Hkv = k_cache.size(2);
  TORCH_CHECK(k_cache.size(3) == D && Hkv > 0 && Hq % Hkv == 0 && Hq / Hkv <= kMaxGroup, name, ": q heads ", Hq,
              " x dim ", D, " do not fit caches with ", Hkv, " KV heads of dim ", k_cache.size(3),
              " (need Hq % Hkv == 0 and at most ", kMaxGroup, " query heads per KV head)");
  TORCH_CHECK(block_tables.dim() == 2 && block_tables.size(0) == B && context_lens.dim() == 1 &&
                  context_lens.size(0) == B,
              name, ": block_tables must be [B=", B, ", max_blocks] and context_lens [B], got ", block_tables.sizes(),
              " and ", context_lens.sizes());
  const auto ct = k_cache.scalar_type();
  TORCH_CHECK((ct == at::kFloat || ct == at::kBFloat16 || ct == at::kHalf) && v_cache.scalar_type() == ct &&
                  at::isFloatingType(q.scalar_type()),
              name, ": caches must share one of float32/bfloat16/float16 and q must be floating, got q ",
              q.scalar_type(), ", k ", ct, ", v ", v_cache.scalar_type());
  TORCH_CHECK(at::isIntegralType(block_tables.scalar_type(), /*includeBool=*/false) &&
                  at::isIntegralType(context_lens.scalar_type(), /*includeBool=*/false),
              name, ": block_tables and context_lens must be integer tensors");
  TORCH_CHECK(k_cache.stride(3) == 1 && v_cache.stride(3) == 1, name, ": caches need unit stride along D");
  for (const auto* t : {&k_cache, &v_cache, &block_tables, &context_lens})
    TORCH_CHECK(t->device() == q.device(), name, ": q, caches, block_tables and context_lens must share a device");
  const int64_t window = sliding_window ? *sliding_window : 0;
  TORCH_CHECK(!sliding_window || window > 0, name, ": sliding_window must be positive, got ", window);

  auto out = at::empty({B, Hq, D}, q.options().dtype(at::kFloat));
  auto lse = with_lse ? at::empty({B, Hq}, q.options().dtype(at::kFloat)) : at::Tensor();
  if (B == 0) return {out.to(q.scalar_type()), lse};
  const auto tables = block_tables.to(at::kLong).contiguous();
  const auto lens = context_lens.to(at::kLong).contiguous();
  const int64_t max_blocks = tables.size(1);
  const int64_t* tp = tables.const_data_ptr<int64_t>();
  const int64_t* lp = lens.const_data_ptr<int64_t>();
  // every block the kernel will read must exist: the loop below reads memory without further checks
  for (int64_t b = 0; b < B; ++b) {
    const int64_t least = with_lse ? 0 : 1;
    TORCH_CHECK(lp[b] >= least && lp[b] <= max_blocks * bs, name, ": context_lens[", b, "]=", lp[b],
                " must be in [", least, ", max_blocks * block_size = ", max_blocks * bs, "]");
    const int64_t first = window > 0 ? std::max<int64_t>(0, lp[b] - window) / bs : 0;
    for (int64_t i = first; i < (lp[b] + bs - 1) / bs; ++i)
      TORCH_CHECK(tp[b * max_blocks + i] >= 0 && tp[b * max_blocks + i] < num_blocks, name, ": block_tables[", b,
                  ", ", i, "]=", tp[b * max_blocks + i], " is not a block of the cache (", num_blocks, " blocks)");
  }
  const auto qf = q.to(at::kFloat).contiguous();
  const DecodeGeometry g{Hq, Hkv, Hq / Hkv, D, bs, max_blocks,
                         k_cache.stride(0), k_cache.stride(1), k_cache.stride(2),
                         v_cache.stride(0), v_cache.stride(1), v_cache.stride(2),
                         window, static_cast<float>(scale)};
  const float* qp = qf.const_data_ptr<float>();
  float* op = out.data_ptr<float>();
  float* lsep = with_lse ? lse.data_ptr<float>() : nullptr;
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, ct, "paged_decode_attention_cpu", [&] {
    const scalar_t* kp = k_cache.const_data_ptr<scalar_t>();
    const scalar_t* vp = v_cache.const_data_ptr<scalar_t>();
    at::parallel_for(0, B * Hkv, 1, [&](int64_t begin, int64_t end) {
      Scratch<scalar_t> s;
      s.q.resize(g.G * D);
      s.acc.resize(g.G * D);
      s.row.resize(D);
#ifdef PTSFAST_PAGED_AVX2
      if (max_isa >= 2 && cpu_has_avx512()) {
        decode_tasks_avx512<scalar_t>(g, qp, kp, vp, tp, lp, op, lsep, s, begin, end);
        return;
      }
      if (max_isa >= 1 && cpu_has_avx2_fma()) {
        decode_tasks_avx2<scalar_t>(g, qp, kp, vp, tp, lp, op, lsep, s, begin, end);
        return;
      }
#endif
      decode_tasks_generic<scalar_t>(g, qp, kp, vp, tp, lp, op, lsep, s, begin, end);
    });
  });
  return {q.scalar_type() == at::kFloat ? out : out.to(q.scalar_type()), lse};
}

}  // namespace

at::Tensor paged_decode_attention_cpu(const at::Tensor& q, const at::Tensor& k_cache, const at::Tensor& v_cache,
                                      const at::Tensor& block_tables, const at::Tensor& context_lens, double scale,
                                      std::optional<int64_t> sliding_window, int64_t max_isa) {
  return std::get<0>(
      paged_decode(q, k_cache, v_cache, block_tables, context_lens, scale, sliding_window, max_isa, false));
}

std::tuple<at::Tensor, at::Tensor> paged_decode_attention_lse_cpu(const at::Tensor& q, const at::Tensor& k_cache,
                                                                  const at::Tensor& v_cache,
                                                                  const at::Tensor& block_tables,
                                                                  const at::Tensor& context_lens, double scale,
                                                                  int64_t max_isa) {
  return paged_decode(q, k_cache, v_cache, block_tables, context_lens, scale, std::nullopt, max_isa, true);
}

}  // namespace ptsfast
