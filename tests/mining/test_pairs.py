"""Alternatives (free first-token groups, forced top-ups), DPO pairs in both directions from fresh rollouts, and
the confirmation's three states."""

import random
from dataclasses import replace

import pytest

from ptsfast.mining import (
    Confirmation, EstimatorConfig, FilterConfig, MiningConfig, PairConfig, find_pivots,
)
from ptsfast.mining.estimator import GapTest, Memo
from ptsfast.mining.pairs import (
    PairVerdict, pair_test, pick_alternative, rank_alternatives, token_side_clears, top_up_needs,
)
from ptsfast.mining.simulate import SimSampler, from_curve
from ptsfast.mining.types import Direction, Estimate, RolloutOutcome


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
    assert rank_alternatives("lowers", Estimate(4, 10), alts, cfg) == [3, 2]  # above p(i) = 0.4, highest first
    assert pick_alternative("raises", Estimate(0, 10), alts, cfg) is None  # nothing lowers p below 0
    assert pick_alternative("raises", before, {}, cfg) is None


def test_pair_test_needs_the_other_side_of_p_and_a_margin():
    cfg = PairConfig()
    up = Direction.RAISES
    # clearly below p(i) = 0.5 and far from p(i+1) = 0.9: a pair
    assert pair_test(up, Estimate(32, 64), Estimate(58, 64), Estimate(2, 32), 0.2, cfg) is PairVerdict.PASS
    # as low as p(i): it does not lower p - never a pair, however far from p(i+1)
    assert pair_test(up, Estimate(32, 64), Estimate(58, 64), Estimate(33, 64), 0.2, cfg) is PairVerdict.FAIL
    # a little below p(i), not yet sure: more rollouts; at the cap, no pair
    assert pair_test(up, Estimate(32, 64), Estimate(58, 64), Estimate(12, 32), 0.2, cfg) is None
    assert pair_test(up, Estimate(32, 64), Estimate(58, 64), Estimate(26, 64), 0.2, cfg) is PairVerdict.FAIL
    # mirrored for a lowering pivot
    down = Direction.LOWERS
    assert pair_test(down, Estimate(32, 64), Estimate(6, 64), Estimate(30, 32), 0.2, cfg) is PairVerdict.PASS
    assert pair_test(down, Estimate(32, 64), Estimate(6, 64), Estimate(2, 32), 0.2, cfg) is PairVerdict.FAIL


def test_pair_test_needs_the_pivot_token_on_its_side_of_p():
    """The real model's case: an undecided pivot (0.61 -> 0.59 on fresh rollouts) with an alternative far below
    p(i). The margin is large, but the chosen token does not raise p: no pair, at once (more rollouts of the
    alternative cannot change the token's side)."""
    cfg = PairConfig()
    assert pair_test(Direction.RAISES, Estimate(39, 64), Estimate(38, 64), Estimate(1, 32), 0.2,
                     cfg) is PairVerdict.FAIL
    assert pair_test(Direction.LOWERS, Estimate(20, 64), Estimate(21, 64), Estimate(31, 32), 0.2,
                     cfg) is PairVerdict.FAIL
    # the same alternative with a token that does raise p makes a pair
    assert pair_test(Direction.RAISES, Estimate(39, 64), Estimate(60, 64), Estimate(1, 32), 0.2,
                     cfg) is PairVerdict.PASS


def test_token_side_clears_is_the_pair_tests_first_condition():
    cfg = PairConfig()
    up, down = Direction.RAISES, Direction.LOWERS
    assert token_side_clears(up, Estimate(32, 64), Estimate(58, 64), cfg)
    assert not token_side_clears(up, Estimate(39, 64), Estimate(38, 64), cfg)  # level with p(i)
    assert not token_side_clears(down, Estimate(32, 64), Estimate(58, 64), cfg)  # the wrong way
    assert token_side_clears(down, Estimate(32, 64), Estimate(6, 64), cfg)
    assert not token_side_clears(up, Estimate(), Estimate(58, 64), cfg)
    # whatever the alternative, pair_test fails where the token's side does not clear
    for alt in (Estimate(0, 64), Estimate(64, 64), Estimate(10, 16)):
        assert pair_test(up, Estimate(39, 64), Estimate(38, 64), alt, 0.2, cfg) is PairVerdict.FAIL


def _pair_phase_rollouts(report_after: int, deciding: tuple[int, int] | None = None) -> tuple[int, list]:
    """Rollouts the pair phase spends on one undecided raising pivot at 14 whose report batch says p(i) = 40/64
    and p(i+1) = ``report_after``/64, and whose deciding batch says ``deciding`` of 32 a side (none by default;
    the search's memo has alternatives to explore and top up); and its pairs."""
    from ptsfast.mining.driver import TrajectoryMiner

    curve = [0.5] * 15 + [0.95] * 15 + [1.0]
    st = from_curve("t", curve, random.Random(5), follow=0.8)
    miner = TrajectoryMiner(st.traj, MiningConfig(filter=FilterConfig(enabled=False)))
    sampler = SimSampler({"t": st})
    rng, limit = random.Random(5), miner.limit()
    for pos in (14, 15):  # the search's counts: alternatives at 14 come from these
        miner.memo.ingest(pos, (), [st.rollout(pos, (), limit, rng) for _ in range(32)], limit)
    for pos, ok in ((14, 40), (15, report_after)):
        outs = [RolloutOutcome((3,), n < ok) for n in range(64)]
        miner.report.ingest(pos, (), outs)
    for pos, ok in zip((14, 15), deciding or ()):
        miner.fresh.ingest(pos, (), [RolloutOutcome((3,), n < ok) for n in range(32)])
    miner._accept(14, miner.memo.get(14), miner.memo.get(15))
    miner.accepted[0] = replace(miner.accepted[0], confirmed=Confirmation.UNDECIDED)
    miner.phase = miner.phase.PAIRS
    spent = 0
    while reqs := miner.step():
        outs = sampler([q for q, _ in reqs])
        spent += sum(len(o) for o in outs)
        for (req, kind), got in zip(reqs, outs):
            miner.ingest(req, kind, got)
    return spent, miner.result().pairs


def test_no_rollouts_on_alternatives_of_a_pivot_whose_token_is_level_with_p():
    """A pivot whose own token fails the token-side check can never make a pair (only the alternative is sampled
    further), so the pair phase spends nothing on it: no exploration, top-ups or fresh alternative batches. The
    same pivot with its token clearly above p(i) does get its alternatives sampled (and a pair)."""
    level, pairs = _pair_phase_rollouts(39)
    assert (level, pairs) == (0, [])
    clear, pairs = _pair_phase_rollouts(62)
    assert clear >= PairConfig().fresh_rollouts and len(pairs) == 1


def test_the_pair_test_reads_the_confirmations_two_batches_pooled():
    """The token's side is tested on the deciding and report batches together: read alone, the report batch is
    selected by the test (a token passes where its counts came out high) and the pair reports those counts.
    Level with p(i) in the report batch (40 vs 39 of 64) but clearly above it in the deciding one (12 vs 31 of
    32), the pooled counts (52 vs 70 of 96) clear; the pair reports p(i) from the report batch and its own token, as
    the alternative, from a batch drawn after the test passed (forced rollouts from i that start with it)."""
    spent, (pair,) = _pair_phase_rollouts(39, deciding=(12, 31))
    assert spent >= PairConfig().fresh_rollouts
    assert pair.before.successes == 40 and pair.chosen.trials == PairConfig().fresh_rollouts


def test_confirmation_has_three_states():
    g = GapTest(EstimatorConfig(confirm_confidence=0.9, confirm_margin=0.05, confirm_max_rollouts=128), 0.2)
    up, down = Direction.RAISES, Direction.LOWERS
    assert g.confirm(Estimate(16, 32), Estimate(30, 32), up) is Confirmation.CONFIRMED
    assert g.confirm(Estimate(30, 32), Estimate(16, 32), down) is Confirmation.CONFIRMED
    assert g.confirm(Estimate(28, 32), Estimate(4, 32), up) is Confirmation.REFUTED  # it lowers p
    assert g.confirm(Estimate(16, 32), Estimate(17, 32), up) is None  # not sure yet: more rollouts
    assert g.confirm(Estimate(64, 128), Estimate(64, 128), up) is Confirmation.REFUTED  # surely below gap - margin
    assert g.confirm(Estimate(64, 128), Estimate(84, 128), up) is Confirmation.UNDECIDED  # 0.16 at the cap
    # surely above gap - margin but below the gap: never "confirmed" with a reported Δp below the gap
    assert g.confirm(Estimate(5000, 10000), Estimate(6900, 10000), up) is Confirmation.UNDECIDED
    assert g.confirm(Estimate(5000, 10000), Estimate(7100, 10000), up) is Confirmation.CONFIRMED
    # an exact side: only the other one is sampled, and the cap is reached on it
    assert g.confirm(Estimate(100, 128), Estimate(exact=1.0), up) is Confirmation.UNDECIDED
    # the defaults confirm at the gap itself: a pivot slightly under it is never confirmed, and refuted when sure
    d = GapTest(EstimatorConfig(confirm_max_rollouts=128), 0.2)
    assert d.confirm(Estimate(5000, 10000), Estimate(6800, 10000), up) is Confirmation.REFUTED
    assert d.confirm(Estimate(5000, 10000), Estimate(7300, 10000), up) is Confirmation.CONFIRMED
    assert d.confirm(Estimate(16, 32), Estimate(30, 32), up) is None  # 0.44 on 32 a side: not yet sure of 0.2


def _run(curves, **pairs):
    rng = random.Random(7)
    synths = {k: from_curve(k, c, rng, follow=0.8) for k, c in enumerate(curves)}
    sampler = SimSampler(synths, record=True)
    cfg = MiningConfig(filter=FilterConfig(enabled=False), pairs=PairConfig(**pairs))
    res = find_pivots([s.traj for s in synths.values()], sampler, cfg)
    return synths, sampler, res, cfg


def test_pairs_from_free_groups_topped_up_then_estimated_on_fresh_rollouts():
    up = [0.5] * 15 + [0.95] * 15 + [1.0]  # raising pivot at i = 14
    down = [0.6] * 10 + [0.1] * 20 + [0.0]  # lowering pivot at i = 9
    synths, sampler, res, cfg = _run([up, down], min_count=24, max_alternatives=2)
    by_key = {r.key: r for r in res}
    for key, i, direction in [(0, 14, "raises"), (1, 9, "lowers")]:
        r, st = by_key[key], synths[key]
        budget = st.traj.max_new_tokens
        (pv,) = [p for p in r.pivots if p.position == i]  # confirmed or undecided (16 a side decide): both pair
        assert pv.direction == direction and pv.confirmed is not Confirmation.REFUTED
        assert pv.token_id == st.traj.solution_ids[i]
        assert pv.before.trials >= 16 and pv.before.lo <= pv.before.p <= pv.before.hi
        # replay: the search's free rollouts before the first forced ones choose the candidates; the
        # confirmation's rollouts (budget + 1 tokens) and the forced ones after the top-ups estimate them
        memo, fresh = Memo(st.traj.solution_ids, float(st.p[-1])), Memo(st.traj.solution_ids, float(st.p[-1]))
        topups, later = None, []
        for call, outs in zip(sampler.calls, sampler.outputs):
            mine = [(q, got) for q, got in zip(call, outs) if q.key == key]
            if topups is None and any(q.forced for q, _ in mine):
                topups = [q for q, _ in mine if q.forced and q.position == i]  # (another pivot may have its own)
                continue
            for q, got in mine:
                if q.max_new_tokens == budget + 1 or q.forced:
                    fresh.ingest(q.position, q.forced, got, q.max_new_tokens)
                    later += [q] if q.forced and q.position == i else []
                elif topups is None:
                    memo.ingest(q.position, (), got, q.max_new_tokens)
        free = memo.alternatives(i)
        assert set(free) <= set(st.alt_tokens(i)) and free
        want = top_up_needs(free, cfg.pairs)
        assert sorted((q.position, q.forced[0], q.n) for q in topups) == sorted((i, t, n) for t, n in want)
        assert all(q.n < cfg.pairs.min_count for q in topups)
        (pair,) = [q for q in r.pairs if q.position == i]
        assert pair.direction == direction
        assert pair.prefix_ids == st.traj.prompt_ids + st.traj.solution_ids[:i]
        alt = pair.rejected_id if direction == "raises" else pair.chosen_id
        own = pair.chosen_id if direction == "raises" else pair.rejected_id
        assert own == st.traj.solution_ids[i] and alt in free and all(q.forced in ((alt,), (own,)) for q in later)
        # every number of the pair is fresh: p(i) the confirmation's, each token's from a batch drawn after the
        # alternative passed its test (the last forced request starting with it), which decided nothing
        for tok, est in ((alt, pair.rejected if direction == "raises" else pair.chosen),
                         (own, pair.chosen if direction == "raises" else pair.rejected)):
            report = [(q, got) for call, outs in zip(sampler.calls, sampler.outputs)
                      for q, got in zip(call, outs) if q.key == key and q.forced == (tok,)][-1]
            assert (est.successes, est.trials) == (sum(o.success for o in report[1]), report[0].n)
        assert fresh.alternatives(i)[alt].trials >= cfg.pairs.fresh_rollouts  # what the test ran on
        assert (pair.before.successes, pair.before.trials) == (pv.before.successes, pv.before.trials)
        assert pair.margin == pair.chosen.p - pair.rejected.p and pair.margin_lo >= cfg.gap / 2 - 0.1
        d = pair.to_dict()
        assert d["chosen_id"] == pair.chosen_id and d["chosen"]["trials"] == pair.chosen.trials


def test_no_pair_when_the_alternatives_are_as_good_as_the_prefix():
    """Rollouts that rarely write the pivot token leave through alternatives as good as p(i) (within 0.03):
    none of them lowers p by a margin the fresh test can see, so pairs are as rare as its error allows (the
    old rule took any p(alt) < p(i))."""
    curve = [0.5] * 15 + [0.95] * 15 + [1.0]
    rng = random.Random(2)
    synths = {k: from_curve(k, curve, rng, follow=0.05, alternatives=(1, 1)) for k in range(3)}
    assert all(abs(s.alt_p(14, s.alt_token(14, 0)) - s.p[14]) < 0.03 for s in synths.values())
    pivots = pairs = 0
    for seed in range(8):  # each seed draws other rollouts
        cfg = MiningConfig(seed=seed, filter=FilterConfig(enabled=False))
        res = find_pivots([s.traj for s in synths.values()], SimSampler(synths), cfg)
        pivots += sum(len(r.reported) for r in res)
        pairs += sum(len(r.pairs) for r in res)
    assert pivots >= 16 and pairs <= 0.1 * pivots


def test_pairs_disabled():
    _, sampler, res, _ = _run([[0.5] * 15 + [0.95] * 15 + [1.0]], enabled=False)
    assert res[0].pivots and not res[0].pairs
    assert not any(r.forced for call in sampler.calls for r in call)


def test_confirmation_with_fresh_rollouts():
    rng = random.Random(3)
    synths = {0: from_curve(0, [0.5] * 15 + [0.95] * 15 + [1.0], rng, follow=0.8)}
    sampler = SimSampler(synths, record=True)
    cfg = MiningConfig(filter=FilterConfig(enabled=False),
                       estimator=EstimatorConfig(confirm_rollouts=32, confirm_report_rollouts=32))
    (r,) = find_pivots([synths[0].traj], sampler, cfg)
    (pv,) = r.pivots
    # 32 fresh rollouts from 14 decide, 32 more report (one request); those that write t_15 are fresh samples at
    # 15 too, so 15 is only topped up to 32 + 32 in the next round
    assert pv.confirmed is Confirmation.CONFIRMED and pv.confirm_before.trials == pv.confirm_after.trials == 32
    st = synths[0]
    budget = st.traj.max_new_tokens
    confirm = [[(q, got) for q, got in zip(call, outs) if q.max_new_tokens == budget + 1]
               for call, outs in zip(sampler.calls, sampler.outputs)]
    first, second = [c for c in confirm if c][:2]
    assert [(q.position, q.n) for q, _ in first] == [(14, 64)]
    # replay: the first 32 of each request decide, the last 32 are what the pivot reports
    decide, report = (Memo(st.traj.solution_ids, 1.0, True, budget) for _ in range(2))
    (q, got), = first
    decide.ingest(q.position, (), got[:32], q.max_new_tokens)
    report.ingest(q.position, (), got[32:], q.max_new_tokens)
    spill = (decide.get(15).trials, report.get(15).trials)  # rollouts from 14 that wrote t_15
    assert 0 < sum(spill) < 64
    (q, got), = second
    assert (q.position, q.n) == (15, 64 - sum(spill))
    k = 32 - spill[0]
    decide.ingest(q.position, (), got[:k], q.max_new_tokens)
    report.ingest(q.position, (), got[k:], q.max_new_tokens)
    rep = (report.get(14), report.get(15))
    assert [(e.successes, e.trials) for e in (pv.before, pv.after)] == [(e.successes, e.trials) for e in rep]
    assert EstimatorConfig().confirm_report_rollouts and decide.get(14).trials == decide.get(15).trials == 32
    # the pivot reports the report batch; the counts it was selected on are kept apart
    assert (pv.before, pv.after) == (pv.confirm_before, pv.confirm_after)
    assert pv.search_before.trials >= 16 and pv.search_before != pv.before
    assert pv.delta == pv.after.p - pv.before.p and pv.delta_lo < pv.delta < pv.delta_hi
    assert pv.delta >= cfg.gap


def test_confirmation_decides_on_one_batch_and_reports_another():
    """Deciding counts that clear the bound do not make a pivot confirmed when the report batch says its Δp is
    below the gap (undecided: more deciding rollouts cannot change what it reports); they alone refute."""
    g = GapTest(EstimatorConfig(), 0.2)
    up, down = Direction.RAISES, Direction.LOWERS
    big, small = (Estimate(4, 16), Estimate(15, 16)), (Estimate(14, 32), Estimate(18, 32))
    assert g.confirm(*big, up, report=(Estimate(10, 32), Estimate(26, 32))) is Confirmation.CONFIRMED
    assert g.confirm(*big, up, report=small) is Confirmation.UNDECIDED
    assert g.confirm(*big, up) is Confirmation.CONFIRMED  # no report batch: the deciding counts report
    assert g.confirm(Estimate(15, 16), Estimate(4, 16), down, report=(Estimate(26, 32), Estimate(10, 32))) \
        is Confirmation.CONFIRMED
    # refuted on the deciding counts, whatever the report says
    assert g.confirm(Estimate(10, 16), Estimate(6, 16), up, report=(Estimate(0, 32), Estimate(32, 32))) \
        is Confirmation.REFUTED
    # the default decides at one look of confirm_rollouts a side: at 16 an open decision is undecided
    assert g.confirm(Estimate(6, 16), Estimate(11, 16), up, report=small) is Confirmation.UNDECIDED
    assert GapTest(EstimatorConfig(confirm_max_rollouts=64), 0.2).confirm(
        Estimate(6, 16), Estimate(11, 16), up, report=small) is None  # with a higher cap: sample on


def test_confirmation_needs_the_pooled_batches_to_clear_the_gap():
    """A pivot whose deciding look clears the gap is not confirmed when the deciding and report batches pooled leave
    Δp possibly below it: the demo's stop-token pivot (p after exact; all its fresh rollouts at Δp 0.2) was
    confirmed on p(before) 20/32 at its second look with 38/48 reported, and a user's 128 fresh rollouts put it at
    0.18."""
    up, stop = Direction.RAISES, Estimate(exact=1.0)
    demo = EstimatorConfig(confirm_max_rollouts=32)
    assert GapTest(demo, 0.2).confirm(Estimate(20, 32), stop, up, report=(Estimate(38, 48), stop)) \
        is Confirmation.UNDECIDED
    assert GapTest(replace(demo, confirm_pooled_confidence=0.9), 0.2).confirm(
        Estimate(20, 32), stop, up, report=(Estimate(38, 48), stop)) is Confirmation.CONFIRMED  # 0.2013 >= 0.2
    g = GapTest(EstimatorConfig(), 0.2)
    assert g.confirm(Estimate(10, 16), stop, up, report=(Estimate(38, 48), stop)) is Confirmation.UNDECIDED
    assert g.confirm(Estimate(10, 16), stop, up) is Confirmation.CONFIRMED  # no report batch: the deciding look
    # a clear pivot stays confirmed: 64 pooled rollouts at 0.67 put Δp above 0.2 at 95%
    assert g.confirm(Estimate(10, 16), stop, up, report=(Estimate(33, 48), stop)) is Confirmation.CONFIRMED
    # both sides sampled: the pooled interval counts both
    assert g.confirm(Estimate(4, 16), Estimate(13, 16), up, report=(Estimate(17, 48), Estimate(28, 48))) \
        is Confirmation.UNDECIDED
    assert g.confirm(Estimate(4, 16), Estimate(13, 16), up, report=(Estimate(12, 48), Estimate(35, 48))) \
        is Confirmation.CONFIRMED
    with pytest.raises(ValueError, match="confirm_pooled_confidence"):
        EstimatorConfig(confirm_pooled_confidence=1.0)


def test_refuted_pivots_are_kept_but_not_reported():
    """A pivot the search accepted on a lucky draw is refuted by the fresh rollouts: it stays in the result
    with its state, and neither counts as reported nor gets a pair."""
    from ptsfast.mining.driver import TrajectoryMiner

    st = from_curve("f", [0.5] * 20 + [1.0], random.Random(1), follow=0.9)
    # deciding rollouts up to 64 a side: at the default one look of 16 a flat pivot may stay undecided
    cfg = MiningConfig(filter=FilterConfig(enabled=False), estimator=EstimatorConfig(confirm_max_rollouts=64))
    miner = TrajectoryMiner(st.traj, cfg)
    sampler = SimSampler({"f": st})
    miner.phase = miner.phase.CONFIRM
    a, b = Estimate(4, 16), Estimate(14, 16)  # what a lucky search saw at the flat 5 -> 6
    miner._accept(5, a, b)
    while reqs := miner.step():
        for (req, kind), outs in zip(reqs, sampler([q for q, _ in reqs])):
            miner.ingest(req, kind, outs)
    r = miner.result()
    (pv,) = r.pivots
    assert pv.confirmed is Confirmation.REFUTED and pv.search_before.trials == 16 and pv.before.trials >= 16
    assert r.reported == [] and r.pairs == []


def test_pair_settings_out_of_range_are_refused():
    """A negative number of extra rounds (``--pairs-explore-rounds -1``) was taken as 0, silently."""
    import pytest

    with pytest.raises(ValueError, match="explore_rounds >= 0"):
        PairConfig(explore_rounds=-1)
    with pytest.raises(ValueError, match="min_count >= 1"):
        PairConfig(min_count=0)
    assert PairConfig(explore_rounds=0).explore_rounds == 0
