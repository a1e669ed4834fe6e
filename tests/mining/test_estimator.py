"""Memo counting (reuse, alternatives, forced rollouts), the gap decisions and the filter."""

import random

from synth import BernoulliSampler, build

from ptsfast.mining import (
    EstimatorConfig, FilterConfig, MiningConfig, PairConfig, RolloutOutcome, Trajectory, find_pivots,
)
from ptsfast.mining.estimator import Judge, Memo, derive_seed
from ptsfast.mining.types import Estimate

SOL = (10, 11, 12, 13, 14)


def O(tokens, ok=True, error=None):
    return RolloutOutcome(tuple(tokens), ok, error)


def test_reuse_counts_every_matching_prefix_and_first_deviation():
    m = Memo(SOL, final=1.0)
    touched = m.ingest(1, (), [O([11, 12, 99, 5], True)])
    assert touched == [1, 2, 3]
    assert [(m.get(k).successes, m.get(k).trials) for k in (1, 2, 3, 4)] == [(1, 1), (1, 1), (1, 1), (0, 0)]
    assert m.alternatives(3) == {99: Estimate(1, 1)}
    assert m.reused == 2
    # a rollout that follows to the end never touches the exact p(L)
    m.ingest(3, (), [O([13, 14], False)])
    assert m.get(5).exact == 1.0 and (m.get(4).successes, m.get(4).trials) == (0, 1)
    # an oracle error is a failure
    m.ingest(0, (), [O([7], True, error="boom")])
    assert m.get(0) == Estimate(0, 1) and m.alternatives(0) == {7: Estimate(0, 1)}


def test_forced_rollouts_count_only_for_their_alternative():
    m = Memo(SOL, final=0.0)
    m.ingest(2, (77,), [O([12, 13], True), O([1], False)])  # continuation matching SOL is irrelevant
    assert m.get(2).trials == 0 and m.get(3).trials == 0
    assert m.alternatives(2) == {77: Estimate(1, 2)}


def test_reuse_off_counts_only_the_probe_position():
    m = Memo(SOL, final=1.0, reuse=False)
    m.ingest(0, (), [O([10, 11, 50], True), O([60], False)])
    assert m.get(0) == Estimate(1, 2) and m.get(1).trials == 0
    assert m.alternatives(0) == {60: Estimate(0, 1)} and m.alternatives(2) == {}
    assert m.reused == 0


def test_truncated_solution_estimates_p_L():
    m = Memo(SOL, final=None)
    m.ingest(3, (), [O([13, 14, 2], True)])
    assert m.get(5) == Estimate(1, 1)


def test_judge_sequential_decisions():
    j = Judge(EstimatorConfig(), 0.2)
    # exact sides: the pseudo-code's comparison
    assert j.decide(Estimate(exact=0.5), Estimate(exact=0.75), False) == "big"
    assert j.decide(Estimate(exact=0.5), Estimate(exact=0.69), True) == "small"
    # unknown side -> need rollouts on it
    assert j.decide(Estimate(), Estimate(exact=1.0), False) is None and j.wanted(Estimate(), Estimate(exact=1.0)) == [0]
    # p(0) ~ 0.5 vs exact 1.0: clearly big after one batch
    assert j.decide(Estimate(4, 8), Estimate(exact=1.0), False) == "big"
    # identical halves with lots of data: small
    assert j.decide(Estimate(32, 64), Estimate(33, 64), False) == "small"
    # a one-token jump is never accepted on thin data, even if large
    assert j.decide(Estimate(1, 8), Estimate(7, 8), True) is None
    assert j.wanted(Estimate(1, 8), Estimate(7, 8), True) == [0, 1]
    assert j.decide(Estimate(3, 16), Estimate(14, 16), True) == "big"
    # at the cap an undecided pivot is rejected (strict accept)
    assert j.decide(Estimate(32, 64), Estimate(45, 64), True) == "small"
    # fixed-N baseline: waits for N, then point estimate
    f = Judge(EstimatorConfig(fixed_rollouts=16), 0.2)
    assert f.decide(Estimate(4, 8), Estimate(exact=1.0), False) is None
    assert f.decide(Estimate(8, 16), Estimate(12, 16), True) == "big"


def test_seeds_are_stable_and_distinct():
    a = derive_seed(0, "k", 3, (), 1)
    assert a == derive_seed(0, "k", 3, (), 1)
    assert len({a, derive_seed(0, "k", 3, (), 2), derive_seed(1, "k", 3, (), 1), derive_seed(0, "k", 3, (5,), 1)}) == 4
    assert 0 <= a < 2**63


def _flat(key, p0, length=30, rng=None):
    rng = rng or random.Random(key)
    return build(key, [p0] * length + [1.0], rng)


def test_problem_filter():
    synths = {k: _flat(k, p0) for k, p0 in enumerate([0.05, 0.5, 0.97, 0.3])}
    trajs = [s.traj for s in synths.values()]
    cfg = MiningConfig(pairs=PairConfig(enabled=False))
    res = find_pivots(trajs, BernoulliSampler(synths), cfg)
    assert [r.kept for r in res] == [False, True, False, True]
    for r in res:
        assert r.p0.trials <= cfg.filter.max_rollouts and r.p0.lo <= r.p0.p <= r.p0.hi
        if not r.kept:
            assert r.pivots == [] and r.segments == []
    # disabled: everything is searched
    res = find_pivots(trajs, BernoulliSampler(synths), MiningConfig(filter=FilterConfig(enabled=False)))
    assert all(r.kept for r in res)
    # configurable range
    res = find_pivots(trajs, BernoulliSampler(synths), MiningConfig(filter=FilterConfig(p_min=0.0, p_max=0.4)))
    assert [r.kept for r in res] == [True, False, False, True]


def test_empty_solution_and_bad_sampler():
    import pytest

    t = Trajectory("e", "p", (), (), True)
    (r,) = find_pivots([t], lambda reqs: [[] for _ in reqs])
    assert r.pivots == [] and r.rollouts == 0
    t = Trajectory("x", "p", (1, 2, 3), (), True)
    with pytest.raises(ValueError, match="rollouts for a request"):
        find_pivots([t], lambda reqs: [[] for _ in reqs])
    with pytest.raises(ValueError, match="unique"):
        find_pivots([t, t], lambda reqs: [])
