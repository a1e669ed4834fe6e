"""Plain paged decode attention: one query per row over its own cached K/V, read through its block table.

Shapes: q ``[B, Hq, D]``; caches ``[num_blocks, block_size, Hkv, D]``; ``Hq % Hkv == 0`` (GQA).
The shared-prefix (cascade) decode lives in ``cascade_attention``; this op is the baseline it is measured
against. Backends: the C++ op on CPU (``csrc/paged_attention.cpp``), Triton on CUDA
(``triton/paged_attention.py``), torch (``paged_decode_attention_torch``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ptsfast.kernels._dispatch import check, choose_backend, triton_module
from ptsfast.kernels.types import FLOAT_DTYPES

IMPLEMENTED = ("cpp", "triton", "torch")  # the C++ op first on CPU when built


def paged_decode_backend(device: torch.device, backend: str | None = None) -> str:
    """The backend ``paged_decode_attention`` runs on ``device`` (the engine and the cascade rule ask too)."""
    return choose_backend("paged_decode_attention", device, IMPLEMENTED, backend)


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
    of ``paged_decode_attention`` (the specification, and the CPU path without the extension).

    q ``[B, Hq, D]``; block_tables ``[B, max_blocks]`` (entries past a row's length are ignored);
    context_lens ``[B]`` (>= 1, includes the row's own token, already written). ``slots`` may pass a
    precomputed ``gather_slots`` result (built once per step, reused by every layer). Returns ``[B, Hq, D]``.
    """
    B, Hq, D = q.shape
    block_size, Hkv = k_cache.shape[1], k_cache.shape[2]
    if slots is None:  # the longest context: a device sync, which a precomputed index saves
        slots = gather_slots(block_tables, int(context_lens.max()), block_size)
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
    KV, sliding window), else the torch implementation.
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
    chosen = paged_decode_backend(q.device, backend)
    if chosen == "cpp":
        return torch.ops.ptsfast.paged_decode_attention(q, k_cache, v_cache, block_tables, context_lens, scale,
                                                        sliding_window)
    if chosen == "triton" and B > 0:
        check(q.dtype in FLOAT_DTYPES and k_cache.dtype in FLOAT_DTYPES and v_cache.dtype == k_cache.dtype, name,
              f"dtypes must be fp16/bf16/fp32 with equal K/V dtypes, got q {q.dtype}, k {k_cache.dtype}")
        check(q.stride(-1) == 1 and k_cache.stride(-1) == 1 and k_cache.stride() == v_cache.stride(), name,
              "q and the caches need unit stride along D and K/V must share strides (no silent copies of caches)")
        decode = triton_module("paged_attention").paged_decode_attention_triton
        return decode(q, k_cache, v_cache, block_tables, context_lens, scale, max_len, window=sliding_window)
    return paged_decode_attention_torch(q, k_cache, v_cache, block_tables, context_lens, scale,
                                        sliding_window, slots=slots)
