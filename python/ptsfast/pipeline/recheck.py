"""Whether a run's pivots and pairs hold: p re-estimated at their points on fresh rollouts the run never saw.

A mining run reports p before and after each pivot, and p of each pair's sides, from rollouts it drew itself
(the confirmation's and the pair test's). This module draws new ones, ``n`` a point, with the run's sampler,
token budget, stops and oracle, through the same probe path as the search (:class:`ProbeRunner`): a point is
``prompt + t_1..t_position + forced`` of one of the run's solutions, and a forced stop token ends its rollouts
there, as in the search. Seeds come from the run's seed and a salt, so they are not the search's.

* :func:`fresh_estimates`: the counts at any points (the reusable part);
* :func:`pivot_holds` / :func:`pair_holds`: the rules a re-estimated pivot or pair is held to;
* :func:`recheck_run`: every pivot and pair of a run directory re-estimated, one row each.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ptsfast.engine import RolloutEngine
from ptsfast.mining.seeds import stable_seed
from ptsfast.mining.types import Direction, Estimate, ProbeRequest
from ptsfast.outputs.rundir import (PAIRS, PIVOTS, PROBLEMS, RUN, SENTENCES, RunDirError, check_format,
                                    read_run_info, warn_if_being_mined)
from ptsfast.outputs.source import (DRAWN, RunSource, check_not_discarded, check_once, check_readable, check_record,
                                    check_run_json, committed_records, drawn, is_run_dir, pair_side_error,
                                    run_json_made, two_ways)
from ptsfast.pipeline.identity import legacy_inputs, run_inputs
from ptsfast.pipeline.options import MineOptions, record_meta
from ptsfast.pipeline.records import oracle_fields
from ptsfast.pipeline.probes import EngineSampler, TrajectoryContext
from ptsfast.pipeline.run import judging, prepare_problems
from ptsfast.problems.hashing import callable_identity
from ptsfast.problems.loading import ANSWER_UNIT_KEY, Problem
from ptsfast.problems.oracles import canonical_oracle_name

log = logging.getLogger(__name__)

__all__ = ["Point", "Solution", "fresh_estimates", "pivot_holds", "pair_checks", "pair_holds", "RecheckRow",
           "recheck_run", "run_solutions"]


@dataclass(frozen=True)
class Solution:
    """One solution of a run, as its rollouts continue it."""

    prompt_ids: tuple[int, ...]
    solution_ids: tuple[int, ...]
    problem: Problem
    correct: bool | None = None
    """The oracle's verdict on the whole solution (p at its end is exact then); None: cut, estimated."""
    think_open: bool = False


@dataclass(frozen=True)
class Point:
    """Where p is estimated: after ``prompt + t_1..t_position + forced`` of solution ``key``."""

    key: Hashable
    position: int
    forced: tuple[int, ...] = ()


def fresh_estimates(engine: RolloutEngine, tokenizer, solutions: Mapping[Hashable, Solution], points: Sequence[Point],
                    n: int, options: MineOptions, *, oracle: str | Callable | None = None, salt: object = "recheck",
                    progress: Callable[[int], None] | None = None) -> dict[Point, Estimate]:
    """``n`` fresh rollouts at each distinct point, judged as the run judges them: ``{point: Estimate}``.

    The rollouts sample as ``options`` say (temperature, top-k, top-p, min-p) with the search's rollout budget of new
    tokens after the point (forced tokens excluded: ``mining.estimator.rollout_budget``, else ``max_new_tokens``),
    and stop where the search's stop (EOS, the oracle's stop strings, a complete answer, a forced stop token). The
    end of a solution with a verdict is exact, as in the search. An oracle error counts as a failure. ``oracle``
    overrides ``options.oracle``.
    """
    n = _rollouts(n)
    wanted = list(dict.fromkeys(points))
    for pt in wanted:
        sol = solutions.get(pt.key)
        if sol is None:
            raise KeyError(f"point {pt}: no solution {pt.key!r} among the {len(solutions)} given")
        if not 0 <= pt.position <= len(sol.solution_ids):
            raise ValueError(f"point {pt}: position outside 0..{len(sol.solution_ids)}")
    out: dict[Point, Estimate] = {}
    sampled = []
    for pt in wanted:
        sol = solutions[pt.key]
        if pt.position == len(sol.solution_ids) and not pt.forced and sol.correct is not None:
            out[pt] = Estimate(exact=float(sol.correct))
        else:
            sampled.append(pt)
    if not sampled:
        return out
    keys = list(dict.fromkeys(pt.key for pt in sampled))
    seqs = engine.prefill([list(solutions[k].prompt_ids) + list(solutions[k].solution_ids) for k in keys])
    try:
        contexts = {k: TrajectoryContext(s.seq_id, len(solutions[k].prompt_ids), tuple(solutions[k].solution_ids),
                                         solutions[k].problem, solutions[k].think_open) for k, s in zip(keys, seqs)}
        judge, stops = judging(tokenizer, [], options, oracle, think_open=False)
        think = judging(tokenizer, [], options, oracle, think_open=True) if any(
            solutions[k].think_open for k in keys) else None
        sampler = EngineSampler(engine, tokenizer, judge, options, contexts, stops, progress=progress, think=think)
        try:
            # the search's own budget (its rollout_budget, max_new_tokens unless set apart): no reuse window here,
            # every rollout is counted where it starts
            budget = options.search_config().estimator.rollout_budget
            requests = [ProbeRequest(pt.key, pt.position, n, stable_seed(options.seed, salt, pt.key, pt.position,
                                                                         pt.forced), pt.forced, budget)
                        for pt in sampled]
            for pt, outcomes in zip(sampled, sampler(requests)):
                ok = sum(bool(o.success) and o.error is None for o in outcomes)
                out[pt] = Estimate(ok, len(outcomes))
        finally:
            sampler.close()
    finally:
        engine.release([s.seq_id for s in seqs])
    return out


def _rollouts(n: object) -> int:
    """``n`` as a count of rollouts: any integer (numpy's too); a str, a float, a bool or None is refused by name
    (a str or None failed in a comparison, a float or bool deep in a probe request)."""
    try:
        if isinstance(n, bool):
            raise TypeError
        n = operator.index(n)
    except TypeError:
        raise ValueError(f"n={n!r:.40}: use an int >= 1 (the fresh rollouts a point)") from None
    if n < 1:
        raise ValueError(f"n={n}: use >= 1 rollouts a point")
    return n


def pivot_holds(direction: Direction | str, before: float, after: float, gap: float) -> bool:
    """A pivot holds when its re-estimated ``p(after) - p(before)`` is at least ``gap`` in its direction."""
    sign = 1.0 if Direction(direction) is Direction.RAISES else -1.0
    return sign * (after - before) >= gap - 1e-12


def pair_checks(before: float, chosen: float, rejected: float, gap: float) -> dict[str, bool]:
    """The parts of :func:`pair_holds`: the margin, and each side on its side of ``p(before)``."""
    return {"margin": chosen - rejected >= gap / 2 - 1e-12, "chosen_above_before": chosen > before,
            "rejected_below_before": rejected < before}


def pair_holds(before: float, chosen: float, rejected: float, gap: float) -> bool:
    """A pair holds when its re-estimated sides lie either side of ``p(before)`` (chosen above, rejected below)
    and its margin ``p(chosen) - p(rejected)`` is at least ``gap / 2``: the search's pair rule (which tests the
    alternative's side and the margin) on fresh counts, with the pivot token's side tested too."""
    return all(pair_checks(before, chosen, rejected, gap).values())


@dataclass
class RecheckRow:
    """One pivot or pair of a run: what the run reported and what the fresh rollouts say."""

    kind: str  # "pivot" | "pair"
    problem_id: str
    trajectory: Hashable
    position: int
    direction: str
    confirmed: str | None  # the pivot's confirmation state (a pair's pivot's)
    reported: dict  # p of each side as the run reported it ("before", "after" | "chosen", "rejected")
    fresh: dict[str, Estimate] = field(default_factory=dict)
    points: dict[str, Point] = field(default_factory=dict)  # where each side was re-estimated
    holds: bool = False
    checks: dict[str, bool] = field(default_factory=dict)  # a pair's parts of the rule (:func:`pair_checks`)

    @property
    def reported_delta(self) -> float:
        """p(after) - p(before) of a pivot, p(chosen) - p(rejected) of a pair, as reported."""
        r = self.reported
        return r["after"] - r["before"] if self.kind == "pivot" else r["chosen"] - r["rejected"]

    @property
    def fresh_delta(self) -> float:
        f = self.fresh
        return f["after"].p - f["before"].p if self.kind == "pivot" else f["chosen"].p - f["rejected"].p

    def as_dict(self) -> dict:
        return {"kind": self.kind, "problem_id": self.problem_id, "trajectory": self.trajectory,
                "position": self.position, "direction": self.direction, "confirmed": self.confirmed,
                "reported": self.reported, "reported_delta": self.reported_delta,
                "fresh": {k: {"p": e.p, "successes": e.successes, "trials": e.trials, "exact": e.exact is not None}
                          for k, e in self.fresh.items()},
                "fresh_delta": self.fresh_delta, "holds": self.holds, "checks": self.checks}


def _run_records(run_dir: str | Path, name: str) -> list[dict]:
    """The records of a run's data file ``name`` that its done markers committed, as an export reads them: a problem
    still being written (a run being mined, or killed mid-problem) has pivots without its problems.jsonl line, and
    a resume truncates and redoes it. A pivot or pair record another tool rewrote (a position "8", a p "0.5") is
    named as the exports name it, not met as a TypeError in the rollouts or a row's Δp; so is a problem whose
    prompt or solution ids, or verdict ("true" for true), another tool rewrote."""
    path = Path(run_dir) / name
    recs = committed_records(RunSource(path, Path(run_dir)), "are not re-estimated") if path.exists() else []
    schema = {PIVOTS: "mined_pivots", PAIRS: "mined_pairs", PROBLEMS: "problems"}.get(name)
    for r in recs if schema else ():
        check_record(r, schema, path)
        check_record(r, schema, path, need=_READS.get(name, ()))  # what a re-estimate reads beyond the exports
        ids = [("problem_id", r["problem_id"])] + ([("trajectory", r["trajectory"])] if name != PROBLEMS else
                                                   [(f"trajectories[{n}].key", t["key"])
                                                    for n, t in enumerate(r["trajectories"])])
        for field, value in ids:  # matched by value: a list or an object was 'unhashable type' deep in the rows
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise ValueError(f"{path}: the record of problem {r['problem_id']!r:.40} has {field} {value!r:.40}, "
                                 f"not an id (a text): another tool rewrote the record - restore the file")
    if name in (PIVOTS, PAIRS):
        check_once(recs, path, "pivot" if name == PIVOTS else "pair")
    return recs


_READS = {PIVOTS: ("trajectory",), PAIRS: ("problem_id", "trajectory", "direction", "p_chosen", "p_rejected"),
          PROBLEMS: ("problem_id",)}
"""Fields a re-estimate reads of a record that the exports' schema does not require (a pair's p of each side and
direction, each record's trajectory): one another tool left out was a KeyError, or read as a lost problem."""


def _check_run_dir(run_dir: Path) -> None:
    """A re-estimate reads a run's folder: a file (its pivots.jsonl), a mistyped or an empty folder, or a thought
    anchors run held no file it reads, and gave no rows, as a run without pivots does."""
    fix = "pass the folder `ptsfast mine --out` wrote"
    if run_dir.is_file():
        raise ValueError(f"{run_dir} is a file; a re-estimate reads a run's folder - "
                         + (f"pass its folder, {run_dir.parent}" if is_run_dir(run_dir.parent) else fix))
    if not run_dir.is_dir():
        raise FileNotFoundError(f"{run_dir} does not exist; {fix}")
    if not is_run_dir(run_dir):
        raise FileNotFoundError(f"{run_dir} is not a run folder (it holds no run.json or done.jsonl); {fix}")
    if (run_dir / SENTENCES).exists() and not (run_dir / PIVOTS).exists():  # else no rows, as of a run without pivots
        raise ValueError(f"{run_dir} is a `ptsfast anchors` run: its {SENTENCES} holds sentences (thought anchors), "
                         f"not pivots or pairs, so a re-estimate has nothing to draw; {fix}")


def run_solutions(run_dir: str | Path, problems: Sequence[Problem], tokenizer,
                  options: MineOptions) -> dict[Hashable, Solution]:
    """Every searched solution of a run directory, by trajectory key, from the prompt ids its problems.jsonl holds
    and whether each prompt opened a think trace (a chat template that writes the date encodes the question
    otherwise on another day). Where a run recorded no think_open (an older run), the prompts are re-encoded under
    ``options`` and checked against the run's, so a point is the run's own context. Problems are matched by id as
    the records write it, a str."""
    _check_run_dir(Path(run_dir))
    by_id = {str(p.id): p for p in problems}
    records = [r for r in _run_records(run_dir, PROBLEMS) if r["problem_id"] in by_id]
    older = [r for r in records if not isinstance(r.get("think_open"), bool)]
    prepared, _ = prepare_problems([by_id[r["problem_id"]] for r in older], tokenizer, options) if older else ([], [])
    prep = {str(p.id): p for p in prepared}
    out: dict[Hashable, Solution] = {}
    for r in records:
        given = by_id[r["problem_id"]]
        if "question" in r and (given.question, given.answer) != (r["question"], r.get("answer")):
            # same id, another problem (another dataset's row 0): its rollouts would be judged by another answer
            raise ValueError(f"problem {given.id}: its question or answer is not the run's ({given.answer!r} vs "
                             f"{r.get('answer')!r}, as its problems.jsonl says); pass the run's problems")
        judged = oracle_fields(given) | {"answer_unit": (given.meta or {}).get(ANSWER_UNIT_KEY)}
        other = [k for k in ("tests", "choices", "entry_point", "answer_unit") if k in r and judged.get(k) != r[k]]
        if other:  # another version of a code dataset: its rollouts would be judged by other tests
            raise ValueError(f"problem {given.id}: its {' and '.join(other)} (what the oracle reads beside the "
                             f"answer) are not the run's, as its problems.jsonl holds them; pass the run's problems "
                             f"(a code problem's tests as ptsfast normalised them, its entry_point and answer_unit "
                             f"in meta)")
        think = r.get("think_open")
        if not isinstance(think, bool):
            p = prep.get(r["problem_id"])
            if p is None:
                continue
            if list(p.prompt_ids) != list(r["prompt_ids"]):
                raise ValueError(f"problem {p.id}: its prompt under these options is not the run's; pass the run's "
                                 "options (system prompt, chat template)")
            think = p.think_open
        for t in r["trajectories"]:
            out[t["key"]] = Solution(tuple(r["prompt_ids"]), tuple(t["solution_ids"]), by_id[r["problem_id"]],
                                     t.get("correct"), think)
    return out


def _run_json(run_dir: Path) -> dict:
    """The run's run.json, ``{}`` where it has none (a run folder of done markers alone). One damaged, another
    tool's or of a newer format is refused, naming it, as the exports refuse it: read as ``{}``, the checks that
    compare the model, tokenizer, dtype, stop ids and gap with it were skipped without a word."""
    path = run_dir / RUN
    if not path.exists():
        return {}
    try:
        info = read_run_info(path, "restore it from a copy of the run", "pass the folder `ptsfast mine --out` wrote")
        check_format(info, path, "re-estimate it with that ptsfast (or a later one)")
    except RunDirError as e:
        raise ValueError(str(e)) from None
    return info


def _check_options(run_dir: Path, options: MineOptions, records: Sequence[Mapping], info: Mapping,
                   oracle: str | Callable | None = None) -> None:
    """Refuses options that are not the run's, as its records name its sampler and oracle, and its run.json its
    gap: the fresh rollouts would be drawn from another distribution, judged otherwise, and each pivot held to
    another rule, as if they were the run's."""
    ours = drawn(record_meta(options, {"model": None, "oracle": ""})["sampler"])
    _refuse_merged(run_dir, records, "sampler", "sampled two ways", "one run's options")
    _check_one_oracle(run_dir, records)
    check_run_json(records, info, run_dir)  # a file replaced by another run's whole is of one sampler too
    theirs = next((drawn(r["sampler"]) for r in records if isinstance(r.get("sampler"), dict)), None)
    # what the records do not name, run.json's config says: records of an earlier ptsfast named no rollout budget
    # set apart from max_new_tokens, which a re-estimate then drew with max_new_tokens's, without a word
    ran = dict(run_json_made(info).get("sampler", {}))
    if theirs is not None:
        budget = ran.get("rollout_max_new_tokens")
        ran.update(theirs)
        if theirs["rollout_max_new_tokens"] is None and budget is not None:
            ran["rollout_max_new_tokens"] = budget
    diff = [f"{k} {ours[k]} (the run's {ran[k]})" for k in DRAWN if k in ran and ours[k] != ran[k]]
    try:
        gap = info["config"]["mining"]["gap"]
    except (KeyError, TypeError):
        gap = None
    if isinstance(gap, (int, float)) and abs(gap - options.mining.gap) > 1e-12:
        diff.append(f"gap {options.mining.gap} (the run's {gap})")
    if diff:
        raise ValueError(f"{run_dir}: options not the run's: {', '.join(diff)}; pass the run's options (its "
                         f"run.json's config), else the fresh rollouts are drawn, and its pivots held, otherwise")
    timeout = (info.get("config") or {}).get("oracle_timeout") if isinstance(info.get("config"), dict) else None
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout != options.oracle_timeout:
        # a resume may change it (a slower machine); a rollout judged past one timeout and within the other is not
        log.warning("%s: oracle_timeout %s, the run's %s: a rollout whose check runs between the two (a code "
                    "problem's tests) is judged otherwise than the run judged it - pass the run's to compare",
                    run_dir, options.oracle_timeout, timeout)
    used = next((r["oracle"] for r in records if isinstance(r.get("oracle"), str)), None)
    if callable(oracle):  # a function given is the caller's word (its name may differ), but not without a word
        _warn_other_callable(run_dir, oracle, info)
        return
    if used is None:
        return
    asked = shown = oracle if oracle is not None else options.oracle
    try:
        asked = canonical_oracle_name(asked)  # 'math' is 'boxed', as the records name it
    except (ValueError, TypeError):
        pass
    if asked != used:
        how = ("pass that function as oracle=" if used.startswith("callable:") else
               f"pass oracle={used!r}")
        raise ValueError(f"{run_dir} was judged by the oracle {used!r}, not {shown!r} (the "
                         f"{'oracle given' if oracle is not None else 'options oracle'}): its fresh rollouts would be "
                         f"judged otherwise - {how}")


def _check_one_oracle(run_dir: Path, records: Sequence[Mapping]) -> None:
    """Refuses records judged by two oracles (a resume with another oracle is refused, so they are two runs' records
    merged by hand; 'math' and 'boxed' are one, :func:`two_ways`): the oracle was compared with the first record's
    alone, so the others' fresh rollouts were judged by an oracle their run never used, as if it were theirs."""
    _refuse_merged(run_dir, records, "oracle", "judged by two oracles", "one oracle")


def _refuse_merged(run_dir: Path, records: Sequence[Mapping], field: str, made: str, cannot: str) -> None:
    """Refuses records whose ``field`` differs between two of them (:func:`two_ways`): two runs' records merged by
    hand, which one re-estimate cannot serve; names the two problems and the way out."""
    two = two_ways(records, (field,))
    if two is not None:
        diff, a, b = two
        raise ValueError(f"{run_dir}: its records were {made} ({diff}; problem {a.get('problem_id')!r:.40} and "
                         f"problem {b.get('problem_id')!r:.40}): records of two runs merged by hand, which {cannot} "
                         f"cannot re-estimate - restore the run's files from a copy, or re-estimate each run's "
                         f"records in its own folder")


def _warn_other_callable(run_dir: Path, oracle: Callable, info: Mapping) -> None:
    """Warns where run.json fingerprinted another oracle than the function given (another function, one edited
    since, or a named oracle): a resume refuses it, and a re-estimate judged every fresh rollout by it as if it were
    the run's, without a word."""
    inputs = info.get("inputs")
    ran = inputs.get("oracle") if isinstance(inputs, dict) else None
    if not isinstance(ran, str):
        return
    c = callable_identity(oracle)
    if ran != f"callable:{c['name']}#{c['hash']}":
        was = (f"the function {ran[len('callable:'):].split('#')[0]} (as it was then)" if ran.startswith("callable:")
               else f"the oracle {ran!r}")
        log.warning("%s was judged by %s, not by the function %s given (its code, defaults or closure differ): "
                    "its pivots are held to rollouts judged otherwise - pass the oracle the run was mined with",
                    run_dir, was, c["name"])


def _check_stops(run_dir: Path, engine: RolloutEngine, info: Mapping) -> None:
    """Refuses an engine whose rollouts stop at other ids than the run's (its run.json's ``stop_token_ids``, where
    recorded): a tokenizer or ``generation_config.json`` of another version stops elsewhere, and every rollout that
    wrote past the run's stop, or stopped short of it, is judged on other text."""
    ran = info.get("stop_token_ids")
    if not isinstance(ran, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in ran):
        return
    ours = sorted(getattr(engine, "eos_ids", ()))
    if sorted(ran) != ours:
        raise ValueError(f"{run_dir}: its rollouts stopped at token ids {sorted(ran)} (run.json's stop_token_ids), "
                         f"this engine's at {ours}: load the run's model folder as it was mined (its "
                         f"generation_config.json's eos_token_id), else the fresh rollouts end elsewhere")


def _check_inputs(run_dir: Path, engine: RolloutEngine, tokenizer, info: Mapping) -> None:
    """Refuses a model or tokenizer other than the run's, by the fingerprints its run.json holds (``inputs``, as a
    resume compares them): weights saved anew in the run's model folder, a tokenizer of another version, or the
    weights in another dtype draw the fresh rollouts from another model, or judge them on other text, and every
    pivot that did not hold would be blamed on the run. A fingerprint of another kind (the run's from a folder, the
    engine's model from memory) is not compared."""
    ran = info.get("inputs")
    model = getattr(getattr(engine, "adapter", None), "model", None)
    if not isinstance(ran, dict) or model is None:
        return
    ours = run_inputs(model, tokenizer, None)
    ours_legacy = legacy_inputs(ours).get("model_weights")
    diff = []
    was, now = ran.get("model_weights"), ours.get("model_weights")
    if (isinstance(was, str) and isinstance(now, str) and was.split(":")[0] == now.split(":")[0]
            and was not in (now, ours_legacy)):
        old, new = ran.get("model_files"), ours.get("model_files")
        if isinstance(old, dict) and isinstance(new, dict):
            names = sorted({n for n in {**old, **new} if old.get(n) != new.get(n)})
            diff.append(f"the model folder's files ({', '.join(names[:5])}{' ...' if len(names) > 5 else ''} "
                        f"changed since it was mined)")
        else:
            diff.append("the model's weights")
    elif isinstance(was, str) and isinstance(now, str) and was.split(":")[0] != now.split(":")[0]:
        how = {"files": "the files of its model folder", "parameters": "the weights in memory"}
        log.warning("%s: the model's weights are not compared with the run's: it fingerprinted %s, this model is "
                    "fingerprinted by %s - make sure it is the model the run was mined with (load it as the run did, "
                    "from its folder or as it was built, to have it checked)", run_dir,
                    how.get(was.split(":")[0], was.split(":")[0]), how.get(now.split(":")[0], now.split(":")[0]))
    changed = ("the tokenizer (vocabulary, special tokens or chat template: run.json keeps one fingerprint of "
               "the three, so a chat template changed alone, as in a tokenizer_config.json updated since, is refused "
               "too, though a re-estimate reads the prompt ids from problems.jsonl)")
    for key, what in (("tokenizer", changed), ("dtype", "the weights' dtype")):
        if isinstance(ran.get(key), str) and isinstance(ours.get(key), str) and ran[key] != ours[key]:
            diff.append(f"{what}" + (f" {ours[key]} (the run's {ran[key]})" if key == "dtype" else ""))
    if diff:
        raise ValueError(f"{run_dir}: not the model it was mined with: {'; '.join(diff)}, as its run.json's inputs "
                         f"say - load the model folder, tokenizer and dtype the run was mined with, else the fresh "
                         f"rollouts are another model's and its pivots are held to them")


def _check_points(run_dir: Path, pivots: Sequence[Mapping], pairs: Sequence[Mapping],
                  solutions: Mapping[Hashable, Solution]) -> None:
    """Refuses a pivot or pair whose ids are not its solution's at its position (problems.jsonl): the rollouts are
    drawn at the trajectory and position and the pair's other side forced, so a record whose position was edited,
    or a pair whose sides were swapped, was re-estimated at another point than its ids name, as if it were there. A
    pair that is not its pivot's (sides swapped and direction turned: its pivot token on the other side) is refused
    too: its rows were held to the other direction's rule."""
    for name, recs in ((PIVOTS, pivots), (PAIRS, pairs)):
        for r in recs:
            sol, i = solutions[r["trajectory"]], r["position"]
            own = r["token_id"] if name == PIVOTS else \
                (r["chosen_ids"] if r["direction"] == "raises" else r["rejected_ids"])[0]
            context = r["prefix_ids"] if name == PIVOTS else r["prompt_ids"]
            if i < len(sol.solution_ids) and own == sol.solution_ids[i] and \
                    list(context) == list(sol.prompt_ids) + list(sol.solution_ids[:i]):
                continue
            raise ValueError(f"{run_dir / name}: the record of problem {r['problem_id']!r:.40} (trajectory "
                             f"{r['trajectory']!r:.40}, position {i}) is not the point of its solution in "
                             f"{PROBLEMS}: its context ids or its {'token' if name == PIVOTS else 'side'} are not the "
                             f"solution's there (the file was edited, or is another run's) - restore the file from "
                             f"a copy of the run")
    of = {(pv["trajectory"], pv["position"]): pv for pv in pivots}
    for pr in pairs:
        wrong = pair_side_error(of.get((pr["trajectory"], pr["position"]), {}), pr)
        if wrong is not None:
            raise ValueError(f"{run_dir / PAIRS}: the pair of problem {pr['problem_id']!r:.40} (trajectory "
                             f"{pr['trajectory']!r:.40}, position {pr['position']}) is not its pivot's in {PIVOTS}: "
                             f"{wrong} - its sides were swapped or the file edited; restore it from a copy of the run")


def recheck_run(engine: RolloutEngine, tokenizer, run_dir: str | Path, problems: Sequence[Problem],
                options: MineOptions, n: int, *, oracle: str | Callable | None = None,
                progress: Callable[[int], None] | None = None) -> list[RecheckRow]:
    """Every pivot (refuted ones included) and pair of ``run_dir`` re-estimated with ``n`` fresh rollouts a side.

    A pivot at ``i`` is checked at ``i`` and ``i + 1``; a pair at its pivot's ``i`` (p before), the pivot's
    token (``i + 1``) and its alternative (forced at ``i``). Points shared by a pivot and its pair are drawn
    once. ``options`` must be the run's (``problems`` its problems); ``gap`` is ``options.mining.gap``.
    """
    check_readable(run_dir)  # a fifo's run.json or records waited for a writer for ever
    run_dir = Path(run_dir)
    problems = list(problems)  # read twice: for the solutions, then for the ids the records name
    gap = options.mining.gap
    solutions = run_solutions(run_dir, problems, tokenizer, options)
    pivots = _run_records(run_dir, PIVOTS)
    pairs = _run_records(run_dir, PAIRS)
    info = _run_json(run_dir)
    check_not_discarded(info, run_dir)
    _check_options(run_dir, options, pivots + pairs, info, oracle)
    _check_stops(run_dir, engine, info)
    _check_inputs(run_dir, engine, tokenizer, info)
    warn_if_being_mined(run_dir, "the re-estimate")
    given = {str(p.id) for p in problems}
    missing = sorted({str(r["problem_id"]) for r in pivots + pairs if str(r["problem_id"]) not in given})
    if missing:  # else a KeyError deep in fresh_estimates: 'no solution ... among the N given'
        raise ValueError(f"{run_dir}: problems {missing[:5]!r}{' ...' if len(missing) > 5 else ''} ({len(missing)}) "
                         f"have pivots or pairs but are not among the {len(problems)} problems given; pass the "
                         f"run's problems (the rows it mined, with their ids)")
    lost = sorted({str(r["problem_id"]) for r in pivots + pairs if r.get("trajectory") not in solutions})
    if lost:  # their problems.jsonl lines are gone (a copy cut short): no solution to continue, said
        log.warning("%s: the pivots and pairs of problems %s%s are not re-estimated: %s holds no solution of theirs "
                    "(the file was cut or edited) - restore it to re-estimate them", run_dir, lost[:5],
                    " ..." if len(lost) > 5 else "", run_dir / PROBLEMS)
        pivots = [r for r in pivots if r.get("trajectory") in solutions]
        pairs = [r for r in pairs if r.get("trajectory") in solutions]
    _check_points(run_dir, pivots, pairs, solutions)
    state = {(pv["trajectory"], pv["position"]): pv.get("confirmed") for pv in pivots}
    rows: list[RecheckRow] = []
    for pv in pivots:
        rows.append(RecheckRow("pivot", pv["problem_id"], pv["trajectory"], pv["position"], pv["direction"],
                               pv.get("confirmed"), {"before": pv["p_before"], "after": pv["p_after"]}))
    record_of = {}  # a pair row's own record (found by its point, every row was given the first pair's there)
    for pr in pairs:
        rows.append(RecheckRow("pair", pr["problem_id"], pr["trajectory"], pr["position"], pr["direction"],
                               state.get((pr["trajectory"], pr["position"])),
                               {"before": (pr.get("before_estimate") or {}).get("p"), "chosen": pr["p_chosen"],
                                "rejected": pr["p_rejected"]}))
        record_of[id(rows[-1])] = pr

    def sides(row: RecheckRow) -> dict[str, Point]:
        k, i = row.trajectory, row.position
        before, own = Point(k, i), Point(k, i + 1)
        if row.kind == "pivot":
            return {"before": before, "after": own}
        pr = record_of[id(row)]
        raises = Direction(row.direction) is Direction.RAISES
        alt = Point(k, i, (int((pr["rejected_ids"] if raises else pr["chosen_ids"])[0]),))
        return {"before": before, "chosen": own if raises else alt, "rejected": alt if raises else own}

    wanted = {id(r): sides(r) for r in rows}
    est = fresh_estimates(engine, tokenizer, solutions, [pt for s in wanted.values() for pt in s.values()], n,
                          options, oracle=oracle, progress=progress)
    for r in rows:
        r.points = wanted[id(r)]
        r.fresh = {name: est[pt] for name, pt in r.points.items()}
        f = {name: e.p for name, e in r.fresh.items()}
        if r.kind == "pivot":
            r.holds = pivot_holds(r.direction, f["before"], f["after"], gap)
        else:
            r.checks = pair_checks(f["before"], f["chosen"], f["rejected"], gap)
            r.holds = all(r.checks.values())
    return rows
