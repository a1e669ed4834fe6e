"""Interval formulas against published values."""

import math

import pytest

from ptsfast.mining.stats import abs_bounds, beta_cdf, beta_ppf, diff_interval, jeffreys, wilson
from ptsfast.mining.types import Estimate


def test_wilson_known_values():
    lo, hi = wilson(5, 10, 0.95)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert wilson(0, 0, 0.95) == (0.0, 1.0)
    lo, hi = wilson(0, 10, 0.95)
    assert lo == pytest.approx(0.0, abs=1e-12) and hi == pytest.approx(0.2775, abs=1e-4)


def test_beta_cdf_and_quantile():
    assert beta_cdf(0.4, 2, 3) == pytest.approx(0.5248, abs=1e-4)  # 1 - (0.6^4 + 4*0.4*0.6^3)
    assert beta_cdf(0.5, 7.5, 7.5) == pytest.approx(0.5, abs=1e-12)
    for a, b, q in [(0.5, 0.5, 0.1), (3.5, 9.5, 0.975), (40.5, 2.5, 0.025)]:
        assert beta_cdf(beta_ppf(q, a, b), a, b) == pytest.approx(q, abs=1e-9)
    # Beta(1,1) is uniform
    assert beta_cdf(0.3, 1, 1) == pytest.approx(0.3)


def test_jeffreys_brackets_and_symmetry():
    lo, hi = jeffreys(5, 10, 0.95)
    assert lo == pytest.approx(1 - hi, abs=1e-9) and 0.2 < lo < 0.25  # published: (0.2235, 0.7765)
    assert lo == pytest.approx(0.2235, abs=2e-4)
    assert jeffreys(0, 10, 0.95)[0] == 0.0 and jeffreys(10, 10, 0.95)[1] == 1.0


def test_newcombe_published_example():
    # Newcombe (1998) example: 56/70 vs 48/80 -> difference 0.2000, 95% CI (0.0524, 0.3339)
    lo, hi = diff_interval(Estimate(48, 80), Estimate(56, 70), 0.95)
    assert lo == pytest.approx(0.0524, abs=1e-4) and hi == pytest.approx(0.3339, abs=1e-4)


def test_exact_side_has_zero_width_and_abs_bounds():
    lo, hi = diff_interval(Estimate(exact=1.0), Estimate(exact=0.25), 0.95)
    assert lo == hi == -0.75
    assert abs_bounds(-0.3, 0.1) == (0.0, 0.3)
    assert abs_bounds(-0.5, -0.2) == (0.2, 0.5)
    assert math.isnan(Estimate().p)


def _reuse_draws(rng, f: float, pj: float, r: float, ni: int, nj: int):
    """One draw of a segment's two estimates under reuse: i's ``ni`` rollouts follow with probability ``f`` (then
    succeed with p(i+1) = ``pj``), else succeed with ``r``; i+1 has ``nj`` rollouts of its own besides the followers.
    Returns (a, b, shared counts, true Δ)."""
    si = ns = sb = 0
    for _ in range(ni):
        if rng.random() < f:
            ok = rng.random() < pj
            ns += 1
            sb += ok
        else:
            ok = rng.random() < r
        si += ok
    sj = sb + sum(rng.random() < pj for _ in range(nj))
    return Estimate(si, ni), Estimate(sj, nj + ns), (ns, sb, sb, sb), pj - (f * pj + (1 - f) * r)


def test_paired_interval_covers_and_is_narrower():
    """Rollouts from i that write t_{i+1} count on both sides (reuse). The paired interval of p(i+1) - p(i) keeps
    its 95% coverage and is narrower than the independent one."""
    import random

    from ptsfast.mining.stats import shared_correlation

    rng = random.Random(0)
    for f, pj, r, ni, nj in [(0.9, 0.8, 0.3, 48, 16), (0.5, 0.6, 0.2, 32, 32), (0.97, 0.5, 0.5, 64, 8)]:
        cover = narrower = 0
        reps = 1500
        for _ in range(reps):
            a, b, shared, true = _reuse_draws(rng, f, pj, r, ni, nj)
            phi = shared_correlation(a, b, shared)
            lo, hi = diff_interval(a, b, 0.95, phi=phi)
            cover += lo <= true <= hi
            ilo, ihi = diff_interval(a, b, 0.95)
            narrower += hi - lo <= ihi - ilo + 1e-12
        assert cover / reps >= 0.93, (f, cover / reps)
        assert narrower == reps


def test_paired_interval_each_bound_holds_its_tail():
    """Each bound of the paired interval misses on its own side at most about half the error: the gap test rejects a
    one-token segment on the upper bound alone. Where every rollout counted at i+1 is a follower of i (no rollout
    of its own there: the search's usual first looks), p(i+1)'s Wilson interval is skewed towards 1/2 but Δ's
    error is not: the paired form built on the skewed half-widths put the true Δ above its upper bound 3.8-4.9% of
    the time at 95% (so a one-token step of 0.3-0.42 was rejected at twice the error the test spends)."""
    import random

    from ptsfast.mining.stats import shared_correlation

    rng = random.Random(1)
    reps = 3000
    for f, pj, r, ni, nj in [(0.5, 0.8, 0.2, 64, 0), (0.5, 0.8, 0.2, 32, 0), (0.3, 0.9, 0.3, 64, 0),
                             (0.6, 0.9, 0.15, 32, 0), (0.5, 0.6, 0.2, 32, 32)]:
        above = below = 0
        for _ in range(reps):
            a, b, shared, true = _reuse_draws(rng, f, pj, r, ni, nj)
            if not b.trials:
                continue
            lo, hi = diff_interval(a, b, 0.95, phi=shared_correlation(a, b, shared))
            above += true > hi
            below += true < lo
        assert above / reps <= 0.032 and below / reps <= 0.032, ((f, pj, r, ni, nj), above / reps, below / reps)
