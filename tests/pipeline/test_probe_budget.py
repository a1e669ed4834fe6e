"""The engine sampler under a token budget: extra tokens for reused rollouts, verdicts of their cuts."""

from types import SimpleNamespace

from ptsfast.mining import ProbeRequest
from ptsfast.mining.estimator import Memo
from ptsfast.pipeline import MineOptions
from ptsfast.pipeline.probes import EngineSampler, TrajectoryContext

SOL = (10, 11, 12, 13, 14, 15)


class FakeEngine:
    """Every rollout writes ``tokens`` (as far as its limit allows)."""

    def __init__(self, tokens):
        self.tokens, self.requests = tuple(tokens), []

    def rollout(self, requests, progress=None):
        self.requests += requests
        return [[SimpleNamespace(tokens=self.tokens[: r.max_new_tokens])] * r.n for r in requests]


class Tok:
    def batch_decode(self, ids, skip_special_tokens=True):
        return [" ".join(map(str, x)) for x in ids]


def contains_7(text, problem):
    return "7" in text.split(), None


def test_rollouts_past_the_budget_are_judged_where_they_would_be_cut():
    # budget 4, asked for 4 + 3: follows t_1..t_3, leaves with 99, writes the answer "7" as its 6th token
    engine = FakeEngine([10, 11, 12, 99, 5, 7, 8])
    sampler = EngineSampler(engine, Tok(), contains_7, MineOptions(max_new_tokens=4),
                            {"k": TrajectoryContext(0, 3, SOL, None)})
    (outs,) = sampler([ProbeRequest("k", 0, 1, 0, (), 7)])
    assert engine.requests[0].max_new_tokens == 7
    (o,) = outs
    assert o.success  # all 7 tokens hold the answer
    # cut after 4, 5, 6 tokens: only the 6-token cut holds "7" (what a 4-token rollout from t_2 writes)
    assert o.cut_success == (False, False, True)
    m = Memo(SOL, final=1.0, budget=4)
    m.ingest(0, (), outs, 7)
    assert [m.get(k).successes for k in range(4)] == [0, 0, 1, 1] and [m.get(k).trials for k in range(4)] == [1] * 4
    # within the budget (or not asked for more) no cut is judged
    (outs,) = sampler([ProbeRequest("k", 0, 1, 0, (), None)])
    assert outs[0].cut_success == () and engine.requests[-1].max_new_tokens == 4


def test_the_log_prob_bound_is_off_above_temperature_one():
    """The bound (a likely token moves p by at most 1 - its probability) needs rollouts that write a likely token
    at least as often as its log-prob says: true at temperature <= 1 with any top-k / top-p, not above."""
    assert MineOptions(temperature=0.7, top_k=20).search_config().estimator.logprob_bound
    assert MineOptions(temperature=1.0, top_p=0.9).search_config().estimator.logprob_bound
    assert not MineOptions(temperature=1.3).search_config().estimator.logprob_bound
