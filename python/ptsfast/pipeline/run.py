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

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ptsfast.engine import RolloutEngine, eos_token_ids, lent
from ptsfast.engine.engine import check_weights_loaded
from ptsfast.models import sampling_note
from ptsfast.outputs.progress import progress_bar  # noqa: F401 - re-exported (anchors, ray)
from ptsfast.outputs.rundir import DATA_FILES, RunDirError, RunWriter, check_resume, named_by
from ptsfast.pipeline.eta import DecodeSpeed, RunWork, format_eta
from ptsfast.pipeline.identity import (folder_inputs, legacy_inputs, model_path, run_inputs, snapshot_weights,
                                       weights_as_recorded)
from ptsfast.pipeline.loop import (ProblemResult, RunStats, check_context, model_context, rerun_words,
                                   run_problems)
from ptsfast.pipeline.options import (RESULT_NEUTRAL, MineOptions, in_callers_words, record_meta, run_settings,
                                      setting_name, validate_options)
from ptsfast.pipeline.probes import OracleFailed, OracleStops
from ptsfast.pipeline.records import committed, problem_records, write_summary
from ptsfast.problems.hashing import problem_hash
from ptsfast.problems.loading import (PreparedProblem, Problem, Skip, chat_template_of,  # noqa: F401 - re-exported
                                      encode_problems, opens_think)
from ptsfast.problems.oracles import check_oracle_runs_here, make_judge

__all__ = ["MineOptions", "OpenRun", "OracleFailed", "PreparedProblem", "ProblemResult", "RunStats", "mine",
           "mine_prepared", "open_run", "prepare_problems", "problem_hashes", "problem_records", "record_meta",
           "run_problems", "run_settings", "validate_options", "write_summary"]

log = logging.getLogger(__name__)


@named_by(python=True)  # a run folder's refusals name out_dir= / overwrite=True (the CLI's, said first, win)
def mine(model, tokenizer, problems: Iterable[Problem], out_dir: str | os.PathLike,
         options: MineOptions = MineOptions(), *, model_name: str = "", overwrite: bool = False,
         oracle: Callable | None = None, progress: bool = True, dataset_id: str | None = None,
         skipped: Sequence[str] = ()) -> dict:
    """Mines pivots and DPO pairs from ``problems`` into ``out_dir``; returns the run summary.

    ``oracle`` overrides ``options.oracle`` with a callable ``(text, problem) -> bool``. ``dataset_id`` (where
    the problems came from) is recorded in ``run.json`` for the codelion/pts export. ``skipped``: the rows the
    caller left out while loading (``LoadResult.skipped``), recorded with the run's own skips in ``summary.json``.
    Every argument is checked before anything is written.
    """
    problems = check_mine_args(model, tokenizer, problems, out_dir, options, oracle, model_name,
                               overwrite=overwrite, progress=progress, dataset_id=dataset_id, skipped=skipped)
    if options.temperature == 0:
        log.warning("temperature 0 is greedy: every rollout from a prefix is the same, so p(success) is 0 or 1 and "
                    "the search counts copies of one rollout as independent draws; PTS samples (0.6-1.0)")
    model_name = model_path(model_name or getattr(model, "name_or_path", "") or type(model).__name__)
    start = time.perf_counter()
    with lent(model):
        # with overwrite, made before the run's folder is emptied: an engine the device refuses (a KV cache larger
        # than its memory) discarded the finished problems for nothing; else made only when there is work
        engine = RolloutEngine(model, tokenizer, options.engine) if overwrite and problems else None
        with open_run(model, tokenizer, problems, out_dir, options, model_name=model_name, overwrite=overwrite,
                      oracle=oracle, dataset_id=dataset_id) as run:
            run.start = start
            return _mine_open(run, model, engine, problems, tokenizer, options, progress, list(skipped))


def _mine_open(run: OpenRun, model, engine: RolloutEngine | None, problems: Sequence[Problem], tokenizer,
               options: MineOptions, progress: bool, load_skipped: list) -> dict:
    """The body of :func:`mine` in its opened run: the problems not done yet, mined and written one by one."""
    prepared, skipped = prepare_problems(run.todo(problems), tokenizer, options)
    check_ids_embedded(model, prepared)
    skipped = load_skipped + skipped
    stats = RunStats()
    if prepared:
        engine = engine or RolloutEngine(model, tokenizer, options.engine)
        bar = progress_bar(len(prepared), progress)

        def on_problem(result: ProblemResult) -> None:
            if committed(result.skipped):
                run.write(result.problem.id, problem_records(result, tokenizer, run.meta))
            bar.update(1)

        rate = {"t": 0.0, "n": 0, "tok/s": 0.0}
        work = RunWork(len(prepared), options.trajectories_per_problem, options.max_new_tokens, options.rollout_room())
        speed = DecodeSpeed()

        def on_progress(s: RunStats) -> None:
            dt = s.seconds - rate["t"]
            if dt >= 0.5:  # decode speed over the last half second or more, not the run's average
                rate.update({"tok/s": (s.decoded_tokens - rate["n"]) / dt, "t": s.seconds, "n": s.decoded_tokens})
            # the time left at the speed of the later half of the decoding (steadier than the last half second's)
            left = work.seconds_left(s, speed(s.seconds, s.decoded_tokens))
            bar.set_postfix_str(f"rollouts={s.rollouts} running={s.running} tok/s={rate['tok/s']:.0f} "
                                f"{format_eta(left, from_prior=s.problems == 0)} pivots={s.pivots_found}")

        try:
            stats = mine_prepared(engine, tokenizer, prepared, options, run.oracle, on_problem, on_progress)
        except OracleFailed as e:
            if run.writer.done:
                raise
            raise OracleFailed(e.problem_id, e.verdicts, e.error, rerun_words(finished=False)) from None
        finally:
            bar.close()
    return run.finish(stats.as_dict(), skipped + stats.skipped)


@dataclass
class OpenRun:
    """A run directory opened for a list of problems: its writer, what identifies the run, what each record
    repeats (``meta``) and which oracle judges it. Used by :func:`mine`, the Ray driver and the thought-anchors
    run alike."""

    out_dir: str | os.PathLike
    writer: RunWriter
    settings: dict
    meta: dict
    hashes: dict[str, str]
    oracle: str | Callable
    start: float
    done_before: frozenset[str]  # problems this directory held done when it was opened
    folder: tuple[int, int] | None = None  # the directory's device and inode when it was opened (see finish)

    def todo(self, problems: Sequence[Problem]) -> list[Problem]:
        """The problems not yet done in this directory (a rerun resumes where the last one stopped)."""
        done = self.done_before
        todo = [p for p in problems if p.id not in done]
        if done:
            log.info("resuming %s: %d problems already done, %d to go", self.out_dir, len(problems) - len(todo),
                     len(todo))
        return todo

    def write(self, problem_id: str, records: tuple[list[dict], list[dict], dict]) -> None:
        """One finished problem's (pivots, pairs, summary), durably, with its content hash."""
        self.writer.write_problem(problem_id, *records, content=self.hashes.get(problem_id))

    def write_records(self, problem_id: str, records: Mapping[str, Sequence[dict]]) -> None:
        """One finished problem's records per data file of the run (another kind of run than ``mine``'s)."""
        self.writer.write_records(problem_id, records, content=self.hashes.get(problem_id))

    def finish(self, stats: dict, skipped: Sequence[str], **extra) -> dict:
        """Writes ``summary.json`` and returns it."""
        self._check_in_place()
        already = len(self.done_before & self.hashes.keys())
        return write_summary(self.out_dir, stats, skipped, already, self.writer, self.start, **extra)

    def _check_in_place(self) -> None:
        """The directory is still at ``out_dir``: moved while the run mined (``mv run old``), its records went with
        it through the files held open, and the summary, written by path, failed with a bare 'No such file or
        directory' of a temporary name, or went into another run's folder made there since."""
        now = folder_id(self.out_dir)
        if self.folder is None or now == self.folder:
            return
        there = "another folder has that name now" if now is not None else "nothing has that name now"
        raise RunDirError(f"{self.out_dir}: the run's folder was moved or deleted while it mined ({there}); the "
                          f"problems it finished were written into the folder wherever it is, and its summary was "
                          f"not written - rerun the same command with --out at the folder's new place to finish it")

    def close(self) -> None:
        self.writer.close()

    def __enter__(self) -> OpenRun:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def identity_settings(options: MineOptions, model_name: str, oracle: Callable | None = None,
                      mode: Mapping[str, object] | None = None) -> dict:
    """The settings :func:`open_run` records as the run's identity (the Ray workers get them before the folder is
    opened, with overwrite)."""
    settings = run_settings(options, model_name)
    if mode is not None:
        del settings["mining"]
        settings.update(mode)
    if oracle is not None:
        settings["oracle"] = f"callable:{getattr(oracle, '__qualname__', type(oracle).__name__)}"
    return settings


def check_resume_settings(out_dir: str | os.PathLike, options: MineOptions, model_name: str, *,
                          mode: Mapping[str, object] | None = None, overwrite: bool = False,
                          folder: bool = True, problems: Sequence[Problem] | None = None,
                          data_files: Sequence[str] = DATA_FILES, dtype: str | None = None) -> None:
    """The run's settings, its committed records and the ``problems``' contents against the folder's finished run
    (of ``data_files``), before the model loads (the CLI's early refusal of a resume with a new ``--seed``, or of a
    question edited under its id); :func:`open_run` checks them again, with the inputs, as the final word.
    ``dtype``: the one the folder's model will load in, where known (a resume in another was refused only once the
    model had loaded)."""
    settings = identity_settings(options, model_path(model_name), mode=mode)
    inputs = folder_inputs(model_name) if folder and not overwrite else {}  # folder: model_name is a folder's path
    recorded = recorded_inputs(out_dir).get("model_weights")
    if isinstance(recorded, str) and not recorded.startswith("files:"):  # of the loaded weights: compared once loaded
        inputs = {k: v for k, v in inputs.items() if k not in ("model_weights", "model_files")}
    if inputs and dtype:
        inputs["dtype"] = dtype
    check_resume(out_dir, settings, overwrite=overwrite, neutral=RESULT_NEUTRAL, name_of=setting_name, inputs=inputs,
                 legacy=legacy_inputs(inputs) if inputs else None, data_files=data_files,
                 hashes=None if problems is None else problem_hashes(problems),
                 problems=None if problems is None else {p.id: p for p in problems})


def open_run(model, tokenizer, problems: Sequence[Problem], out_dir: str | os.PathLike, options: MineOptions, *,
             model_name: str, overwrite: bool = False, oracle: Callable | None = None,
             dataset_id: str | None = None, mode: Mapping[str, object] | None = None,
             inputs: Mapping[str, str] | None = None, data_files: Sequence[str] = DATA_FILES,
             room: Callable[[int], int] | None = None) -> OpenRun:
    """Checks the problems and the oracle, then opens (or resumes) the run directory.

    ``model`` is the model, or its folder when the model is loaded elsewhere (the Ray workers); ``tokenizer``
    ``None`` leaves it out of the run's identity (the folder's files hash it then). Refuses, before anything
    is written, duplicate problem ids, an oracle that cannot run here, and a directory holding another run.
    Another kind of run than the search (thought anchors) gives ``mode``, its own settings in place of the
    search's (``mining``) in what identifies the run; ``inputs``, more files the run depends on; and
    ``data_files``, the files it writes; and ``room``, the positions its rollouts take after a solution for a given
    ``max_new_tokens`` (default: the search's, ``MineOptions.rollout_room``).
    """
    start = time.perf_counter()
    hashes = problem_hashes(problems)
    settings = identity_settings(options, model_name, oracle, mode)
    judged_by = oracle if oracle is not None else options.oracle
    check_oracle_runs_here(judged_by, options.unsafe_code_oracle)
    check_context(model_context(model), room or (lambda n: replace(options, max_new_tokens=n).rollout_room()),
                  options.max_new_tokens, any(p.solution is not None for p in problems))
    if options.use_chat_template and tokenizer is not None:  # before the run's folder is made: a rerun may fix it
        chat_template_of(tokenizer, options.chat_template)
    inputs = {**run_inputs(model, tokenizer, judged_by), **(inputs or {})}
    info: dict = {"dataset": dataset_id} if dataset_id else {}
    if not isinstance(model, (str, os.PathLike)):  # a loaded model (the Ray workers load theirs from its folder)
        # the ids its rollouts stop at, for a re-estimate with another loader (``generate`` given eos_token_id)
        info["stop_token_ids"] = sorted(eos_token_ids(model))
        note = sampling_note(model, model_name or "the model", temperature=options.temperature, top_k=options.top_k,
                             top_p=options.top_p, min_p=options.min_p)
        if note:
            log.warning("%s", in_callers_words(note))
    snapshot = snapshot_weights(model, model_name)
    if snapshot is not None:  # a run by the cache's name, resumed by the snapshot's folder on Ray, is compared with it
        info[SNAPSHOT_KEY] = snapshot
    recorded = {} if overwrite else recorded_run(out_dir)
    legacy = {**legacy_inputs(inputs), **weights_as_recorded(
        _inputs_of(recorded).get("model_weights"), model, inputs, recorded.get(SNAPSHOT_KEY))}
    writer = RunWriter(out_dir, settings, overwrite=overwrite, info=info or None,
                       inputs=inputs, data_files=data_files, neutral=RESULT_NEUTRAL, name_of=setting_name,
                       legacy=legacy)
    try:
        writer.check_problems(hashes, {p.id: p for p in problems})
    except BaseException:
        writer.close()
        raise
    return OpenRun(out_dir, writer, settings, record_meta(options, settings), hashes, judged_by, start,
                   frozenset(writer.done), folder_id(out_dir))


SNAPSHOT_KEY = "model_snapshot_weights"
"""run.json's fingerprint of the files of the cache's snapshot a model named by its cache name loaded from
(:func:`~ptsfast.pipeline.identity.snapshot_weights`); beside ``inputs``, as no resume compares it."""


def recorded_run(out_dir: str | os.PathLike) -> dict:
    """The ``run.json`` of the run in ``out_dir``, ``{}`` where there is none (or it is damaged: the run's writer
    says so)."""
    info = Path(out_dir).expanduser() / "run.json"
    try:
        if not info.is_file():  # a pipe is never read
            return {}
        run = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return run if isinstance(run, dict) else {}


def _inputs_of(run: dict) -> dict:
    inputs = run.get("inputs")
    return inputs if isinstance(inputs, dict) else {}


def recorded_inputs(out_dir: str | os.PathLike) -> dict:
    """The ``inputs`` the run in ``out_dir`` recorded, ``{}`` where there is none (or its run.json is damaged: the
    run's writer says so)."""
    return _inputs_of(recorded_run(out_dir))


def folder_id(folder: str | os.PathLike) -> tuple[int, int] | None:
    """``(device, inode)`` of a folder, as the file system knows it whatever its name; None where there is none."""
    try:
        st = os.stat(Path(folder).expanduser())
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def check_mine_args(model, tokenizer, problems, out_dir, options, oracle, model_name="",
                    kind: type = MineOptions, overwrite: bool = False, progress: bool = True,
                    dataset_id: str | None = None, skipped: Sequence[str] = ()) -> list[Problem]:
    """The arguments of :func:`mine` (``kind``: its options' class; ``find_anchors``' too) checked (a ``TypeError``
    naming the argument and the fix) before anything is written; returns the problems as a list (a generator is
    read once, here)."""
    for name, flag in (("overwrite", overwrite), ("progress", progress)):
        if not isinstance(flag, bool):  # overwrite="no" would read as True and discard the finished problems
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if dataset_id is not None and not isinstance(dataset_id, str):
        raise TypeError(f"dataset_id must be a str (where the problems came from) or None, got {dataset_id!r}")
    if isinstance(skipped, (str, bytes)) or not all(isinstance(s, str) for s in skipped):
        raise TypeError(f"skipped must be a list of str (LoadResult.skipped), got {skipped!r:.80}")
    if not isinstance(options, kind):
        other = type(options).__name__
        hint = (f" (write {kind.__name__}(**your_dict))" if isinstance(options, dict) else
                " (write AnchorOptions(run=your_options))" if other == "MineOptions" else
                " (pass its .run, or call ptsfast.find_anchors with it)" if other == "AnchorOptions"
                else "")
        raise TypeError(f"options must be a ptsfast.{kind.__name__}, got {other}{hint}")
    if callable(getattr(tokenizer, "parameters", None)) and not callable(getattr(model, "parameters", None)):
        raise TypeError(f"model and tokenizer are given the other way round (a {type(model).__name__} as the model, a "
                        f"{type(tokenizer).__name__} as its tokenizer): the model comes first, then its tokenizer")
    if isinstance(model, (str, os.PathLike)):
        raise TypeError(f"model must be a loaded model, got the path {str(model)!r}; load it first: "
                        f"model, tokenizer = ptsfast.models.load_model(path) (or use ptsfast.mine_ray(path, ...))")
    if model is None or not callable(model):
        raise TypeError(f"model must be a loaded Hugging Face causal LM, got {type(model).__name__}")
    check_weights_loaded(model)
    if tokenizer is None or not callable(tokenizer) or not hasattr(tokenizer, "decode"):
        raise TypeError(f"tokenizer must be the model's Hugging Face tokenizer, got {type(tokenizer).__name__}; "
                        f"ptsfast.models.load_model(path) returns both")
    if not isinstance(out_dir, (str, os.PathLike)) or not str(out_dir):
        raise TypeError(f"out_dir must be a folder path (str or Path), got {out_dir!r}")
    if os.path.isfile(out_dir):
        raise ValueError(f"out_dir {str(out_dir)!r} is a file; pass the folder the run is (to be) written in")
    _check_out_path(out_dir)
    if oracle is not None and not callable(oracle):
        raise TypeError(f"oracle must be a callable (text, problem) -> bool, got {type(oracle).__name__}; a built-in "
                        f"oracle is named by MineOptions(oracle=...)")
    if oracle is not None:
        _check_oracle_takes_two(oracle)
    if not isinstance(model_name, (str, os.PathLike)):  # a model folder's Path is its name, as load_model takes it
        raise TypeError(f"model_name must be a str or a model folder's path, got {type(model_name).__name__}")
    table = any(hasattr(problems, a) for a in ("columns", "column_names"))  # a DataFrame, Dataset or Table
    if isinstance(problems, (str, bytes, dict, os.PathLike)) or table or not hasattr(problems, "__iter__"):
        # a table read as problems gave its column names ('problems[0] ... got str'), a file's path its letters
        hint = (" - pass its .problems (ptsfast.load_problems(...).problems)" if hasattr(problems, "problems") else
                " - pass a list of one, [problem]" if isinstance(problems, Problem) else
                " - read the file first: ptsfast.load_problems(path).problems" if isinstance(
                    problems, (str, os.PathLike)) else
                " - read its rows first: ptsfast.load_problems(rows).problems" if table else "")
        raise TypeError(f"problems must be a list of ptsfast.Problem, got {type(problems).__name__}{hint}")
    given = list(problems)
    if not given and iter(problems) is problems:  # a generator read before: an empty run folder, said nowhere
        raise ValueError(f"problems is a {type(problems).__name__} that yielded no problem (one is read only once: "
                         f"was it read before?); pass a list, as ptsfast.load_problems(...).problems gives")
    return given


def _check_oracle_takes_two(oracle: Callable) -> None:
    """An oracle that cannot be called with ``(text, problem)`` (``lambda text: ...``) raised at every verdict: each
    rollout counted a failure and an oracle error, and every problem was written as done with no pivot, so that the
    rerun with the oracle fixed was refused as made from another oracle. Refused before anything is written."""
    import inspect

    try:
        signature = inspect.signature(oracle)
    except (TypeError, ValueError):  # a builtin or extension callable without one: its first verdict says
        return
    try:
        signature.bind("text", None)
    except TypeError as e:
        name = getattr(oracle, "__qualname__", None) or type(oracle).__name__
        raise TypeError(f"oracle {name}{signature} cannot be called as oracle(text, problem) ({e}); an oracle takes "
                        f"the rollout's text and its ptsfast.Problem and returns True or False") from None


def _check_out_path(out_dir: str | os.PathLike) -> None:
    """``out_dir`` through a loop of links, under a link to nothing or under a file failed in the first mkdir with a
    bare '[Errno 17] File exists' or '[Errno 20] Not a directory' naming no argument; the CLI's checks of --out, said
    of ``out_dir``."""
    from ptsfast.outputs.rundir import check_no_broken_link_above, check_no_link_loop, is_stream

    if "\0" in os.fspath(out_dir):  # 'embedded null byte' from the first look at it, naming nothing
        raise ValueError(f"out_dir {str(out_dir)!r} holds a NUL character, which no file name can; pass the folder's "
                         f"path without it")
    try:
        Path(out_dir).expanduser()
    except RuntimeError:  # '~someone/run' of a user this machine does not know: 'Could not determine home directory'
        raise ValueError(f"out_dir {str(out_dir)!r}: {Path(out_dir).parts[0]} names no user of this machine, so it "
                         f"cannot be expanded; pass the folder's full path") from None
    check_no_link_loop(out_dir, "out_dir")
    check_no_broken_link_above(out_dir, "out_dir")
    p = Path(out_dir).expanduser()
    if os.path.islink(p) and not p.exists():  # a folder is not made through a link
        raise ValueError(f"out_dir {str(out_dir)!r} is a link to {os.path.realpath(p)}, which does not exist; create "
                         f"that folder or pass another path")
    if is_stream(p):
        raise ValueError(f"out_dir {str(out_dir)!r} is a device, pipe or socket; pass the folder the run is (to be) "
                         f"written in")
    above = next((q for q in p.parents if q.exists()), None)
    if above is not None and not above.is_dir():
        raise ValueError(f"out_dir {str(out_dir)!r}: {above} is a file, so the run's folder cannot be made there; "
                         f"pass another path")


def check_ids_embedded(model, prepared: Sequence[PreparedProblem]) -> None:
    """A tokenizer that is not the model's (more tokens than the model embeds) failed only at the problem whose
    prompt held such a token, hours into a run, in 'sequence 0, token 2: 61 is not a token id in [0, 40)' naming
    neither the problem nor the tokenizer; every prompt and given solution is checked before the first rollout."""
    try:
        size = model.get_input_embeddings().num_embeddings
    except (AttributeError, NotImplementedError, TypeError):  # a model without the usual embedding: the engine checks
        return
    if not isinstance(size, int):
        return
    for p in prepared:
        bad = next((t for t in (*p.prompt_ids, *(p.solution_ids or ())) if not 0 <= t < size), None)
        if bad is not None:
            raise ValueError(f"problem {p.id}: the tokenizer gives token id {bad}, past the {size} tokens the model "
                             f"embeds - the tokenizer is not this model's; give the model's own (ptsfast.models."
                             f"load_model(path) and --model load both from the model's folder)")


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
        if not p.id.strip():  # shown as nothing in every record and export, and never told apart by a reader
            raise ValueError(f"problem {i} has the blank id {p.id!r}; give it an id, or leave the id out (--id-field "
                             f"'') so one is derived from its content")
        if p.id in hashes:
            dups.append(p.id)
        hashes[p.id] = problem_hash(p)
    if dups:
        shown = ", ".join(repr(d) for d in dict.fromkeys(dups))
        raise ValueError(f"duplicate problem ids {shown}; ids must be unique so a run can resume - fix the ids or drop "
                         f"the duplicates")
    return hashes


def prepare_problems(problems: Sequence[Problem], tokenizer,
                     options: MineOptions) -> tuple[list[PreparedProblem], list[Skip]]:
    """The problems' prompt (and given solution) ids under the run's chat template, and why any was skipped.

    The context bound (prompt + solution + room for the search's rollouts) is applied, and recorded, by the
    run itself (:func:`~ptsfast.pipeline.loop.trajectory_budget`), so none is applied here.
    """
    return encode_problems(problems, tokenizer, max_length=None, chat_template=options.chat_template,
                           use_chat_template=options.use_chat_template, system_prompt=options.system_prompt,
                           min_new_tokens=1)


def judging(tokenizer, prepared: Sequence[PreparedProblem], options: MineOptions,
            oracle: str | Callable | None = None, think_open: bool | None = None):
    """``(judge, stops)`` for prompts that do (``think_open``) or do not open a ``<think>`` trace: the oracle's
    judge and early stops, reading the answer only after the trace closes where it is open. ``think_open=None``:
    as the first prepared problem's template says (``PreparedProblem.think_open``, read from the chat template's
    generation prompt, never the question text)."""
    oracle = oracle if oracle is not None else options.oracle
    if think_open is None:
        think_open = bool(prepared) and prepared[0].think_open
    judge = make_judge(oracle, options.oracle_timeout, think_open=think_open,
                       unsafe_code_oracle=options.unsafe_code_oracle)
    return judge, OracleStops.of(oracle, think_open)


def mine_prepared(engine: RolloutEngine, tokenizer, prepared: Sequence[PreparedProblem], options: MineOptions,
                  oracle: str | Callable | None, on_problem: Callable[[ProblemResult], None],
                  on_progress: Callable[[RunStats], None] | None = None) -> RunStats:
    """Mines prepared problems on ``engine``, judged by ``oracle`` (``None``: ``options.oracle``); each finished
    problem goes to ``on_problem``. What :func:`mine`, a Ray worker and the end-to-end benchmark all run.
    Each problem is judged as its own prompt says: inside an open ``<think>`` trace or not."""
    judge, stops = judging(tokenizer, prepared, options, oracle, think_open=False)
    think = judging(tokenizer, prepared, options, oracle, think_open=True) if any(
        p.think_open for p in prepared) else None
    return run_problems(engine, tokenizer, prepared, judge, options, on_problem, on_progress, stops=stops, think=think)
