"""The search's ``RolloutSampler`` backed by the rollout engine and an oracle.

Every probe of a search round becomes one engine request; the whole round is one ``engine.rollout``
call, so rollouts of all positions of all trajectories share the decode batches. The text an oracle
judges is the solution prefix, any forced tokens and the rollout, decoded together from token ids
(never re-encoded).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ptsfast.engine import RolloutEngine, RolloutRequest, SamplingParams
from ptsfast.mining.estimator import common_prefix
from ptsfast.mining.types import ProbeRequest, RolloutOutcome

Judge = Callable[[str, object], tuple[bool, str | None]]
"""(completion text, problem) -> (success, error or None); must not raise."""


@dataclass(frozen=True)
class RolloutSettings:
    """How probes sample: the paper's p(success) is under the model's own sampling distribution."""

    max_new_tokens: int = 256
    """The rollouts' budget. Rollouts that the search may reuse further on are given more tokens and
    judged also as if cut at this budget from there (``RolloutOutcome.cut_success``)."""
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    stop_strings: tuple[str, ...] = ()
    answer_complete: Callable[[str], bool] | None = None
    """Ends a rollout once the solution text so far already decides the verdict (``oracles.answer_complete``)."""


def text_stop(tokenizer, head: Sequence[int], check: Callable[[str], bool] | None):
    """An engine ``stop_fn``: decode ``head + generated`` and ask ``check`` whether the answer is complete."""
    if check is None:
        return None
    head = list(head)
    return lambda generated: check(tokenizer.decode(head + generated, skip_special_tokens=True))


@dataclass(frozen=True)
class TrajectoryContext:
    """Where a trajectory lives in the engine and what its rollouts are judged against."""

    seq_id: int
    prompt_len: int
    solution_ids: tuple[int, ...]
    problem: object


class EngineSampler:
    def __init__(self, engine: RolloutEngine, tokenizer, judge: Judge, settings: RolloutSettings,
                 contexts: dict[Hashable, TrajectoryContext], judge_threads: int = 4,
                 on_tokens: Callable[[int], None] | None = None):
        self.engine = engine
        self.tokenizer = tokenizer
        self.judge = judge
        self.settings = settings
        self.contexts = contexts
        self.judge_threads = judge_threads
        self.on_tokens = on_tokens
        self.rollouts = 0
        self.tokens = 0

    def __call__(self, requests: Sequence[ProbeRequest]) -> list[list[RolloutOutcome]]:
        s = self.settings
        contexts = [self.contexts[r.key] for r in requests]
        # the solution text each rollout continues: kept prefix + forced tokens
        heads = [list(ctx.solution_ids[: r.position]) + list(r.forced) for r, ctx in zip(requests, contexts)]
        engine_requests = [
            RolloutRequest(ctx.seq_id, ctx.prompt_len + r.position, r.n, r.max_new_tokens or s.max_new_tokens,
                           SamplingParams(s.temperature, s.top_k, s.top_p, r.seed),
                           stop_strings=s.stop_strings, forced=tuple(r.forced),
                           stop_fn=text_stop(self.tokenizer, head, s.answer_complete))
            for r, ctx, head in zip(requests, contexts, heads)]
        results = self.engine.rollout(engine_requests, progress=self.on_tokens)
        jobs, cuts = [], []
        for r, ctx, head, rollouts in zip(requests, contexts, heads, results):
            for ro in rollouts:
                jobs.append((head + list(ro.tokens), ctx.problem))
                cuts.append(self._cuts(r, ctx, ro.tokens))
                jobs += [(head + list(ro.tokens[: s.max_new_tokens + t]), ctx.problem) for t in range(cuts[-1])]
            self.rollouts += len(rollouts)
            self.tokens += sum(len(ro.tokens) for ro in rollouts)
        texts = self.tokenizer.batch_decode([ids for ids, _ in jobs], skip_special_tokens=True)
        with ThreadPoolExecutor(self.judge_threads) as pool:
            verdicts = list(pool.map(lambda a: self.judge(*a), zip(texts, (p for _, p in jobs))))
        out, k, c = [], 0, 0
        for rollouts in results:
            outs = []
            for ro in rollouts:
                (ok, err), extra = verdicts[k], verdicts[k + 1:k + 1 + cuts[c]]
                outs.append(RolloutOutcome(ro.tokens, bool(ok), err, tuple(bool(v) and e is None for v, e in extra)))
                k, c = k + 1 + cuts[c], c + 1
            out.append(outs)
        return out

    def _cuts(self, r: ProbeRequest, ctx: TrajectoryContext, tokens: Sequence[int]) -> int:
        """How many cut verdicts a rollout needs (``RolloutOutcome.cut_success``): one per solution
        position it can be counted at, and its alternative, where it ran past the budget from there."""
        budget = self.settings.max_new_tokens
        extra = (r.max_new_tokens or budget) - budget
        if r.forced or extra <= 0 or len(tokens) <= budget:
            return 0
        k = common_prefix(tuple(tokens), tuple(ctx.solution_ids), r.position)
        return min(k + 2, extra + 1, len(tokens) - budget)
