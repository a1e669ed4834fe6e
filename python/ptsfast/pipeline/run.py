"""The run layer: ``ptsfast.mine`` -- problems in, pivots and DPO pairs out, written durably and resumable.

It sits on the layers below (data -> engine -> search) and is the only place they meet:

* :mod:`~ptsfast.pipeline.options`: :class:`MineOptions`, the one configuration a user writes, and what is
  derived from it (the search's config, the rollouts' sampling, what identifies a run);
* :mod:`~ptsfast.pipeline.probes`: the search's probes as engine requests, their rollouts judged by the oracle;
* :mod:`~ptsfast.pipeline.loop`: the schedule that keeps the engine fed with problems, solutions and probes;
* :mod:`~ptsfast.pipeline.records`: a finished problem as records, and the run's summary.

Finished problems are skipped on a rerun, so an interrupted run continues where it stopped.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence

from ptsfast.problems.loading import Problem, encode_problems
from ptsfast.engine import RolloutEngine
from ptsfast.pipeline.identity import model_path, problem_hash, run_inputs
from ptsfast.outputs.rundir import RunWriter
from ptsfast.problems.oracles import check_code_sandbox, code_oracle, make_judge, oracle_by_name
from ptsfast.pipeline.loop import PreparedProblem, ProblemResult, RunStats, run_problems
from ptsfast.pipeline.options import MineOptions, record_meta, run_settings, validate_options
from ptsfast.pipeline.probes import OracleStops
from ptsfast.pipeline.records import problem_records, write_summary

__all__ = ["MineOptions", "PreparedProblem", "ProblemResult", "RunStats", "mine", "problem_hashes",
           "problem_records", "record_meta", "run_problems", "run_settings", "validate_options", "write_summary"]

log = logging.getLogger(__name__)


def mine(model, tokenizer, problems: Sequence[Problem], out_dir: str | os.PathLike, options: MineOptions = MineOptions(),
         *, model_name: str = "", overwrite: bool = False, oracle: Callable | None = None,
         progress: bool = True, dataset_id: str | None = None) -> dict:
    """Mines pivots and DPO pairs from ``problems`` into ``out_dir``; returns the run summary.

    ``oracle`` overrides ``options.oracle`` with a callable ``(text, problem) -> bool``. ``dataset_id`` (where
    the problems came from) is recorded in ``run.json`` for the codelion/pts export.
    """
    start = time.perf_counter()
    model_name = model_path(model_name or getattr(model, "name_or_path", "") or type(model).__name__)
    hashes = problem_hashes(problems)
    settings = run_settings(options, model_name)
    if oracle is not None:
        settings["oracle"] = f"callable:{getattr(oracle, '__qualname__', type(oracle).__name__)}"
    elif oracle_by_name(options.oracle) is code_oracle:
        check_code_sandbox(options.unsafe_code_oracle)  # refuse before anything is written
    inputs = run_inputs(model, tokenizer, oracle if oracle is not None else options.oracle)
    writer = RunWriter(out_dir, settings, overwrite=overwrite, info={"dataset": dataset_id} if dataset_id else None,
                       inputs=inputs)
    try:
        writer.check_problems(hashes)
        return _mine(model, tokenizer, problems, out_dir, options, writer, settings, oracle, progress, start, hashes)
    finally:
        writer.close()


def problem_hashes(problems: Sequence[Problem]) -> dict[str, str]:
    """``{id: content hash}`` of the problems; duplicate ids are an error naming them (a run is keyed by id)."""
    hashes: dict[str, str] = {}
    dups: list[str] = []
    if isinstance(problems, (str, bytes)) or not hasattr(problems, "__iter__"):
        raise TypeError(f"problems must be a list of ptsfast.Problem, got {type(problems).__name__}")
    for i, p in enumerate(problems):
        if not isinstance(p, Problem):
            raise TypeError(f"problems[{i}] must be a ptsfast.Problem (see ptsfast.load_problems), got "
                            f"{type(p).__name__}")
        if not isinstance(p.id, str):
            raise TypeError(f"problem ids must be str, got {type(p.id).__name__} {p.id!r}")
        if p.id in hashes:
            dups.append(p.id)
        hashes[p.id] = problem_hash(p)
    if dups:
        shown = ", ".join(repr(d) for d in dict.fromkeys(dups))
        raise ValueError(f"duplicate problem ids {shown}; ids must be unique so a run can resume - fix the ids or drop "
                         f"the duplicates")
    return hashes


def _mine(model, tokenizer, problems, out_dir, options: MineOptions, writer: RunWriter, settings, oracle, progress,
          start, hashes) -> dict:
    done = set(writer.done)
    todo = [p for p in problems if p.id not in done]
    if done:
        log.info("resuming %s: %d problems already done, %d to go", out_dir, len(problems) - len(todo), len(todo))
    # the context bound (prompt + solution + room for the search's rollouts) is applied, and recorded, by the run
    encoded, skipped = encode_problems(todo, tokenizer, max_length=None,
                                       chat_template=options.chat_template, use_chat_template=options.use_chat_template,
                                       system_prompt=options.system_prompt, min_new_tokens=1)
    prepared = [PreparedProblem(e.problem.id, e.prompt_ids, e.problem, e.solution_ids) for e in encoded]
    judge_oracle = oracle or options.oracle
    think_open = bool(prepared) and opens_think(tokenizer.decode(list(prepared[0].prompt_ids[-16:])))
    meta = record_meta(options, settings)
    stats = RunStats()
    if prepared:
        engine = RolloutEngine(model, tokenizer, options.engine)
        bar = progress_bar(len(prepared), progress)

        def on_problem(result: ProblemResult) -> None:
            writer.write_problem(result.problem.id, *problem_records(result, tokenizer, meta),
                                 content=hashes.get(result.problem.id))
            bar.update(1)

        rate = {"t": 0.0, "n": 0, "tok/s": 0.0}

        def on_progress(s: RunStats) -> None:
            dt = s.seconds - rate["t"]
            if dt >= 0.5:  # decode speed over the last half second or more, not the run's average
                rate.update({"tok/s": (s.decoded_tokens - rate["n"]) / dt, "t": s.seconds, "n": s.decoded_tokens})
            bar.set_postfix_str(f"rollouts={s.rollouts} running={s.running} tok/s={rate['tok/s']:.0f} "
                                f"pivots={s.pivots_found}")

        try:
            judge = make_judge(judge_oracle, options.oracle_timeout, think_open=think_open,
                               unsafe_code_oracle=options.unsafe_code_oracle)
            stats = run_problems(engine, tokenizer, prepared, judge, options, on_problem, on_progress,
                                 stops=OracleStops.of(judge_oracle, think_open))
        finally:
            bar.close()
    return write_summary(out_dir, stats.as_dict(), skipped + stats.skipped, len(done & {p.id for p in problems}),
                         writer, start)


def opens_think(prompt_tail: str) -> bool:
    """Whether the prompt ends inside an open ``<think>`` (the completion is a reasoning trace first)."""
    return prompt_tail.rfind("<think>") > prompt_tail.rfind("</think>")


class _NoBar:
    def update(self, n): ...
    def set_postfix(self, **kw): ...
    def set_postfix_str(self, s): ...
    def close(self): ...


def progress_bar(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="problems", unit="problem")
