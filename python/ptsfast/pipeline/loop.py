"""A mining run's schedule: problems -> sampled solutions -> searches, fed to the engine as they go.

Up to ``MineOptions.problems_per_batch`` problems are in flight. Everything they need runs in one
engine ``rollout`` call that is fed while it runs (its ``on_done``): a finished trajectory sample is judged,
prefilled and joins the search; a finished probe goes back to its trajectory, which steps on at once; a
finished problem leaves through ``on_problem`` (the caller writes it durably) and the next problem takes
its place. So the decode batch stays full instead of waiting for the slowest rollout of a round, and a
trajectory's records do not depend on what else runs beside it (its seeds and requests are its own).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field, fields
from typing import ClassVar, TypeVar

from ptsfast.engine import FinishReason, KVPoolFull, Rollout, RolloutEngine, RolloutRequest
from ptsfast.mining.driver import SearchPool
from ptsfast.mining.search import movable
from ptsfast.mining.types import ProbeRequest, Trajectory, TrajectoryResult
from ptsfast.problems.loading import MIN_PROMPT_TOKENS, PreparedProblem, Skip, over_context
from ptsfast.problems.oracles import Judge
from ptsfast.pipeline.eta import prior_rollouts
from ptsfast.pipeline.options import MineOptions, python_caller
from ptsfast.pipeline.probes import OracleFailed, OracleStops, ProbeRunner, TrajectoryContext, judged_texts

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class SampledTrajectory:
    """One solution of a problem (sampled, or given) and the oracle's verdict on it."""

    key: str
    solution_ids: tuple[int, ...]
    text: str
    correct: bool | None  # None: cut by the length limit, no final verdict (p(L) is then estimated)
    finish_reason: str
    oracle_error: str | None


@dataclass
class ProblemResult:
    """Everything found for one problem (one entry per trajectory), handed to the writer."""

    problem: PreparedProblem
    trajectories: list[SampledTrajectory] = field(default_factory=list)
    results: list[TrajectoryResult] = field(default_factory=list)
    skipped: str | None = None  # why no search ran (e.g. empty solution)


@dataclass
class RunCounters:
    """What every kind of run counts (the search's, thought anchors'); :meth:`as_dict` is its part of
    ``summary.json``, with the rollouts per second."""

    problems: int = 0
    trajectories: int = 0
    rollouts: int = 0
    tokens: int = 0
    oracle_errors: int = 0
    seconds: float = 0.0
    not_summed: ClassVar[tuple[str, ...]] = ()  # fields for the progress bar and the caller, not the summary

    def as_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in self.not_summed}
        return dict(d, rollouts_per_s=self.rollouts / self.seconds if self.seconds else 0.0)


@dataclass
class RunStats(RunCounters):
    kept: int = 0
    pivots: int = 0
    pairs: int = 0
    decoded_tokens: int = 0  # every token the engine decoded (solutions and probes), counted per decode step
    running: int = 0  # sequences in the latest decode step (live; not in as_dict)
    in_flight: int = 0  # problems started and not finished (live; not in as_dict)
    pivots_found: int = 0  # pivots found so far, including problems still being searched (live; not in as_dict)
    searches: int = 0  # trajectories whose search started (live; not in as_dict)
    prior_rollouts: float = 0.0  # their expected rollouts, summed (pipeline.eta.prior_rollouts; not in as_dict)
    solution_tokens: int = 0  # their solutions' tokens, summed (not in as_dict)
    skipped: list[str] = field(default_factory=list)  # why each problem left without a search (not in as_dict)
    not_summed: ClassVar[tuple[str, ...]] = ("running", "in_flight", "pivots_found", "searches", "prior_rollouts",
                                             "solution_tokens", "skipped")


def trajectory_budget(max_positions: int | None, want: int, need: int,
                      problem: PreparedProblem) -> tuple[int, str | None]:
    """``(tokens the problem's sampled trajectories may take, at most want, None)``, or ``(0, why it cannot run)``.

    Every sequence of the problem must fit the model's context (:func:`~ptsfast.problems.loading.over_context`):
    after a given solution, a rollout from its end (``need`` positions: mine's ``MineOptions.rollout_room``);
    without one, at least one sampled token and such a rollout. The trajectory is cut where that rollout still
    fits, so no rollout is silently shortened."""
    if not max_positions:
        return want, None
    prompt, given = len(problem.prompt_ids), problem.solution_ids
    why = over_context(prompt, None if given is None else len(given), need + (given is None), max_positions)
    if why:
        return 0, f"problem {problem.id}: {why}"
    return (want if given is not None else min(want, max_positions - prompt - need)), None


def model_context(model) -> int | None:
    """The longest sequence the engine runs ``model`` (a loaded model, its folder, or its name in the local Hugging
    Face cache) within; None when unknown."""
    from ptsfast.engine.hf_adapter import _context_limit

    config = getattr(model, "config", None)
    try:
        if config is None:  # a folder or a cached name: the Ray driver's model, or the CLI's before it loads
            from transformers import AutoConfig

            config = AutoConfig.from_pretrained(str(model), local_files_only=True)
        text = config.get_text_config() if hasattr(config, "get_text_config") else config
        return _context_limit(text, getattr(config, "model_type", ""))[0]
    except Exception:  # noqa: BLE001 - the engine names what it cannot run when it loads the model
        return None


def check_context(context: int | None, room: Callable[[int], int], max_new_tokens: int, solutions: bool) -> None:
    """Refuses a ``--max-new-tokens`` whose rollouts (``room(max_new_tokens)`` positions after a solution) leave the
    model's context no room for the shortest problem (a 2-token prompt and one sampled token, or with given
    ``solutions`` a 1-token prompt and solution): every problem would be skipped, one by one, for that reason."""
    shortest = MIN_PROMPT_TOKENS + (not solutions)
    if not context or room(max_new_tokens) + shortest <= context:
        return
    lo, hi = 0, max_new_tokens  # the largest n that fits, 0 if none
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if room(mid) + shortest <= context else (lo, mid)
    fix = (f"use --max-new-tokens {lo} or less (less still for long prompts), or a model with a longer context"
           if lo else "use a model with a longer context")
    raise ValueError(f"--max-new-tokens {max_new_tokens}: a rollout may take {room(max_new_tokens)} tokens, which with "
                     f"a prompt is over the model's context of {context}, so every problem would be skipped; {fix}")


def pool_fix(engine) -> str:
    """How to give the KV cache room: more memory, or, where a block size far past the default leaves the pool a
    block or two (--engine-block-size 1000000, one block), smaller blocks: that run was told to raise --kv-cache-gb."""
    config, blocks = getattr(engine, "config", None), getattr(getattr(engine, "blocks", None), "num_blocks", None)
    size = getattr(config, "block_size", None)
    if isinstance(size, int) and isinstance(blocks, int) and size > 16 and blocks < 4:
        return (f"lower --engine-block-size ({size} tokens a block: the KV cache holds {blocks} block"
                f"{'s' * (blocks != 1)})")
    if isinstance(getattr(config, "num_blocks", None), int):  # it sizes the pool: --kv-cache-gb is not read
        return "raise --engine-num-blocks"
    return "raise --kv-cache-gb"


def rerun_words(finished: bool = True) -> str:
    """How the caller resumes a run stopped by a broken oracle, in their words: the same command, or ``mine`` into the
    same ``out_dir``. An oracle callable whose code changed is another oracle, which the run's folder refuses; where
    no problem is ``finished`` there, ``overwrite=True`` discards nothing."""
    if not python_caller():
        return "rerun the same command: the problems finished so far are kept, and this one and the rest are mined"
    if not finished:
        return ("call mine again with the same out_dir, adding overwrite=True if the oracle's code changed (no problem "
                "is finished there, so it discards nothing): this one and the rest are mined")
    return ("call mine again with the same out_dir: the problems finished so far are kept, and this one and the rest "
            "are mined (a callable whose code changed is another oracle: give it a new out_dir, or overwrite=True, "
            "which discards them)")


Handler = Callable[[list[Rollout]], list["Work"]]
Work = tuple[RolloutRequest, Handler]  # an engine request and what to do with its rollouts


class FedCall:
    """One engine call for a whole run, kept fed while it runs (the schedule ``mine`` and ``ptsfast anchors`` share).

    Up to ``max_in_flight`` problems are in flight; ``queue`` holds the problems not started and ``waiting`` the
    ones that wait for KV room (``(problem, what it resumes with)``). Every engine request comes with its handler;
    when the engine finishes one, the handler's follow-up requests and whatever new problems now fit join the same
    call. Subclasses say how a queued problem starts (``_start``) and how a waiting one resumes (``_resume``); both
    raise ``KVPoolFull`` when nothing could start, and are tried again when the next request finishes. Each flight
    in ``in_flight`` lists the engine sequences it holds (``seq_ids``).
    """

    BACKGROUND_AFTER = 0.05
    """Seconds: a job (:meth:`later`) that takes longer than this moves every later one to background threads."""
    BACKGROUND_ON_CPU = False
    """Whether that happens when the engine runs on the CPU too. There code verdicts compete with the decoding for
    the same cores (README's code example on 2 cores, one run each: 1,056 s judged inline, 1,127 s in the
    background), so they stay inline; an oracle that mostly waits (a remote judge) gains there as on a GPU."""

    def __init__(self, engine: RolloutEngine, max_in_flight: int, background_threads: int = 4):
        self.engine, self.max_in_flight = engine, max_in_flight
        self.queue: deque = deque()
        self.waiting: deque = deque()
        self.in_flight: dict = {}
        self.handlers: list[Handler | None] = []  # by engine request index of the current call
        self.full: KVPoolFull | None = None  # why the last admission stopped
        self.background_threads = background_threads
        self.jobs: dict[Future, Callable[[object], list[Work]]] = {}  # background jobs and what follows each
        self._executor: ThreadPoolExecutor | None = None  # started by the first slow job

    def _start(self, queued) -> list[Work]:
        raise NotImplementedError

    def _resume(self, problem, state) -> list[Work]:
        raise NotImplementedError

    def _stuck(self) -> None:
        """Nothing runs and nothing could start: every problem in flight waits for KV room and holds none, so the
        first waiting one (else the next queued one) cannot fit even alone (a long prompt). That problem is dropped
        with the reason and the way out (:meth:`_drop`) and the run goes on: it stopped ``ptsfast anchors`` whole,
        its other problems never run, where ``mine`` skipped it."""
        if not (self.waiting or self.queue):  # in flight with nothing to run: a subclass lost a problem's work
            raise RuntimeError(f"problems {list(self.in_flight)} are in flight with no work left")
        item = self.waiting.popleft()[0] if self.waiting else self.queue.popleft()
        p = item[0] if isinstance(item, tuple) else item  # mine queues (problem, its solutions' budget)
        self._drop(p, Skip(f"problem {p.id}: the KV cache cannot hold it even alone ({self.full}); "
                           f"{pool_fix(self.engine)} or lower --trajectories / --max-new-tokens, or shorten the "
                           f"prompt", "too large for the KV cache", id=p.id))

    def _drop(self, p, why: Skip) -> None:
        """Ends queued or waiting problem ``p`` without running it (its flight's state in ``in_flight`` too), for
        ``why`` (a skip a rerun retries: a larger pool mines it)."""
        raise NotImplementedError

    def feed(self, progress: Callable[[int], None] | None = None) -> None:
        """Runs engine calls until every queued problem has left ``in_flight``."""
        while self.queue or self.waiting or self.in_flight:
            work = self._admit() or self._ready(wait=True)
            if not work:
                if self.queue or self.waiting or self.in_flight:
                    self._stuck()
                continue
            self.handlers = [h for _, h in work]
            self.engine.rollout([r for r, _ in work], progress=progress, on_done=self._done, poll=self._poll)

    def later(self, job: Callable[[], T], then: Callable[[T], list[Work]]) -> list[Work]:
        """``then(job())``. While jobs are quick (the oracle's verdicts, mostly) that happens at once; once one
        takes longer than :attr:`BACKGROUND_AFTER` on a GPU engine (on a CPU one only with
        :attr:`BACKGROUND_ON_CPU`), every later ``job`` runs in a background thread and its
        ``then`` in this thread when the engine call polls (:meth:`_poll`), so slow verdicts (code run in a
        sandbox, a program that loops until its time limit) hold up only the work that waits for them, not the
        decode loop. ``job`` must not touch what ``then`` and the engine change; records do not depend on the
        order jobs finish in (a trajectory's requests and seeds are its own)."""
        if self._executor is None:
            start = time.perf_counter()
            result = job()
            took = time.perf_counter() - start
            on_cpu = self.engine.adapter.device.type == "cpu"
            if took > self.BACKGROUND_AFTER and (self.BACKGROUND_ON_CPU or not on_cpu):
                log.debug("judging in %d background threads from now on (a job took %.2fs)", self.background_threads,
                          took)
                self._executor = ThreadPoolExecutor(self.background_threads, thread_name_prefix="ptsfast-judge")
            return then(result)
        self.jobs[self._executor.submit(job)] = then
        return []

    def _ready(self, wait: bool) -> list[Work]:
        """What finished background jobs lead to (their ``then``, in the order they were started), then new problems
        if there is room; with ``wait``, blocks until that is some work or no job is left."""
        while self.jobs:
            done = [f for f in self.jobs if f.done()]
            if not done and wait:
                finished = futures_wait(self.jobs, return_when=FIRST_COMPLETED).done
                done = [f for f in self.jobs if f in finished]
            if not done:
                return []
            work: list[Work] = []
            for f in done:
                work += self.jobs.pop(f)(f.result())  # a job's exception fails the call here
            work += self._admit()
            if work or not wait:
                return work
        return []

    def _poll(self, wait: bool) -> list[RolloutRequest]:
        """The engine call's ``poll``: requests that finished background jobs lead to, their handlers registered."""
        work = self._ready(wait) if self.jobs else []
        self.handlers += [h for _, h in work]
        return [r for r, _ in work]

    def close_jobs(self) -> None:
        """Stops the background threads; jobs not started are dropped (after an error, nothing waits for them)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self.jobs.clear()

    def release_held(self) -> None:
        """Releases the sequences problems still hold (after an error)."""
        held = [i for f in self.in_flight.values() for i in f.seq_ids]
        self.in_flight.clear()
        if held:
            self.engine.release(held)

    def _done(self, index: int, rollouts: list[Rollout]) -> list[RolloutRequest]:
        """The engine finished request ``index``: its handler's follow-ups, then new problems if there is room."""
        handler, self.handlers[index] = self.handlers[index], None
        work = handler(rollouts) + self._admit()
        self.handlers += [h for _, h in work]
        return [r for r, _ in work]

    def _admit(self) -> list[Work]:
        """Starts what fits: problems waiting for KV room first, then new problems up to the in-flight limit."""
        work: list[Work] = []
        try:
            while self.waiting:
                work += self._resume(*self.waiting[0])
                self.waiting.popleft()
            while self.queue and len(self.in_flight) < self.max_in_flight:
                work += self._start(self.queue[0])
                self.queue.popleft()
        except KVPoolFull as e:
            self.full = e  # retried when the next request finishes (or in the next engine call)
        return work


@dataclass
class _InFlight:
    result: ProblemResult
    searching: int = 0  # trajectories still being searched
    seq_ids: list[int] = field(default_factory=list)  # registered sequences of its trajectories


def run_problems(engine: RolloutEngine, tokenizer, problems: Sequence[PreparedProblem], judge: Judge,
                 options: MineOptions, on_problem: Callable[[ProblemResult], None],
                 on_progress: Callable[[RunStats], None] | None = None, *, stops: OracleStops = OracleStops(),
                 think: tuple[Judge, OracleStops] | None = None, progress_interval: float = 0.5) -> RunStats:
    """Mines every problem; ``on_problem`` receives each finished problem as soon as it is done.

    ``judge``/``stops`` serve problems whose prompt opens no ``<think>`` trace, ``think`` (judge, stops) those
    that do (``PreparedProblem.think_open``).

    ``on_progress(stats)`` is called from the engine's decode loop at most every ``progress_interval``
    seconds (live ``decoded_tokens``, ``running``, ``rollouts``, ``pivots_found``) and once at the end.
    """
    run = _Run(engine, tokenizer, judge, options, stops, on_problem, on_progress, progress_interval, think)
    try:
        run.run(problems)
    finally:
        run.close()
    return run.stats


class _Run(FedCall):
    def __init__(self, engine: RolloutEngine, tokenizer, judge: Judge, options: MineOptions, stops: OracleStops,
                 on_problem, on_progress, progress_interval: float, think: tuple[Judge, OracleStops] | None = None):
        super().__init__(engine, options.problems_per_batch)
        self.tokenizer, self.options = tokenizer, options
        self.on_problem, self.on_progress, self.progress_interval = on_problem, on_progress, progress_interval
        self.stats = RunStats()
        self.probes = ProbeRunner(tokenizer, judge, options, stops, think=think)
        self.search = SearchPool(options.search_config(), on_result=self._searched)
        self.room = options.rollout_room() + 1  # tokens one search rollout may need in the KV pool
        # queue: (problem, the tokens its solutions may take); waiting: (problem, its solutions) to prefill
        self.start = self.last_report = time.perf_counter()

    # ------------------------------------------------------------------------------------------ schedule
    def run(self, problems: Sequence[PreparedProblem]) -> None:
        limit = self.engine.max_positions
        for p in problems:  # a problem that cannot fit is recorded as skipped; the run goes on
            self.probes.judging(p.think_open)  # a think prompt without a think judge: refused before any work
            budget, why = trajectory_budget(limit, self.options.max_new_tokens, self.options.rollout_room(), p)
            if why is None:
                self.queue.append((p, budget))
                continue
            self._skip(p, Skip(why, "too long for the context", id=p.id))
        self.feed(progress=self._decoded)
        self._report(force=True)

    def _drop(self, p, why: Skip) -> None:
        flight = self.in_flight.pop(p.id, None)  # a problem waiting to search its sampled solutions
        self._skip(p, why, flight.result if flight else None)

    def _skip(self, p: PreparedProblem, why: "Skip", result: ProblemResult | None = None) -> None:
        log.warning("skipped %s", why)
        self.stats.skipped.append(why)
        self.stats.problems += 1
        result = result or ProblemResult(p)
        result.skipped = why
        self.on_problem(result)

    def close(self) -> None:
        """Releases what problems still hold (after an error) and the judge's threads. Verdicts that background
        jobs queued and nobody waits for now are dropped: joined one after another, 4 at a time, they held an
        interrupted run (Ctrl-C, SIGTERM) for several times --oracle-timeout each (minutes of code verdicts)."""
        try:
            self.close_jobs()
            self.release_held()
        finally:
            self.probes.drop_queued()
            self.probes.close()  # waits for the verdicts running, each within the oracle's timeout
            self.stats.seconds = time.perf_counter() - self.start

    # ---------------------------------------------------------------------------------------- a problem
    def _start(self, queued: tuple[PreparedProblem, int]) -> list[Work]:
        """Samples the problem's solutions of up to ``budget`` tokens (or judges the given one)."""
        p, budget = queued
        if p.solution_ids is not None:
            self.in_flight[p.id] = _InFlight(ProblemResult(p))
            return self._sampled(p, None, [Rollout(tuple(p.solution_ids), (), FinishReason.EOS)])
        o = self.options
        # KVPoolFull: nothing started, retried later. The room kept: the solutions registered, and a first probe
        solutions = o.trajectories_per_problem * (len(p.prompt_ids) + budget)
        (seq,) = self.engine.prefill([list(p.prompt_ids)], reserve_tokens=solutions + self.room)
        self.in_flight[p.id] = _InFlight(ProblemResult(p), seq_ids=[seq.seq_id])
        stops = self.probes.judging(p.think_open)[1]
        request = RolloutRequest(seq.seq_id, len(p.prompt_ids), o.trajectories_per_problem, budget,
                                 o.sampling(o.trajectory_seed(p.id)), stop_strings=stops.stop_strings,
                                 stop_fn=stops.stop_fn(self.tokenizer, (), p.problem))
        return [(request, lambda rollouts: self._sampled(p, seq.seq_id, rollouts))]

    def _sampled(self, p: PreparedProblem, prompt_seq: int | None, rollouts: list[Rollout]) -> list[Work]:
        """Judges a problem's solutions (:meth:`later`); the non-empty ones go on to the search."""
        if prompt_seq is not None:
            self.engine.release([prompt_seq])
            self.in_flight[p.id].seq_ids.remove(prompt_seq)
        texts = judged_texts(self.tokenizer, [ro.tokens for ro in rollouts])
        judge = self.probes.judging(p.think_open)[0]
        return self.later(lambda: self.probes.verdicts([(text, p.problem, judge) for text in texts]),
                          lambda verdicts: self._judged(p, rollouts, texts, verdicts))

    def _judged(self, p: PreparedProblem, rollouts: list[Rollout], texts: list[str], verdicts: list) -> list[Work]:
        flight = self.in_flight[p.id]
        searchable, empty = [], []
        for ro, text, (ok, err) in zip(rollouts, texts, verdicts):
            key = f"{p.id}#{len(flight.result.trajectories)}"
            # a solution cut by the length limit has no final verdict: p(L) is then estimated like any point
            correct = None if ro.finish_reason is FinishReason.LENGTH else ok
            t = SampledTrajectory(key, tuple(ro.tokens), text, correct, str(ro.finish_reason.value), err)
            flight.result.trajectories.append(t)
            self.stats.trajectories += 1
            (empty if all(tok in self.engine.eos_ids for tok in ro.tokens) else searchable).append(t)
        if empty and searchable:  # the problem is searched on the others: not a skip (summary.json lists skips)
            log.warning("problem %s: %d of %d trajectories are empty (the model stopped at once: %s); searched the "
                        "others", p.id, len(empty), len(empty) + len(searchable), ", ".join(t.key for t in empty))
        if not searchable:
            # counted with the run's skips: a model that stops at once (a chat template it was not trained on) mined
            # nothing, and summary.json said no problem was skipped
            why = Skip(f"problem {p.id}: every trajectory is empty (the model stopped at once); nothing to search - "
                       f"check the prompt and its chat template (--no-chat-template for a base model), or sample more "
                       f"trajectories", "empty solution", id=p.id)
            log.warning("%s", why)
            flight.result.skipped = why
            self.stats.skipped.append(why)
            self._finish(p.id)
            return []
        try:
            return self._start_search(p, searchable)
        except KVPoolFull:
            self.waiting.append((p, searchable))
            return []

    def _resume(self, p: PreparedProblem, sampled: list[SampledTrajectory]) -> list[Work]:
        return self._start_search(p, sampled)

    def _start_search(self, p: PreparedProblem, sampled: list[SampledTrajectory]) -> list[Work]:
        """Registers the solutions (one prefill: their K/V and log-probs) and starts their searches."""
        seqs = self.engine.prefill([list(p.prompt_ids) + list(t.solution_ids) for t in sampled],
                                   reserve_tokens=self.room)
        flight = self.in_flight[p.id]
        flight.seq_ids += [s.seq_id for s in seqs]
        flight.searching += len(sampled)
        trajectories = []
        for t, seq in zip(sampled, seqs):
            self.probes.contexts[t.key] = TrajectoryContext(seq.seq_id, len(p.prompt_ids), t.solution_ids, p.problem,
                                                            p.think_open)
            logprobs = tuple(seq.logprobs[len(p.prompt_ids) - 1:])
            trajectories.append(Trajectory(t.key, p.id, t.solution_ids, logprobs, t.correct, tuple(p.prompt_ids)))
            self.stats.searches += 1
            self.stats.solution_tokens += len(t.solution_ids)
            self.stats.prior_rollouts += prior_rollouts(movable(logprobs, self.search.config.gap)[-1])
        return self._probe_work(self.search.add(trajectories))

    def _probe_work(self, tickets: list[tuple[int, ProbeRequest]]) -> list[Work]:
        return [(self.probes.request(r), self._probe_handler(ticket, r)) for ticket, r in tickets]

    def _probe_handler(self, ticket: int, probe: ProbeRequest) -> Handler:
        def handle(rollouts: list[Rollout]) -> list[Work]:
            return self.later(self.probes.judgement([probe], [rollouts]),
                              lambda outcomes: self._probe_work(self.search.complete(ticket, outcomes[0])))
        return handle

    def _searched(self, res: TrajectoryResult) -> None:
        flight = self.in_flight[res.problem_id]
        flight.result.results.append(res)
        self.probes.contexts.pop(res.key, None)
        self.stats.pivots_found += len(res.reported)
        flight.searching -= 1
        if flight.searching == 0:
            self._finish(res.problem_id)

    def _finish(self, problem_id: str) -> None:
        judged, failed, first = self.probes.oracle_failures(problem_id)
        if judged and failed == judged:  # a broken oracle: raised here, the problem stays in flight to be released
            raise OracleFailed(problem_id, judged, first, rerun_words())
        flight = self.in_flight.pop(problem_id)
        if flight.seq_ids:
            self.engine.release(flight.seq_ids)
        r = flight.result
        s = self.stats
        s.problems += 1
        s.kept += sum(t.kept for t in r.results)
        s.pivots += sum(len(t.reported) for t in r.results)
        s.pairs += sum(len(t.pairs) for t in r.results)
        s.oracle_errors += sum(t.errors for t in r.results)
        self._report(force=True)  # the counts up to this problem, before it is written
        self.on_problem(r)

    # ------------------------------------------------------------------------------------------ progress
    def _decoded(self, rows: int) -> None:
        self.stats.decoded_tokens += rows
        self.stats.running = rows
        self._report()

    def _report(self, force: bool = False) -> None:
        now = time.perf_counter()
        s = self.stats
        s.rollouts, s.tokens, s.seconds = self.probes.rollouts, self.probes.tokens, now - self.start
        s.in_flight = len(self.in_flight)
        if self.on_progress is not None and (force or now - self.last_report >= self.progress_interval):
            self.last_report = now
            self.on_progress(s)
