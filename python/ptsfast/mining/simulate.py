"""Statistics benchmark of the search on hard synthetic populations (pure Python and numpy, no torch).

Each trajectory gets a synthetic "model" with a known p-curve, so the search can be scored against
**exact PTS** (the pseudo-code run on the true curve) and everything it reports against the truth. The same
model drives the mining tests (``from_curve``).

* At solution position ``k`` a rollout writes the solution token ``t_{k+1}`` with probability ``follow[k]``
  (the trajectory's log-probs are ``log follow[k]``, as for a model that sampled it), else one of the
  alternatives of position k (equally likely; ``alt_q[k][a]`` is its branch's success probability). After an
  alternative the rollout writes its answer after a number of tokens uniform in ``alt_len[k]``, then up to
  ``trailer`` more tokens (a closing sentence); a solution cut by the length limit (``correct=None``) goes on
  with a tail whose answer comes ``tail[1]..tail[2]`` tokens after ``t_L``. A rollout that follows a complete
  solution gets its verdict.
* Every rollout has a token budget: it succeeds only if its answer fits in its ``max_new_tokens``. A rollout
  that runs past the search's budget B carries ``cut_success`` (the verdicts of its text cut at B + t tokens:
  the answer may fit there even if the rollout went on), as the engine's probes do. The true ``p(i)`` is the
  success probability of a rollout from ``i`` with the budget, computed exactly (:func:`true_curve`); the true
  p of an alternative is :meth:`SimTrajectory.alt_p`.
* Populations (:data:`POPULATIONS`): ``hard`` (several pivots, near-gap non-pivots and staircases whose sum
  crosses the gap, pivots at both ends, curves ending near their verdict, length-cut solutions, 20-500
  tokens), ``cancel`` (big jumps followed within a few to tens of tokens by opposite jumps that cancel
  50-95% of them: the segment around them differs by less than the gap at some bisection level), ``cap``
  (one-token and segment steps within 0.04 of the gap: decided at the cap), ``alike`` (3-6 alternatives per
  position, close to each other and to p(i): the pairs' winner's curse), ``long`` (1k-4k-token solutions
  with rare low-probability tokens spread along them, as in ``<think>`` traces, a budget close to their
  length, so rollouts are cut and answers come before the end). Not tuned on (:data:`EXTRA_POPULATIONS`):
  ``adjacent`` (runs of 2-3 pivots on consecutive tokens), ``dense`` (4-8 more pivots), ``drift`` (slow ramps:
  many tokens moving p by 0.01-0.03 the same way, no pivot among them), ``residual`` (a jump of 0.3-0.5 undone
  1-6 tokens later to 0.20-0.25 of its size: every segment over both steps differs by just over the gap, so the
  pivot hangs on a chain of near-gap decisions; found by a red-team after the knobs were chosen), ``neargap``
  (2-4 pivots of 0.20-0.28 and half the time one of 0.30-0.36, on solutions half of which the budget cuts: where
  a report that must clear the gap and a pair test that reads its pivot's counts bias what is reported),
  ``unlikely`` (1-3 pivots of 0.30-0.40 and 0-3 steps of 0.10-0.20, each on a token rollouts write 2-10% of the
  time: no rollout counts on both sides of it, so a one-token test reads it noisily). Shapes of real traces, added
  by a red-team after the knobs were chosen: ``edges`` (pivots on the first token and on the last three of a cut
  solution, or just before a complete one's verdict token; half the solutions cut), ``short`` (2-15 tokens),
  ``bounds`` (p(0) within 0.03 of the filter's bounds, p near 0 / 1 along most of the solution, one pivot back),
  ``movable`` (rollouts write a flat token 30-85% of the time, as at temperature 1: the log-prob bound drops nothing
  and reuse reaches little), ``opposite`` (a jump undone exactly by the next token), ``substairs`` (3-4 same-way
  steps of 0.12-0.19, 2-3 gaps in all, none a pivot), ``level`` (pivots on tokens written 1-5% of the time, whose
  3-6 alternatives all sit within 0.1 of p(i), a quarter of them on the pivot's side: few pairs exist),
  ``stop`` (pivots among the six tokens before the stop token, whose verdict is a coin flip), ``longroll``
  (rollouts that leave a 20-150-token solution answer after 100-800 tokens: the budget cuts many of their verdicts).
  A third red-team's: ``rebound`` (jumps to p within 0.03-0.06 of 0 / 1, then a slow return over 20-120 tokens),
  ``mathy`` (40% of the flat tokens written 1-20% of the time, as a math trace's numbers: the surprisal split
  isolates them before the pivots, and no rollout counts across them), ``neargapmath`` (neargap's pivots among
  mathy's tokens), ``rarealt`` (pivots on tokens written 20-40% of the time whose 6-8 alternatives are each rare,
  one or two level with p(k)), ``longearly`` (long's solutions with 1-3 pivots in their first eighth and rollouts
  answering 1,000-4,500 tokens after leaving: the budget cuts many), ``shared`` (two trajectories a problem, one
  p(0) within 0.03 of the filter's bounds), ``lastjump`` (a pivot on the last interior token), ``nologprobs`` (hard's
  solutions without log-probs, as a dataset's: midpoint splits, no log-prob bound), and ``cap`` /
  ``neargap`` drawn around gaps of 0.15 and 0.25 (``cap15``, ``cap25``, ``neargap15``, ``neargap25``: run them with
  ``--gap`` set to match). A fourth red-team's: ``flatedge`` (a jump to p within 0.03-0.05 of 0 / 1 early, flat there
  for over half the solution, then a pivot back in its last 40%), ``latetail`` (p(0) 0.45-0.55 and every step in the
  last 5% of a 400-2,000-token solution), ``likely`` (pivots written as often as their step allows: |Δ| <= 1 - f, so
  a token written 95% of the time is no pivot; their alternatives sit at 0 or 1), ``synonyms`` (1-3 of a pivot's 3-6
  alternatives level with p(k+1), the rest making up the mean), ``wiggle`` (stretches of 20-80 steps of 0.01-0.06,
  two thirds of them one way: a segment over one differs by a pivot's size, no token of it a pivot), ``mixedlen``
  (40% of the solutions 1-3 tokens, the rest 40-500), ``cutmost`` (rollouts that leave answer 150-1,000 tokens later:
  the budget cuts most of their answers; it flattens the designed steps, so few pivots are left), ``flatedgemath`` and
  ``wigglemath`` (those with mathy's rare flat tokens), ``latelong`` (latetail on 1,000-4,000 tokens), ``counterdrift``
  (1-2 pivots of 0.30-0.45, each amid 10-60 tokens drifting back against it by 0.08-0.2 in all), ``tightdrift`` (pivots
  of 0.30-0.40 amid 6-30 tokens drifting back by 0.10-0.25: chains of segments just over the gap above each pivot;
  each drift token written 15-85% of the time, so few rollouts cross them), ``tightdriftsure`` (tightdrift's curves,
  the drift's tokens written 90-99% of the time), ``siblings`` (hard's curves, four trajectories a problem from one
  p(0) of 0.25-0.75: one count of p(0) is the left end of every left-edge segment of all four). A fifth red-team's:
  ``family`` (1-5-token solutions, eight a problem from one p(0) of 0.25-0.75: most pivots sit on a first token,
  read against the problem's rollouts from the prompt), ``familymix`` (eight a problem, 30% of them 1-3 tokens, the
  rest hard's curves of 20-300 tokens), ``atgap`` (2-4 pivots of 0.22-0.28 on 300-token solutions the budget cuts:
  no verdict step, no pivot far from the gap, so every confirmed pivot was selected near it). A problem's
  trajectories share one model of the prompt (:func:`share_prompt`).

:func:`exact_pts` is an independent implementation of the pseudo-code with its own split rule (not
:func:`ptsfast.mining.search.split_point`); :func:`evaluate` runs :func:`find_pivots` on a population and
scores it; :func:`benchmark` runs several populations, seeds and configurations in one go.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from typing import Hashable, Sequence

import numpy as np

from .driver import find_pivots
from .stats import diff_interval, reaches
from .types import (
    Confirmation,
    Direction,
    Estimate,
    EstimatorConfig,
    MiningConfig,
    PairConfig,
    ProbeRequest,
    RolloutOutcome,
    Trajectory,
    TrajectoryResult,
)

JUNK = 3
"""Token id of everything a rollout writes after leaving the solution (never a solution token)."""
ALT_BASE = 50_000
MAX_ALTS = 8
"""Alternative ``a`` at position k is token ``ALT_BASE + MAX_ALTS * k + a``."""


# --------------------------------------------------------------------------- the synthetic model
@dataclass(frozen=True)
class SimTrajectory:
    """One solution and the synthetic model around it; ``p`` is its exact p-curve under ``budget``."""

    traj: Trajectory
    follow: tuple[float, ...]
    alt_q: tuple[tuple[float, ...], ...]
    alt_len: tuple[tuple[int, int], ...]
    tail: tuple[float, int, int] | None
    """Cut solutions: (success probability, min, max tokens after t_L to the answer)."""
    budget: int
    p: tuple[float, ...]
    """True p(k), k = 0..L, for a rollout with ``budget`` new tokens (exact)."""
    design: tuple[float, ...]
    """The designed curve, i.e. p without a token budget."""
    trailer: int = 0
    """A rollout goes on for up to this many tokens after its answer (uniform)."""
    _deviate: tuple[float, ...] = field(repr=False, default=())
    siblings: list = field(default_factory=list, repr=False, compare=False)
    """The trajectories of its problem, itself among them, where several share the prompt (:func:`share_prompt`):
    the prompt has one model, so a rollout from it comes from any of theirs with even odds (empty: its own)."""

    @property
    def length(self) -> int:
        return len(self.traj.solution_ids)

    def delta(self, k: int) -> float:
        """True p(k+1) - p(k): the effect of token t_{k+1}."""
        return self.p[k + 1] - self.p[k]

    def alt_token(self, k: int, a: int) -> int:
        return ALT_BASE + MAX_ALTS * k + a

    def alt_tokens(self, k: int) -> tuple[int, ...]:
        return tuple(self.alt_token(k, a) for a in range(len(self.alt_q[k])))

    def _prompt_weights(self, token: int | None) -> list[float]:
        """For each sibling, the chance that its model writes ``token`` first (None: any token)."""
        out = []
        for s in self.siblings:
            a = -1 if token is None else token - ALT_BASE
            out.append(1.0 if token is None else s.follow[0] if token == s.traj.solution_ids[0] else
                       (1 - s.follow[0]) / len(s.alt_q[0]) if 0 <= a < len(s.alt_q[0]) else 0.0)
        return out

    def alt_p(self, k: int, token: int) -> float:
        """True p after ``t_1..t_k + token`` (a rollout forced to start with it gets ``budget`` tokens);
        the solution's own token gives p(k+1)."""
        if k == 0 and len(self.siblings) > 1:  # the prompt's model: the siblings' that write the token, weighted
            w = self._prompt_weights(token)
            total = sum(w)
            return sum(x * s._own_alt_p(0, token) for x, s in zip(w, self.siblings)) / total if total else 0.0
        return self._own_alt_p(k, token)

    def _own_alt_p(self, k: int, token: int) -> float:
        if k < self.length and token == self.traj.solution_ids[k]:
            return self.p[k + 1]
        a = token - ALT_BASE - MAX_ALTS * k
        if k >= self.length or not 0 <= a < len(self.alt_q[k]):
            return 0.0
        return self.alt_q[k][a] * _len_cdf(self.budget, *self.alt_len[k])

    def rollout(self, position: int, forced: Sequence[int], max_new_tokens: int, rng: random.Random) -> RolloutOutcome:
        """One rollout after ``t_1..t_position + forced`` with at most ``max_new_tokens`` new tokens."""
        if position == 0 and len(self.siblings) > 1:  # from the prompt: a sibling's model that writes forced[0]
            w = self._prompt_weights(forced[0] if forced else None)
            if sum(w) > 0:
                return rng.choices(self.siblings, w)[0]._own_rollout(0, forced, max_new_tokens, rng)
        return self._own_rollout(position, forced, max_new_tokens, rng)

    def _own_rollout(self, position: int, forced: Sequence[int], max_new_tokens: int,
                     rng: random.Random) -> RolloutOutcome:
        sol, length = self.traj.solution_ids, self.length
        k = position
        for tok in forced:
            if k < length and tok == sol[k]:
                k += 1
                continue
            a = tok - ALT_BASE - MAX_ALTS * k
            known = k < length and 0 <= a < len(self.alt_q[k])
            ans = rng.randint(*self.alt_len[min(k, length - 1)])
            ok = rng.random() < (self.alt_q[k][a] if known else 0.0)
            return self._finish((), ans, ok, max_new_tokens, rng)
        start = k
        idx = bisect_right(self._deviate, self._deviate[k] + rng.expovariate(1.0), k + 1) if k < length else length + 1
        if idx <= length:  # leaves the solution at token t_idx (position d = idx - 1)
            d = idx - 1
            a = rng.randrange(len(self.alt_q[d]))
            head = sol[start:d] + (self.alt_token(d, a),)
            return self._finish(head, len(head) + rng.randint(*self.alt_len[d]), rng.random() < self.alt_q[d][a],
                                max_new_tokens, rng)
        if self.tail is not None:
            q, lo, hi = self.tail
            return self._finish(sol[start:], length - start + rng.randint(lo, hi), rng.random() < q,
                                max_new_tokens, rng)
        return self._finish(sol[start:], length - start, bool(self.traj.correct), max_new_tokens, rng, trailer=False)

    def _finish(self, head: tuple[int, ...], answer: int, ok: bool, limit: int, rng: random.Random,
                trailer: bool = True) -> RolloutOutcome:
        """A rollout of ``head`` then junk, whose answer ends at token ``answer`` (then a trailer), cut at
        ``limit``; ``cut_success[t]``: would its first ``budget + t`` tokens hold the (right) answer."""
        n = answer + (rng.randint(0, self.trailer) if trailer and self.trailer else 0)
        n = max(n, len(head))
        toks = (head + (JUNK,) * (n - len(head)))[:limit]
        cut = ()
        if len(toks) > self.budget:
            cut = tuple(ok and answer <= self.budget + t for t in range(len(toks) - self.budget))
        return RolloutOutcome(toks, ok and answer <= limit, cut_success=cut)


def _len_cdf(r: int, lo: int, hi: int) -> float:
    """P(length <= r) for a length uniform on lo..hi."""
    if r < lo:
        return 0.0
    if r >= hi:
        return 1.0
    return (r - lo + 1) / (hi - lo + 1)


def true_curve(follow, alt_q, alt_len, tail, correct, budget) -> list[float]:
    """Exact p(i) for every i: sum over where a rollout from i leaves the solution, each term cut by
    the budget it has left there (its answer must come within it)."""
    length = len(follow)
    f = np.asarray(follow, dtype=np.float64)
    cum = np.concatenate([[0.0], np.cumsum(np.log(np.maximum(f, 1e-300)))])
    weight = (1.0 - f) * np.array([sum(q) / len(q) for q in alt_q])
    lo = np.array([a for a, _ in alt_len], dtype=np.float64)
    span = np.array([b - a + 1 for a, b in alt_len], dtype=np.float64)
    out = []
    for i in range(length + 1):
        acc = 0.0
        if i < length:
            d = np.arange(i, length)
            left = budget - (d - i) - 1  # tokens left for the answer after the alternative token
            cdf = np.clip((left - lo[i:] + 1) / span[i:], 0.0, 1.0)
            acc = float(np.sum(np.exp(cum[i:length] - cum[i]) * weight[i:] * cdf))
        reach = math.exp(cum[length] - cum[i])
        left = budget - (length - i)
        if tail is not None:
            acc += reach * tail[0] * _len_cdf(left, tail[1], tail[2])
        elif correct and left >= 0:
            acc += reach
        out.append(min(1.0, max(0.0, acc)))
    return out


def _alternatives(rng: random.Random, r: float, count: int, alike: bool) -> tuple[float, ...]:
    """``count`` success probabilities whose mean is ``r`` (the model leaves the solution to each equally
    often); ``alike``: close to each other (and so to r)."""
    if count == 1:
        return (r,)
    e = [rng.uniform(-1, 1) for _ in range(count)]
    mean = sum(e) / count
    e = [x - mean for x in e]
    top = max(abs(x) for x in e) or 1.0
    spread = (rng.uniform(0.02, 0.12) if alike else rng.uniform(0.2, 0.9)) * min(r, 1 - r)
    return tuple(min(1.0, max(0.0, r + spread * x / top)) for x in e)


def _decoy_alternatives(rng: random.Random, before: float, after: float, r: float,
                        count: int) -> tuple[float, ...] | None:
    """``count`` alternatives of a step from ``before`` to ``after`` whose mean is ``r``: two decoys level with
    ``before`` (within 0.04, one on the step's side of it, one on the other), else one (on either side), the rest
    making up the mean, each written rarely; None where no decoy leaves the rest a mean within [0, 1]."""
    if count < 3:
        return None
    s = 1.0 if after > before else -1.0
    pair = [before + s * rng.uniform(0.0, 0.04), before - s * rng.uniform(0.0, 0.04)]
    for decoys in (pair, [pair[rng.randrange(2)]]):
        rest = (count * r - sum(decoys)) / (count - len(decoys))
        if 0.0 <= rest <= 1.0 and all(0.0 <= d <= 1.0 for d in decoys):
            break
    else:
        return None
    e = [rng.uniform(-1, 1) for _ in range(count - len(decoys))]
    e = [x - sum(e) / len(e) for x in e]
    room = min(rest, 1 - rest) * 0.5
    top = max(abs(x) for x in e) or 1.0
    out = decoys + [rest + room * x / top for x in e]
    rng.shuffle(out)
    return tuple(out)


def _synonym_alternatives(rng: random.Random, after: float, r: float, count: int) -> tuple[float, ...] | None:
    """``count`` alternatives whose mean is ``r``: as many as can be level with ``after`` (within 0.02: synonyms of
    the step's token), at least one, the rest (at least one) making up the mean; None where not even one can."""
    for same in range(count - 1, 0, -1):
        syn = [min(1.0, max(0.0, after + rng.uniform(-0.02, 0.02))) for _ in range(same)]
        rest = (count * r - sum(syn)) / (count - same)
        if 0.0 <= rest <= 1.0:
            out = syn + [rest] * (count - same)
            rng.shuffle(out)
            return tuple(out)
    return None


def build_trajectory(key: Hashable, design: Sequence[float], rng: random.Random, budget: int,
                     cut: bool = False, flat_follow: Sequence[float] | None = None, *, follow: float | None = None,
                     spread: bool = False, alternatives: tuple[int, int] = (2, 2), alike: bool = False,
                     trailer: float = 0.0, logprobs: bool = True, problem_id: Hashable | None = None,
                     step_follow: tuple[float, float] = (0.15, 0.85),
                     answer_len: tuple[int, int] | None = None, decoys: bool = False,
                     synonyms: bool = False) -> SimTrajectory:
    """A consistent synthetic model whose budget-free p-curve is ``design`` (``design[-1]`` is the
    verdict 0/1 of a complete solution, or the tail's success probability when ``cut``).

    Where the design is flat, rollouts follow the solution with ``flat_follow[k]``, or ``follow``, or as in
    alternating near-deterministic / branchy stretches (``spread``: low-probability tokens scattered one by
    one, as in long reasoning traces); at a step ``follow`` (default uniform in ``step_follow``) is capped so that
    the alternatives can make up the rest. ``alternatives``: how many per position (uniform in the range);
    ``trailer``: rollouts go on for up to this fraction of their length after their answer; ``answer_len``: a
    rollout that left the solution writes its answer after this many tokens (uniform) wherever it left, instead of
    about as many as the solution had left; ``decoys``: at a step, one or two of the alternatives sit level with p(k)
    (:func:`_decoy_alternatives`); ``synonyms``: at a step, most alternatives sit level with p(k+1)
    (:func:`_synonym_alternatives`)."""
    length = len(design) - 1
    if length < 1:
        raise ValueError("a trajectory needs at least one token")
    fs, qs, lens = [], [], []
    stretch = []
    while len(stretch) < length:  # alternating runs: near-deterministic / branchy
        stretch += [not stretch or not stretch[-1]] * rng.randint(5, 40)
    for k in range(length):
        a, b = design[k], design[k + 1]
        if abs(b - a) < 1e-12:
            if flat_follow is not None:
                f = flat_follow[k]
            elif follow is not None:
                f = follow
            elif spread:
                u = rng.random()
                f = (1 - 10 ** rng.uniform(-4, -1.7) if u < 0.93 else rng.uniform(0.5, 0.9) if u < 0.985
                     else rng.uniform(0.1, 0.5))
            elif stretch[k]:  # a near-deterministic stretch (copying, arithmetic): rollouts follow it far
                f = 1 - 10 ** rng.uniform(-4, -2.3)
            else:
                u = rng.random()
                f = (1 - 10 ** rng.uniform(-2.5, -1) if u < 0.7 else rng.uniform(0.5, 0.9) if u < 0.94
                     else rng.uniform(0.15, 0.5))
        else:
            f = follow if follow is not None else rng.uniform(*step_follow)
            if b > 0:
                f = min(f, a / b)
            if b < 1:
                f = min(f, (1 - a) / (1 - b))
        f = min(max(f, 1e-4), 1.0)
        r = (a - f * b) / (1 - f) if f < 1 else a
        r = min(1.0, max(0.0, r))
        fs.append(f)
        count = rng.randint(*alternatives)
        alts = _decoy_alternatives(rng, a, b, r, count) if decoys and abs(b - a) >= 1e-12 else None
        if synonyms and abs(b - a) >= 1e-12:
            alts = _synonym_alternatives(rng, b, r, count)
        qs.append(alts or _alternatives(rng, r, count, alike))
        base = length - k + (60 if cut else 0)
        lens.append(answer_len or (max(1, int(0.5 * base)), int(1.3 * base) + 8))
    tail = (float(design[-1]), 20, 200) if cut else None
    correct = None if cut else bool(design[-1] >= 0.5)
    p = true_curve(fs, qs, lens, tail, correct, budget)
    dev = [0.0]
    for f in fs:
        dev.append(dev[-1] + (-math.log(f) if f < 1 else 0.0))
    ids = tuple(rng.randrange(100, 1000) for _ in range(length))
    lps = tuple(math.log(f) for f in fs) if logprobs else ()
    traj = Trajectory(key, f"prob-{key}" if problem_id is None else problem_id, ids, lps, correct,
                      prompt_ids=(1, 2, 3), max_new_tokens=budget)
    return SimTrajectory(traj, tuple(fs), tuple(qs), tuple(lens), tail, budget, tuple(p), tuple(design),
                         int(trailer * length), tuple(dev))


def from_curve(key: Hashable, p: Sequence[float], rng: random.Random, follow: float = 0.85,
               logprobs: bool = True, budget: int = 10**6, **kw) -> SimTrajectory:
    """A trajectory whose true curve is exactly ``p`` (``p[-1]`` in {0, 1}; a budget no rollout reaches),
    rollouts following the solution with probability ``follow`` wherever the curve lets them: the tests' model."""
    return build_trajectory(key, p, rng, budget, follow=follow, logprobs=logprobs, **kw)


def step_curve(rng: random.Random, length: int, jumps: int, small: int = 3, p0: float | None = None) -> list[float]:
    """A simple step curve for tests: ``jumps`` jumps with |Δ| in [0.3, 0.5], ``small`` drifts (|Δ| <= 0.1),
    verdict drawn from the last plateau."""
    p = [p0 if p0 is not None else rng.uniform(0.25, 0.75)]
    where = rng.sample(range(length - 1), min(length - 1, jumps + small))
    kinds = {w: ("big" if n < jumps else "small") for n, w in enumerate(where)}
    for k in range(length - 1):
        v = p[-1]
        if k in kinds:
            size = rng.uniform(0.3, 0.5) if kinds[k] == "big" else rng.uniform(0.0, 0.1)
            sign = rng.choice((-1, 1))
            if not 0.05 <= v + sign * size <= 0.95:
                sign = -sign
            v = min(0.95, max(0.05, v + sign * size))
        p.append(v)
    p.append(1.0 if rng.random() < p[-1] else 0.0)
    return p


def design_curve(rng: random.Random, length: int, cut: bool, kind: str = "hard", gap: float = 0.2,
                 p0: float | None = None) -> list[float]:
    """A hard step curve of ``length + 1`` points (see the module docstring for the kinds); ``p0``: its start (the
    problem's, shared by its trajectories)."""
    last = length - 1 if not cut else length  # designed steps go at k < last; k = L-1 is the verdict step
    steps: dict[int, tuple[float, str]] = {}

    def free(k: int) -> bool:
        return 0 <= k < last and k not in steps

    plain = kind not in ("residual", "neargap", "unlikely", "edges", "short", "bounds", "opposite", "substairs",
                         "level", "stop", "rebound", "rarealt", "longearly", "lastjump", "flatedge", "latetail",
                         "likely", "synonyms", "counterdrift", "tightdrift", "atgap")  # their own steps alone,
    # which no other pivot's segments help find
    for _ in range(rng.choices((0, 1, 2, 3, 4), (2, 3, 3, 2, 1))[0] * plain):
        u = rng.random()
        k = (rng.randrange(0, 3) if u < 0.2 else last - 1 - rng.randrange(0, 3) if u < 0.4
             else rng.randrange(0, max(1, last)))
        if free(k):
            steps[k] = (rng.uniform(0.22, 0.5), "big")
    for _ in range(rng.choices((0, 1, 2, 3, 4), (1, 2, 3, 2, 2))[0] * plain):
        k = rng.randrange(0, max(1, last))
        if free(k):
            steps[k] = (rng.uniform(0.05, 0.18), "near")
    if plain and rng.random() < 0.35 and last > 4:  # a staircase of near-gap steps, same sign, within a few tokens
        k, sign = rng.randrange(0, last), rng.choice((-1, 1))
        for _ in range(rng.choice((2, 3))):
            if free(k):
                steps[k] = (sign * rng.uniform(0.08, 0.16), "stair")
            k += rng.randrange(1, 6)
    pairs: dict[int, int] = {}
    if kind == "cancel":  # a big jump, then an opposite one that cancels most of it a few tokens later
        for _ in range(rng.choice((1, 2, 3))):
            k = rng.randrange(0, max(1, last))
            k2 = k + rng.randint(1, 40)
            if free(k) and free(k2):
                steps[k] = (rng.uniform(0.3, 0.5), "big")
                steps[k2] = (rng.uniform(0.5, 0.95), "cancel")
                pairs[k2] = k
    if kind == "cap":  # one-token steps and two-step segments within 0.04 of the gap
        for _ in range(rng.choice((2, 3, 4))):
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (rng.uniform(gap - 0.04, gap + 0.04), "big")
        if last > 4:
            k, sign, total = rng.randrange(0, last), rng.choice((-1, 1)), rng.uniform(gap - 0.04, gap + 0.04)
            first = rng.uniform(0.3, 0.7) * total
            for size in (first, total - first):
                if free(k):
                    steps[k] = (sign * size, "stair")
                k += rng.randrange(1, 8)
    if kind == "adjacent":  # runs of 2-3 pivots on consecutive tokens (signs drawn one by one: some cancel)
        for _ in range(rng.choice((1, 2, 3))):
            k = rng.randrange(0, max(1, last))
            for k2 in range(k, k + rng.choice((2, 3))):
                if free(k2):
                    steps[k2] = (rng.uniform(0.22, 0.4), "big")
    if kind == "dense":  # 4-8 more pivots anywhere: several in most segments of the bisection
        for _ in range(rng.randint(4, 8)):
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (rng.uniform(0.22, 0.45), "big")
    if kind == "drift":  # slow ramps: about half of 15-60 tokens move p by 0.01-0.03 each, the same way
        for _ in range(rng.choice((1, 2))):
            k, sign = rng.randrange(0, max(1, last)), rng.choice((-1, 1))
            for k2 in range(k, k + rng.randint(15, 60)):
                if free(k2) and rng.random() < 0.5:
                    steps[k2] = (sign * rng.uniform(0.01, 0.03), "stair")
    if kind == "unlikely":  # 1-3 pivots of 0.30-0.40 and 0-3 steps of 0.10-0.20 (its tokens: ``step_follow``)
        for size in [rng.uniform(0.3, 0.4) for _ in range(rng.randint(1, 3))] + [
                rng.uniform(0.1, 0.2) for _ in range(rng.randint(0, 3))]:
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (size, "big")
    if kind == "neargap":  # 2-4 pivots just over the gap, and half the time one of 0.30-0.36
        for size in [rng.uniform(gap, gap + 0.08) for _ in range(rng.randint(2, 4))] + [rng.uniform(0.3, 0.36)] * (
                rng.random() < 0.5):
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (size, "big")
    if kind == "atgap":  # 2-4 pivots of gap + 0.02 to gap + 0.08 and nothing else: no pivot far from the gap
        for size in [rng.uniform(gap + 0.02, gap + 0.08) for _ in range(rng.randint(2, 4))]:
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (size, "big")
    if kind == "residual":  # a jump, then a step back that leaves 0.20-0.25 of it: only just a gap over both
        for _ in range(rng.choice((1, 2))):
            k = rng.randrange(0, max(1, last))
            k2 = k + rng.randint(1, 6)
            if free(k) and free(k2):
                steps[k] = (rng.uniform(0.3, 0.5), "big")
                steps[k2] = (rng.uniform(gap, gap + 0.05), "residual")
                pairs[k2] = k
    if kind == "rebound":  # 1-2 jumps to p near 0 / 1 (0.03-0.06 from it), then a slow return: about half of the
        # next 20-120 tokens step back toward the middle by 0.005-0.02 each (0.1-0.6 in all), no pivot among them
        for n in range(rng.choice((1, 2))):
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (rng.uniform(0.03, 0.06), "edge")
                for k2 in range(k + 1, k + 1 + rng.randint(20, 120)):
                    if free(k2) and rng.random() < 0.5:
                        steps[k2] = (rng.uniform(0.005, 0.02), "back")
    if kind == "rarealt":  # 1-3 pivots of 0.30-0.45 (their tokens' alternatives: ``decoys``), a near-gap non-pivot
        for size in [rng.uniform(0.3, 0.45) for _ in range(rng.randint(1, 3))] + [rng.uniform(0.05, 0.18)]:
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (size, "big")
    if kind == "longearly":  # 1-3 pivots of 0.30-0.50 in the first eighth of a long solution, 0-2 near-gap steps
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(0, max(1, last // 8))
            if free(k):
                steps[k] = (rng.uniform(0.3, 0.5), "big")
        for _ in range(rng.randint(0, 2)):
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (rng.uniform(0.05, 0.18), "near")
    if kind == "lastjump":  # a pivot of 0.30-0.50 on the last interior token (a complete solution's before its
        # verdict token; a cut one's last), and half the time one more anywhere
        for k in [last - 1] + [rng.randrange(0, max(1, last))] * (rng.random() < 0.5):
            if free(k):
                steps[k] = (rng.uniform(0.3, 0.5), "big")
    if kind == "flatedge":  # to p 0.03-0.05 from 0 / 1 in the first tenth, flat there for over half the solution,
        # then a pivot of 0.30-0.50 back in its last 40%, and 0-1 near-gap steps after it
        k = rng.randrange(0, max(1, last // 10))
        steps[k] = (rng.uniform(0.03, 0.05), "edge")
        k2 = rng.randrange(min(last - 1, max(k + 1, int(0.6 * last))), max(1, last)) if last > 1 else 0
        if free(k2):
            steps[k2] = (rng.uniform(0.3, 0.5), "back")
            if rng.random() < 0.5 and k2 + 1 < last:
                k3 = rng.randrange(k2 + 1, last)
                steps[k3] = (rng.uniform(0.05, 0.18), "near")
    if kind == "latetail":  # 1-2 pivots of 0.30-0.50 and 0-1 near-gap steps, all in the last 5% of the solution
        for size in [rng.uniform(0.3, 0.5) for _ in range(rng.randint(1, 2))] + [rng.uniform(0.05, 0.18)] * (
                rng.random() < 0.5):
            k = last - 1 - rng.randrange(0, max(1, last // 20))
            if free(k):
                steps[k] = (size, "big")
    if kind in ("likely", "synonyms"):  # 1-3 pivots of 0.30-0.45 and 0-2 near-gap steps (their tokens and
        # alternatives: ``step_follow``, ``synonyms``)
        for size in [rng.uniform(0.3, 0.45) for _ in range(rng.randint(1, 3))] + [
                rng.uniform(0.05, 0.18) for _ in range(rng.randint(0, 2))]:
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (size, "big")
    if kind == "wiggle":  # on top of hard's: 1-2 stretches of 20-80 tokens, each a step of 0.01-0.06, two thirds
        # of them one way: the stretch moves p by a pivot's size or more, no token of it a pivot
        for _ in range(rng.choice((1, 2))):
            k, sign = rng.randrange(0, max(1, last)), rng.choice((-1, 1))
            for k2 in range(k, k + rng.randint(20, 80)):
                if free(k2):
                    steps[k2] = ((sign if rng.random() < 2 / 3 else -sign) * rng.uniform(0.01, 0.06), "stair")
    if kind in ("counterdrift", "tightdrift"):  # 1-2 pivots of 0.30-0.45, each amid 10-60 tokens that drift back
        # against it by 0.08-0.2 in all (each token its share of it, 0.5-1.5 times): segments over the pivot and part
        # of the drift differ by little more than the gap; tightdrift: pivots of 0.30-0.40 amid 6-30 tokens drifting
        # back by 0.10-0.25
        tight = kind == "tightdrift"
        for n in range(rng.choice((1, 2))):
            k = rng.randrange(0, max(1, last))
            if not free(k):
                continue
            steps[k] = (rng.uniform(0.3, 0.4 if tight else 0.45), f"pivot{n}")
            span, total = (rng.randint(6, 30), rng.uniform(0.1, 0.25)) if tight else (rng.randint(10, 60),
                                                                                      rng.uniform(0.08, 0.2))
            around = [k2 for k2 in range(k - span // 2, k + span // 2 + 1) if k2 != k and free(k2)]
            for k2 in around:
                steps[k2] = (total / max(1, len(around)) * rng.uniform(0.5, 1.5), f"against{n}")
    start = None
    if kind in ("edges", "short", "level"):  # 1-2 pivots of 0.30-0.50 (level: 0.30-0.45), and more where named
        big = (0.3, 0.45) if kind == "level" else (0.3, 0.5)
        count = rng.randint(1, 2) if kind != "level" else rng.randint(1, 3)
        at = [rng.randrange(0, max(1, last)) for _ in range(count)]
        if kind == "edges":  # the first token, maybe the second, and 1-2 of the last three (of a cut solution: its
            # very last tokens; of a complete one: those before its verdict token)
            at = [0] + [rng.randrange(1, 3)] * (rng.random() < 0.3) + [
                last - 1 - rng.randrange(0, 3) for _ in range(rng.randint(1, 2))] + at[:1] * (rng.random() < 0.5)
        for k in at:
            if free(k):
                steps[k] = (rng.uniform(*big), "big")
        if kind == "short" and rng.random() < 0.5:  # and half the time a near-gap non-pivot
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (rng.uniform(0.05, 0.18), "near")
    if kind == "bounds":  # p(0) within 0.03 of the filter's bound, most of the time p near 0 / 1, one pivot back
        low = rng.random() < 0.5
        start = rng.uniform(0.17, 0.23) if low else rng.uniform(0.77, 0.83)
        edge = rng.uniform(0.03, 0.06)
        if rng.random() < 0.7:  # to the edge within the first tenth of the solution (a step of 0.11-0.20)
            steps[rng.randrange(0, max(1, last // 10))] = (edge if low else 1 - edge, "to")
        k = rng.randrange(min(last - 1, max(1, last // 5)), max(1, last)) if last > 1 else 0
        if free(k):
            steps[k] = ((1 if low else -1) * rng.uniform(0.3, 0.5), "stair")
            if rng.random() < 0.4 and k + 1 < last:  # and back to the edge later
                k2 = rng.randrange(k + 1, last)
                steps[k2] = (edge if low else 1 - edge, "to")
    if kind == "opposite":  # a jump of 0.30-0.50 undone exactly by the next token (1-2 a solution; segments over
        # both see nothing), and 1-2 pivots elsewhere, whose segments cut through some of the pairs
        for _ in range(rng.choice((1, 2))):
            k = rng.randrange(0, max(1, last - 1))
            if free(k) and free(k + 1):
                steps[k] = (rng.uniform(0.3, 0.5), "big")
                steps[k + 1] = (1.0, "cancel")
                pairs[k + 1] = k
        for _ in range(rng.choice((1, 2))):
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (rng.uniform(0.3, 0.5), "big")
    if kind == "substairs":  # 1-2 staircases of 3-4 same-way steps of 0.12-0.19 within 1-8 tokens of each other (2-3
        # gaps in all, no pivot among them), and 0-2 pivots elsewhere
        for n in range(rng.choice((1, 2))):
            k = rng.randrange(0, max(1, last))
            for _ in range(rng.choice((3, 3, 4))):
                if free(k):
                    steps[k] = (rng.uniform(0.12, 0.19), f"climb{n}")
                k += rng.randint(1, 8)
        for _ in range(rng.randint(0, 2)):
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (rng.uniform(0.3, 0.5), "big")
    if kind == "longroll":  # 1-3 more big steps on top of hard's: the rollouts' long answers shrink the curve
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(0, max(1, last))
            if free(k):
                steps[k] = (rng.uniform(0.4, 0.6), "big")
    if kind == "stop":  # 1-2 pivots among the last six tokens before the stop token (whose verdict is a coin flip)
        for _ in range(rng.randint(1, 2)):
            k = last - 1 - rng.randrange(0, 5)
            if free(k):
                steps[k] = (rng.uniform(0.3, 0.5), "big")
    p = [rng.uniform(0.12, 0.88) if plain else rng.uniform(0.3, 0.7)]
    if start is not None:
        p = [start]
    if p0 is not None:
        p = [p0]
    climb: dict[str, int] = {}  # a staircase's direction: toward the middle from where it starts
    moved: dict[int, float] = {}
    for k in range(length):
        v = p[-1]
        if k == length - 1 and not cut:  # the verdict step
            if kind == "stop":  # a pivot on the stop token whenever p(L-1) is far enough from the coin's verdict
                p.append(float(rng.random() < 0.5))
                break
            if rng.random() < 0.5 and length >= 2:  # ends near its verdict: the last token is not a free pivot
                verdict = float(v >= 0.5)
                target = abs(verdict - rng.uniform(0.03, 0.18))
                back = max(2, length // (20 if kind == "latetail" else 4))  # latetail: its last 5% alone move
                p = _retarget(p, rng.randrange(max(0, length - 1 - back), length - 1), target)
            else:
                verdict = float(rng.random() < v)
            p.append(verdict)
            break
        if k in steps:
            size, what = steps[k]
            if what == "cancel":  # undo a share of the jump it pairs with
                new = v - size * moved.get(pairs[k], 0.0)
            elif what == "residual":  # back to the jump's start, plus ``size`` its way
                jump = moved.get(pairs[k], 0.0)
                new = v - jump + math.copysign(size, jump) if jump else v
            elif what == "to":  # to this p
                new = size
            elif what == "edge":  # to this far from the nearer of 0 and 1 (a jump of 0.24 or more from 0.3-0.7)
                new = size if v >= 0.5 else 1 - size
            elif what == "back":  # a step of this toward the middle
                new = v + (size if v < 0.5 else -size)
            elif what.startswith("pivot"):  # its way: toward the middle
                new = v + climb.setdefault(what, 1 if v < 0.5 else -1) * size
            elif what.startswith("against"):  # against its pivot's way
                new = v - climb.setdefault("pivot" + what[7:], 1 if v < 0.5 else -1) * size
            elif what.startswith("climb"):
                new = v + climb.setdefault(what, 1 if v < 0.5 else -1) * size
            else:
                sign = (1 if size > 0 else -1) if what == "stair" else rng.choice((-1, 1))
                size = abs(size)
                if not 0.03 <= v + sign * size <= 0.97:
                    sign = -sign
                new = v + sign * size
            new = min(0.97, max(0.03, new))
            moved[k] = new - v
            v = new
        p.append(v)
    return p


def _retarget(p: list[float], k: int, target: float) -> list[float]:
    """Moves the curve from position k+1 on so that its current end becomes ``target`` (one extra step at t_{k+1})."""
    k = min(k, len(p) - 1)
    shift = target - p[-1]
    return p[: k + 1] + [min(0.97, max(0.03, x + shift)) for x in p[k + 1:]]


@dataclass(frozen=True)
class Population:
    """How a synthetic population is drawn (see the module docstring)."""

    kind: str
    n: int
    budget: int = 512
    min_len: int = 20
    max_len: int = 500
    cut_fraction: float = 0.15
    alternatives: tuple[int, int] = (2, 2)
    alike: bool = False
    spread: bool = False
    trailer: float = 0.0
    step_follow: tuple[float, float] = (0.15, 0.85)
    flat_follow: tuple[float, float] | None = None
    """Where the curve is flat, rollouts write the solution's token with a chance uniform in this range (None: as
    :func:`build_trajectory` draws it)."""
    answer_len: tuple[int, int] | None = None
    """A rollout that left the solution answers after this many tokens (:func:`build_trajectory`)."""
    low_share: float = 0.0
    """Where the curve is flat, this share of the tokens are written with a chance uniform in ``low_follow`` and the
    rest with 1 - 10^U(-4, -2) (a math trace's numbers and names amid its copied text; unless ``flat_follow``)."""
    low_follow: tuple[float, float] = (0.05, 0.4)
    per_problem: int = 1
    """Trajectories a problem: they share its prompt, its p(0) and the filter's rollouts from it."""
    p0: tuple[float, float] | None = None
    """Each problem's p(0), uniform in this range or its mirror (1 - x) with even odds (None: the kind's)."""
    decoys: bool = False
    """At a step one or two alternatives sit level with p(k) (:func:`_decoy_alternatives`)."""
    gap: float = 0.2
    """The gap the kind's near-gap steps are drawn around (``cap``, ``neargap``)."""
    logprobs: bool = True
    """False: the solutions come without log-probs (a dataset's, not sampled here): the token-count midpoint splits,
    and no segment is dropped on its log-probs."""
    short_share: float = 0.0
    """This share of the trajectories are complete solutions of 1-3 tokens (the rest drawn as above)."""
    synonyms: bool = False
    """At a step most alternatives sit level with p(k+1) (:func:`_synonym_alternatives`)."""


POPULATIONS: dict[str, Population] = {
    "hard": Population("hard", 200),
    "cancel": Population("cancel", 200, min_len=40),
    "cap": Population("cap", 200, min_len=40),
    "alike": Population("alike", 200, alternatives=(3, 6), alike=True, trailer=0.1),
    "long": Population("long", 30, budget=4096, min_len=1000, max_len=4000, cut_fraction=0.1, alternatives=(2, 4),
                       spread=True, trailer=0.15),
}
EXTRA_POPULATIONS: dict[str, Population] = {
    "adjacent": Population("adjacent", 200, min_len=40),
    "dense": Population("dense", 200, min_len=40),
    "drift": Population("drift", 200, min_len=40),
    "residual": Population("residual", 200, min_len=40, max_len=300),
    "neargap": Population("neargap", 200, budget=300, min_len=40, max_len=300, cut_fraction=0.5),
    "unlikely": Population("unlikely", 200, min_len=40, max_len=300, step_follow=(0.02, 0.1)),
    "edges": Population("edges", 200, cut_fraction=0.5),
    "short": Population("short", 200, min_len=2, max_len=15, cut_fraction=0.0),
    "bounds": Population("bounds", 200, min_len=40, max_len=300),
    "movable": Population("movable", 200, max_len=300, flat_follow=(0.3, 0.85)),
    "opposite": Population("opposite", 200, min_len=40),
    "substairs": Population("substairs", 200, min_len=40),
    "level": Population("level", 200, min_len=40, max_len=300, alternatives=(3, 6), alike=True,
                        step_follow=(0.01, 0.05)),
    "stop": Population("stop", 200, max_len=300, cut_fraction=0.0),
    "longroll": Population("longroll", 200, max_len=150, cut_fraction=0.2, answer_len=(100, 800), trailer=0.5),
    "rebound": Population("rebound", 200, min_len=40, max_len=400),
    "mathy": Population("mathy", 200, min_len=40, max_len=400, low_share=0.4, low_follow=(0.01, 0.2)),
    "neargapmath": Population("neargap", 200, budget=400, min_len=40, max_len=400, cut_fraction=0.2, low_share=0.4,
                              low_follow=(0.01, 0.2)),
    "rarealt": Population("rarealt", 200, min_len=40, max_len=300, alternatives=(6, 8), decoys=True,
                          step_follow=(0.2, 0.4)),
    "longearly": Population("longearly", 30, budget=4096, min_len=1000, max_len=4000, cut_fraction=0.3,
                            alternatives=(2, 4), spread=True, trailer=0.15, answer_len=(1000, 4500)),
    "shared": Population("shared", 200, min_len=40, max_len=300, cut_fraction=0.0, per_problem=2, p0=(0.17, 0.23)),
    "lastjump": Population("lastjump", 200, max_len=300, cut_fraction=0.3),
    "nologprobs": Population("hard", 200, logprobs=False),
    "flatedge": Population("flatedge", 200, min_len=60, max_len=400),
    "latetail": Population("latetail", 40, budget=2048, min_len=400, max_len=2000, cut_fraction=0.2,
                           alternatives=(2, 4), spread=True, p0=(0.45, 0.5)),
    "likely": Population("likely", 200, min_len=40, max_len=300, step_follow=(0.95, 0.99)),
    "synonyms": Population("synonyms", 200, min_len=40, max_len=300, alternatives=(3, 6), step_follow=(0.02, 0.2),
                           synonyms=True),
    "wiggle": Population("wiggle", 200, min_len=60),
    "mixedlen": Population("short", 200, min_len=40, short_share=0.4),
    "cutmost": Population("hard", 200, max_len=300, answer_len=(150, 1000), trailer=0.3),
    "flatedgemath": Population("flatedge", 200, min_len=60, max_len=400, low_share=0.4, low_follow=(0.01, 0.2)),
    "latelong": Population("latetail", 30, budget=4096, min_len=1000, max_len=4000, cut_fraction=0.2,
                           alternatives=(2, 4), spread=True, trailer=0.15, p0=(0.45, 0.5)),
    "wigglemath": Population("wiggle", 200, min_len=60, low_share=0.4, low_follow=(0.01, 0.2)),
    "counterdrift": Population("counterdrift", 200, min_len=60, max_len=400),
    "tightdrift": Population("tightdrift", 200, min_len=60, max_len=400),
    "tightdriftsure": Population("tightdrift", 200, min_len=60, max_len=400, step_follow=(0.9, 0.99)),
    "siblings": Population("hard", 200, max_len=300, cut_fraction=0.0, per_problem=4, p0=(0.25, 0.5)),
    "atgap": Population("atgap", 200, budget=300, min_len=300, max_len=300, cut_fraction=1.0),
    "family": Population("short", 64, min_len=1, max_len=5, cut_fraction=0.0, per_problem=8, p0=(0.25, 0.5)),
    "familymix": Population("hard", 64, max_len=300, cut_fraction=0.1, per_problem=8, p0=(0.25, 0.5),
                            short_share=0.3),
    "cap15": Population("cap", 200, min_len=40, gap=0.15),
    "cap25": Population("cap", 200, min_len=40, gap=0.25),
    "neargap15": Population("neargap", 200, budget=300, min_len=40, max_len=300, cut_fraction=0.5, gap=0.15),
    "neargap25": Population("neargap", 200, budget=300, min_len=40, max_len=300, cut_fraction=0.5, gap=0.25),
}
"""Populations the defaults were not tuned on (added after their knobs were chosen, as a check that they carry over):
run by name (``ptsfast simulate --populations adjacent dense drift residual neargap unlikely``; a red-team's shapes of
real traces: ``edges short bounds movable opposite substairs level stop longroll``; a third red-team's: ``rebound
mathy neargapmath rarealt longearly shared lastjump nologprobs``, and ``cap15 neargap15`` / ``cap25 neargap25`` with
``--gap``; a fourth's: ``flatedge latetail likely synonyms wiggle mixedlen cutmost flatedgemath latelong wigglemath
counterdrift tightdrift tightdriftsure siblings``; a fifth's: ``family familymix atgap``), not by default."""
ALL_POPULATIONS = {**POPULATIONS, **EXTRA_POPULATIONS}


def population(spec: Population, seed: int, n: int | None = None) -> dict[Hashable, SimTrajectory]:
    """``n`` (default ``spec.n``) trajectories of ``spec`` (log-uniform lengths; cut ones have the budget's length)."""
    if spec.max_len > spec.budget:
        raise ValueError(f"max_len={spec.max_len} > budget={spec.budget}: a complete solution fits its own budget")
    rng = random.Random(f"{spec.kind}-{seed}" if spec.gap == 0.2 and spec.logprobs else
                        f"{spec.kind}-{spec.gap}-{spec.logprobs}-{seed}")
    out = {}
    p0 = None
    for t in range(spec.n if n is None else n):
        cut = rng.random() < spec.cut_fraction
        length = spec.budget if cut else int(math.exp(rng.uniform(math.log(spec.min_len), math.log(spec.max_len + 1))))
        if spec.short_share and rng.random() < spec.short_share:
            cut, length = False, rng.randint(1, 3)
        if spec.p0 is not None and t % spec.per_problem == 0:
            p0 = rng.uniform(*spec.p0)
            p0 = p0 if rng.random() < 0.5 else 1 - p0
        design = design_curve(rng, length, cut, spec.kind, spec.gap, p0=p0)
        flat = [rng.uniform(*spec.flat_follow) for _ in range(length)] if spec.flat_follow else None
        if flat is None and spec.low_share:
            flat = [rng.uniform(*spec.low_follow) if rng.random() < spec.low_share else 1 - 10 ** rng.uniform(-4, -2)
                    for _ in range(length)]
        problem = f"prob-{t // spec.per_problem}" if spec.per_problem > 1 else None
        out[t] = build_trajectory(t, design, rng, spec.budget, cut, flat, spread=spec.spread,
                                  alternatives=spec.alternatives, alike=spec.alike, trailer=spec.trailer,
                                  step_follow=spec.step_follow, answer_len=spec.answer_len, problem_id=problem,
                                  decoys=spec.decoys, logprobs=spec.logprobs, synonyms=spec.synonyms)
    keys = list(out)
    for start in range(0, len(keys) if spec.per_problem > 1 else 0, spec.per_problem):
        group = keys[start:start + spec.per_problem]
        out.update(zip(group, share_prompt([out[k] for k in group], rng)))
    return out


def share_prompt(group: Sequence[SimTrajectory], rng: random.Random) -> list[SimTrajectory]:
    """The trajectories of one problem with one model of their prompt: a rollout from it comes from any of their
    models with even odds, so each trajectory's first token is written only as often as that mix writes it.

    Each model alone would write its own first token ``follow[0]`` of the time, and the problem's rollouts from the
    prompt (the filter's, which every trajectory of the problem reads) would all come from one of them: a sibling
    whose first token was a likely pivot then read the others' rollouts as ones that left it there, and rejected
    the pivot on their success rate (1-5-token solutions, eight a problem: 85% recall on a seed). Each first token
    gets its own id, its log-prob that mix's chance of writing it, and p(0) the mix's (the designs share it)."""
    if len(group) < 2:
        return list(group)
    siblings: list[SimTrajectory] = []
    p0 = sum(st.p[0] for st in group) / len(group)
    used: set[int] = set()
    for st in group:
        first = st.traj.solution_ids[0]
        while first in used:
            first = rng.randrange(100, 1000)
        used.add(first)
        lps = st.traj.solution_logprobs
        if lps:
            lps = (math.log(st.follow[0] / len(group)),) + tuple(lps[1:])
        traj = replace(st.traj, solution_ids=(first,) + tuple(st.traj.solution_ids[1:]), solution_logprobs=lps)
        siblings.append(replace(st, traj=traj, p=(p0,) + st.p[1:], siblings=siblings))
    return list(siblings)


def hard_population(n: int, seed: int, budget: int = 512, min_len: int = 20, max_len: int = 500,
                    cut_fraction: float = 0.15) -> dict[Hashable, SimTrajectory]:
    """``n`` trajectories of the ``hard`` population with the given budget and lengths."""
    return population(Population("hard", n, budget, min_len, max_len, cut_fraction), seed)


@dataclass
class SimSampler:
    """:class:`~ptsfast.mining.types.RolloutSampler` over synthetic trajectories.

    Honours ``ProbeRequest.max_new_tokens`` (else the trajectory's budget); counts rollouts (forced ones,
    the pairs', apart) and tokens; ``record``: keeps every call's requests and outcomes (for tests)."""

    sims: dict
    record: bool = False
    rollouts: int = 0
    forced: int = 0
    tokens: int = 0
    calls: list = field(default_factory=list)
    outputs: list = field(default_factory=list)

    def __call__(self, requests: Sequence[ProbeRequest]) -> list[list[RolloutOutcome]]:
        out = []
        for r in requests:
            st = self.sims[r.key]
            budget = getattr(r, "max_new_tokens", None) or st.budget
            rng = random.Random(r.seed)
            got = [st.rollout(r.position, r.forced, budget, rng) for _ in range(r.n)]
            self.rollouts += len(got)
            self.forced += len(got) if r.forced else 0
            self.tokens += sum(len(o.tokens) for o in got)
            out.append(got)
        if self.record:
            self.calls.append(list(requests))
            self.outputs.append(out)
        return out


# --------------------------------------------------------------------------- reference: exact PTS
def reference_split(i: int, j: int, logprobs: Sequence[float] | None) -> int:
    """Split of t_{i+1}..t_j: of the two positions around the point where the prefix carries half of
    the segment's surprisal (``-logprob``, negative surprisal counted as 0), the closer one (ties: the
    lower), clamped to ``i < m < j``; the token midpoint when there are no log-probs or no surprisal.
    Written independently of :func:`ptsfast.mining.search.split_point` (a linear scan)."""
    if not logprobs:
        return (i + j) // 2
    s = [0.0]
    for lp in logprobs[:j]:
        s.append(s[-1] + (1e9 if not math.isfinite(lp) else max(0.0, -lp)))
    total = s[j] - s[i]
    if total <= 0:
        return (i + j) // 2
    half = s[i] + total / 2
    m = i + 1
    while m < j and s[m] < half:
        m += 1
    if m - 1 > i and half - s[m - 1] <= s[m] - half:
        m -= 1
    return min(max(m, i + 1), j - 1)


def exact_pts(p: Sequence[float], gap: float, logprobs: Sequence[float] | None = None) -> list[int]:
    """Positions i of the pivots (i, i+1) that the pseudo-code finds on the exact curve ``p``."""
    found: list[int] = []
    stack = [(0, len(p) - 1)] if len(p) > 1 else []
    while stack:
        i, j = stack.pop()
        if not reaches(abs(p[j] - p[i]), gap):
            continue
        if j - i == 1:
            found.append(i)
            continue
        m = reference_split(i, j, logprobs)
        stack += [(i, m), (m, j)]
    return sorted(found)


# --------------------------------------------------------------------------- scoring
def buckets(gap: float) -> list[tuple[float, float, str]]:
    """True-|Δ| buckets [lo, hi) for flag rates; edges below 0 (gaps under 0.15) are 0, their buckets empty."""
    e = [max(0.0, x) for x in (0.0, gap - 0.15, gap - 0.1 + 1e-9, gap - 0.05, gap, gap + 0.05, gap + 0.1, 2.0)]
    g = [max(0.0, gap + d) for d in (-0.15, -0.1, -0.05, 0.0, 0.05, 0.1)]
    names = [f"<{g[0]:.2f}"] + [f"{a:.2f}-{b:.2f}" for a, b in zip(g, g[1:])] + [f"≥{g[-1]:.2f}"]
    return [(e[n], e[n + 1], names[n]) for n in range(len(names))]


RECHECK_ROLLOUTS = 128
"""Fresh rollouts a side of the real-model check (``benchmarks/bench_real_model_check.py``)."""


def _binomial_pmf(p: float, n: int) -> np.ndarray:
    """P(k successes of n), k = 0..n."""
    if p <= 0.0 or p >= 1.0:
        out = np.zeros(n + 1)
        out[0 if p <= 0.0 else n] = 1.0
        return out
    k = np.arange(n + 1)
    logc = np.array([math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) for j in range(n + 1)])
    return np.exp(logc + k * math.log(p) + (n - k) * math.log1p(-p))


def hold_chance(before: float, after: float, sign: float, gap: float, n: int = RECHECK_ROLLOUTS,
                exact_after: bool = False) -> float:
    """Chance that a pivot whose true p moves from ``before`` to ``after`` holds when re-estimated on ``n`` fresh
    rollouts a side (``exact_after``: the end of a judged solution, known exactly, as the check knows it): that
    the re-estimated Δ reaches the gap in the pivot's direction ``sign`` -- the rule of
    :func:`ptsfast.pipeline.recheck.pivot_holds`, computed exactly from the two binomials."""
    pa = _binomial_pmf(before, n)
    if exact_after:
        vb, pb = np.array([after]), np.array([1.0])
    else:
        vb, pb = np.arange(n + 1) / n, _binomial_pmf(after, n)
    va = np.arange(n + 1) / n
    holds = sign * (vb[None, :] - va[:, None]) >= gap - 1e-9
    return float((pa[:, None] * pb[None, :] * holds).sum())


def _bucket(d: float, bk) -> str:
    for lo, hi, label in bk:
        if lo <= d < hi:
            return label
    return bk[-1][2]


@dataclass
class Score:
    """What :func:`evaluate` measures for one configuration on one population (and seed); scores add up."""

    name: str
    population: str = ""
    gap: float = 0.2
    trajectories: int = 0
    recall: dict[str, list[int]] = field(default_factory=dict)
    """Interior pivots (not the last token of a complete solution) by exact-PTS |Δ|: 'hi' (>= gap + 0.1),
    'mid' (gap + 0.05 .. gap + 0.1), 'lo' (below) -> [found, exact-PTS pivots]; found = reported (not refuted)."""
    recall_last: dict[str, list[int]] = field(default_factory=dict)
    """The same for last-token (verdict-step) pivots, which are found whenever p(L-1) is estimated at all."""
    recall_confirmed: list[int] = field(default_factory=lambda: [0, 0])
    """Interior 'hi' pivots found *and confirmed*."""
    recall_seeds: list[float] = field(default_factory=list)
    """Interior 'hi' recall of each seed."""
    flags: dict[str, list[int]] = field(default_factory=dict)
    """true-|Δ| bucket -> [reported, positions] (per position: most positions are never tested)"""
    tested: dict[str, list[int]] = field(default_factory=dict)
    """true-|Δ| bucket -> [accepted by the search, one-token segments it tested]"""
    states: dict[str, int] = field(default_factory=dict)
    """accepted pivots by confirmation state (confirmed / refuted / undecided / none)"""
    confirmed_low: int = 0
    """confirmed pivots with true |Δ| < gap - 0.05"""
    confirmed_below_gap: int = 0
    """confirmed pivots whose reported |Δ| is below the gap (must be 0)"""
    errors: list[tuple[float, float]] = field(default_factory=list)
    """(true |Δ|, signed error of the reported Δ in the reported direction) of each confirmed pivot (each
    reported one when there is no confirmation)"""
    reported_errors: list[float] = field(default_factory=list)
    """the same error for every reported pivot (confirmed and undecided: what default exports hold)"""
    covered: list[bool] = field(default_factory=list)
    side_covered: list[bool] = field(default_factory=list)
    cut_errors: list[float] = field(default_factory=list)
    """p̂ - p of every estimate (>= 8 trials) where the budget changes the truth (|p - design| > 0.02)"""
    pair_margins: list[tuple[float, float]] = field(default_factory=list)
    """(true margin p(chosen) - p(rejected), reported margin) of each pair"""
    holds: dict[str, list[float]] = field(default_factory=dict)
    """confirmation state -> each pivot's chance of holding on the real-model check's fresh rollouts
    (:func:`hold_chance`): what a user re-estimating the records would see"""
    rollouts: int = 0
    """search and confirmation rollouts (unforced)"""
    pair_rollouts: int = 0
    """forced rollouts (the pairs' alternatives)"""
    tokens: int = 0
    seconds: float = 0.0
    filter_mistakes: int = 0

    @staticmethod
    def _mean(xs) -> float:
        xs = list(xs)
        return sum(xs) / len(xs) if xs else float("nan")

    def rate(self, table: dict[str, list[int]], key: str) -> float:
        a, b = table.get(key, (0, 0))
        return a / b if b else float("nan")

    def __add__(self, other: "Score") -> "Score":
        out = replace(self, recall={}, recall_last={}, flags={}, tested={}, states={},
                      holds={k: self.holds.get(k, []) + other.holds.get(k, []) for k in {**self.holds, **other.holds}})
        for name in ("recall", "recall_last", "flags", "tested"):
            merged = getattr(out, name)
            for src in (getattr(self, name), getattr(other, name)):
                for k, (a, b) in src.items():
                    got = merged.setdefault(k, [0, 0])
                    got[0] += a
                    got[1] += b
        for src in (self.states, other.states):
            for k, v in src.items():
                out.states[k] = out.states.get(k, 0) + v
        for name in ("recall_confirmed",):
            setattr(out, name, [a + b for a, b in zip(getattr(self, name), getattr(other, name))])
        for name in ("recall_seeds", "errors", "reported_errors", "covered", "side_covered", "cut_errors",
                     "pair_margins"):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        for name in ("trajectories", "confirmed_low", "confirmed_below_gap", "rollouts", "pair_rollouts", "tokens",
                     "seconds", "filter_mistakes"):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        return out

    @property
    def bias(self) -> float:
        return self._mean(e for _, e in self.errors)

    @property
    def reported_bias(self) -> float:
        """Mean reported-Δ error over every reported pivot (confirmed or undecided)."""
        return self._mean(self.reported_errors)

    @property
    def near_gap_bias(self) -> float:
        """Mean reported-Δ error of confirmed pivots with true |Δ| < gap + 0.05 (where selection bites)."""
        return self._mean(e for d, e in self.errors if d < self.gap + 0.05)

    @property
    def coverage(self) -> float:
        return self._mean(self.covered)

    @property
    def side_coverage(self) -> float:
        return self._mean(self.side_covered)

    @property
    def cut_bias(self) -> float:
        return self._mean(self.cut_errors)

    @property
    def confirmed(self) -> int:
        return self.states.get("confirmed", self.states.get("none", 0))

    @property
    def low_share(self) -> float:
        """Share of confirmed pivots whose true |Δ| is below gap - 0.05."""
        return self.confirmed_low / self.confirmed if self.confirmed else float("nan")

    def hold_rate(self, state: str = "confirmed") -> float:
        """Expected share of the pivots in ``state`` that hold on the real-model check's fresh rollouts."""
        return self._mean(self.holds.get(state, ()))

    @property
    def pair_precision(self) -> float:
        """Share of pairs whose true margin is at least gap / 2."""
        return self._mean(t >= self.gap / 2 for t, _ in self.pair_margins)

    @property
    def pair_bias(self) -> float:
        return self._mean(r - t for t, r in self.pair_margins)

    def per_trajectory(self, x: int) -> float:
        return x / self.trajectories if self.trajectories else float("nan")

    def as_dict(self) -> dict:
        return dict(name=self.name, population=self.population, trajectories=self.trajectories, recall=self.recall,
                    recall_last=self.recall_last, recall_confirmed=self.recall_confirmed,
                    recall_seeds=self.recall_seeds, flags=self.flags, tested=self.tested, states=self.states,
                    confirmed_low=self.confirmed_low, confirmed_below_gap=self.confirmed_below_gap,
                    low_share=self.low_share, hold_rate={k: self.hold_rate(k) for k in sorted(self.holds)},
                    bias=self.bias, reported_bias=self.reported_bias,
                    near_gap_bias=self.near_gap_bias,
                    coverage=self.coverage, side_coverage=self.side_coverage, cut_bias=self.cut_bias,
                    pairs=len(self.pair_margins), pair_precision=self.pair_precision, pair_bias=self.pair_bias,
                    rollouts_per_trajectory=self.per_trajectory(self.rollouts),
                    pair_rollouts_per_trajectory=self.per_trajectory(self.pair_rollouts),
                    tokens_per_trajectory=self.per_trajectory(self.tokens), seconds=self.seconds,
                    filter_mistakes=self.filter_mistakes)


def reported(pv) -> tuple[Estimate, Estimate]:
    """The (before, after) estimates a pivot reports (fresh ones when confirmation ran)."""
    out = []
    for e in (pv.confirm_before or pv.before, pv.confirm_after or pv.after):
        out.append(Estimate(exact=e.p) if e.exact else Estimate(e.successes, e.trials))
    return out[0], out[1]


def score(name: str, sims: dict, results: Sequence[TrajectoryResult], config: MiningConfig,
          population: str = "") -> Score:
    """Scores search results against exact PTS on the true curves (the paper's filter on the true p(0))."""
    gap, f = config.gap, config.filter
    sc = Score(name, population, gap=gap, trajectories=len(results))
    bk = buckets(gap)
    sc.flags = {label: [0, 0] for _, _, label in bk}
    sc.tested = {label: [0, 0] for _, _, label in bk}
    sc.recall = {label: [0, 0] for label in ("hi", "mid", "lo")}
    sc.recall_last = {label: [0, 0] for label in ("hi", "mid", "lo")}
    for res in results:
        st = sims[res.key]
        reported_at = {pv.position for pv in res.reported}
        confirmed_at = {pv.position for pv in res.pivots if pv.confirmed in (Confirmation.CONFIRMED, None)}
        accepted_at = {pv.position for pv in res.pivots}
        kept = not f.enabled or f.p_min <= st.p[0] <= f.p_max
        sc.filter_mistakes += res.kept != kept
        if kept:
            for i in exact_pts(st.p, gap, st.traj.solution_logprobs):
                d = abs(st.delta(i))
                label = "hi" if d >= gap + 0.1 - 1e-12 else "mid" if d >= gap + 0.05 - 1e-12 else "lo"
                last = i == st.length - 1 and st.traj.correct is not None
                table = sc.recall_last if last else sc.recall
                table[label][0] += i in reported_at
                table[label][1] += 1
                if label == "hi" and not last:
                    sc.recall_confirmed[0] += i in confirmed_at
                    sc.recall_confirmed[1] += 1
        for k in range(st.length):
            label = _bucket(abs(st.delta(k)), bk)
            sc.flags[label][0] += k in reported_at
            sc.flags[label][1] += 1
        for i, j in res.segments:
            if j - i == 1:
                label = _bucket(abs(st.delta(i)), bk)
                sc.tested[label][0] += i in accepted_at
                sc.tested[label][1] += 1
        for pv in res.pivots:
            state = "none" if pv.confirmed is None else str(pv.confirmed)
            sc.states[state] = sc.states.get(state, 0) + 1
            a, b = reported(pv)
            true = st.delta(pv.position)
            sign = 1.0 if pv.direction == Direction.RAISES else -1.0
            judged_end = pv.position + 1 == st.length and st.traj.correct is not None
            sc.holds.setdefault("confirmed" if state == "none" else state, []).append(
                hold_chance(st.p[pv.position], st.p[pv.position + 1], sign, gap, exact_after=judged_end))
            if pv.confirmed is not Confirmation.REFUTED:
                sc.reported_errors.append(sign * ((b.p - a.p) - true))
            if pv.confirmed not in (Confirmation.CONFIRMED, None):
                continue
            sc.confirmed_low += abs(true) < gap - 0.05
            sc.confirmed_below_gap += pv.confirmed is not None and not reaches(sign * (b.p - a.p), gap)
            sc.errors.append((abs(true), sign * ((b.p - a.p) - true)))
            lo, hi = (pv.delta_lo, pv.delta_hi) if pv.delta_lo is not None else diff_interval(a, b, 0.95)
            sc.covered.append(lo - 1e-12 <= true <= hi + 1e-12)
            for est, pos in ((pv.confirm_before or pv.before, pv.position),
                             (pv.confirm_after or pv.after, pv.position + 1)):
                if not est.exact:
                    sc.side_covered.append(est.lo - 1e-12 <= st.p[pos] <= est.hi + 1e-12)
        for pair in res.pairs:
            i = pair.position
            true = st.alt_p(i, pair.chosen_id) - st.alt_p(i, pair.rejected_id)
            sc.pair_margins.append((true, pair.chosen.p - pair.rejected.p))
        for k, est in res.estimates.items():
            if not est.exact and est.trials >= 8 and abs(st.p[k] - st.design[k]) > 0.02:
                sc.cut_errors.append(est.p - st.p[k])
    found, total = sc.recall["hi"]
    sc.recall_seeds = [found / total] if total else []
    return sc


def evaluate(name: str, sims: dict, config: MiningConfig, population: str = "") -> Score:
    """Runs :func:`find_pivots` over the whole population with ``config`` and scores it."""
    sampler = SimSampler(sims)
    start = time.perf_counter()
    results = find_pivots([s.traj for s in sims.values()], sampler, config)
    sc = score(name, sims, results, config, population)
    sc.seconds = time.perf_counter() - start
    sc.rollouts, sc.pair_rollouts, sc.tokens = sampler.rollouts - sampler.forced, sampler.forced, sampler.tokens
    return sc


# --------------------------------------------------------------------------- the benchmark
def variants(gap: float = 0.2, seed: int = 0) -> dict[str, MiningConfig]:
    """The benchmark's rows: ptsfast's defaults (pairs on; the rollout budget comes from each trajectory, as
    the run layer gives it), fixed-N estimators as existing tools use them (N rollouts per position, point
    estimates, no reuse, no confirmation) and variants of the defaults (each shows what one part buys)."""
    base = MiningConfig(gap=gap, seed=seed)
    fixed = replace(base, pairs=PairConfig(enabled=False))

    def est(**kw) -> MiningConfig:
        return replace(base, estimator=replace(EstimatorConfig(), **kw))

    rows = {"ptsfast defaults": base}
    for n in (16, 32, 64, 128):
        rows[f"fixed N={n}"] = replace(fixed, estimator=EstimatorConfig(fixed_rollouts=n, reuse=False,
                                                                        confirm_rollouts=0))
    rows.update({
        "ptsfast, no confirmation": est(confirm_rollouts=0),
        "ptsfast, no reuse": est(reuse=False),
        "ptsfast, caps 64/128": est(max_rollouts=64, key_max_rollouts=128),
        # the confirmation before sample splitting: it reports the counts that decided (sequential, 16 to 64)
        "ptsfast, reports deciding counts": est(confirm_report_rollouts=0, confirm_max_rollouts=64),
    })
    return rows


BENCHMARK_ROWS = ("ptsfast defaults", "fixed N=64")
"""The rows :func:`benchmark` runs by default (the others are for the command line's ``--rows``)."""


def _pct(x: float) -> str:
    return "-" if x != x else f"{100 * x:.1f}%"


def _num(x: float, fmt: str) -> str:
    return "-" if x != x else format(x, fmt)


def format_table(scores: Sequence[Score], gap: float = 0.2) -> str:
    """One markdown table (one row per population and method, seeds pooled); the denominators follow."""
    bk = buckets(gap)
    near = [label for _, _, label in bk[1:4]]
    head = (["population", "method", f"recall ≥{gap + 0.1:.2f}", "min/seed",
             f"recall {gap + 0.05:.2f}–{gap + 0.1:.2f}", "recall last", "confirmed recall"]
            + [f"accept/seg {label.replace('-', '–')}" for label in near]
            + [f"flag/pos ≤{gap - 0.1:.2f}", "confirmed/refuted/undecided", f"true <{gap - 0.05:.2f}",
               f"holds on {RECHECK_ROLLOUTS} fresh: confirmed / undecided", "Δ<gap confirmed", "Δ bias confirmed",
               "Δ bias reported", "Δ cover95", "p̂ bias cut", "pairs", "pair margin ≥gap/2", "margin bias",
               "rollouts/traj", "pair rollouts/traj"])
    rows = []
    for s in scores:
        low = [s.flags[label] for lo, hi, label in bk if hi <= gap - 0.1 + 1e-6]
        flag_low = sum(a for a, _ in low) / max(1, sum(b for _, b in low))
        states = "/".join(str(s.states.get(k, 0)) for k in ("confirmed", "refuted", "undecided"))
        rows.append([s.population, s.name, _pct(s.rate(s.recall, "hi")),
                     _pct(min(s.recall_seeds)) if s.recall_seeds else "-", _pct(s.rate(s.recall, "mid")),
                     _pct(s.rate(s.recall_last, "hi")),
                     _pct(s.recall_confirmed[0] / s.recall_confirmed[1]) if s.recall_confirmed[1] else "-"]
                    + [_pct(s.rate(s.tested, label)) for label in near]
                    + [_pct(flag_low), states if s.states.get("none") is None else f"{s.states['none']} (none)",
                       _pct(s.low_share), f"{_pct(s.hold_rate())} / {_pct(s.hold_rate('undecided'))}",
                       str(s.confirmed_below_gap), _num(s.bias, "+.3f"),
                       _num(s.reported_bias, "+.3f"), _pct(s.coverage),
                       _num(s.cut_bias, "+.3f"), str(len(s.pair_margins)), _pct(s.pair_precision),
                       _num(s.pair_bias, "+.3f"), _num(s.per_trajectory(s.rollouts), ".0f"),
                       _num(s.per_trajectory(s.pair_rollouts), ".0f")])
    widths = [max(len(r[c]) for r in [head] + rows) for c in range(len(head))]

    def line(r):
        return "| " + " | ".join(x.ljust(w) if c < 2 else x.rjust(w) for c, (x, w) in enumerate(zip(r, widths))) + " |"

    sep = "|" + "|".join("-" * (w + 2) if c < 2 else "-" * (w + 1) + ":" for c, w in enumerate(widths)) + "|"
    out = [line(head), sep] + [line(r) for r in rows]
    seen = set()
    for s in scores:
        if s.population in seen:
            continue
        seen.add(s.population)
        tested = ", ".join(f"{label}: {s.tested[label][1]}" for label in near)
        out.append(f"\n{s.population}: {s.trajectories} trajectories; exact-PTS interior pivots {s.recall['hi'][1]} "
                   f"with |Δ| ≥ {gap + 0.1:.2f}, {s.recall['mid'][1]} with {gap + 0.05:.2f}–{gap + 0.1:.2f}; "
                   f"last-token {s.recall_last['hi'][1]} with |Δ| ≥ {gap + 0.1:.2f}; one-token segments tested by "
                   f"the defaults per true |Δ|: {tested}")
    return "\n".join(out)


def benchmark(populations: Sequence[str] = tuple(POPULATIONS), seeds: Sequence[int] = (0, 1, 2), gap: float = 0.2,
              rows: Sequence[str] = BENCHMARK_ROWS, scale: float = 1.0, progress=None) -> list[Score]:
    """Scores each configuration of ``rows`` (:func:`variants`) on each population and seed; returns one
    score per (population, row), the seeds pooled (``recall_seeds`` keeps each seed's recall). ``scale``
    multiplies the populations' sizes."""
    out = []
    for name in populations:
        spec = ALL_POPULATIONS[name]
        pooled: dict[str, Score] = {}
        for seed in seeds:
            sims = population(spec, seed, max(1, round(spec.n * scale)))
            configs = variants(gap, seed)
            for row in rows:
                sc = evaluate(row, sims, configs[row], name)
                pooled[row] = pooled[row] + sc if row in pooled else sc
                if progress is not None:
                    progress(sc)
        out += list(pooled.values())
    return out


GOALS = """goals, each population: recall of exact PTS's interior pivots with |Δ| ≥ gap + 0.1 ≥ 95% at no more
rollouts per trajectory than fixed N=64; ≤ 3% of confirmed pivots with true |Δ| < gap − 0.05; no confirmed pivot
with a reported |Δ| below the gap; reported-Δ bias within ±0.02; ≥ 95% of pairs with a true margin ≥ gap/2 and a
pair-margin bias within ±0.03."""


def check_goals(defaults: Score, fixed64: Score | None) -> list[tuple[str, bool, str]]:
    """(goal, met, measured) for the defaults row of one population."""
    g = defaults.gap
    recall = defaults.rate(defaults.recall, "hi")
    out = [
        (f"recall ≥ 95% at |Δ| ≥ {g + 0.1:.2f} (every seed)", min(defaults.recall_seeds or [0]) >= 0.95,
         f"{_pct(recall)} (min/seed {_pct(min(defaults.recall_seeds or [float('nan')]))})"),
        (f"≤ 3% of confirmed with true |Δ| < {g - 0.05:.2f}", defaults.low_share <= 0.03,
         f"{_pct(defaults.low_share)} of {defaults.confirmed}"),
        ("no confirmed pivot reports |Δ| < gap", defaults.confirmed_below_gap == 0, str(defaults.confirmed_below_gap)),
        ("|reported-Δ bias| ≤ 0.02 (confirmed)", abs(defaults.bias) <= 0.02, _num(defaults.bias, "+.3f")),
        ("|reported-Δ bias| ≤ 0.02 (all reported)", abs(defaults.reported_bias) <= 0.02,
         _num(defaults.reported_bias, "+.3f")),
        ("pairs with true margin ≥ gap/2 ≥ 95%", defaults.pair_precision >= 0.95,
         f"{_pct(defaults.pair_precision)} of {len(defaults.pair_margins)}"),
        ("|pair-margin bias| ≤ 0.03", abs(defaults.pair_bias) <= 0.03, _num(defaults.pair_bias, "+.3f")),
    ]
    if fixed64 is not None:
        ours, theirs = defaults.per_trajectory(defaults.rollouts), fixed64.per_trajectory(fixed64.rollouts)
        out.append(("rollouts/traj ≤ fixed N=64", ours <= theirs, f"{ours:.0f} vs {theirs:.0f}"))
    return out
