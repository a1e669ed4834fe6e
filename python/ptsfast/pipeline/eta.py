"""Time left of a mining run, from its first minute: decoded tokens per second against the tokens the run is
expected to decode.

The search is adaptive, so a run's work is not known up front, and on long traces no problem finishes in the
first minutes (the first bisection level alone is tens of thousands of tokens). What is known from the first
decode steps is the speed; the work is estimated in decoded tokens: per problem, its solutions (``trajectories``
x the solution budget) plus its search, ``prior_rollouts`` rollouts a trajectory of the rollouts' mean length
(measured on the rollouts finished so far; half the rollout budget before any). Once problems have finished, the
tokens they took replace the prior: decoded tokens per problem counting each problem in flight as half done.
The estimate is labelled as resting on the prior until then.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIOR_ROLLOUTS = 880
"""Rollouts a trajectory needs at the default search settings, from a simulation of 1k-4k-token solutions
when this was written (``benchmarks/results/statistics.md``, population ``long``, has today's figure); shorter
solutions need fewer, so the first estimate leans long."""


@dataclass(frozen=True)
class RunWork:
    """What a run is asked to do, as far as its cost goes."""

    problems: int
    trajectories: int  # per problem
    solution_tokens: int  # budget of each sampled solution
    rollout_tokens: int  # budget of each search rollout
    prior_rollouts: int = PRIOR_ROLLOUTS

    def tokens_per_problem(self, done: int, in_flight: int, decoded: int, rollouts: int, rollout_tokens: int) -> float:
        """Expected decoded tokens of one problem, given the run so far: ``done`` problems finished, ``in_flight``
        started, ``decoded`` tokens decoded in all, ``rollouts`` search rollouts finished with ``rollout_tokens``
        tokens."""
        if done:
            return decoded / (done + in_flight / 2)
        mean = rollout_tokens / rollouts if rollouts else self.rollout_tokens / 2
        return self.trajectories * (self.solution_tokens + self.prior_rollouts * mean)

    def seconds_left(self, done: int, in_flight: int, decoded: int, rollouts: int, rollout_tokens: int,
                     tokens_per_s: float) -> float | None:
        """Seconds until the run ends at ``tokens_per_s``; ``None`` before the speed is known."""
        if tokens_per_s <= 0:
            return None
        per = self.tokens_per_problem(done, in_flight, decoded, rollouts, rollout_tokens)
        return max(0.0, self.problems * per - decoded) / tokens_per_s


def format_eta(seconds: float | None, from_prior: bool) -> str:
    """``ETA 1h02m`` / ``ETA 4m05s`` / ``ETA ?``, with ``~`` while the estimate rests on the prior."""
    if seconds is None:
        return "ETA ?"
    s = int(round(seconds))
    h, m, s = s // 3600, s // 60 % 60, s % 60
    text = f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"
    return f"ETA {'~' if from_prior else ''}{text}"
