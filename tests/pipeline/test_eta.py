"""The mining progress bar's time left: from the first decode steps on a prior, then from finished problems."""

from __future__ import annotations

import pytest
from tiny_models import tiny_model, tiny_tokenizer

from ptsfast.pipeline.eta import (LENGTH_PRIOR_WEIGHT, PRIOR_ROLLOUTS, PRIOR_SCALE, DecodeSpeed, RunWork, format_eta,
                                  prior_rollouts)
from ptsfast.pipeline.loop import RunStats


def _at(problems=0, in_flight=8, decoded=5000, rollouts=0, tokens=0, searches=0, prior=0.0,
        solutions=0) -> RunStats:
    return RunStats(problems=problems, in_flight=in_flight, decoded_tokens=decoded, rollouts=rollouts, tokens=tokens,
                    searches=searches, prior_rollouts=prior, solution_tokens=solutions)


def test_time_left_rests_on_the_prior_until_problems_finish_then_on_what_they_took():
    work = RunWork(problems=10, trajectories=2, solution_tokens=1000, rollout_tokens=512)
    w = LENGTH_PRIOR_WEIGHT
    # nothing known: solutions + the fixed prior's rollouts (the budget allows more) at half a solution each
    assert prior_rollouts(1000) > PRIOR_ROLLOUTS
    per = 2 * (1000 + PRIOR_ROLLOUTS * 500)
    assert work.tokens_per_problem(_at()) == per
    assert work.seconds_left(_at(), tokens_per_s=100.0) == pytest.approx((10 * per - 5000) / 100)
    # a smaller solution budget: fewer movable tokens, fewer rollouts; a rollout is at most its own budget
    small = RunWork(problems=10, trajectories=2, solution_tokens=64, rollout_tokens=20)
    assert small.tokens_per_problem(_at()) == 2 * (64 + prior_rollouts(64) * 20)
    # rollouts finished: their mean length, drawn towards the prior by LENGTH_PRIOR_WEIGHT rollouts of it
    assert work.rollout_length(_at(rollouts=40, tokens=4000)) == pytest.approx((4000 + w * 500) / (40 + w))
    assert work.rollout_length(_at(rollouts=100_000, tokens=10**7)) == pytest.approx(100, rel=0.01)
    # searches started: the mean of their own priors replaces the fixed one, their solutions' mean length the
    # budget's
    started = _at(rollouts=40, tokens=4000, searches=4, prior=1000.0, solutions=4 * 300)
    assert work.rollout_length(started) == pytest.approx((4000 + w * 150) / (40 + w))
    assert work.tokens_per_problem(started) == pytest.approx(2 * (1000 + 250 * work.rollout_length(started)))
    # problems finished: decoded tokens per problem, each one in flight counted half done
    assert work.tokens_per_problem(_at(2, 4, 80_000, 40, 4000, 4, 1000.0)) == 80_000 / 4
    assert work.seconds_left(_at(2, 4, 80_000, 40, 4000), tokens_per_s=200.0) == pytest.approx((200_000 - 80_000) / 200)
    assert work.seconds_left(_at(10, 0, 80_000, 40, 4000), tokens_per_s=200.0) == 0.0  # done: nothing left
    assert work.seconds_left(_at(decoded=0), tokens_per_s=0.0) is None  # no speed yet


def test_the_speed_is_counted_from_the_first_decode_step_after_a_warm_up():
    """The demo's first second is the prompts' prefill (6 tokens decoded by 0.9 s): counted in, its speed of
    7 tok/s showed 18 hours left of a 4-minute run. Its first minute decodes the solutions, few rows a step."""
    speed = DecodeSpeed(warmup_s=3.0)
    assert speed(0.5, 0) == 0.0  # prefill: nothing decoded
    assert speed(0.9, 6) == 0.0  # the first decode step: the clock starts here
    assert speed(3.0, 150) == 0.0  # warming up
    assert speed(5.9, 356) == pytest.approx(350 / 5.0)  # from the first step (0.9 s), not from 0
    # a slow start (the solutions: few rows a step) is forgotten: the later half of the decoding so far
    decoded = lambda t: 356 + 50 * (min(t, 50) - 6) + 200 * max(0, t - 50)  # noqa: E731
    for t in range(6, 101):
        speed(t, decoded(t))
    assert speed(101, decoded(101)) == pytest.approx(200)
    work, fresh = RunWork(1, 1, 10, 10), DecodeSpeed(warmup_s=3.0)
    assert format_eta(work.seconds_left(_at(decoded=6), fresh(1.0, 6)), True) == "ETA ?"
    assert format_eta(work.seconds_left(_at(decoded=400), fresh(6.0, 400)), True) != "ETA ?"


def test_the_prior_grows_with_the_square_root_of_the_tokens_that_could_be_pivots():
    """prior_rollouts(M) = PRIOR_SCALE sqrt(M) (its scale is measured on the real model). On simulated
    trajectories of 20-500 tokens (hard) and 1k-4k (long) the defaults spend 2-2.5x more rollouts on the long ones;
    the prior follows: its ratio to the rollouts spent is alike on both (measured 1.45-1.67 on seeds 0-2), where
    any constant is off by the 2-2.5x. (Per trajectory sqrt(M) explains little: the spread of log rollouts around
    it is 0.8-1.0x the spread around a constant.)"""
    from ptsfast.mining import find_pivots
    from ptsfast.mining.search import movable
    from ptsfast.mining.simulate import POPULATIONS, SimSampler, population, variants

    assert prior_rollouts(0) == prior_rollouts(1) == PRIOR_SCALE and prior_rollouts(100) == 10 * PRIOR_SCALE
    spent, prior = {}, {}
    for name, n in (("hard", 40), ("long", 10)):
        sims = population(POPULATIONS[name], 0, n)
        results = [r for r in find_pivots([s.traj for s in sims.values()], SimSampler(sims),
                                          variants()["ptsfast defaults"]) if r.kept and r.rollouts]
        assert len(results) >= n // 2
        spent[name] = sum(r.rollouts for r in results) / len(results)
        prior[name] = sum(prior_rollouts(movable(sims[r.key].traj.solution_logprobs, 0.2)[-1])
                          for r in results) / len(results)
    assert spent["long"] > 1.8 * spent["hard"]
    under = {name: spent[name] / prior[name] for name in spent}
    assert 0.75 < under["long"] / under["hard"] < 1.33, under


def test_format():
    assert format_eta(None, True) == "ETA ?"
    assert format_eta(3725.2, True) == "ETA ~1h02m"
    assert format_eta(245, False) == "ETA 4m05s"


def test_mine_shows_tokens_per_second_and_a_time_left_before_the_first_problem_finishes(tmp_path, monkeypatch):
    """``ptsfast mine``'s bar (mine(progress=True)): every progress report has tok/s and an ETA, the first ones
    (no problem finished yet) marked as resting on the prior, from the second decode step on."""
    import ptsfast.pipeline.run as run
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions, mine
    from ptsfast.problems.loading import Problem

    shown: list[str] = []

    class Bar:
        def update(self, n): ...
        def set_postfix_str(self, text): shown.append(text)
        def close(self): ...

    real = run.run_problems
    monkeypatch.setattr(run, "progress_bar", lambda total, enabled: Bar())
    monkeypatch.setattr(run, "DecodeSpeed", lambda: DecodeSpeed(warmup_s=0.0))  # a tiny run is over in a second
    monkeypatch.setattr(run, "run_problems", lambda *a, **kw: real(*a, **kw, progress_interval=0.0))  # every step
    problems = [Problem(f"q{i}", f"w{5 + i} w9") for i in range(2)]
    mine(tiny_model("llama", seed=3), tiny_tokenizer(), problems, tmp_path, MineOptions(
        use_chat_template=False, max_new_tokens=6, engine=EngineConfig(num_blocks=256)),
        oracle=lambda text, p: len(text) % 2 == 0, progress=True)
    assert shown and all("tok/s=" in t and "ETA " in t for t in shown)
    assert "ETA ?" in shown[0]  # before the second decode step the speed is not known
    assert "ETA ~" in shown[1] and "ETA ?" not in shown[-1]
