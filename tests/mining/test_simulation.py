"""The statistics benchmark's simulator (also the mining tests' model) and absolute bounds on seeded hard populations.

The populations (``ptsfast.mining.simulate.POPULATIONS``) have near-gap non-pivots, several pivots per solution,
pivots at both ends, cancelling jumps, alike alternatives, answers before the end of cut rollouts and a token
budget; the reference is exact PTS on the true curves (an implementation independent of the search's). Smaller
populations than the benchmark keep this test at some seconds.
"""

import random

import pytest

from ptsfast.mining.estimator import Memo
from ptsfast.mining.simulate import (
    POPULATIONS,
    build_trajectory,
    design_curve,
    evaluate,
    hold_chance,
    population,
    true_curve,
    variants,
)

GAP = 0.2


def test_simulator_is_consistent_and_honest():
    rng = random.Random(0)
    for length, cut in [(5, False), (40, False), (60, True)]:
        design = design_curve(rng, length, cut)
        st = build_trajectory("x", design, rng, budget=10**6, cut=cut, alternatives=(1, 5))
        assert max(abs(a - b) for a, b in zip(st.p, st.design)) < 1e-9  # no budget: p is the designed curve
        assert st.traj.correct is (None if cut else bool(design[-1]))
    # with a tight budget the exact curve is what rollouts measure, alternatives too
    st = build_trajectory("y", design_curve(rng, 80, False, "cancel"), rng, budget=80, alternatives=(2, 4), trailer=0.2)
    assert max(abs(a - b) for a, b in zip(st.p, st.design)) > 0.05  # the budget matters here
    n = 4000
    for k in (0, 30, 79):
        ok = sum(st.rollout(k, (), st.budget, rng).success for _ in range(n))
        assert abs(ok / n - st.p[k]) < 4 * (st.p[k] * (1 - st.p[k]) / n) ** 0.5 + 1e-3
        tok = st.alt_token(k, 1)
        ok = sum(st.rollout(k, (tok,), st.budget, rng).success for _ in range(n))
        q = st.alt_p(k, tok)
        assert abs(ok / n - q) < 4 * (q * (1 - q) / n) ** 0.5 + 1e-3
    assert st.p == tuple(true_curve(st.follow, st.alt_q, st.alt_len, st.tail, st.traj.correct, st.budget))
    # rollouts asked for more than the budget carry the verdicts of their cuts: sometimes the answer fits
    outs = [st.rollout(0, (), st.budget + 20, rng) for _ in range(2000)]
    cuts = [o.cut_success for o in outs if o.cut_success]
    assert cuts and any(any(c) for c in cuts) and any(not all(c) for c in cuts)
    assert all(len(o.cut_success) == max(0, len(o.tokens) - st.budget) for o in outs)


def test_long_population_is_long_and_mostly_near_deterministic():
    sims = population(POPULATIONS["long"], 0, n=3)
    for st in sims.values():
        assert 1000 <= st.length <= 4096 and st.budget == 4096
        low = sum(f < 0.9 for f in st.follow) / st.length
        assert 0.02 < low < 0.15  # rare low-probability tokens spread along the trace


def test_populations_not_tuned_on_hold_what_they_name():
    from ptsfast.mining.simulate import EXTRA_POPULATIONS, exact_pts

    def pivots(name):
        sims = population(EXTRA_POPULATIONS[name], 0, n=40)
        return sims, [(st, exact_pts(st.p, 0.2)) for st in sims.values()]

    def adjacent(name):  # trajectories with exact-PTS pivots on consecutive tokens
        return sum(any(b - a == 1 for a, b in zip(ps, ps[1:])) for _, ps in pivots(name)[1])

    def ramps(name):  # runs of small same-way steps that add up past the gap
        n = 0
        for st in pivots(name)[0].values():
            small = [k for k in range(st.length - 1) if 0.005 < abs(st.design[k + 1] - st.design[k]) < 0.035]
            n += len(small) >= 8 and abs(st.design[small[-1] + 1] - st.design[small[0]]) > 0.2
        return n

    assert adjacent("adjacent") >= 3 * adjacent("drift") > 0  # (9 and 3 of 40)
    count = {name: sum(len(ps) for _, ps in pivots(name)[1]) for name in ("dense", "drift")}
    assert count["dense"] > 2 * count["drift"]  # (88 and 37 pivots)
    assert ramps("drift") >= 20 and ramps("dense") == 0  # (31 of 40)


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
    rows = variants(GAP, seed=1)
    sims = population(POPULATIONS["cancel"], 1, n=120)
    out = {name: evaluate(name, sims, rows[name], "cancel")
           for name in ("ptsfast defaults", "fixed N=16", "ptsfast, no confirmation",
                        "ptsfast, reports deciding counts")}
    out["alike"] = evaluate("ptsfast defaults", population(POPULATIONS["alike"], 1, n=60), rows["ptsfast defaults"])
    return out


def test_defaults_meet_the_bounds_on_hard_populations(scores):
    s = scores["ptsfast defaults"]
    found, total = s.recall["hi"]
    assert total >= 80 and found / total >= 0.9, s.recall  # interior exact-PTS pivots with |Δ| >= gap + 0.1
    assert s.rate(s.flags, "<0.05") <= 0.001
    assert s.confirmed >= 100 and s.low_share <= 0.03  # confirmed pivots far below the gap
    assert s.confirmed_below_gap == 0  # no confirmed pivot reports a Δ below the gap
    assert abs(s.reported_bias) <= 0.02 and abs(s.bias) <= 0.02  # a fresh batch that decided nothing
    assert s.coverage >= 0.9 and s.side_coverage >= 0.9  # reported 95% intervals
    assert abs(s.cut_bias) <= 0.03  # budget-aware reuse, with answers inside cut rollouts
    for pairs in (s, scores["alike"]):  # fresh numbers: no winner's curse, also when the alternatives are alike
        assert len(pairs.pair_margins) >= 40 and pairs.pair_precision >= 0.95 and abs(pairs.pair_bias) <= 0.04


def test_the_bounds_catch_what_existing_tools_get_wrong(scores):
    """The same checks fail for fixed N=16 (recall, selection bias of the reported Δ) and without the
    confirmation (pivots far below the gap reported)."""
    fixed, ours, bare = scores["fixed N=16"], scores["ptsfast defaults"], scores["ptsfast, no confirmation"]
    assert fixed.rate(fixed.recall, "hi") <= 0.75 and fixed.near_gap_bias >= 0.1
    assert ours.rate(ours.recall, "hi") >= fixed.rate(fixed.recall, "hi") + 0.2
    assert bare.low_share >= ours.low_share + 0.01


def test_hold_chance_is_the_chance_a_fresh_re_estimate_reaches_the_gap():
    """Exact from the binomials: against a Monte Carlo of the real-model check's rule, and its edges."""
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(0)
    for before, after, sign, exact in [(0.4, 0.6, 1, False), (0.7, 0.45, -1, False), (0.9, 0.62, -1, False),
                                       (0.3, 0.0, -1, True), (0.05, 0.31, 1, False)]:
        a = rng.binomial(128, before, 200_000) / 128
        b = np.full(200_000, after) if exact else rng.binomial(128, after, 200_000) / 128
        assert hold_chance(before, after, sign, GAP, exact_after=exact) == pytest.approx(
            float((sign * (b - a) >= GAP - 1e-9).mean()), abs=0.005)
    assert hold_chance(0.5, 1.0, 1, GAP, exact_after=True) > 0.999  # p(L) known: only p(i) is drawn
    assert hold_chance(0.2, 0.6, -1, GAP) < 1e-12  # the wrong direction (nearly) never holds
    assert hold_chance(0.0, 0.2, 1, GAP) == pytest.approx(0.5, abs=0.06)  # exactly at the gap: a coin flip


def test_confirmed_pivots_hold_on_fresh_rollouts_more_often_than_fixed_n(scores):
    """What a user re-estimating the records sees: the defaults' confirmed pivots hold on 128 fresh rollouts a
    side far more often than fixed N=16's reported ones, and more often than the undecided ones."""
    ours, fixed = scores["ptsfast defaults"], scores["fixed N=16"]
    assert len(ours.holds["confirmed"]) == ours.confirmed and len(fixed.holds["confirmed"]) == fixed.confirmed
    assert ours.hold_rate() >= 0.95 and ours.hold_rate() >= ours.hold_rate("undecided") + 0.05
    assert ours.hold_rate() >= fixed.hold_rate() + 0.1
    both = ours + scores["alike"]
    assert len(both.holds["confirmed"]) == ours.confirmed + scores["alike"].confirmed


def test_the_report_batch_removes_the_bias_of_the_deciding_counts(scores):
    """Reported from the counts that decided (a sequential test that stops where Δp looks big, read where it
    cleared a bound), confirmed pivots overstate Δp by some 0.04; from a batch that decided nothing, they do not."""
    ours, old = scores["ptsfast defaults"], scores["ptsfast, reports deciding counts"]
    assert old.bias >= 0.03 and old.reported_bias >= 0.015
    assert abs(ours.bias) <= 0.02 and abs(ours.reported_bias) <= 0.02
    assert ours.confirmed_below_gap == old.confirmed_below_gap == 0


def test_simulate_command(tmp_path, capsys):
    import json

    from ptsfast.cli import main

    out = tmp_path / "scores.json"
    rows = ["ptsfast defaults", "fixed N=64"]
    assert main(["simulate", "--populations", "hard", "--seeds", "0", "1", "--scale", "0.05", "--quiet",
                 "--rows", *rows, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("| population") and text.count("\n| hard") == 2  # the two rows under the header
    assert "recall ≥0.30" in text and "rollouts/traj ≤ fixed N=64" in text
    got = json.loads(out.read_text())
    assert [s["name"] for s in got] == rows and len(got[0]["recall_seeds"]) == 2
    assert main(["simulate", "--populations", "nope"]) == 2
    assert "unknown rows or populations" in capsys.readouterr().err
    for flag, value in (("--gap", "2"), ("--scale", "0"), ("--scale", "nan")):
        assert main(["simulate", "--populations", "hard", flag, value]) == 2
        err = capsys.readouterr().err
        assert flag in err and f"{float(value)}: use" in err, err


def test_flag_rate_buckets_have_no_negative_edge_at_small_gaps():
    import re

    from ptsfast.mining.simulate import buckets

    for gap in (0.05, 0.1, 0.2, 0.3):
        edges = [b for lo, hi, _ in buckets(gap) for b in (lo, hi)]
        assert min(edges) == 0.0 and edges == sorted(edges) and len(buckets(gap)) == 7
        assert not any(re.search(r"(?:^|[<≥-])-", label) for _, _, label in buckets(gap))  # "<-0.05", "-0.05-0.00"
    assert [label for _, _, label in buckets(0.2)] == ["<0.05", "0.05-0.10", "0.10-0.15", "0.15-0.20", "0.20-0.25",
                                                      "0.25-0.30", "≥0.30"]
