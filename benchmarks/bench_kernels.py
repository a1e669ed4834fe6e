"""Each kernel against its plain-torch baseline in the same run, with bytes moved and bandwidth.

    pytest benchmarks/bench_kernels.py --benchmark-only -s

GPU when available (our kernels: cuda / triton), CPU otherwise (our CPU paths: cpp / chunked torch /
cascade torch reference), CPU shapes sized to finish in about a minute. ``extra_info`` holds the bytes
a kernel must move at minimum (its algorithm's compulsory traffic), the achieved GB/s, and for our
implementations the speedup over the baseline timed in the same test. Baselines: a Python loop of
``copy_`` for copy_blocks; ``log_softmax(h @ W.T).gather`` for log-probs; ``softmax`` +
``torch.multinomial`` for sampling; repeat-KV + SDPA over each row's full gathered context for attention.
"""

from __future__ import annotations


import pytest
import torch
import torch.nn.functional as F

from ptsfast.engine.bench import best_time
from ptsfast.kernels import copy_blocks, fused_logprobs, sample
from ptsfast.kernels.cascade_attention import CascadePlan, cascade_decode_attention
from ptsfast.kernels.logprobs import full_logprobs_torch

GPU = torch.cuda.is_available()
DEV = "cuda" if GPU else "cpu"
if not GPU:
    # one thread: the dev box has 2 cores shared with other jobs; oversubscribed OpenMP spin-waits
    # make multi-threaded timings meaningless there
    torch.set_num_threads(1)


def _sync():
    if GPU:
        torch.cuda.synchronize()


def _run(benchmark, fn, nbytes, baseline=None, rounds=5):
    def call():
        fn()
        _sync()

    benchmark.pedantic(call, rounds=rounds, iterations=1, warmup_rounds=1)
    t = benchmark.stats.stats.min
    info = {"device": torch.cuda.get_device_name() if GPU else "cpu", "bytes": int(nbytes),
            "GB_per_s": nbytes / t / 1e9}
    if baseline is not None:
        info["baseline_s"] = best_time(baseline, 3, warmup=1)
        info["speedup_vs_baseline"] = info["baseline_s"] / t
    benchmark.extra_info.update(info)
    print(f"\n  {benchmark.name}: {t * 1e3:.3f} ms, {info['GB_per_s']:.2f} GB/s"
          + (f", {info['speedup_vs_baseline']:.2f}x vs baseline" if baseline is not None else ""))


# ------------------------------------------------------------------------------------ copy_blocks

def _copy_setup():
    L, nb, bs, Hkv, D = (28, 2048, 16, 4, 128) if GPU else (8, 128, 16, 4, 64)
    cache = torch.randn(L, 2, nb, bs, Hkv, D, device=DEV, dtype=torch.float16 if GPU else torch.float32)
    pairs = 64 if GPU else 32
    perm = torch.randperm(nb, device=DEV)
    src, dst = perm[:pairs].contiguous(), perm[pairs:2 * pairs].contiguous()
    block_bytes = bs * Hkv * D * cache.element_size()
    return cache, src, dst, 2 * pairs * L * 2 * block_bytes  # read + write


def _copy_loop(cache, src, dst):
    for s, d in zip(src.tolist(), dst.tolist()):
        cache[:, :, d].copy_(cache[:, :, s])


@pytest.mark.benchmark(group="copy_blocks")
@pytest.mark.parametrize("impl", ["ours", "torch_index_copy", "baseline_loop"])
def test_copy_blocks(benchmark, impl):
    cache, src, dst, nbytes = _copy_setup()
    fns = {
        "ours": lambda: copy_blocks(cache, src, dst),  # cuda on GPU, cpp on CPU
        "torch_index_copy": lambda: copy_blocks(cache, src, dst, backend="torch"),
        "baseline_loop": lambda: _copy_loop(cache, src, dst),
    }
    _run(benchmark, fns[impl], nbytes, baseline=(lambda: _copy_loop(cache, src, dst)) if impl == "ours" else None)


# -------------------------------------------------------------------------------------- log-probs

@pytest.mark.benchmark(group="fused_logprobs")
@pytest.mark.parametrize("impl", ["ours", "cuda", "baseline_log_softmax"])
def test_fused_logprobs(benchmark, impl):
    if impl == "cuda" and not GPU:
        pytest.skip("the CUDA backend needs a GPU")
    N, V, d = (2048, 151936, 896) if GPU else (256, 32000, 512)
    dtype = torch.bfloat16 if GPU else torch.float32
    h = torch.randn(N, d, device=DEV, dtype=dtype)
    w = torch.randn(V, d, device=DEV, dtype=dtype) / 30
    t = torch.randint(0, V, (N,), device=DEV)
    nbytes = (V * d + N * d) * h.element_size()  # weights and hidden read once; no [N, V] traffic
    ours = lambda: fused_logprobs(h, w, t)  # noqa: E731  (triton on GPU, C++ on CPU)
    cuda = lambda: fused_logprobs(h, w, t, backend="cuda")  # noqa: E731  (csrc/cuda/logprobs.cu)
    base = lambda: full_logprobs_torch(h, w, t)  # noqa: E731
    fn = {"ours": ours, "cuda": cuda}.get(impl, base)
    _run(benchmark, fn, nbytes, baseline=base if fn is not base else None, rounds=3)


# --------------------------------------------------------------------------------------- sampling

@pytest.mark.benchmark(group="sample")
@pytest.mark.parametrize("impl", ["ours", "triton", "baseline_multinomial"])
def test_sample(benchmark, impl):
    if impl == "triton" and not GPU:
        pytest.skip("Triton is benchmarked on a GPU only")
    B, V = (256, 151936) if GPU else (64, 32000)
    logits = torch.randn(B, V, device=DEV) * 3
    temp = torch.full((B,), 0.8, device=DEV)
    top_k = torch.zeros(B, dtype=torch.int64, device=DEV)
    top_p = torch.ones(B, device=DEV)
    seeds = torch.arange(B, device=DEV)
    steps = torch.zeros(B, dtype=torch.int64, device=DEV)
    nbytes = B * V * logits.element_size()

    def base():
        probs = torch.softmax(logits / temp[:, None], -1)
        tok = torch.multinomial(probs, 1).squeeze(1)
        return tok, torch.log_softmax(logits, -1).gather(1, tok[:, None])

    ours = lambda: sample(logits, temp, top_k, top_p, seeds, steps)  # noqa: E731  (cuda on GPU, C++ on CPU)
    triton = lambda: sample(logits, temp, top_k, top_p, seeds, steps, backend="triton")  # noqa: E731
    fn = {"ours": ours, "triton": triton}.get(impl, base)
    _run(benchmark, fn, nbytes, baseline=base if fn is not base else None)


# -------------------------------------------------------------------------------------- attention

def _attention_setup():
    P, N, S, Hq, Hkv, D, bs = (2048, 64, 64, 32, 8, 128, 16) if GPU else (1024, 16, 32, 9, 3, 64, 16)
    dtype = torch.bfloat16 if GPU else torch.float32
    pb, sb = P // bs, -(-S // bs)
    nb = pb + N * sb
    k = torch.randn(nb, bs, Hkv, D, device=DEV, dtype=dtype)
    v = torch.randn(nb, bs, Hkv, D, device=DEV, dtype=dtype)
    q = torch.randn(N, Hq, D, device=DEV, dtype=dtype)
    i32 = dict(dtype=torch.int32, device=DEV)
    ptab = torch.arange(pb, **i32)[None]
    stab = (pb + torch.arange(N * sb, **i32)).view(N, sb)
    plan = CascadePlan(ptab, torch.tensor([P], **i32), torch.zeros(N, **i32), stab, torch.full((N,), S, **i32))
    full = torch.cat([ptab.expand(N, -1), stab], 1).long()
    per_token = 2 * Hkv * D * k.element_size()
    return q, k, v, plan, full, P, N, S, per_token


def _naive_attention(q, k, v, full, length):
    """What a user would write: gather every row's whole context, repeat KV heads, SDPA."""
    bs, Hkv, D = k.shape[1:]
    rep = q.shape[1] // Hkv
    kk = k[full].reshape(q.shape[0], -1, Hkv, D)[:, :length].repeat_interleave(rep, 2).transpose(1, 2)
    vv = v[full].reshape(q.shape[0], -1, Hkv, D)[:, :length].repeat_interleave(rep, 2).transpose(1, 2)
    return F.scaled_dot_product_attention(q.unsqueeze(2), kk, vv).squeeze(2)


@pytest.mark.benchmark(group="decode_attention")
@pytest.mark.parametrize("impl", ["ours_cascade", "baseline_repeat_sdpa"])
def test_decode_attention(benchmark, impl):
    q, k, v, plan, full, P, N, S, per_token = _attention_setup()
    scale = q.shape[-1] ** -0.5
    ours = lambda: cascade_decode_attention(q, k, v, plan, scale)  # noqa: E731
    base = lambda: _naive_attention(q, k, v, full, P + S)  # noqa: E731
    if impl == "ours_cascade":
        _run(benchmark, ours, (P + N * S) * per_token, baseline=base)
    else:
        _run(benchmark, base, N * (P + S) * per_token)
