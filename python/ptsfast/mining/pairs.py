"""Alternative next tokens and DPO pairs for pivots (paper §4.3, footnote 7).

For a pivot at prefix ``t_1..t_i`` that raises p, ``t_{i+1}`` is chosen and an alternative next token that
lowers p is rejected; for one that lowers p it is the mirror image. Alternatives come for free from the
rollouts already sampled at the prefix (grouped by their first token, see
:class:`ptsfast.mining.estimator.Memo`); a group with fewer than ``min_count`` rollouts is topped up with
rollouts forced to start with that token.

Those counts only *choose* the candidate: the most extreme of several alternatives is extreme partly by
chance (a winner's curse, worst when the alternatives are alike), so a candidate is then re-estimated on
fresh forced rollouts (:func:`pair_test`), and the pair reports both tokens from batches drawn after it passed.
"""

from __future__ import annotations

from enum import Enum

from .estimator import looks
from .stats import diff_interval
from .types import Direction, Estimate, PairConfig


def direction(before: Estimate, after: Estimate) -> Direction:
    return Direction.of(before.p, after.p)


def top_up_needs(alts: dict[int, Estimate], config: PairConfig) -> list[tuple[int, int]]:
    """(token, n) forced rollouts to request so the ``max_alternatives`` most frequent
    alternatives reach ``min_count`` samples (ties broken by token id, for determinism)."""
    ranked = sorted(alts.items(), key=lambda kv: (-kv[1].trials, kv[0]))[: config.max_alternatives]
    return [(tok, config.min_count - est.trials) for tok, est in ranked if est.trials < config.min_count]


def rank_alternatives(dir_: Direction, before: Estimate, alts: dict[int, Estimate], config: PairConfig) -> list[int]:
    """Candidates for the other side of the pair, best first: alternatives with ``min_count`` samples that
    move p the other way from p(i) (below it for a raising pivot, above it for a lowering one), the most
    extreme first; ties go to the better-sampled, then the smaller token id."""
    pool = [(t, e) for t, e in alts.items() if e.trials >= config.min_count]
    if dir_ == Direction.RAISES:
        pool = [(t, e) for t, e in pool if e.p < before.p]
        pool.sort(key=lambda te: (te[1].p, -te[1].trials, te[0]))
    else:
        pool = [(t, e) for t, e in pool if e.p > before.p]
        pool.sort(key=lambda te: (-te[1].p, -te[1].trials, te[0]))
    return [t for t, _ in pool]


def pick_alternative(
    dir_: Direction, before: Estimate, alts: dict[int, Estimate], config: PairConfig
) -> tuple[int, Estimate] | None:
    """The best candidate of :func:`rank_alternatives` with its counts, or None."""
    ranked = rank_alternatives(dir_, before, alts, config)
    return (ranked[0], alts[ranked[0]]) if ranked else None


class PairVerdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"


def _level(config: PairConfig) -> float:
    """Two-sided confidence of one look of the fresh test (its error split over the looks to the cap)."""
    return 1 - (1 - config.confidence) / looks(max(1, config.fresh_rollouts), config.fresh_max_rollouts, 2.0)


def _signed_bounds(dir_: Direction, x: Estimate, y: Estimate, level: float) -> tuple[float, float]:
    """Interval of ``p(y) - p(x)`` signed by the pivot's direction (positive: the way the pivot moves p)."""
    lo, hi = diff_interval(x, y, level)
    return (lo, hi) if dir_ == Direction.RAISES else (-hi, -lo)


def token_side_clears(dir_: Direction, before: Estimate, after: Estimate, config: PairConfig) -> bool:
    """Whether the pivot's own token (``after``) lies on its side of p(i) (``before``) with the fresh test's
    confidence: the interval of ``p(after) - p(i)``, signed by the direction, clears 0.

    The pair's test samples only the alternative further, never these counts, so a pivot that fails this can
    never make a pair: the driver skips its alternatives (no exploration, top-ups or fresh batches) at once."""
    if not (before.known and after.known):
        return False
    return _signed_bounds(dir_, before, after, _level(config))[0] > 0


def pair_test(dir_: Direction, before: Estimate, after: Estimate, alt: Estimate, gap: float,
              config: PairConfig) -> PairVerdict | None:
    """Whether fresh counts make a pair of the pivot's own token (``after``) and an alternative (``alt``).

    Pass: the pivot's own token lies on its side of p(i) (:func:`token_side_clears`), the alternative on the
    other side (the interval of ``p(i) - p(alt)``, signed by the direction, clears 0) and the pair's margin
    ``|p(after) - p(alt)|`` clears ``gap / 2``, all at ``config.confidence`` split over the looks up to
    ``fresh_max_rollouts``. Fail: the token's side does not clear (only the alternative is sampled further, so
    it never will; an undecided pivot's token can sit level with p(i)), an interval lies wholly on the wrong
    side, or the alternative reached the cap undecided. None: sample the alternative further."""
    if not (before.known and after.known and alt.known):
        return None
    if not token_side_clears(dir_, before, after, config):
        return PairVerdict.FAIL
    level = _level(config)
    side_lo, side_hi = _signed_bounds(dir_, alt, before, level)
    margin_lo, margin_hi = _signed_bounds(dir_, alt, after, level)
    if side_lo > 0 and margin_lo >= gap / 2:
        return PairVerdict.PASS
    if side_hi <= 0 or margin_hi < gap / 2 or alt.trials >= config.fresh_max_rollouts:
        return PairVerdict.FAIL
    return None
