"""find_pivots: one sampler call per BFS round across all trajectories, hooks, determinism."""

import random
import subprocess
import sys

from synth import BernoulliSampler, build, random_curve

from ptsfast.mining import MiningConfig, find_pivots


def _population(n=6, seed=11):
    rng = random.Random(seed)
    return {f"t{k}": build(f"t{k}", random_curve(rng, rng.randrange(20, 60), 2, p0=0.5), rng) for k in range(n)}


def test_one_sampler_call_per_round_across_trajectories():
    synths = _population()
    sampler = BernoulliSampler(synths)
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
    a = [r.to_dict() for r in find_pivots([s.traj for s in synths.values()], BernoulliSampler(synths))]
    b = [r.to_dict() for r in find_pivots([s.traj for s in synths.values()], BernoulliSampler(synths))]
    assert a == b
    c = find_pivots([s.traj for s in synths.values()], BernoulliSampler(synths), MiningConfig(seed=1))
    assert [r.to_dict() for r in c] != a


def test_exact_leaves_cover_the_solution():
    synths = _population(3, seed=2)
    for r in find_pivots([s.traj for s in synths.values()], BernoulliSampler(synths)):
        if r.kept:
            segs = r.segments
            assert segs[0][0] == 0 and segs[-1][1] == len(synths[r.key].traj.solution_ids)
            assert all(a[1] == b[0] for a, b in zip(segs, segs[1:]))
            assert all((p.position, p.position + 1) in segs for p in r.pivots)


def test_no_torch_import():
    code = "import sys, ptsfast.mining; assert 'torch' not in sys.modules, 'mining imported torch'"
    subprocess.run([sys.executable, "-c", code], check=True)
