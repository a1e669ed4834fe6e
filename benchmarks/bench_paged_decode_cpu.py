"""CPU paged decode attention: the C++ op (K/V read in place) against the torch reference (gather + SDPA).

    pytest benchmarks/bench_paged_decode_cpu.py --benchmark-only -s

The demo's shape (SmolLM2-135M: 9 query heads, 3 KV heads, head dim 64; 128 rows of 200 cached tokens
on shuffled 16-token blocks, fp32), one layer's call. Both backends are timed in the same test (the
baseline with the same best-of rule) so the ratio holds on a machine shared with other jobs.
``extra_info``: the K/V bytes a call must read (its compulsory traffic), the achieved GB/s, the
baseline time and the speedup. Parametrized over torch threads (1 and 2: the dev box's cores).
"""

from __future__ import annotations


import pytest
import torch

from ptsfast.engine.bench import best_time
from ptsfast.kernels._dispatch import backend_available
from ptsfast.kernels.paged_attention import gather_slots, paged_decode_attention

B, HQ, HKV, D, CTX, BS = 128, 9, 3, 64, 200, 16


def _setup():
    g = torch.Generator().manual_seed(0)
    per_row = -(-CTX // BS)
    nb = B * per_row + 8
    k, v = (torch.randn(nb, BS, HKV, D, generator=g) for _ in range(2))
    q = torch.randn(B, HQ, D, generator=g)
    tables = torch.randperm(nb, generator=g)[: B * per_row].view(B, per_row).int()
    lens = torch.full((B,), CTX)
    return q, k, v, tables, lens


@pytest.mark.skipif(not backend_available("cpp", torch.device("cpu")), reason="C++ extension not built")
@pytest.mark.benchmark(group="paged_decode_cpu")
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("impl", ["cpp", "torch"])
def test_paged_decode_cpu(benchmark, impl, threads):
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        q, k, v, tables, lens = _setup()
        slots = gather_slots(tables, CTX, BS)  # the engine builds it once per step, outside the layers
        scale = D**-0.5
        run = {
            "cpp": lambda: paged_decode_attention(q, k, v, tables, lens, scale, backend="cpp"),
            "torch": lambda: paged_decode_attention(q, k, v, tables, lens, scale, slots=slots, max_len=CTX,
                                                    backend="torch"),
        }
        other = "torch" if impl == "cpp" else "cpp"
        torch.testing.assert_close(run[impl](), run[other](), atol=1e-5, rtol=0)
        benchmark.pedantic(run[impl], rounds=15, iterations=1, warmup_rounds=2)
        t = benchmark.stats.stats.min
        t_other = best_time(run[other], 15, warmup=1)
        nbytes = 2 * B * CTX * HKV * D * k.element_size()
        benchmark.extra_info.update({"threads": threads, "kv_bytes": nbytes, "GB_per_s": nbytes / t / 1e9,
                                     f"{other}_s": t_other, f"speedup_vs_{other}": t_other / t})
        print(f"\n  {impl} ({threads} thr): {t * 1e3:.2f} ms, {nbytes / t / 1e9:.1f} GB/s of K/V; "
              f"{other} in the same test {t_other * 1e3:.2f} ms -> {impl} is {t_other / t:.2f}x {other}")
    finally:
        torch.set_num_threads(before)
