"""Mining on many workers (GPUs, machines) with Ray: one engine per worker, one writer on the driver.

``mine_ray(model_path, problems, out_dir, options, RayOptions(workers=N))`` starts N Ray actors; each
loads the model once (from a local path that every node can read) into its own ``RolloutEngine``
and mines one problem at a time. The driver hands the next problem to whichever worker is free (a
work queue, not static shards, so one slow problem never idles the others) and writes each finished
problem through the same append-only ``RunWriter`` as a single-process run: same output files, same
summary, and a rerun of an interrupted run resumes.

Same records as a single-process run: every random draw is seeded from the run seed, the problem id
and the trajectory's own request counter (:func:`ptsfast.mining.seeds.stable_seed`),
never from which problems share a batch or which worker runs them. Records are written in the order
problems finish, so compare runs by problem id, not line by line.

Faults use Ray's own machinery: actors are restarted by Ray after their process dies
(``max_restarts``), the driver learns of a death or an exception through ``ray.wait``/``ray.get`` and
puts the problem back at the head of the queue for the next free worker. Nothing is written for a
problem until it has finished, so nothing is lost or duplicated. A problem that fails
``max_attempts`` times is not retried for ever: where mining it raised each time it is written as failed, with
the reason; where a worker died on it, it is listed in the summary and left for a rerun (the machine may have
been at fault).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ptsfast.outputs.rundir import named_by
from ptsfast.problems.loading import Problem, Skip

log = logging.getLogger(__name__)

INSTALL_HINT = "Ray is not installed: pip install 'ptsfast[ray]'"


def _ray():
    try:
        import ray
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    return ray


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide a Ray run is.

    ``address``: the Ray session this process already has is always used; otherwise ``"auto"`` joins
    the cluster started on this machine by ``ray start`` (or starts a local one when there is none),
    ``"local"`` starts a local one, ``None`` does what ``ray.init()`` does, and anything else is a
    cluster address (``HOST:6379`` or ``ray://HOST:10001``).
    ``gpus_per_worker``: ``None`` gives each worker one GPU when the cluster has GPUs, else 0 (CPU).
    ``cpus_per_worker`` is also the number of torch threads of a CPU worker.
    """

    address: str | None = "auto"
    workers: int = 1
    gpus_per_worker: float | None = None
    cpus_per_worker: int = 1
    dtype: str | None = None  # default: float32 on CPU, bfloat16 on GPU
    max_attempts: int = 3

    def __post_init__(self):
        for name in ("workers", "max_attempts", "cpus_per_worker"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"RayOptions.{name}={v!r}: use an int >= 1")
        g = self.gpus_per_worker
        if g is not None and (isinstance(g, bool) or not isinstance(g, (int, float)) or not 0 <= g < float("inf")):
            raise ValueError(f"RayOptions.gpus_per_worker={g!r}: use a number >= 0 (a fraction shares a GPU), or None")


class MiningWorker:
    """A Ray actor's body: one model and one engine, mining one problem per call."""

    def __init__(self, model_path: str, device: str, dtype: str, threads: int, options, oracle, settings: dict):
        from ptsfast.demo import DEMO_MODEL_NAME
        from ptsfast.models import ModelLoadError

        self.node = socket.gethostname()
        if model_path != DEMO_MODEL_NAME and not Path(model_path).is_dir():
            raise ModelLoadError(
                f"model path {model_path!r} is not a folder on Ray node {self.node}: every worker loads the model "
                f"from a local path, so copy the model to that same path on every node (or use a shared filesystem)")
        import torch

        from ptsfast.engine import RolloutEngine
        from ptsfast.models import load_model
        from ptsfast.pipeline.options import record_meta
        from ptsfast.problems.oracles import check_oracle_runs_here

        if device == "cpu":
            torch.set_num_threads(threads)
        self.model, self.tokenizer = load_model(model_path, dtype=dtype, device=device)
        self.engine = RolloutEngine(self.model, self.tokenizer, options.engine)  # made anew after a failed problem
        self.oracle = oracle if oracle is not None else options.oracle
        check_oracle_runs_here(self.oracle, options.unsafe_code_oracle)  # this node must be able to isolate code too
        self.options = options
        self.meta = record_meta(options, settings)

    def ready(self) -> tuple[str, int]:
        return self.node, os.getpid()

    def mine(self, problem: Problem) -> dict:
        """Mines one problem: ``{"records": (pivots, pairs, summary), "stats": {...}}`` or ``{"skipped": why}``."""
        from ptsfast.pipeline.records import problem_records
        from ptsfast.pipeline.run import mine_prepared, prepare_problems

        cpu = time.process_time()
        prepared, skipped = prepare_problems([problem], self.tokenizer, self.options)
        if skipped:
            return {"skipped": skipped[0]}
        out = []
        if self.engine is None:
            from ptsfast.engine import RolloutEngine

            self.engine = RolloutEngine(self.model, self.tokenizer, self.options.engine)
        try:
            stats = mine_prepared(self.engine, self.tokenizer, prepared, self.options, self.oracle,
                                  lambda r: out.append(problem_records(r, self.tokenizer, self.meta)))
            self.engine.check_no_leaks()
        except BaseException:
            self.engine = None  # nothing of a failed problem stays behind for the next one (KV blocks, sequences)
            raise
        return {"records": out[0], "stats": {**stats.as_dict(), "cpu_seconds": time.process_time() - cpu},
                "skipped_reasons": stats.skipped}


_SUMMED = ("problems", "trajectories", "kept", "pivots", "pairs", "rollouts", "tokens", "oracle_errors")


@named_by(python=True)  # a run folder's refusals name out_dir= / overwrite=True (the CLI's, said first, win)
def mine_ray(model_path: str | os.PathLike, problems: Sequence[Problem], out_dir: str | os.PathLike,
             options=None, ray_options: RayOptions = RayOptions(), *, model_name: str = "",
             overwrite: bool = False, oracle: Callable | None = None, progress: bool = True,
             skipped: Sequence[str] = (), dataset_id: str | None = None) -> dict:
    """``ptsfast.mine`` on ``ray_options.workers`` Ray workers; same outputs and summary, plus ``problems_failed``.

    ``model_path`` must be a local model folder readable at the same path on every node. ``oracle``
    (a callable ``(text, problem) -> bool``) is shipped to the workers, so it must be picklable.
    """
    from ptsfast.demo import DEMO_MODEL_NAME, is_demo_model
    from ptsfast.outputs.rundir import problem_record
    from ptsfast.pipeline.records import WORKER_DIED, committed
    from ptsfast.pipeline.options import MineOptions
    from ptsfast.pipeline.run import identity_settings, open_run, progress_bar

    ray = _ray()
    options = options or MineOptions()
    if is_demo_model(model_path):  # "demo" however the caller spells it: the workers build the demo's model
        model_path = DEMO_MODEL_NAME
    else:
        model_path = str(Path(model_path).expanduser().resolve())
    model_path = str(model_path)
    started_ray = _connect(ray, ray_options.address)
    run = None
    try:
        # the tokenizer is read on the workers; the model folder's files (tokenizer files included) are hashed here,
        # and the precision the workers load it in is part of the run, as for one process
        placement = _placement(ray, ray_options)
        actors = None
        if overwrite and problems:  # the workers loaded before the folder is emptied: one that cannot (its engine
            # refused, the model missing on a node) discarded the finished problems for nothing
            actors = _ready_workers(ray, model_path, options, oracle, identity_settings(
                options, model_name or model_path, oracle), ray_options, placement)
        try:
            run = open_run(model_path, None, problems, out_dir, options, model_name=model_name or model_path,
                           overwrite=overwrite, oracle=oracle, dataset_id=dataset_id, inputs={"dtype": placement[2]})
        except BaseException:
            for a in actors or ():
                ray.kill(a, no_restart=True)
            raise
        todo = run.todo(problems)
        totals = dict.fromkeys(_SUMMED, 0)
        skipped = list(skipped)  # the rows the caller left out while loading, then the run's own
        failed = 0
        bar = progress_bar(len(todo), progress)
        # seconds until the first / every worker was ready, and CPU seconds of the workers' mining calls
        timing = {"first_worker_seconds": 0.0, "startup_seconds": 0.0, "worker_cpu_seconds": 0.0}

        def write(problem: Problem, out: dict) -> None:
            if "skipped" in out:
                skipped.append(out["skipped"])
            else:
                skipped.extend(out.get("skipped_reasons", ()))  # recorded in problems.jsonl, counted here
                if all(map(committed, out.get("skipped_reasons", ()))):
                    run.write(problem.id, out["records"])
                for k in _SUMMED:
                    totals[k] += out["stats"][k]
                timing["worker_cpu_seconds"] += out["stats"]["cpu_seconds"]
            bar.update(1)
            bar.set_postfix(pivots=totals["pivots"], rollouts=totals["rollouts"], refresh=False)

        def fail(problem: Problem, reason: str, died: bool) -> None:
            """Mining raised every time: recorded as failed (a rerun would fail the same way). A worker died on it
            (out of memory, a lost node, a kill): not written, so that a rerun tries it again, since the cause may
            have been the machine's."""
            nonlocal failed
            failed += 1
            if died:
                log.error("problem %s failed %d times, a worker dying on it; not recorded, a rerun tries it again: "
                          "%s", problem.id, ray_options.max_attempts, reason)
                skipped.append(Skip(f"problem {problem.id}: {reason}; a rerun tries it again", WORKER_DIED,
                                    id=str(problem.id)))
            else:
                log.error("problem %s failed %d times, recorded as failed: %s", problem.id, ray_options.max_attempts,
                          reason)
                run.write(problem.id, ([], [], problem_record(problem, [], (),
                                                             extra={"skipped": None, **run.meta, "failed": reason})))
            bar.update(1)

        try:
            if todo:
                _run(ray, model_path, todo, options, oracle, run.settings, ray_options, placement, write, fail, timing,
                     actors)
            elif actors:
                for a in actors:
                    ray.kill(a, no_restart=True)
        finally:
            bar.close()
        seconds = time.perf_counter() - run.start
        stats = {**totals, "seconds": seconds, "rollouts_per_s": totals["rollouts"] / seconds if seconds else 0.0}
        return run.finish(stats, skipped, problems_failed=failed, workers=ray_options.workers, **timing)
    finally:
        if run is not None:
            run.close()
        if started_ray:
            ray.shutdown()


def _connect(ray, address: str | None) -> bool:
    """Joins or starts a Ray session; True when this call started it (and so must shut it down)."""
    if ray.is_initialized():
        return False
    if address == "auto":
        try:
            ray.init(address="auto")
            return True
        except ConnectionError:
            log.info("no running Ray cluster found on this machine; starting a local one")
            address = "local"
    try:
        ray.init(address=address)
    except ConnectionError as e:
        raise ConnectionError(f"cannot reach the Ray cluster at {address!r} ({e}); start it with `ray start --head` "
                              f"on the head node, or pass its address as HOST:6379") from None
    return True


def _placement(ray, ro: RayOptions) -> tuple[int, str, str]:
    """``(GPUs per worker, device, dtype)`` of the workers: a GPU each where the cluster has GPUs (unless told),
    bfloat16 on a GPU and float32 on a CPU (unless told), as one process picks them."""
    from ptsfast.models import torch_dtype

    have = ray.cluster_resources()
    gpus = ro.gpus_per_worker
    if gpus is None:
        gpus = 1 if have.get("GPU", 0) > 0 else 0
    _check_fits(ray, have, gpus, ro.cpus_per_worker)
    device = "cuda" if gpus > 0 else "cpu"
    dtype = torch_dtype(ro.dtype or ("bfloat16" if device == "cuda" else "float32"))
    return gpus, device, dtype if dtype == "auto" else str(dtype).replace("torch.", "")  # as one process records it


def _check_fits(ray, have: dict, gpus: float, cpus: int) -> None:
    """A worker asking for more GPUs or CPUs than any node of the cluster has waited for them for ever (Ray's
    autoscaler said no node could fulfil it; the run's folder was made, and emptied with overwrite, for nothing)."""
    nodes = [n.get("Resources", {}) for n in (ray.nodes() if hasattr(ray, "nodes") else []) if n.get("Alive", True)]
    for key, asked, flag in (("GPU", gpus, "--gpus-per-worker"), ("CPU", cpus, "--cpus-per-worker")):
        total = have.get(key, 0)
        most = max((n.get(key, 0) for n in nodes), default=total)
        if asked > most:
            where = (f"the Ray cluster has {total:g} {key}s in all" +
                     (f", at most {most:g} on one node" if most != total else ""))
            raise ValueError(f"{flag} {asked:g} (RayOptions.{flag[2:].replace('-', '_')}): {where}, and a worker "
                             f"that asks for more than one node has waits for ever - lower it"
                             + (" (0 runs the workers on the CPU)" if key == "GPU" else "")
                             + ", or join a cluster that has them")


def _workers(ray, model_path, options, oracle, settings, ro: RayOptions, placement) -> list:
    gpus, device, dtype = placement
    actor_cls = ray.remote(MiningWorker).options(num_cpus=ro.cpus_per_worker, num_gpus=gpus, max_restarts=-1,
                                                 max_task_retries=0)
    return [actor_cls.remote(model_path, device, dtype, ro.cpus_per_worker, options, oracle, settings)
            for _ in range(ro.workers)]


def _ready_workers(ray, model_path, options, oracle, settings, ro: RayOptions, placement) -> list:
    """The workers, each loaded (its model and engine), or the one line saying why one could not start."""
    from ray.exceptions import RayError, RayTaskError

    actors = _workers(ray, model_path, options, oracle, settings, ro, placement)
    try:
        ray.get([a.ready.remote() for a in actors])
    except RayError as e:
        for a in actors:
            ray.kill(a, no_restart=True)
        if isinstance(e, RayTaskError) or _is_creation_error(e):
            raise _startup_error(e) from None
        raise
    return actors


def _run(ray, model_path, todo, options, oracle, settings, ro: RayOptions, placement, write, fail,
         timing: dict, actors: list | None = None) -> None:
    """The work queue: free workers take the next problem; a failed problem goes back to the head.

    ``timing["startup_seconds"]``: until every worker had loaded its model; ``first_worker_seconds``:
    until the first had (mining starts then).
    """
    from ray.exceptions import ActorUnavailableError, RayActorError, RayError, RayTaskError

    actors = actors or _workers(ray, model_path, options, oracle, settings, ro, placement)
    pending: deque = deque(todo)
    attempts: dict[str, list[bool]] = {}  # problem id -> each failed attempt: whether a worker died on it
    inflight: dict = {}  # object ref -> (actor, problem or None for a readiness check)
    free: list = []
    t0, started = time.perf_counter(), set()
    try:
        for a in actors:
            inflight[a.ready.remote()] = (a, None)
        while pending or any(p is not None for _, p in inflight.values()):
            while free and pending:
                a, p = free.pop(0), pending.popleft()
                inflight[a.mine.remote(p)] = (a, p)
            if not inflight:
                raise RuntimeError(f"every Ray worker is dead; {len(pending)} problems left unmined. Check the "
                                   f"worker logs (the lines above), fix the cause and rerun the same command to resume")
            (ref,), _ = ray.wait(list(inflight), num_returns=1)
            a, p = inflight.pop(ref)
            try:
                out = ray.get(ref)
            except RayError as e:
                _stop_on_broken_oracle(e)
                reason = _reason(e, RayTaskError, RayActorError)
                if p is None:  # the worker could not start, or is not back yet after a restart
                    if isinstance(e, RayTaskError) or _is_creation_error(e):
                        raise _startup_error(e) from None
                    if isinstance(e, ActorUnavailableError):  # Ray is restarting it: ask again
                        inflight[a.ready.remote()] = (a, None)
                        continue
                    log.warning("a Ray worker is gone for good (%s); going on with the others", reason)
                    continue
                tries = attempts.setdefault(p.id, [])
                tries.append(not isinstance(e, RayTaskError))  # a worker died (not mining raising)
                if len(tries) >= ro.max_attempts:
                    fail(p, f"{len(tries)} attempts failed; last: {reason}", any(tries))
                else:
                    log.warning("problem %s: attempt %d failed (%s); it goes back to the queue", p.id, len(tries),
                                reason)
                    pending.appendleft(p)
                # back to the pool once Ray has it running again (restarted after a death)
                inflight[a.ready.remote()] = (a, None)
                continue
            if p is not None:
                write(p, out)
            elif len(started) < len(actors):
                timing["startup_seconds"] = time.perf_counter() - t0
                if not started:
                    timing["first_worker_seconds"] = timing["startup_seconds"]
                started.add(a)
            free.append(a)
    finally:
        for a in actors:
            ray.kill(a, no_restart=True)


def _stop_on_broken_oracle(e) -> None:
    """A worker's problem whose every verdict was an oracle error stops the run, as in one process: retried, it
    failed the same way, and was written as failed, so that the rerun with the oracle fixed skipped it."""
    from ptsfast.pipeline.loop import rerun_words
    from ptsfast.pipeline.probes import OracleFailed

    cause = getattr(e, "cause", None)
    if isinstance(cause, OracleFailed):  # said in the driver's caller's words
        raise OracleFailed(cause.problem_id, cause.verdicts, cause.error, rerun_words()) from None


def _reason(e, task_error, actor_error) -> str:
    if isinstance(e, task_error):  # mining raised: its exception, one line
        cause = getattr(e, "cause", None)
        return f"{type(cause).__name__}: {cause}" if cause is not None else str(e).strip().splitlines()[-1]
    if isinstance(e, actor_error):
        return f"worker process died ({type(e).__name__})"
    return f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"


def _is_creation_error(e) -> bool:
    return "__init__" in str(e) or "creation task" in str(e)


def _startup_error(e):
    """One line saying why a worker could not start (the model path missing on a node, most often)."""
    from ptsfast.models import ModelLoadError

    cause = getattr(e, "cause", None)
    if isinstance(cause, ModelLoadError):
        return ModelLoadError(str(cause))
    lines = [line.strip() for line in str(e).strip().splitlines() if line.strip()]
    last = lines[-1] if lines else repr(e)
    if "ModelLoadError: " in last:
        return ModelLoadError(last.split("ModelLoadError: ", 1)[1])
    if isinstance(cause, ValueError):  # a setting the worker refused (a KV cache too big): one line, as one process
        return ValueError(str(cause))
    if last.startswith("ValueError: "):
        return ValueError(last[len("ValueError: "):])
    return RuntimeError(f"a Ray worker failed to start: {last}")
