"""A finished problem as the run writer's records, and the run's ``summary.json``."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ptsfast.outputs.codelion import context_fields, token_fields
from ptsfast.problems.loading import ANSWER_UNIT_KEY, Skip
from ptsfast.outputs.rundir import (
    RunWriter,
    pair_record,
    pivot_record,
    problem_record,
    trajectory_record,
    write_atomic,
)
from ptsfast.pipeline.loop import ProblemResult

log = logging.getLogger(__name__)


def write_summary(out_dir, stats: dict, skipped: Sequence[str], already_done: int, writer: RunWriter,
                  start: float, **extra) -> dict:
    """``summary.json`` of a run (also returned): this invocation's counts (``*_in_run``: the whole run's records),
    and every skipped row or problem with its reason (``skipped``, counted by reason in ``skipped_by_reason``),
    those of earlier invocations of a resumed run included (a problem skipped and committed is not met again);
    logs the skipped problems."""
    records = [s.as_record() if isinstance(s, Skip) else {"reason": "other", "message": str(s)} for s in skipped]
    records += _earlier_skips(Path(out_dir) / "summary.json", {r["message"] for r in records}, writer.done)
    by_reason = Counter(r["reason"] for r in records)
    summary = {**stats, "problems_skipped": len(records), "skipped_by_reason": dict(sorted(by_reason.items())),
               "problems_already_done": already_done,
               "wall_seconds": time.perf_counter() - start, "out_dir": str(out_dir), **extra, "skipped": records}
    summary.update({f"{name.split('.')[0]}_in_run": n for name, n in writer.counts.items()})
    write_atomic(Path(out_dir) / "summary.json", json.dumps(summary, indent=2))
    if skipped:  # each was logged when it was skipped
        now = Counter(r["reason"] for r in records[:len(skipped)])
        log.warning("%d rows or problems skipped (%s), listed in %s", len(skipped),
                    ", ".join(f"{n} {r}" for r, n in sorted(now.items())), Path(out_dir) / "summary.json")
    return summary


def _earlier_skips(path: Path, seen: set[str], done) -> list[dict]:
    """The problems an earlier invocation of this run skipped for good (a run's skip names a problem by id, not a
    row: it is done, so only the invocation that met it lists it) that this one did not list. Rows are read again
    on every resume (a row fixed since is mined, not skipped), and a skip a rerun retries (:data:`RETRIED_SKIPS`)
    is met again or mined."""
    try:
        old = json.loads(path.read_text(encoding="utf-8")).get("skipped")
    except (OSError, ValueError, AttributeError):
        return []
    return [r for r in old if isinstance(r, dict) and isinstance(r.get("message"), str) and r["message"] not in seen
            and r.get("row") is None and str(r.get("id")) in done
            and r.get("reason") not in RETRIED_SKIPS] if isinstance(old, list) else []


WORKER_DIED = "worker died"
"""A problem whose Ray workers died on it at every attempt (:func:`ptsfast.pipeline.ray.mine_ray`)."""
RETRIED_SKIPS = frozenset({"too large for the KV cache", WORKER_DIED})
"""Skips a rerun retries (not recorded as done): the KV cache's size is the engine's setting, not the problem's nor
the run's (``--kv-cache-gb`` may change on a resume), so the rerun the message asks for mines the problem; a worker
that died may have died of the machine, not the problem."""


def committed(skip) -> bool:
    """Whether a problem that ended with ``skip`` (None: mined) is recorded as done."""
    return getattr(skip, "reason", None) not in RETRIED_SKIPS


def problem_records(result: ProblemResult, tokenizer, run: dict) -> tuple[list[dict], list[dict], dict]:
    """(pivot records, pair records, problems.jsonl summary) of one finished problem."""
    p = result.problem
    by_key = {r.key: r for r in result.results}
    pivots, pairs, trajectories = [], [], []
    judged = {"think_open": bool(p.think_open)}  # how the oracle read the text: a re-estimate must read it so too
    for t in result.trajectories:
        r = by_key.get(t.key)
        if r is not None:
            for v in r.pivots:  # the context, and the token after it, as codelion's readers and TRL tokenise them
                pv = pivot_record(v, tokenizer, p.prompt_ids, t.solution_ids, run)
                pv |= context_fields(tokenizer, pv["prefix_ids"])
                pivots.append(pv | token_fields(tokenizer, pv) | judged)
            pairs += [{**pair_record(pair, tokenizer, run), "prompt_len": len(p.prompt_ids), **judged}
                      for pair in r.pairs]
        rec = trajectory_record(r if r is not None else {"key": t.key, "kept": False}, tokenizer, p.prompt_ids,
                                t.solution_ids, correct=t.correct,
                                source="given" if p.solution_ids is not None else "sampled")
        rec.update(text=t.text, finish_reason=t.finish_reason, oracle_error=t.oracle_error)
        trajectories.append(rec)
    summary = problem_record(p.problem, trajectories, p.prompt_ids,
                             extra={"skipped": result.skipped, **oracle_fields(p.problem), **run, **judged})
    return pivots, pairs, summary


def oracle_fields(problem) -> dict:
    """What an oracle reads of a problem beyond its question and answer, where set: a re-estimate rebuilds the
    problem from its problems.jsonl line (a code problem's ``tests`` are the program ptsfast normalised them to,
    not the dataset's columns; the code oracle calls them on ``entry_point``; multiple choice reads ``choices``; the
    answer oracles compare an amount in the unit of ``answer_unit``, a reference's plain-text unit the loader took off
    its number)."""
    meta = getattr(problem, "meta", None) or {}
    entry, unit = meta.get("entry_point"), meta.get(ANSWER_UNIT_KEY)
    return {**({"tests": problem.tests} if getattr(problem, "tests", None) is not None else {}),
            **({"choices": list(problem.choices)} if getattr(problem, "choices", None) is not None else {}),
            **({"entry_point": entry} if isinstance(entry, str) else {}),
            **({"answer_unit": unit} if isinstance(unit, str) else {})}
