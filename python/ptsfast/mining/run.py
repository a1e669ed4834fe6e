"""A mining run: problems -> sampled trajectories -> pivots and DPO pairs, one problem batch at a time.

The engine, tokenizer and oracle are given; this module only sequences the work so that each batch of
problems shares the engine (one prefill per trajectory, every probe of a search round in one
``rollout`` call) and results leave through ``on_problem`` as soon as a problem is complete, which
lets the caller write them durably (the run resumes at problem granularity).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ptsfast.engine import FinishReason, RolloutEngine, RolloutRequest, SamplingParams
from ptsfast.mining.sampler import EngineSampler, Judge, RolloutSettings, TrajectoryContext, text_stop
from ptsfast.mining.driver import find_pivots
from ptsfast.mining.types import MiningConfig, Progress, Trajectory, TrajectoryResult
from ptsfast.seeds import stable_seed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedProblem:
    """A problem ready for the engine: its id, chat-templated prompt ids, and optionally a given solution."""

    id: str
    prompt_ids: tuple[int, ...]
    problem: object  # what the oracle judges against
    solution_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class RunConfig:
    mining: MiningConfig = MiningConfig()
    rollout: RolloutSettings = RolloutSettings()
    trajectories_per_problem: int = 1
    problems_per_batch: int = 8


@dataclass
class ProblemResult:
    """Everything found for one problem (one entry per trajectory), handed to the writer."""

    problem: PreparedProblem
    trajectories: list[dict] = field(default_factory=list)  # solution ids, text, verdict, finish reason
    results: list[TrajectoryResult] = field(default_factory=list)
    skipped: str | None = None  # why no search ran (e.g. empty solution)


@dataclass
class RunStats:
    problems: int = 0
    trajectories: int = 0
    kept: int = 0
    pivots: int = 0
    pairs: int = 0
    rollouts: int = 0
    tokens: int = 0
    oracle_errors: int = 0
    seconds: float = 0.0
    decoded_tokens: int = 0  # every token the engine decoded (solutions and probes), counted per decode step
    running: int = 0  # sequences in the latest decode step (live; not in as_dict)
    pivots_found: int = 0  # pivots found so far, including problems still being searched (live; not in as_dict)
    skipped: list[str] = field(default_factory=list)  # why each problem left without a search (not in as_dict)

    def as_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("running", "pivots_found", "skipped")}
        return dict(d, rollouts_per_s=self.rollouts / self.seconds if self.seconds else 0.0)


def with_rollout_budget(mining: MiningConfig, max_new_tokens: int) -> MiningConfig:
    """The search's config with the engine's token budget (unless set): reuse needs it to stay unbiased."""
    if mining.estimator.rollout_budget is not None:
        return mining
    return replace(mining, estimator=replace(mining.estimator, rollout_budget=max_new_tokens))


def rollout_room(config: RunConfig) -> int:
    """Most tokens one search rollout may generate: the budget plus the reuse window (at least one extra
    token), as the search requests them; a rollout from the end of a solution needs this much context."""
    budget = config.rollout.max_new_tokens
    e = config.mining.estimator
    if e.rollout_budget is not None:
        budget = e.rollout_budget
    window = min(e.reuse_window, budget // 4) if e.reuse else 0
    return budget + max(1, window)


def trajectory_budget(max_positions: int | None, config: RunConfig, problem: PreparedProblem) -> tuple[int, str | None]:
    """``(max_new_tokens for the problem's sampled trajectories, None)``, or ``(0, why it cannot be mined)``.

    Every sequence of the problem must fit the model's context: the trajectory is cut where a search rollout
    from its end (:func:`rollout_room` tokens) still fits, so no rollout is silently shortened by the context."""
    want = config.rollout.max_new_tokens
    if not max_positions:
        return want, None
    need, prompt = rollout_room(config), len(problem.prompt_ids)
    if problem.solution_ids is not None:
        total = prompt + len(problem.solution_ids) + need
        if total > max_positions:
            return 0, (f"problem {problem.id}: prompt ({prompt} tokens) + provided solution "
                       f"({len(problem.solution_ids)}) + room for search rollouts ({need}) is {total} tokens, over the "
                       f"model's context of {max_positions}; shorten them or lower --max-new-tokens")
        return want, None
    room = max_positions - prompt - need
    if room < 1:
        return 0, (f"problem {problem.id}: prompt ({prompt} tokens) + room for search rollouts ({need}) leaves no "
                   f"room for a solution in the model's context of {max_positions}; shorten the prompt or lower "
                   f"--max-new-tokens")
    return min(want, room), None


def mine(engine: RolloutEngine, tokenizer, problems: Sequence[PreparedProblem], judge: Judge, config: RunConfig,
         on_problem: Callable[[ProblemResult], None], on_progress: Callable[[RunStats, Progress | None], None] | None = None,
         progress_interval: float = 0.5) -> RunStats:
    """Mines every problem; ``on_problem`` receives each finished problem (in input order within a batch).

    ``on_progress(stats, progress)`` is called after every search round, and during engine calls at most every
    ``progress_interval`` seconds with ``progress=None`` (live ``decoded_tokens`` and ``running``).
    """
    stats = RunStats()
    start = time.perf_counter()
    last = [start]

    def on_tokens(k: int) -> None:
        stats.decoded_tokens += k
        stats.running = k
        now = time.perf_counter()
        if on_progress is not None and now - last[0] >= progress_interval:
            last[0] = now
            stats.seconds = now - start
            on_progress(stats, None)

    limit = getattr(engine, "max_positions", None)
    fitting = []
    for p in problems:  # a problem that cannot fit is recorded as skipped; the run goes on
        budget, why = trajectory_budget(limit, config, p)
        if why is None:
            fitting.append(p)
            continue
        log.warning("skipped %s", why)
        stats.skipped.append(why)
        stats.problems += 1
        on_problem(ProblemResult(p, skipped=why))
    for b in range(0, len(fitting), config.problems_per_batch):
        batch = fitting[b:b + config.problems_per_batch]
        _mine_batch(engine, tokenizer, batch, judge, config, on_problem, on_progress, stats, start, on_tokens)
    stats.seconds = time.perf_counter() - start
    return stats


def _sample_trajectories(engine, tokenizer, batch, config: RunConfig, on_tokens=None):
    """k solutions per problem sampled from the model (or the given one): ``[(problem, ids, finish)]``."""
    given = [(p, p.solution_ids, FinishReason.EOS) for p in batch if p.solution_ids is not None]
    todo = [p for p in batch if p.solution_ids is None]
    sampled = []
    if todo:
        s = config.rollout
        seqs = engine.prefill([p.prompt_ids for p in todo])
        limit = getattr(engine, "max_positions", None)
        requests = [RolloutRequest(q.seq_id, len(p.prompt_ids), config.trajectories_per_problem,
                                   trajectory_budget(limit, config, p)[0],
                                   SamplingParams(s.temperature, s.top_k, s.top_p,
                                                  stable_seed(config.mining.seed, "trajectory", p.id)),
                                   stop_strings=s.stop_strings, stop_fn=text_stop(tokenizer, (), s.answer_complete))
                    for p, q in zip(todo, seqs)]
        try:
            outs = engine.rollout(requests, progress=on_tokens)
        finally:
            engine.release([q.seq_id for q in seqs])
        sampled = [(p, r.tokens, r.finish_reason) for p, rollouts in zip(todo, outs) for r in rollouts]
    order = {p.id: i for i, p in enumerate(batch)}
    return sorted(given + sampled, key=lambda t: order[t[0].id])


def _mine_batch(engine, tokenizer, batch, judge, config, on_problem, on_progress, stats: RunStats, start,
                on_tokens=None) -> None:
    results = {p.id: ProblemResult(p) for p in batch}
    trajectories: list[Trajectory] = []
    contexts: dict[str, TrajectoryContext] = {}
    registered = []
    try:
        searchable = []  # (problem, key, solution ids) of every non-empty trajectory, prefilled together below
        for p, ids, finish in _sample_trajectories(engine, tokenizer, batch, config, on_tokens):
            key = f"{p.id}#{len(results[p.id].trajectories)}"
            text = tokenizer.decode(list(ids), skip_special_tokens=True)
            ok, err = judge(text, p.problem)
            # A solution cut by the length limit has no final verdict: p(L) is then estimated like any point.
            correct = None if finish is FinishReason.LENGTH else ok
            results[p.id].trajectories.append(dict(key=key, solution_ids=list(ids), text=text, correct=correct,
                                                   finish_reason=str(finish.value), oracle_error=err))
            stats.trajectories += 1
            if all(t in engine.eos_ids for t in ids):
                results[p.id].skipped = (f"problem {p.id}: trajectory {key} is empty (the model stopped at once); "
                                         "nothing to search - sample more trajectories or check the prompt")
                log.warning("%s", results[p.id].skipped)
                continue
            searchable.append((p, key, tuple(ids), correct))
        seqs = engine.prefill([list(p.prompt_ids) + list(ids) for p, _, ids, _ in searchable]) if searchable else []
        registered = [seq.seq_id for seq in seqs]
        for (p, key, ids, correct), seq in zip(searchable, seqs):
            logprobs = seq.logprobs[len(p.prompt_ids) - 1:]
            trajectories.append(Trajectory(key, p.id, ids, tuple(logprobs), correct, tuple(p.prompt_ids)))
            contexts[key] = TrajectoryContext(seq.seq_id, len(p.prompt_ids), ids, p.problem)

        sampler = EngineSampler(engine, tokenizer, judge, config.rollout, contexts, on_tokens=on_tokens)
        remaining = {p.id: 0 for p in batch}  # trajectories of each problem still being searched
        for t in trajectories:
            remaining[t.problem_id] += 1
        emitted: set[str] = set()

        def emit_ready():
            for p in batch:  # input order; a problem leaves once all of its trajectories are done
                if p.id not in emitted and remaining[p.id] <= 0:
                    emitted.add(p.id)
                    r = results[p.id]
                    stats.problems += 1
                    stats.kept += sum(t.kept for t in r.results)
                    stats.pivots += sum(len(t.pivots) for t in r.results)
                    stats.pairs += sum(len(t.pairs) for t in r.results)
                    stats.oracle_errors += sum(t.errors for t in r.results)
                    on_problem(r)

        def on_result(res: TrajectoryResult):
            results[res.problem_id].results.append(res)
            remaining[res.problem_id] -= 1

        def count_rollouts():
            stats.rollouts, stats.tokens = base_rollouts + sampler.rollouts, base_tokens + sampler.tokens

        def progress(pr: Progress):
            count_rollouts()
            stats.pivots_found = base_pivots + pr.pivots
            stats.seconds = time.perf_counter() - start
            emit_ready()
            if on_progress:
                on_progress(stats, pr)

        base_rollouts, base_tokens, base_pivots = stats.rollouts, stats.tokens, stats.pivots
        emit_ready()  # problems with nothing to search
        if trajectories:
            find_pivots(trajectories, sampler, with_rollout_budget(config.mining, config.rollout.max_new_tokens),
                        on_result=on_result, on_progress=progress)
        count_rollouts()
        emit_ready()
        stats.pivots_found = stats.pivots
    finally:
        engine.release(registered)
