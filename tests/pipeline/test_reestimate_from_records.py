"""A run's pivots and pairs re-estimated the way an outside user does it: from pivots.jsonl, pairs.jsonl,
problems.jsonl and run.json alone, with Hugging Face ``generate`` on the recorded prefix ids and the recorded
oracle, against ptsfast's own re-estimate (pipeline/recheck.py) of the same points."""

import json
from dataclasses import replace

import pytest
import torch
from mine_script import OPTIONS, PROBLEMS
from tiny_models import tiny_tokenizer

from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.types import EstimatorConfig, MiningConfig
from ptsfast.outputs.rundir import read_jsonl
from ptsfast.pipeline import MineOptions, mine
from ptsfast.pipeline.loop import ProblemResult
from ptsfast.pipeline.recheck import Point, Solution, fresh_estimates, recheck_run
from ptsfast.pipeline.records import problem_records
from ptsfast.problems.loading import PreparedProblem, Problem


def race(text: str, problem) -> bool:
    """Success when the first word ending in 7 comes before any ending in 3 (test_recheck's oracle): judged on the
    solution text only, so a user who judged the prompt's words too would get other verdicts."""
    for w in text.split():
        if int(w[1:]) % 10 in (3, 7):
            return int(w[1:]) % 10 == 7
    return False


ORACLES = {"callable:race": race}  # the user's own oracle, by the name the records give it


def hf_p(model, tok, prefix: list[int], prompt_len: int, problem: Problem, rec: dict, n: int, seed: int) -> float:
    """p at ``prefix`` from ``n`` rollouts of HF ``generate`` under the record's sampler, judged by the recorded
    oracle on the solution text after the prompt (prefix past ``prompt_len``, then the rollout)."""
    s, eos = rec["sampler"], model.generation_config.eos_token_id
    judge = ORACLES[rec["oracle"]]
    head = prefix[prompt_len:]
    if prefix[-1] == eos:  # a forced stop token: nothing is generated after it
        return float(race(tok.decode(head, skip_special_tokens=True), problem))
    torch.manual_seed(seed)
    with torch.no_grad():
        out = model.generate(torch.tensor([prefix]), do_sample=True, temperature=s["temperature"],
                             top_k=s["top_k"], top_p=s["top_p"], min_p=s.get("min_p") or None,
                             max_new_tokens=s["max_new_tokens"], num_return_sequences=n, eos_token_id=eos,
                             pad_token_id=tok.pad_token_id, stop_strings=s.get("stop_strings") or None,
                             tokenizer=tok)
    wins = 0
    for row in out[:, len(prefix):].tolist():
        gen = row[:row.index(eos) + 1] if eos in row else row
        wins += judge(tok.decode(head + gen, skip_special_tokens=True), problem)
    return wins / n


def test_pivots_and_pairs_re_estimated_from_the_records_alone(model_dir, tmp_path):
    from transformers import AutoModelForCausalLM

    from ptsfast.models import load_model

    model, _ = load_model(model_dir)
    tok = tiny_tokenizer()
    out = tmp_path / "run"
    options = replace(OPTIONS, problems_per_batch=4)
    summary = mine(model, tok, PROBLEMS, out, options, oracle=race, progress=False)
    assert summary["pivots"] and summary["pairs"]
    n = 64
    rows = recheck_run(RolloutEngine(model, tok, EngineConfig(num_blocks=1024, block_size=8)), tok, out, PROBLEMS,
                       options, n, oracle=race)
    ours = {(r.kind, r.trajectory, r.position): r.fresh for r in rows}

    # from here on only the files: what a user has
    run = json.loads((out / "run.json").read_text())
    problems = {r["problem_id"]: r for r in read_jsonl(out / "problems.jsonl")}
    trajectories = {t["key"]: t for r in problems.values() for t in r["trajectories"]}
    hf = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    cfg = run["config"]
    checked = 0

    def compare(kind, rec, side, prefix, prompt_len, seed):
        nonlocal checked
        p = problems[rec["problem_id"]]
        assert rec["think_open"] is p["think_open"] is False  # the oracle reads the whole solution text
        problem = Problem(p["problem_id"], p["question"], p["answer"])
        traj = trajectories[rec["trajectory"]]
        mine_p = ours[(kind, rec["trajectory"], rec["position"])][side]
        if prefix == p["prompt_ids"] + traj["solution_ids"] and traj["correct"] is not None:
            assert mine_p.exact == float(traj["correct"])  # a solution's end with a verdict is exact
            return
        got = hf_p(hf, tok, prefix, prompt_len, problem, rec, n, seed)
        sd = max((mine_p.p * (1 - mine_p.p) * 2 / n) ** 0.5, 1 / n)
        assert abs(got - mine_p.p) <= 4.5 * sd, (kind, side, rec["position"], got, mine_p.p)
        checked += 1

    for k, pv in enumerate(read_jsonl(out / "pivots.jsonl")):
        s = pv["sampler"]
        assert (s["temperature"], s["top_k"], s["top_p"], s["max_new_tokens"]) == (
            cfg["temperature"], cfg["top_k"], cfg["top_p"],
            cfg["mining"]["estimator"]["rollout_budget"] or cfg["max_new_tokens"])
        assert pv["prefix_ids"][:pv["prompt_len"]] == problems[pv["problem_id"]]["prompt_ids"]
        compare("pivot", pv, "before", pv["prefix_ids"], pv["prompt_len"], 2 * k)
        compare("pivot", pv, "after", pv["prefix_ids"] + [pv["token_id"]], pv["prompt_len"], 2 * k + 1)
    for k, pr in enumerate(read_jsonl(out / "pairs.jsonl")):
        # a pair record on its own says where its prompt ends: the oracle judges the text after it
        assert pr["prompt_ids"][:pr["prompt_len"]] == problems[pr["problem_id"]]["prompt_ids"]
        for side in ("chosen", "rejected"):
            compare("pair", pr, side, pr["prompt_ids"] + pr[f"{side}_ids"], pr["prompt_len"], 1000 + 2 * k
                    + (side == "rejected"))
    assert checked >= 3


def test_problem_records_say_whether_the_oracle_read_after_a_think_trace():
    prepared = PreparedProblem("t", (5, 9, 14), Problem("t", "q", "1"), think_open=True)
    _, _, summary = problem_records(ProblemResult(prepared), tiny_tokenizer(), {"oracle": "gsm8k"})
    assert summary["think_open"] is True


def test_fresh_estimates_give_rollouts_the_searchs_budget_not_max_new_tokens(model_dir):
    """A run whose search budget is set apart from ``max_new_tokens`` (the API's ``rollout_budget``) counted each
    rollout on that budget: its p's are re-estimated on it (run.json's ``mining.estimator.rollout_budget``)."""
    from ptsfast.models import load_model

    model, _ = load_model(model_dir)
    tok = tiny_tokenizer()
    estimator = EstimatorConfig(rollout_budget=2)
    options = MineOptions(max_new_tokens=8, use_chat_template=False, mining=MiningConfig(estimator=estimator))
    sol = Solution((5, 9, 14, 20), (30, 31, 32), Problem("b", "q", "0"))

    def long(text, problem):  # three or more words after the solution's three: more than the budget allows
        return len(text.split()) >= 6

    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=256, block_size=8))
    est = fresh_estimates(engine, tok, {"b": sol}, [Point("b", 3)], 32, options, oracle=long)
    assert est[Point("b", 3)].trials == 32 and est[Point("b", 3)].p == 0.0
    engine.check_no_leaks()


def test_records_name_the_stop_strings_the_rollouts_stopped_at():
    """gsm8k's rollouts stop at "\\n\\nQuestion:" (a model that goes on to a new question writes other numbers):
    ``generate`` needs them as ``stop_strings`` to draw the same rollouts."""
    from ptsfast.pipeline.options import record_meta

    options = MineOptions(max_new_tokens=8, use_chat_template=False)
    assert record_meta(options, {"model": "m", "oracle": "gsm8k"})["sampler"]["stop_strings"] == \
        ["\n\nQuestion:", "\n\nProblem:"]
    assert record_meta(options, {"model": "m", "oracle": "callable:race"})["sampler"]["stop_strings"] == []


def test_a_top_k_turned_off_with_minus_one_is_recorded_as_generates_off():
    """-1 and 0 are one sampler here (run.json records 0); ``generate`` refuses -1 and reads 0 as off."""
    from ptsfast.pipeline.options import record_meta

    options = MineOptions(max_new_tokens=8, use_chat_template=False, top_k=-1)
    assert record_meta(options, {"model": "m", "oracle": "gsm8k"})["sampler"]["top_k"] == 0


def test_records_name_the_rollouts_budget_where_the_api_set_it_apart():
    """The search counted rollouts on ``rollout_budget``; the records said only ``max_new_tokens``."""
    from ptsfast.pipeline.options import record_meta

    settings = {"model": "m", "oracle": "gsm8k"}
    apart = MineOptions(max_new_tokens=8, use_chat_template=False,
                        mining=MiningConfig(estimator=EstimatorConfig(rollout_budget=2)))
    assert record_meta(apart, settings)["sampler"]["rollout_max_new_tokens"] == 2
    same = MineOptions(max_new_tokens=8, use_chat_template=False)
    assert "rollout_max_new_tokens" not in record_meta(same, settings)["sampler"]
