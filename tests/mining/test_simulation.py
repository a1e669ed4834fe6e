"""The statistics benchmark's simulator and absolute bounds on a seeded hard population.

The population (``ptsfast.mining.simulate.hard_population``) has near-gap non-pivots, several pivots per
solution, pivots at both ends, curves ending near their verdict, length-cut solutions and a token budget;
the reference is exact PTS on the true curves (an implementation independent of the search's). A smaller
budget and shorter solutions than the benchmark keep this test at a few seconds.
"""

import random

import pytest

from ptsfast.mining.estimator import Memo
from ptsfast.mining.simulate import (
    build_trajectory,
    design_curve,
    evaluate,
    hard_population,
    true_curve,
    variants,
)

GAP = 0.2


def test_simulator_is_consistent_and_honest():
    rng = random.Random(0)
    for length, cut in [(5, False), (40, False), (60, True)]:
        design = design_curve(rng, length, cut)
        st = build_trajectory("x", design, rng, budget=10**6, cut=cut)
        assert max(abs(a - b) for a, b in zip(st.p, st.design)) < 1e-9  # no budget: p is the designed curve
        assert st.traj.correct is (None if cut else bool(design[-1]))
    # with a tight budget the exact curve is what rollouts measure
    st = build_trajectory("y", design_curve(rng, 80, False), rng, budget=80)
    assert max(abs(a - b) for a, b in zip(st.p, st.design)) > 0.05  # the budget matters here
    for k in (0, 30, 79):
        n = 4000
        ok = sum(st.rollout(k, (), st.budget, rng).success for _ in range(n))
        assert abs(ok / n - st.p[k]) < 4 * (st.p[k] * (1 - st.p[k]) / n) ** 0.5 + 1e-3
    assert st.p == tuple(true_curve(st.follow, st.alt_q, st.alt_len, st.tail, st.traj.correct, st.budget))


def test_reuse_is_unbiased_under_a_budget():
    """A 60-token solution, budget 64: a rollout from i counted at j has spent j - i tokens. Counted
    with what it had left (budget-blind), p(10) comes out ~0.57 for a true 0.655; with the full budget
    (asked for budget + window tokens, cut at the budget from j) it is unbiased."""
    rng = random.Random(3)
    st = build_trajectory("toy", [0.7] * 60 + [1.0], rng, budget=64, flat_follow=[0.98] * 60)
    for aware in (True, False):
        m = Memo(st.traj.solution_ids, 1.0, True, 64 if aware else None)
        r = random.Random(5)
        limit = 64 + 64 if aware else 64
        for start in range(0, 21, 2):
            m.ingest(start, (), [st.rollout(start, (), limit, r) for _ in range(1500)], limit)
        for k in (10, 20):
            e, p = m.get(k), st.p[k]
            se = (p * (1 - p) / e.trials) ** 0.5
            if aware:
                assert abs(e.p - p) < 4 * se, (k, e, p)
            else:
                assert e.p < p - 8 * se, (k, e, p)  # the bias the budget-aware count removes


@pytest.fixture(scope="module")
def scores():
    sims = hard_population(150, seed=1, budget=256, max_len=200)
    rows = variants(256, GAP, seed=1)
    names = ("ptsfast defaults", "fixed N=16", "ptsfast, no confirmation", "ptsfast, budget-blind reuse")
    return {name: evaluate(name, sims, rows[name]) for name in names}


def test_defaults_meet_the_goals_on_a_hard_population(scores):
    s = scores["ptsfast defaults"]
    found, total = s.recall["hi"]
    assert total >= 80 and found / total >= 0.85, s.recall  # exact-PTS pivots with |Δ| >= gap + 0.1 (~0.9)
    flagged, positions = s.flags["0.05-0.10"]
    assert positions >= 100 and flagged / positions <= 0.02
    assert s.rate(s.flags, "<0.05") <= 0.001
    assert abs(s.bias) <= 0.03 and abs(s.near_gap_bias) <= 0.06  # fresh estimates: no selection bias
    assert s.coverage >= 0.9 and s.side_coverage >= 0.9  # reported 95% intervals
    assert abs(s.cut_bias) <= 0.03  # budget-aware reuse (what is left is the sequential design's)


def test_the_bounds_catch_what_existing_tools_get_wrong(scores):
    """The same checks fail for fixed N=16 (recall, selection bias), without confirmation (selection
    bias of the reported Δ near the gap) and with budget-blind reuse (p biased down where the budget
    cuts rollouts)."""
    fixed = scores["fixed N=16"]
    assert fixed.rate(fixed.recall, "hi") <= 0.7 and fixed.near_gap_bias >= 0.1
    assert scores["ptsfast, no confirmation"].near_gap_bias >= 0.04
    blind, aware = scores["ptsfast, budget-blind reuse"].cut_bias, scores["ptsfast defaults"].cut_bias
    assert blind <= -0.03 and aware >= blind + 0.025
    ours, theirs = scores["ptsfast defaults"], fixed
    assert ours.rate(ours.recall, "hi") >= theirs.rate(theirs.recall, "hi") + 0.25


def test_simulate_command(tmp_path, capsys):
    import json

    from ptsfast.cli import main

    out = tmp_path / "scores.json"
    rows = ["ptsfast defaults", "fixed N=32"]
    assert main(["simulate", "--trajectories", "12", "--budget", "96", "--quiet", "--rows", *rows, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("| method") and text.count("\n| ") == 2  # the two rows under the header
    assert "recall ≥0.30" in text and "rollouts/traj ≤ fixed N=32" in text
    assert [s["name"] for s in json.loads(out.read_text())] == rows
    assert main(["simulate", "--trajectories", "2", "--rows", "nope"]) == 2
    assert "unknown rows" in capsys.readouterr().err
