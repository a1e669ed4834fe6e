"""Thought anchors: a sentence most of whose resamples come back similar goes on past the cap while too few differ to
decide (and only then), the sequential decisions keeping their error rates; the splitter on traces in Chinese and
Japanese, LaTeX display math across lines, numbered lists, abbreviations, decimals and a trace's end mid-line."""

import random

import pytest
from anchor_world import World, run_world

from ptsfast.mining.anchors import AnchorConfig, AnchorOutcome, AnchorSearch, Stop, sentence_starts


def _records(q, p_with, p_different, runs, seed):
    rng = random.Random(seed)
    return [run_world(World([p_with, p_with], [q], [p_different], None), AnchorConfig(), rng) for _ in range(runs)]


def test_a_sentence_whose_resamples_mostly_agree_is_found_past_the_cap():
    # 90% of the resamples similar: about 6 different ones of 64, and a true importance of 0.3 was found 31% of the
    # time; its resamples go on past the cap while fewer than 16 differ
    runs = _records(0.9, 0.65, 0.35, 300, 5)
    assert sum(r[0].is_anchor for _, r in runs) / len(runs) >= 0.5
    assert max(s.pools[0].trials for s, _ in runs) <= 4 * 64


@pytest.mark.parametrize("q", [0.8, 0.9, 0.95])
def test_decisions_at_the_threshold_keep_their_error_rate_past_the_cap(q):
    runs = _records(q, 0.6, 0.4, 1000, 3)
    assert sum(r[0].stop is Stop.ANCHOR for _, r in runs) / len(runs) <= 0.025
    assert sum(r[0].stop is Stop.NOT_ANCHOR for _, r in runs) / len(runs) <= 0.025


def test_no_effect_is_rarely_an_anchor_past_the_cap():
    runs = _records(0.9, 0.5, 0.5, 600, 7)
    assert sum(r[0].is_anchor for _, r in runs) / len(runs) <= 0.09


def _search(different, successes, similar=64):
    s = AnchorSearch(1, AnchorConfig(), final=None)
    s.add(0, [AnchorOutcome(True, True)] * (similar - different) + [AnchorOutcome(i < successes, False)
                                                                     for i in range(different)])
    s.add(1, [AnchorOutcome(i % 2 == 0) for i in range(64)])
    return s


def test_resamples_go_past_the_cap_only_while_few_differ_and_the_importance_may_reach_the_threshold():
    assert _search(4, 0).requests() == [(0, 64)]  # p(with) 0.5, p(different) 0 of 4: undecided
    assert _search(0, 0).requests() == []  # every resample similar: nothing to compare with
    assert _search(16, 8).requests() == []  # enough differ (and p(different) 0.5: no importance)
    assert _search(4, 2).requests() == []  # p(different) 2 of 4, the point 0: far below the threshold
    assert _search(8, 0, similar=4 * 64).requests() == []  # four caps
    s = _search(4, 0)
    s.add(0, [AnchorOutcome(True, True)] * 64)
    assert s.requests() == [(0, 64)] and s.rollouts == 192
