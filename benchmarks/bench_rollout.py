"""Rollout throughput: ptsfast (prefill once, fork n children) vs HF generate(num_return_sequences=n).

Same model, same prefix, same number of new tokens, EOS ignored, in the same run. On CPU the win comes
from not re-prefilling the prefix n times and not copying its cache (DESIGN.md §4).

    pytest benchmarks/bench_rollout.py --benchmark-only -s
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams

N_CHILDREN, NEW_TOKENS, PREFIX = 32, 64, 512


def small_llama(device: str) -> LlamaForCausalLM:
    """~22M-parameter Llama with GQA: big enough that compute dominates, small enough for a CPU run."""
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=16384, hidden_size=384, intermediate_size=1024, num_hidden_layers=6,
                         num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=2048,
                         eos_token_id=2, bos_token_id=1, pad_token_id=0)
    return LlamaForCausalLM(config).eval().to(device)


def hf_generate(model, prefix, n, new_tokens):
    with torch.inference_mode():
        return model.generate(torch.tensor([prefix], device=model.device), do_sample=True, temperature=1.0,
                              top_k=0, top_p=1.0, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                              num_return_sequences=n, pad_token_id=0)


def _timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


@pytest.mark.benchmark(group="rollout")
def test_rollout_throughput_vs_hf_generate(benchmark):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.set_num_threads(os.cpu_count() or 1)
    prefix = torch.randint(3, 16384, (PREFIX,), generator=torch.Generator().manual_seed(0)).tolist()
    solution = prefix + [5]  # the registered sequence; rollouts fork after the 512-token prefix
    hf_model = small_llama(device)
    engine = RolloutEngine(small_llama(device), config=EngineConfig(block_size=16))
    request = lambda seq_id, seed: RolloutRequest(  # noqa: E731
        seq_id, PREFIX, N_CHILDREN, NEW_TOKENS, SamplingParams(temperature=1.0, seed=seed), ignore_eos=True)

    def ptsfast_run():
        (seq,) = engine.prefill([solution])
        (rollouts,) = engine.rollout([request(seq.seq_id, 0)])
        engine.release([seq.seq_id])
        assert sum(len(r.tokens) for r in rollouts) == N_CHILDREN * NEW_TOKENS

    hf_generate(hf_model, prefix, 2, 2)  # warm-up both paths
    ptsfast_run()
    hf_s = _timed(lambda: hf_generate(hf_model, prefix, N_CHILDREN, NEW_TOKENS), repeat=2)
    benchmark.pedantic(ptsfast_run, rounds=3, iterations=1)
    ours_s = benchmark.stats.stats.min
    tokens = N_CHILDREN * NEW_TOKENS
    result = {
        "device": torch.cuda.get_device_name() if device == "cuda" else f"cpu ({platform.processor() or platform.machine()}, {os.cpu_count()} threads)",
        "commit": _commit(),
        "command": "pytest benchmarks/bench_rollout.py --benchmark-only -s",
        "workload": f"n={N_CHILDREN} children x {NEW_TOKENS} new tokens from a {PREFIX}-token prefix, ~22M Llama (GQA), fp32",
        "ptsfast_s": ours_s, "hf_generate_s": hf_s,
        "ptsfast_tokens_per_s": tokens / ours_s, "hf_generate_tokens_per_s": tokens / hf_s,
        "speedup_vs_hf_generate": hf_s / ours_s,
    }
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs("benchmarks/results", exist_ok=True)
    with open(f"benchmarks/results/rollout_{device}.json", "w") as f:
        json.dump(result, f, indent=2)
    engine.check_no_leaks()
    if device == "cpu":
        assert hf_s / ours_s >= 2.0, f"expected >= 2x over HF generate on CPU, measured {hf_s / ours_s:.2f}x"
