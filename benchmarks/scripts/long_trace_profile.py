"""Where a long shared prefix's cost goes: prefill and one decode step at context 256 vs 2048 (SmolLM2-135M fp32).

One thread; CPU time of the process (``time.process_time``), the least distorted clock on a shared machine.
The decode step runs G=4 groups x N=16 rows forked at the end of the sequence, through the C++ paged op
(cascade off) and the cascade path the engine dispatches to (cascade always: the cpp path when the extension has
it, else torch), and once at context 1 (the model without attention).
Run: ``.venv/bin/python benchmarks/scripts/long_trace_profile.py``; results and the bytes/FLOPs model:
``benchmarks/results/long_trace_profile.md``.
"""
from __future__ import annotations

import time

import torch

from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.kernels.cascade_attention import cascade_backend
from ptsfast.models import load_demo_model

G, N, BS = 4, 16, 16  # groups (fork points), rows per group, block size


def cpu_time(fn, repeats: int = 3) -> float:
    """Least process CPU time of ``repeats`` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    torch.set_num_threads(1)
    engine = RolloutEngine(load_demo_model()[0], config=EngineConfig(num_blocks=1200, block_size=BS))
    runner, blocks = engine.runner, engine.blocks
    for length in (256, 2048):
        sequence = torch.randint(100, 40000, (length,), generator=torch.Generator().manual_seed(0)).tolist()
        table = blocks.allocate(length // BS)
        prefill = cpu_time(lambda: runner.prefill([sequence], [table]), 2)
        rows = [table + blocks.allocate(1) for _ in range(G * N)]  # forked at the end: one private block each
        tokens, positions = [5] * (G * N), [length] * (G * N)
        shared = [(g, length // BS) for g in range(G) for _ in range(N)]
        step = {}
        for mode in ("never", "always"):
            runner.cascade = mode
            step[mode] = cpu_time(lambda: runner.decode(tokens, positions, rows, shared))
        runner.cascade = "auto"
        print(f"L={length}: prefill {prefill:.2f} s; decode step of {G * N} rows: "
              f"C++ paged {step['never'] * 1e3:.0f} ms, "
              f"cascade ({cascade_backend('cpu')}) {step['always'] * 1e3:.0f} ms",
              flush=True)
        for t in rows:
            blocks.free(t[length // BS:])
        blocks.free(table)
    one = blocks.allocate(1)
    bare = cpu_time(lambda: runner.decode([5] * (G * N), [0] * (G * N), [one] * (G * N)))
    print(f"decode step of {G * N} rows at context 1 (the model without attention): {bare * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
