"""Alternatives (free first-token groups, forced top-ups) and DPO pairs in both directions."""

import random

from synth import ALT_BASE, BernoulliSampler, build

from ptsfast.mining import EstimatorConfig, FilterConfig, MiningConfig, PairConfig, find_pivots
from ptsfast.mining.estimator import Memo
from ptsfast.mining.pairs import pick_alternative, top_up_needs
from ptsfast.mining.types import Estimate


def test_top_up_needs_most_frequent_first():
    alts = {5: Estimate(1, 1), 6: Estimate(3, 9), 7: Estimate(0, 3), 8: Estimate(1, 3), 9: Estimate(0, 2)}
    cfg = PairConfig(min_count=8, max_alternatives=3)
    assert top_up_needs(alts, cfg) == [(7, 5), (8, 5)]  # 6 already has 9; ties by token id; 9, 5 not in top 3


def test_pick_alternative_directions():
    cfg = PairConfig(min_count=4)
    alts = {1: Estimate(0, 8), 2: Estimate(3, 6), 3: Estimate(4, 4), 4: Estimate(0, 2)}
    before = Estimate(5, 10)
    assert pick_alternative("raises", before, alts, cfg) == (1, Estimate(0, 8))  # 4 is too thin
    assert pick_alternative("lowers", before, alts, cfg) == (3, Estimate(4, 4))
    assert pick_alternative("raises", Estimate(0, 10), alts, cfg) is None  # nothing lowers p below 0
    assert pick_alternative("raises", before, {}, cfg) is None


def _run(curves, **pairs):
    rng = random.Random(7)
    synths = {k: build(k, c, rng, follow=0.8) for k, c in enumerate(curves)}
    sampler = BernoulliSampler(synths)
    sampler.outputs = []
    inner = sampler.__call__

    def record(reqs):
        out = inner(reqs)
        sampler.outputs.append(out)
        return out

    cfg = MiningConfig(filter=FilterConfig(enabled=False), pairs=PairConfig(**pairs))
    res = find_pivots([s.traj for s in synths.values()], record, cfg)
    return synths, sampler, res, cfg


def test_pairs_from_free_groups_topped_up_by_forced_rollouts():
    up = [0.5] * 15 + [0.95] * 15 + [1.0]  # raising pivot at i = 14
    down = [0.6] * 10 + [0.1] * 20 + [0.0]  # lowering pivot at i = 9
    synths, sampler, res, cfg = _run([up, down], min_count=24, max_alternatives=2)
    by_key = {r.key: r for r in res}
    for key, i, direction in [(0, 14, "raises"), (1, 9, "lowers")]:
        r, st = by_key[key], synths[key]
        assert [(p.position, p.direction) for p in r.pivots] == [(i, direction)]
        pv = r.pivots[0]
        assert pv.token_id == st.traj.solution_ids[i]
        assert pv.before.trials >= 16 and pv.before.lo <= pv.before.p <= pv.before.hi
        # replay the free (unforced) rollouts sent before the first forced one: alternative groups
        memo = Memo(st.traj.solution_ids, float(st.p[-1]))
        forced = []
        for call, outs in zip(sampler.calls, sampler.outputs):
            for req, got in zip(call, outs):
                if req.key != key:
                    continue
                if req.forced:
                    forced.append(req)
                elif not forced:
                    memo.ingest(req.position, (), got)
        free = memo.alternatives(i)
        assert set(free) <= {ALT_BASE + 2 * i, ALT_BASE + 2 * i + 1} and free
        want = top_up_needs(free, cfg.pairs)
        assert sorted((q.position, q.forced[0], q.n) for q in forced) == sorted((i, t, n) for t, n in want)
        assert forced and all(q.n < cfg.pairs.min_count for q in forced)
        (pair,) = r.pairs
        assert pair.position == i and pair.direction == direction
        assert pair.prefix_ids == st.traj.prompt_ids + st.traj.solution_ids[:i]
        alt = pair.rejected_id if direction == "raises" else pair.chosen_id
        own = pair.chosen_id if direction == "raises" else pair.rejected_id
        assert own == st.traj.solution_ids[i] and alt in free
        assert pair.chosen.p > pair.rejected.p
        assert min(pair.chosen.trials, pair.rejected.trials) >= cfg.pairs.min_count
        d = pair.to_dict()
        assert d["chosen_id"] == pair.chosen_id and d["chosen"]["trials"] == pair.chosen.trials


def test_pairs_disabled():
    _, sampler, res, _ = _run([[0.5] * 15 + [0.95] * 15 + [1.0]], enabled=False)
    assert res[0].pivots and not res[0].pairs
    assert not any(r.forced for call in sampler.calls for r in call)


def test_confirmation_with_fresh_rollouts():
    rng = random.Random(3)
    synths = {0: build(0, [0.5] * 15 + [0.95] * 15 + [1.0], rng, follow=0.8)}
    sampler = BernoulliSampler(synths)
    cfg = MiningConfig(filter=FilterConfig(enabled=False), estimator=EstimatorConfig(confirm_rollouts=32))
    (r,) = find_pivots([synths[0].traj], sampler, cfg)
    (pv,) = r.pivots
    # 32 fresh rollouts a side; those from 14 that write t_15 are fresh samples at 15 too
    assert pv.confirmed is True and pv.confirm_before.trials == 32 <= pv.confirm_after.trials
    assert {q.position for call in sampler.calls for q in call if q.n == 32} == {14, 15}
    # the pivot reports the fresh estimates; the counts it was selected on are kept apart
    assert (pv.before, pv.after) == (pv.confirm_before, pv.confirm_after)
    assert pv.search_before.trials >= 16 and pv.search_before != pv.before
    assert pv.delta == pv.after.p - pv.before.p and pv.delta_lo < pv.delta < pv.delta_hi
