"""Statistics benchmark of the search on hard synthetic populations (pure Python, no torch).

Each trajectory gets a synthetic "model" with a known p-curve, so the search can be scored against
**exact PTS** (the pseudo-code run on the true curve) and its reported effect sizes against the truth:

* At solution position ``k`` a rollout emits the solution token ``t_{k+1}`` with probability
  ``follow[k]`` (the trajectory's log-probs are ``log follow[k]``, as for a model that sampled it),
  else one of two alternative tokens; after an alternative it writes a continuation whose length is
  uniform in ``alt_len[k]`` and succeeds with probability ``alt_q[k][a]``. A rollout that follows the
  whole solution gets the solution's verdict (a complete solution) or, for a solution cut by the
  length limit (``correct=None``), writes a tail that succeeds with the tail's probability.
* Every rollout has a token budget: one that would write more than its ``max_new_tokens`` is cut
  there and fails. The true ``p(i)`` is the success probability of a rollout from ``i`` with the run's
  budget, computed exactly (:func:`true_curve`). A rollout from ``i`` counted at ``i + k`` (reuse) has
  spent ``k`` tokens of its budget, which is what makes budget-blind reuse biased.
* The designed curve (before budget effects) is a step curve: several true pivots (|Δ| 0.22-0.5,
  some at either end), near-gap non-pivots (|Δ| 0.05-0.18, some in staircases whose sum crosses the
  gap), curves that end near their verdict (no free last-token pivot) or far from it, length-cut
  solutions, lengths from 20 tokens to the budget.

:func:`exact_pts` is an independent implementation of the pseudo-code with its own split rule (not
:func:`ptsfast.mining.search.split_point`); :func:`evaluate` runs :func:`find_pivots` on a population
and scores it; :func:`benchmark` prints one table for several configurations.
"""

from __future__ import annotations

import bisect
import math
import random
import time
from dataclasses import dataclass, field, replace
from typing import Hashable, Sequence

from .driver import find_pivots
from .stats import diff_interval
from .types import (
    Estimate,
    EstimatorConfig,
    FilterConfig,
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
"""Alternative tokens at position k are ALT_BASE + 2k and ALT_BASE + 2k + 1."""


# --------------------------------------------------------------------------- the synthetic model
@dataclass(frozen=True)
class SimTrajectory:
    """One solution and the synthetic model around it; ``p`` is its exact p-curve under ``budget``."""

    traj: Trajectory
    follow: tuple[float, ...]
    alt_q: tuple[tuple[float, float], ...]
    alt_len: tuple[tuple[int, int], ...]
    tail: tuple[float, int, int] | None
    """Cut solutions: (success probability, min length, max length) of what follows t_L."""
    budget: int
    p: tuple[float, ...]
    """True p(k), k = 0..L, for a rollout with ``budget`` new tokens (exact)."""
    design: tuple[float, ...]
    """The designed curve, i.e. p without a token budget."""
    _deviate: tuple[float, ...] = field(repr=False, default=())

    @property
    def length(self) -> int:
        return len(self.traj.solution_ids)

    def delta(self, k: int) -> float:
        """True p(k+1) - p(k): the effect of token t_{k+1}."""
        return self.p[k + 1] - self.p[k]

    def alt_token(self, k: int, a: int) -> int:
        return ALT_BASE + 2 * k + a

    def rollout(self, position: int, forced: Sequence[int], max_new_tokens: int, rng: random.Random) -> RolloutOutcome:
        """One rollout after ``t_1..t_position + forced`` with at most ``max_new_tokens`` new tokens."""
        sol, length = self.traj.solution_ids, self.length
        k = position
        for tok in forced:
            if k < length and tok == sol[k]:
                k += 1
                continue
            a = tok - ALT_BASE - 2 * k
            q = self.alt_q[k][a] if k < length and a in (0, 1) else 0.0
            n = rng.randint(*self.alt_len[min(k, length - 1)])
            ok = rng.random() < q
            return RolloutOutcome((JUNK,) * min(n, max_new_tokens), ok and n <= max_new_tokens)
        start = k
        idx = bisect.bisect_right(self._deviate, self._deviate[k] + rng.expovariate(1.0), k + 1) if k < length else length + 1
        if idx <= length:  # leaves the solution at token t_idx (position d = idx - 1)
            d = idx - 1
            a = rng.randrange(2)
            toks = sol[start:d] + (self.alt_token(d, a),) + (JUNK,) * rng.randint(*self.alt_len[d])
            ok = rng.random() < self.alt_q[d][a]
        elif self.tail is not None:
            q, lo, hi = self.tail
            toks = sol[start:] + (JUNK,) * rng.randint(lo, hi)
            ok = rng.random() < q
        else:
            toks, ok = sol[start:], bool(self.traj.correct)
        if len(toks) > max_new_tokens:
            return RolloutOutcome(toks[:max_new_tokens], False)
        return RolloutOutcome(toks, ok)


def _len_cdf(r: int, lo: int, hi: int) -> float:
    """P(length <= r) for a length uniform on lo..hi."""
    if r < lo:
        return 0.0
    if r >= hi:
        return 1.0
    return (r - lo + 1) / (hi - lo + 1)


def true_curve(follow, alt_q, alt_len, tail, correct, budget) -> list[float]:
    """Exact p(i) for every i: sum over where a rollout from i leaves the solution, each term cut by
    the budget it has left there."""
    length = len(follow)
    out = []
    mean_q = [(a + b) / 2 for a, b in alt_q]
    for i in range(length + 1):
        acc, reach = 0.0, 1.0
        for d in range(i, length):
            if reach < 1e-15:
                reach = 0.0
                break
            leave = reach * (1.0 - follow[d])
            if leave > 0.0:
                acc += leave * mean_q[d] * _len_cdf(budget - (d - i) - 1, *alt_len[d])
            reach *= follow[d]
        if reach > 0.0:
            left = budget - (length - i)
            if tail is not None:
                acc += reach * tail[0] * _len_cdf(left, tail[1], tail[2])
            elif correct and left >= 0:
                acc += reach
        out.append(min(1.0, max(0.0, acc)))
    return out


def build_trajectory(key: Hashable, design: Sequence[float], rng: random.Random, budget: int,
                     cut: bool = False, flat_follow: Sequence[float] | None = None) -> SimTrajectory:
    """A consistent synthetic model whose budget-free p-curve is ``design`` (``design[-1]`` is the
    verdict 0/1 of a complete solution, or the tail's success probability when ``cut``)."""
    length = len(design) - 1
    if length < 1:
        raise ValueError("a trajectory needs at least one token")
    follow, qs, lens = [], [], []
    stretch = []
    while len(stretch) < length:  # alternating runs: near-deterministic / branchy
        stretch += [not stretch or not stretch[-1]] * rng.randint(5, 40)
    for k in range(length):
        a, b = design[k], design[k + 1]
        if abs(b - a) < 1e-12:
            if flat_follow is not None:
                f = flat_follow[k]
            elif stretch[k]:  # a near-deterministic stretch (copying, arithmetic): rollouts follow it far
                f = 1 - 10 ** rng.uniform(-4, -2.3)
            else:
                u = rng.random()
                f = 1 - 10 ** rng.uniform(-2.5, -1) if u < 0.7 else rng.uniform(0.5, 0.9) if u < 0.94 else rng.uniform(0.15, 0.5)
        else:
            f = rng.uniform(0.15, 0.85)
            if b > 0:
                f = min(f, a / b)
            if b < 1:
                f = min(f, (1 - a) / (1 - b))
        f = min(max(f, 1e-4), 1.0)
        r = (a - f * b) / (1 - f) if f < 1 else a
        r = min(1.0, max(0.0, r))
        spread = rng.uniform(0.2, 0.9) * min(r, 1 - r)
        follow.append(f)
        qs.append((r + spread, r - spread))
        base = length - k + (60 if cut else 0)
        lens.append((max(1, int(0.5 * base)), int(1.3 * base) + 8))
    tail = (float(design[-1]), 20, 200) if cut else None
    correct = None if cut else bool(design[-1] >= 0.5)
    p = true_curve(follow, qs, lens, tail, correct, budget)
    dev = [0.0]
    for f in follow:
        dev.append(dev[-1] + (-math.log(f) if f < 1 else 0.0))
    ids = tuple(rng.randrange(100, 1000) for _ in range(length))
    traj = Trajectory(key, f"prob-{key}", ids, tuple(math.log(f) for f in follow), correct, prompt_ids=(1, 2, 3))
    return SimTrajectory(traj, tuple(follow), tuple(qs), tuple(lens), tail, budget, tuple(p), tuple(design), tuple(dev))


def design_curve(rng: random.Random, length: int, cut: bool) -> list[float]:
    """A hard step curve of ``length + 1`` points (see the module docstring)."""
    last = length - 1 if not cut else length  # designed steps go at k < last; k = L-1 is the verdict step
    steps: dict[int, tuple[float, str]] = {}

    def free(k: int) -> bool:
        return 0 <= k < last and k not in steps

    for _ in range(rng.choices((0, 1, 2, 3, 4), (2, 3, 3, 2, 1))[0]):
        u = rng.random()
        k = rng.randrange(0, 3) if u < 0.2 else last - 1 - rng.randrange(0, 3) if u < 0.4 else rng.randrange(0, max(1, last))
        if free(k):
            steps[k] = (rng.uniform(0.22, 0.5), "big")
    for _ in range(rng.choices((0, 1, 2, 3, 4), (1, 2, 3, 2, 2))[0]):
        k = rng.randrange(0, max(1, last))
        if free(k):
            steps[k] = (rng.uniform(0.05, 0.18), "near")
    if rng.random() < 0.35 and last > 4:  # a staircase of near-gap steps, same sign, within a few tokens
        k, sign = rng.randrange(0, last), rng.choice((-1, 1))
        for _ in range(rng.choice((2, 3))):
            if free(k):
                steps[k] = (sign * rng.uniform(0.08, 0.16), "stair")
            k += rng.randrange(1, 6)
    p = [rng.uniform(0.12, 0.88)]
    for k in range(length):
        v = p[-1]
        if k == length - 1 and not cut:  # the verdict step
            if rng.random() < 0.5 and length >= 2:  # ends near its verdict: the last token is not a free pivot
                verdict = float(v >= 0.5)
                target = abs(verdict - rng.uniform(0.03, 0.18))
                p = _retarget(p, rng.randrange(max(0, length - 1 - max(2, length // 4)), length - 1), target)
            else:
                verdict = float(rng.random() < v)
            p.append(verdict)
            break
        if k in steps:
            size, kind = steps[k]
            sign = (1 if size > 0 else -1) if kind == "stair" else rng.choice((-1, 1))
            size = abs(size)
            if not 0.03 <= v + sign * size <= 0.97:
                sign = -sign
            v = min(0.97, max(0.03, v + sign * size))
        p.append(v)
    return p


def _retarget(p: list[float], k: int, target: float) -> list[float]:
    """Moves the curve from position k+1 on so that its current end becomes ``target`` (one extra step at t_{k+1})."""
    k = min(k, len(p) - 1)
    shift = target - p[-1]
    return p[: k + 1] + [min(0.97, max(0.03, x + shift)) for x in p[k + 1:]]


def hard_population(n: int, seed: int, budget: int = 512, min_len: int = 20, max_len: int = 500,
                    cut_fraction: float = 0.15) -> dict[Hashable, SimTrajectory]:
    """``n`` hard trajectories (log-uniform lengths in [min_len, max_len]; cut ones have length ``budget``)."""
    if max_len > budget:
        raise ValueError(f"max_len={max_len} > budget={budget}: a complete solution fits its own budget")
    rng = random.Random(seed)
    out = {}
    for t in range(n):
        cut = rng.random() < cut_fraction
        length = budget if cut else int(math.exp(rng.uniform(math.log(min_len), math.log(max_len + 1))))
        out[t] = build_trajectory(t, design_curve(rng, length, cut), rng, budget, cut)
    return out


@dataclass
class SimSampler:
    """:class:`~ptsfast.mining.types.RolloutSampler` over synthetic trajectories.

    Honours ``ProbeRequest.max_new_tokens`` (else the trajectory's budget), counts tokens."""

    sims: dict
    rollouts: int = 0
    tokens: int = 0

    def __call__(self, requests: Sequence[ProbeRequest]) -> list[list[RolloutOutcome]]:
        out = []
        for r in requests:
            st = self.sims[r.key]
            budget = getattr(r, "max_new_tokens", None) or st.budget
            rng = random.Random(r.seed)
            got = [st.rollout(r.position, r.forced, budget, rng) for _ in range(r.n)]
            self.rollouts += len(got)
            self.tokens += sum(len(o.tokens) for o in got)
            out.append(got)
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
        if abs(p[j] - p[i]) < gap:
            continue
        if j - i == 1:
            found.append(i)
            continue
        m = reference_split(i, j, logprobs)
        stack += [(i, m), (m, j)]
    return sorted(found)


# --------------------------------------------------------------------------- scoring
def buckets(gap: float) -> list[tuple[float, float, str]]:
    """True-|Δ| buckets [lo, hi) for flag rates."""
    e = [0.0, gap - 0.15, gap - 0.1 + 1e-9, gap - 0.05, gap, gap + 0.05, gap + 0.1, 2.0]
    names = [f"<{gap - 0.15:.2f}", f"{gap - 0.15:.2f}-{gap - 0.1:.2f}", f"{gap - 0.1:.2f}-{gap - 0.05:.2f}",
             f"{gap - 0.05:.2f}-{gap:.2f}", f"{gap:.2f}-{gap + 0.05:.2f}", f"{gap + 0.05:.2f}-{gap + 0.1:.2f}",
             f"≥{gap + 0.1:.2f}"]
    return [(e[n], e[n + 1], names[n]) for n in range(len(names))]


@dataclass
class Score:
    """What :func:`evaluate` measures for one configuration on one population."""

    name: str
    gap: float = 0.2
    trajectories: int = 0
    recall: dict[str, list[int]] = field(default_factory=dict)
    """'hi' (|Δ| >= gap + 0.1), 'mid' (gap + 0.05 .. gap + 0.1), 'lo' (below) -> [found, exact-PTS pivots]"""
    flags: dict[str, list[int]] = field(default_factory=dict)
    """true-|Δ| bucket -> [flagged, positions]"""
    errors: list[tuple[float, float]] = field(default_factory=list)
    """(true |Δ|, signed error of the reported Δ in the reported direction) of each output pivot"""
    covered: list[bool] = field(default_factory=list)
    """whether each output pivot's reported interval of Δ holds the true Δ"""
    side_covered: list[bool] = field(default_factory=list)
    """whether the reported interval of each sampled side (p before / after) holds the truth"""
    cut_errors: list[float] = field(default_factory=list)
    """p̂ - p of every estimate (>= 8 trials) where the budget changes the truth (|p - design| > 0.02)"""
    rollouts: int = 0
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

    @property
    def bias(self) -> float:
        return self._mean(e for _, e in self.errors)

    @property
    def near_gap_bias(self) -> float:
        """Mean reported-Δ error of output pivots with true |Δ| < gap + 0.05 (where selection bites)."""
        return self._mean(e for d, e in self.errors if d < self.gap + 0.05)

    @property
    def abs_error(self) -> float:
        return self._mean(abs(e) for _, e in self.errors)

    @property
    def coverage(self) -> float:
        return self._mean(self.covered)

    @property
    def side_coverage(self) -> float:
        return self._mean(self.side_covered)

    @property
    def cut_bias(self) -> float:
        return self._mean(self.cut_errors)

    def per_trajectory(self, x: int) -> float:
        return x / self.trajectories if self.trajectories else float("nan")

    def as_dict(self) -> dict:
        return dict(name=self.name, trajectories=self.trajectories, recall=self.recall, flags=self.flags,
                    bias=self.bias, near_gap_bias=self.near_gap_bias, abs_error=self.abs_error,
                    coverage=self.coverage, side_coverage=self.side_coverage, cut_bias=self.cut_bias,
                    pivots=len(self.errors), rollouts_per_trajectory=self.per_trajectory(self.rollouts),
                    tokens_per_trajectory=self.per_trajectory(self.tokens), seconds=self.seconds,
                    filter_mistakes=self.filter_mistakes)


def reported(pv) -> tuple[Estimate, Estimate]:
    """The (before, after) estimates a pivot reports (fresh ones when confirmation ran)."""
    out = []
    for e in (pv.confirm_before or pv.before, pv.confirm_after or pv.after):
        out.append(Estimate(exact=e.p) if e.exact else Estimate(e.successes, e.trials))
    return out[0], out[1]


def score(name: str, sims: dict, results: Sequence[TrajectoryResult], config: MiningConfig) -> Score:
    """Scores search results against exact PTS on the true curves (the paper's filter on the true p(0))."""
    gap, f = config.gap, config.filter
    sc = Score(name, gap=gap, trajectories=len(results))
    bk = buckets(gap)
    sc.flags = {label: [0, 0] for _, _, label in bk}
    sc.recall = {label: [0, 0] for label in ("hi", "mid", "lo")}
    for res in results:
        st = sims[res.key]
        flagged = {pv.position for pv in res.pivots}
        kept = not f.enabled or f.p_min <= st.p[0] <= f.p_max
        sc.filter_mistakes += res.kept != kept
        if kept:
            for i in exact_pts(st.p, gap, st.traj.solution_logprobs):
                d = abs(st.delta(i))
                label = "hi" if d >= gap + 0.1 - 1e-12 else "mid" if d >= gap + 0.05 - 1e-12 else "lo"
                sc.recall[label][0] += i in flagged
                sc.recall[label][1] += 1
        for k in range(st.length):
            d = abs(st.delta(k))
            for lo, hi, label in bk:
                if lo <= d < hi:
                    sc.flags[label][0] += k in flagged
                    sc.flags[label][1] += 1
                    break
        for pv in res.pivots:
            a, b = reported(pv)
            true = st.delta(pv.position)
            sign = 1.0 if pv.direction == "raises" else -1.0
            sc.errors.append((abs(true), sign * ((b.p - a.p) - true)))
            lo, hi = (pv.delta_lo, pv.delta_hi) if getattr(pv, "delta_lo", None) is not None else diff_interval(a, b, 0.95)
            sc.covered.append(lo - 1e-12 <= true <= hi + 1e-12)
            for est, pos in ((pv.confirm_before or pv.before, pv.position), (pv.confirm_after or pv.after, pv.position + 1)):
                if not est.exact:
                    sc.side_covered.append(est.lo - 1e-12 <= st.p[pos] <= est.hi + 1e-12)
        for k, est in res.estimates.items():
            if not est.exact and est.trials >= 8 and abs(st.p[k] - st.design[k]) > 0.02:
                sc.cut_errors.append(est.p - st.p[k])
    return sc


def evaluate(name: str, sims: dict, config: MiningConfig) -> Score:
    """Runs :func:`find_pivots` over the whole population with ``config`` and scores it."""
    sampler = SimSampler(sims)
    start = time.perf_counter()
    results = find_pivots([s.traj for s in sims.values()], sampler, config)
    sc = score(name, sims, results, config)
    sc.seconds = time.perf_counter() - start
    sc.rollouts, sc.tokens = sampler.rollouts, sampler.tokens
    return sc


# --------------------------------------------------------------------------- the benchmark
def variants(budget: int, gap: float = 0.2, seed: int = 0) -> dict[str, MiningConfig]:
    """The benchmark's rows: ptsfast's defaults (given the rollout budget, as the run layer gives
    it), fixed-N estimators as existing tools use them (N rollouts per position, point estimates, no
    reuse), variants of the defaults (each shows what one part buys) and other caps (``max_rollouts``
    / ``key_max_rollouts``: the recall-rollouts frontier). Pairs are off: their rollouts are not part
    of the statistics."""
    base = MiningConfig(gap=gap, seed=seed, pairs=PairConfig(enabled=False))
    default = EstimatorConfig(rollout_budget=budget)

    def est(**kw) -> MiningConfig:
        return replace(base, estimator=replace(default, **kw))

    rows = {"ptsfast defaults": est()}
    for n in (10, 16, 32, 64, 128):
        rows[f"fixed N={n}"] = replace(base, estimator=EstimatorConfig(fixed_rollouts=n, reuse=False, confirm_rollouts=0))
    rows.update({
        "ptsfast, no confirmation": est(confirm_rollouts=0),
        "ptsfast, budget-blind reuse": est(rollout_budget=None),
        "ptsfast, no reuse": est(reuse=False),
        "ptsfast, unpaired intervals": est(paired=False),
        "ptsfast, caps 16/16": est(max_rollouts=16, key_max_rollouts=16),
        "ptsfast, caps 16/32": est(max_rollouts=16, key_max_rollouts=32),
        "ptsfast, caps 64/128": est(max_rollouts=64, key_max_rollouts=128),
    })
    return rows


def _pct(x: float) -> str:
    return "-" if x != x else f"{100 * x:.1f}%"


def _num(x: float, fmt: str) -> str:
    return "-" if x != x else format(x, fmt)


def format_table(scores: Sequence[Score], gap: float = 0.2) -> str:
    """One markdown table; the last line gives the denominators."""
    bk = buckets(gap)
    head = (["method", f"recall ≥{gap + 0.1:.2f}", f"recall {gap + 0.05:.2f}–{gap + 0.1:.2f}"]
            + [f"flag {label.replace('-', '–')}" for _, _, label in bk]
            + ["Δ bias", f"Δ bias <{gap + 0.05:.2f}", "Δ cover95", "p cover95", "p̂ bias cut", "rollouts/traj",
               "tokens/traj"])
    rows = []
    for s in scores:
        rows.append([s.name, _pct(s.rate(s.recall, "hi")), _pct(s.rate(s.recall, "mid"))]
                    + [_pct(s.rate(s.flags, label)) for _, _, label in bk]
                    + [_num(s.bias, "+.3f"), _num(s.near_gap_bias, "+.3f"), _pct(s.coverage), _pct(s.side_coverage),
                       _num(s.cut_bias, "+.3f"), _num(s.per_trajectory(s.rollouts), ".0f"),
                       _num(s.per_trajectory(s.tokens), ".0f")])
    widths = [max(len(r[c]) for r in [head] + rows) for c in range(len(head))]

    def line(r):
        return "| " + " | ".join(x.ljust(w) if c == 0 else x.rjust(w) for c, (x, w) in enumerate(zip(r, widths))) + " |"

    sep = "|" + "|".join("-" * (w + 2) if c == 0 else "-" * (w + 1) + ":" for c, w in enumerate(widths)) + "|"
    out = [line(head), sep] + [line(r) for r in rows]
    if scores:
        s0 = scores[0]
        counts = ", ".join(f"{label}: {s0.flags[label][1]}" for _, _, label in bk)
        out.append(f"\n{s0.trajectories} trajectories; exact-PTS pivots: {s0.recall['hi'][1]} with |Δ| ≥ {gap + 0.1:.2f}, "
                   f"{s0.recall['mid'][1]} with {gap + 0.05:.2f}–{gap + 0.1:.2f}; positions per true-|Δ| bucket: {counts}")
    return "\n".join(out)


def benchmark(n: int = 600, seed: int = 0, budget: int = 512, gap: float = 0.2,
              configs: dict[str, MiningConfig] | None = None, max_len: int | None = None,
              progress=None) -> list[Score]:
    """Builds one hard population and scores every configuration on it (default: :func:`variants`)."""
    sims = hard_population(n, seed, budget=budget, max_len=max_len or min(500, budget))
    configs = configs if configs is not None else variants(budget, gap, seed)
    out = []
    for name, cfg in configs.items():
        out.append(evaluate(name, sims, cfg))
        if progress is not None:
            progress(out[-1])
    return out


GOALS = """goals for the defaults: recall ≥ 95% of exact-PTS pivots with |Δ| ≥ gap + 0.1; flagged ≤ 2% at true
|Δ| ≤ gap − 0.1; mean reported-Δ error within 0.03; 95% intervals of Δ cover the truth ≥ 90%; rollouts per
trajectory ≤ fixed N=32."""


def check_goals(defaults: Score, fixed32: Score | None) -> list[tuple[str, bool, str]]:
    """(goal, met, measured) for the defaults row."""
    g = defaults.gap
    low = [defaults.flags[label] for lo, hi, label in buckets(g) if hi <= g - 0.1 + 1e-6]
    flagged = sum(a for a, _ in low) / max(1, sum(b for _, b in low))
    near = defaults.rate(defaults.flags, buckets(g)[1][2])  # the near-gap part, gap - 0.15 .. gap - 0.1
    out = [
        (f"recall ≥ 95% at |Δ| ≥ {g + 0.1:.2f}", defaults.rate(defaults.recall, "hi") >= 0.95,
         _pct(defaults.rate(defaults.recall, "hi"))),
        (f"flagged ≤ 2% at |Δ| ≤ {g - 0.1:.2f}", max(flagged, near) <= 0.02,
         f"{_pct(flagged)} ({_pct(near)} at {g - 0.15:.2f}–{g - 0.1:.2f})"),
        ("|mean reported-Δ error| ≤ 0.03", abs(defaults.bias) <= 0.03, _num(defaults.bias, "+.3f")),
        ("Δ interval coverage ≥ 90%", defaults.coverage >= 0.9, _pct(defaults.coverage)),
    ]
    if fixed32 is not None:
        ours, theirs = defaults.per_trajectory(defaults.rollouts), fixed32.per_trajectory(fixed32.rollouts)
        out.append(("rollouts/traj ≤ fixed N=32", ours <= theirs, f"{ours:.0f} vs {theirs:.0f}"))
    return out
