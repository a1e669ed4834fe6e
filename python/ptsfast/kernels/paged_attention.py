"""Attention over the paged KV cache: packed causal prefill and plain paged decode.

Shapes: q ``[T, Hq, D]``; caches ``[num_blocks, block_size, Hkv, D]``; ``Hq % Hkv == 0`` (GQA).
The shared-prefix (cascade) decode lives in ``cascade_attention``; this module is the baseline it is
measured against. On CUDA both ops dispatch to Triton (``triton_prefill_attention``,
``triton_paged_attention``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ptsfast.kernels._dispatch import check, choose_backend, triton_module

IMPLEMENTED = ("triton", "torch")  # prefill; Triton runs automatically on CUDA only
DECODE_IMPLEMENTED = ("cpp", "triton", "torch")  # paged decode: the C++ op first on CPU when built
_FLOATS = (torch.float16, torch.bfloat16, torch.float32)


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
        check(q.dtype in _FLOATS and k.dtype == v.dtype == q.dtype, name,
              f"q, k, v must share one of {_FLOATS}, got {q.dtype}, {k.dtype}, {v.dtype}")
        check(q.stride(-1) == 1 and k.stride(-1) == 1 and v.stride(-1) == 1, name, "need unit stride along D")
        return triton_module("prefill_attention").prefill_attention_triton(q, k, v, cu_seqlens, scale)
    return prefill_attention_torch(q, k, v, cu_seqlens, scale, sliding_window)


def prefill_attention_torch(q, k, v, cu_seqlens: list[int], scale: float,
                            sliding_window: int | None = None) -> torch.Tensor:
    """The spec of ``prefill_attention`` and its CPU / sliding-window path: one SDPA call per sequence."""
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


def paged_decode_attention_torch(
    q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor, block_tables: torch.Tensor,
    context_lens: torch.Tensor, scale: float, sliding_window: int | None = None,
    slots: torch.Tensor | None = None,
) -> torch.Tensor:
    """One query per row attending to its first ``context_lens[b]`` cached tokens: the torch implementation
    of ``paged_decode_attention`` (its CPU path, and sliding-window attention on any device).

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



def paged_decode_attention(
    q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor, block_tables: torch.Tensor,
    context_lens: torch.Tensor, scale: float, sliding_window: int | None = None,
    slots: torch.Tensor | None = None, max_len: int | None = None, *, backend: str | None = None,
) -> torch.Tensor:
    """Paged decode attention (see ``paged_decode_attention_torch`` for the arguments).

    Dispatch: the C++ op on CPU when the extension is built (block tables read in place, GQA groups,
    sliding window), Triton on CUDA (block tables read in the kernel, key splits, GQA without repeating
    KV), else the torch implementation (also for sliding-window attention on CUDA: the Triton kernel has
    no window).
    ``max_len`` = ``context_lens.max()`` when the caller knows it (saves a device sync); ``slots`` is
    used by the torch implementation only.
    """
    name = "paged_decode_attention"
    check(q.dim() == 3 and k_cache.dim() == 4 and k_cache.shape == v_cache.shape, name,
          f"need q [B, Hq, D] and caches [num_blocks, block_size, Hkv, D], got {tuple(q.shape)}, "
          f"{tuple(k_cache.shape)}, {tuple(v_cache.shape)}")
    B, Hq, D = q.shape
    check(k_cache.shape[3] == D and Hq % k_cache.shape[2] == 0, name,
          f"q heads {Hq} x dim {D} do not fit caches with {k_cache.shape[2]} KV heads of dim {k_cache.shape[3]}")
    check(block_tables.dim() == 2 and block_tables.shape[0] == B and context_lens.shape == (B,), name,
          f"block_tables must be [B={B}, max_blocks] and context_lens [B], got {tuple(block_tables.shape)} "
          f"and {tuple(context_lens.shape)}")
    check(q.device == k_cache.device == block_tables.device == context_lens.device, name,
          "q, caches, block_tables and context_lens must share a device")
    chosen = choose_backend(name, q.device, DECODE_IMPLEMENTED, backend)
    if chosen == "cpp":
        return torch.ops.ptsfast.paged_decode_attention(q, k_cache, v_cache, block_tables, context_lens, scale,
                                                        sliding_window)
    if chosen == "triton" and sliding_window is None and B > 0:
        check(q.dtype in _FLOATS and k_cache.dtype in _FLOATS and v_cache.dtype == k_cache.dtype, name,
              f"dtypes must be fp16/bf16/fp32 with equal K/V dtypes, got q {q.dtype}, k {k_cache.dtype}")
        check(q.stride(-1) == 1 and k_cache.stride(-1) == 1 and k_cache.stride() == v_cache.stride(), name,
              "q and the caches need unit stride along D and K/V must share strides (no silent copies of caches)")
        decode = triton_module("paged_attention").paged_decode_attention_triton
        return decode(q, k_cache, v_cache, block_tables, context_lens, scale, max_len)
    return paged_decode_attention_torch(q, k_cache, v_cache, block_tables, context_lens, scale,
                                        sliding_window, slots=slots)


# Former names of the torch implementations, kept for existing callers.
prefill_attention_reference = prefill_attention_torch
paged_decode_attention_reference = paged_decode_attention_torch
