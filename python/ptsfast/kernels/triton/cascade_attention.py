"""Triton cascade decode attention: partial attentions over paged KV, then one LSE merge.

Why: see ``cascade_attention`` (the spec and the torch implementation live there). One kernel,
``_cascade_partial_kernel``, computes a partial attention for a *work item* = (a set of query rows,
one paged KV sequence): it is launched twice per layer,

* prefix launch: items are the groups; a program takes up to ``BLOCK_M`` (row, q-head) pairs of one
  group that map to one KV head, so the group's prefix KV is read once for all its rows (one
  ``[BLOCK_M, D] x [D, BLOCK_N]`` ``tl.dot`` per KV tile, GQA without repeating KV);
* suffix launch: items are the rows, each with its own block table (``BLOCK_M`` = q heads per KV head,
  padded to 16 for ``tl.dot``).

grid = (work tiles, Hkv, splits): long sequences are split along the keys (flash-decoding) so that a
few groups still fill the GPU. Every (split, row, q head) partial is written, an empty range as
``o = 0, lse = -inf``; ``_merge_kernel`` then folds all prefix and suffix splits of a (row, q head) by
log-sum-exp into the output, in q's dtype.

Work tiles are derived by the plan once (``CascadePlan.work_tiles``, cached on it), never per layer.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from ptsfast.kernels._launch import (attention_blocks, cdiv, dot_in_fp32, dot_precision, dot_rows, split_range,
                                     splits_to_fill)
from ptsfast.kernels.triton._attention import online_softmax_step
from ptsfast.kernels.types import CascadePlan

MIN_SPLIT_TOKENS = 256  # a split shorter than this costs more in merge traffic than it gains


@triton.jit
def _cascade_partial_kernel(
    q_ptr, k_ptr, v_ptr, table_ptr, lens_ptr, rows_ptr, item_start_ptr, item_count_ptr,
    tile_item_ptr, tile_m0_ptr, o_ptr, lse_ptr,
    stride_qb, stride_qh, stride_kb, stride_ks, stride_kh, stride_table,
    B, Hq, D, rep, block_size, split_len, split_base, scale, window,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, DOT_F32: tl.constexpr,
    DOT_PRECISION: tl.constexpr,
):
    tile = tl.program_id(0)
    kvh = tl.program_id(1)
    split = tl.program_id(2)
    item = tl.load(tile_item_ptr + tile)
    m0 = tl.load(tile_m0_ptr + tile)
    r_start = tl.load(item_start_ptr + item)
    count = tl.load(item_count_ptr + item)

    mm = m0 + tl.arange(0, BLOCK_M)
    m_ok = mm < count * rep
    qh = kvh * rep + mm % rep
    b = tl.load(rows_ptr + r_start + mm // rep, mask=m_ok, other=0).to(tl.int64)
    dd = tl.arange(0, BLOCK_D)
    d_ok = dd < D
    q = tl.load(q_ptr + b[:, None] * stride_qb + qh[:, None] * stride_qh + dd[None, :],
                mask=m_ok[:, None] & d_ok[None, :], other=0.0)
    q = q.to(k_ptr.dtype.element_ty)
    if DOT_F32:  # _launch.dot_in_fp32: the interpreter's bf16 dots are wrong; GPUs never take this branch
        q = q.to(tl.float32)

    L = tl.load(lens_ptr + item)
    lo = tl.where(window > 0, tl.maximum(L - window, 0), 0)  # a sliding window: only the last `window` keys
    t_end = tl.minimum(L, split * split_len + split_len)
    t_begin = tl.maximum(split * split_len, lo)
    table_row = table_ptr + item.to(tl.int64) * stride_table
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.zeros([BLOCK_M], tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
    for t0 in range(t_begin, t_end, BLOCK_N):
        pos = t0 + tl.arange(0, BLOCK_N)
        ok = pos < t_end
        blk = tl.load(table_row + pos // block_size, mask=ok, other=0).to(tl.int64)
        off = blk * stride_kb + (pos % block_size).to(tl.int64) * stride_ks + kvh * stride_kh
        kv_mask = ok[:, None] & d_ok[None, :]
        k = tl.load(k_ptr + off[:, None] + dd[None, :], mask=kv_mask, other=0.0)
        v = tl.load(v_ptr + off[:, None] + dd[None, :], mask=kv_mask, other=0.0)
        if DOT_F32:
            k = k.to(tl.float32)
            v = v.to(tl.float32)
        s = tl.dot(q, tl.trans(k), input_precision=DOT_PRECISION) * scale
        s = tl.where(ok[None, :], s, float("-inf"))
        m_i, l_i, acc = online_softmax_step(m_i, l_i, acc, s, v, DOT_PRECISION)
    has = l_i > 0
    o = acc / tl.where(has, l_i, 1.0)[:, None]
    lse = tl.where(has, m_i + tl.log(tl.where(has, l_i, 1.0)), float("-inf"))
    out_row = ((split_base + split).to(tl.int64) * B + b) * Hq + qh
    tl.store(o_ptr + out_row[:, None] * D + dd[None, :], o, mask=m_ok[:, None] & d_ok[None, :])
    tl.store(lse_ptr + out_row, lse, mask=m_ok)


@triton.jit
def _merge_kernel(o_ptr, lse_ptr, out_ptr, lse_out_ptr, R, D, S,
                  SP: tl.constexpr, BLOCK_D: tl.constexpr, WRITE_LSE: tl.constexpr):
    r = tl.program_id(0).to(tl.int64)
    ss = tl.arange(0, SP)
    s_ok = ss < S
    lse = tl.load(lse_ptr + ss * R + r, mask=s_ok, other=float("-inf"))
    big = tl.max(lse, 0)
    big_safe = tl.where(big == float("-inf"), 0.0, big)
    w = tl.exp(lse - big_safe)  # empty parts: exp(-inf) = 0, and their o is not even loaded
    total = tl.sum(w, 0)
    dd = tl.arange(0, BLOCK_D)
    d_ok = dd < D
    o = tl.load(o_ptr + (ss[:, None] * R + r) * D + dd[None, :],
                mask=(s_ok & (w > 0))[:, None] & d_ok[None, :], other=0.0)
    res = tl.sum(o * w[:, None], 0) / tl.where(total > 0, total, 1.0)
    tl.store(out_ptr + r * D + dd, res.to(out_ptr.dtype.element_ty), mask=d_ok)
    if WRITE_LSE:
        tl.store(lse_out_ptr + r, tl.where(total > 0, big_safe + tl.log(tl.where(total > 0, total, 1.0)),
                                           float("-inf")))


def merge_states_triton(o: torch.Tensor, lse: torch.Tensor, out_dtype: torch.dtype,
                        with_lse: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
    """LSE-merge of S partial attentions: o ``[S, R, D]`` fp32, lse ``[S, R]`` fp32 -> ``([R, D], [R])``."""
    S, R, D = o.shape
    out = torch.empty(R, D, dtype=out_dtype, device=o.device)
    lse_out = torch.empty(R, dtype=torch.float32, device=o.device) if with_lse else out
    if R:
        _merge_kernel[(R,)](o.contiguous(), lse.contiguous(), out, lse_out, R, D, S,
                            SP=triton.next_power_of_2(max(S, 1)), BLOCK_D=triton.next_power_of_2(D),
                            WRITE_LSE=with_lse, num_warps=1 if D <= 64 else 2)
    return out, (lse_out if with_lse else None)


def launch_partials(q, k_cache, v_cache, table, lens, rows, item_start, item_count, tile_item, tile_m0,
                    o_part, lse_part, *, scale: float, splits: int, split_len: int, split_base: int,
                    block_m: int, block_n: int, block_d: int, window: int = 0) -> None:
    """One ``_cascade_partial_kernel`` launch: grid (work tiles, Hkv, ``splits``), writing partials
    ``split_base ..`` of ``o_part [S, B, Hq, D]`` / ``lse_part [S, B, Hq]``; ``window > 0``: each item attends to
    its last ``window`` keys only (a sliding window; items are rows then)."""
    B, Hq, D = q.shape
    _, block_size, Hkv, _ = k_cache.shape
    _cascade_partial_kernel[(tile_item.numel(), Hkv, splits)](
        q, k_cache, v_cache, table, lens, rows, item_start, item_count, tile_item, tile_m0, o_part, lse_part,
        q.stride(0), q.stride(1), k_cache.stride(0), k_cache.stride(1), k_cache.stride(2), table.stride(0),
        B, Hq, D, Hq // Hkv, block_size, split_len, split_base, scale, window,
        BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_D=block_d, DOT_F32=dot_in_fp32(q.device, k_cache.dtype),
        DOT_PRECISION=dot_precision(k_cache.dtype),
        num_warps=4)


def key_splits(max_len: int, programs: int, device: torch.device, block_n: int,
               forced: int | None = None) -> tuple[int, int]:
    """(number of key splits, keys per split) for sequences of up to ``max_len`` keys: enough programs
    to fill the GPU, but no split shorter than ``MIN_SPLIT_TOKENS`` unless forced (tests)."""
    wanted = forced if forced is not None else min(splits_to_fill(device, programs),
                                                   cdiv(max_len, MIN_SPLIT_TOKENS))
    return split_range(max_len, block_n, wanted)


def cascade_decode_attention_triton(q, k_cache, v_cache, plan: CascadePlan, scale: float, *,
                                    prefix_splits: int | None = None, suffix_splits: int | None = None,
                                    block_n: int | None = None) -> torch.Tensor:
    """Triton backend of ``cascade_decode_attention`` (inputs and plan already checked there).
    ``*_splits`` / ``block_n`` override the launch heuristics (tests)."""
    B, Hq, D = q.shape
    Hkv = k_cache.shape[2]
    rep = Hq // Hkv
    dev = q.device
    h = plan.host
    BLOCK_D, BLOCK_N = attention_blocks(D, dev, block_n)
    BLOCK_M_P = dot_rows(h.max_group_rows * rep)
    BLOCK_M_S = dot_rows(rep)
    tiles = plan.work_tiles(dev, rep, BLOCK_M_P, BLOCK_M_S)
    n_p, len_p = key_splits(h.max_prefix, tiles.prefix_item.numel() * Hkv, dev, BLOCK_N, prefix_splits)
    n_s, len_s = key_splits(h.max_suffix, tiles.suffix_item.numel() * Hkv, dev, BLOCK_N, suffix_splits)
    total = n_p + n_s
    o_part = torch.empty(total, B, Hq, D, dtype=torch.float32, device=dev)
    lse_part = torch.empty(total, B, Hq, dtype=torch.float32, device=dev)
    blocks = dict(block_n=BLOCK_N, block_d=BLOCK_D, scale=scale)
    if n_p:
        launch_partials(q, k_cache, v_cache, plan.prefix_block_tables, plan.prefix_lens, tiles.rows_by_group,
                        tiles.group_starts, tiles.group_counts, tiles.prefix_item, tiles.prefix_m0, o_part, lse_part,
                        splits=n_p, split_len=len_p, split_base=0, block_m=BLOCK_M_P, **blocks)
    if n_s:
        launch_partials(q, k_cache, v_cache, plan.suffix_block_tables, plan.suffix_lens, tiles.identity,
                        tiles.identity, tiles.ones, tiles.suffix_item, tiles.suffix_m0, o_part, lse_part,
                        splits=n_s, split_len=len_s, split_base=n_p, block_m=BLOCK_M_S, **blocks)
    out, _ = merge_states_triton(o_part.view(total, B * Hq, D), lse_part.view(total, B * Hq), q.dtype,
                                 with_lse=False)
    return out.view(B, Hq, D)
