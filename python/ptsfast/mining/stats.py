"""Small statistics kit for the gap test (stdlib only: no scipy dependency).

Intervals for one proportion (Wilson score, or Jeffreys = Beta(s+1/2, f+1/2) posterior
quantiles) and for a difference of two (Newcombe's hybrid score method, which combines the
two single-proportion intervals; an exact side has a zero-width interval). The gap test
reads ``|Δp|`` bounds off that interval.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist
from typing import Literal

from .types import Estimate, EstimateSummary

Decision = Literal["big", "small"] | None


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


def diff_interval(a: Estimate, b: Estimate, confidence: float, method: str = "wilson") -> tuple[float, float]:
    """Newcombe hybrid interval for ``p_b - p_a`` from the two single intervals."""
    la, ua = interval(a, confidence, method)
    lb, ub = interval(b, confidence, method)
    pa, pb = a.p, b.p
    d = pb - pa
    lo = d - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    hi = d + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    return lo, hi


def abs_bounds(lo: float, hi: float) -> tuple[float, float]:
    """Bounds of |Δ| given bounds of Δ."""
    if lo <= 0 <= hi:
        return 0.0, max(-lo, hi)
    return min(abs(lo), abs(hi)), max(abs(lo), abs(hi))


def split_test(
    a: Estimate, b: Estimate, gap: float, indifference: float, confidence: float, method: str, final: bool
) -> Decision:
    """Should segment (a, b) be bisected? 'big' / 'small' / None (sample more).

    Stops as soon as ``|Δ|`` is confidently above ``gap - indifference`` or below
    ``gap + indifference``; ``final`` (no more samples possible) falls back to the point
    estimate, which is exactly the pseudo-code when both sides are exact.
    """
    if not (a.known and b.known):
        return None
    d = abs(b.p - a.p)
    if a.exact is not None and b.exact is not None:
        return "big" if d >= gap else "small"
    alo, ahi = abs_bounds(*diff_interval(a, b, confidence, method))
    big, small = alo >= gap - indifference, ahi < gap + indifference
    if big and small or final:
        return "big" if d >= gap else "small"
    return "big" if big else "small" if small else None


def accept_test(
    a: Estimate,
    b: Estimate,
    gap: float,
    indifference: float,
    accept_confidence: float,
    reject_confidence: float,
    method: str,
    final: bool,
) -> Decision:
    """Is the one-token segment (a, b) a pivot? Strict: 'big' only when the point estimate
    clears ``gap`` and the ``accept_confidence`` lower bound of ``|Δ|`` clears
    ``gap - indifference``. Rejects early when ``|Δ|`` is confidently below
    ``gap + indifference`` (looser confidence) and at the cap."""
    if not (a.known and b.known):
        return None
    d = abs(b.p - a.p)
    if a.exact is not None and b.exact is not None:
        return "big" if d >= gap else "small"
    alo, _ = abs_bounds(*diff_interval(a, b, accept_confidence, method))
    if d >= gap and alo >= gap - indifference:
        return "big"
    _, ahi = abs_bounds(*diff_interval(a, b, reject_confidence, method))
    if ahi < gap + indifference or final:
        return "small"
    return None
