"""Drives the search of many trajectories with a rollout sampler: sequential estimation, confirmation, pairs.

:class:`TrajectoryMiner` is one trajectory's state machine (filter -> search -> confirm -> pairs). A
:class:`SearchPool` holds any number of them and routes each probe's outcomes back: a trajectory steps
on as soon as all outcomes of its last step are in, and trajectories may join at any time, so a caller
with an asynchronous engine keeps it busy (the run layer), while :func:`find_pivots` drives the pool in
rounds, one sampler call per round. A trajectory's requests and seeds depend only on its own outcomes,
so both drivers give the same results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Callable, Sequence

from ptsfast.mining.seeds import stable_seed

from .estimator import GapTest, Memo, looks
from .pairs import direction, pick_alternative, top_up_needs
from .search import Bisection
from .stats import Gap, abs_bounds, diff_interval, interval, shared_correlation, summarize
from .types import (
    Direction,
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


class Phase(Enum):
    """Where a trajectory's search stands."""

    FILTER = "filter"  # is p(0) inside [p_min, p_max]?
    SEARCH = "search"  # the bisection
    CONFIRM = "confirm"  # fresh rollouts around each accepted pivot (requested)
    CONFIRMED = "confirmed"  # ... and judged
    PAIRS = "pairs"  # alternatives and DPO pairs
    DONE = "done"


class ProbeKind(Enum):
    """What a probe's rollouts are for."""

    PROBE = "probe"  # counts at a solution position (reused along the solution)
    CONFIRM = "confirm"  # also fresh counts for the confirmation of a pivot
    ALTERNATIVE = "alternative"  # forced to start with an alternative next token


Tagged = tuple[ProbeRequest, ProbeKind]


class TrajectoryMiner:
    """State machine of one trajectory: filter -> search -> confirm -> pairs -> done.

    :meth:`step` advances as far as the counts allow and returns the requests it needs next
    (never empty unless done); :meth:`ingest` adds their outcomes. All of one step's outcomes must be
    ingested before the next step (the decisions read every estimate of the frontier).
    """

    def __init__(self, traj: Trajectory, config: MiningConfig) -> None:
        self.traj, self.cfg = traj, config
        e = config.estimator
        final = None if traj.correct is None else float(bool(traj.correct))
        self.memo = Memo(tuple(traj.solution_ids), final, e.reuse, e.rollout_budget)
        self.fresh = Memo(tuple(traj.solution_ids), final, True, e.rollout_budget)  # confirmations only
        self.gaps = GapTest(e, config.gap)
        self.bis = Bisection.for_solution(len(traj.solution_ids), traj.solution_logprobs or None, config.split)
        self.phase = Phase.FILTER if config.filter.enabled else Phase.SEARCH
        self.kept = True
        self.accepted: list[PivotRecord] = []
        self.explored: dict[int, int] = {}
        self.topped: set[int] = set()
        self.pairs: list[PairRecord] = []
        self.rollouts = self.probes = self.rounds = self.errors = 0
        self.serial = 0
        if not traj.solution_ids:
            self.phase = Phase.DONE

    # ---------------------------------------------------------------- requests
    def _req(self, position: int, n: int, kind: ProbeKind, forced: tuple[int, ...] = (),
             extra: int | None = None) -> Tagged:
        """A request; rollouts get the budget plus ``extra`` tokens (default: the reuse window)."""
        self.serial += 1
        seed = stable_seed(int(self.cfg.seed), self.traj.key, int(position), tuple(forced), self.serial)
        e = self.cfg.estimator
        budget = e.rollout_budget if forced else e.rollout_tokens(extra)
        return ProbeRequest(self.traj.key, position, n, seed, forced, budget), kind

    def _summary(self, est: Estimate) -> EstimateSummary:
        e = self.cfg.estimator
        return summarize(est, e.accept_confidence, e.method)

    def step(self) -> list[Tagged]:
        steps = {Phase.FILTER: self._step_filter, Phase.SEARCH: self._step_search, Phase.CONFIRM: self._step_confirm,
                 Phase.CONFIRMED: self._step_confirmed, Phase.PAIRS: self._step_pairs}
        while self.phase is not Phase.DONE:
            reqs = steps[self.phase]()
            if reqs:
                return reqs
        return []

    def _step_filter(self) -> list[Tagged]:
        """Keep the problem unless p(0) is confidently outside [p_min, p_max]."""
        f, e, p0 = self.cfg.filter, self.cfg.estimator, self.memo.get(0)
        if e.fixed_rollouts is not None:  # baseline: N rollouts, point estimate
            if p0.exact is None and p0.trials < self.gaps.cap:
                return [self._req(0, self.gaps.cap - p0.trials, ProbeKind.PROBE)]
            self.kept = f.p_min <= p0.p <= f.p_max
        else:
            level = f.confidence
            if e.alpha_spending:
                level = 1 - (1 - level) / looks(e.batch_size, f.max_rollouts, e.growth)
            lo, hi = interval(p0, level, e.method)
            inside = p0.known and f.p_min <= lo and hi <= f.p_max
            outside = p0.known and (hi < f.p_min or lo > f.p_max)
            if not (inside or outside) and p0.exact is None and p0.trials < f.max_rollouts:
                return [self._req(0, self.gaps.batch(p0, cap=f.max_rollouts), ProbeKind.PROBE)]
            self.kept = not outside
        self.phase = Phase.SEARCH if self.kept else Phase.DONE
        return []

    def _step_search(self) -> list[Tagged]:
        changed = True
        while changed:
            changed = False
            for seg in list(self.bis.frontier):
                a, b = self.memo.get(seg[0]), self.memo.get(seg[1])
                one = seg[1] - seg[0] == 1
                d = self.gaps.decide(a, b, one, self.memo.shared(*seg), self.gaps.is_key(*seg, a, b))
                if d is None:
                    continue
                self.bis.resolve(seg, d is Gap.BIG)
                changed = True
                if d is Gap.BIG and one:
                    self._accept(seg[0], a, b)
        need: dict[int, int] = {}
        for i, j in self.bis.frontier:
            a, b = self.memo.get(i), self.memo.get(j)
            key = self.gaps.is_key(i, j, a, b)
            for side in self.gaps.wanted(a, b, j - i == 1, key):
                pos = (i, j)[side]
                need[pos] = max(need.get(pos, 0), self.gaps.batch((a, b)[side], key))
        if need:
            return [self._req(pos, n, ProbeKind.PROBE) for pos, n in sorted(need.items())]
        self.phase = Phase.CONFIRM
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
        self.phase = Phase.PAIRS
        if n <= 0 or not self.accepted:
            return []
        self.phase = Phase.CONFIRMED
        positions = sorted({p for pv in self.accepted for p in (pv.position, pv.position + 1)})
        positions = [p for p in positions if self.memo.get(p).exact is None]
        # one extra token: a fresh rollout from i that follows t_{i+1} is a fresh sample at i+1 too
        return [self._req(p, n, ProbeKind.CONFIRM, extra=1) for p in positions]

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
        self.phase = Phase.PAIRS
        return []

    def _pivots(self) -> list[PivotRecord]:
        return [pv for pv in self.accepted if pv.confirmed is not False]

    def _step_pairs(self) -> list[Tagged]:
        pc = self.cfg.pairs
        if not pc.enabled:
            self.phase = Phase.DONE
            return []
        reqs: list[Tagged] = []
        for pv in self._pivots():
            i, alts = pv.position, self.memo.alternatives(pv.position)
            if not alts and self.explored.get(i, 0) < pc.explore_rounds and self.gaps.can_sample(self.memo.get(i)):
                self.explored[i] = self.explored.get(i, 0) + 1
                reqs.append(self._req(i, self.gaps.batch(self.memo.get(i)), ProbeKind.PROBE))
            elif i not in self.topped:
                self.topped.add(i)
                reqs.extend(self._req(i, n, ProbeKind.ALTERNATIVE, (tok,)) for tok, n in top_up_needs(alts, pc))
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
            chosen, rejected = (own, alt) if pv.direction == Direction.RAISES else (alt, own)
            self.pairs.append(
                PairRecord(
                    self.traj.key, self.traj.problem_id, i,
                    tuple(self.traj.prompt_ids) + tuple(self.traj.solution_ids[:i]),
                    int(chosen[0]), int(rejected[0]), self._summary(chosen[1]), self._summary(rejected[1]),
                    pv.direction,
                )
            )
        self.phase = Phase.DONE
        return []

    # ---------------------------------------------------------------- outcomes
    def ingest(self, req: ProbeRequest, kind: ProbeKind, outcomes: Sequence[RolloutOutcome]) -> None:
        self.rollouts += len(outcomes)
        self.probes += 1
        self.errors += sum(o.error is not None for o in outcomes)
        self.memo.ingest(req.position, tuple(req.forced), outcomes, req.max_new_tokens)
        if kind is ProbeKind.CONFIRM:
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


@dataclass
class _Issued:
    miner: int
    request: ProbeRequest
    kind: ProbeKind


class SearchPool:
    """Trajectories being searched, each stepping on as soon as its last step's outcomes are in.

    :meth:`add` starts trajectories and :meth:`complete` hands one probe's outcomes back; both return the
    newly needed probes as ``(ticket, request)``. ``on_result`` gets each trajectory's result when it is done.
    """

    def __init__(self, config: MiningConfig, on_result: Callable[[TrajectoryResult], None] | None = None) -> None:
        self.config = config
        self.on_result = on_result
        self.miners: list[TrajectoryMiner] = []
        self.results: list[TrajectoryResult | None] = []
        self._keys: set = set()
        self._issued: dict[int, _Issued] = {}
        self._waiting: list[int] = []  # outstanding probes per miner
        self._next_ticket = 0
        self.rollouts = self.pivots = self.done = 0

    @property
    def idle(self) -> bool:
        """No trajectory is waiting for outcomes."""
        return not self._issued

    def add(self, trajectories: Sequence[Trajectory]) -> list[tuple[int, ProbeRequest]]:
        keys = [t.key for t in trajectories]
        if len(set(keys)) != len(keys) or self._keys.intersection(keys):
            raise ValueError("trajectory keys must be unique: they route the sampler's requests")
        self._keys.update(keys)
        out: list[tuple[int, ProbeRequest]] = []
        for t in trajectories:
            self.miners.append(TrajectoryMiner(t, self.config))
            self.results.append(None)
            self._waiting.append(0)
            out += self._advance(len(self.miners) - 1)
        return out

    def complete(self, ticket: int, outcomes: Sequence[RolloutOutcome]) -> list[tuple[int, ProbeRequest]]:
        issued = self._issued.pop(ticket)
        if len(outcomes) != issued.request.n:
            raise ValueError(f"sampler returned {len(outcomes)} rollouts for a request of n={issued.request.n} "
                             f"({issued.request!r})")
        self.miners[issued.miner].ingest(issued.request, issued.kind, outcomes)
        self.rollouts += len(outcomes)
        self._waiting[issued.miner] -= 1
        if self._waiting[issued.miner]:
            return []
        self.miners[issued.miner].end_round()
        return self._advance(issued.miner)

    def _advance(self, idx: int) -> list[tuple[int, ProbeRequest]]:
        miner = self.miners[idx]
        reqs = miner.step()
        if not reqs:
            self.results[idx] = res = miner.result()
            self.done += 1
            self.pivots += len(res.pivots)
            if self.on_result is not None:
                self.on_result(res)
            return []
        out = []
        for req, kind in reqs:
            ticket, self._next_ticket = self._next_ticket, self._next_ticket + 1
            self._issued[ticket] = _Issued(idx, req, kind)
            out.append((ticket, req))
        self._waiting[idx] = len(reqs)
        return out


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
    pool = SearchPool(config or MiningConfig(), on_result)
    pending = pool.add(trajectories)
    rounds = 0
    while pending:
        outs = sampler([r for _, r in pending])
        if len(outs) != len(pending):
            raise ValueError(f"sampler returned {len(outs)} lists for {len(pending)} requests; need one per request")
        pending = [nxt for (ticket, _), got in zip(pending, outs) for nxt in pool.complete(ticket, got)]
        rounds += 1
        if on_progress is not None:
            on_progress(Progress(rounds, pool.rollouts, pool.done, len(pool.miners), pool.pivots))
    if on_progress is not None:
        on_progress(Progress(rounds, pool.rollouts, pool.done, len(pool.miners), pool.pivots))
    return [r for r in pool.results if r is not None]
