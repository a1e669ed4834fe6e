"""Small statistics kit for the gap test (stdlib only: no scipy dependency).

Intervals for one proportion (Wilson score, or Jeffreys = Beta(s+1/2, f+1/2) posterior
quantiles) and for a difference of two (Newcombe's hybrid score method, which combines the
two single-proportion intervals; an exact side has a zero-width interval; estimates that share
rollouts use its paired form). The gap tests of :class:`ptsfast.mining.estimator.GapTest` read
``|Δp|`` bounds off that interval.
"""

from __future__ import annotations

import math
from functools import lru_cache
from enum import Enum
from statistics import NormalDist
from typing import Optional

from .types import Estimate, EstimateSummary


class Gap(str, Enum):
    """Outcome of the gap test on a segment: ``BIG`` (bisect it / a pivot) or ``SMALL`` (a leaf)."""

    BIG = "big"
    SMALL = "small"


Decision = Optional[Gap]
"""A gap decision, or None while the segment needs more rollouts."""


@lru_cache(maxsize=64)
def z_two_sided(confidence: float) -> float:
    """Normal quantile for a two-sided interval at ``confidence``."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval; (0, 1) with no trials."""
    if trials <= 0:
        return 0.0, 1.0
    z = z_two_sided(confidence)
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta (modified Lentz; Numerical Recipes 6.4)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """Regularized incomplete beta I_x(a, b), the CDF of Beta(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    ln_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(ln_front)
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def beta_ppf(q: float, a: float, b: float) -> float:
    """Quantile of Beta(a, b) by bisection (the CDF is monotone; 60 halvings ~ 1e-18)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if beta_cdf(mid, a, b) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def jeffreys(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Jeffreys interval: equal-tailed Beta(s+1/2, n-s+1/2) posterior interval."""
    if trials <= 0:
        return 0.0, 1.0
    tail = (1 - confidence) / 2
    a, b = successes + 0.5, trials - successes + 0.5
    lo = 0.0 if successes == 0 else beta_ppf(tail, a, b)
    hi = 1.0 if successes == trials else beta_ppf(1 - tail, a, b)
    return lo, hi


def interval(est: Estimate, confidence: float, method: str = "wilson") -> tuple[float, float]:
    """Interval of one estimate; zero width when exact."""
    if est.exact is not None:
        return est.exact, est.exact
    if method == "wilson":
        return wilson(est.successes, est.trials, confidence)
    if method == "jeffreys":
        return jeffreys(est.successes, est.trials, confidence)
    raise ValueError(f"unknown interval method {method!r}: use 'wilson' or 'jeffreys'")


def summarize(est: Estimate, confidence: float, method: str = "wilson") -> EstimateSummary:
    lo, hi = interval(est, confidence, method)
    return EstimateSummary(est.p, est.successes, est.trials, lo, hi, est.exact is not None)


def diff_interval(
    a: Estimate, b: Estimate, confidence: float, method: str = "wilson", phi: float = 0.0
) -> tuple[float, float]:
    """Newcombe hybrid interval for ``p_b - p_a`` from the two single intervals.

    ``phi`` is the correlation of the two estimates (rollouts counted on both sides, see
    :func:`shared_correlation`); 0 gives the independent-samples interval (Newcombe 1998, method
    10), otherwise the paired form of the same construction (Newcombe 1998b) on each side's longer half-width, each
    bound no wider than the independent one's: under reuse, a side counted only through the other's followers has a
    Wilson interval skewed towards 1/2 that the error of Δ does not share, and the paired form on the skewed halves
    put the true Δ beyond its upper bound 4-5% of the time at 95%."""
    la, ua = interval(a, confidence, method)
    lb, ub = interval(b, confidence, method)
    pa, pb = a.p, b.p
    d = pb - pa
    dlb, dua, dub, dla = pb - lb, ua - pa, ub - pb, pa - la
    lo = d - math.sqrt(dlb * dlb + dua * dua)
    hi = d + math.sqrt(dub * dub + dla * dla)
    if phi > 0:  # never wider than the independent interval, which holds under positive correlation
        wb, wa = max(dlb, dub), max(dua, dla)
        half = math.sqrt(max(0.0, wb * wb - 2 * phi * wb * wa + wa * wa))
        lo, hi = max(lo, d - half), min(hi, d + half)
    return lo, hi


def shared_correlation(a: Estimate, b: Estimate, shared: tuple[int, int, int, int] | None) -> float:
    """Correlation of the estimates ``a`` and ``b`` when ``shared = (n, s_a, s_b, s_ab)`` of their
    rollouts are counted on both sides (n rollouts; s_a, s_b successes on each side; s_ab on both).

    ``Cov(p_a, p_b) = n cov(Y_a, Y_b) / (n_a n_b)``; the within-shared covariance uses Newcombe's
    continuity correction (``ad - bc - n/2``), so it errs towards 0 (wider intervals). 0 when a side
    is exact or constant."""
    if not shared or a.exact is not None or b.exact is not None:
        return 0.0
    n, sa, sb, sab = shared
    va, vb = a.p * (1 - a.p), b.p * (1 - b.p)
    if n <= 1 or va <= 0 or vb <= 0:
        return 0.0
    num = n * sab - sa * sb - n / 2
    if num <= 0:
        return 0.0
    phi = num / (n * math.sqrt(a.trials * b.trials * va * vb))
    return min(phi, 0.999)


ROUNDING = 1e-9
"""Above float rounding (~1e-16 on a difference of probabilities), far below the steps of count ratios (two ratios
of up to 10^4 trials differ by at least 1/10^8 where they differ)."""


def reaches(x: float, threshold: float) -> bool:
    """``x >= threshold`` as the counts mean it: ratios of counts land on a threshold exactly as often as not
    (21/35 - 19/38 is 0.1 but computes as 0.0999...), and rounding must not decide those."""
    return x >= threshold - ROUNDING


def abs_bounds(lo: float, hi: float) -> tuple[float, float]:
    """Bounds of |Δ| given bounds of Δ."""
    if lo <= 0 <= hi:
        return 0.0, max(-lo, hi)
    return min(abs(lo), abs(hi)), max(abs(lo), abs(hi))
