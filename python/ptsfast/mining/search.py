"""The bisection of PTS (docs/design.md §1), breadth-first and estimator-agnostic.

:class:`Bisection` holds one trajectory's frontier of undecided segments. Whoever drives it
(:func:`search` with a user function, or :func:`find_pivots` below with a rollout sampler,
sequential estimation and alternatives over many trajectories) reads the positions it needs, decides each
segment, and calls :meth:`Bisection.resolve`. Since the split point of a segment is known
as soon as the segment is, every probe of the frontier can go to the estimator in one batch.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field, replace
from typing import Callable, Literal, Sequence

from .estimator import Judge, Memo, derive_seed, looks
from .pairs import direction, pick_alternative, top_up_needs
from .stats import abs_bounds, diff_interval, interval, shared_correlation, summarize
from .types import (
    Estimate,
    EstimateSummary,
    MiningConfig,
    PairRecord,
    PivotRecord,
    ProbeRequest,
    Progress,
    RolloutOutcome,
    RolloutSampler,
    Trajectory,
    TrajectoryResult,
)

SplitRule = Literal["logprob", "tokens"]


def cumulative_surprisal(logprobs: Sequence[float]) -> list[float]:
    """``S[k] = -sum(logprobs[:k])``: surprisal carried by t_1..t_k (non-decreasing)."""
    out, acc = [0.0], 0.0
    for lp in logprobs:
        acc += max(0.0, -float(lp)) if math.isfinite(lp) else 1e9
        out.append(acc)
    return out


def split_point(i: int, j: int, cum: Sequence[float] | None = None) -> int:
    """Split of segment t_{i+1}..t_j, clamped to ``i < m < j``.

    With ``cum`` (cumulative surprisal) the split is the position whose prefix carries
    closest to half of the segment's surprisal (ties -> the lower one), so a single
    unlikely token is isolated in a few levels; without it, the token-count midpoint.
    """
    if j - i < 2:
        raise ValueError(f"segment ({i}, {j}) has no interior split point")
    if cum is None or cum[j] - cum[i] <= 0:
        return (i + j) // 2
    target = (cum[i] + cum[j]) / 2
    k = bisect.bisect_left(cum, target, i + 1, j)  # first m with cum[m] >= target
    best = k
    if k - 1 > i and (target - cum[k - 1]) <= (cum[k] - target):
        best = k - 1
    return min(max(best, i + 1), j - 1)


@dataclass
class Bisection:
    """Frontier of ``subdivide(0, L)`` for one trajectory.

    ``resolve(seg, differs)``: for a segment longer than one token, ``differs`` bisects it;
    for a one-token segment it makes it a pivot. Non-differing segments become leaves.
    """

    length: int
    cum: list[float] | None = None
    frontier: list[tuple[int, int]] = field(default_factory=list)
    leaves: list[tuple[int, int]] = field(default_factory=list)
    pivots: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.length > 0 and not self.frontier and not self.leaves:
            self.frontier = [(0, self.length)]

    @classmethod
    def for_solution(cls, length: int, logprobs: Sequence[float] | None, split: SplitRule = "logprob") -> "Bisection":
        use = split == "logprob" and logprobs is not None and len(logprobs) == length
        if split not in ("logprob", "tokens"):
            raise ValueError(f"unknown split rule {split!r}: use 'logprob' or 'tokens'")
        return cls(length, cumulative_surprisal(logprobs) if use else None)

    @property
    def done(self) -> bool:
        return not self.frontier

    def positions(self) -> list[int]:
        """Endpoints of the frontier, sorted: what has to be estimated next."""
        return sorted({p for seg in self.frontier for p in seg})

    def resolve(self, seg: tuple[int, int], differs: bool) -> list[tuple[int, int]]:
        """Decide one frontier segment; returns the new child segments (maybe none)."""
        self.frontier.remove(seg)
        i, j = seg
        if j - i <= 1:
            (self.pivots if differs else self.leaves).append(seg)
            if differs:
                self.leaves.append(seg)
            return []
        if not differs:
            self.leaves.append(seg)
            return []
        m = split_point(i, j, self.cum)
        kids = [(i, m), (m, j)]
        self.frontier.extend(kids)
        return kids


PFunction = Callable[[tuple[int, ...]], "float | tuple[int, int]"]


@dataclass
class SearchResult:
    """Result of :func:`search`: pivot segments, their directions and every estimate used."""

    pivots: list[tuple[int, int]]
    segments: list[tuple[int, int]]
    estimates: dict[int, EstimateSummary]
    calls: int

    def directions(self) -> list[str]:
        return ["raises" if self.estimates[j].p > self.estimates[i].p else "lowers" for i, j in self.pivots]


def _as_estimate(value: "float | tuple[int, int]", pos: int) -> Estimate:
    if isinstance(value, tuple):
        s, n = value
        if not 0 <= s <= n or n <= 0:
            raise ValueError(f"p(prefix of {pos} tokens) returned {value!r}: need (successes, trials), 0<=s<=n, n>0")
        return Estimate(int(s), int(n))
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"p(prefix of {pos} tokens) returned {v}: a probability must be in [0, 1]")
    return Estimate(exact=v)


def search(
    solution_ids: Sequence[int],
    p: PFunction,
    gap: float = 0.2,
    logprobs: Sequence[float] | None = None,
    *,
    split: SplitRule = "logprob",
    p_final: float | None = None,
    confidence: float = 0.95,
) -> SearchResult:
    """PTS on one solution with your own estimator ``p(prefix_ids) -> float | (s, n)``.

    ``prefix_ids`` is the tuple t_1..t_i of solution tokens (the prompt is yours to add).
    Floats are taken as exact: the result is then exactly the pivots of the pseudo-code.
    Counts are judged by their point estimate (top-ups need the sampler API:
    :func:`find_pivots`); intervals in ``estimates`` use ``confidence``. ``p_final`` (e.g.
    the oracle verdict 0/1) replaces the call for the full solution. Without ``logprobs``
    the token-count midpoint is used. Each prefix is evaluated once, level by level.
    """
    ids = tuple(int(t) for t in solution_ids)
    length = len(ids)
    bis = Bisection.for_solution(length, logprobs, split)
    memo: dict[int, Estimate] = {}
    if p_final is not None:
        memo[length] = Estimate(exact=float(p_final))
    calls = 0
    while not bis.done:
        for pos in bis.positions():
            if pos not in memo:
                memo[pos] = _as_estimate(p(ids[:pos]), pos)
                calls += 1
        for seg in list(bis.frontier):
            a, b = memo[seg[0]], memo[seg[1]]
            bis.resolve(seg, abs(b.p - a.p) >= gap)
    if length == 0 and 0 not in memo:
        memo[0] = _as_estimate(p(()), 0)
        calls += 1
    est = {k: summarize(v, confidence) for k, v in sorted(memo.items())}
    return SearchResult(sorted(bis.pivots), sorted(bis.leaves), est, calls)


# --------------------------------------------------------------------------- sampler-driven driver
Tagged = tuple[ProbeRequest, str]


class _Miner:
    """State machine of one trajectory: filter -> search -> confirm -> pairs -> done.

    :meth:`step` advances as far as the counts allow and returns the requests it needs next
    (never empty unless done); :meth:`ingest` adds their outcomes.
    """

    def __init__(self, traj: Trajectory, config: MiningConfig) -> None:
        self.traj, self.cfg = traj, config
        e = config.estimator
        final = None if traj.correct is None else float(bool(traj.correct))
        self.memo = Memo(tuple(traj.solution_ids), final, e.reuse, e.rollout_budget)
        self.fresh = Memo(tuple(traj.solution_ids), final, True, e.rollout_budget)  # confirmations only
        self.judge = Judge(e, config.gap)
        self.bis = Bisection.for_solution(len(traj.solution_ids), traj.solution_logprobs or None, config.split)
        self.phase = "filter" if config.filter.enabled else "search"
        self.kept = True
        self.accepted: list[PivotRecord] = []
        self.explored: dict[int, int] = {}
        self.topped: set[int] = set()
        self.pairs: list[PairRecord] = []
        self.rollouts = self.probes = self.rounds = self.errors = 0
        self.serial = 0
        if not traj.solution_ids:
            self.phase = "done"

    # ---------------------------------------------------------------- requests
    def _req(self, position: int, n: int, tag: str, forced: tuple[int, ...] = (), extra: int | None = None) -> Tagged:
        """A request; rollouts get the budget plus ``extra`` tokens (default: the reuse window)."""
        self.serial += 1
        seed = derive_seed(self.cfg.seed, self.traj.key, position, forced, self.serial)
        e = self.cfg.estimator
        budget = e.rollout_budget
        if budget is not None and not forced:  # >= 1 extra: the first token may be an alternative's sample
            window = min(e.reuse_window, budget // 4) if e.reuse else 0
            budget += max(1, window if extra is None else extra)
        return ProbeRequest(self.traj.key, position, n, seed, forced, budget), tag

    def _summary(self, est: Estimate) -> EstimateSummary:
        e = self.cfg.estimator
        return summarize(est, e.accept_confidence, e.method)

    def step(self) -> list[Tagged]:
        while self.phase != "done":
            reqs = getattr(self, f"_step_{self.phase}")()
            if reqs:
                return reqs
        return []

    def _step_filter(self) -> list[Tagged]:
        """Keep the problem unless p(0) is confidently outside [p_min, p_max]."""
        f, e, p0 = self.cfg.filter, self.cfg.estimator, self.memo.get(0)
        if e.fixed_rollouts is not None:  # baseline: N rollouts, point estimate
            if p0.exact is None and p0.trials < self.judge.cap:
                return [self._req(0, self.judge.cap - p0.trials, "probe")]
            self.kept = f.p_min <= p0.p <= f.p_max
        else:
            level = f.confidence
            if e.alpha_spending:
                level = 1 - (1 - level) / looks(e.batch_size, f.max_rollouts, e.growth)
            lo, hi = interval(p0, level, e.method)
            inside = p0.known and f.p_min <= lo and hi <= f.p_max
            outside = p0.known and (hi < f.p_min or lo > f.p_max)
            if not (inside or outside) and p0.exact is None and p0.trials < f.max_rollouts:
                return [self._req(0, self.judge.batch(p0, cap=f.max_rollouts), "probe")]
            self.kept = not outside
        self.phase = "search" if self.kept else "done"
        return []

    def _step_search(self) -> list[Tagged]:
        changed = True
        while changed:
            changed = False
            for seg in list(self.bis.frontier):
                a, b = self.memo.get(seg[0]), self.memo.get(seg[1])
                one = seg[1] - seg[0] == 1
                d = self.judge.decide(a, b, one, self.memo.shared(*seg), self.judge.is_key(*seg, a, b))
                if d is None:
                    continue
                self.bis.resolve(seg, d == "big")
                changed = True
                if d == "big" and one:
                    self._accept(seg[0], a, b)
        need: dict[int, int] = {}
        for i, j in self.bis.frontier:
            a, b = self.memo.get(i), self.memo.get(j)
            key = self.judge.is_key(i, j, a, b)
            for side in self.judge.wanted(a, b, j - i == 1, key):
                pos = (i, j)[side]
                need[pos] = max(need.get(pos, 0), self.judge.batch((a, b)[side], key))
        if need:
            return [self._req(pos, n, "probe") for pos, n in sorted(need.items())]
        self.phase = "confirm"
        return []

    def _record(self, i: int, a: Estimate, b: Estimate, phi: float = 0.0, **kw) -> PivotRecord:
        e = self.cfg.estimator
        lo, hi = diff_interval(a, b, e.accept_confidence, e.method, phi)
        return PivotRecord(
            self.traj.key, self.traj.problem_id, i, int(self.traj.solution_ids[i]),
            self._summary(a), self._summary(b), direction(a, b), delta=b.p - a.p, delta_lo=lo, delta_hi=hi, **kw,
        )

    def _accept(self, i: int, a: Estimate, b: Estimate) -> None:
        phi = shared_correlation(a, b, self.memo.shared(i, i + 1)) if self.cfg.estimator.paired else 0.0
        self.accepted.append(self._record(i, a, b, phi, search_before=self._summary(a), search_after=self._summary(b)))

    def _step_confirm(self) -> list[Tagged]:
        n = self.cfg.estimator.confirm_rollouts
        self.phase = "pairs"
        if n <= 0 or not self.accepted:
            return []
        self.phase = "confirmed"
        positions = sorted({p for pv in self.accepted for p in (pv.position, pv.position + 1)})
        positions = [p for p in positions if self.memo.get(p).exact is None]
        # one extra token: a fresh rollout from i that follows t_{i+1} is a fresh sample at i+1 too
        return [self._req(p, n, "confirm", extra=1) for p in positions]

    def _step_confirmed(self) -> list[Tagged]:
        """Report each pivot from fresh rollouts only: free of the selection bias of the search.

        A pivot is ``confirmed`` unless the fresh rollouts refute it (its direction flips, or the
        ``reject_confidence`` upper bound of ``|Δ|`` falls below the gap); refuted pivots are
        left out of the results. Refutation is rare for real pivots, so the reported estimates
        of the ones kept stay close to unbiased (measured by ``ptsfast simulate``)."""
        e = self.cfg.estimator
        out = []
        for pv in self.accepted:
            i = pv.position
            a, b = self.fresh.get(i), self.fresh.get(i + 1)
            phi = shared_correlation(a, b, self.fresh.shared(i, i + 1)) if e.paired else 0.0
            _, ucb = abs_bounds(*diff_interval(a, b, e.reject_confidence, e.method, phi))
            ok = direction(a, b) == pv.direction and ucb >= self.cfg.gap
            rec = self._record(i, a, b, confirmed=ok, search_before=pv.search_before,
                               search_after=pv.search_after, phi=phi)
            out.append(replace(rec, direction=pv.direction, confirm_before=rec.before, confirm_after=rec.after))
        self.accepted = out
        self.phase = "pairs"
        return []

    def _pivots(self) -> list[PivotRecord]:
        return [pv for pv in self.accepted if pv.confirmed is not False]

    def _step_pairs(self) -> list[Tagged]:
        pc = self.cfg.pairs
        if not pc.enabled:
            self.phase = "done"
            return []
        reqs: list[Tagged] = []
        for pv in self._pivots():
            i, alts = pv.position, self.memo.alternatives(pv.position)
            if not alts and self.explored.get(i, 0) < pc.explore_rounds and self.judge.can_sample(self.memo.get(i)):
                self.explored[i] = self.explored.get(i, 0) + 1
                reqs.append(self._req(i, self.judge.batch(self.memo.get(i)), "probe"))
            elif i not in self.topped:
                self.topped.add(i)
                reqs.extend(self._req(i, n, "alt", (tok,)) for tok, n in top_up_needs(alts, pc))
        if reqs:
            return reqs
        for pv in self._pivots():
            i = pv.position
            before, after = self.memo.get(i), self.memo.get(i + 1)
            alt = pick_alternative(pv.direction, before, self.memo.alternatives(i), pc)
            if alt is None:
                continue
            tok, est = alt
            own = (int(self.traj.solution_ids[i]), after)
            chosen, rejected = (own, alt) if pv.direction == "raises" else (alt, own)
            self.pairs.append(
                PairRecord(
                    self.traj.key, self.traj.problem_id, i,
                    tuple(self.traj.prompt_ids) + tuple(self.traj.solution_ids[:i]),
                    int(chosen[0]), int(rejected[0]), self._summary(chosen[1]), self._summary(rejected[1]),
                    pv.direction,
                )
            )
        self.phase = "done"
        return []

    # ---------------------------------------------------------------- outcomes
    def ingest(self, req: ProbeRequest, tag: str, outcomes: Sequence[RolloutOutcome]) -> None:
        self.rollouts += len(outcomes)
        self.probes += 1
        self.errors += sum(o.error is not None for o in outcomes)
        self.memo.ingest(req.position, tuple(req.forced), outcomes, req.max_new_tokens)
        if tag == "confirm":
            self.fresh.ingest(req.position, tuple(req.forced), outcomes, req.max_new_tokens)

    def end_round(self) -> None:
        self.rounds += 1

    def result(self) -> TrajectoryResult:
        return TrajectoryResult(
            key=self.traj.key,
            problem_id=self.traj.problem_id,
            kept=self.kept,
            p0=self._summary(self.memo.get(0)),
            pivots=self._pivots(),
            pairs=list(self.pairs),
            estimates={k: self._summary(v) for k, v in sorted(self.memo.counts.items()) if v.known},
            segments=sorted(self.bis.leaves),
            rollouts=self.rollouts,
            reused=self.memo.reused,
            probes=self.probes,
            rounds=self.rounds,
            errors=self.errors,
        )


def find_pivots(
    trajectories: Sequence[Trajectory],
    sampler: RolloutSampler,
    config: MiningConfig | None = None,
    *,
    on_result: Callable[[TrajectoryResult], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> list[TrajectoryResult]:
    """Mine pivots and DPO pairs from many trajectories with one sampler call per round.

    Each round collects every request of every unfinished trajectory (filter probes, the
    whole bisection frontier, confirmations, alternative top-ups) into ONE ``sampler`` call.
    ``on_result`` gets each trajectory's result as soon as it is finished (write it then);
    ``on_progress`` gets counters after every round. Deterministic given the sampler.
    Results are returned in input order.
    """
    config = config or MiningConfig()
    keys = [t.key for t in trajectories]
    if len(set(keys)) != len(keys):
        raise ValueError("trajectory keys must be unique: they route the sampler's requests")
    miners = [_Miner(t, config) for t in trajectories]
    results: list[TrajectoryResult | None] = [None] * len(miners)
    active = list(range(len(miners)))
    rounds = rollouts = pivots = done = 0
    while active:
        batch: list[tuple[int, ProbeRequest, str]] = []
        still = []
        for idx in active:
            reqs = miners[idx].step()
            if not reqs:
                results[idx] = res = miners[idx].result()
                done += 1
                pivots += len(res.pivots)
                if on_result is not None:
                    on_result(res)
                continue
            still.append(idx)
            batch.extend((idx, r, tag) for r, tag in reqs)
        active = still
        if not batch:
            break
        outs = sampler([r for _, r, _ in batch])
        if len(outs) != len(batch):
            raise ValueError(f"sampler returned {len(outs)} lists for {len(batch)} requests; need one per request")
        for (idx, req, tag), got in zip(batch, outs):
            if len(got) != req.n:
                raise ValueError(f"sampler returned {len(got)} rollouts for a request of n={req.n} ({req!r})")
            miners[idx].ingest(req, tag, got)
            rollouts += len(got)
        for idx in active:
            miners[idx].end_round()
        rounds += 1
        if on_progress is not None:
            on_progress(Progress(rounds, rollouts, done, len(miners), pivots))
    if on_progress is not None:
        on_progress(Progress(rounds, rollouts, done, len(miners), pivots))
    return [r for r in results if r is not None]
