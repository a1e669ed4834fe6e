"""Time left of a mining run, from its first minute: decoded tokens per second against the tokens the run is
expected to decode.

The search is adaptive, so a run's work is not known up front, and on long traces no problem finishes in the
first minutes (the first bisection level alone is tens of thousands of tokens). What is known from the first
decode steps is the speed; the work is estimated in decoded tokens: per problem, its solutions (``trajectories``
x the solution budget) plus its search, a prior number of rollouts a trajectory (:func:`prior_rollouts`, from
the solutions already prefilled; a fixed guess before any) of the rollouts' mean length (measured on the
rollouts finished so far; half the rollout budget before any). Once problems have finished, the tokens they took
replace the prior: decoded tokens per problem counting each problem in flight as half done. The estimate is
labelled as resting on the prior until then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

PRIOR_SCALE = 70.0
"""Rollouts a trajectory per square root of its movable tokens (:func:`prior_rollouts`), measured on SmolLM2's own
solutions mined at the defaults: the demo's 6 (7-64 tokens, 7-50 movable; ratios 9-90, median 64) and the long-trace
benchmark's 3 (1,010-4,068 tokens, 552-2,318 movable; 109, 70, 63); ``benchmarks/results/eta_prior.md``."""

PRIOR_ROLLOUTS = 880
"""Rollouts a trajectory before any solution is known: the simulation's figure for 1k-4k-token solutions when
this was written; shorter solutions need fewer, so the first estimate leans long until solutions come in."""


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
        mean = s.tokens / s.rollouts if s.rollouts else self.rollout_tokens / 2
        rollouts = s.prior_rollouts / s.searches if s.searches else self.prior_rollouts
        return self.trajectories * (self.solution_tokens + rollouts * mean)

    def seconds_left(self, s: Progress, tokens_per_s: float) -> float | None:
        """Seconds until the run ends at ``tokens_per_s``; ``None`` before the speed is known."""
        if tokens_per_s <= 0:
            return None
        return max(0.0, self.problems * self.tokens_per_problem(s) - s.decoded_tokens) / tokens_per_s


def format_eta(seconds: float | None, from_prior: bool) -> str:
    """``ETA 1h02m`` / ``ETA 4m05s`` / ``ETA ?``, with ``~`` while the estimate rests on the prior."""
    if seconds is None:
        return "ETA ?"
    s = int(round(seconds))
    h, m, s = s // 3600, s // 60 % 60, s % 60
    text = f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"
    return f"ETA {'~' if from_prior else ''}{text}"
