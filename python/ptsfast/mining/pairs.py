"""Alternative next tokens and DPO pairs for pivots (paper §4.3, footnote 7).

For a pivot at prefix ``t_1..t_i`` that raises p, ``t_{i+1}`` is chosen and an alternative
next token that lowers p is rejected; for one that lowers p it is the mirror image.
Alternatives come for free from the rollouts already sampled at the prefix (grouped by their
first token, see :class:`ptsfast.mining.estimator.Memo`); a group with fewer than
``min_count`` rollouts is topped up with rollouts forced to start with that token.
"""

from __future__ import annotations

from .types import Direction, Estimate, PairConfig


def direction(before: Estimate, after: Estimate) -> Direction:
    return Direction.of(before.p, after.p)


def top_up_needs(alts: dict[int, Estimate], config: PairConfig) -> list[tuple[int, int]]:
    """(token, n) forced rollouts to request so the ``max_alternatives`` most frequent
    alternatives reach ``min_count`` samples (ties broken by token id, for determinism)."""
    ranked = sorted(alts.items(), key=lambda kv: (-kv[1].trials, kv[0]))[: config.max_alternatives]
    return [(tok, config.min_count - est.trials) for tok, est in ranked if est.trials < config.min_count]


def pick_alternative(
    dir_: Direction, before: Estimate, alts: dict[int, Estimate], config: PairConfig
) -> tuple[int, Estimate] | None:
    """The alternative for the other side of the pair, or None.

    Raising pivot: the alternative with the lowest p among those with enough samples, and it
    must lower p (``p(alt) < p(i)``). Lowering pivot: the highest, and it must raise p.
    Ties go to the better-sampled, then the smaller token id.
    """
    pool = [(t, e) for t, e in alts.items() if e.trials >= config.min_count]
    if not pool:
        return None
    if dir_ == Direction.RAISES:
        tok, est = min(pool, key=lambda te: (te[1].p, -te[1].trials, te[0]))
        return (tok, est) if est.p < before.p else None
    tok, est = max(pool, key=lambda te: (te[1].p, te[1].trials, -te[0]))
    return (tok, est) if est.p > before.p else None
