"""Triton paged decode attention for rows outside any cascade group: one query per row over its own
paged KV, block tables read in the kernel (no ``[B, L]`` gather of every row's whole context).

It is the cascade kernel's suffix launch with every row as its own item (``triton/cascade_attention.py``): grid =
(rows x q-head tiles, Hkv, key splits); a program takes the q heads of one KV head (GQA: each KV tile
is read once for all of them, ``tl.dot`` with the heads padded to 16), streams the row's blocks of its
key split with an online softmax, and writes a partial ``(o, lse)``; the splits (flash-decoding, so
that a small batch still fills the GPU) are merged by log-sum-exp into q's dtype.
"""

from __future__ import annotations

import torch

from ptsfast.kernels._launch import attention_blocks, cdiv, dot_rows
from ptsfast.kernels.triton.cascade_attention import key_splits, launch_partials, merge_states_triton


def paged_decode_attention_triton(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                                  block_tables: torch.Tensor, context_lens: torch.Tensor, scale: float,
                                  max_len: int | None = None, *, window: int | None = None,
                                  splits: int | None = None, block_n: int | None = None) -> torch.Tensor:
    """Triton backend of ``paged_attention.paged_decode_attention`` (inputs checked there).

    ``max_len`` (the largest context length) saves a device sync when the caller knows it; ``window``: a sliding
    window (each row attends to its last ``window`` keys); ``splits`` / ``block_n`` override the launch heuristics
    (tests).
    """
    B, Hq, D = q.shape
    Hkv = k_cache.shape[2]
    rep = Hq // Hkv
    dev = q.device
    if max_len is None:
        max_len = int(context_lens.max()) if B else 0
    BLOCK_D, BLOCK_N = attention_blocks(D, dev, block_n)
    BLOCK_M = dot_rows(rep)
    per_row = cdiv(rep, BLOCK_M)  # q-head tiles per row (more than one only when rep > 64)
    # built on the device without a sync: every row is its own item of one (row, q-head) tile per BLOCK_M
    i32 = dict(dtype=torch.int32, device=dev)
    tile_item = torch.arange(B, **i32).repeat_interleave(per_row)
    tile_m0 = (torch.arange(B * per_row, **i32) % per_row) * BLOCK_M
    identity = torch.arange(B, **i32)
    ones = torch.ones(B, **i32)
    tables = block_tables.to(torch.int32).contiguous()
    lens = context_lens.to(torch.int32).contiguous()

    n, split_len = key_splits(max_len, tile_item.numel() * Hkv, dev, BLOCK_N, splits)
    if n == 0:
        return torch.zeros_like(q)
    o_part = torch.empty(n, B, Hq, D, dtype=torch.float32, device=dev)
    lse_part = torch.empty(n, B, Hq, dtype=torch.float32, device=dev)
    launch_partials(q, k_cache, v_cache, tables, lens, identity, identity, ones, tile_item, tile_m0, o_part, lse_part,
                    scale=scale, splits=n, split_len=split_len, split_base=0, block_m=BLOCK_M, block_n=BLOCK_N,
                    block_d=BLOCK_D, window=window or 0)
    out, _ = merge_states_triton(o_part.view(n, B * Hq, D), lse_part.view(n, B * Hq), q.dtype, with_lse=False)
    return out.view(B, Hq, D)
