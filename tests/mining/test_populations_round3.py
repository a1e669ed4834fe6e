"""The third red-team's populations (``simulate.EXTRA_POPULATIONS``: rebound, mathy, neargapmath, rarealt, longearly,
shared, lastjump, nologprobs, and cap / neargap drawn around gaps of 0.15 and 0.25) draw curves with the shape each
claims: a claim that silently stopped holding would leave their recall numbers measuring something else. 30
trajectories of seed 0 each (longearly: 10); designs (budget-free curves) are read where the claim is about the
design."""

import math

from ptsfast.mining.simulate import EXTRA_POPULATIONS, POPULATIONS, exact_pts, population

GAP = 0.2
NEW = ("rebound", "mathy", "neargapmath", "rarealt", "longearly", "shared", "lastjump", "nologprobs", "cap15", "cap25",
       "neargap15", "neargap25")


def draw(name, n=30):
    return list(population(EXTRA_POPULATIONS[name], 0, n=n).values())


def steps(st, lo=1e-12):
    """Designed steps (k, Δ) of a trajectory with |Δ| >= lo, its verdict step included."""
    d = st.design
    return [(k, d[k + 1] - d[k]) for k in range(st.length) if abs(d[k + 1] - d[k]) >= lo]


def test_new_populations_run_by_name_only():
    assert all(name in EXTRA_POPULATIONS and name not in POPULATIONS for name in NEW)


def test_rebound_jumps_near_0_or_1_then_returns_slowly():
    sims = draw("rebound")
    found = 0
    for st in sims:
        d = st.design
        for k, dk in steps(st, 0.24):
            if k >= st.length - 1 or min(d[k + 1], 1 - d[k + 1]) > 0.06 + 1e-9:
                continue
            after = [(k2, dk2) for k2, dk2 in steps(st) if k < k2 < min(k + 121, st.length - 1)]
            back = [dk2 for _, dk2 in after if abs(dk2) <= 0.02 + 1e-9 and dk2 * dk < 0]  # toward the middle
            if len(back) >= 5 and abs(sum(back)) >= 0.05:
                found += 1
                assert all(abs(dk2) < GAP for _, dk2 in after if abs(dk2) <= 0.02 + 1e-9)
                break
    assert found >= 0.7 * len(sims)


def test_mathy_has_many_unlikely_tokens_that_are_no_pivots():
    for name in ("mathy", "neargapmath"):
        sims = draw(name)
        shares = []
        for st in sims:
            flat = [k for k in range(st.length) if abs(st.design[k + 1] - st.design[k]) < 1e-12]
            unlikely = [k for k in flat if st.follow[k] <= 0.2 + 1e-9]
            shares.append(len(unlikely) / max(1, len(flat)))
            pivots = set(exact_pts(st.p, GAP, st.traj.solution_logprobs))
            assert not pivots.intersection(unlikely)
        assert 0.3 < sum(shares) / len(shares) < 0.5


def test_rarealt_pivots_have_rare_alternatives_one_or_two_of_them_level_with_p():
    sims = draw("rarealt")
    big = decoyed = two = 0
    for st in sims:
        for k, dk in steps(st, 0.3 - 1e-9):
            if k == st.length - 1:
                continue
            big += 1
            alts = st.alt_q[k]
            level = [q for q in alts if abs(q - st.design[k]) <= 0.04 + 1e-9]
            sides = {math.copysign(1.0, q - st.design[k]) * math.copysign(1.0, dk) for q in level if q != st.design[k]}
            rare = (1 - st.follow[k]) / len(alts) <= 0.17  # each alternative written at most 17% of the time
            decoyed += len(alts) >= 5 and len(level) >= 1 and rare
            two += len(level) >= 2 and sides == {-1.0, 1.0}
            assert abs(sum(alts) / len(alts) - (st.design[k] - st.follow[k] * st.design[k + 1]) / (1 - st.follow[k])) \
                < 1e-6 or min(alts) in (0.0, 1.0) or max(alts) in (0.0, 1.0)
    assert big >= 30 and decoyed >= 0.7 * big and two >= 0.25 * big


def test_longearly_pivots_come_early_and_the_budget_cuts_rollouts():
    sims = draw("longearly", n=10)
    assert all(st.length >= 1000 for st in sims)
    early = sum(any(abs(dk) >= 0.3 - 1e-9 and k < st.length // 8 for k, dk in steps(st)) for st in sims)
    shrunk = sum(st.design[0] - st.p[0] > 0.03 for st in sims)  # answers past the budget lower p(0)
    assert early >= 0.9 * len(sims) and shrunk >= 0.5 * len(sims)


def test_shared_problems_have_two_trajectories_with_one_p0_at_the_filters_bounds():
    sims = draw("shared")
    by_problem = {}
    for st in sims:
        by_problem.setdefault(st.traj.problem_id, []).append(st)
    assert len(by_problem) == len(sims) // 2 and all(len(v) == 2 for v in by_problem.values())
    for pair in by_problem.values():
        assert pair[0].traj.prompt_ids == pair[1].traj.prompt_ids
        assert abs(pair[0].p[0] - pair[1].p[0]) < 1e-9  # the prompt's p(0): one for the problem
        assert min(abs(pair[0].p[0] - 0.2), abs(pair[0].p[0] - 0.8)) <= 0.03 + 1e-9


def test_lastjump_pivots_sit_on_the_last_interior_token():
    sims = draw("lastjump")
    cut = sum(st.traj.correct is None for st in sims)
    last = sum(abs(st.design[k + 1] - st.design[k]) >= 0.24 for st in sims
               for k in [st.length - 1 if st.traj.correct is None else st.length - 2])
    assert cut >= 5 and last >= 0.8 * len(sims)


def test_gap_variants_draw_their_steps_around_their_gap():
    for name, gap in (("cap15", 0.15), ("cap25", 0.25)):
        near = [abs(dk) for st in draw(name) for k, dk in steps(st) if k < st.length - 1]
        assert sum(gap - 0.04 - 1e-9 <= x <= gap + 0.04 + 1e-9 for x in near) >= 60
        assert EXTRA_POPULATIONS[name].gap == gap
    for name, gap in (("neargap15", 0.15), ("neargap25", 0.25)):
        big = [abs(dk) for st in draw(name) for k, dk in steps(st, gap - 1e-9) if k < st.length - 1]
        assert sum(x <= gap + 0.08 + 1e-9 for x in big) >= 0.6 * len(big) and len(big) >= 40


def test_nologprobs_solutions_come_without_log_probs():
    sims = draw("nologprobs")
    assert all(st.traj.solution_logprobs == () for st in sims)
    assert sum(any(abs(dk) >= 0.3 - 1e-9 for k, dk in steps(st) if k < st.length - 1) for st in sims) >= 0.5 * len(sims)


def test_a_segment_whose_ends_share_no_rollout_gets_the_key_cap():
    # mathy's unlikely tokens stop every rollout crossing them: a segment over one has no paired interval and nothing
    # inside to look at, and at a cap of 32 a side it dropped pivots of 0.30-0.36 read 0.2-0.3 low (neargapmath's
    # worst seed 93.8%); it samples on to the key cap instead, as a segment with shared rollouts does not need to
    from ptsfast.mining.estimator import GapTest, Memo
    from ptsfast.mining.types import Estimate, EstimatorConfig, RolloutOutcome

    sol = tuple(range(10, 40))
    m = Memo(sol, final=None)
    m.ingest(3, (), [RolloutOutcome((5,), k < 16) for k in range(32)])  # each leaves the solution at once
    m.ingest(20, (), [RolloutOutcome((5,), k < 19) for k in range(32)])
    j = GapTest(EstimatorConfig(), GAP)
    a, b, none = m.get(3), m.get(20), m.shared(3, 20)
    assert none[0] == 0 and j.key_level(3, 20, a, b, none) == 1 and j.cap_for(1) == 64
    assert j.decide(a, b, False, none, j.key_level(3, 20, a, b, none)) is None  # 0.094 at 32 a side: more rollouts
    assert j.decide(a, b, False, none, j.key_level(3, 20, a, b)) == "small"  # what the cap of 32 decided
    some = (4, 2, 2, 2)  # rollouts counted at both ends: the paired interval and the inside look can read them
    assert j.key_level(3, 20, a, b, some) == 0
    assert GapTest(EstimatorConfig(reuse=False), GAP).key_level(3, 20, a, b, none) == 0  # no reuse: no segment shares
