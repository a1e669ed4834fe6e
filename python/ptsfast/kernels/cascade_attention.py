"""Shared-prefix (cascade) paged decode attention: the prefix's KV is read once per group, not per row.

Why (docs/design.md §4): PTS forks N rollouts from one prefix of P tokens. A plain paged decode makes each of
the N rows re-read the prefix's KV, N * P tokens per step and layer; cascade attention reads P + N * S
(S = each row's own suffix). Decode attention is memory-bound, so this is the bytes that matter.

Math: softmax attention over a key set that is the disjoint union of a prefix and a suffix equals the
log-sum-exp merge of the two partial attentions (``merge_state``), so each part can be computed
separately: the prefix part once per group with the group's queries batched (a real matrix product
``[rows * Hq/Hkv, D] x [D, P]`` per KV head, no repeated KV), the suffix part per row.

Plan/run split (after FlashInfer): the engine builds one ``CascadePlan`` per decode step and passes it
to every layer; host-side metadata (rows sorted by group, work tiles) is derived once per plan and
cached on it.

Shapes: q ``[B, Hq, D]``; k_cache / v_cache ``[num_blocks, block_size, Hkv, D]`` with ``Hq % Hkv == 0``;
returns ``[B, Hq, D]`` in q's dtype. Backends: ``triton`` (GPU, or the interpreter when asked), ``cpp`` (CPU with
the extension built: ATen's fused CPU attention for each group's prefix, the C++ paged op for the suffixes) and
``torch`` (``cascade_decode_attention_torch``: the specification).
"""

from __future__ import annotations

import functools
import math

import torch

from ptsfast.kernels._dispatch import backend_available, check, choose_backend, triton_module
from ptsfast.kernels.paged_attention import paged_decode_backend
from ptsfast.kernels.types import FLOAT_DTYPES, CascadeHost, CascadePlan

__all__ = ["CascadePlan", "cascade_backend", "cascade_decode_attention", "cascade_decode_attention_cpp",
           "cascade_decode_attention_torch", "merge_state",
           "merge_state_torch", "should_use_cascade"]

IMPLEMENTED = ("cpp", "triton", "torch")
_NAME = "cascade_decode_attention"
_MIN_SPLIT_KEYS = 256  # the cpp path splits a prefix across threads only into chunks at least this long


@functools.cache
def _cpp_ready() -> bool:
    """Whether this build has what the ``cpp`` path runs on: the C++ op with log-sum-exp (an extension built
    before it existed lacks it) and ATen's fused CPU attention that returns the log-sum-exp."""
    return (backend_available("cpp", torch.device("cpu")) and hasattr(torch.ops.ptsfast, "paged_decode_attention_lse")
            and hasattr(torch.ops.aten, "_scaled_dot_product_flash_attention_for_cpu"))


def cascade_backend(device: torch.device | str, backend: str | None = None) -> str:
    """The backend ``cascade_decode_attention`` runs on ``device`` (the dispatch rule asks too)."""
    implemented = IMPLEMENTED if _cpp_ready() else tuple(b for b in IMPLEMENTED if b != "cpp")
    return choose_backend(_NAME, torch.device(device), implemented, backend)


def _check_inputs(q, k_cache, v_cache, plan: CascadePlan, scale, floats=FLOAT_DTYPES) -> CascadeHost:
    check(isinstance(plan, CascadePlan), _NAME, f"plan must be a CascadePlan, got {type(plan).__name__}")
    check(q.dim() == 3, _NAME, f"q must be [B, Hq, D], got {tuple(q.shape)}")
    check(k_cache.dim() == 4 and k_cache.shape == v_cache.shape, _NAME,
          f"caches must both be [num_blocks, block_size, Hkv, D], got {tuple(k_cache.shape)} and "
          f"{tuple(v_cache.shape)}")
    B, Hq, D = q.shape
    Hkv = k_cache.shape[2]
    check(k_cache.shape[3] == D, _NAME, f"head dim of q ({D}) != cache head dim ({k_cache.shape[3]})")
    check(Hq % Hkv == 0, _NAME, f"query heads ({Hq}) must be a multiple of KV heads ({Hkv})")
    check(q.dtype in floats and k_cache.dtype in floats and v_cache.dtype == k_cache.dtype, _NAME,
          f"dtypes must be fp16/bf16/fp32 with equal K/V dtypes, got q {q.dtype}, k {k_cache.dtype}, v {v_cache.dtype}")
    check(q.device == k_cache.device == v_cache.device == plan.query_group.device, _NAME,
          "q, caches and plan must share a device")
    check(q.stride(-1) == 1 and k_cache.stride(-1) == 1 and k_cache.stride() == v_cache.stride(), _NAME,
          "q and the caches need unit stride along D and K/V must share strides (no silent copies of caches)")
    check(plan.suffix_block_tables.shape[0] == B, _NAME,
          f"plan has {plan.suffix_block_tables.shape[0]} query rows, q has {B}")
    check(math.isfinite(scale), _NAME, f"scale must be finite, got {scale}")
    return plan.validate_for(k_cache.shape[1], k_cache.shape[0])


# ----------------------------------------------------------------------------------------- merge


def merge_state(o_a: torch.Tensor, lse_a: torch.Tensor, o_b: torch.Tensor, lse_b: torch.Tensor,
                *, backend: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Merges two partial attentions over disjoint key sets by log-sum-exp.

    o_a, o_b ``[..., D]`` (each normalised over its own keys); lse_a, lse_b ``[...]`` fp32, natural log of
    each part's softmax denominator (including the scale). A part with ``lse = -inf`` is empty and its
    ``o`` is ignored (it may hold anything, NaN included). Returns ``(o fp32, lse fp32)``; where both
    parts are empty, ``o = 0`` and ``lse = -inf``.
    """
    name = "merge_state"
    check(o_a.shape == o_b.shape and lse_a.shape == lse_b.shape == o_a.shape[:-1], name,
          f"need o [..., D] and lse [...] for both parts, got {tuple(o_a.shape)}, {tuple(lse_a.shape)}, "
          f"{tuple(o_b.shape)}, {tuple(lse_b.shape)}")
    chosen = choose_backend(name, o_a.device, IMPLEMENTED, backend)
    if chosen == "triton":
        D = o_a.shape[-1]
        merge = triton_module("cascade_attention").merge_states_triton
        o, lse = merge(torch.stack([o_a.reshape(-1, D), o_b.reshape(-1, D)]).float(),
                       torch.stack([lse_a.reshape(-1), lse_b.reshape(-1)]).float(), torch.float32)
        return o.view(o_a.shape), lse.view(lse_a.shape)
    return merge_state_torch(o_a, lse_a, o_b, lse_b)


def merge_state_torch(o_a, lse_a, o_b, lse_b) -> tuple[torch.Tensor, torch.Tensor]:
    """Plain torch ``merge_state``: weights ``exp(lse_x - max)``, with ``where`` so empty parts
    contribute exactly nothing (``0 * NaN`` would poison the result)."""
    lse_a, lse_b = lse_a.float(), lse_b.float()
    big = torch.maximum(lse_a, lse_b)
    big_safe = torch.where(torch.isinf(big) & (big < 0), torch.zeros_like(big), big)
    w_a = torch.exp(lse_a - big_safe)
    w_b = torch.exp(lse_b - big_safe)
    total = w_a + w_b
    part_a = torch.where((w_a > 0)[..., None], o_a.float() * w_a[..., None], 0.0)
    part_b = torch.where((w_b > 0)[..., None], o_b.float() * w_b[..., None], 0.0)
    o = torch.where((total > 0)[..., None], (part_a + part_b) / total.clamp_min(1e-30)[..., None], 0.0)
    lse = torch.where(total > 0, big_safe + torch.log(total), torch.full_like(total, float("-inf")))
    return o, lse


# ----------------------------------------------------------------------------------------- torch


def _softmax_lse(scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``exp(scores - max)``, its row sums and the LSE in one pass over masked scores (-inf = masked).
    Rows with no valid key get weights 0, sum 0 and ``lse = -inf``."""
    big = scores.amax(dim=-1, keepdim=True)
    big = torch.where(torch.isinf(big), torch.zeros_like(big), big)
    weights = torch.exp(scores - big)
    total = weights.sum(dim=-1)
    lse = torch.where(total > 0, big.squeeze(-1) + torch.log(total), torch.full_like(total, float("-inf")))
    return weights, total, lse


def _gather_blocks(cache: torch.Tensor, table: torch.Tensor, length: int) -> torch.Tensor:
    """Tokens ``[..., length, Hkv, D]`` of paged sequences: whole blocks are copied (index_select on
    the block dim, contiguous runs), then trimmed. table ``[..., >= ceil(length / block_size)]``."""
    block_size = cache.shape[1]
    nblk = -(-length // block_size)
    ids = table[..., :nblk].long().clamp_min(0)
    blocks = cache.index_select(0, ids.reshape(-1))  # [(...) * nblk, block_size, Hkv, D]
    return blocks.view(*ids.shape[:-1], nblk * block_size, *cache.shape[2:])[..., :length, :, :]


def cascade_decode_attention_torch(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                                   plan: CascadePlan, scale: float) -> torch.Tensor:
    """The spec, and the CPU path: per group one batched product over the prefix, per row one over the
    suffix, merged by ``merge_state``. Computes in fp32 (float64 if q is float64, for tests);
    returns ``[B, Hq, D]`` in q's dtype."""
    h = _check_inputs(q, k_cache, v_cache, plan, scale, FLOAT_DTYPES + (torch.float64,))
    B, Hq, D = q.shape
    Hkv = k_cache.shape[2]
    rep = Hq // Hkv
    acc = torch.float64 if q.dtype == torch.float64 else torch.float32
    qf = q.to(acc)
    dev = q.device

    o_p = torch.zeros(B, Hq, D, dtype=acc, device=dev)
    lse_p = torch.full((B, Hq), float("-inf"), dtype=acc, device=dev)
    for g in range(h.num_groups):
        P, n = int(h.prefix_lens[g]), int(h.group_counts[g])
        if P == 0 or n == 0:
            continue
        start = int(h.group_starts[g])
        rows = h.rows_by_group[start:start + n].to(dev)
        k = _gather_blocks(k_cache, plan.prefix_block_tables[g], P).to(acc)  # [P, Hkv, D]
        v = _gather_blocks(v_cache, plan.prefix_block_tables[g], P).to(acc)
        qg = qf.index_select(0, rows).view(n, Hkv, rep, D).permute(1, 0, 2, 3).reshape(Hkv, n * rep, D)
        # [Hkv, n*rep, P]: the prefix is read once for all n rows of the group, no repeated KV
        scores = torch.bmm(qg, k.permute(1, 2, 0)) * scale
        weights, total, lse = _softmax_lse(scores)
        o = torch.bmm(weights, v.transpose(0, 1)) / total[..., None]
        o_p[rows] = o.view(Hkv, n, rep, D).permute(1, 0, 2, 3).reshape(n, Hq, D)
        lse_p[rows] = lse.view(Hkv, n, rep).permute(1, 0, 2).reshape(n, Hq)

    if h.max_suffix == 0:
        return o_p.to(q.dtype)
    S = h.max_suffix
    k = _gather_blocks(k_cache, plan.suffix_block_tables, S).to(acc)  # [B, S, Hkv, D]
    v = _gather_blocks(v_cache, plan.suffix_block_tables, S).to(acc)
    scores = torch.einsum("bhrd,bshd->bhrs", qf.view(B, Hkv, rep, D), k) * scale
    valid = torch.arange(S, device=dev)[None, :] < plan.suffix_lens.to(dev).long()[:, None]  # [B, S]
    scores = scores.masked_fill(~valid[:, None, None, :], float("-inf"))
    weights, total, lse_s = _softmax_lse(scores)
    o_s = torch.einsum("bhrs,bshd->bhrd", weights, v) / total.clamp_min(1e-30)[..., None]
    o, _ = merge_state_torch(o_p, lse_p, o_s.reshape(B, Hq, D), lse_s.reshape(B, Hq))
    return o.to(q.dtype)


# ------------------------------------------------------------------------------------------- cpp


def cascade_decode_attention_cpp(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                                 plan: CascadePlan, scale: float) -> torch.Tensor:
    """The CPU path. On a CPU decode attention is bound by arithmetic, not by bytes (a group's prefix stays in the
    caches while its rows re-read it), so what sharing buys here is turning each group's ``rows x prefix`` dot
    products from per-row vector work into one matrix product: ATen's fused CPU attention (blocked GEMMs, online
    softmax, and the log-sum-exp the merge needs) over the group's prefix with the group's rows as one query
    batch per KV head (``[1, Hkv, rows * Hq/Hkv, D]``, no repeated KV), the C++ paged op over each row's own
    suffix (read in place, with its log-sum-exp), merged by ``merge_state``. Each group's prefix blocks are
    gathered once per layer (``index_select``, contiguous runs). Returns ``[B, Hq, D]`` in q's dtype."""
    h = _check_inputs(q, k_cache, v_cache, plan, scale)
    B, Hq, D = q.shape
    Hkv = k_cache.shape[2]
    rep = Hq // Hkv
    dt = k_cache.dtype if q.dtype == k_cache.dtype else torch.float32
    qc = q.to(dt)
    o_p = torch.zeros(B, Hq, D, dtype=torch.float32)
    lse_p = torch.full((B, Hq), float("-inf"), dtype=torch.float32)
    threads = torch.get_num_threads()
    for g in range(h.num_groups):
        P, n = int(h.prefix_lens[g]), int(h.group_counts[g])
        if P == 0 or n == 0:
            continue
        start = int(h.group_starts[g])
        rows = h.rows_by_group[start:start + n]
        # the fused kernel runs one task per (batch, head, 32-query block): a small group has as few tasks as KV
        # heads, so with several threads the prefix is split into `splits` equal key chunks stacked as the batch
        # (merged below by log-sum-exp), which gives every thread work
        splits = next(t for t in range(min(threads, P // _MIN_SPLIT_KEYS) or 1, 0, -1) if P % t == 0)
        k = _gather_blocks(k_cache, plan.prefix_block_tables[g], P).to(dt).view(splits, P // splits, Hkv, D)
        v = _gather_blocks(v_cache, plan.prefix_block_tables[g], P).to(dt).view(splits, P // splits, Hkv, D)
        qg = qc.index_select(0, rows).view(n, Hkv, rep, D).transpose(0, 1).reshape(1, Hkv, n * rep, D)
        o, lse = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(
            qg.expand(splits, -1, -1, -1), k.transpose(1, 2), v.transpose(1, 2), 0.0, False, scale=scale)[:2]
        o, lse = o.float(), lse.float()
        if splits > 1:
            total = torch.logsumexp(lse, 0)
            o, lse = (o * torch.exp(lse - total)[..., None]).sum(0), total
        else:
            o, lse = o[0], lse[0]
        o_p.index_copy_(0, rows, o.view(Hkv, n, rep, D).transpose(0, 1).reshape(n, Hq, D))
        lse_p.index_copy_(0, rows, lse.view(Hkv, n, rep).transpose(0, 1).reshape(n, Hq))
    if h.max_suffix == 0:
        return o_p.to(q.dtype)
    o_s, lse_s = torch.ops.ptsfast.paged_decode_attention_lse(q, k_cache, v_cache, plan.suffix_block_tables,
                                                              plan.suffix_lens, scale)
    o, _ = merge_state_torch(o_p, lse_p, o_s, lse_s)
    return o.to(q.dtype)


def cascade_decode_attention(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                             plan: CascadePlan, scale: float, *, backend: str | None = None) -> torch.Tensor:
    """Decode attention of ``q [B, Hq, D]`` over a shared prefix per group plus each row's suffix.

    Equivalent to ``paged_decode_attention_torch`` with each row's block table = its group's prefix
    blocks followed by its suffix blocks (when the prefix fills whole blocks). Dispatch: Triton on CUDA,
    ``cpp`` on CPU when the extension is built, else torch (``backend=`` /
    ``PTSFAST_BACKEND_CASCADE_DECODE_ATTENTION`` override). Returns ``[B, Hq, D]`` in q's dtype.
    """
    _check_inputs(q, k_cache, v_cache, plan, scale)
    chosen = cascade_backend(q.device, backend)
    if q.shape[0] == 0:
        return torch.empty_like(q)
    if chosen == "triton":
        return triton_module("cascade_attention").cascade_decode_attention_triton(q, k_cache, v_cache, plan, scale)
    if chosen == "cpp":
        return cascade_decode_attention_cpp(q, k_cache, v_cache, plan, scale)
    return cascade_decode_attention_torch(q, k_cache, v_cache, plan, scale)


# ------------------------------------------------------------------------------------ heuristic

# Measured (benchmarks/scripts/cascade_crossover.py, SmolLM2-135M heads, fp32). Against the plain paged *torch* path
# (benchmarks/results/cpu_cascade_crossover.txt, one thread): the torch cascade path has ~0.5 ms of fixed cost
# per call (a per-group loop and a merge) and wins once the prefix tokens it avoids re-reading, (N - 1) * P,
# reach about 1024 (P=1024,N=2: 1.2x; P=512,N=4: 1.3x; P=256,N=8: 1.3x; P=128,N=8: 0.8-1.0x; P=2048,N=32: 15-24x).
CPU_MIN_SAVED_TOKENS = 1024
CPU_MIN_RATIO = 1.25
# Against the C++ paged op, the CPU default when the extension is built (reads K/V in place, a GQA group per
# K/V load, the V pass with its accumulators in registers; benchmarks/results/cpu_cascade_crossover_cpp.txt, two
# threads), the same torch cascade path only wins on long prefixes shared by big groups with short suffixes:
# P=1024,N=128,S=16: 1.3x; P=2048,N=32,S=16: 1.3x; P=2048,N=128: 1.4-1.9x; but P=1024,N=32,S=16: 0.74x,
# P=512,N=128,S=16: 0.86x, P=1024,N=128,S=128 (ratio 8.5): 0.67x, P=2048,N=32,S=128 (ratio 11): 0.99x, and
# 0.14-0.60x at the demo's P <= 256.
CPU_CPP_MIN_PREFIX = 1024
CPU_CPP_MIN_SAVED_TOKENS = 60_000
CPU_CPP_MIN_RATIO = 12.0
# The cpp cascade path (ATen's fused attention per group prefix, the C++ op with its log-sum-exp for the suffixes)
# against the C++ paged op (benchmarks/results/cpu_cascade_crossover_fused.txt, one thread, shared machine): its
# suffix part is the plain op's own work, so the suffix length hardly matters; ~0.2 ms of fixed cost per call, then
# it wins once a group shares enough prefix tokens: P=512,N=32: 1.2-1.3x; P=1024,N=16: 1.3x; P=2048,N=8: 1.2-1.3x;
# P=2048,N=16: 1.4-1.5x; P=4096,N=16: 1.6-1.7x; P=2048,N=128: 1.7-1.8x; but P=512,N=16: 1.0x, P=1024,N=8: 1.0x,
# P=4096,N=4: 1.0x and P=128,N=128: 0.8x. With two threads the plain op splits its (row, KV head) tasks evenly
# while a group's fused call has few, so the crossover doubles (benchmarks/results/cpu_cascade_crossover_2threads.txt,
# two runs on a quiet machine): P=2048,N=16: 1.09-1.19x; P=4096,N=8: 1.07-1.11x; P=1024,N=32: 1.03-1.13x;
# P=512,N=128: 1.07-1.41x; but P=2048,N=8 (14k saved): 0.87-0.96x, P=512,N=32: 0.75-0.90x, P=4096,N=4: 0.75-0.84x.
# More threads were not measured: there the C++ op's rule (CPU_CPP_*) stands.
CPU_FUSED_MIN_PREFIX = 512
CPU_FUSED_MIN_SAVED_TOKENS = 14_000
CPU_FUSED_2T_MIN_SAVED_TOKENS = 28_000
# GPU model (docs/design.md §4), NOT measured (no GPU was available): cascade costs two extra launches plus the
# merge (~8-10 us per layer); at ~3 TB/s that buys ~24 MB per layer, i.e. ~47k tokens at 512 B of KV
# per token and layer. Also require P >= 256 (short prefixes: the plain kernel wins, per docs/design.md §4).
GPU_MIN_PREFIX = 256
GPU_OVERHEAD_BYTES = 24e6
GPU_MIN_RATIO = 1.5


def should_use_cascade(prefix_len: int, group_size: int, suffix_len: int, device: torch.device | str, *,
                       kv_bytes_per_token: int = 512) -> bool:
    """Whether cascade attention should beat plain paged decode for a group of ``group_size`` rows
    sharing ``prefix_len`` tokens, each with ``suffix_len`` own tokens (use the mean or max).

    Rule (docs/design.md §4): cascade saves ``(N - 1) * P`` tokens of KV reads per layer and costs extra
    launches plus a merge, and the relative saving ``N (P + S) / (P + N S)`` must be material.
      * always False for N < 2 or P == 0;
      * CPU with the C++ paged op and the cpp cascade path (the default when the extension is built): one thread
        P >= 512 and saved >= 14000, two threads P >= 512 and saved >= 28000, more threads P >= 1024 and
        saved >= 60000;
        the torch cascade path against the C++ paged op: P >= 1024, saved >= 60000 and ratio >= 12;
        against the torch paged path: saved >= 1024 and ratio >= 1.25 (all measured crossovers);
      * CUDA: ``P >= GPU_MIN_PREFIX`` and ``(N - 1) * P * kv_bytes_per_token >= GPU_OVERHEAD_BYTES``
        and ratio >= 1.5, where ``kv_bytes_per_token = 2 * Hkv * D * dtype bytes`` (one layer).
        The GPU constants are a bandwidth model, not yet measured on a GPU.
    """
    device = torch.device(device)
    if group_size < 2 or prefix_len <= 0:
        return False
    saved = (group_size - 1) * prefix_len
    ratio = group_size * (prefix_len + suffix_len) / (prefix_len + group_size * suffix_len)
    if device.type == "cuda":
        return (prefix_len >= GPU_MIN_PREFIX and saved * kv_bytes_per_token >= GPU_OVERHEAD_BYTES
                and ratio >= GPU_MIN_RATIO)
    if paged_decode_backend(device) != "cpp":
        return saved >= CPU_MIN_SAVED_TOKENS and ratio >= CPU_MIN_RATIO
    if cascade_backend(device) == "cpp":
        threads = torch.get_num_threads()
        if threads <= 2:
            need = CPU_FUSED_MIN_SAVED_TOKENS if threads == 1 else CPU_FUSED_2T_MIN_SAVED_TOKENS
            return prefix_len >= CPU_FUSED_MIN_PREFIX and saved >= need
        return prefix_len >= CPU_CPP_MIN_PREFIX and saved >= CPU_CPP_MIN_SAVED_TOKENS
    return prefix_len >= CPU_CPP_MIN_PREFIX and saved >= CPU_CPP_MIN_SAVED_TOKENS and ratio >= CPU_CPP_MIN_RATIO
