"""Memo of rollout counts with rollout reuse, and the sequential gap decisions.

Counts (successes, trials) are kept per solution position, never as floats, so an
estimate can be topped up; ``p(L)`` is the trajectory's own verdict (exact) when known.

Rollout reuse: a rollout sampled after ``prompt + t_1..t_i`` whose first ``k`` tokens are
``t_{i+1}..t_{i+k}`` is, conditioned on those tokens, distributed exactly like a rollout
sampled after ``t_1..t_{i+k}`` — so its verdict counts for positions ``i..i+k``, and its
first non-matching token ``a`` (with the rest of the rollout) is a free sample of the
alternative ``t_1..t_{i+k} + a``. Caveats: (1) one rollout then feeds several positions, so
their estimates are positively correlated; the gap test treats them as independent, which
overstates the variance of ``p(j) - p(i)`` (conservative). (2) A rollout cut by a token
budget has fewer tokens left after the shared part than a fresh one from ``i+k`` would.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Hashable, Sequence

from .stats import Decision, accept_test, interval, split_test
from .types import Estimate, EstimatorConfig, RolloutOutcome


def derive_seed(run_seed: int, key: Hashable, position: int, forced: tuple[int, ...], serial: int) -> int:
    """Stable 63-bit seed per request (Python's ``hash`` of str is salted per process)."""
    text = repr((int(run_seed), key, int(position), tuple(forced), int(serial))).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little") >> 1


@dataclass
class Memo:
    """Counts per solution position and per (position, alternative next token)."""

    solution: tuple[int, ...]
    final: float | None = None
    reuse: bool = True
    counts: dict[int, Estimate] = field(default_factory=dict)
    alts: dict[int, dict[int, Estimate]] = field(default_factory=dict)
    reused: int = 0

    def __post_init__(self) -> None:
        if self.final is not None:
            self.counts[len(self.solution)] = Estimate(exact=float(self.final))

    def get(self, position: int) -> Estimate:
        return self.counts.get(position, Estimate())

    def alternatives(self, position: int) -> dict[int, Estimate]:
        """Alternative next tokens after t_1..t_position (the solution's own token excluded)."""
        return dict(self.alts.get(position, {}))

    def _add(self, position: int, success: bool) -> None:
        self.counts[position] = self.get(position).add(int(success), 1)

    def _add_alt(self, position: int, token: int, success: bool) -> None:
        group = self.alts.setdefault(position, {})
        group[token] = group.get(token, Estimate()).add(int(success), 1)

    def ingest(self, position: int, forced: tuple[int, ...], outcomes: Sequence[RolloutOutcome]) -> list[int]:
        """Count rollouts sampled after t_1..t_position + forced; returns positions touched."""
        sol, length, f = self.solution, len(self.solution), len(forced)
        touched: set[int] = set()
        for out in outcomes:
            ok = bool(out.success) and out.error is None
            full = tuple(forced) + tuple(out.tokens)
            k = 0
            while k < len(full) and position + k < length and full[k] == sol[position + k]:
                k += 1
            last = k if self.reuse else min(k, f)
            for step in range(f, last + 1):  # positions whose context is fully forced/solution
                pos = position + step
                if self.counts.get(pos, Estimate()).exact is None:
                    self._add(pos, ok)
                    touched.add(pos)
                    self.reused += step > f
            # first non-matching token: its continuation was sampled, so it is an alternative sample
            if k < len(full) and position + k < length and k >= f - 1 and (self.reuse or k == 0):
                self._add_alt(position + k, full[k], ok)
        return sorted(touched)


@dataclass
class Judge:
    """Sequential decisions of the gap test on a :class:`Memo` (see :mod:`.stats`)."""

    config: EstimatorConfig
    gap: float

    @property
    def cap(self) -> int:
        c = self.config
        return c.fixed_rollouts if c.fixed_rollouts is not None else c.max_rollouts

    def can_sample(self, est: Estimate) -> bool:
        return est.exact is None and est.trials < self.cap

    def decide(self, a: Estimate, b: Estimate, one_token: bool) -> Decision:
        """'big' (bisect / pivot), 'small' (leaf) or None (needs more rollouts)."""
        c = self.config
        final = not (self.can_sample(a) or self.can_sample(b))
        if c.fixed_rollouts is not None:
            if not final:
                return None
            return "big" if abs(b.p - a.p) >= self.gap else "small"
        if one_token:
            thin = [e for e in (a, b) if e.exact is None and e.trials < c.accept_min_trials]
            if thin and any(self.can_sample(e) for e in thin):
                verdict = accept_test(
                    a, b, self.gap, c.indifference, c.accept_confidence, c.split_confidence, c.method, False
                )
                return "small" if verdict == "small" else None
            return accept_test(
                a, b, self.gap, c.indifference, c.accept_confidence, c.split_confidence, c.method, final
            )
        return split_test(a, b, self.gap, c.indifference, c.split_confidence, c.method, final)

    def wanted(self, a: Estimate, b: Estimate, one_token: bool = False) -> list[int]:
        """Which sides (0 = a, 1 = b) of an undecided segment to sample: unknown ones, else the
        noisier ones (interval width within 75% of the widest)."""
        sides = [(s, e) for s, e in ((0, a), (1, b)) if self.can_sample(e)]
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
            lo, hi = interval(e, self.config.split_confidence, self.config.method)
            widths[s] = hi - lo
        top = max(widths.values(), default=0.0)
        return [s for s in widths if widths[s] >= 0.75 * top]

    def batch(self, est: Estimate) -> int:
        """Rollouts to request for one position this round."""
        c = self.config
        step = c.fixed_rollouts if c.fixed_rollouts is not None else c.batch_size
        return max(1, min(step, self.cap - est.trials))
