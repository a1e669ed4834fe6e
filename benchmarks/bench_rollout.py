"""Rollout throughput: ptsfast (prefill once, fork n children) vs HF generate(num_return_sequences=n).

Same model, same prefix, same number of new tokens, EOS ignored, in the same run. On CPU the win comes
from not re-prefilling the prefix n times and not re-reading its cache per child (docs/design.md §4).

    pytest benchmarks/bench_rollout.py --benchmark-only -s
"""

from __future__ import annotations

import json
import os

import pytest
import torch

from ptsfast.engine.bench import RolloutComparison, best_time, environment, random_llama


@pytest.mark.benchmark(group="rollout")
def test_rollout_throughput_vs_hf_generate(benchmark):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    cmp = RolloutComparison(random_llama(device), prefix_len=512, n=32, new_tokens=64)
    cmp.ptsfast()
    hf_s = best_time(cmp.hf, repeat=2)
    benchmark.pedantic(cmp.ptsfast, rounds=3, iterations=1, warmup_rounds=1)
    ours_s = benchmark.stats.stats.min
    tokens = cmp.n * cmp.new_tokens
    result = {
        **environment(device),
        "command": "pytest benchmarks/bench_rollout.py --benchmark-only -s",
        "workload": "n=32 children x 64 new tokens from a 512-token prefix, ~22M-parameter Llama (GQA), fp32",
        "ptsfast_s": ours_s, "hf_generate_s": hf_s,
        "ptsfast_tokens_per_s": tokens / ours_s, "hf_generate_tokens_per_s": tokens / hf_s,
        "speedup_vs_hf_generate": hf_s / ours_s,
    }
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs("benchmarks/results", exist_ok=True)
    with open(f"benchmarks/results/rollout_{device}.json", "w") as f:
        json.dump(result, f, indent=2)
    if device == "cpu":
        assert hf_s / ours_s >= 2.0, f"expected >= 2x over HF generate on CPU, measured {hf_s / ours_s:.2f}x"
