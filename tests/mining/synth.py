"""A consistent synthetic 'language model' for testing the mining without a model.

At solution position k the next token is t_{k+1} with probability ``follow[k]``, else one
of two alternatives (equally likely) whose branch succeeds with ``alt_q[k]``; after an
alternative a few junk tokens follow and the rollout ends. The probabilities satisfy
``p(k) = f_k p(k+1) + (1 - f_k) mean(alt_q[k])``, so the true p-curve is exactly ``p``
and rollout reuse / alternatives are statistically valid, as with a real model.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ptsfast.mining import ProbeRequest, RolloutOutcome, Trajectory

ALT_BASE, JUNK_BASE = 50_000, 2_000


@dataclass
class SynthTraj:
    traj: Trajectory
    p: list[float]
    follow: list[float]
    alt_q: list[tuple[float, float]]

    def alt_tokens(self, k: int) -> tuple[int, int]:
        return ALT_BASE + 2 * k, ALT_BASE + 2 * k + 1

    def true_pivots(self, gap: float) -> set[int]:
        return {k for k in range(len(self.p) - 1) if abs(self.p[k + 1] - self.p[k]) >= gap}


def build(key, p: list[float], rng: random.Random, follow: float = 0.85, logprobs: bool = True) -> SynthTraj:
    """Make a consistent synthetic trajectory with true curve ``p`` (p[-1] in {0, 1})."""
    length = len(p) - 1
    fs, qs = [], []
    for k in range(length):
        a, b = p[k], p[k + 1]
        f = follow
        if b > 0:
            f = min(f, a / b)
        if b < 1:
            f = min(f, (1 - a) / (1 - b))
        r = (a - f * b) / (1 - f) if f < 1 else a
        r = min(1.0, max(0.0, r))
        d = 0.8 * min(r, 1 - r)
        fs.append(f)
        qs.append((r + d, r - d))
    ids = tuple(rng.randrange(100, 1000) for _ in range(length))
    lps = tuple(-rng.expovariate(1.0) for _ in range(length)) if logprobs else ()
    traj = Trajectory(key, f"prob-{key}", ids, lps, bool(p[-1] == 1.0), prompt_ids=(1, 2, 3))
    return SynthTraj(traj, list(p), fs, qs)


def random_curve(rng: random.Random, length: int, jumps: int, small: int = 3, p0: float | None = None) -> list[float]:
    """Step curve: ``jumps`` true jumps (|Δ| in [0.3, 0.5]), ``small`` drifts (|Δ| <= 0.1),
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


@dataclass
class BernoulliSampler:
    """RolloutSampler over synthetic trajectories; records every call."""

    synths: dict
    calls: list = field(default_factory=list)
    junk: int = 2

    def __call__(self, requests):
        self.calls.append(list(requests))
        return [[self._rollout(self.synths[r.key], r, rng) for _ in range(r.n)] for r, rng in
                ((r, random.Random(r.seed)) for r in requests)]

    def _rollout(self, st: SynthTraj, req: ProbeRequest, rng: random.Random) -> RolloutOutcome:
        sol, length = st.traj.solution_ids, len(st.traj.solution_ids)
        k = req.position
        for tok in req.forced:
            if k < length and tok == sol[k]:
                k += 1
                continue
            alts = st.alt_tokens(k)
            q = st.alt_q[k][alts.index(tok)] if tok in alts else 0.0
            junk = tuple(JUNK_BASE + rng.randrange(1000) for _ in range(self.junk))
            return RolloutOutcome(junk, rng.random() < q)
        toks: list[int] = []
        while k < length:
            if rng.random() < st.follow[k]:
                toks.append(sol[k])
                k += 1
                continue
            which = rng.randrange(2)
            toks.append(st.alt_tokens(k)[which])
            toks.extend(JUNK_BASE + rng.randrange(1000) for _ in range(self.junk))
            return RolloutOutcome(tuple(toks), rng.random() < st.alt_q[k][which])
        return RolloutOutcome(tuple(toks), st.p[-1] == 1.0)
