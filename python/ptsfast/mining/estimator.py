"""Memo of rollout counts with rollout reuse, and the sequential gap decisions.

Counts (successes, trials) are kept per solution position, never as floats, so an
estimate can be topped up; ``p(L)`` is the trajectory's own verdict (exact) when known.

Rollout reuse: a rollout sampled after ``prompt + t_1..t_i`` whose first ``k`` tokens are
``t_{i+1}..t_{i+k}`` is, conditioned on those tokens, distributed exactly like a rollout
sampled after ``t_1..t_{i+k}`` — so its verdict counts for positions ``i..i+k``, and its
first non-matching token ``a`` (with the rest of the rollout) is a free sample of the
alternative ``t_1..t_{i+k} + a``.

Token budget: ``p(j)`` is the success probability of a rollout with ``budget`` new tokens after
``t_1..t_j``. A rollout from ``i`` has spent ``k`` tokens when it reaches ``j = i + k``; counting it
at ``j`` with what it had left would bias ``p(j)`` down. So the search asks for ``budget + window``
tokens (``ProbeRequest.max_new_tokens``) and counts a rollout at ``i + k`` only for ``k <= window``,
with the verdict a rollout with the budget would have got there: its own verdict if it needed at most
``budget`` tokens from ``j``, else the verdict on its text cut at ``budget`` tokens from ``j``
(``RolloutOutcome.cut_success``, judged by the sampler; a failure when missing). Every count then is
exactly a draw of a rollout with the full budget.
Rollouts that share a prefix make neighbouring estimates positively correlated; the gap test treats
them as independent, which overstates the variance of ``p(j) - p(i)`` (conservative).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .search import BOUND_SLACK
from .stats import Decision, Gap, abs_bounds, diff_interval, interval, reaches, shared_correlation
from .types import Confirmation, Direction, Estimate, EstimatorConfig, RolloutOutcome


def common_prefix(tokens: tuple[int, ...], solution: tuple[int, ...], start: int) -> int:
    """Length of the common prefix of ``tokens`` and ``solution[start:]`` (slice compares, galloping)."""
    n = min(len(tokens), len(solution) - start)
    lo, step = 0, 16
    while lo < n:
        hi = min(n, lo + step)
        if tokens[lo:hi] == solution[start + lo:start + hi]:
            lo, step = hi, step * 2
            continue
        while tokens[lo] == solution[start + lo]:
            lo += 1
        return lo
    return n


@dataclass
class Memo:
    """Counts per solution position and per (position, alternative next token).

    ``budget``: the rollouts' token budget (``None``: rollouts are never cut, every reuse counts)."""

    solution: tuple[int, ...]
    final: float | None = None
    reuse: bool = True
    budget: int | None = None
    alts: dict[int, dict[int, Estimate]] = field(default_factory=dict)
    reused: int = 0

    def __post_init__(self) -> None:
        self.solution = tuple(int(t) for t in self.solution)
        self._succ = [0] * (len(self.solution) + 1)
        self._trials = [0] * (len(self.solution) + 1)
        # rollouts counted at more than one position, by first position: (last position, verdict at
        # each position from the first)
        self._spans: dict[int, list[tuple[int, tuple[bool, ...]]]] = {}
        self._longest = 0
        self._left: dict[int, Estimate] = {}  # position -> rollouts that left the solution there, unforced

    def get(self, position: int) -> Estimate:
        if position == len(self.solution) and self.final is not None:
            return Estimate(exact=float(self.final))
        return Estimate(self._succ[position], self._trials[position])

    @property
    def counts(self) -> dict[int, Estimate]:
        """Every known position -> its estimate."""
        out = {k: Estimate(s, n) for k, (s, n) in enumerate(zip(self._succ, self._trials)) if n}
        if self.final is not None:
            out[len(self.solution)] = self.get(len(self.solution))
        return dict(sorted(out.items()))

    def shared(self, i: int, j: int) -> tuple[int, int, int, int]:
        """Rollouts counted at both ``i < j``: (count, successes at i, successes at j, at both)."""
        n = si = sj = sij = 0
        for start in range(max(0, j - self._longest), i + 1):
            for end, oks in self._spans.get(start, ()):
                if end >= j:
                    a, b = oks[i - start], oks[j - start]
                    n, si, sj, sij = n + 1, si + a, sj + b, sij + (a and b)
        return n, si, sj, sij

    def left(self, position: int) -> Estimate:
        """q(position): success of the rollouts that left the solution at ``position`` (their first token there
        is not t_{position+1}) as the sampler chose, each judged with the full budget from ``position``.

        ``p(i) = f p(i+1) + (1 - f) q(i)`` (f: the chance a rollout writes t_{i+1}; up to the token of budget the
        followers spent), so ``p(i+1) - p(i) = (1 - f) (p(i+1) - q(i))``: with f known, q(i) and p(i+1) bound the
        one-token step better than p(i) does (:meth:`GapTest.decide`). Forced rollouts never count here: their
        first token was not the sampler's choice."""
        return self._left.get(position, Estimate())

    def alternatives(self, position: int) -> dict[int, Estimate]:
        """Alternative next tokens after t_1..t_position (the solution's own token excluded)."""
        return dict(self.alts.get(position, {}))

    def _add_alt(self, position: int, token: int, success: bool) -> None:
        group = self.alts.setdefault(position, {})
        group[token] = group.get(token, Estimate()).add(int(success), 1)

    def window(self, max_new_tokens: int | None) -> int | None:
        """How many solution tokens past its start a rollout with ``max_new_tokens`` may be counted
        (``None``: unlimited)."""
        if not self.reuse:
            return 0
        if self.budget is None:
            return None
        return max(0, (max_new_tokens or self.budget) - self.budget)

    def ingest(self, position: int, forced: tuple[int, ...], outcomes: Sequence[RolloutOutcome],
               max_new_tokens: int | None = None) -> list[int]:
        """Count rollouts sampled after t_1..t_position + forced with ``max_new_tokens`` (``None``:
        the budget); returns the positions touched."""
        sol, length, nf, budget = self.solution, len(self.solution), len(forced), self.budget
        kf = 0
        while kf < nf and position + kf < length and forced[kf] == sol[position + kf]:
            kf += 1
        if kf < nf:  # the context left the solution: only the alternative it forced is sampled
            if kf == nf - 1 and position + kf < length:
                for out in outcomes:
                    ok = bool(out.success) and out.error is None
                    self._add_alt(position + kf, int(forced[kf]), ok and (budget is None or len(out.tokens) <= budget))
            return []
        base = position + nf
        window = self.window(max_new_tokens)
        limit = (max_new_tokens or budget) if budget is not None else None
        exact_end = self.final is not None
        touched: set[int] = set()
        for out in outcomes:
            ok = bool(out.success) and out.error is None
            toks = tuple(out.tokens)
            n = len(toks)
            cut = tuple(getattr(out, "cut_success", ()) or ())

            def verdict(t: int) -> bool:  # a rollout with the budget, started t tokens in
                if budget is None or n - t <= budget:
                    return ok
                return out.error is None and t < len(cut) and bool(cut[t])

            k = common_prefix(toks, sol, base) if window != 0 else 0
            reach = k if window is None else min(k, window)
            if exact_end and base + reach >= length:
                reach = length - 1 - base
            oks = [verdict(s) for s in range(reach + 1)]
            for s, good in enumerate(oks):
                self._trials[base + s] += 1
                self._succ[base + s] += good
                touched.add(base + s)
            if reach > 0:
                self.reused += reach
                self._spans.setdefault(base, []).append((base + reach, tuple(oks)))
                self._longest = max(self._longest, reach)
            if window == 0 and n and base < length and toks[0] == sol[base]:
                continue  # followed the solution, but may not be counted further
            # first non-matching token: its continuation was sampled, so it is an alternative sample,
            # if the rollout still had the full budget after it
            if k < n and base + k < length and (self.reuse or k == 0):
                if limit is None or limit - k - 1 >= budget:
                    self._add_alt(base + k, toks[k], verdict(k + 1))
                if limit is None or limit - k >= budget:
                    self._left[base + k] = self.left(base + k).add(int(verdict(k)), 1)
        return sorted(touched)


def looks(first: int, cap: int, growth: float) -> int:
    """Number of sequential looks a position goes through from ``first`` to ``cap`` trials."""
    if cap <= first:
        return 1
    if growth <= 1.0:
        return math.ceil((cap - first) / first) + 1
    return math.ceil(math.log(cap / first, growth)) + 1


@dataclass
class GapTest:
    """Sequential decisions of the gap test on a :class:`Memo` (see :class:`EstimatorConfig`)."""

    config: EstimatorConfig
    gap: float

    @property
    def cap(self) -> int:
        c = self.config
        return c.fixed_rollouts if c.fixed_rollouts is not None else c.max_rollouts

    def margin(self, value: float) -> float:
        """A margin of ``EstimatorConfig`` around the gap, at most half the gap: at a gap of 0.1 the default 0.1
        would accept a one-token segment whose lower bound merely clears 0 (measured: 2,181 undecided pivots against
        388 confirmed, 29-40% of them holding on fresh rollouts; 748 and 66% at 0.05, recall unchanged)."""
        return min(value, self.gap / 2)

    def is_key(self, i: int, j: int, a: Estimate, b: Estimate) -> bool:
        """A decision that loses most when wrong, which gets ``key_max_rollouts``: a one-token
        segment (a pivot or not), a long segment (every pivot below it hangs on it), one with an
        exact side (only one side to sample) or one from the prompt: p(0) is one count for every
        segment down the left edge of the bisection and every trajectory of the problem, so its error
        misleads them all alike (the defaults lost 35-40% of their missed pivots there)."""
        c = self.config
        return (j - i == 1 or j - i >= c.key_length or i == 0
                or a.exact is not None or b.exact is not None)

    def key_level(self, i: int, j: int, a: Estimate, b: Estimate,
                  shared: tuple[int, int, int, int] | None = None) -> int:
        """How much a wrong decision on segment (i, j) loses, which sets its cap (:meth:`cap_for`): 2 for a
        segment of ``long_length`` tokens or more (the most pivots hang on it) and for a one-token segment that
        reached its key cap with an estimate within ``token_extend_margin`` below the gap (a pivot on an unlikely
        token: no rollout counts on both sides, so its estimate is the noisiest a one-token test sees), 1 for
        another key decision (:meth:`is_key`) and, where rollouts are reused, for a segment whose ends share none
        (``shared``, :meth:`Memo.shared`: an unlikely token inside stops every rollout crossing it, so neither the
        paired interval nor the look inside has anything to read: math traces' numbers, where a cap of 32 dropped
        pivots of 0.30-0.36 on estimates 0.2-0.3 low), 0 else. Such an unpaired segment gets 2 at its key cap where
        the point estimate would drop it while a one-look discard bound still reaches the gap
        (:meth:`unpaired_extends`)."""
        c = self.config
        if j - i >= c.long_length:
            return 2
        key = int(self.is_key(i, j, a, b))
        unpaired = shared is not None and shared[0] == 0 and c.reuse and c.fixed_rollouts is None
        if not key and unpaired:
            key = 1
        if unpaired and j - i > 1 and self.unpaired_extends(a, b):
            return 2
        extend = self.margin(c.token_extend_margin)
        if j - i == 1 and extend > 0 and c.fixed_rollouts is None and a.known and b.known:
            cap = self.cap_for(key)
            if all(e.exact is not None or e.trials >= cap for e in (a, b)) and (
                    self.gap - extend - 1e-9 <= abs(b.p - a.p) < self.gap - 1e-9):
                return 2
        return key

    def unpaired_extends(self, a: Estimate, b: Estimate) -> bool:
        """Whether a segment whose ends share no rollout, at its key cap, goes on to ``long_max_rollouts``: the
        point estimate would drop it (``|Δp| < gap - final_split_margin``) while the ``discard_confidence`` upper
        bound of ``|Δp|``, at one look's error, still reaches the gap.

        A drop should err at the gap no more often than ``discard_confidence`` allows; the cap's point estimate errs
        more where Δp is noisiest: at 64 a side and p near 1/2, a true |Δp| of 0.2 reads below 0.1 13% of the time,
        and a pivot under a chain of segments just over the gap (a drift back around it) was lost 5% of the time
        (*tightdrift*). The one-look bound keeps the extension to reads within 1.3 standard errors of the gap."""
        c = self.config
        if not (a.known and b.known):
            return False
        cap = self.cap_for(1)
        if not all(e.exact is not None or e.trials >= cap for e in (a, b)):
            return False
        if reaches(abs(b.p - a.p), self.gap - self.margin(c.final_split_margin)):
            return False
        return reaches(self._bounds(a, b, c.discard_confidence, 0.0)[1], self.gap)

    def cap_for(self, key: int) -> int:
        """The rollout cap of a decision of :meth:`key_level` ``key`` (a bool reads as 0 / 1)."""
        c = self.config
        if c.fixed_rollouts is not None or not key:
            return self.cap
        cap = c.key_max_rollouts if c.key_max_rollouts is not None else self.cap
        if key >= 2 and c.long_max_rollouts is not None:
            cap = max(cap, c.long_max_rollouts)
        return cap

    def can_sample(self, est: Estimate, key: int = 0) -> bool:
        return est.exact is None and est.trials < self.cap_for(key)

    def _level(self, confidence: float, key: int) -> float:
        """Two-sided confidence of one look: the error is split over the looks (Bonferroni)."""
        c = self.config
        if not c.alpha_spending:
            return confidence
        k = looks(c.batch_size, self.cap_for(key), c.growth)
        return 1 - (1 - confidence) / k

    def _bounds(self, a: Estimate, b: Estimate, confidence: float, phi: float) -> tuple[float, float]:
        return abs_bounds(*diff_interval(a, b, confidence, self.config.method, phi))

    def decide(self, a: Estimate, b: Estimate, one_token: bool,
               shared: tuple[int, int, int, int] | None = None, key: int | None = None,
               leave: tuple[float, Estimate] | None = None, inside: Callable[[], bool] | None = None) -> Decision:
        """``Gap.BIG`` (bisect / pivot), ``Gap.SMALL`` (leaf) or None (needs more rollouts). ``shared``: the
        rollouts counted on both sides (:meth:`Memo.shared`), which narrow the interval of Δ;
        ``key``: see :meth:`key_level` (default: ``one_token``). ``leave`` (one-token segments): an upper bound of
        the chance ``1 - f`` that a rollout leaves the solution there and q, the success of those that did
        (:meth:`Memo.left`); since ``|Δ| = (1 - f) |p(i+1) - q|`` (up to a token of budget), a rejection may rest
        on that bound too, each bound at half the error. ``inside`` (segments): asked only where the cap would drop
        the segment on its ends' estimates; True bisects it instead (:meth:`jump_inside`)."""
        c = self.config
        if not (a.known and b.known):
            return None
        key = one_token if key is None else key
        phi = shared_correlation(a, b, shared) if c.paired else 0.0
        final = not (self.can_sample(a, key) or self.can_sample(b, key))
        d = abs(b.p - a.p)
        if c.fixed_rollouts is not None or (a.exact is not None and b.exact is not None):
            if not final:
                return None
            return Gap.BIG if reaches(d, self.gap) else Gap.SMALL
        if one_token:
            thin = any(e.exact is None and e.trials < c.accept_min_trials for e in (a, b))
            lcb = self._bounds(a, b, self._level(c.accept_confidence, key), phi)[0]
            if reaches(d, self.gap) and lcb >= self.gap - self.margin(c.indifference) and not thin:
                return Gap.BIG
            level = self._level(c.reject_confidence, key)
            if leave is not None and leave[1].known:
                level = 1 - (1 - level) / 2
                ucb = min(self._bounds(a, b, level, phi)[1],
                          leave[0] * self._bounds(leave[1], b, level, 0.0)[1] + BOUND_SLACK)
            else:
                ucb = self._bounds(a, b, level, phi)[1]
            if ucb < self.gap + self.margin(c.indifference):
                return Gap.SMALL
            if final:
                return Gap.BIG if reaches(d, self.gap) else Gap.SMALL
            return None
        ucb = self._bounds(a, b, self._level(c.discard_confidence, key), phi)[1]
        if ucb < self.gap:
            return Gap.SMALL
        lcb = self._bounds(a, b, c.split_confidence, phi)[0]
        if reaches(d, self.gap) and lcb >= self.gap - self.margin(c.indifference):
            return Gap.BIG
        if final:
            split = reaches(d, self.gap - self.margin(c.final_split_margin)) or (inside is not None and inside())
            return Gap.BIG if split else Gap.SMALL
        return None

    def jump_inside(self, memo: Memo, i: int, j: int) -> bool:
        """Whether a position inside segment (i, j) that reused rollouts reached differs from one of its ends by a
        ``split_confidence`` lower bound of at least ``gap - indifference``.

        Asked before the cap drops a segment on its ends' estimates alone (the upper bound of their |Δp| still
        reaches the gap). A jump found inside means the segment holds a step of about the gap that may be cancelled
        only in part by another one: where the ends truly differ by just over the gap, every segment above the
        pivot differs by that much too, and each of those near-gap decisions drops it ~6-8% of the time at the cap.
        The counts are already in the memo, so the look costs no rollout; a split costs a midpoint."""
        c = self.config
        a, b = memo.get(i), memo.get(j)
        floor = self.gap - self.margin(c.indifference)
        for k in range(i + 1, j):
            mid = memo.get(k)
            if mid.trials < c.batch_size:
                continue
            for x, y, lo, hi in ((a, mid, i, k), (mid, b, k, j)):
                phi = shared_correlation(x, y, memo.shared(lo, hi)) if c.paired else 0.0
                if self._bounds(x, y, c.split_confidence, phi)[0] >= floor:
                    return True
        return False

    def confirm(self, a: Estimate, b: Estimate, direction: Direction,
                shared: tuple[int, int, int, int] | None = None,
                report: tuple[Estimate, Estimate] | None = None) -> Confirmation | None:
        """The confirmation's decision on fresh counts ``a`` (before) and ``b`` (after) of a pivot moving p in
        ``direction`` (see :class:`~ptsfast.mining.types.Confirmation`); None: sample both sides further.
        ``report``: the independent fresh counts the pivot reports (else it reports ``a``, ``b``); a pivot is
        confirmed only where the Δp it reports is at least the gap and the interval on both batches pooled clears
        the gap (:meth:`_pooled_clears`).

        The error is split over the looks from ``confirm_rollouts`` to ``confirm_max_rollouts`` (Bonferroni),
        so a pivot far below ``gap - confirm_margin`` is confirmed with probability below
        ``(1 - confirm_confidence) / 2`` whatever the number of looks."""
        c = self.config
        if not (a.known and b.known):
            return None
        phi = shared_correlation(a, b, shared) if c.paired else 0.0
        level = 1 - (1 - c.confirm_confidence) / looks(c.confirm_rollouts, c.confirm_cap, c.growth)
        lo, hi = diff_interval(a, b, level, c.method, phi)
        ra, rb = report if report is not None else (a, b)
        sign = -1.0 if direction == Direction.LOWERS else 1.0
        if sign < 0:
            lo, hi = -hi, -lo
        floor = self.gap - c.confirm_margin
        if hi < floor:
            return Confirmation.REFUTED
        if lo >= floor:
            if reaches(sign * (rb.p - ra.p), self.gap) and self._pooled_clears(a, b, report, sign):
                return Confirmation.CONFIRMED
            if report is not None:  # the report cannot change; more deciding looks would re-try the pooled one
                return Confirmation.UNDECIDED
        if all(e.exact is not None or e.trials >= c.confirm_cap for e in (a, b)):
            return Confirmation.UNDECIDED
        return None

    def _pooled_clears(self, a: Estimate, b: Estimate, report: tuple[Estimate, Estimate] | None,
                       sign: float) -> bool:
        """Whether the ``confirm_pooled_confidence`` interval of Δp on the deciding and report batches pooled
        clears the gap (True without a report batch).

        The deciding batch alone lets a pivot at the gap's edge through where its look came out high (with a stop
        token after it, p(after) is exact and one side's luck decides): the demo's stop-token pivot, 0.2 on all
        its fresh rollouts, was confirmed on p(before) 20/32 (its second look), reported 38/48, and a user's 128
        fresh rollouts put it at 0.18. The sides share rollouts (positively correlated), so the independent
        interval is the wider, safe one."""
        if report is None:
            return True
        ra, rb = report
        lo, hi = diff_interval(ra.add(a.successes, a.trials), rb.add(b.successes, b.trials),
                               self.config.confirm_pooled_confidence, self.config.method)
        return (lo if sign > 0 else -hi) >= self.gap

    def wanted(self, a: Estimate, b: Estimate, one_token: bool = False, key: int | None = None) -> list[int]:
        """Which sides (0 = a, 1 = b) of an undecided segment to sample: unknown ones, else the
        noisier ones (interval width within 75% of the widest)."""
        key = one_token if key is None else key
        sides = [(s, e) for s, e in ((0, a), (1, b)) if self.can_sample(e, key)]
        if self.config.fixed_rollouts is not None:
            return [s for s, _ in sides]
        unknown = [s for s, e in sides if not e.known]
        if unknown:
            return unknown
        if one_token:
            thin = [s for s, e in sides if e.trials < self.config.accept_min_trials]
            if thin:
                return thin
        widths = {}
        for s, e in sides:
            lo, hi = interval(e, 0.9, self.config.method)
            widths[s] = hi - lo
        top = max(widths.values(), default=0.0)
        return [s for s in widths if widths[s] >= 0.75 * top]

    def batch(self, est: Estimate, key: int = 0, cap: int | None = None) -> int:
        """Rollouts to request for one position this round (up to ``cap``, default the decision's)."""
        c = self.config
        cap = self.cap_for(key) if cap is None else cap
        if c.fixed_rollouts is not None:
            step = c.fixed_rollouts
        elif c.growth > 1.0 and est.trials:
            step = max(c.batch_size, math.ceil(est.trials * (c.growth - 1.0)))
        else:
            step = c.batch_size
        return max(1, min(step, cap - est.trials))
