"""Triton paged decode attention for rows outside any cascade group: one query per row over its own
paged KV, block tables read in the kernel (no ``[B, L]`` gather of every row's whole context).

It is the cascade kernel's suffix launch with every row as its own item (``triton_cascade``): grid =
(rows x q-head tiles, Hkv, key splits); a program takes the q heads of one KV head (GQA: each KV tile
is read once for all of them, ``tl.dot`` with the heads padded to 16), streams the row's blocks of its
key split with an online softmax, and writes a partial ``(o, lse)``; the splits (flash-decoding, so
that a small batch still fills the GPU) are merged by log-sum-exp into q's dtype.
"""

from __future__ import annotations

import torch
import triton

from ptsfast.kernels.triton_cascade import _cascade_partial_kernel, _splits, merge_states_triton


def paged_decode_attention_triton(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                                  block_tables: torch.Tensor, context_lens: torch.Tensor, scale: float,
                                  max_len: int | None = None, *, splits: int | None = None,
                                  block_n: int | None = None) -> torch.Tensor:
    """Triton backend of ``paged_attention.paged_decode_attention`` (inputs checked there).

    ``max_len`` (the largest context length) saves a device sync when the caller knows it; ``splits`` /
    ``block_n`` override the launch heuristics (tests).
    """
    B, Hq, D = q.shape
    _, block_size, Hkv, _ = k_cache.shape
    rep = Hq // Hkv
    dev = q.device
    interp = dev.type == "cpu"
    if max_len is None:
        max_len = int(context_lens.max()) if B else 0
    BLOCK_D = max(16, triton.next_power_of_2(D))
    BLOCK_N = block_n or (16 if interp else (64 if BLOCK_D <= 64 else 32))
    BLOCK_M = min(64, max(16, triton.next_power_of_2(rep)))
    per_row = triton.cdiv(rep, BLOCK_M)  # q-head tiles per row (more than one only when rep > 64)
    i32 = dict(dtype=torch.int32, device=dev)
    tile_item = torch.arange(B, **i32).repeat_interleave(per_row)
    tile_m0 = (torch.arange(B * per_row, **i32) % per_row) * BLOCK_M
    identity = torch.arange(B, **i32)
    ones = torch.ones(B, **i32)
    tables = block_tables.to(torch.int32).contiguous()
    lens = context_lens.to(torch.int32).contiguous()

    sms = torch.cuda.get_device_properties(dev).multi_processor_count if dev.type == "cuda" else 4
    n, split_len = _splits(max_len, tile_item.numel() * Hkv, 2 * sms, BLOCK_N, splits)
    if n == 0:
        return torch.zeros_like(q)
    o_part = torch.empty(n, B, Hq, D, dtype=torch.float32, device=dev)
    lse_part = torch.empty(n, B, Hq, dtype=torch.float32, device=dev)
    _cascade_partial_kernel[(tile_item.numel(), Hkv, n)](
        q, k_cache, v_cache, tables, lens, identity, identity, ones, tile_item, tile_m0, o_part, lse_part,
        q.stride(0), q.stride(1), k_cache.stride(0), k_cache.stride(1), k_cache.stride(2), tables.stride(0),
        B, Hq, D, rep, block_size, split_len, 0, scale,
        BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N, BLOCK_D=BLOCK_D,
        DOT_F32=interp and k_cache.dtype == torch.bfloat16, num_warps=4)
    out, _ = merge_states_triton(o_part.view(n, B * Hq, D), lse_part.view(n, B * Hq), q.dtype, with_lse=False)
    return out.view(B, Hq, D)
