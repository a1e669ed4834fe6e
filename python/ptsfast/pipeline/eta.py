"""Time left of a mining run, from its first minute: decoded tokens per second against the tokens the run is
expected to decode.

The search is adaptive, so a run's work is not known up front, and on long traces no problem finishes in the
first minutes (the first bisection level alone is tens of thousands of tokens). What is known from the first
decode steps is the speed; the work is estimated in decoded tokens: per problem, its solutions (``trajectories``
x the solution budget) plus its search, a prior number of rollouts a trajectory (:func:`prior_rollouts`, from
the solutions already prefilled; from the solution budget before any) of the rollouts' mean length (the mean of
the rollouts finished so far, drawn towards a prior length of half a solution: :func:`RunWork.rollout_length`).
Once problems have finished, the tokens they took replace the prior: decoded tokens per problem counting each
problem in flight as half done. The estimate is labelled as resting on the prior until then. The speed is
that of the later half of the decoding so far (:class:`DecodeSpeed`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

PRIOR_SCALE = 70.0
"""Rollouts a trajectory per square root of its movable tokens (:func:`prior_rollouts`), measured on SmolLM2's own
solutions mined at the defaults: the demo's 6 (7-64 tokens, 7-50 movable; ratios 9-90, median 64) and the long-trace
benchmark's 3 (1,010-4,068 tokens, 552-2,318 movable; 109, 70, 63); ``benchmarks/results/eta_prior.md``."""

PRIOR_ROLLOUTS = 880
"""Rollouts a trajectory at most before any solution is known (the simulation's figure for 1k-4k-token solutions
when this was written); a smaller solution budget gives fewer (:meth:`RunWork.tokens_per_problem`)."""

LENGTH_PRIOR_WEIGHT = 100
"""Finished rollouts the prior rollout length counts as. The first rollouts to finish are the first bisection
level's, from the middle of the solutions, longer than the mean (the demo's first 40 averaged 44 tokens, all 1,483
of them 23): alone they made the first minute's ETA 2x longer."""

SPEED_WARMUP_S = 3.0
"""Seconds of decoding before the speed is trusted enough to show a time left."""


def prior_rollouts(movable: int) -> float:
    """Rollouts the search is expected to spend on a solution with ``movable`` tokens that could move p by the
    gap (:func:`~ptsfast.mining.search.movable`): every other segment is dropped without a rollout, so the search
    grows with these, not with the length. The square root holds on the simulation's five populations too
    (rollouts / sqrt(movable) has medians 109-155 a population from 28 to 139 movable tokens on average; their
    curves hold more pivots than real ones, hence the larger ratio)."""
    return PRIOR_SCALE * math.sqrt(max(1, movable))


class Progress(Protocol):
    """What the estimate reads of a run's counters (:class:`~ptsfast.pipeline.loop.RunStats`)."""

    problems: int  # finished
    in_flight: int  # started, not finished
    decoded_tokens: int  # every token decoded so far
    rollouts: int  # search rollouts finished
    tokens: int  # their tokens
    searches: int  # trajectories whose search started
    prior_rollouts: float  # the sum of their priors
    solution_tokens: int  # the sum of their solutions' lengths


@dataclass(frozen=True)
class RunWork:
    """What a run is asked to do, as far as its cost goes."""

    problems: int
    trajectories: int  # per problem
    solution_tokens: int  # budget of each sampled solution
    rollout_tokens: int  # budget of each search rollout
    prior_rollouts: float = PRIOR_ROLLOUTS  # before any search started

    def tokens_per_problem(self, s: Progress) -> float:
        """Expected decoded tokens of one problem, given the run so far."""
        if s.problems:
            return s.decoded_tokens / (s.problems + s.in_flight / 2)
        if s.searches:
            rollouts = s.prior_rollouts / s.searches
        else:  # a solution has at most its budget of movable tokens
            rollouts = min(self.prior_rollouts, prior_rollouts(self.solution_tokens))
        return self.trajectories * (self.solution_tokens + rollouts * self.rollout_length(s))

    def rollout_length(self, s: Progress) -> float:
        """Expected tokens of a search rollout: the mean of those finished, counted with a prior length of
        :data:`LENGTH_PRIOR_WEIGHT` rollouts. A rollout from a probe runs about as long as the rest of the solution
        (capped by the rollout budget), and probes spread over the solution: the prior is half a solution, of
        the solutions sampled so far (of the budget before any)."""
        solution = s.solution_tokens / s.searches if s.searches else self.solution_tokens
        prior = min(self.rollout_tokens, solution / 2)
        return (s.tokens + LENGTH_PRIOR_WEIGHT * prior) / (s.rollouts + LENGTH_PRIOR_WEIGHT)

    def seconds_left(self, s: Progress, tokens_per_s: float) -> float | None:
        """Seconds until the run ends at ``tokens_per_s``; ``None`` before the speed is known."""
        if tokens_per_s <= 0:
            return None
        return max(0.0, self.problems * self.tokens_per_problem(s) - s.decoded_tokens) / tokens_per_s


@dataclass
class DecodeSpeed:
    """Decoded tokens per second over the later half of the decoding so far (at least :data:`SPEED_WARMUP_S`),
    0 during the first :data:`SPEED_WARMUP_S`.

    The run's clock starts before its first decode step (the prompts' prefill); counted in, it showed 18 hours
    left in the first second of a 4-minute demo. The first minutes decode few rows at a time (the solutions), the
    search many: the average from the first step kept the demo's ETA at 2.1-2.3x the time left after a minute,
    the later half at 1.7-1.8x; it forgets the slow start and is steadier than the last seconds."""

    warmup_s: float = SPEED_WARMUP_S
    start: float | None = None  # seconds at the first report with a decoded token
    seen: deque[tuple[float, int]] = field(default_factory=deque)  # (seconds, decoded tokens) from the window on

    def __call__(self, seconds: float, decoded_tokens: int) -> float:
        if self.start is None:
            if not decoded_tokens:
                return 0.0
            self.start = seconds
        self.seen.append((seconds, decoded_tokens))
        elapsed = seconds - self.start
        if elapsed < self.warmup_s:
            return 0.0
        cutoff = seconds - max(self.warmup_s, elapsed / 2)  # only moves forward: older reports are dropped
        while len(self.seen) > 1 and self.seen[1][0] <= cutoff:
            self.seen.popleft()
        t0, n0 = self.seen[0]
        return (decoded_tokens - n0) / (seconds - t0) if seconds > t0 else 0.0


def format_eta(seconds: float | None, from_prior: bool) -> str:
    """``ETA 1h02m`` / ``ETA 4m05s`` / ``ETA ?``, with ``~`` while the estimate rests on the prior."""
    if seconds is None:
        return "ETA ?"
    s = int(round(seconds))
    h, m, s = s // 3600, s // 60 % 60, s % 60
    text = f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"
    return f"ETA {'~' if from_prior else ''}{text}"
