"""find_pivots: one sampler call per BFS round across all trajectories, hooks, determinism."""

import random
import subprocess
import sys

import pytest

from ptsfast.mining.simulate import SimSampler, from_curve, step_curve
from ptsfast.mining import MiningConfig, find_pivots


def _population(n=6, seed=11):
    rng = random.Random(seed)
    return {f"t{k}": from_curve(f"t{k}", step_curve(rng, rng.randrange(20, 60), 2, p0=0.5), rng) for k in range(n)}


def test_one_sampler_call_per_round_across_trajectories():
    synths = _population()
    sampler = SimSampler(synths, record=True)
    finished, progress = {}, []
    res = find_pivots(
        [s.traj for s in synths.values()], sampler, MiningConfig(),
        on_result=lambda r: finished.setdefault(r.key, len(sampler.calls)),
        on_progress=progress.append,
    )
    rounds = {r.key: r.rounds for r in res}
    # every call carries a request of every trajectory still running, and nothing of finished ones
    assert len(sampler.calls) == max(rounds.values())
    for c, call in enumerate(sampler.calls):
        keys = {q.key for q in call}
        assert keys == {k for k, n in rounds.items() if n > c}
        assert len(call) == len({(q.key, q.position, q.forced) for q in call})  # no duplicate probes
    assert len(sampler.calls[0]) == len(synths)  # round 1: p(0) of every trajectory, in one call
    assert max(len({q.key for q in call}) for call in sampler.calls) == len(synths)
    # the frontier of a level goes out together: some round asks one trajectory for several positions
    assert max(sum(q.key == k for q in call) for call in sampler.calls for k in synths) >= 2
    # on_result fires as soon as a trajectory is done: no later call mentions it
    assert set(finished) == set(synths)
    for key, at in finished.items():
        assert all(q.key != key for call in sampler.calls[at:] for q in call)
    # progress counters
    assert progress[-1].rollouts == sum(r.rollouts for r in res) == sum(q.n for c in sampler.calls for q in c)
    assert progress[-1].trajectories_done == len(synths) and progress[-1].pivots == sum(len(r.pivots) for r in res)
    assert [p.rollouts for p in progress] == sorted(p.rollouts for p in progress)
    assert [r.key for r in res] == list(synths)
    assert all(r.probes > 0 and r.rollouts > 0 for r in res)


def test_deterministic_given_the_sampler():
    synths = _population(4, seed=5)
    a = [r.to_dict() for r in find_pivots([s.traj for s in synths.values()], SimSampler(synths, record=True))]
    b = [r.to_dict() for r in find_pivots([s.traj for s in synths.values()], SimSampler(synths, record=True))]
    assert a == b
    c = find_pivots([s.traj for s in synths.values()], SimSampler(synths, record=True), MiningConfig(seed=1))
    assert [r.to_dict() for r in c] != a


def test_a_generator_of_trajectories_is_mined_and_wrong_types_are_named():
    synths = _population(3, seed=5)
    listed = [r.to_dict() for r in find_pivots([s.traj for s in synths.values()], SimSampler(synths, record=True))]
    generated = find_pivots((s.traj for s in synths.values()), SimSampler(synths, record=True))
    assert [r.to_dict() for r in generated] == listed  # read twice, a generator gave no trajectory
    with pytest.raises(TypeError, match="config must be a ptsfast.mining.MiningConfig, got dict"):
        find_pivots([s.traj for s in synths.values()], SimSampler(synths), {"gap": 0.2})
    with pytest.raises(TypeError, match="sampler returned a value of type bool"):
        find_pivots([s.traj for s in synths.values()], lambda reqs: [[True] * r.n for r in reqs])


def test_exact_leaves_cover_the_solution():
    synths = _population(3, seed=2)
    for r in find_pivots([s.traj for s in synths.values()], SimSampler(synths, record=True)):
        if r.kept:
            segs = r.segments
            assert segs[0][0] == 0 and segs[-1][1] == len(synths[r.key].traj.solution_ids)
            assert all(a[1] == b[0] for a, b in zip(segs, segs[1:]))
            assert all((p.position, p.position + 1) in segs for p in r.pivots)


def test_no_torch_import():
    code = "import sys, ptsfast.mining; assert 'torch' not in sys.modules, 'mining imported torch'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_trajectories_of_a_problem_share_its_p0():
    """p(0) is the problem's: one set of rollouts from the prompt decides the filter for all its trajectories,
    each counts them (and reuses them along its own solution), and one that joins later gets them too."""
    from dataclasses import replace as _replace

    from ptsfast.mining import SearchPool
    from ptsfast.mining.driver import Phase

    rng = random.Random(3)
    sims = {k: from_curve(k, step_curve(rng, 30, 1, p0=0.5), rng, problem_id="q") for k in ("a", "b")}
    sims["d"] = from_curve("d", step_curve(rng, 30, 1, p0=0.5), rng, problem_id="other")
    sampler = SimSampler(sims, record=True)
    res = find_pivots([s.traj for s in sims.values()], sampler, MiningConfig())
    assert sorted((q.key, q.position) for q in sampler.calls[0]) == [("a", 0), ("d", 0)]  # one probe a problem
    assert all(r.kept for r in res)
    pool = SearchPool(MiningConfig())
    pending = pool.add([sims["a"].traj, sims["b"].traj])
    assert [(r.key, r.position) for _, r in pending] == [("a", 0)]
    while all(r.position == 0 and r.key == "a" for _, r in pending):
        pending = [n for (t, r), outs in zip(pending, sampler([r for _, r in pending])) for n in pool.complete(t, outs)]
    a, b = pool.miners
    assert a.phase is b.phase is Phase.SEARCH and a.kept and b.kept
    assert a.memo.get(0) == b.memo.get(0) and a.rollouts == a.memo.get(0).trials >= 8 and b.rollouts == 0
    assert {r.key for _, r in pending} == {"a", "b"}  # both search now
    # a trajectory that joins after the decision gets the problem's rollouts and decision at once
    late = pool.add([_replace(sims["b"].traj, key="b2")])
    c = pool.miners[2]
    assert late and c.phase is Phase.SEARCH and c.memo.get(0) == a.memo.get(0) and c.rollouts == 0
