"""The populations a red-team added for shapes real traces have (``simulate.EXTRA_POPULATIONS``) draw curves with the
property each claims: a claim that silently stopped holding would leave its recall numbers measuring something else.
Designs (budget-free curves) are read where the claim is about the design; 30 trajectories of seed 0 each."""

import math

from ptsfast.mining.search import BOUND_SLACK
from ptsfast.mining.simulate import EXTRA_POPULATIONS, exact_pts, population

GAP = 0.2


def draw(name, n=30):
    return list(population(EXTRA_POPULATIONS[name], 0, n=n).values())


def steps(st):
    """Designed steps (k, Δ) of a trajectory, its verdict step included."""
    d = st.design
    return [(k, d[k + 1] - d[k]) for k in range(st.length) if abs(d[k + 1] - d[k]) > 1e-12]


def test_edges_has_pivots_on_the_first_and_last_tokens():
    sims = draw("edges")
    first = sum(abs(st.design[1] - st.design[0]) >= 0.3 - 1e-9 for st in sims)
    cut_end = sum(any(abs(dk) >= 0.3 - 1e-9 and k >= st.length - 3 for k, dk in steps(st))
                  for st in sims if st.traj.correct is None)
    cut = sum(st.traj.correct is None for st in sims)
    assert first >= 0.8 * len(sims) and cut >= 8 and cut_end >= 0.6 * cut


def test_short_solutions_are_short_with_a_pivot():
    sims = draw("short")
    assert all(2 <= st.length <= 15 and st.traj.correct is not None for st in sims)
    pivot = [any(abs(dk) >= 0.3 - 1e-9 and k < st.length - 1 for k, dk in steps(st)) for st in sims]
    assert sum(pivot) >= 0.8 * len(sims)


def test_bounds_start_at_the_filters_bounds_and_sit_near_0_or_1():
    sims = draw("bounds")
    assert all(min(abs(st.design[0] - 0.2), abs(st.design[0] - 0.8)) <= 0.03 + 1e-9 for st in sims)
    near = sum(sum(min(x, 1 - x) <= 0.06 for x in st.design[:-1]) > 0.5 * st.length for st in sims)
    assert near >= 0.4 * len(sims)
    assert sum(any(abs(dk) >= 0.3 - 1e-9 for k, dk in steps(st) if k < st.length - 1) for st in sims) >= 0.9 * len(sims)


def test_movable_tokens_are_most_tokens():
    sims = draw("movable")
    share = [sum(1 - f >= GAP - BOUND_SLACK for f in st.follow) / st.length for st in sims]
    assert sum(share) / len(share) > 0.8  # the log-prob bound drops next to nothing


def test_opposite_jumps_cancel_exactly_on_the_next_token():
    sims = draw("opposite")
    pairs = sum(any(abs(st.design[k + 1] - st.design[k]) >= 0.3 - 1e-9 and abs(st.design[k + 2] - st.design[k]) < 1e-12
                    for k in range(st.length - 1)) for st in sims)
    assert pairs >= 0.8 * len(sims)


def test_substairs_add_up_to_gaps_without_a_pivot():
    sims = draw("substairs")
    found = 0
    for st in sims:
        small = [(k, dk) for k, dk in steps(st) if 0.12 - 1e-9 <= abs(dk) <= 0.19 + 1e-9]
        run = [small[0]] if small else []
        for prev, cur in zip(small, small[1:]):
            same = cur[0] - prev[0] <= 8 and (cur[1] > 0) == (prev[1] > 0)
            run = run + [cur] if same else [cur]
            if len(run) >= 3 and abs(sum(d for _, d in run)) >= 1.8 * GAP:
                found += 1
                pivots = set(exact_pts(st.design, GAP))
                assert not pivots.intersection(k for k, _ in run)  # no stair step is a pivot of exact PTS
                break
    assert found >= 0.6 * len(sims)


def test_level_alternatives_sit_level_with_p_on_both_sides():
    sims = draw("level")
    near, same_side, total = 0, 0, 0
    for st in sims:
        for k, dk in steps(st):
            if abs(dk) < 0.3 - 1e-9 or k == st.length - 1:
                continue
            sign = math.copysign(1.0, dk)
            for q in st.alt_q[k]:
                total += 1
                near += abs(q - st.design[k]) <= 0.1
                same_side += sign * (q - st.design[k]) >= 0  # no pair with it: it moves p the pivot's way
    assert total >= 100 and near == total and 0.15 < same_side / total < 0.6


def test_stop_tokens_are_pivots_and_pivots_come_just_before_them():
    sims = draw("stop")
    assert all(st.traj.correct is not None for st in sims)
    last = sum(abs(st.design[-1] - st.design[-2]) >= 0.3 for st in sims)
    before = sum(any(abs(dk) >= 0.3 - 1e-9 and st.length - 7 <= k < st.length - 1 for k, dk in steps(st))
                 for st in sims)
    assert last >= 0.4 * len(sims) and before >= 0.9 * len(sims)


def test_longroll_rollouts_run_past_the_budget():
    sims = draw("longroll")
    assert all(st.alt_len[k] == (100, 800) for st in sims for k in range(st.length))
    shrunk = sum(max(abs(a - b) for a, b in zip(st.p, st.design)) > 0.1 for st in sims)  # cut verdicts move p
    assert shrunk >= 0.8 * len(sims) and all(st.length <= 150 or st.traj.correct is None for st in sims)
