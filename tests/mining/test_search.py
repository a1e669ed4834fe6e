"""search() with an exact estimator returns exactly the pivots of the pseudo-code.

The reference is written here, independently of the implementation: the recursive pseudo-code
and its own split rule (exact rational arithmetic, a linear scan; no ``split_point``).
"""

import math
import random
import zlib
from fractions import Fraction

import pytest

from ptsfast.mining import search, split_point
from ptsfast.mining.search import Bisection, cumulative_surprisal
from ptsfast.mining.simulate import exact_pts, reference_split


def own_split(logprobs):
    """Split of t_{i+1}..t_j at the log-prob midpoint: find where the prefix surprisal (-logprob, a
    positive log-prob counting 0) first reaches half of the segment's; of that position and the one
    before it (if inside the segment), the closer to half, the lower on a tie; token midpoint when the
    segment carries no surprisal."""
    if logprobs is None:
        return lambda i, j: (i + j) // 2
    s = [Fraction(0)]
    for lp in logprobs:
        s.append(s[-1] + (Fraction(10**9) if not math.isfinite(lp) else Fraction(max(0.0, -lp))))

    def split(i, j):
        if s[j] == s[i]:
            return (i + j) // 2
        half = (s[i] + s[j]) / 2
        m = next(m for m in range(i + 1, j + 1) if s[m] >= half)
        if m - 1 > i and half - s[m - 1] <= s[m] - half:
            m -= 1
        return min(m, j - 1)

    return split


def brute_force(p, gap, split):
    """The pseudo-code of docs/design.md §1, verbatim and recursive."""

    def subdivide(i, j):
        if j - i <= 1 or abs(p[j] - p[i]) < gap:
            return [(i, j)]
        m = split(i, j)
        return subdivide(i, m) + subdivide(m, j)

    n = len(p) - 1
    if n < 1:
        return []
    return [(i, j) for i, j in subdivide(0, n) if j - i == 1 and abs(p[j] - p[i]) >= gap]


def curve(rng, length, kind):
    if kind == "monotone":
        xs = sorted(rng.random() for _ in range(length + 1))
        return xs if rng.random() < 0.5 else xs[::-1]
    if kind == "steps":
        p, v = [], rng.random()
        for _ in range(length + 1):
            if rng.random() < 0.1:
                v = rng.random()
            p.append(v)
        return p
    if kind == "walk":
        p, v = [], rng.random()
        for _ in range(length + 1):
            v = min(1.0, max(0.0, v + rng.gauss(0, 0.12)))
            p.append(v)
        return p
    return [rng.random() for _ in range(length + 1)]  # "noise": maximally non-monotone


@pytest.mark.parametrize("kind", ["monotone", "steps", "walk", "noise"])
@pytest.mark.parametrize("split", ["logprob", "tokens"])
def test_exact_estimator_matches_pseudocode(kind, split):
    rng = random.Random(zlib.crc32(f"{kind}{split}".encode()))
    checked = 0
    for _ in range(150):
        length = rng.randrange(1, 90)
        p = curve(rng, length, kind)
        if kind != "noise" and rng.random() < 0.3:
            p[-1] = float(rng.random() < 0.5)  # p(L) is a 0/1 verdict
        ids = [rng.randrange(50_000) for _ in range(length)]
        lps = [-rng.expovariate(0.7) if rng.random() < 0.9 else 0.0 for _ in range(length)]
        gap = rng.choice([0.1, 0.2, 0.3])
        calls = []

        def pf(prefix):
            assert tuple(prefix) == tuple(ids[: len(prefix)])
            calls.append(len(prefix))
            return p[len(prefix)]

        use = lps if split == "logprob" else None
        got = search(ids, pf, gap, use, split=split)
        want = brute_force(p, gap, own_split(use))
        assert got.pivots == want
        # the statistics benchmark's reference (exact PTS on the true curve) is the same pseudo-code
        assert [(i, i + 1) for i in exact_pts(p, gap, use)] == want
        assert len(calls) == len(set(calls)) == got.calls  # each prefix evaluated once
        checked += len(want)
    assert checked > 0 or kind == "monotone"


def test_split_point_clamped_and_isolates_surprise():
    for i, j in [(0, 2), (3, 5), (0, 100)]:
        assert i < split_point(i, j) < j
    lps = [-0.01] * 40
    lps[27] = -9.0  # t_28 carries almost all surprisal
    cum = cumulative_surprisal(lps)
    b = Bisection(40, cum)
    levels = 0
    while (26, 28) not in b.frontier and (27, 28) not in b.frontier:
        for seg in list(b.frontier):
            b.resolve(seg, seg[0] <= 27 < seg[1])
        levels += 1
        assert levels < 4
    # token midpoint would need ~log2(40) = 6 levels to reach a 1-2 token segment
    with pytest.raises(ValueError):
        split_point(4, 5)
    assert all(0 < split_point(0, 7, cumulative_surprisal([0.0] * 7)) < 7 for _ in range(1))


def test_counts_and_final_and_errors():
    ids = list(range(10, 30))
    table = {k: (8, 10) if k < 12 else (1, 10) for k in range(21)}
    r = search(ids, lambda pre: table[len(pre)], 0.2, p_final=0.0)
    assert r.pivots == [(11, 12)]
    assert r.directions() == ["lowers"]
    est = r.estimates[11]
    assert (est.successes, est.trials) == (8, 10) and est.lo < 0.8 < est.hi
    assert r.estimates[20].exact and r.estimates[20].p == 0.0
    with pytest.raises(ValueError, match="probability"):
        search(ids, lambda pre: 1.5)
    with pytest.raises(ValueError, match="successes"):
        search(ids, lambda pre: (3, 2))
    assert search([], lambda pre: 0.5).pivots == []
    assert search([7], lambda pre: float(len(pre))).pivots == [(0, 1)]
    # a step exactly the gap is a pivot, though 0.7 - 0.5 computes below 0.2
    assert search([7], lambda pre: 0.7 if pre else 0.5, 0.2).pivots == [(0, 1)]


def test_split_rules_agree_on_plateaus_and_single_surprises():
    """Zero-surprisal runs and one dominant token: the cases where a tie rule matters."""
    rng = random.Random(5)
    for _ in range(300):
        n = rng.randrange(2, 40)
        lps = [0.0 if rng.random() < 0.5 else -rng.choice([0.5, 1.0, 2.0, 9.0]) for _ in range(n)]
        i = rng.randrange(0, n - 1)
        j = rng.randrange(i + 2, n + 1)
        want = own_split(lps)(i, j)
        assert split_point(i, j, cumulative_surprisal(lps)) == want == reference_split(i, j, lps), (lps, i, j)


def test_movable_tokens_by_their_log_probs():
    """A token written with probability f moves p by at most 1 - f: only tokens with 1 - f >= gap - slack count."""
    from ptsfast.mining.search import BOUND_SLACK, movable

    fs = [0.9, 0.5, 0.99, 1 - (0.2 - BOUND_SLACK), 1 - (0.2 - BOUND_SLACK) + 1e-6, 1.0]
    lps = [math.log(f) for f in fs]
    assert movable(lps, 0.2) == [0, 0, 1, 1, 2, 2, 2]
    b = Bisection.for_solution(len(lps), lps, bound_gap=0.2)
    assert b.may_hold_pivot(0, 6) and b.may_hold_pivot(1, 2) and b.may_hold_pivot(3, 4)
    assert not b.may_hold_pivot(0, 1) and not b.may_hold_pivot(2, 3) and not b.may_hold_pivot(4, 6)
    assert b.cum == cumulative_surprisal(lps)  # the split rule is unchanged
    assert Bisection.for_solution(len(lps), lps).may_hold_pivot(0, 1)  # no bound asked for
    assert Bisection.for_solution(len(lps), None, bound_gap=0.2).may_hold_pivot(0, 1)  # no log-probs


def test_the_log_prob_bound_holds_on_the_simulated_models():
    """|p(k+1) - p(k)| <= 1 - f_k + BOUND_SLACK for every token of every population (token budget included), so
    dropping a segment of unmovable tokens never drops a pivot of exact PTS."""
    from ptsfast.mining.search import BOUND_SLACK
    from ptsfast.mining.simulate import ALL_POPULATIONS, population

    for name, spec in ALL_POPULATIONS.items():
        for st in population(spec, 0, 8).values():
            worst = max(abs(st.delta(k)) - (1 - st.follow[k]) for k in range(st.length))
            assert worst <= BOUND_SLACK, name


def test_the_search_spends_nothing_on_segments_no_token_can_move():
    """One unlikely token among likely ones: with the bound, segments without a movable token are
    dropped unsampled, so the search spends fewer rollouts and finds the same pivot."""
    from dataclasses import replace

    from ptsfast.mining import EstimatorConfig, FilterConfig, MiningConfig, find_pivots
    from ptsfast.mining.search import movable
    from ptsfast.mining.simulate import SimSampler, build_trajectory

    design = [0.5] * 41 + [0.9] * 40 + [1.0]  # a pivot at i = 40
    flat = [0.85] * 81  # likely tokens (1 - f < gap), too many for rollouts to reach across a segment: no reuse
    st = build_trajectory("t", design, random.Random(3), 10**6, flat_follow=flat, follow=0.5)
    base = MiningConfig(filter=FilterConfig(enabled=False))
    spent, found = {}, {}
    for bound in (True, False):
        sampler = SimSampler({"t": st})
        cfg = replace(base, estimator=replace(EstimatorConfig(), logprob_bound=bound))
        (res,) = find_pivots([st.traj], sampler, cfg)
        spent[bound], found[bound] = sampler.rollouts, [pv.position for pv in res.reported]
        if bound:  # the movable tokens: the pivot and the verdict step (0.9 -> 1)
            room = movable(st.traj.solution_logprobs, cfg.gap)
            assert [k for k in range(81) if room[k + 1] > room[k]] == [40, 80]
    assert found[True] == found[False] == [40]
    assert spent[True] < spent[False]


def test_a_wrong_return_or_solution_is_named_with_its_fix():
    # before: float()'s "must be a real number, not 'NoneType'", "too many values to unpack" and int()'s
    # "invalid literal for int()", none naming p, solution_ids or what they must be
    np = pytest.importorskip("numpy")
    ids = [5, 6, 7]
    for bad, named in ((None, r"returned None \(NoneType\)"), ((1, 2, 3), "returned a tuple of 3"),
                       ([3, 4], r"returned \[3, 4\] \(list\)")):
        with pytest.raises(ValueError, match=named + r".*: return a probability in \[0, 1\] .* or \(successes"):
            search(ids, lambda pre, bad=bad: bad)
    for bad, named in (("the answer is 4", "solution_ids is of type str"), ([5, 6.5], r"got 6.5 \(float\) among them"),
                       (7, "solution_ids is of type int")):
        with pytest.raises(TypeError, match=named + r".*: pass the solution's token ids as a list of ints"):
            search(bad, lambda pre: 0.5)
    with pytest.raises(TypeError, match="p must be a function"):
        search(ids, 0.5)
    assert search(np.array(ids), lambda pre: np.float32(0.5)).calls == 2
