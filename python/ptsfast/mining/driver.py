"""Drives the search of many trajectories with a rollout sampler: sequential estimation, confirmation, pairs.

:class:`TrajectoryMiner` is one trajectory's state machine (filter -> search -> confirm -> pairs). A
:class:`SearchPool` holds any number of them and routes each probe's outcomes back: a trajectory steps
on as soon as all outcomes of its last step are in, and trajectories may join at any time, so a caller
with an asynchronous engine keeps it busy (the run layer), while :func:`find_pivots` drives the pool in
rounds, one sampler call per round. A trajectory's requests and seeds depend only on its own outcomes
(and its problem's filter, :class:`ProblemFilter`, on the rollouts from the prompt), so both drivers give
the same results.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from enum import Enum
from typing import Callable, Sequence

from ptsfast.mining.seeds import stable_seed

from .estimator import GapTest, Memo, looks
from .pairs import PairVerdict, direction, pair_test, rank_alternatives, token_side_clears, top_up_needs
from .search import Bisection
from .stats import Gap, diff_interval, interval, shared_correlation, summarize
from .types import (
    Confirmation,
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

    FILTER = "filter"  # waits for its problem's p(0) test (:class:`ProblemFilter`)
    SEARCH = "search"  # the bisection
    CONFIRM = "confirm"  # fresh rollouts around each accepted pivot until each is decided
    PAIRS = "pairs"  # alternatives (top-ups), then a fresh test of each pair
    DONE = "done"


class ProbeKind(Enum):
    """What a probe's rollouts are for."""

    PROBE = "probe"  # counts at a solution position (reused along the solution)
    CONFIRM = "confirm"  # fresh counts for the confirmation of a pivot (the last ones of its first request, kept
    # apart, are what it reports)
    ALTERNATIVE = "alternative"  # forced to start with an alternative next token (chooses the pair's candidate)
    FRESH_ALTERNATIVE = "fresh_alternative"  # forced too, counted apart: the candidate's fresh test
    REPORT_ALTERNATIVE = "report_alternative"  # forced (the alternative, or the pivot's own token), after the pair
    # passed: what the pair reports


Tagged = tuple[ProbeRequest, ProbeKind]


def rollout_budget(traj: Trajectory, config: MiningConfig) -> int | None:
    """The search's rollout budget for ``traj``: the config's, else the trajectory's ``max_new_tokens``.

    Reuse needs one: a rollout counted ``k`` tokens further along the solution has ``k`` tokens less of its
    budget there, so without knowing the budget the counts are biased down (design §1, rollout reuse)."""
    e = config.estimator
    budget = e.rollout_budget if e.rollout_budget is not None else traj.max_new_tokens
    if budget is None and e.reuse:
        raise ValueError(
            f"trajectory {traj.key!r}: no rollout budget. Set EstimatorConfig.rollout_budget (or "
            "Trajectory.max_new_tokens) to the max_new_tokens your sampler gives each rollout, so that reused "
            "rollouts keep a full budget, or set reuse=False")
    if budget is not None and (not _is_int(budget) or budget < 1):
        raise ValueError(f"trajectory {traj.key!r}: max_new_tokens={budget!r}: use an int >= 1")
    return budget


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _checked(t, i: int) -> Trajectory:
    """``t`` with its ids as tuples of ints (lists, numpy arrays and tensors are read as such); a value the search
    would misread (not a :class:`Trajectory`, an unhashable key, a str of ids) is refused naming it."""
    if not isinstance(t, Trajectory):
        raise TypeError(f"trajectories[{i}] must be a ptsfast.mining.Trajectory, got {type(t).__name__}"
                        + (" (pass a list of them)" if i == 0 and isinstance(t, (str, bytes)) else ""))
    try:
        hash((t.key, t.problem_id))
    except TypeError:
        raise TypeError(f"trajectories[{i}]: key and problem_id must be hashable (a str, an int or a tuple), got "
                        f"{t.key!r} and {t.problem_id!r}") from None
    ids = {}
    for name in ("solution_ids", "prompt_ids"):
        v = getattr(t, name)
        items = v.tolist() if hasattr(v, "tolist") else v
        items = None if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__") else list(items)
        if items is None or not all(_is_int(x) and x >= 0 for x in items):
            raise TypeError(f"trajectory {t.key!r}: {name} must be token ids (ints >= 0), got {v!r:.80}")
        ids[name] = tuple(int(x) for x in items)
    return t if all(type(getattr(t, n)) is tuple and ids[n] == getattr(t, n) for n in ids) else replace(t, **ids)


class TrajectoryMiner:
    """State machine of one trajectory: filter -> search -> confirm -> pairs -> done.

    :meth:`step` advances as far as the counts allow and returns the requests it needs next
    (never empty unless done or waiting for its problem's filter); :meth:`ingest` adds their outcomes. All
    of one step's outcomes must be ingested before the next step (the decisions read every estimate of the
    frontier).
    """

    def __init__(self, traj: Trajectory, config: MiningConfig) -> None:
        self.traj, self.cfg = traj, config
        e = config.estimator
        self.budget = rollout_budget(traj, config)
        final = None if traj.correct is None else float(bool(traj.correct))
        self.memo = Memo(tuple(traj.solution_ids), final, e.reuse, self.budget)
        self.fresh = Memo(tuple(traj.solution_ids), final, True, self.budget)  # confirmations and pairs only
        self.report = Memo(tuple(traj.solution_ids), final, True, self.budget)  # what the confirmation reports
        self._report_share: dict[int, int] = {}  # confirmation request's seed -> its last rollouts that report
        self._confirm_sides: dict[int, int] = {}  # pivot position -> 1 while i+1 waits for its top-up, else 0
        self.gaps = GapTest(e, config.gap)
        bound = config.gap if e.logprob_bound and e.fixed_rollouts is None else None
        self.bis = Bisection.for_solution(len(traj.solution_ids), traj.solution_logprobs or None, config.split, bound)
        self.phase = Phase.FILTER if config.filter.enabled else Phase.SEARCH
        self.kept = True
        self.accepted: list[PivotRecord] = []
        self.explored: dict[int, int] = {}
        self.topped: set[int] = set()
        self.tried: dict[int, list[int]] = {}  # pivot position -> candidates tested on fresh rollouts
        self._ranked: dict[int, list[int]] = {}  # pivot position -> its candidates, best first
        self.paired: set[int] = set()  # pivot positions whose pair search is over
        self.reports: dict[tuple[int, int], Estimate] = {}  # (position, alternative) -> its report batch
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
        return ProbeRequest(self.traj.key, position, n, seed, forced, self.limit(forced, extra)), kind

    def limit(self, forced: tuple[int, ...] = (), extra: int | None = None) -> int | None:
        """``max_new_tokens`` of a request: the budget, plus ``extra`` (default: the reuse window) where the
        rollouts are counted along the solution."""
        e = self.cfg.estimator
        return self.budget if forced else e.rollout_tokens(extra, self.budget)

    def _summary(self, est: Estimate) -> EstimateSummary:
        e = self.cfg.estimator
        return summarize(est, e.accept_confidence, e.method)

    def step(self) -> list[Tagged]:
        steps = {Phase.SEARCH: self._step_search, Phase.CONFIRM: self._step_confirm, Phase.PAIRS: self._step_pairs}
        while self.phase not in (Phase.DONE, Phase.FILTER):
            reqs = steps[self.phase]()
            if reqs:
                return reqs
        return []

    def filtered(self, kept: bool) -> None:
        """Its problem's filter has decided (:class:`ProblemFilter`)."""
        if self.phase is Phase.FILTER:
            self.kept = kept
            self.phase = Phase.SEARCH if kept else Phase.DONE

    def _step_search(self) -> list[Tagged]:
        changed = True
        while changed:
            changed = False
            for seg in list(self.bis.frontier):
                if not self.bis.may_hold_pivot(*seg):  # its tokens' log-probs rule out a pivot: no rollouts
                    self.bis.resolve(seg, False)
                    changed = True
                    continue
                a, b = self.memo.get(seg[0]), self.memo.get(seg[1])
                one = seg[1] - seg[0] == 1
                inside = None if one or not self.cfg.estimator.look_inside else (
                    lambda seg=seg: self.gaps.jump_inside(self.memo, *seg))
                shared = self.memo.shared(*seg)
                d = self.gaps.decide(a, b, one, shared, self.gaps.key_level(*seg, a, b, shared),
                                     self._leave(seg[0]) if one else None, inside)
                if d is None:
                    continue
                self.bis.resolve(seg, d is Gap.BIG)
                changed = True
                if d is Gap.BIG and one:
                    self._accept(seg[0], a, b)
        need: dict[int, int] = {}
        for i, j in self.bis.frontier:
            a, b = self.memo.get(i), self.memo.get(j)
            key = self.gaps.key_level(i, j, a, b, self.memo.shared(i, j))
            for side in self.gaps.wanted(a, b, j - i == 1, key):
                pos = (i, j)[side]
                need[pos] = max(need.get(pos, 0), self.gaps.batch((a, b)[side], key))
        if need:
            return [self._req(pos, n, ProbeKind.PROBE) for pos, n in sorted(need.items())]
        self.phase = Phase.CONFIRM
        return []

    def _leave(self, i: int) -> tuple[float, Estimate] | None:
        """(1 - f, q(i)) for the one-token step at ``i`` where the model's f bounds the rollouts' chance of
        writing t_{i+1} from below: the log-prob bound is on and t_{i+1} is the most likely token (f > 1/2), which
        temperature <= 1, top-k and top-p only make likelier (as for :func:`~ptsfast.mining.search.movable`)."""
        if self.bis.movable is None:  # the bound is off, or the trajectory has no log-probs
            return None
        lp = self.traj.solution_logprobs[i]
        if math.isnan(lp):
            return None
        f = math.exp(min(0.0, lp))
        return (1.0 - f, self.memo.left(i)) if f > 0.5 else None

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
        """Fresh rollouts on both sides of each accepted pivot, in growing batches, until
        :meth:`GapTest.confirm` decides it or the cap (then ``undecided``).

        The pivot then reports fresh counts only: the counts it was selected on overstate ``|Δp|``, and so do the
        deciding counts, which stop early where they look big. So a further batch of ``confirm_report_rollouts``
        a side, drawn with the first deciding batch, is kept apart and never read by a decision: it is what the
        pivot reports (sample splitting; design §1). A fresh rollout from i that writes t_{i+1} is a fresh
        sample at i+1 too (one extra token), which also correlates the two sides (the paired interval); so i is
        sampled first and i+1 only topped up to both batches' sizes in the next round (how many wrote t_{i+1} does
        not depend on how they fared, so the counts stay unbiased)."""
        e = self.cfg.estimator
        if e.confirm_rollouts <= 0 or e.fixed_rollouts is not None or not self.accepted:
            self.phase = Phase.PAIRS
            return []
        need: dict[int, int] = {}
        report: dict[int, int] = {}
        out = []
        for pv in self.accepted:
            i = pv.position
            a, b = self.fresh.get(i), self.fresh.get(i + 1)
            src = self.report if e.confirm_report_rollouts else self.fresh
            ra, rb = src.get(i), src.get(i + 1)
            if pv.confirmed is None and i not in self._confirm_sides:
                # i first: its rollouts that write t_{i+1} count at i+1, which is topped up next round
                self._confirm_sides[i] = 0 if b.exact is not None else 1
                sides = ((i, a, ra),)
            elif self._confirm_sides.get(i) == 1:
                self._confirm_sides[i] = 0
                sides = ((i + 1, b, rb),)
            else:
                sides = ()
            if sides:
                for pos, est, rest in sides:
                    if est.trials < e.confirm_rollouts:
                        need[pos] = max(need.get(pos, 0), e.confirm_rollouts - est.trials)
                    if e.confirm_report_rollouts and rest.trials < e.confirm_report_rollouts:
                        report[pos] = max(report.get(pos, 0), e.confirm_report_rollouts - rest.trials)
                if any(pos in need or pos in report for pos, _, _ in sides):
                    out.append(pv)
                    continue
            state = pv.confirmed if pv.confirmed is not None else self.gaps.confirm(
                a, b, pv.direction, self.fresh.shared(i, i + 1), (ra, rb) if e.confirm_report_rollouts else None)
            if state is None:
                for pos, est in ((i, a), (i + 1, b)):
                    if est.exact is None and est.trials < e.confirm_cap:
                        n = e.confirm_rollouts if not est.trials else min(
                            max(e.confirm_rollouts, math.ceil(est.trials * (max(e.growth, 2.0) - 1))),
                            e.confirm_cap - est.trials)
                        need[pos] = max(need.get(pos, 0), n)
                out.append(pv)
                continue
            if pv.confirmed is None:
                phi = shared_correlation(ra, rb, src.shared(i, i + 1)) if e.paired else 0.0
                rec = self._record(i, ra, rb, phi, confirmed=state, search_before=pv.search_before,
                                   search_after=pv.search_after)
                pv = replace(rec, direction=pv.direction, confirm_before=rec.before, confirm_after=rec.after)
            out.append(pv)
        self.accepted = out
        if need or report:
            reqs = []
            for pos in sorted(set(need) | set(report)):
                req = self._req(pos, need.get(pos, 0) + report.get(pos, 0), ProbeKind.CONFIRM, extra=1)
                if report.get(pos):
                    self._report_share[req[0].seed] = report[pos]
                reqs.append(req)
            return reqs
        self.phase = Phase.PAIRS
        return []

    def _pivots(self) -> list[PivotRecord]:
        return [pv for pv in self.accepted if pv.confirmed is not Confirmation.REFUTED]

    def _reported_sides(self, i: int) -> tuple[Estimate, Estimate]:
        """p(i), p(i+1) a pair reports: the fresh counts its pivot reports (the search's when no confirmation ran)."""
        for src in (self.report, self.fresh, self.memo):
            if src.get(i).known:
                return src.get(i), src.get(i + 1)
        return self.memo.get(i), self.memo.get(i + 1)

    def _tested_sides(self, i: int) -> tuple[Estimate, Estimate]:
        """p(i), p(i+1) a pair is tested on: the confirmation's deciding and report batches pooled, 1.5x the
        report batch's rollouts (12-18% more pairs pass than on the report batch alone). Whatever the test reads is
        selected by it (a pivot's token passes where its counts came out high), so the pair reports its tokens from
        batches drawn after it passed."""
        reported = self._reported_sides(i)
        if not (self.report.get(i).known and self.fresh.get(i).known):
            return reported
        return tuple(r.add(f.successes, f.trials) for r, f in zip(reported, (self.fresh.get(i), self.fresh.get(i + 1))))

    def _step_pairs(self) -> list[Tagged]:
        """Alternatives for each pivot kept: explore / top up (choosing candidates), then test the best
        candidate on fresh forced rollouts (:func:`pair_test`), the next one if it fails. A pivot whose own token
        is not clearly on its side of p(i) (:func:`token_side_clears`) can never pass, so none is spent on it."""
        pc = self.cfg.pairs
        if not pc.enabled:
            self.phase = Phase.DONE
            return []
        reqs: list[Tagged] = []
        for pv in self._pivots():
            i = pv.position
            if i not in self.paired and not token_side_clears(pv.direction, *self._tested_sides(i), pc):
                self.paired.add(i)  # its own token is not clearly on its side of p(i): no alternative can pair it
        for pv in self._pivots():
            i, alts = pv.position, self.memo.alternatives(pv.position)
            if i in self.paired:
                continue
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
            while i not in self.paired:
                tried = self.tried.setdefault(i, [])
                if not tried:
                    ranked = rank_alternatives(pv.direction, self.memo.get(i), self.memo.alternatives(i), pc)
                    self._ranked[i] = ranked[: pc.candidates]
                    if not self._ranked[i]:
                        self.paired.add(i)
                        break
                    tried.append(self._ranked[i][0])
                tok = tried[-1]
                alt = self.fresh.alternatives(i).get(tok, Estimate())
                verdict = pair_test(pv.direction, *self._tested_sides(i), alt, self.cfg.gap, pc)
                if verdict is PairVerdict.PASS:
                    # the counts it passed on are selected (a low alternative, a high own token pass): the pair
                    # reports both tokens from one more batch each that decided nothing (a side known exactly, a
                    # stop token's, as it is)
                    before, after = self._reported_sides(i)
                    own = int(self.traj.solution_ids[i])
                    wanted = [t for t in (tok, own) if (t != own or after.exact is None) and (i, t) not in self.reports]
                    for t in wanted:
                        self.reports[(i, t)] = Estimate()
                        reqs.append(self._req(i, max(1, pc.fresh_rollouts), ProbeKind.REPORT_ALTERNATIVE, (t,)))
                    if wanted:
                        break
                    self._pair(pv, tok, before, self.reports.get((i, own), after), self.reports[(i, tok)])
                    self.paired.add(i)
                elif verdict is PairVerdict.FAIL:
                    rest = self._ranked[i][len(tried):]
                    if rest:
                        tried.append(rest[0])
                        continue
                    self.paired.add(i)
                else:
                    n = pc.fresh_rollouts if not alt.trials else min(alt.trials, pc.fresh_max_rollouts - alt.trials)
                    reqs.append(self._req(i, max(1, n), ProbeKind.FRESH_ALTERNATIVE, (tok,)))
                break
        if reqs:
            return reqs
        self.phase = Phase.DONE
        return []

    def _pair(self, pv: PivotRecord, tok: int, before: Estimate, after: Estimate, alt: Estimate) -> None:
        i = pv.position
        own = (int(self.traj.solution_ids[i]), after)
        chosen, rejected = (own, (tok, alt)) if pv.direction == Direction.RAISES else ((tok, alt), own)
        e = self.cfg.estimator
        lo, hi = diff_interval(rejected[1], chosen[1], e.accept_confidence, e.method)
        self.pairs.append(PairRecord(
            self.traj.key, self.traj.problem_id, i, tuple(self.traj.prompt_ids) + tuple(self.traj.solution_ids[:i]),
            int(chosen[0]), int(rejected[0]), self._summary(chosen[1]), self._summary(rejected[1]), pv.direction,
            before=self._summary(before), margin=chosen[1].p - rejected[1].p, margin_lo=lo, margin_hi=hi,
        ))

    # ---------------------------------------------------------------- outcomes
    def ingest(self, req: ProbeRequest, kind: ProbeKind, outcomes: Sequence[RolloutOutcome],
               count: bool = True) -> None:
        """Adds a probe's outcomes; ``count=False``: another trajectory of the problem paid for them."""
        if count:
            self.rollouts += len(outcomes)
            self.probes += 1
            self.errors += sum(o.error is not None for o in outcomes)
        # fresh rollouts are kept apart: a pair's candidate is chosen on the memo and estimated on the fresh
        # counts, which must not have taken part in the choice
        if kind is ProbeKind.REPORT_ALTERNATIVE:
            key = (req.position, req.forced[0])
            ok = sum(bool(o.success) and o.error is None for o in outcomes)
            self.reports[key] = self.reports.get(key, Estimate()).add(ok, len(outcomes))
            return
        if kind is ProbeKind.CONFIRM:  # which rollouts decide and which report is fixed before they are drawn
            k = len(outcomes) - self._report_share.pop(req.seed, 0)
            self.report.ingest(req.position, (), outcomes[k:], req.max_new_tokens)
            outcomes = outcomes[:k]
        memo = self.fresh if kind in (ProbeKind.CONFIRM, ProbeKind.FRESH_ALTERNATIVE) else self.memo
        memo.ingest(req.position, tuple(req.forced), outcomes, req.max_new_tokens)

    def end_round(self) -> None:
        self.rounds += 1

    def result(self) -> TrajectoryResult:
        return TrajectoryResult(
            key=self.traj.key,
            problem_id=self.traj.problem_id,
            kept=self.kept,
            p0=self._summary(self.memo.get(0)),
            pivots=list(self.accepted),
            pairs=list(self.pairs),
            estimates={k: self._summary(v) for k, v in sorted(self.memo.counts.items()) if v.known},
            segments=sorted(self.bis.leaves),
            rollouts=self.rollouts,
            reused=self.memo.reused,
            probes=self.probes,
            rounds=self.rounds,
            errors=self.errors,
        )


class ProblemFilter:
    """The paper's problem filter on p(0), shared by every trajectory of a problem: p(0) is the success
    rate from the prompt, so one set of rollouts from the prompt serves all of them (each counts them in
    its own memo, and reuses them along its own solution).

    A problem is dropped only when the interval of p(0) lies outside ``[p_min, p_max]``; rollouts come in
    growing batches up to ``FilterConfig.max_rollouts``."""

    def __init__(self, problem_id, config: MiningConfig) -> None:
        self.problem_id, self.cfg = problem_id, config
        self.members: list[int] = []
        self.outcomes: list[tuple[ProbeRequest, list[RolloutOutcome]]] = []
        self.kept: bool | None = None
        self.busy = False
        self.serial = 0

    def decide(self, p0: Estimate, first: TrajectoryMiner) -> ProbeRequest | None:
        """Sets :attr:`kept` once p(0) (``p0``, the counts of these rollouts) decides; else the next request
        (made for the trajectory ``first``: any trajectory of the problem continues the same prompt)."""
        f, e, gaps = self.cfg.filter, self.cfg.estimator, first.gaps
        if e.fixed_rollouts is not None:  # baseline: N rollouts, point estimate
            if p0.trials < gaps.cap:
                return self._request(first, gaps.cap - p0.trials)
            self.kept = f.p_min <= p0.p <= f.p_max
            return None
        level = f.confidence
        if e.alpha_spending:
            level = 1 - (1 - level) / looks(e.batch_size, f.max_rollouts, e.growth)
        lo, hi = interval(p0, level, e.method)
        inside = p0.known and f.p_min <= lo and hi <= f.p_max
        outside = p0.known and (hi < f.p_min or lo > f.p_max)
        if not (inside or outside) and p0.trials < f.max_rollouts:
            return self._request(first, gaps.batch(p0, cap=f.max_rollouts))
        self.kept = not outside
        return None

    def _request(self, first: TrajectoryMiner, n: int) -> ProbeRequest:
        self.serial += 1
        seed = stable_seed(int(self.cfg.seed), "p0", self.problem_id, self.serial)
        return ProbeRequest(first.traj.key, 0, n, seed, (), first.limit())


@dataclass
class _Issued:
    miner: int
    request: ProbeRequest
    kind: ProbeKind
    problem: ProblemFilter | None = None
    """Set for a problem filter's request: its outcomes go to every trajectory of the problem."""


class SearchPool:
    """Trajectories being searched, each stepping on as soon as its last step's outcomes are in.

    :meth:`add` starts trajectories and :meth:`complete` hands one probe's outcomes back; both return the
    newly needed probes as ``(ticket, request)``. ``on_result`` gets each trajectory's result when it is done.
    Trajectories of one problem (``problem_id``) share its filter's rollouts from the prompt; one that joins
    later gets the rollouts already sampled (and the decision, if made).
    """

    def __init__(self, config: MiningConfig, on_result: Callable[[TrajectoryResult], None] | None = None) -> None:
        self.config = config
        self.on_result = on_result
        self.miners: list[TrajectoryMiner] = []
        self.results: list[TrajectoryResult | None] = []
        self._keys: set = set()
        self._issued: dict[int, _Issued] = {}
        self._waiting: list[int] = []  # outstanding probes per miner
        self._filters: dict = {}  # problem id -> ProblemFilter
        self._prompts: dict = {}  # problem id -> its trajectories' prompt ids
        self._next_ticket = 0
        self.rollouts = self.pivots = self.done = 0

    @property
    def idle(self) -> bool:
        """No trajectory is waiting for outcomes."""
        return not self._issued

    def add(self, trajectories: Sequence[Trajectory]) -> list[tuple[int, ProbeRequest]]:
        if isinstance(trajectories, Trajectory) or not hasattr(trajectories, "__iter__"):
            raise TypeError(f"trajectories must be a list of ptsfast.mining.Trajectory, got "
                            f"{type(trajectories).__name__}")
        trajectories = [_checked(t, i) for i, t in enumerate(trajectories)]  # a generator is read once, here
        keys = [t.key for t in trajectories]
        if len(set(keys)) != len(keys) or self._keys.intersection(keys):
            raise ValueError("trajectory keys must be unique: they route the sampler's requests")
        prompts = dict(self._prompts)
        for t in trajectories:  # a problem's trajectories share its rollouts from the prompt (p(0), the filter)
            seen = prompts.setdefault(t.problem_id, tuple(t.prompt_ids))
            if seen != tuple(t.prompt_ids):
                raise ValueError(f"trajectory {t.key!r}: problem {t.problem_id!r} already has trajectories with "
                                 f"another prompt; a problem's trajectories share the rollouts from its prompt, so "
                                 f"give each prompt (template, system prompt) its own problem_id")
        miners = [TrajectoryMiner(t, self.config) for t in trajectories]  # checks every trajectory first
        self._prompts = prompts
        self._keys.update(keys)
        out: list[tuple[int, ProbeRequest]] = []
        touched: list[ProblemFilter] = []
        for miner in miners:
            idx = len(self.miners)
            self.miners.append(miner)
            self.results.append(None)
            self._waiting.append(0)
            if miner.phase is Phase.FILTER:
                flt = self._filters.get(miner.traj.problem_id)
                if flt is None:
                    flt = self._filters[miner.traj.problem_id] = ProblemFilter(miner.traj.problem_id, self.config)
                flt.members.append(idx)
                for req, outs in flt.outcomes:
                    miner.ingest(req, ProbeKind.PROBE, outs, count=False)
                if flt.kept is not None:
                    miner.filtered(flt.kept)
                elif not flt.busy and flt not in touched:
                    touched.append(flt)
            out += self._advance(idx)
        for flt in touched:
            out += self._filter_step(flt)
        return out

    def complete(self, ticket: int, outcomes: Sequence[RolloutOutcome]) -> list[tuple[int, ProbeRequest]]:
        issued = self._issued.get(ticket)
        if issued is None:
            raise KeyError(f"ticket {ticket!r} is not waiting for outcomes (never issued, or completed already)")
        outcomes = list(outcomes)
        if len(outcomes) != issued.request.n:  # checked before the ticket is taken: the right outcomes may follow
            raise ValueError(f"sampler returned {len(outcomes)} rollouts for a request of n={issued.request.n} "
                             f"({issued.request!r})")
        del self._issued[ticket]
        self.rollouts += len(outcomes)
        flt = issued.problem
        if flt is not None:
            flt.busy = False
            flt.outcomes.append((issued.request, list(outcomes)))
            for idx in flt.members:
                self.miners[idx].ingest(issued.request, issued.kind, outcomes, count=idx == issued.miner)
                self.miners[idx].end_round()
            return self._filter_step(flt)
        self.miners[issued.miner].ingest(issued.request, issued.kind, outcomes)
        self._waiting[issued.miner] -= 1
        if self._waiting[issued.miner]:
            return []
        self.miners[issued.miner].end_round()
        return self._advance(issued.miner)

    def _filter_step(self, flt: ProblemFilter) -> list[tuple[int, ProbeRequest]]:
        """The problem filter's next request, or its decision handed to every trajectory of the problem."""
        first = self.miners[flt.members[0]]
        req = flt.decide(first.memo.get(0), first)
        if req is not None:
            flt.busy = True
            return [self._issue(flt.members[0], req, ProbeKind.PROBE, flt)]
        out = []
        for idx in flt.members:
            self.miners[idx].filtered(bool(flt.kept))
            out += self._advance(idx)
        return out

    def _issue(self, idx: int, req: ProbeRequest, kind: ProbeKind,
               problem: ProblemFilter | None = None) -> tuple[int, ProbeRequest]:
        ticket, self._next_ticket = self._next_ticket, self._next_ticket + 1
        self._issued[ticket] = _Issued(idx, req, kind, problem)
        return ticket, req

    def _advance(self, idx: int) -> list[tuple[int, ProbeRequest]]:
        miner = self.miners[idx]
        if miner.phase is Phase.FILTER:
            return []  # its problem's filter will advance it
        reqs = miner.step()
        if not reqs:
            self.results[idx] = res = miner.result()
            self.done += 1
            self.pivots += len(res.reported)
            if self.on_result is not None:
                self.on_result(res)
            return []
        out = [self._issue(idx, req, kind) for req, kind in reqs]
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

    The search needs the rollouts' token budget (``config.estimator.rollout_budget``, else each trajectory's
    ``max_new_tokens``; see :func:`rollout_budget`) unless ``reuse=False``: without it a ``ValueError`` says so.
    """
    if config is not None and not isinstance(config, MiningConfig):
        raise TypeError(f"config must be a ptsfast.mining.MiningConfig, got {type(config).__name__}")
    for name, fn in (("sampler", sampler), ("on_result", on_result), ("on_progress", on_progress)):
        if (fn is not None or name == "sampler") and not callable(fn):  # else found after the rollouts were paid for
            raise TypeError(f"{name} must be a callable, got {type(fn).__name__}")
    pool = SearchPool(config or MiningConfig(), on_result)
    pending = pool.add(trajectories)
    rounds = 0
    while pending:
        outs = sampler([r for _, r in pending])
        if isinstance(outs, (str, bytes)) or not hasattr(outs, "__iter__"):
            raise TypeError(f"sampler returned a value of type {type(outs).__name__}; it returns one list of "
                            f"RolloutOutcome per request, in request order")
        outs = list(outs)
        bad = next((got for got in outs if isinstance(got, (str, bytes)) or not hasattr(got, "__iter__")), None)
        if bad is not None:
            raise TypeError(f"sampler returned a value of type {type(bad).__name__} where a request's list of "
                            f"RolloutOutcome goes (one list per request, [outcome] for n=1)")
        outs = [list(got) for got in outs]  # generators too
        if len(outs) != len(pending):
            raise ValueError(f"sampler returned {len(outs)} lists for {len(pending)} requests; need one per request")
        bad = next((o for got in outs for o in got if not isinstance(o, RolloutOutcome)), None)
        if bad is not None:
            raise TypeError(f"sampler returned a value of type {type(bad).__name__} ({bad!r:.60}) among its "
                            f"outcomes; each request's list holds ptsfast.mining.RolloutOutcome(tokens, success)")
        pending = [nxt for (ticket, _), got in zip(pending, outs) for nxt in pool.complete(ticket, got)]
        rounds += 1
        if on_progress is not None:
            on_progress(Progress(rounds, pool.rollouts, pool.done, len(pool.miners), pool.pivots))
    if on_progress is not None:
        on_progress(Progress(rounds, pool.rollouts, pool.done, len(pool.miners), pool.pivots))
    return [r for r in pool.results if r is not None]
