"""Packed causal prefill attention: every sequence of a prefill batch attends to itself, in one call; and a chunk
of one long sequence attending to its cached past and itself (chunked prefill).

Shapes: q ``[T, Hq, D]``, k/v ``[T, Hkv, D]`` with ``Hq % Hkv == 0`` (GQA); sequence s occupies rows
``cu_seqlens[s]:cu_seqlens[s+1]``. Backends: Triton on CUDA (``triton/prefill_attention.py``, every sequence
in one launch), torch (``prefill_attention_torch``: one SDPA call per sequence, and sliding windows). A chunk with
a past runs ``prefill_chunk_attention`` (torch, any device).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ptsfast.kernels._dispatch import check, choose_backend, triton_module
from ptsfast.kernels.types import FLOAT_DTYPES

IMPLEMENTED = ("triton", "torch")  # Triton runs automatically on CUDA only


def _window_mask(q_pos: torch.Tensor, k_pos: torch.Tensor, valid: torch.Tensor, sliding_window: int | None):
    """Boolean ``[..., Tq, Tk]`` mask: causal, valid keys only, optionally within a sliding window."""
    allowed = (k_pos.unsqueeze(-2) <= q_pos.unsqueeze(-1)) & valid.unsqueeze(-2)
    if sliding_window is not None:
        allowed &= k_pos.unsqueeze(-2) > q_pos.unsqueeze(-1) - sliding_window
    return allowed


def prefill_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, cu_seqlens: list[int], scale: float,
    sliding_window: int | None = None, *, backend: str | None = None,
) -> torch.Tensor:
    """Causal attention of packed sequences over themselves (no cached past).

    q ``[T, Hq, D]``, k/v ``[T, Hkv, D]``; sequence s occupies rows ``cu_seqlens[s]:cu_seqlens[s+1]``.
    Returns ``[T, Hq, D]``. Dispatch: Triton on CUDA (every sequence in one launch), the per-sequence
    torch implementation on CPU and for sliding-window attention (the kernel has no window).
    """
    name = "prefill_attention"
    check(q.dim() == 3 and k.dim() == 3 and k.shape == v.shape and q.shape[2] == k.shape[2]
          and q.shape[1] % k.shape[1] == 0, name,
          f"need q [T, Hq, D] and k/v [T, Hkv, D] with Hq % Hkv == 0, got {tuple(q.shape)}, {tuple(k.shape)}, "
          f"{tuple(v.shape)}")
    check(q.shape[0] == k.shape[0] == cu_seqlens[-1], name, "cu_seqlens must cover q and k")
    chosen = choose_backend(name, q.device, IMPLEMENTED, backend)
    if chosen == "triton" and sliding_window is None:
        check(q.dtype in FLOAT_DTYPES and k.dtype == v.dtype == q.dtype, name,
              f"q, k, v must share one of {FLOAT_DTYPES}, got {q.dtype}, {k.dtype}, {v.dtype}")
        check(q.stride(-1) == 1 and k.stride(-1) == 1 and v.stride(-1) == 1, name, "need unit stride along D")
        return triton_module("prefill_attention").prefill_attention_triton(q, k, v, cu_seqlens, scale)
    return prefill_attention_torch(q, k, v, cu_seqlens, scale, sliding_window)


def prefill_chunk_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, k_cache: torch.Tensor,
                            v_cache: torch.Tensor, past_table: torch.Tensor, past_len: int, scale: float,
                            sliding_window: int | None = None) -> torch.Tensor:
    """Causal attention of one sequence's chunk at positions ``[past_len, past_len + T)`` over its first
    ``past_len`` tokens, read from the paged caches ``[num_blocks, block_size, Hkv, D]`` through ``past_table``
    (whole blocks, gathered once per call), and over itself. q ``[T, Hq, D]``, k/v ``[T, Hkv, D]``; returns
    ``[T, Hq, D]``. One SDPA call with a ``[T, past_len + T]`` mask: memory grows with the chunk times the context,
    not with the context squared."""
    name = "prefill_chunk_attention"
    T, block_size = q.shape[0], k_cache.shape[1]
    check(past_len >= 1 and past_table.dim() == 1 and past_table.numel() * block_size >= past_len, name,
          f"past_table of {past_table.numel()} blocks of {block_size} cannot hold a past of {past_len} tokens")
    nblk = -(-past_len // block_size)
    past_k = k_cache.index_select(0, past_table[:nblk].long()).flatten(0, 1)[:past_len]
    past_v = v_cache.index_select(0, past_table[:nblk].long()).flatten(0, 1)[:past_len]
    keys = torch.cat([past_k, k.to(past_k.dtype)]).to(q.dtype).transpose(0, 1)[None]
    values = torch.cat([past_v, v.to(past_v.dtype)]).to(q.dtype).transpose(0, 1)[None]
    q_pos = torch.arange(past_len, past_len + T, device=q.device)
    k_pos = torch.arange(past_len + T, device=q.device)
    mask = _window_mask(q_pos, k_pos, torch.ones_like(k_pos, dtype=torch.bool), sliding_window)
    o = F.scaled_dot_product_attention(q.transpose(0, 1)[None], keys, values, attn_mask=mask, scale=scale,
                                       enable_gqa=True)
    return o[0].transpose(0, 1)


def prefill_attention_torch(q, k, v, cu_seqlens: list[int], scale: float,
                            sliding_window: int | None = None) -> torch.Tensor:
    """The spec of ``prefill_attention`` and its CPU / sliding-window path: one SDPA call per sequence."""
    out = torch.empty_like(q)
    for start, end in zip(cu_seqlens[:-1], cu_seqlens[1:]):
        # [1, H, L, D]: with a batch dim SDPA takes its fused (flash) CPU kernel; 3-D inputs fall back to the
        # math path, which materialises [H, L, L] scores (6x slower at L = 2048: benchmarks/results/long_trace_*)
        qs, ks, vs = (x[start:end].transpose(0, 1)[None] for x in (q, k, v))
        if sliding_window is None:
            o = F.scaled_dot_product_attention(qs, ks, vs, is_causal=True, scale=scale, enable_gqa=True)
        else:
            pos = torch.arange(end - start, device=q.device)
            mask = _window_mask(pos, pos, torch.ones_like(pos, dtype=torch.bool), sliding_window)
            o = F.scaled_dot_product_attention(qs, ks, vs, attn_mask=mask, scale=scale, enable_gqa=True)
        out[start:end] = o[0].transpose(0, 1)
    return out
