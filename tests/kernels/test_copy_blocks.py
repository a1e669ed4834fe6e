"""copy_blocks on every backend vs a Python ``copy_`` loop (exact equality), as vLLM tests it."""

from __future__ import annotations

import pytest
import torch
from kernel_utils import HAS_CUDA, cpu_backends, gpu

from ptsfast.kernels.copy_blocks import IMPLEMENTED, copy_blocks

BACKENDS = cpu_backends(IMPLEMENTED)


def _loop_reference(cache: torch.Tensor, pairs: list[tuple[int, int]], block_dim: int) -> torch.Tensor:
    expected = cache.clone()
    for s, d in pairs:
        expected.select(block_dim, d).copy_(expected.select(block_dim, s))
    return expected


def _bits(t: torch.Tensor) -> torch.Tensor:
    return (t.view(torch.uint8) if t.element_size() == 1
            else t.view(torch.int16 if t.element_size() == 2 else torch.int32))


def _run(backend, device, dtype, shape, pairs, block_dim=2):
    gen = torch.Generator().manual_seed(hash((dtype, shape, len(pairs))) % 2**31)
    cache = (torch.randn(shape, generator=gen) * 100).to(dtype).to(device)
    expected = _loop_reference(cache, pairs, block_dim)
    src = torch.tensor([p[0] for p in pairs], dtype=torch.int64, device=device)
    dst = torch.tensor([p[1] for p in pairs], dtype=torch.int64, device=device)
    copy_blocks(cache, src, dst, block_dim=block_dim, backend=backend)
    assert torch.equal(_bits(cache), _bits(expected))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16, torch.uint8])
@pytest.mark.parametrize("shape", [(2, 2, 10, 16, 2, 8), (3, 2, 7, 5, 3, 7), (1, 2, 9, 32, 1, 3)])
def test_one_source_two_destinations(backend, dtype, shape):
    _run(backend, "cpu", dtype, shape, [(1, 2), (1, 5), (4, 0)])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("seed", range(3))
def test_random_pairs(backend, seed):
    g = torch.Generator().manual_seed(seed)
    num_blocks = 23
    perm = torch.randperm(num_blocks, generator=g).tolist()
    n = int(torch.randint(1, 8, (1,), generator=g))
    srcs = perm[:n]
    dsts = perm[n:2 * n]
    srcs = [srcs[i % len(srcs)] for i in range(len(dsts))]  # sources may repeat, destinations are distinct
    _run(backend, "cpu", torch.float32, (2, 2, num_blocks, 16, 2, 4), list(zip(srcs, dsts)))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("block_dim", [0, 1, 3])
def test_other_block_dims(backend, block_dim):
    _run(backend, "cpu", torch.bfloat16, (6, 5, 4, 7, 3), [(0, 3), (0, 2)] if block_dim != 0 else [(1, 4), (1, 5)],
         block_dim=block_dim)


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_pairs_is_a_no_op(backend):
    cache = torch.randn(2, 2, 4, 16, 1, 8)
    before = cache.clone()
    empty = torch.empty(0, dtype=torch.int64)
    copy_blocks(cache, empty, empty, backend=backend)
    assert torch.equal(cache, before)


def test_input_checks():
    cache = torch.randn(2, 2, 4, 16, 1, 8)
    idx = torch.tensor([0], dtype=torch.int64)
    with pytest.raises(ValueError, match="contiguous"):
        copy_blocks(cache.transpose(0, 1), idx, idx + 1)
    with pytest.raises(ValueError, match="int64"):
        copy_blocks(cache, idx.int(), (idx + 1).int())
    with pytest.raises(ValueError, match="equal length"):
        copy_blocks(cache, idx, torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="block_dim"):
        copy_blocks(cache, idx, idx + 1, block_dim=6)
    for backend in BACKENDS:
        with pytest.raises(ValueError, match="block ids"):
            copy_blocks(cache, idx, idx + 4, backend=backend)
        with pytest.raises(ValueError, match="block ids"):
            copy_blocks(cache, idx - 1, idx + 1, backend=backend)


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("backend", ["cuda", "triton", "torch"])
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_gpu(backend, dtype):
    if backend == "cuda" and not HAS_CUDA:
        pytest.skip("no CUDA")
    _run(backend, "cuda", dtype, (4, 2, 64, 16, 8, 128), [(3, 10), (3, 11), (40, 2), (7, 63)])
