"""Triton fused log-probs: ``log_softmax(hidden @ weight.T)[target]`` (+ top-k) with an online LSE.

Why: scoring a solution of N tokens against a 150k vocabulary would otherwise materialise an fp32
``[N, V]`` logits tensor (2.5 GB for N=4096); here each logits tile lives only in registers.

Layout: grid = (row tiles, vocab splits). A program owns ``BLOCK_N`` rows and one contiguous vocab
range; it walks that range in ``BLOCK_V`` tiles, computes each logits tile as a K-loop of ``tl.dot``
over ``BLOCK_D`` slices of the hidden size (fp32 accumulation), and folds it into a running
(max, sum-exp, target logit, top-k). Row tiles vary fastest in the grid, so the programs that run at
the same time read the same weight tiles (L2 reuse). The few partials per row ``[splits, N]`` are
merged in torch. Vocab splits give the GPU enough programs when N is small.

Top-k keeps a running ``[BLOCK_N, k]`` best list per program: each vocab tile is scanned k times
(max, argmax, knock out) and each tile maximum replaces the current minimum of the list if larger.
Cost k extra reductions per tile, small against the ``BLOCK_N * BLOCK_V * d`` dot.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from ptsfast.kernels._dispatch import check
from ptsfast.kernels._launch import cdiv, dot_in_fp32, dot_precision, interpreted, split_range, splits_to_fill
from ptsfast.kernels.types import TokenLogprobs

MAX_TOP_K = 64


@triton.jit
def _fused_logprobs_kernel(
    h_ptr, w_ptr, b_ptr, tgt_ptr,
    m_out, s_out, t_out, topv_out, topi_out,
    N, V, D, span,
    stride_hn, stride_hd, stride_wv, stride_wd,
    HAS_BIAS: tl.constexpr, TOP_K: tl.constexpr, KP: tl.constexpr, DOT_F32: tl.constexpr,
    DOT_PRECISION: tl.constexpr,
    BLOCK_N: tl.constexpr, BLOCK_V: tl.constexpr, BLOCK_D: tl.constexpr,
):
    pid_n = tl.program_id(0)
    split = tl.program_id(1)
    rows = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    row_ok = rows < N
    rows64 = rows.to(tl.int64)
    tgt = tl.load(tgt_ptr + rows64, mask=row_ok, other=-1).to(tl.int64)
    v_begin = split * span
    v_end = tl.minimum(v_begin + span, V)

    m_i = tl.full([BLOCK_N], float("-inf"), tl.float32)
    s_i = tl.zeros([BLOCK_N], tl.float32)
    t_i = tl.zeros([BLOCK_N], tl.float32)
    if TOP_K > 0:
        kcols = tl.arange(0, KP)
        best_v = tl.where(kcols[None, :] < TOP_K, float("-inf"), float("inf")) + tl.zeros([BLOCK_N, KP], tl.float32)
        best_i = tl.zeros([BLOCK_N, KP], tl.int64) - 1

    dcols = tl.arange(0, BLOCK_D)
    for v0 in range(v_begin, v_end, BLOCK_V):
        cols = v0 + tl.arange(0, BLOCK_V)
        col_ok = cols < v_end
        cols64 = cols.to(tl.int64)
        acc = tl.zeros([BLOCK_N, BLOCK_V], tl.float32)
        for d0 in range(0, D, BLOCK_D):
            d_ok = (d0 + dcols) < D
            h = tl.load(h_ptr + rows64[:, None] * stride_hn + (d0 + dcols)[None, :] * stride_hd,
                        mask=row_ok[:, None] & d_ok[None, :], other=0.0)
            w = tl.load(w_ptr + cols64[:, None] * stride_wv + (d0 + dcols)[None, :] * stride_wd,
                        mask=col_ok[:, None] & d_ok[None, :], other=0.0)
            if DOT_F32:  # _launch.dot_in_fp32: the interpreter's bf16 dots are wrong; GPUs never take this branch
                h = h.to(tl.float32)
                w = w.to(tl.float32)
            acc = tl.dot(h, tl.trans(w), acc, input_precision=DOT_PRECISION)
        if HAS_BIAS:
            acc += tl.load(b_ptr + cols64, mask=col_ok, other=0.0).to(tl.float32)[None, :]
        acc = tl.where(col_ok[None, :], acc, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(acc, 1))
        m_safe = tl.where(m_new == float("-inf"), 0.0, m_new)
        s_i = s_i * tl.exp(m_i - m_safe) + tl.sum(tl.exp(acc - m_safe[:, None]), 1)
        m_i = m_new
        t_i += tl.sum(tl.where(cols64[None, :] == tgt[:, None], acc, 0.0), 1)
        if TOP_K > 0:
            tile = acc
            for _ in tl.static_range(TOP_K):
                t_max = tl.max(tile, 1)
                t_arg = tl.argmax(tile, 1, tie_break_left=True)
                b_min = tl.min(best_v, 1)
                b_pos = tl.argmin(best_v, 1, tie_break_left=True)
                take = (kcols[None, :] == b_pos[:, None]) & (t_max > b_min)[:, None]
                best_v = tl.where(take, t_max[:, None], best_v)
                best_i = tl.where(take, (v0 + t_arg).to(tl.int64)[:, None], best_i)
                tile = tl.where(tl.arange(0, BLOCK_V)[None, :] == t_arg[:, None], float("-inf"), tile)

    out = split.to(tl.int64) * N + rows64
    tl.store(m_out + out, m_i, mask=row_ok)
    tl.store(s_out + out, s_i, mask=row_ok)
    tl.store(t_out + out, t_i, mask=row_ok)
    if TOP_K > 0:
        k_ok = row_ok[:, None] & (kcols[None, :] < TOP_K)
        k_off = out[:, None] * TOP_K + kcols[None, :]
        tl.store(topv_out + k_off, best_v, mask=k_ok)
        tl.store(topi_out + k_off, best_i, mask=k_ok)


def fused_logprobs_triton(
    hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, bias: torch.Tensor | None = None,
    top_k: int = 0, *, num_splits: int | None = None, block_n: int | None = None, block_v: int | None = None,
    block_d: int | None = None,
):
    """Triton backend of ``fused_logprobs`` (inputs already checked there): hidden ``[N, d]``,
    weight ``[V, d]``, targets ``[N]``, bias ``[V]`` or None. Returns ``TokenLogprobs`` (fp32).

    fp32 inputs are multiplied in IEEE fp32 (tf32 where torch's float32 matmul precision allows it,
    ``_launch.dot_precision``); fp16/bf16 accumulate in fp32.
    ``num_splits`` / ``block_*`` override the launch heuristics (tests use them to cover splits).
    """
    name = "fused_logprobs"
    check(top_k <= MAX_TOP_K, name, f"the Triton backend supports top_k <= {MAX_TOP_K}, got {top_k}; "
          "use backend='torch' for larger k")
    check(bias is None or (bias.shape == (weight.shape[0],) and bias.device == weight.device), name,
          f"bias must be [V]={weight.shape[0]} on {weight.device}")
    N, D = hidden.shape
    V = weight.shape[0]
    dev = hidden.device
    if N == 0:
        empty = torch.empty(0, device=dev)
        if top_k:
            return TokenLogprobs(empty, torch.empty(0, top_k, dtype=torch.long, device=dev), empty.view(0, top_k))
        return TokenLogprobs(empty)
    interp = interpreted(dev)
    BLOCK_N = block_n or (16 if interp else 64)
    BLOCK_V = block_v or (64 if interp else 128)
    BLOCK_D = block_d or min(triton.next_power_of_2(D), 128 if interp else 64)
    BLOCK_D = max(BLOCK_D, 16)
    row_tiles = cdiv(N, BLOCK_N)
    wanted = num_splits if num_splits is not None else splits_to_fill(dev, row_tiles)
    num_splits, span = split_range(V, BLOCK_V, wanted)  # vocab splits of whole BLOCK_V tiles, none empty

    f32 = dict(dtype=torch.float32, device=dev)
    m = torch.empty(num_splits, N, **f32)
    s = torch.empty(num_splits, N, **f32)
    t = torch.empty(num_splits, N, **f32)
    K = max(top_k, 1)
    topv = torch.empty(num_splits, N, K, **f32)
    topi = torch.empty(num_splits, N, K, dtype=torch.int64, device=dev)
    grid = (row_tiles, num_splits)
    _fused_logprobs_kernel[grid](
        hidden, weight, bias if bias is not None else hidden, targets,
        m, s, t, topv, topi,
        N, V, D, span,
        hidden.stride(0), hidden.stride(1), weight.stride(0), weight.stride(1),
        HAS_BIAS=bias is not None, TOP_K=top_k, KP=triton.next_power_of_2(K),
        DOT_F32=dot_in_fp32(dev, hidden.dtype), DOT_PRECISION=dot_precision(weight.dtype),
        BLOCK_N=BLOCK_N, BLOCK_V=BLOCK_V, BLOCK_D=BLOCK_D,
        num_warps=8 if BLOCK_N * BLOCK_V >= 8192 else 4,
    )
    big = m.max(0).values
    lse = big + torch.log((s * torch.exp(m - big)).sum(0))
    logprobs = t.sum(0) - lse  # exactly one split owns each target; the others add 0.0
    if not top_k:
        return TokenLogprobs(logprobs)
    vals, order = topv.permute(1, 0, 2).reshape(N, -1).topk(top_k, dim=1)
    ids = topi.permute(1, 0, 2).reshape(N, -1).gather(1, order)
    return TokenLogprobs(logprobs, ids, vals - lse[:, None])
