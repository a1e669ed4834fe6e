"""A segment whose ends share no rollout, at its key cap, is dropped on the point estimate only where the
discard bound agrees: *tightdrift*'s pivots hang on chains of such segments just over the gap, and the cap's point
estimate dropped them more often than ``discard_confidence`` allows (recall 95.1%, worst seed 94.5%)."""

from ptsfast.mining.estimator import GapTest, Memo
from ptsfast.mining.types import Estimate, EstimatorConfig, RolloutOutcome

GAP = 0.2
SOL = tuple(range(10, 40))


def unpaired(left: int, right: int, n: int = 64) -> Memo:
    """Counts at positions 3 and 20 from rollouts that each leave the solution at once (none crosses)."""
    m = Memo(SOL, final=None)
    m.ingest(3, (), [RolloutOutcome((5,), k < left) for k in range(n)])
    m.ingest(20, (), [RolloutOutcome((5,), k < right) for k in range(n)])
    return m


def decision(m: Memo, test: GapTest):
    a, b, shared = m.get(3), m.get(20), m.shared(3, 20)
    key = test.key_level(3, 20, a, b, shared)
    return key, test.decide(a, b, False, shared, key)


def test_an_unpaired_segment_read_just_below_the_split_goes_on_to_the_long_cap():
    test = GapTest(EstimatorConfig(), GAP)
    m = unpaired(32, 38)  # 0.094 at 64 a side: the cap's point estimate drops it, its 80% bound reaches 0.21
    assert m.shared(3, 20)[0] == 0 and test.cap_for(1) == 64 and test.cap_for(2) == 128
    assert decision(m, test) == (2, None)  # it was (1, "small")
    assert test.wanted(m.get(3), m.get(20), False, 2) == [0, 1] and test.batch(m.get(3), 2) == 64
    # at the long cap the point estimate decides, as at the key cap
    assert decision(unpaired(64, 76, 128), test) == (1, "small")
    assert decision(unpaired(64, 78, 128), test) == (1, "big")


def test_the_extension_leaves_other_reads_and_segments_alone():
    test = GapTest(EstimatorConfig(), GAP)
    assert decision(unpaired(32, 35), test) == (1, "small")  # 0.047: the bound is below the gap
    assert decision(unpaired(6, 12), test) == (1, "small")  # 0.094 near p = 0: its bound is 0.17
    assert decision(unpaired(32, 39), test) == (1, "big")  # 0.109: split at the key cap
    assert decision(unpaired(16, 19, 32), test)[0] == 1  # not at its cap yet
    a, b = Estimate(32, 64), Estimate(38, 64)
    assert test.key_level(3, 20, a, b, (4, 2, 2, 2)) == 0  # shared rollouts: the paired interval reads them
    assert test.key_level(3, 20, a, b) == 0  # shares unknown (the user's search)
    assert test.key_level(3, 4, a, b, (0, 0, 0, 0)) == 1  # one token: token_extend_margin's rule
    assert GapTest(EstimatorConfig(reuse=False), GAP).key_level(3, 20, a, b, (0, 0, 0, 0)) == 0
    assert GapTest(EstimatorConfig(fixed_rollouts=64), GAP).key_level(3, 20, a, b, (0, 0, 0, 0)) == 0
