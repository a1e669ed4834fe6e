"""Attention over the paged KV cache: packed causal prefill and plain paged decode (torch reference).

Shapes: q ``[T, Hq, D]``; caches ``[num_blocks, block_size, Hkv, D]``; ``Hq % Hkv == 0`` (GQA).
The shared-prefix (cascade) decode lives in ``cascade_attention``; this module is the baseline it is
measured against and the CPU path.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ptsfast.kernels._dispatch import check


def _window_mask(q_pos: torch.Tensor, k_pos: torch.Tensor, valid: torch.Tensor, sliding_window: int | None):
    """Boolean ``[..., Tq, Tk]`` mask: causal, valid keys only, optionally within a sliding window."""
    allowed = (k_pos.unsqueeze(-2) <= q_pos.unsqueeze(-1)) & valid.unsqueeze(-2)
    if sliding_window is not None:
        allowed &= k_pos.unsqueeze(-2) > q_pos.unsqueeze(-1) - sliding_window
    return allowed


def prefill_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, cu_seqlens: list[int], scale: float,
    sliding_window: int | None = None,
) -> torch.Tensor:
    """Causal attention of packed sequences over themselves (no cached past).

    q ``[T, Hq, D]``, k/v ``[T, Hkv, D]``; sequence s occupies rows ``cu_seqlens[s]:cu_seqlens[s+1]``.
    Returns ``[T, Hq, D]``.
    """
    check(q.shape[0] == k.shape[0] == cu_seqlens[-1], "prefill_attention", "cu_seqlens must cover q and k")
    out = torch.empty_like(q)
    for start, end in zip(cu_seqlens[:-1], cu_seqlens[1:]):
        qs, ks, vs = (x[start:end].transpose(0, 1) for x in (q, k, v))  # [H, L, D]
        if sliding_window is None:
            o = F.scaled_dot_product_attention(qs, ks, vs, is_causal=True, scale=scale, enable_gqa=True)
        else:
            pos = torch.arange(end - start, device=q.device)
            mask = _window_mask(pos, pos, torch.ones_like(pos, dtype=torch.bool), sliding_window)
            o = F.scaled_dot_product_attention(qs, ks, vs, attn_mask=mask, scale=scale, enable_gqa=True)
        out[start:end] = o.transpose(0, 1)
    return out


def gather_slots(block_tables: torch.Tensor, max_len: int, block_size: int) -> torch.Tensor:
    """Cache slot of every (row, position < max_len): ``[B, max_len]`` int64 (padding -> slot of block 0)."""
    pos = torch.arange(max_len, device=block_tables.device)
    blocks = block_tables.long().clamp_min(0)[:, pos // block_size]
    return blocks * block_size + pos % block_size


def paged_decode_attention_reference(
    q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor, block_tables: torch.Tensor,
    context_lens: torch.Tensor, scale: float, sliding_window: int | None = None,
    slots: torch.Tensor | None = None,
) -> torch.Tensor:
    """One query per row attending to its first ``context_lens[b]`` cached tokens.

    q ``[B, Hq, D]``; block_tables ``[B, max_blocks]`` (entries past a row's length are ignored);
    context_lens ``[B]`` (>= 1, includes the row's own token, already written). ``slots`` may pass a
    precomputed ``gather_slots`` result (built once per step, reused by every layer). Returns ``[B, Hq, D]``.
    """
    B, Hq, D = q.shape
    block_size, Hkv = k_cache.shape[1], k_cache.shape[2]
    max_len = int(context_lens.max())
    if slots is None:
        slots = gather_slots(block_tables, max_len, block_size)
    k = k_cache.view(-1, Hkv, D)[slots].transpose(1, 2)  # [B, Hkv, L, D]
    v = v_cache.view(-1, Hkv, D)[slots].transpose(1, 2)
    k_pos = torch.arange(slots.shape[1], device=q.device)
    valid = k_pos.unsqueeze(0) < context_lens.unsqueeze(1)  # [B, L]
    mask = valid
    if sliding_window is not None:
        mask = mask & (k_pos.unsqueeze(0) > context_lens.unsqueeze(1) - 1 - sliding_window)
    out = F.scaled_dot_product_attention(
        q.unsqueeze(2), k, v, attn_mask=mask[:, None, None, :], scale=scale, enable_gqa=True
    )
    return out.squeeze(2)
