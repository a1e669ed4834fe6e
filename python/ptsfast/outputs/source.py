"""What an export reads: a run folder's records (or a loose records file) and its ``run.json``."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptsfast.mining.stats import reaches
from ptsfast.outputs.rundir import (DONE, PAIRS, PIVOTS, PROBLEMS, RUN, RUN_FILES, RunDirError, being_mined,
                                    check_format, discarding, is_stream, read_run_info)
from ptsfast.problems.oracles import canonical_oracle_name

log = logging.getLogger(__name__)

TRL_FIELDS = ("prompt", "chosen", "rejected")
"""The text fields of a DPO pair, in TRL's order (ptsfast's pair records carry them too)."""
_REQUIRED = {"pairs": TRL_FIELDS, "pivots": ("position", "direction"),
             "mined_pivots": ("problem_id", "position", "direction", "token_id", "token", "prefix_ids", "p_before",
                              "p_after"),
             "mined_pairs": (*TRL_FIELDS, "position", "prompt_ids", "chosen_ids", "rejected_ids"),
             "sentences": ("problem_id", "sentence_id", "sentence", "p_with", "p_resampled"),
             "problems": ("problem_id", "prompt_ids", "trajectories")}


RUN_NEUTRAL = ("model", "oracle_timeout", "problems_per_batch")
"""Settings of run.json that do not change results, as a resume accepts them changed (the pipeline's
``RESULT_NEUTRAL``; a test holds the two equal): left out of a run's name in its exports."""


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _p(v: Any) -> bool:
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _ids(v: Any) -> bool:
    """A list of ints >= 0 (bools are not), tested at C speed: a run's records hold millions of context ids."""
    return isinstance(v, list) and (not v or (set(map(type, v)) == {int} and min(v) >= 0))


_IDS = (_ids, "a list of token ids (ints >= 0)")
_SIDE = (lambda v: _ids(v) and bool(v), "a non-empty list of token ids")
_TEXT = (lambda v: isinstance(v, str), "a text (a JSON string)")
_NUMBER = (_p, "a number (nor null, an unknown p)")
_FLAG = (lambda v: v is None or isinstance(v, bool), "true, false or null")
_EST = (lambda v: v is None or (isinstance(v, dict) and all(_p(v.get(k)) for k in ("p", "lo", "hi")) and all(
    v.get(k) is None or _count(v[k]) for k in ("successes", "trials"))), "an estimate ({p, successes, trials, lo, hi}"
    " of numbers) or null")
_MEASURED = (lambda v: v is not None and _EST[0](v), _EST[1].replace(" or null", ""))
_TYPES = {"position": (_count, "a position (an int >= 0)"), "token_id": (_count, "a token id (an int >= 0)"),
          "prefix_ids": _IDS, "prompt_ids": _IDS, "chosen_ids": _SIDE, "rejected_ids": _SIDE,
          "direction": (lambda v: v in ("raises", "lowers"), "'raises' or 'lowers'"),
          "token": _TEXT, "prompt": _TEXT, "chosen": _TEXT, "rejected": _TEXT,
          "prefix_text": (lambda v: v is None or isinstance(v, str), "a text or null"),
          "p_before": _NUMBER, "p_after": _NUMBER, "delta": _NUMBER, "p_chosen": _NUMBER, "p_rejected": _NUMBER,
          "confirmed": (lambda v: v in (None, True, False, "confirmed", "refuted", "undecided"),
                        "'confirmed', 'refuted', 'undecided' or null"),
          "text_exact": _FLAG, "prefix_text_exact": _FLAG, "context_text_exact": _FLAG,
          **dict.fromkeys(("before", "after", "confirm_before", "confirm_after", "chosen_estimate", "rejected_estimate",
                           "before_estimate", "p_different", "p_similar"), _EST),
          "sentence_id": (_count, "a sentence index (an int >= 0)"), "sentence": _TEXT, "p_with": _MEASURED,
          "p_resampled": _MEASURED, "is_anchor": _FLAG,
          "alternatives": (lambda v: v is None or (isinstance(v, list) and all(isinstance(t, str) for t in v)),
                           "a list of texts (the regenerated sentences) or null"),
          "trajectories": (lambda v: isinstance(v, list) and all(
              isinstance(t, dict) and "key" in t and _ids(t.get("solution_ids")) and _FLAG[0](t.get("correct"))
              for t in v), "a list of trajectories (each with its key, solution_ids and correct true, false or null)")}
"""What each field of a pivot or pair record holds, as ptsfast writes it: a record rewritten by another tool (a
spreadsheet's "0.3", a null token id) is named, not met as a TypeError deep in an export."""


def check_record(rec: Mapping, schema: str, path: Path, need: Iterable[str] | None = None) -> None:
    """Refuses a pivot or pair record (``schema``: a key of ``_REQUIRED``) that lacks a field the reader needs
    (``need``, default the schema's), or holds one of another type than ptsfast writes, naming the file, the record
    and the field."""
    noun, at = {"sentences": ("sentence", "sentence_id")}.get(schema, ("pair" if "pairs" in schema else "pivot",
                                                                        "position"))
    where = f"{path}: the {noun} of problem {rec.get('problem_id')!r} at {at} {rec.get(at)!r}"
    if schema == "problems":
        where = f"{path}: the problem {rec.get('problem_id')!r}"
    missing = [k for k in (_REQUIRED[schema] if need is None else need) if k not in rec]
    if missing:
        raise ExportError(f"{where} lacks {missing}: another tool rewrote the record - restore the file")
    for k, v in rec.items():
        test, what = _TYPES.get(k, (None, ""))
        if test is not None and not test(v):
            raise ExportError(f"{where} has {k} {v!r:.60}, not {what}: another tool rewrote the record - restore "
                              f"the file")


_KINDS = ((bool, "true or false"), ((int, float), "a number"), (str, "a text"), ((list, array), "a list"),
          (dict, "an object"))


def check_one_kind(records: Iterable[Mapping], where: Path | str, reader: str, fix: str) -> None:
    """Refuses records whose field holds values of two kinds (a number in one record, a text in another: a record
    another tool rewrote), naming the file, the field and a record of each: Arrow (``reader``: an hf export,
    ``datasets``) takes one type a field and failed in its own words ('Expected bytes, got a float object'),
    naming neither."""
    seen: dict[str, tuple[str, Mapping]] = {}

    def name(r: Mapping) -> str:
        return f"problem {r.get('problem_id')!r} at position {r.get('position')!r}"

    def walk(value: Any, path: str, rec: Mapping) -> None:
        if value is None:
            return
        what = next((kind for types, kind in _KINDS if isinstance(value, types)), type(value).__name__)
        first = seen.setdefault(path, (what, rec))
        if first[0] != what:
            raise ExportError(f"{where}: the field {path} holds {first[0]} in the record of {name(first[1])} and "
                              f"{what} in that of {name(rec)} ({value!r:.40}): another tool rewrote a record, and "
                              f"{reader} takes one type a field - {fix}")
        if isinstance(value, list):
            for v in value:
                walk(v, path + "[]", rec)
        elif isinstance(value, array) and value:  # packed ids (read_records): numbers all
            walk(value[0], path + "[]", rec)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}", rec)

    for r in records:
        for k, v in r.items():
            walk(v, k, r)


class ExportError(ValueError):
    """The export cannot be done as asked (unsafe output path, input in another schema, bad option)."""


@dataclass
class RunSource:
    """What an export reads: the records file, and the run folder around it when there is one."""

    file: Path
    run_dir: Path | None
    info: dict = field(default_factory=dict)  # run.json
    _problems: dict | None = None
    unmatched: set = field(default_factory=set)  # problems whose prompt ids do not begin their records' (problem_of)

    def problems(self) -> dict[str, dict]:
        """problems.jsonl by problem id ({} for a loose records file)."""
        if self._problems is None:
            path = (self.run_dir or self.file.parent) / PROBLEMS
            if not path.exists():
                recs = []
                if self.run_dir is not None:  # every run writes it: gone since, and every record's question with it
                    log.warning("%s is missing (deleted, or not copied with the run): the exported records carry no "
                                "question (codelion's query, the DPO metadata's original_query) and no reference "
                                "answer (null) - restore it from a copy of the run", path)
            elif self.run_dir is not None:  # a cut file: its problems' records get no question, said once
                recs = committed_records(RunSource(path, self.run_dir), "have no question in the export (null)")
            else:  # a loose file's folder may hold the user's own problems.jsonl, a dataset: read only ptsfast's
                recs = _own_problems(path)
            for r in recs:  # trajectories another tool rewrote (a text, ids "x") named, not met as a TypeError
                check_record(r, "problems", path, need=())
            self._problems = {str(r.get("problem_id")): r for r in recs}
        return self._problems

    def problem_of(self, rec: Mapping) -> dict:
        """The problems.jsonl record of a pivot, pair or sentence record: its problem id's, where that problem's
        prompt ids begin the record's context ids ({} where not: a loose file's folder may hold another run's
        problems under the same ids, whose questions are not the record's). In a run folder, where the run wrote
        both from one prompt, the problem is noted (:meth:`warn_unmatched`): its records were exported with question
        and reference answer null without a word."""
        problem = self.problems().get(str(rec.get("problem_id")), {})
        prompt, ids = problem.get("prompt_ids"), rec.get("prompt_ids", rec.get("prefix_ids"))
        if isinstance(prompt, list) and isinstance(ids, (list, array)) and list(ids[:len(prompt)]) != prompt:
            if self.run_dir is not None:
                self.unmatched.add(str(rec.get("problem_id")))
            return {}
        return problem

    def warn_unmatched(self) -> None:
        """Says which problems' records :meth:`problem_of` found without their problem."""
        if self.unmatched:
            names = sorted(self.unmatched)
            log.warning("%s: the prompt ids of problems %s%s (%d) do not begin the context ids of their records in %s: "
                        "one of the two files was edited or is another run's, and their records were exported "
                        "without question and reference answer (null) - restore the run's files from a copy",
                        (self.run_dir or self.file.parent) / PROBLEMS, names[:5], " ..." if len(names) > 5 else "",
                        len(names), self.file.name)

    def model_name(self) -> str | None:
        return (self.info.get("config") or {}).get("model")

    def run_id(self) -> str | None:
        """The run's name in its exports' records: a fingerprint of the settings and inputs in run.json that change
        results (two runs of the same problems, model, seed and sampler with another gap or oracle are two runs,
        and their records name neither setting alike); None without a run.json. A resume keeps run.json, so a run
        and its resumes are one; the model is known by its weights' fingerprint where one is recorded, not its
        path."""
        config, inputs = self.info.get("config"), self.info.get("inputs")
        if not isinstance(config, dict):
            return None
        inputs = inputs if isinstance(inputs, dict) else {}
        neutral = set(RUN_NEUTRAL) - (set() if inputs.get("model_weights") else {"model"})
        body = {"config": {k: v for k, v in config.items() if k not in neutral},
                "inputs": {k: v for k, v in inputs.items() if k not in ("model_path", "model_files")}}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]

    def created(self) -> str | None:
        return self.info.get("created")


def _own_problems(path: Path) -> list[dict]:
    """The records of a problems.jsonl beside a loose records file where ptsfast wrote it (each has a problem id, its
    prompt ids and trajectories); none where it is another file of that name, such as a dataset that `ptsfast mine
    --problems` reads (its rows' questions are not the run's, and a JSON array is no records file)."""
    recs = []
    try:
        for r in read_records_file(path):
            if not {"problem_id", "prompt_ids", "trajectories"} <= set(r):
                break  # a dataset's row: the rest is not read
            recs.append(r)
        else:
            return recs
    except ExportError:
        pass
    log.warning("%s is not the problems file of a ptsfast run (a dataset?): the export's questions are null", path)
    return []


@contextlib.contextmanager
def run_model(source: RunSource, model: Any):
    """Around loading the model a run recorded (``model`` not given): a model that does not load here (the run was
    copied from another machine, or its model moved) is named as the run's, with ``--model`` as the way out."""
    from ptsfast.models import ModelLoadError

    try:
        yield
    except ModelLoadError as e:
        if model:
            raise
        raise ExportError(f"{str(e).rstrip('.')} (the model {source.run_dir or source.file} was mined with, as its "
                          f"run.json says; moved or on another machine? pass its folder with --model)") from None


def committed_lines(run_dir: Path | None, name: str) -> int | None:
    """How many lines of the run's data file ``name`` its last done marker committed (None: no marker counts
    them): lines after it belong to a problem that was still being written, which a resume truncates. A file with
    lines added among the committed ones (a record duplicated by hand) is an :class:`ExportError` naming it: its
    first lines are no longer the run's records."""
    if run_dir is None or not (run_dir / DONE).is_file():
        return None
    last, done = None, set()
    with open(run_dir / DONE, "rb") as f:
        for n, raw in enumerate(f, 1):
            if raw.endswith(b"\n") and raw.strip():  # a marker being written (no newline yet) is not one
                try:
                    last = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    last = None
                if not isinstance(last, dict):  # read as no count, every line of the files was taken as finished
                    raise ExportError(f"{run_dir / DONE} line {n} is no done marker (damaged or edited by hand): "
                                      f"which records the run finished is unknown, and those of a problem it was "
                                      f"still writing would be read as finished - restore the file from a copy of "
                                      f"the run")
                done.add(str(last.get("problem_id")))
    if last is None:
        return 0
    lines = last.get("lines") if isinstance(last, dict) else None
    sizes = last.get("sizes")
    if not (isinstance(lines, dict) and name in lines):  # a marker of an earlier ptsfast counts the bytes alone
        size = sizes.get(name) if isinstance(sizes, dict) else None
        return _lines_in(run_dir / name, size) if _count(size) else None
    if isinstance(sizes, dict) and isinstance(sizes.get(name), int):
        _check_committed_bytes(run_dir / name, int(lines[name]), sizes[name], done)
    return int(lines[name])


def _lines_in(path: Path, size: int) -> int | None:
    """The lines in the first ``size`` bytes of ``path``, the records a marker that counts bytes alone committed
    (read as no count, the records of a problem the run was still writing were read as finished)."""
    if not path.is_file():
        return None
    lines, left = 0, size
    with open(path, "rb") as f:
        while left > 0:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:  # cut short: every line left was committed
                log.warning("%s is shorter (%d bytes) than its run committed (%d): the file was cut or edited, and "
                            "the records past its end are not read - restore the file to keep them", path,
                            size - left, size)
                return None
            lines += chunk.count(b"\n")
            left -= len(chunk)
    return lines


def _check_committed_bytes(path: Path, lines: int, size: int, done: set) -> None:
    """Where the first ``lines`` lines of ``path`` are not the ``size`` bytes its run committed (the file was
    edited), the lines after them must not be records of problems done (``done``): they are a problem still being
    written, which is not exported; a done one's means lines were added before them, and the last committed
    records would be left out for them. A file cut short is left to the caller (it warns)."""
    if not path.is_file() or path.stat().st_size < size:
        return
    read = 0
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if n <= lines:
                read += len(raw)
                if n == lines and read == size:
                    return
                continue
            try:
                rec = json.loads(raw) if raw.endswith(b"\n") else None
            except (json.JSONDecodeError, UnicodeDecodeError):
                rec = None
            if isinstance(rec, dict) and str(rec.get("problem_id")) in done:
                raise ExportError(f"{path} holds more records than its run committed ({lines}), among them line "
                                  f"{n}, of problem {rec['problem_id']!r}, which is done: lines were added or "
                                  f"duplicated by hand - restore the file, or copy it out of the run folder to "
                                  f"export it as it is")


def read_records_file(path: Path, limit: int | None = None, torn_ends: bool = True) -> Iterable[dict]:
    """The records of a JSONL file, its first ``limit`` lines when given. A last line without its newline is a
    torn one of a run still being written (``torn_ends``), or, in a file written by hand, a record like the others
    where it is JSON (else, after records, a copy cut short: left out, said)."""
    read = 0
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if limit is not None and n > limit:
                break
            if not raw.endswith(b"\n") and torn_ends:
                break  # a torn last line of a run still being written
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
            except _NotJSONNumber as e:
                what = "a number beyond any float (read as infinity)" if e.args[0][-1:].isdigit() else "no JSON number"
                raise ExportError(f"{path} line {n} holds {e}, which is {what} and no value ptsfast writes (an "
                                  f"unknown p or Δp is null): another tool rewrote the record - restore the file, or "
                                  f"write null there") from None
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                if not raw.endswith(b"\n") and read:  # a last line cut short: a run's file copied mid-write
                    log.warning("%s line %d is cut short (no newline, not JSON: the file was copied while its run "
                                "was writing it?): left out", path, n)
                    break
                packed = next((name for magic, name in _ARCHIVES if raw.startswith(magic)), None) if n == 1 else None
                if packed:  # said as bytes that are no UTF-8 ('can't decode byte 0x8b'), naming no archive
                    raise ExportError(f"{path} is {packed}-compressed, not JSON lines: decompress it first (e.g. "
                                      f"{_UNPACK[packed]} {path}) and pass the .jsonl file, or the run "
                                      f"folder") from None
                raise ExportError(f"{path} line {n} is not JSON ({getattr(e, 'msg', e)}); pass a run folder written "
                                  f"by `ptsfast mine` or one of its .jsonl files") from None
            if not isinstance(rec, dict):
                raise ExportError(f"{path} line {n} is a JSON {type(rec).__name__}, not a record; pass a run folder "
                                  f"written by `ptsfast mine`")
            read += 1
            yield rec


_ARCHIVES = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"),
             (b"PK\x03\x04", "zip"))
"""How a compressed file starts: a records file compressed after the run (as load_pairs reads it) is named as such."""
_UNPACK = {"gzip": "gunzip -k", "bzip2": "bunzip2 -k", "xz": "unxz -k", "zstd": "unzstd", "zip": "unzip"}


class _NotJSONNumber(ValueError):
    """NaN, Infinity or -Infinity in a record: not JSON, but Python's json writes and reads them; ptsfast never
    writes them, and an export, which writes strict JSON, failed on one with no file or record named."""


def _no_constant(name: str):
    raise _NotJSONNumber(name)


def _finite(text: str) -> float:
    """A JSON number as a float; one beyond any float (1e999, which JSON's grammar allows) is read as infinity,
    which the strict JSON an export writes refuses without naming the file or record."""
    x = float(text)
    if math.isinf(x):
        raise _NotJSONNumber(text)
    return x


def path_arg(call: str, name: str, value: Any, takes: str) -> str | os.PathLike:
    """A path argument of the Python API as pathlib takes it (bytes, as os functions give them, decoded); anything
    else is named with what the argument takes (pathlib's TypeError named no argument)."""
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if isinstance(value, (str, os.PathLike)):
        return value
    raise TypeError(f"{call}({name}={value!r:.60}): {name} takes {takes}, as a str or os.PathLike; got "
                    f"{type(value).__name__}")


def is_run_dir(d: Path) -> bool:
    """A folder written by ``ptsfast mine`` (it holds run.json or done.jsonl)."""
    return (d / RUN).is_file() or (d / DONE).is_file()


def check_readable(src: str | os.PathLike, named: str | None = None) -> None:
    """``src`` and the run's own files beside it are no pipe or device, checked before any is read: a fifo given
    (or a run whose pairs.jsonl or run.json is one) waited for a writer for ever, and /dev/null read as an empty
    run. ``named``: how the message names ``src`` (the command line's ``--run RUN``)."""
    p = Path(src).expanduser()
    if is_stream(p):
        raise ExportError(f"{named or src}: a pipe or device, not a run folder or records file - give the folder of a "
                          f"`ptsfast mine` or `ptsfast anchors` run (or one of its .jsonl files)")
    folder = p if p.is_dir() else p.parent
    for name in RUN_FILES:
        if not name.startswith("report.") and is_stream(folder / name):  # the report's own are written, not read
            raise ExportError(f"{named or src}: {folder / name} is a pipe or device, not the run's {name} - put the "
                              f"run's own file back (or copy the run's records elsewhere), then rerun")


def open_source(src: str | os.PathLike, name: str) -> RunSource:
    """The records file ``name`` of a run folder, or ``src`` itself when it is a file."""
    check_readable(src)
    p = Path(src).expanduser()
    run_files = {RUN: "settings", "summary.json": "summary", DONE: "done markers"}
    if p.name in run_files and p.is_file() and is_run_dir(p.parent):  # else "line 1 is not JSON" of a JSON file
        raise ExportError(f"{p} is the run's {run_files[p.name]}, not its records; pass the run folder {p.parent}")
    if p.is_dir():
        file, run_dir = p / name, p
    else:
        file, run_dir = p, (p.parent if is_run_dir(p.parent) else None)
    if not file.exists():
        anchors = run_dir is not None and (run_dir / "sentences.jsonl").exists()
        if anchors or name == "sentences.jsonl":  # the other kind of run than the format reads
            raise FileNotFoundError(
                f"{file} does not exist: " + ("this folder holds thought anchors (ptsfast anchors); export it with "
                                              "--format thought_anchors" if anchors else
                                              "the thought_anchors format reads a folder written by `ptsfast anchors`"))
        raise FileNotFoundError(f"{file} does not exist; pass a run folder written by `ptsfast mine` or a .jsonl file")
    info = {}
    if run_dir is not None and (run_dir / RUN).is_file():
        try:
            info = read_run_info(run_dir / RUN, "restore it, or rerun `ptsfast mine`",
                                 "pass a run folder written by `ptsfast mine`")
            check_format(info, run_dir / RUN, "export it with that ptsfast (or a later one)")
        except RunDirError as e:
            raise ExportError(str(e)) from None
        check_not_discarded(info, run_dir)
    return RunSource(file, run_dir, info)


def check_not_discarded(info: Mapping, run_dir: Path, named: str | None = None) -> None:
    """Refuses a run an interrupted ``--overwrite`` was discarding (its run.json says so): half deleted, what is left
    of it is no run, and an export, report or re-estimate read the discarded problems that remain as if they were
    the run's (the command line refused it; the Python API did not). ``named``: how the message names the run (the
    command line's ``--run RUN``), else by its folder."""
    if discarding(info):
        raise ExportError(f"{named or run_dir}: an --overwrite was discarding this run when it stopped, so what is "
                          f"left of it is no run - rerun that mine (or anchors) command, with or without "
                          f"--overwrite, to finish it and mine the new run")


def committed_records(source: RunSource, lost: str = "are not exported",
                      each: Callable[[dict], dict] | None = None) -> list[dict]:
    """The records of ``source.file``; in a run folder those its last done marker committed (the lines after them
    are a problem still being written, or a crash's, which a resume truncates and redoes). Fewer than committed (a
    file cut or edited) are read with a warning naming the file and what the missing ones cost (``lost``). ``each``
    is applied to each record as it is read (a check, a record held otherwise)."""
    run = source.run_dir if source.run_dir is not None and source.file.parent == source.run_dir else None
    limit = committed_lines(run, source.file.name)
    read = read_records_file(source.file, limit, torn_ends=run is not None)
    recs = list(read) if each is None else [each(r) for r in read]
    if limit is not None and len(recs) < limit:
        log.warning("%s holds %d of the %d records its run committed (the file was cut or edited): the other %d %s - "
                    "restore the file to keep them", source.file, len(recs), limit, limit - len(recs), lost)
    # a problem's summary is written after its records: those records' files say what is left out
    records = limit is not None and len(recs) == limit and source.file.name != PROBLEMS
    after, of = _lines_after(source.file, limit) if records else (0, set())
    done = sorted(of & {str(r.get("problem_id")) for r in recs})
    if after and done:  # a problem a resume redoes is none the run marked done: these were added since
        log.warning("%s holds %d records after those its run committed, of problems it had marked done (%s%s): "
                    "records added by hand (copied or appended), not the run's; they %s - restore the file from a "
                    "copy of the run", source.file, after, ", ".join(repr(p) for p in done[:3]),
                    " ..." if len(done) > 3 else "", lost)
    elif after and not being_mined(run):  # else said as the run being mined (warn_if_being_mined)
        log.warning("%s holds %d records after the last problem its run marked done (%s): a problem it was writing "
                    "when it stopped (killed, or its done.jsonl cut short); they %s - resume the run to redo that "
                    "problem", source.file, after, run / DONE, lost)
    return recs


def _lines_after(path: Path, lines: int) -> tuple[int, set[str]]:
    """How many records (lines that are not blank, a torn last one included) ``path`` holds after its first
    ``lines`` lines, and the problem ids of those that are whole records."""
    n = after = 0
    ids = set()
    with open(path, "rb") as f:
        for raw in f:
            n += 1
            if n > lines and raw.strip():
                after += 1
                try:
                    rec = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    continue
                if isinstance(rec, dict):
                    ids.add(str(rec.get("problem_id")))
    return after, ids


CONTEXT_IDS = ("prompt_ids", "prefix_ids")
"""A pair's and a pivot's context ids: thousands of ids a record deep in a long solution."""


def read_records(source: RunSource, schema: str, packed: bool = False) -> list[dict]:
    """The committed records of ``source.file``, checked against a ptsfast schema (``pairs``/``pivots``/
    ``mined_pivots``), each as it is read. ``packed``: their context ids (:data:`CONTEXT_IDS`) held as an
    ``array`` of 8 bytes an id (a Python list of ids above 256 holds ~36): for an export that writes them as they
    are, with :func:`plain` (the same JSON)."""
    need = _REQUIRED[schema]

    def each(r: dict) -> dict:
        if not seen:
            seen.append(True)
            _check_schema(r, need, schema, source)
        check_record(r, schema, source.file)
        if packed:
            for k in CONTEXT_IDS:
                if isinstance(r.get(k), list):
                    try:
                        r[k] = array("Q", r[k])
                    except OverflowError:  # an id beyond 64 bits (not ptsfast's): kept as a list
                        pass
        return r

    seen: list[bool] = []
    return committed_records(source, each=each)


def plain(value: Any) -> Any:
    """A JSON encoder's ``default``: ids :func:`read_records` packed as the list they were."""
    if isinstance(value, array):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _check_schema(r: Mapping, need: Iterable[str], schema: str, source: RunSource) -> None:
    """Refuses a records file of another kind than ``schema`` by its first record, naming what it is."""
    missing = [k for k in need if k not in r]
    if missing:
        what = ("a codelion/pts pivotal_tokens file" if "pivot_context" in r else
                "a DPO pairs file" if set(TRL_FIELDS) <= set(r) else
                "a run's pivots (pivots.jsonl), not its pairs" if {"prefix_ids", "token_id"} <= set(r) else
                "a run's problems (problems.jsonl)" if "trajectories" in r else
                "a `ptsfast anchors` run's sentences (sentences.jsonl), thought anchors that --format "
                "thought_anchors exports" if {"sentence_id", "p_with"} <= set(r) else "not ptsfast output")
        noun = "pairs" if schema == "pairs" else "pivots"
        raise ExportError(f"{source.file} is {what}: its records lack {missing} of ptsfast {noun} records; pass "
                          f"the folder written by `ptsfast mine --out` (or its {noun}.jsonl)")


def filter_records(records: Iterable[Mapping], direction: str | None = None, min_delta: float = 0.0,
                   confirmed_only: bool = False) -> list[dict]:
    """Keep pairs/pivots with the given direction ('raises'/'lowers'), a Δp of at least ``min_delta`` along their
    direction (a pair's ``p_chosen - p_rejected``, a raising pivot's ``p_after - p_before``, a lowering one's
    ``p_before - p_after``: an undecided pivot whose fresh report moved the other way is no pivot of that size), never
    a refuted pivot (or its pairs), and with ``confirmed_only`` only confirmed ones (not those undecided at the cap).

    ``confirmed`` is ``"confirmed"`` / ``"refuted"`` / ``"undecided"`` (runs before the three states wrote
    ``true`` / ``false``), or None when no confirmation ran."""
    if direction not in (None, "raises", "lowers", "both"):
        raise ValueError(f"direction {direction!r}: use 'raises', 'lowers' or 'both'")
    out = []
    for r in records:
        if direction not in (None, "both") and r.get("direction") != direction:
            continue
        if min_delta and (r.get("delta") is None or not reaches(_along(r), min_delta)):  # as counts mean it
            continue
        state = r.get("confirmed")
        if state is False or state == "refuted":
            continue
        if confirmed_only and state not in (True, "confirmed"):
            continue
        out.append(dict(r))
    return out


def _along(r: Mapping) -> float:
    """A record's Δp along its direction: a pair's delta is chosen minus rejected already; a pivot's is after minus
    before, which a lowering pivot moves down."""
    if set(TRL_FIELDS) <= set(r) or r.get("direction") != "lowers":
        return r["delta"]
    return -r["delta"]


JUDGED_FIELDS = ("answer", "tests", "entry_point", "choices", "answer_unit")
"""What an oracle reads of a problem beside its question (problems.jsonl), where set: a record exported alone must
carry them to be re-judged (``answer_unit``: the unit of a reference written "180 km", whose answer reads 180 - without
it, "180 m" passes)."""


def judged_fields(problem: Mapping) -> dict:
    """The reference ``answer`` of a record's problem (null where its problems.jsonl line is not at hand), and its
    ``tests``, ``entry_point``, ``choices`` and ``answer_unit`` where the problem has them."""
    return {"answer": problem.get("answer"), **{k: problem[k] for k in JUDGED_FIELDS[1:] if k in problem}}


def words(text: str) -> str:
    """A text without its whitespace, as checks of a tokenizer compare texts: another transformers release may clean
    up the spaces before punctuation when decoding (' ,' -> ','), the same model's ids decoded otherwise."""
    return "".join(text.split())


def pivot_key(r: Mapping) -> tuple:
    """The pivot a pivot or pair record belongs to: problem, trajectory and position."""
    return str(r.get("problem_id")), json.dumps(r.get("trajectory")), r.get("position")


def same_point(pivot: Mapping | None, pair: Mapping | None) -> bool:
    """Whether a pair is the pivot's: the same key and the same context ids (a loose file's folder may hold another
    run's records, whose problem ids, trajectory keys and positions coincide with its own). Either may hold its ids
    as :class:`HeldIds`."""
    if pivot is None or pair is None:
        return False
    ids, own = pair.get("prompt_ids"), pivot.get("prefix_ids")
    if ids is None or own is None:
        return True
    if isinstance(ids, HeldIds) or isinstance(own, HeldIds):
        return HeldIds.of(ids) == HeldIds.of(own)
    return list(ids) == list(own)


def check_once(records: Iterable[Mapping], path: Path, noun: str) -> None:
    """Refuses a run's pivots or pairs file (``noun``: pivot or pair) that holds a record twice, the same point and
    the same fields: the search writes each once, so a second is a record copied by hand (over another, its line
    count kept, or among them), which an export trained on twice and a re-estimate reported twice (and the record
    it replaced not)."""
    seen: dict[tuple, tuple[int, Mapping]] = {}
    for n, r in enumerate(records, 1):
        if r.get("position") is None:  # a text pair alone (a DPO file of prompt, chosen, rejected) names no point
            continue
        first, rec = seen.setdefault(pivot_key(r), (n, r))
        if first != n and rec == r:
            raise ExportError(f"{path} holds the {noun} of problem {r.get('problem_id')!r:.40} (trajectory "
                              f"{r.get('trajectory')!r:.40}, position {r.get('position')}) twice, records {first} and "
                              f"{n}: a record copied by hand, or another run's added - restore the file from a copy "
                              f"of the run")


DRAWN = ("temperature", "top_k", "top_p", "min_p", "max_new_tokens", "rollout_max_new_tokens")
"""What of a record's ``sampler`` its rollouts were drawn by (its stop strings follow the oracle)."""


def drawn(sampler: Mapping) -> dict:
    """What of a ``sampler`` the rollouts draw by (:data:`DRAWN`), as they read it: a top-k of -1 is off, as 0 is
    (an earlier ptsfast recorded off as -1, so a run begun with it and resumed since holds both); numbers compared
    as numbers (a temperature 1 is 1.0)."""
    out = {k: sampler.get(k) for k in DRAWN}
    top_k = out["top_k"]
    if isinstance(top_k, int) and not isinstance(top_k, bool) and top_k < 0:
        out["top_k"] = 0
    return out


def _made_by(r: Mapping, fields: Iterable[str]) -> dict[str, Any]:
    """What of ``fields`` (``sampler``, ``oracle``, ``seed``) a record names, as a run compares them: the sampler as
    drawn (:func:`drawn`), the oracle by its one name ('math' is 'boxed')."""
    out: dict[str, Any] = {}
    sampler = drawn(r["sampler"]) if isinstance(r.get("sampler"), dict) else None
    if "sampler" in fields and sampler is not None and all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in sampler.values()):
        out["sampler"] = sampler  # a value of another type, another tool's rewrite, is named by the type checks
    if "oracle" in fields and isinstance(r.get("oracle"), str):
        try:
            out["oracle"] = canonical_oracle_name(r["oracle"])
        except (ValueError, TypeError):
            out["oracle"] = r["oracle"]
    if "seed" in fields and isinstance(r.get("seed"), int) and not isinstance(r.get("seed"), bool):
        out["seed"] = r["seed"]
    return out


def two_ways(records: Iterable[Mapping], fields: Iterable[str] = ("sampler", "oracle", "seed"),
             ) -> tuple[str, Mapping, Mapping] | None:
    """Where ``records`` were made two ways (another sampler, oracle or seed of ``fields``), what differs
    (``top_k 5 or 0``) and a record of each; None where one (a sampler holding a value that is no number is not
    compared: the records' type checks name it). A resume with another sampler, oracle or seed is
    refused, so a run's records made two ways are two runs' merged by hand."""
    fields = tuple(fields)
    first: dict[str, tuple[Any, Mapping]] = {}
    for r in records:
        for k, v in _made_by(r, fields).items():
            was, a = first.setdefault(k, (v, r))
            if v == was:
                continue
            if k == "sampler":
                return ", ".join(f"{f} {was[f]} or {v[f]}" for f in DRAWN if was[f] != v[f]), a, r
            return f"{k} {was!r:.60} or {v!r:.60}", a, r
    return None


def check_one_run(records: Iterable[Mapping], path: Path, info: Mapping | None = None) -> None:
    """Refuses a run's records made two ways (another sampler, oracle or seed): exported, each was named as the
    run's (its ``run_id``), and the write rule took records of another run for this one's. With ``info`` (the
    run's run.json), records made otherwise than it says are refused too (:func:`check_run_json`)."""
    records = list(records)
    two = two_ways(records)
    if two is not None:
        diff, a, b = two
        raise ExportError(f"{path}: its records were made two ways ({diff}; problem {a.get('problem_id')!r:.40} "
                          f"and problem {b.get('problem_id')!r:.40}): records of two runs merged by hand, which an "
                          f"export names as one run's - restore the run's files from a copy, or export each run's "
                          f"records from its own folder")
    if info is not None:
        check_run_json(records, info, path)


def run_json_made(info: Mapping) -> dict[str, Any]:
    """How run.json's config says each record of the run was made, as :func:`_made_by` reads a record (the sampler
    as drawn, the oracle by its one name, the seed): only what the config holds, so a setting a run of an earlier
    ptsfast did not record is not compared. A resume refuses each of them changed, so a run has one."""
    config = info.get("config") if isinstance(info, Mapping) else None
    if not isinstance(config, dict):
        return {}

    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    out: dict[str, Any] = {}
    sampler = {k: config[k] for k in ("temperature", "top_k", "top_p", "max_new_tokens") if number(config.get(k))}
    if sampler:
        # min-p is recorded, in run.json and in each record's sampler, only where it is on
        sampler["min_p"] = config.get("min_p") if number(config.get("min_p")) and config.get("min_p") else None
        mining = config.get("mining")
        estimator = mining.get("estimator") if isinstance(mining, dict) else None
        budget = estimator.get("rollout_budget", False) if isinstance(estimator, dict) else False
        if budget is None or number(budget):  # records name it only where it is set apart from max_new_tokens
            sampler["rollout_max_new_tokens"] = budget if budget != config.get("max_new_tokens") else None
        out["sampler"] = {k: v for k, v in drawn(sampler).items() if k in sampler}
    if isinstance(config.get("oracle"), str):
        out["oracle"] = _made_by({"oracle": config["oracle"]}, ("oracle",))["oracle"]
    if number(config.get("seed")):
        out["seed"] = config["seed"]
    return out


def check_run_json(records: Iterable[Mapping], info: Mapping, path: Path) -> None:
    """Refuses records made otherwise than the run.json beside them says (another sampler, oracle or seed: a
    resume refuses each): a records file replaced whole by another run's, of one sampler throughout, passed
    :func:`two_ways` and was exported under this run's ``run_id``. A record that does not name a setting is not
    compared on it (nor on the rollouts' own budget, which records named only from a later ptsfast on)."""
    want = run_json_made(info)
    if not want:
        return
    for r in records:
        got = _made_by(r, want)
        diff = []
        if "sampler" in got and "sampler" in want:
            diff += [f"{k} {got['sampler'][k]} (run.json's {v})" for k, v in want["sampler"].items()
                     if got["sampler"][k] != v and not (k == "rollout_max_new_tokens" and got["sampler"][k] is None)]
        diff += [f"{k} {got[k]!r:.60} (run.json's {want[k]!r:.60})" for k in ("oracle", "seed")
                 if k in got and k in want and got[k] != want[k]]
        if diff:
            raise ExportError(f"{path}: the record of problem {r.get('problem_id')!r:.40} (position "
                              f"{r.get('position', r.get('sentence_id'))}) was made otherwise than its run.json says "
                              f"({', '.join(diff)}): another run's records copied over this run's, which an export "
                              f"names, and a re-estimate draws, as this run's - restore the run's files from a copy, "
                              f"or use that run's records from its own folder")


def pair_side_error(pivot: Mapping, pair: Mapping) -> str | None:
    """Where a pair is not its pivot's as the search makes it (its direction, and the pivot's token, its id and its
    text, as its chosen side where the pivot raises p, as its rejected side where it lowers p), what differs; None
    where it is. A pair whose sides (or their text alone) were swapped by hand trains the opposite preference."""
    direction, token = pivot.get("direction"), pivot.get("token_id")
    if direction is None or token is None or pair.get("direction") is None:
        return None
    if pair["direction"] != direction:
        return f"its direction is {pair['direction']!r}, its pivot's {direction!r}"
    own = "chosen" if direction == "raises" else "rejected"
    ids = pair.get(f"{own}_ids")
    if isinstance(ids, list) and ids != [token]:
        return (f"its {own} side is token {ids}, but its pivot's token is {token} (a pivot that {direction} p is its "
                f"pair's {own} side)")
    # both texts are the token's text after the same context: a side's text swapped alone trains the other way as text
    text, own_text = pivot.get("token"), pair.get(own)
    if isinstance(text, str) and isinstance(own_text, str) and own_text != text:
        return (f"its {own} text is {own_text!r:.30}, but its pivot's token text is {text!r:.30} (a pivot that "
                f"{direction} p is its pair's {own} side; TRL trains on the text)")
    return None


class HeldIds:
    """A record's context ids held as a digest of them, for comparison alone: the records beside the exported ones
    (a pair's pivot, a pivot's pair) are looked up by their point and compared by their ids, and thousands of ids a
    record (a pivot deep in a long solution, ~36 bytes an id as Python holds them) doubled an export's memory."""

    __slots__ = ("digest",)

    def __init__(self, ids: list[int]) -> None:
        try:
            data = b"Q" + array("Q", ids).tobytes()
        except OverflowError:  # an id beyond 64 bits: not ptsfast's, compared as its text
            data = b"J" + json.dumps(ids).encode()
        self.digest = hashlib.blake2b(data, digest_size=16).digest()

    @classmethod
    def of(cls, ids: Any) -> "HeldIds":
        return ids if isinstance(ids, HeldIds) else cls(list(ids))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HeldIds) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)


def _neighbours(source: RunSource, path: Path, schema: str, ids: str) -> Iterator[dict]:
    """The records of the run's file ``path`` beside the one exported, checked (:func:`check_record`), one at a time,
    with their context ids (field ``ids``) as :class:`HeldIds`; beside a loose file, a folder of the user's own,
    those that are no ptsfast records of ``schema`` are not the run's: left out."""
    for r in read_records_file(path):
        try:
            check_record(r, schema, path)
        except ExportError:
            if source.run_dir is not None:
                raise
            continue
        if isinstance(r.get(ids), list):
            r[ids] = HeldIds(r[ids])
        yield r


def pivots_by_key(source: RunSource) -> dict[tuple, dict]:
    """The run's pivots by :func:`pivot_key` (none when the source is the pivots file itself), what a pair's export
    reads of its pivot: its confirmation, its p before and after, its token and direction (:func:`pair_side_error`),
    how it was made (:func:`check_one_run`) and its context ids as :class:`HeldIds`."""
    path = (source.run_dir or source.file.parent) / PIVOTS
    if source.file.name == PIVOTS or not path.exists():
        return {}
    keep = ("confirmed", "p_before", "p_after", "prefix_ids", "token_id", "token", "direction", "sampler", "oracle",
            "seed")
    return {pivot_key(r): {k: r[k] for k in keep if k in r} for r in _neighbours(source, path, "pivots", "prefix_ids")}


def pairs_by_pivot(source: RunSource) -> dict[tuple, dict]:
    """The run's pairs by the :func:`pivot_key` of their pivot, their context ids as :class:`HeldIds`."""
    path = (source.run_dir or source.file.parent) / PAIRS
    if not path.exists():
        return {}
    return {pivot_key(p): p for p in _neighbours(source, path, "mined_pairs", "prompt_ids")}
