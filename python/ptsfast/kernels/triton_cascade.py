"""Triton cascade decode attention: partial attentions over paged KV, then one LSE merge.

Why: see ``cascade_attention`` (the spec and the torch reference live there). One kernel,
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

Work tiles and splits are derived on the host once per plan (cached on it), never per layer.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

MIN_SPLIT_TOKENS = 256  # a split shorter than this costs more in merge traffic than it gains


@triton.jit
def _cascade_partial_kernel(
    q_ptr, k_ptr, v_ptr, table_ptr, lens_ptr, rows_ptr, item_start_ptr, item_count_ptr,
    tile_item_ptr, tile_m0_ptr, o_ptr, lse_ptr,
    stride_qb, stride_qh, stride_kb, stride_ks, stride_kh, stride_table,
    B, Hq, D, rep, block_size, split_len, split_base, scale,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, DOT_F32: tl.constexpr,
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
    if DOT_F32:  # Triton 3.9's interpreter computes bf16 dots wrongly; GPUs never take this branch
        q = q.to(tl.float32)

    L = tl.load(lens_ptr + item)
    t_begin = split * split_len
    t_end = tl.minimum(L, t_begin + split_len)
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
        s = tl.dot(q, tl.trans(k)) * scale
        s = tl.where(ok[None, :], s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, 1))
        m_safe = tl.where(m_new == float("-inf"), 0.0, m_new)
        alpha = tl.exp(m_i - m_safe)
        p = tl.exp(s - m_safe[:, None])
        l_i = l_i * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v)
        m_i = m_new
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


def _tiles(counts: torch.Tensor, rep: int, block_m: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Work tiles over items with ``counts[i] * rep`` query (row, head) pairs each: (item, first pair)."""
    per = -(-(counts * rep) // block_m)  # ceil
    item = torch.repeat_interleave(torch.arange(counts.numel()), per)
    first = torch.cumsum(per, 0) - per
    m0 = (torch.arange(item.numel()) - first[item]) * block_m
    return item.int(), m0.int()


def _splits(max_len: int, programs: int, target: int, block_n: int, forced: int | None) -> tuple[int, int]:
    """(number of key splits, tokens per split): enough programs to fill the GPU, splits >= MIN_SPLIT_TOKENS."""
    if max_len == 0:
        return 0, block_n
    if forced is not None:
        n = forced
    else:
        n = min(triton.cdiv(target, max(programs, 1)), triton.cdiv(max_len, MIN_SPLIT_TOKENS))
    n = max(1, n)
    split_len = block_n * triton.cdiv(triton.cdiv(max_len, n), block_n)
    return triton.cdiv(max_len, split_len), split_len


def cascade_decode_attention_triton(q, k_cache, v_cache, plan, scale: float, h: dict, *,
                                    prefix_splits: int | None = None, suffix_splits: int | None = None,
                                    block_n: int | None = None) -> torch.Tensor:
    """Triton backend of ``cascade_decode_attention`` (inputs and plan already checked; ``h`` is
    ``plan.host``). ``*_splits`` / ``block_n`` override the launch heuristics (tests)."""
    B, Hq, D = q.shape
    _, block_size, Hkv, _ = k_cache.shape
    rep = Hq // Hkv
    dev = q.device
    interp = dev.type == "cpu"
    BLOCK_D = max(16, triton.next_power_of_2(D))
    BLOCK_N = block_n or (16 if interp else (64 if BLOCK_D <= 64 else 32))
    max_rows = int(h["group_counts"].max()) if h["G"] else 0
    BLOCK_M_P = min(64, max(16, triton.next_power_of_2(max(max_rows * rep, 1))))
    BLOCK_M_S = min(64, max(16, triton.next_power_of_2(rep)))

    key = ("launch", str(dev), rep, BLOCK_M_P, BLOCK_M_S)
    meta = h["derived"].get(key)
    if meta is None:
        p_item, p_m0 = _tiles(h["group_counts"], rep, BLOCK_M_P)
        s_item, s_m0 = _tiles(torch.ones(B, dtype=torch.long), rep, BLOCK_M_S)
        to = dict(device=dev)
        meta = {
            "rows_by_group": h["rows_by_group"].int().to(**to),
            "group_starts": h["group_starts"].int().to(**to),
            "group_counts": h["group_counts"].int().to(**to),
            "p_item": p_item.to(**to), "p_m0": p_m0.to(**to),
            "s_item": s_item.to(**to), "s_m0": s_m0.to(**to),
            "identity": torch.arange(B, dtype=torch.int32, **to),
            "ones": torch.ones(B, dtype=torch.int32, **to),
        }
        h["derived"][key] = meta

    sms = torch.cuda.get_device_properties(dev).multi_processor_count if dev.type == "cuda" else 4
    n_p, len_p = _splits(h["max_prefix"], meta["p_item"].numel() * Hkv, 2 * sms, BLOCK_N, prefix_splits)
    n_s, len_s = _splits(h["max_suffix"], meta["s_item"].numel() * Hkv, 2 * sms, BLOCK_N, suffix_splits)
    total = n_p + n_s
    o_part = torch.empty(total, B, Hq, D, dtype=torch.float32, device=dev)
    lse_part = torch.empty(total, B, Hq, dtype=torch.float32, device=dev)
    common = dict(BLOCK_N=BLOCK_N, BLOCK_D=BLOCK_D, DOT_F32=interp and k_cache.dtype == torch.bfloat16,
                  num_warps=4)
    strides = (q.stride(0), q.stride(1), k_cache.stride(0), k_cache.stride(1), k_cache.stride(2))
    if n_p:
        _cascade_partial_kernel[(meta["p_item"].numel(), Hkv, n_p)](
            q, k_cache, v_cache, plan.prefix_block_tables, plan.prefix_lens, meta["rows_by_group"],
            meta["group_starts"], meta["group_counts"], meta["p_item"], meta["p_m0"], o_part, lse_part,
            *strides, plan.prefix_block_tables.stride(0),
            B, Hq, D, rep, block_size, len_p, 0, scale, BLOCK_M=BLOCK_M_P, **common)
    if n_s:
        _cascade_partial_kernel[(meta["s_item"].numel(), Hkv, n_s)](
            q, k_cache, v_cache, plan.suffix_block_tables, plan.suffix_lens, meta["identity"],
            meta["identity"], meta["ones"], meta["s_item"], meta["s_m0"], o_part, lse_part,
            *strides, plan.suffix_block_tables.stride(0),
            B, Hq, D, rep, block_size, len_s, n_p, scale, BLOCK_M=BLOCK_M_S, **common)
    out, _ = merge_states_triton(o_part.view(total, B * Hq, D), lse_part.view(total, B * Hq), q.dtype,
                                 with_lse=False)
    return out.view(B, Hq, D)
