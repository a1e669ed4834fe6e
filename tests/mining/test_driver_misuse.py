"""find_pivots and SearchPool used as a careless library user would: one trajectory where a list goes, ids as an
array, a sampler that answers with no list or the wrong count, callbacks that are no callables. Each is named
before any rollout is paid for, or leaves the pool able to take the right answer."""

import numpy as np
import pytest

from ptsfast import MiningConfig, find_pivots
from ptsfast.mining import RolloutOutcome, SearchPool, Trajectory

TRAJ = Trajectory("k", "p", tuple(range(3, 19)), correct=True, prompt_ids=(1, 2), max_new_tokens=8)


def sampler(requests):
    return [[RolloutOutcome((5,), r.position > 8)] * r.n for r in requests]


@pytest.mark.parametrize("kw, match", [
    ({"sampler": 5}, "sampler must be a callable, got int"),
    ({"on_result": print, "on_progress": 5}, "on_progress must be a callable, got int"),
    ({"trajectories": TRAJ}, "trajectories must be a list of ptsfast.mining.Trajectory, got Trajectory"),
    ({"trajectories": [{"key": "k"}]}, r"trajectories\[0\] must be a ptsfast.mining.Trajectory, got dict"),
    ({"trajectories": [Trajectory(["k"], "p", (3, 4), max_new_tokens=8)]}, "key and problem_id must be hashable"),
    ({"trajectories": [Trajectory("k", "p", "w3 w4", max_new_tokens=8)]}, "solution_ids must be token ids"),
    ({"trajectories": [Trajectory("k", "p", (3, 4), max_new_tokens=8.5)]}, "max_new_tokens=8.5: use an int >= 1"),
])
def test_wrong_arguments_are_named_before_the_sampler_is_called(kw, match):
    # on_result or on_progress that is no callable failed only after the rollouts were sampled; one trajectory, a
    # dict or a str of ids failed with "not iterable", "has no attribute 'key'" or "invalid literal for int()"
    calls = []

    def counting(requests):
        calls.append(requests)
        return sampler(requests)

    args = {"trajectories": [TRAJ], "sampler": counting, **kw}
    with pytest.raises((TypeError, ValueError), match=match):
        find_pivots(args.pop("trajectories"), args.pop("sampler"), **args)
    assert calls == []


def test_ids_as_arrays_and_answers_as_generators_are_read():
    # an array of ids failed with numpy's "truth value of an array is ambiguous"; a generator with "has no len()"
    want = find_pivots([TRAJ], sampler)
    traj = Trajectory("k", "p", np.arange(3, 19), correct=True, prompt_ids=np.array([1, 2]), max_new_tokens=8)
    assert find_pivots([traj], lambda reqs: (iter(got) for got in sampler(reqs))) == want


@pytest.mark.parametrize("answer, match", [
    (lambda reqs: None, "sampler returned a value of type NoneType; it returns one list of RolloutOutcome per request"),
    (lambda reqs: [got[0] for got in sampler(reqs)], r"returned a value of type RolloutOutcome where a request's list"),
])
def test_a_sampler_answering_with_no_lists_is_named(answer, match):
    with pytest.raises(TypeError, match=match):
        find_pivots([TRAJ], answer)


def test_a_wrong_count_leaves_the_pool_waiting_for_the_right_one():
    # the ticket was taken before the count was checked: the right outcomes then met a bare KeyError
    pool = SearchPool(MiningConfig())
    (ticket, req), = pool.add([TRAJ])
    with pytest.raises(ValueError, match=f"sampler returned {req.n - 1} rollouts for a request of n={req.n}"):
        pool.complete(ticket, sampler([req])[0][1:])
    assert pool.complete(ticket, sampler([req])[0])
    with pytest.raises(KeyError, match=f"ticket {ticket} is not waiting for outcomes"):
        pool.complete(ticket, sampler([req])[0])
