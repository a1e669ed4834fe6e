"""Fresh re-estimates of a run's points (pipeline/recheck.py) on a tiny model, against oracles whose p is known."""

import logging
from dataclasses import replace

import pytest
import torch
from mine_script import OPTIONS, PROBLEMS
from tiny_models import tiny_model, tiny_tokenizer

from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.types import Estimate
from ptsfast.pipeline import MineOptions, mine
from ptsfast.pipeline.recheck import (Point, Solution, fresh_estimates, pair_checks, pair_holds, pivot_holds,
                                     recheck_run)
from ptsfast.problems.loading import Problem

PROMPT = (5, 9, 14, 20)
SOL = (30, 31, 32, 33, 34, 35)


def odd_word_at(text: str, problem) -> bool:
    """Success when the word at index ``problem.answer`` of the judged text (solution head, forced tokens and the
    rollout) has an odd id: at a point of ``k`` head tokens, p is the model's probability of an odd next token."""
    words = text.split()
    i = int(problem.answer)
    return i < len(words) and int(words[i][1:]) % 2 == 1


def race(text: str, problem) -> bool:
    """Success when the first word ending in 7 comes before any ending in 3: p(i) is near 0.5 until the solution
    writes one, where it jumps to 1 or 0 (a pivot), and an alternative of the other kind is a pair's other side."""
    for w in text.split():
        if int(w[1:]) % 10 in (3, 7):
            return int(w[1:]) % 10 == 7
    return False


def _model():
    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)  # flat-ish next-token distributions: p of an odd token is far from 0 and 1
    return model


def test_fresh_estimates_match_the_models_own_probabilities():
    model, tok = _model(), tiny_tokenizer()
    points = {"start": Point("a", 0), "mid": Point("b", 3), "forced": Point("c", 3, (40,))}
    exact = {}
    with torch.no_grad():  # before the engine routes the model's attention through ptsfast
        for name, pt in points.items():
            ctx = list(PROMPT) + list(SOL[: pt.position]) + list(pt.forced)
            probs = model(torch.tensor([ctx])).logits[0, -1].softmax(-1)
            exact[name] = probs[1::2].sum().item()  # odd ids; EOS (2) is even, and an empty rollout fails
    # the word the rollout writes first: after the head and the forced tokens
    index = {"a": 0, "b": 3, "c": 4}
    solutions = {k: Solution(PROMPT, SOL, Problem(k, "q", str(i))) for k, i in index.items()}
    solutions["end"] = Solution(PROMPT, SOL, Problem("end", "q", "0"), correct=True)
    options = MineOptions(max_new_tokens=3, use_chat_template=False, seed=7)
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=1024, block_size=8))
    n = 600
    est = fresh_estimates(engine, tok, solutions, [*points.values(), points["start"], Point("end", len(SOL))], n,
                          options, oracle=odd_word_at)
    assert len(est) == 4  # a point asked twice is drawn once
    assert est[Point("end", len(SOL))] == Estimate(exact=1.0)  # a solution's end with a verdict is exact
    for name, pt in points.items():
        e = est[pt]
        assert e.trials == n
        sd = (exact[name] * (1 - exact[name]) / n) ** 0.5
        assert abs(e.p - exact[name]) < 4.5 * sd + 1e-9, (name, e.p, exact[name])
    assert len({round(v, 3) for v in exact.values()}) == 3  # the points differ, so a wrong position would show
    engine.check_no_leaks()
    # another salt draws other rollouts; the same salt the same ones
    again = fresh_estimates(engine, tok, solutions, [points["mid"]], n, options, oracle=odd_word_at)
    other = fresh_estimates(engine, tok, solutions, [points["mid"]], n, options, oracle=odd_word_at, salt="other")
    assert again[points["mid"]] == est[points["mid"]] and other[points["mid"]] != est[points["mid"]]
    with pytest.raises(ValueError, match="position outside"):
        fresh_estimates(engine, tok, solutions, [Point("a", 7)], n, options, oracle=odd_word_at)


def test_the_rules_a_pivot_and_a_pair_are_held_to():
    assert pivot_holds("raises", 0.3, 0.5, 0.2) and pivot_holds("lowers", 0.6, 0.4, 0.2)
    assert not pivot_holds("raises", 0.3, 0.49, 0.2) and not pivot_holds("lowers", 0.3, 0.6, 0.2)
    assert pair_holds(0.4, 0.5, 0.38, 0.2) and pair_holds(0.4, 0.9, 0.0, 0.2)
    assert not pair_holds(0.4, 0.45, 0.38, 0.2)  # margin below gap / 2
    assert not pair_holds(0.4, 0.9, 0.4, 0.2) and not pair_holds(0.4, 0.4, 0.0, 0.2)  # a side not across p(before)
    assert pair_checks(0.4, 0.38, 0.0, 0.2) == {"margin": True, "chosen_above_before": False,
                                                "rejected_below_before": True}


def test_recheck_run_re_estimates_every_pivot_and_pair(model_dir, tmp_path):
    from ptsfast.models import load_model

    model, _ = load_model(model_dir)
    tok = tiny_tokenizer()
    out = tmp_path / "run"
    options = replace(OPTIONS, problems_per_batch=4)
    summary = mine(model, tok, PROBLEMS, out, options, oracle=race, progress=False)
    assert summary["pivots"] and summary["pairs"], "the tiny setup is tuned to produce pivots and pairs"
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=1024, block_size=8))
    n = 48
    rows = recheck_run(engine, tok, out, PROBLEMS, options, n, oracle=race)
    pivots = [r for r in rows if r.kind == "pivot"]
    pairs = [r for r in rows if r.kind == "pair"]
    assert len(pivots) >= summary["pivots"] and len(pairs) == summary["pairs"]  # refuted pivots too
    for r in pivots:
        a, b = r.fresh["before"], r.fresh["after"]
        assert a.trials == n and (b.trials == n or b.exact is not None)
        if r.confirmed == "confirmed":  # a 7- or 3-word decides the race: p after it is 1 or 0 on every rollout
            assert b.p == (1.0 if r.direction == "raises" else 0.0)
        assert r.holds == pivot_holds(r.direction, a.p, b.p, 0.2)
    for r in pairs:  # the pivot's own token is one side, an alternative forced at its prefix the other
        pivot = next(p for p in pivots if (p.trajectory, p.position) == (r.trajectory, r.position))
        own, alt = ("chosen", "rejected") if r.direction == "raises" else ("rejected", "chosen")
        assert r.fresh[own] == pivot.fresh["after"] and r.fresh["before"] == pivot.fresh["before"]
        assert r.fresh[alt].trials == n
        f = {k: e.p for k, e in r.fresh.items()}
        assert r.holds == pair_holds(f["before"], f["chosen"], f["rejected"], 0.2) == all(r.checks.values())
        d = r.as_dict()
        assert d["fresh"][alt]["trials"] == n and d["reported_delta"] == r.reported_delta
    # here a confirmed pivot jumps by about 0.5 and a pair's sides are 1 and 0: all of them hold
    assert all(r.holds for r in pivots if r.confirmed == "confirmed") and all(r.holds for r in pairs)
    engine.check_no_leaks()


def test_a_run_records_its_stop_ids_and_a_recheck_stopping_elsewhere_is_refused(model_dir, tmp_path):
    """run.json names the ids the rollouts stopped at; an engine over a model whose generation_config.json names
    others (another version of the folder) would end the fresh rollouts elsewhere, so the recheck is refused."""
    import json

    from ptsfast.engine import eos_token_ids
    from ptsfast.models import load_model

    model, _ = load_model(model_dir)
    tok, out = tiny_tokenizer(), tmp_path / "run"
    options = replace(OPTIONS, max_new_tokens=6)
    mine(model, tok, PROBLEMS[:1], out, options, oracle=race, progress=False)
    ran = json.loads((out / "run.json").read_text(encoding="utf-8"))["stop_token_ids"]
    assert ran == sorted(eos_token_ids(model)) and ran
    assert recheck_run(RolloutEngine(model, tok, EngineConfig(num_blocks=256, block_size=8)), tok, out, PROBLEMS[:1],
                       options, 4, oracle=race) is not None
    model.generation_config.eos_token_id = [ran[0], 7]
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=256, block_size=8))
    with pytest.raises(ValueError, match=r"stopped at token ids \[2\].*this engine's at \[2, 7\]"):
        recheck_run(engine, tok, out, PROBLEMS[:1], options, 4, oracle=race)


def test_eos_token_ids_read_one_id_a_list_or_the_models_config():
    from transformers import GenerationConfig

    from ptsfast.engine import eos_token_ids

    model = tiny_model("llama")
    model.generation_config = GenerationConfig(eos_token_id=[2, 5])
    assert eos_token_ids(model) == {2, 5}
    model.generation_config = GenerationConfig(eos_token_id=4)
    assert eos_token_ids(model) == {4}
    model.generation_config = GenerationConfig()
    assert eos_token_ids(model) == {model.config.eos_token_id}


def test_a_models_own_sampling_is_noted_when_the_run_samples_otherwise(model_dir, tmp_path, caplog):
    from ptsfast.models import load_model

    model, _ = load_model(model_dir)
    model.generation_config.temperature, model.generation_config.top_p = 0.6, 0.95
    with caplog.at_level(logging.WARNING, logger="ptsfast"):
        mine(model, tiny_tokenizer(), PROBLEMS[:1], tmp_path / "run", replace(OPTIONS, max_new_tokens=4),
             oracle=race, progress=False)
    notes = [r.getMessage() for r in caplog.records if "generation_config.json" in r.getMessage()]
    assert len(notes) == 1 and "temperature=0.6, top_p=0.95" in notes[0]
    assert "MineOptions(temperature=0.6, top_p=0.95)" in notes[0]  # a Python caller is told the options, not flags
