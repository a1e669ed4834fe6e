"""Triton varlen causal prefill attention: all packed sequences of a prefill in one launch.

Why: the torch implementation loops over sequences in Python (one SDPA call per sequence and layer), which
a batch of many short prefixes turns into thousands of small launches. Here grid = (query tiles over
every sequence, q heads): a program takes ``BLOCK_M`` consecutive queries of one sequence and one q
head, streams that sequence's keys up to its last query (causal; GQA reads the KV head ``h // rep``
without repeating it) with an online softmax, and writes its rows in q's dtype. Sequences are
delimited by ``cu_seqlens`` read in the kernel; tiles never straddle two sequences.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from ptsfast.kernels._launch import attention_blocks, dot_in_fp32, dot_precision, interpreted
from ptsfast.kernels.triton._attention import online_softmax_step


@triton.jit
def _prefill_attention_kernel(
    q_ptr, k_ptr, v_ptr, o_ptr, cu_ptr, tile_seq_ptr, tile_m0_ptr,
    stride_qt, stride_qh, stride_kt, stride_kh, stride_vt, stride_vh, stride_ot, stride_oh,
    rep, D, scale,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, DOT_F32: tl.constexpr,
    DOT_PRECISION: tl.constexpr,
):
    tile = tl.program_id(0)
    h = tl.program_id(1)
    kvh = h // rep
    seq = tl.load(tile_seq_ptr + tile)
    m0 = tl.load(tile_m0_ptr + tile)
    start = tl.load(cu_ptr + seq).to(tl.int64)
    L = tl.load(cu_ptr + seq + 1).to(tl.int64) - start
    mm = m0 + tl.arange(0, BLOCK_M)  # query positions inside the sequence
    m_ok = mm < L
    dd = tl.arange(0, BLOCK_D)
    d_ok = dd < D
    rows = start + mm.to(tl.int64)
    q = tl.load(q_ptr + rows[:, None] * stride_qt + h * stride_qh + dd[None, :],
                mask=m_ok[:, None] & d_ok[None, :], other=0.0)
    if DOT_F32:  # _launch.dot_in_fp32: the interpreter's bf16 dots are wrong; GPUs never take this branch
        q = q.to(tl.float32)
    hi = tl.minimum(L, m0 + BLOCK_M)  # causal: no key after the tile's last query
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.zeros([BLOCK_M], tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
    for n0 in range(0, hi, BLOCK_N):
        nn = n0 + tl.arange(0, BLOCK_N)
        n_ok = nn < hi
        keys = start + nn.to(tl.int64)
        kv_mask = n_ok[:, None] & d_ok[None, :]
        k = tl.load(k_ptr + keys[:, None] * stride_kt + kvh * stride_kh + dd[None, :], mask=kv_mask, other=0.0)
        v = tl.load(v_ptr + keys[:, None] * stride_vt + kvh * stride_vh + dd[None, :], mask=kv_mask, other=0.0)
        if DOT_F32:
            k = k.to(tl.float32)
            v = v.to(tl.float32)
        s = tl.dot(q, tl.trans(k), input_precision=DOT_PRECISION) * scale
        s = tl.where(n_ok[None, :] & (nn[None, :] <= mm[:, None]), s, float("-inf"))
        m_i, l_i, acc = online_softmax_step(m_i, l_i, acc, s, v, DOT_PRECISION)
    o = acc / tl.where(l_i > 0, l_i, 1.0)[:, None]
    tl.store(o_ptr + rows[:, None] * stride_ot + h * stride_oh + dd[None, :], o.to(o_ptr.dtype.element_ty),
             mask=m_ok[:, None] & d_ok[None, :])


def prefill_attention_triton(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, cu_seqlens: list[int],
                             scale: float, *, block_m: int | None = None, block_n: int | None = None) -> torch.Tensor:
    """Triton backend of ``paged_attention.prefill_attention`` (inputs checked there): q ``[T, Hq, D]``,
    k/v ``[T, Hkv, D]`` (unit stride along D), sequences at ``cu_seqlens``. Returns ``[T, Hq, D]``."""
    T, Hq, D = q.shape
    rep = Hq // k.shape[1]
    dev = q.device
    BLOCK_D, BLOCK_N = attention_blocks(D, dev, block_n)
    BLOCK_M = block_m or (16 if interpreted(dev) else 64)
    tile_seq, tile_m0 = [], []
    for s, (a, b) in enumerate(zip(cu_seqlens[:-1], cu_seqlens[1:])):
        for m0 in range(0, b - a, BLOCK_M):
            tile_seq.append(s)
            tile_m0.append(m0)
    out = torch.empty(T, Hq, D, dtype=q.dtype, device=dev)
    if not tile_seq:
        return out
    i32 = dict(dtype=torch.int32, device=dev)
    cu = torch.tensor(cu_seqlens, **i32)
    _prefill_attention_kernel[(len(tile_seq), Hq)](
        q, k, v, out, cu, torch.tensor(tile_seq, **i32), torch.tensor(tile_m0, **i32),
        q.stride(0), q.stride(1), k.stride(0), k.stride(1), v.stride(0), v.stride(1), out.stride(0), out.stride(1),
        rep, D, scale,
        BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N, BLOCK_D=BLOCK_D, DOT_F32=dot_in_fp32(dev, k.dtype),
        DOT_PRECISION=dot_precision(k.dtype),
        num_warps=4)
    return out
