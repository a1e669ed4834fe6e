"""The run's schedule: problems, solutions and probes fed to one engine call as they go, with the same results
as the round-based search; progress moves while the engine works, not only when a problem finishes."""

import torch
from tiny_models import tiny_model, tiny_tokenizer

from ptsfast.problems.loading import Problem
from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.types import FilterConfig, MiningConfig
from ptsfast.problems.oracles import make_judge
from ptsfast.mining import Trajectory, find_pivots
from ptsfast.pipeline import MineOptions, PreparedProblem, run_problems
from ptsfast.pipeline import mine as pipeline_mine
from ptsfast.pipeline.probes import EngineSampler, TrajectoryContext


def contains_w7(text, problem):
    return "w7" in text.split()


def flat_model():
    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
    return model


PROBLEMS = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(4)]


def test_progress_is_reported_during_engine_calls():
    tok = tiny_tokenizer()
    engine = RolloutEngine(flat_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    prepared = [PreparedProblem(p.id, tuple(tok(p.question)["input_ids"]), p) for p in PROBLEMS]
    options = MineOptions(mining=MiningConfig(filter=FilterConfig(enabled=False)), max_new_tokens=16,
                          problems_per_batch=4)
    events = []
    stats = run_problems(engine, tok, prepared, make_judge(contains_w7), options,
                         on_problem=lambda r: events.append(("problem", r.problem.id)),
                         on_progress=lambda s: events.append(("progress", s.decoded_tokens, s.running)),
                         progress_interval=0.0)
    first_problem = next(i for i, e in enumerate(events) if e[0] == "problem")
    live = [e for e in events[:first_problem] if e[0] == "progress"]
    assert len(live) >= 10, "the engine's decode steps report before any problem is done"
    assert [e[1] for e in live] == sorted(e[1] for e in live) and live[-1][1] > live[0][1] > 0
    assert all(e[2] > 0 for e in live)
    assert stats.decoded_tokens >= stats.tokens > 0
    assert "running" not in stats.as_dict() and "pivots_found" not in stats.as_dict()


def test_progress_bar_shows_rollouts_speed_and_pivots_before_a_problem_finishes(tmp_path, capsys):
    pipeline_mine(flat_model(), tiny_tokenizer(), PROBLEMS, tmp_path / "run",
                  MineOptions(max_new_tokens=16, use_chat_template=False, problems_per_batch=4,
                              mining=MiningConfig(filter=FilterConfig(enabled=False)),
                              engine=EngineConfig(num_blocks=512, block_size=8)),
                  oracle=contains_w7, progress=True)
    frames = capsys.readouterr().err.replace("\r", "\n").splitlines()
    early = [f for f in frames if " 0/4 " in f and "rollouts=" in f]
    assert any("tok/s=" in f and "running=" in f and "pivots=" in f for f in early), frames[:5]
    assert any(int(f.split("rollouts=")[1].split()[0]) > 0 for f in early), "rollouts count up before problem 1"


def given_problems(tok):
    """Problems with given solutions (so every trajectory is known up front), 14-20 tokens each."""
    out = []
    for i, p in enumerate(PROBLEMS[:3]):
        solution = " ".join(f"w{3 + (i * 11 + k * 5) % 90}" for k in range(14 + 3 * i))
        out.append(PreparedProblem(p.id, tuple(tok(p.question)["input_ids"]), p,
                                   tuple(tok(solution)["input_ids"])))
    return out


def round_based(tok, prepared, options, judge):
    """The reference: every trajectory prefilled, searched by find_pivots one sampler call per round."""
    engine = RolloutEngine(flat_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    seqs = engine.prefill([list(p.prompt_ids) + list(p.solution_ids) for p in prepared])
    contexts, trajectories = {}, []
    for p, seq in zip(prepared, seqs):
        key = f"{p.id}#0"
        ok = judge(tok.decode(list(p.solution_ids), skip_special_tokens=True), p.problem)[0]
        contexts[key] = TrajectoryContext(seq.seq_id, len(p.prompt_ids), p.solution_ids, p.problem)
        trajectories.append(Trajectory(key, p.id, p.solution_ids, tuple(seq.logprobs[len(p.prompt_ids) - 1:]), ok,
                                       p.prompt_ids))
    return find_pivots(trajectories, EngineSampler(engine, tok, judge, options, contexts), options.search_config())


def setup(problems_per_batch: int):
    """Problems, judge and options, and what the round-based search finds for them."""
    tok = tiny_tokenizer()
    prepared, judge = given_problems(tok), make_judge(contains_w7)
    options = MineOptions(max_new_tokens=12, problems_per_batch=problems_per_batch, seed=5,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)))
    return tok, prepared, judge, options, {r.key: r for r in round_based(tok, prepared, options, judge)}


def test_the_fed_schedule_finds_what_the_round_based_search_finds_with_one_engine_call():
    tok, prepared, judge, options, expected = setup(problems_per_batch=2)
    engine = RolloutEngine(flat_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    calls, in_flight, finished = [], [], []
    rollout = engine.rollout

    def counting(requests, progress=None, on_done=None, poll=None):
        calls.append(len(requests))
        return rollout(requests, progress, on_done, poll)

    engine.rollout = counting
    prefill = engine.prefill

    def tracking(sequences, **kw):
        out = prefill(sequences, **kw)
        in_flight.append(len(engine._seqs))  # one registered solution per problem in flight
        return out

    engine.prefill = tracking
    stats = run_problems(engine, tok, prepared, judge, options, on_problem=finished.append)
    got = {r.key: r for f in finished for r in f.results}
    assert len(calls) == 1, "every problem and probe went through one fed engine call"
    assert max(in_flight) == 2, "at most problems_per_batch problems hold sequences at once"
    assert sorted(f.problem.id for f in finished) == sorted(p.id for p in prepared)
    assert got.keys() == expected.keys()
    for key, r in expected.items():
        assert got[key] == r, key
    assert stats.rollouts == sum(r.rollouts for r in expected.values()) and stats.pivots == sum(
        len(r.pivots) for r in expected.values())
    engine.check_no_leaks()


def test_slow_verdicts_run_in_the_background_with_the_same_results(monkeypatch):
    """Once a verdict job is slow, the later ones run in background threads and finish in any order (random
    delays here): the records are still the round-based search's, in one engine call."""
    import random
    import time

    from ptsfast.pipeline.loop import FedCall

    tok, prepared, judge, options, expected = setup(problems_per_batch=3)
    monkeypatch.setattr(FedCall, "BACKGROUND_ON_CPU", True)
    monkeypatch.setattr(FedCall, "BACKGROUND_AFTER", -1.0)  # background from the second job on
    delays = random.Random(0)

    def slow(text, problem):
        time.sleep(delays.uniform(0, 0.004))
        return judge(text, problem)

    engine = RolloutEngine(flat_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    finished, polled = [], []
    rollout = engine.rollout

    def polling(wait, poll):
        more = poll(wait)
        polled.append((wait, len(more)))
        return more

    engine.rollout = lambda requests, progress=None, on_done=None, poll=None: rollout(
        requests, progress, on_done, lambda wait: polling(wait, poll))
    stats = run_problems(engine, tok, prepared, slow, options, on_problem=finished.append)
    got = {r.key: r for f in finished for r in f.results}
    assert any(wait and n for wait, n in polled), "the engine waited for background verdicts, and got work"
    assert got == expected and stats.pivots == sum(len(r.pivots) for r in expected.values())
    engine.check_no_leaks()


def test_on_a_cpu_engine_slow_verdicts_stay_in_the_decode_loop(monkeypatch):
    """Code verdicts would compete with a CPU engine's decoding for the same cores: there they stay inline."""
    from ptsfast.pipeline.loop import FedCall

    tok, prepared, judge, options, expected = setup(problems_per_batch=3)
    monkeypatch.setattr(FedCall, "BACKGROUND_AFTER", -1.0)
    engine = RolloutEngine(flat_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    rollout, fed = engine.rollout, []
    engine.rollout = lambda requests, progress=None, on_done=None, poll=None: rollout(
        requests, progress, on_done, lambda wait: fed.extend(poll(wait)) or [])
    finished = []
    run_problems(engine, tok, prepared, judge, options, on_problem=finished.append)
    assert fed == [] and {r.key: r for f in finished for r in f.results} == expected


def test_a_verdict_that_hangs_holds_up_only_its_own_trajectory(monkeypatch):
    """Problem p0's first probe verdict waits until another problem has finished: with verdicts in the background
    the others go on meanwhile (judged synchronously it would wait for its time limit, here 60 s, instead)."""
    import threading

    from ptsfast.pipeline.loop import FedCall

    tok, prepared, judge, options, expected = setup(problems_per_batch=3)
    monkeypatch.setattr(FedCall, "BACKGROUND_ON_CPU", True)
    monkeypatch.setattr(FedCall, "BACKGROUND_AFTER", -1.0)
    other_done, calls, waited = threading.Event(), {"p0": 0}, []

    def hanging(text, problem):
        if problem.id == "p0":
            calls["p0"] += 1
            if calls["p0"] == 2:  # after its solution's verdict: the first probe's
                waited.append(other_done.wait(60))
        return judge(text, problem)

    finished = []

    def on_problem(r):
        finished.append(r)
        if r.problem.id != "p0":
            other_done.set()

    engine = RolloutEngine(flat_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    run_problems(engine, tok, prepared, hanging, options, on_problem=on_problem)
    assert waited == [True], "another problem finished while p0's verdict hung"
    assert finished[-1].problem.id == "p0"
    assert {r.key: r for f in finished for r in f.results} == expected
    engine.check_no_leaks()


def test_a_full_kv_pool_defers_problems_instead_of_failing():
    """A pool with room for about one problem's sequences and rollouts: problems wait for room, and the
    results are those of a roomy pool."""
    tok, prepared, judge, options, expected = setup(problems_per_batch=4)
    engine = RolloutEngine(flat_model(), tok, EngineConfig(num_blocks=16, block_size=8))
    finished = []
    run_problems(engine, tok, prepared, judge, options, on_problem=finished.append)
    got = {r.key: r for f in finished for r in f.results}
    assert got == expected
    engine.check_no_leaks()
