"""Seeded simulation: sequential estimation vs the fixed-N=16 estimator of existing tools.

Synthetic trajectories (no model) with step p-curves: half have no true pivot (flat with
drifts |Δ| <= 0.1), the rest 1-2 true jumps (|Δ| in [0.3, 0.5]); p(L) is a 0/1 verdict.
A *false pivot* is a flagged (i, i+1) whose true |p(i+1) - p(i)| < gap.
"""

import random

from synth import BernoulliSampler, build, random_curve

from ptsfast.mining import EstimatorConfig, FilterConfig, MiningConfig, PairConfig, find_pivots

GAP = 0.2


def population(seed, n):
    rng = random.Random(seed)
    out = {}
    for t in range(n):
        length = rng.randrange(20, 80)
        out[t] = build(t, random_curve(rng, length, rng.choice((0, 0, 1, 2))), rng)
    return out


def evaluate(est: EstimatorConfig, seed: int, n: int) -> dict:
    synths = population(seed, n)
    cfg = MiningConfig(gap=GAP, seed=seed, estimator=est, filter=FilterConfig(enabled=False),
                       pairs=PairConfig(enabled=False))
    res = find_pivots([s.traj for s in synths.values()], BernoulliSampler(synths), cfg)
    flagged = false = hit = total = 0
    for r in res:
        st = synths[r.key]
        truth = st.true_pivots(GAP)
        total += len(truth)
        for pv in r.pivots:
            flagged += 1
            false += pv.position not in truth
            hit += pv.position in truth
    return dict(flagged=flagged, false=false, false_frac=false / max(1, flagged), recall=hit / total,
                rollouts=sum(r.rollouts for r in res) / len(res))


def test_sequential_flags_far_fewer_false_pivots_with_no_more_rollouts():
    n = 200
    rows = {}
    for name, est in [
        ("fixed N=16 (existing tools)", EstimatorConfig(fixed_rollouts=16, reuse=False)),
        ("sequential (default)", EstimatorConfig()),
        ("sequential, no reuse", EstimatorConfig(reuse=False)),
    ]:
        agg = [evaluate(est, seed, n) for seed in (1, 2)]
        rows[name] = {k: sum(a[k] for a in agg) / len(agg) for k in agg[0]}
    print(f"\n{'method':32s} {'flagged':>8s} {'false':>6s} {'false%':>7s} {'recall':>7s} {'rollouts/traj':>14s}")
    for name, r in rows.items():
        print(f"{name:32s} {r['flagged']:8.1f} {r['false']:6.1f} {100 * r['false_frac']:6.1f}% "
              f"{r['recall']:7.3f} {r['rollouts']:14.1f}")
    base, seq = rows["fixed N=16 (existing tools)"], rows["sequential (default)"]
    assert seq["false_frac"] <= base["false_frac"] / 5, "sequential must flag far fewer false pivots"
    assert seq["false"] <= base["false"] / 5
    assert seq["rollouts"] <= base["rollouts"], "sequential must not use more rollouts on average"
    assert seq["recall"] >= base["recall"] - 0.02, "and must not lose true pivots"
    # without reuse the sequential test alone still cuts false pivots, at a higher rollout cost
    assert rows["sequential, no reuse"]["false_frac"] <= base["false_frac"] / 2


def _leaf_false_rate(est: EstimatorConfig, p: float, reps: int, seed: int) -> tuple[float, float]:
    """One-token segment with p(i) = p(i+1) = p, independent sides: P(flagged), mean rollouts."""
    from ptsfast.mining.estimator import Judge
    from ptsfast.mining.types import Estimate

    rng = random.Random(seed)
    judge = Judge(est, GAP)
    flagged = used = 0
    for _ in range(reps):
        a = b = Estimate()
        while (d := judge.decide(a, b, True)) is None:
            for side in judge.wanted(a, b, True):
                k = judge.batch((a, b)[side])
                s = sum(rng.random() < p for _ in range(k))
                used += k
                a, b = (a.add(s, k), b) if side == 0 else (a, b.add(s, k))
        flagged += d == "big"
    return flagged / reps, used / reps


def test_single_leaf_false_pivot_rate_at_half():
    base = _leaf_false_rate(EstimatorConfig(fixed_rollouts=16, reuse=False), 0.5, 3000, 0)
    seq = _leaf_false_rate(EstimatorConfig(reuse=False), 0.5, 3000, 0)
    print(f"\np(i)=p(i+1)=0.5: fixed N=16 flags {100 * base[0]:.1f}% ({base[1]:.0f} rollouts/leaf); "
          f"sequential flags {100 * seq[0]:.1f}% ({seq[1]:.0f} rollouts/leaf)")
    assert 0.15 < base[0] < 0.35 and seq[0] < 0.03
