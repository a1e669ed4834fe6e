"""Triton ``copy_blocks``: one launch copies many (src, dst) KV blocks in every outer slice.

Why: a fork copies only each child's boundary block, but it must do so in every layer and for K and
V; issuing ``layers * 2 * pairs`` small copies costs far more in launches than in bytes.

The cache is reinterpreted as ``[outer, num_blocks, words]`` of the widest integer word that divides
one block's bytes (int64 / int32 / int16 / uint8), so every dtype (bf16, fp8, ...) is copied bit for bit
and the kernel moves 8-byte words whenever the geometry allows. grid = (pairs, outer, word tiles).
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from ptsfast.kernels._dispatch import check

_WORDS = ((8, torch.int64), (4, torch.int32), (2, torch.int16), (1, torch.uint8))


@triton.jit
def _copy_blocks_kernel(cache_ptr, src_ptr, dst_ptr, num_blocks, words_per_block, BLOCK: tl.constexpr):
    pair = tl.program_id(0)
    outer = tl.program_id(1).to(tl.int64)
    tile = tl.program_id(2)
    s = tl.load(src_ptr + pair).to(tl.int64)
    d = tl.load(dst_ptr + pair).to(tl.int64)
    slice_base = outer * num_blocks * words_per_block  # int64: caches exceed 2^31 words
    offs = tile * BLOCK + tl.arange(0, BLOCK)
    mask = offs < words_per_block
    vals = tl.load(cache_ptr + slice_base + s * words_per_block + offs, mask=mask)
    tl.store(cache_ptr + slice_base + d * words_per_block + offs, vals, mask=mask)


def copy_blocks_triton(cache: torch.Tensor, src: torch.Tensor, dst: torch.Tensor, block_dim: int = 2) -> None:
    """``cache[..., dst[i], ...] = cache[..., src[i], ...]`` along ``block_dim``, in place, one launch.

    cache: contiguous, any dtype; src/dst: int64 ``[n]`` on the cache's device, in range (checked by
    ``copy_blocks.copy_blocks``, which owns the input checks).
    """
    name = "copy_blocks"
    check(cache.is_contiguous(), name, "the cache must be contiguous")
    n = src.numel()
    if n == 0:
        return
    num_blocks = cache.shape[block_dim]
    outer = 1
    for size in cache.shape[:block_dim]:
        outer *= size
    block_bytes = cache.element_size()
    for size in cache.shape[block_dim + 1:]:
        block_bytes *= size
    check(outer <= 65535, name, f"too many outer slices ({outer}) for one launch")
    raw = cache.view(-1).view(torch.uint8)
    for word_bytes, word_dtype in _WORDS:
        if block_bytes % word_bytes == 0 and (raw.data_ptr() % word_bytes == 0 or word_bytes == 1):
            words = raw.view(word_dtype)
            break
    words_per_block = block_bytes // word_bytes
    BLOCK = min(4096, triton.next_power_of_2(words_per_block))
    grid = (n, outer, triton.cdiv(words_per_block, BLOCK))
    _copy_blocks_kernel[grid](words, src, dst, num_blocks, words_per_block, BLOCK=BLOCK, num_warps=4)
