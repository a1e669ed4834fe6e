"""fused_logprobs on every backend vs a float64 full-logits oracle, plus the N*V memory bound."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import torch
from kernel_utils import TOL, cpu_backends, gpu, poison, rel_err  # noqa: F401

from ptsfast.kernels.logprobs import IMPLEMENTED, fused_logprobs, full_logprobs_torch

BACKENDS = cpu_backends(IMPLEMENTED)
SHAPES = [(1, 97, 16), (37, 1000, 48), (19, 515, 40)]  # (N, V, d): odd sizes, V not a multiple of any tile


def _inputs(N, V, d, dtype, device="cpu", bias=False, seed=0):
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(N, d, generator=g).to(dtype).to(device)
    w = (torch.randn(V, d, generator=g) / d**0.25).to(dtype).to(device)
    t = torch.randint(0, V, (N,), generator=g).to(device)
    b = torch.randn(V, generator=g).to(dtype).to(device) if bias else None
    return h, w, t, b


def _check(out, h, w, t, b, top_k, dtype, backend):
    ref = full_logprobs_torch(h.double(), w.double(), t, None if b is None else b.double(), top_k=top_k)
    tol = TOL[dtype]
    assert out.logprobs.dtype == torch.float32 and out.logprobs.shape == t.shape
    assert rel_err(out.logprobs, ref.logprobs) <= tol
    if top_k:
        assert out.topk_ids.shape == (h.shape[0], top_k) and out.topk_ids.dtype == torch.int64
        assert rel_err(out.topk_logprobs, ref.topk_logprobs) <= tol
        # the returned ids carry the returned log-probs (ties in low precision may reorder equal values)
        ref_full = torch.log_softmax(h.double() @ w.double().T + (0 if b is None else b.double()), -1)
        assert rel_err(out.topk_logprobs, ref_full.gather(1, out.topk_ids.cpu().to(ref_full.device))) <= tol
        if dtype == torch.float32:
            assert torch.equal(out.topk_ids.cpu(), ref.topk_ids.cpu())


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("top_k,bias", [(0, False), (5, True)])
def test_matches_float64(backend, dtype, shape, top_k, bias, poison):  # noqa: F811
    h, w, t, b = _inputs(*shape, dtype, bias=bias)
    out = fused_logprobs(h, w, t, bias=b, top_k=top_k, backend=backend)
    _check(out, h, w, t, b, top_k, dtype, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_masked_vocabulary_chunks_stay_finite(backend):
    """A bias of -inf over whole vocabulary chunks (padded or banned tokens) must not turn the online
    log-sum-exp into NaN (-inf - -inf) in the chunks before the first finite logit."""
    from ptsfast.kernels.logprobs import fused_logprobs_torch

    h, w, _, b = _inputs(9, 300, 16, torch.float32, bias=True, seed=5)
    b[:200] = float("-inf")
    t = torch.randint(200, 300, (9,), generator=torch.Generator().manual_seed(0))
    if backend == "torch":
        out = fused_logprobs_torch(h, w, t, b, top_k=3, chunk_size=64)
    elif backend == "cpp":
        from ptsfast.kernels.logprobs import fused_logprobs_cpp

        out = fused_logprobs_cpp(h, w, t, b, top_k=3, chunk_size=64)
    else:
        from ptsfast.kernels.triton.logprobs import fused_logprobs_triton

        out = fused_logprobs_triton(h, w, t, b, 3, num_splits=3, block_v=64, block_d=16)
    _check(out, h, w, t, b, 3, torch.float32, backend)


@pytest.mark.skipif("triton" not in BACKENDS, reason="Triton interpreter unavailable")
@pytest.mark.parametrize("splits,block_v", [(1, 64), (3, 64), (5, 128)])
def test_triton_vocab_splits(splits, block_v, poison):  # noqa: F811
    from ptsfast.kernels.triton.logprobs import fused_logprobs_triton

    h, w, t, b = _inputs(21, 777, 24, torch.float32, bias=True, seed=3)
    out = fused_logprobs_triton(h, w, t, b, 4, num_splits=splits, block_v=block_v, block_d=16)
    _check(out, h, w, t, b, 4, torch.float32, "triton")


@pytest.mark.skipif("cpp" not in BACKENDS, reason="C++ extension not built")
@pytest.mark.parametrize("chunk_size", [1, 64, 300, 5000])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_cpp_chunks(chunk_size, dtype, poison):  # noqa: F811
    """The C++ backend (csrc/sampling_math.h, as the CUDA kernel) at chunk sizes that split the 256-token
    tiles, one token per chunk, and one chunk for everything; top-k as large as 40."""
    from ptsfast.kernels.logprobs import fused_logprobs_cpp

    h, w, t, b = _inputs(13, 777, 24, dtype, bias=True, seed=4)
    out = fused_logprobs_cpp(h, w, t, b, top_k=40, chunk_size=chunk_size)
    _check(out, h, w, t, b, 40, dtype, "cpp")


def test_chunked_reference_small_chunks():
    from ptsfast.kernels.logprobs import fused_logprobs_torch

    h, w, t, b = _inputs(9, 301, 16, torch.float32, bias=True, seed=5)
    out = fused_logprobs_torch(h, w, t, b, top_k=7, chunk_size=64)
    _check(out, h, w, t, b, 7, torch.float32, "torch")


def test_input_checks():
    h, w, t, _ = _inputs(4, 50, 8, torch.float32)
    with pytest.raises(ValueError, match="hidden"):
        fused_logprobs(h[:, :4], w, t)
    with pytest.raises(ValueError, match="targets"):
        fused_logprobs(h, w, t[:3])
    with pytest.raises(ValueError, match="dtype|bfloat16|is torch"):
        fused_logprobs(h.bfloat16(), w, t)
    with pytest.raises(ValueError, match="lie in"):
        fused_logprobs(h, w, t + 50)
    with pytest.raises(ValueError, match="top_k"):
        fused_logprobs(h, w, t, top_k=51)
    if "triton" in BACKENDS:
        with pytest.raises(ValueError, match="top_k <= 64"):
            fused_logprobs(*_inputs(4, 100, 8, torch.float32)[:3], top_k=65, backend="triton")


_MEMORY_SCRIPT = textwrap.dedent("""
    import resource, sys, torch
    from ptsfast.kernels.logprobs import fused_logprobs
    backend = sys.argv[1]

    def rss_now():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()

    def peak_now():  # VmHWM, the peak RSS since the last reset
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))

    torch.manual_seed(0)
    N, V, d = 4096, 151936, 896
    h = torch.empty(N, d).normal_(); w = torch.empty(V, d).normal_(std=1 / 30); t = torch.randint(0, V, (N,))
    fused_logprobs(h[:8], w[:9000], t[:8] % 9000, backend=backend)  # warm up allocator and BLAS
    # the peak is reset to the RSS now: an earlier, higher peak (or the library pages the kernel evicted since, on
    # a machine short of memory) would hide the call's own growth
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = rss_now()
    assert peak_now() <= base + (64 << 20), "the peak was not reset: the measurement would be meaningless"
    out = fused_logprobs(h, w, t, backend=backend)
    assert torch.isfinite(out.logprobs).all()
    print(peak_now() - base)
""")


@pytest.mark.slow
@pytest.mark.parametrize("backend", [b for b in BACKENDS if b in ("torch", "cpp")])
def test_memory_n4096_v151936_d896_cpu_paths(backend):
    """Peak RSS growth of the chunked CPU paths stays far below the 2.49 GB of fp32 [N, V] logits."""
    res = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, backend], capture_output=True, text=True,
                         timeout=900)
    assert res.returncode == 0, res.stderr
    delta = int(res.stdout.strip().splitlines()[-1])
    logits_bytes = 4096 * 151936 * 4
    print(f"peak RSS delta {delta / 2**20:.0f} MiB vs fp32 logits {logits_bytes / 2**20:.0f} MiB")
    assert delta < logits_bytes / 4


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float32])
@pytest.mark.parametrize("top_k", [0, 8])
def test_gpu_triton(dtype, top_k, poison):  # noqa: F811
    h, w, t, b = _inputs(1031, 32003, 896, dtype, device="cuda", bias=False)
    out = fused_logprobs(h, w, t, top_k=top_k, backend="triton")
    ref = full_logprobs_torch(h.double(), w.double(), t, top_k=top_k)
    assert rel_err(out.logprobs.double(), ref.logprobs) <= TOL[dtype]
    if top_k:
        assert rel_err(out.topk_logprobs.double(), ref.topk_logprobs) <= TOL[dtype]


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float32])
@pytest.mark.parametrize("top_k,chunk_size", [(0, 0), (8, 0), (5, 1000)])
def test_gpu_cuda(dtype, top_k, chunk_size, poison):  # noqa: F811
    from ptsfast.kernels._dispatch import backend_available
    from ptsfast.kernels.logprobs import fused_logprobs_cpp

    if not backend_available("cuda", torch.device("cuda")):
        pytest.skip("extension built without CUDA")
    h, w, t, b = _inputs(1031, 32003, 896, dtype, device="cuda", bias=chunk_size > 0)
    out = fused_logprobs_cpp(h, w, t, b, top_k=top_k, chunk_size=chunk_size)
    ref = full_logprobs_torch(h.double(), w.double(), t, None if b is None else b.double(), top_k=top_k)
    assert rel_err(out.logprobs.double(), ref.logprobs) <= TOL[dtype]
    if top_k:
        assert rel_err(out.topk_logprobs.double(), ref.topk_logprobs) <= TOL[dtype]
