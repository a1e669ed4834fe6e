"""Batched KV block copy: one launch copies many (src, dst) blocks across all layers and K/V.

The engine's fork shares a parent's full blocks and copies only each child's boundary block; all the
boundary copies of a scheduling step go through one call here.
"""

from __future__ import annotations

import torch

from ptsfast.kernels._dispatch import check, choose_backend, triton_module

IMPLEMENTED = ("cuda", "cpp", "triton", "torch")


def copy_blocks_torch(cache: torch.Tensor, src: torch.Tensor, dst: torch.Tensor, block_dim: int = 2) -> None:
    """The spec: ``cache[..., dst[i], ...] = cache[..., src[i], ...]`` for every i, along ``block_dim``."""
    if src.numel() == 0:
        return
    moved = cache.index_select(block_dim, src)
    cache.index_copy_(block_dim, dst, moved)


def copy_blocks(
    cache: torch.Tensor, src: torch.Tensor, dst: torch.Tensor, *, block_dim: int = 2, backend: str | None = None,
    check_bounds: bool = True,
) -> None:
    """Copies blocks ``src[i] -> dst[i]`` in place in ``cache``.

    cache: any contiguous tensor whose dimension ``block_dim`` indexes blocks, e.g. the engine's
    ``[layers, 2, num_blocks, block_size, kv_heads, head_dim]`` (block_dim=2). src, dst: int64 ``[n]``
    on the cache's device. Destinations must be distinct and disjoint from the sources.
    ``check_bounds`` reads the indices' range back to the host (one device sync on a GPU); a caller
    that built them from checked host-side ids, as the engine's model runner does, passes False.
    """
    name = "copy_blocks"
    check(cache.is_contiguous(), name, "the cache must be contiguous (a strided view would be copied silently)")
    check(0 <= block_dim < cache.dim(), name, f"block_dim {block_dim} out of range for a {cache.dim()}-d cache")
    check(src.dim() == 1 and dst.dim() == 1 and src.shape == dst.shape, name,
          f"src and dst must be 1-d of equal length, got {tuple(src.shape)} and {tuple(dst.shape)}")
    check(src.dtype == torch.int64 and dst.dtype == torch.int64, name, "src and dst must be int64")
    check(src.device == cache.device and dst.device == cache.device, name,
          f"src/dst on {src.device}/{dst.device} but the cache is on {cache.device}")
    if check_bounds and src.numel():
        num_blocks = cache.shape[block_dim]
        lo_hi = torch.stack([src.min(), src.max(), dst.min(), dst.max()]).tolist()
        check(min(lo_hi) >= 0 and max(lo_hi) < num_blocks, name,
              f"block ids must lie in [0, {num_blocks}), got src/dst range {lo_hi}")
    chosen = choose_backend(name, cache.device, IMPLEMENTED, backend)
    if chosen in ("cuda", "cpp"):
        torch.ops.ptsfast.copy_blocks(cache, src, dst, block_dim)
    elif chosen == "triton":
        triton_module("copy_blocks").copy_blocks_triton(cache, src, dst, block_dim)
    else:
        copy_blocks_torch(cache, src, dst, block_dim)
