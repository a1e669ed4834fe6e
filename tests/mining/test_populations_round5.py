"""The fifth red-team's populations (``simulate.EXTRA_POPULATIONS``: family, familymix) draw curves with the shape each
claims, and a problem's trajectories share one model of their prompt (``simulate.share_prompt``): the filter's
rollouts from the prompt, which every trajectory of the problem reads, came from one trajectory's model alone, so a
sibling's first token, a likely pivot, was read as left by all of them and the pivot rejected on their success rate
(family: 84.6% recall on seed 0, where fixed N=64 found 95%)."""

import math
import random
from dataclasses import replace

from ptsfast.mining import MiningConfig, find_pivots
from ptsfast.mining.simulate import (EXTRA_POPULATIONS, POPULATIONS, SimSampler, exact_pts, population, score,
                                     share_prompt)
from ptsfast.mining.types import ProbeRequest

GAP = 0.2
NEW = ("family", "familymix")


def draw(name, n=64, seed=0):
    return population(EXTRA_POPULATIONS[name], seed, n=n)


def groups(sims):
    out = {}
    for st in sims.values():
        out.setdefault(st.traj.problem_id, []).append(st)
    return list(out.values())


def test_new_populations_run_by_name_only():
    assert all(name in EXTRA_POPULATIONS and name not in POPULATIONS for name in NEW)


def test_family_is_eight_solutions_of_1_to_5_tokens_a_problem_with_pivots_on_first_tokens():
    sims = draw("family")
    assert {st.length for st in sims.values()} == {1, 2, 3, 4, 5}
    for group in groups(sims):
        assert len(group) == 8 and len({st.traj.prompt_ids for st in group}) == 1
        assert max(st.p[0] for st in group) - min(st.p[0] for st in group) < 1e-9
        assert 0.25 - 1e-9 <= min(group[0].p[0], 1 - group[0].p[0]) <= 0.5 + 1e-9
    first = [st for st in sims.values() if st.length > 1 and 0 in exact_pts(st.p, GAP, st.traj.solution_logprobs)]
    assert len(first) >= 20


def test_familymix_mixes_1_to_3_token_solutions_with_long_ones_in_each_problem():
    mixed = 0
    for group in groups(draw("familymix")):
        lengths = [st.length for st in group]
        assert len(group) == 8 and all(n <= 3 or n >= 20 for n in lengths)
        mixed += min(lengths) <= 3 < 20 <= max(lengths)
    assert mixed >= 6


def test_rollouts_from_a_shared_prompt_write_each_siblings_first_token_as_its_log_prob_says():
    """Whichever trajectory of the problem asks, the prompt's rollouts are drawn alike, and each trajectory's first
    token comes first as often as its log-prob says (the log-prob bound and the leave bound read it so)."""
    group = groups(draw("family", n=8))[0]
    sampler = SimSampler({st.traj.key: st for st in group})
    for asker in (group[0], group[-1]):
        out = sampler([ProbeRequest(asker.traj.key, 0, 4000, 7, ())])[0]
        for st in group:
            share = sum(o.tokens[:1] == st.traj.solution_ids[:1] for o in out) / len(out)
            assert abs(share - math.exp(st.traj.solution_logprobs[0])) < 0.03, (asker.traj.key, st.traj.key)
        success = sum(o.success for o in out) / len(out)
        assert abs(success - asker.p[0]) < 0.03
    a, b = group[0], group[1]
    assert abs(a.alt_p(0, b.traj.solution_ids[0]) - b.p[1]) < 1e-12  # a sibling's first token leads on its way


def test_share_prompt_keeps_a_lone_trajectory_and_gives_siblings_distinct_first_tokens():
    sims = list(population(POPULATIONS["hard"], 0, n=4).values())
    assert share_prompt(sims[:1], random.Random(0)) == sims[:1]
    first = sims[0].traj.solution_ids[0]
    same = [replace(s, traj=replace(s.traj, solution_ids=(first,) + s.traj.solution_ids[1:])) for s in sims]
    shared = share_prompt(same, random.Random(0))
    assert len({st.traj.solution_ids[0] for st in shared}) == len(shared)
    assert all(st.siblings is shared[0].siblings and len(st.siblings) == 4 for st in shared)


def test_family_recall_of_first_token_pivots():
    """Seed 0's 64 trajectories: every exact-PTS pivot of |Δ| >= 0.3 but the verdict step (84.6% before the prompt
    had one model; fixed N=64 95%)."""
    sims = draw("family")
    config = MiningConfig(gap=GAP, seed=0)
    results = find_pivots([st.traj for st in sims.values()], SimSampler(sims), config)
    sc = score("ptsfast defaults", sims, results, config)
    found, total = sc.recall["hi"]
    assert total >= 30 and found >= 0.95 * total, (found, total)


def test_atgap_cuts_every_solution_and_puts_every_pivot_within_0_08_above_the_gap():
    sims = draw("atgap", n=30)
    sizes = []
    for st in sims.values():
        assert st.traj.correct is None and st.length == 300
        d = st.design
        moves = [abs(d[k + 1] - d[k]) for k in range(st.length) if abs(d[k + 1] - d[k]) > 1e-12]
        assert 1 <= len(moves) <= 4 and all(GAP + 0.02 - 1e-9 <= m <= GAP + 0.08 + 1e-9 for m in moves)
        sizes += [abs(st.delta(i)) for i in exact_pts(st.p, GAP, st.traj.solution_logprobs)]
    assert len(sizes) >= 15 and max(sizes) < GAP + 0.1
