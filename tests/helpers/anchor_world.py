"""A synthetic sentence-level world with known importances, for the thought-anchor estimation (no model).

A solution has sentences ``S_0 … S_{n-1}``. A rollout forked before sentence ``k`` regenerates a first sentence
that is similar to ``S_k`` with probability ``q_k`` (then it goes on like the solution: success with
``P_{k+1}``) or different (success with ``d_k``); so ``P_k = q_k P_{k+1} + (1 - q_k) d_k``, the true
counterfactual importance is ``P_{k+1} - d_k`` and the resampling importance ``P_{k+1} - P_k``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ptsfast.mining.anchors import AnchorConfig, AnchorOutcome, AnchorSearch


@dataclass
class World:
    p: list[float]  # P_k, k = 0..n (P_n: the solution's verdict, or its p when it was cut)
    q: list[float]
    d: list[float]
    final: float | None

    @property
    def n(self) -> int:
        return len(self.q)

    def counterfactual(self, k: int) -> float:
        return self.p[k + 1] - self.d[k]

    def resampling(self, k: int) -> float:
        return self.p[k + 1] - self.p[k]

    def sample(self, k: int, n: int, rng: random.Random) -> list[AnchorOutcome]:
        out = []
        for _ in range(n):
            if k == self.n:
                out.append(AnchorOutcome(rng.random() < self.p[k]))
                continue
            sim = rng.random() < self.q[k]
            out.append(AnchorOutcome(rng.random() < (self.p[k + 1] if sim else self.d[k]), sim))
        return out


def make_world(rng: random.Random, n_min: int = 6, n_max: int = 14, anchor_share: float = 0.3) -> World:
    n = rng.randint(n_min, n_max)
    cut = rng.random() < 0.2
    final = None if cut else float(rng.random() < 0.5)
    p = [0.0] * (n + 1)
    p[n] = rng.uniform(0.1, 0.9) if cut else final
    q, d = [0.0] * n, [0.0] * n
    for k in range(n - 1, -1, -1):
        q[k] = rng.uniform(0.2, 0.85)
        if rng.random() < anchor_share:  # an anchor: |importance| in [0.3, 0.9], the sign the room allows
            mag = rng.uniform(0.3, 0.9)
            down, up = p[k + 1] - mag, p[k + 1] + mag
            options = [x for x in (down, up) if 0.0 <= x <= 1.0]
            d[k] = rng.choice(options) if options else (0.0 if p[k + 1] > 0.5 else 1.0)
        else:  # a sentence that barely matters (the scoring excludes 0.1 < |importance| < 0.3 as undecided)
            d[k] = min(1.0, max(0.0, p[k + 1] + rng.uniform(-0.08, 0.08)))
        p[k] = q[k] * p[k + 1] + (1 - q[k]) * d[k]
    return World(p, q, d, final)


def run_world(world: World, config: AnchorConfig, rng: random.Random):
    search = AnchorSearch(world.n, config, final=world.final)
    while True:
        reqs = search.requests()
        if not reqs:
            break
        for b, n in reqs:
            search.add(b, world.sample(b, n, rng))
    return search, search.results([(k, k + 1) for k in range(world.n)])
