"""The bisection of PTS (docs/design.md §1), breadth-first and estimator-agnostic.

:class:`Bisection` holds one trajectory's frontier of undecided segments. Whoever drives it
(:func:`search` with a user function, or :mod:`ptsfast.mining.driver` with a rollout sampler,
sequential estimation and alternatives over many trajectories) reads the positions it needs, decides each
segment, and calls :meth:`Bisection.resolve`. Since the split point of a segment is known
as soon as the segment is, every probe of the frontier can go to the estimator in one batch.
"""

from __future__ import annotations

import bisect
import math
import numbers
import operator
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .stats import reaches, summarize
from .types import Direction, Estimate, EstimateSummary, SplitRule, check_gap, check_split


def cumulative_surprisal(logprobs: Sequence[float]) -> list[float]:
    """``S[k] = -sum(logprobs[:k])``: surprisal carried by t_1..t_k (non-decreasing)."""
    out, acc = [0.0], 0.0
    for lp in logprobs:
        acc += max(0.0, -float(lp)) if math.isfinite(lp) else 1e9
        out.append(acc)
    return out


def split_point(i: int, j: int, cum: Sequence[float] | None = None) -> int:
    """Split of segment t_{i+1}..t_j, clamped to ``i < m < j``.

    With ``cum`` (cumulative surprisal) the split is the position whose prefix carries
    closest to half of the segment's surprisal (ties -> the lower one), so a single
    unlikely token is isolated in a few levels; without it, the token-count midpoint.
    """
    if j - i < 2:
        raise ValueError(f"segment ({i}, {j}) has no interior split point")
    if cum is None or cum[j] - cum[i] <= 0:
        return (i + j) // 2
    target = (cum[i] + cum[j]) / 2
    k = bisect.bisect_left(cum, target, i + 1, j)  # first m with cum[m] >= target
    best = k
    if k - 1 > i and (target - cum[k - 1]) <= (cum[k] - target):
        best = k - 1
    return min(max(best, i + 1), j - 1)


BOUND_SLACK = 0.02
"""What one token less of budget may add to a token's effect on p (see :func:`movable`)."""


def movable(logprobs: Sequence[float], gap: float) -> list[int]:
    """``M[k]``: how many of t_1..t_k could move p by ``gap`` (prefix counts).

    A rollout after t_1..t_k writes t_{k+1} with probability f, else leaves the solution; so
    ``p(k) = f p(k+1) + (1 - f) q`` (q: its success rate after leaving) and ``|p(k+1) - p(k)| = (1 - f) |p(k+1) - q|
    <= 1 - f``. A token with ``1 - f < gap - BOUND_SLACK`` (slack: the token of budget it spends) is no pivot, and a
    segment made only of such tokens holds none: the pseudo-code's subtree below it finds nothing.

    f is the rollouts' sampling probability; from the model's log-prob the bound holds when they sample with
    temperature <= 1 and any top-k / top-p (both only raise the probability of the most likely token, which
    every token with ``f > 1 - gap > 1/2`` is) -- :meth:`~ptsfast.mining.types.EstimatorConfig.logprob_bound`."""
    out, acc = [0], 0
    for lp in logprobs:
        f = math.exp(lp) if math.isfinite(lp) and lp <= 0 else (1.0 if lp > 0 else 0.0)
        acc += (1.0 - f) >= gap - BOUND_SLACK
        out.append(acc)
    return out


@dataclass
class Bisection:
    """Frontier of ``subdivide(0, L)`` for one trajectory.

    ``resolve(seg, differs)``: for a segment longer than one token, ``differs`` bisects it;
    for a one-token segment it makes it a pivot. Non-differing segments become leaves.
    ``movable``: prefix counts of the tokens that could be pivots (:func:`movable`); the driver drops a segment
    with none (:meth:`may_hold_pivot`) without estimating it.
    """

    length: int
    cum: list[float] | None = None
    frontier: list[tuple[int, int]] = field(default_factory=list)
    leaves: list[tuple[int, int]] = field(default_factory=list)
    pivots: list[tuple[int, int]] = field(default_factory=list)
    movable: list[int] | None = None

    def __post_init__(self) -> None:
        if self.length > 0 and not self.frontier and not self.leaves:
            self.frontier = [(0, self.length)]

    @classmethod
    def for_solution(cls, length: int, logprobs: Sequence[float] | None, split: SplitRule = "logprob",
                     bound_gap: float | None = None) -> "Bisection":
        """``bound_gap``: drop segments that cannot hold a pivot of this gap by their log-probs (:func:`movable`)."""
        have = logprobs is not None and len(logprobs) == length
        use = split == "logprob" and have
        check_split(split)
        room = movable(logprobs, bound_gap) if have and bound_gap is not None else None
        return cls(length, cumulative_surprisal(logprobs) if use else None, movable=room)

    def may_hold_pivot(self, i: int, j: int) -> bool:
        """False when no token of t_{i+1}..t_j can move p by the gap (known from the log-probs alone)."""
        return self.movable is None or self.movable[j] > self.movable[i]

    @property
    def done(self) -> bool:
        return not self.frontier

    def positions(self) -> list[int]:
        """Endpoints of the frontier, sorted: what has to be estimated next."""
        return sorted({p for seg in self.frontier for p in seg})

    def resolve(self, seg: tuple[int, int], differs: bool) -> list[tuple[int, int]]:
        """Decide one frontier segment; returns the new child segments (maybe none)."""
        self.frontier.remove(seg)
        i, j = seg
        if j - i <= 1:
            (self.pivots if differs else self.leaves).append(seg)
            if differs:
                self.leaves.append(seg)
            return []
        if not differs:
            self.leaves.append(seg)
            return []
        m = split_point(i, j, self.cum)
        kids = [(i, m), (m, j)]
        self.frontier.extend(kids)
        return kids


PFunction = Callable[[tuple[int, ...]], "float | tuple[int, int]"]


@dataclass
class SearchResult:
    """Result of :func:`search`: pivot segments, their directions and every estimate used."""

    pivots: list[tuple[int, int]]
    segments: list[tuple[int, int]]
    estimates: dict[int, EstimateSummary]
    calls: int

    def directions(self) -> list[Direction]:
        return [Direction.of(self.estimates[i].p, self.estimates[j].p) for i, j in self.pivots]


_RETURN = "return a probability in [0, 1] (a float) or (successes, trials), two whole numbers"


def _as_estimate(value: "float | tuple[int, int]", pos: int) -> Estimate:
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(f"p(prefix of {pos} tokens) returned a tuple of {len(value)}, {_short(value)}: {_RETURN}")
        s, n = value
        whole = all(isinstance(x, numbers.Integral) or (isinstance(x, float) and x.is_integer()) for x in (s, n))
        if not whole or not 0 <= s <= n or n <= 0:
            raise ValueError(f"p(prefix of {pos} tokens) returned {value!r}: need (successes, trials), whole numbers "
                             f"with 0<=s<=n, n>0")
        return Estimate(int(s), int(n))
    try:
        v = float(value) if not isinstance(value, (str, bytes)) else None
    except (TypeError, ValueError):  # None, a list, an array of many values
        v = None
    if v is None:
        raise ValueError(f"p(prefix of {pos} tokens) returned {_short(value)} ({type(value).__name__}): {_RETURN}")
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"p(prefix of {pos} tokens) returned {v}: a probability must be in [0, 1]")
    return Estimate(exact=v)


def _short(value) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _token_ids(solution_ids) -> tuple[int, ...]:
    """The solution's token ids as ints (a list, an int array or tensor); text or other numbers are refused."""
    fix = "pass the solution's token ids as a list of ints (tokenizer.encode(text, add_special_tokens=False))"
    items = solution_ids.tolist() if hasattr(solution_ids, "tolist") else solution_ids
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"solution_ids is of type {type(solution_ids).__name__}, {_short(solution_ids)}: {fix}")
    out = []
    for t in items:
        try:
            out.append(operator.index(t))
        except TypeError:
            raise TypeError(f"solution_ids must be token ids, got {_short(t)} ({type(t).__name__}) among them: "
                            f"{fix}") from None
    return tuple(out)


def search(
    solution_ids: Sequence[int],
    p: PFunction,
    gap: float = 0.2,
    logprobs: Sequence[float] | None = None,
    *,
    split: SplitRule = "logprob",
    p_final: float | None = None,
    confidence: float = 0.95,
) -> SearchResult:
    """PTS on one solution with your own estimator ``p(prefix_ids) -> float | (s, n)``.

    ``prefix_ids`` is the tuple t_1..t_i of solution tokens (the prompt is yours to add).
    Floats are taken as exact: the result is then exactly the pivots of the pseudo-code.
    Counts are judged by their point estimate (top-ups need the sampler API:
    :func:`find_pivots`); intervals in ``estimates`` use ``confidence``. ``p_final`` (e.g.
    the oracle verdict 0/1) replaces the call for the full solution. Without ``logprobs``
    the token-count midpoint is used. Each prefix is evaluated once, level by level.
    """
    check_gap(gap)
    if not (isinstance(confidence, (int, float)) and not isinstance(confidence, bool) and 0 < confidence < 1):
        raise ValueError(f"confidence={confidence!r}: use a level in (0, 1), e.g. 0.95")
    if not callable(p):
        raise TypeError(f"p must be a function p(prefix_ids) -> probability or (successes, trials), got "
                        f"{type(p).__name__}")
    ids = _token_ids(solution_ids)
    length = len(ids)
    if logprobs is not None and len(logprobs) != length:
        raise ValueError(f"{len(logprobs)} log-probs for {length} solution tokens: pass one per token (the log-prob of "
                         f"t_k given the prompt and t_1..t_(k-1)) or none")
    bis = Bisection.for_solution(length, logprobs, split)
    memo: dict[int, Estimate] = {}
    if p_final is not None:
        try:
            memo[length] = _as_estimate(p_final, length)
        except (ValueError, TypeError):
            raise ValueError(f"p_final={p_final!r}: pass a probability in [0, 1] (e.g. the verdict 0 or 1)") from None
    calls = 0
    while not bis.done:
        for pos in bis.positions():
            if pos not in memo:
                memo[pos] = _as_estimate(p(ids[:pos]), pos)
                calls += 1
        for seg in list(bis.frontier):
            a, b = memo[seg[0]], memo[seg[1]]
            bis.resolve(seg, reaches(abs(b.p - a.p), gap))
    if length == 0 and 0 not in memo:
        memo[0] = _as_estimate(p(()), 0)
        calls += 1
    est = {k: summarize(v, confidence) for k, v in sorted(memo.items())}
    return SearchResult(sorted(bis.pivots), sorted(bis.leaves), est, calls)
