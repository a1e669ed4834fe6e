"""``ptsfast.mine``: problems in, pivots and DPO pairs out, written durably and resumable.

Glues the layers together: data (prompts) -> engine -> mining run -> records -> run writer. Finished
problems are skipped on a rerun, so an interrupted run continues where it stopped.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ptsfast.data import Problem, encode_problems
from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.fingerprint import model_path, problem_hash, run_inputs
from ptsfast.io import RunWriter, pair_record, pivot_record, problem_record, trajectory_record
from ptsfast.mining.run import PreparedProblem, RunConfig, RunStats
from ptsfast.mining.run import mine as run_mining
from ptsfast.mining.sampler import RolloutSettings
from ptsfast.mining.types import MiningConfig
from ptsfast.oracles import (answer_complete, canonical_oracle_name, check_code_sandbox, code_oracle, make_judge,
                             oracle_by_name, stop_strings)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MineOptions:
    """Everything a mining run is configured by; saved in ``run.json`` so a resume uses the same settings."""

    oracle: str = "gsm8k"
    oracle_timeout: float = 30.0
    trajectories_per_problem: int = 1
    problems_per_batch: int = 8
    max_new_tokens: int = 256
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int = 0
    system_prompt: str | None = None
    chat_template: str | None = None
    use_chat_template: bool = True
    mining: MiningConfig = field(default_factory=MiningConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    unsafe_code_oracle: bool = False  # let the code oracle run without namespace isolation where there is none

    def __post_init__(self) -> None:
        validate_options(self)


_SEED_LIMIT = 1 << 63


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _real(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def validate_options(o: MineOptions) -> None:
    """Every field checked before a model loads or a file is written: a ``TypeError``/``ValueError`` whose one
    line names the field, its CLI flag and the fix (used by ``MineOptions`` itself, so the CLI and API agree)."""
    def need(ok: bool, field_: str, flag: str | None, rule: str, value, exc=ValueError) -> None:
        if not ok:
            name = f"{field_} ({flag})" if flag else field_
            raise exc(f"{name} must be {rule}, got {value!r}")

    def ints(field_, flag, v, lo):
        need(_int(v), field_, flag, f"an int >= {lo}", v, TypeError)
        need(v >= lo, field_, flag, f"an int >= {lo}", v)

    need(isinstance(o.oracle, str), "oracle", "--oracle", "a built-in oracle name (pass a callable as "
         "mine(..., oracle=fn))", o.oracle, TypeError)
    oracle_by_name(o.oracle)  # an unknown name: ValueError listing the known ones
    need(_real(o.oracle_timeout) and o.oracle_timeout > 0, "oracle_timeout", "--oracle-timeout",
         "a finite number of seconds > 0", o.oracle_timeout)
    ints("trajectories_per_problem", "--trajectories", o.trajectories_per_problem, 1)
    ints("problems_per_batch", "--problems-per-batch", o.problems_per_batch, 1)
    ints("max_new_tokens", "--max-new-tokens", o.max_new_tokens, 1)
    need(_real(o.temperature) and o.temperature >= 0, "temperature", "--temperature",
         "a finite number >= 0 (0 = greedy)", o.temperature)
    need(_int(o.top_k), "top_k", "--top-k", "an int (0 disables it)", o.top_k, TypeError)
    need(_real(o.top_p) and 0 < o.top_p <= 1, "top_p", "--top-p", "a number in (0, 1]", o.top_p)
    need(_int(o.seed), "seed", "--seed", "an int in [0, 2**63)", o.seed, TypeError)
    need(0 <= o.seed < _SEED_LIMIT, "seed", "--seed", "an int in [0, 2**63)", o.seed)
    for f_, flag in (("system_prompt", "--system-prompt"), ("chat_template", "--chat-template")):
        v = getattr(o, f_)
        need(v is None or isinstance(v, str), f_, flag, "a str or None", v, TypeError)
    need(isinstance(o.mining, MiningConfig), "mining", None, "a MiningConfig", o.mining, TypeError)
    m = o.mining
    need(_real(m.gap) and 0 < m.gap < 1, "mining.gap", "--gap", "a number in (0, 1) (the |Δp| that makes a pivot)",
         m.gap)
    f = m.filter
    for f_, flag, v in (("mining.filter.p_min", "--p-min", f.p_min), ("mining.filter.p_max", "--p-max", f.p_max)):
        need(_real(v) and 0 <= v <= 1, f_, flag, "a probability in [0, 1]", v)
    need(f.p_min <= f.p_max, "mining.filter.p_min (--p-min)", None, f"<= p_max (--p-max {f.p_max})", f.p_min)
    need(isinstance(o.engine, EngineConfig), "engine", None, "an EngineConfig", o.engine, TypeError)
    e = o.engine
    need(e.kv_cache_gb is None or (_real(e.kv_cache_gb) and e.kv_cache_gb > 0), "engine.kv_cache_gb",
         "--kv-cache-gb", "a number of GB > 0 (or unset for the default)", e.kv_cache_gb)
    if e.num_blocks is not None:
        ints("engine.num_blocks", None, e.num_blocks, 1)
    ints("engine.block_size", None, e.block_size, 1)


def run_settings(options: MineOptions, model_name: str) -> dict:
    """What identifies a run (a resume must match it); engine limits do not change results."""
    d = asdict(options)
    d.pop("engine")
    d.pop("unsafe_code_oracle")  # how code is isolated does not change verdicts
    d["mining"]["seed"] = options.seed
    d["oracle"] = canonical_oracle_name(options.oracle)  # "GSM8K" and "gsm8k" are one oracle
    return {"model": model_name, **d}


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
    think_open = bool(prepared) and _opens_think(tokenizer.decode(list(prepared[0].prompt_ids[-16:])))
    config = run_config(options, judge_oracle, think_open)
    meta = record_meta(options, settings)
    stats = RunStats()
    if prepared:
        engine = RolloutEngine(model, tokenizer, options.engine)
        bar = _progress_bar(len(prepared), progress)

        def on_problem(result):
            writer.write_problem(result.problem.id, *problem_records(result, tokenizer, meta),
                                 content=hashes.get(result.problem.id))
            bar.update(1)

        rate = {"t": 0.0, "n": 0, "tok/s": 0.0}

        def on_progress(s: RunStats, _):
            dt = s.seconds - rate["t"]
            if dt >= 0.5:  # decode speed over the last half second or more, not the run's average
                rate.update({"tok/s": (s.decoded_tokens - rate["n"]) / dt, "t": s.seconds, "n": s.decoded_tokens})
            bar.set_postfix_str(f"rollouts={s.rollouts} running={s.running} tok/s={rate['tok/s']:.0f} "
                                f"pivots={s.pivots_found}")

        try:
            judge = make_judge(judge_oracle, options.oracle_timeout, think_open=think_open,
                               unsafe_code_oracle=options.unsafe_code_oracle)
            stats = run_mining(engine, tokenizer, prepared, judge, config, on_problem, on_progress)
        finally:
            bar.close()
    return write_summary(out_dir, stats.as_dict(), skipped + stats.skipped, len(done & {p.id for p in problems}),
                         writer, start)


def run_config(options: MineOptions, judge_oracle, think_open: bool = False) -> RunConfig:
    """The mining run's configuration for ``options`` and an oracle (a name or a callable); ``think_open``: the
    prompts open a ``<think>`` trace (early stopping then waits for its ``</think>``)."""
    check = None if callable(judge_oracle) else (lambda text: answer_complete(judge_oracle, text, think_open))
    return RunConfig(
        mining=MiningConfig(**{**asdict(options.mining), "seed": options.seed,
                               "estimator": options.mining.estimator, "filter": options.mining.filter,
                               "pairs": options.mining.pairs}),
        rollout=RolloutSettings(options.max_new_tokens, options.temperature, options.top_k, options.top_p,
                                stop_strings(judge_oracle), check),
        trajectories_per_problem=options.trajectories_per_problem,
        problems_per_batch=options.problems_per_batch,
    )


def record_meta(options: MineOptions, settings: dict) -> dict:
    """Run settings repeated in every record (model, seed, oracle, sampler)."""
    return {"model": settings["model"], "seed": options.seed, "oracle": settings["oracle"],
            "sampler": {"temperature": options.temperature, "top_k": options.top_k, "top_p": options.top_p,
                        "max_new_tokens": options.max_new_tokens}}


def write_summary(out_dir, stats: dict, skipped: Sequence[str], already_done: int, writer: RunWriter,
                  start: float, **extra) -> dict:
    """``summary.json`` of a run (also returned); logs the skipped problems."""
    summary = {**stats, "problems_skipped": len(skipped), "problems_already_done": already_done,
               "wall_seconds": time.perf_counter() - start, "out_dir": str(out_dir), **extra}
    summary.update({f"{name.split('.')[0]}_in_run": n for name, n in writer.counts.items()})
    (Path(out_dir) / "summary.json").write_text(json.dumps(summary, indent=2))
    for line in skipped:
        log.warning("skipped: %s", line)
    return summary


def problem_records(result, tokenizer, run: dict) -> tuple[list[dict], list[dict], dict]:
    """(pivot records, pair records, problems.jsonl summary) of one finished problem."""
    p = result.problem
    by_key = {r.key: r for r in result.results}
    pivots, pairs, trajectories = [], [], []
    for t in result.trajectories:
        r = by_key.get(t["key"])
        if r is not None:
            pivots += [pivot_record(v, tokenizer, p.prompt_ids, t["solution_ids"], run) for v in r.pivots]
            pairs += [pair_record(pair, tokenizer, run) for pair in r.pairs]
        rec = trajectory_record(r if r is not None else {"key": t["key"], "kept": False}, tokenizer, p.prompt_ids,
                                t["solution_ids"], correct=t["correct"],
                                source="given" if p.solution_ids is not None else "sampled")
        rec.update(text=t["text"], finish_reason=t["finish_reason"], oracle_error=t["oracle_error"])
        trajectories.append(rec)
    summary = problem_record(p.problem, trajectories, p.prompt_ids, extra={"skipped": result.skipped, **run})
    return pivots, pairs, summary


def _opens_think(prompt_tail: str) -> bool:
    """Whether the prompt ends inside an open ``<think>`` (the completion is a reasoning trace first)."""
    return prompt_tail.rfind("<think>") > prompt_tail.rfind("</think>")


class _NoBar:
    def update(self, n): ...
    def set_postfix(self, **kw): ...
    def set_postfix_str(self, s): ...
    def close(self): ...


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="problems", unit="problem")
