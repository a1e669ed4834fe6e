"""Exports of a mining run: which format writes what (the dispatch), and how an export writes safely.

Each format's records are built in its own module (:mod:`~ptsfast.outputs.trl_pairs`,
:mod:`~ptsfast.outputs.codelion`, :mod:`~ptsfast.outputs.steering`); the input is read by
:mod:`~ptsfast.outputs.source`.

Formats (``fmt``): ``trl`` (DPO pairs for TRL, with the exact token ids), ``jsonl`` (the run's records as they
are), ``hf`` (a ``datasets`` folder, ``save_to_disk``), ``pts`` (codelion/pts ``pivotal_tokens.jsonl`` records)
``steering`` (codelion/pts steering vectors, from forward passes of the run's model) and ``thought_anchors``
(a ``ptsfast anchors`` run's sentences as codelion/pts ``ThoughtAnchor`` records, see
:mod:`ptsfast.outputs.thought_anchors`).

Safety (the one write rule): an export never deletes or overwrites anything it did not create, with or without
``force``: never a run folder or a file in one, never its input, never a folder that holds either (compared by
real path, symlinks followed), never a file or folder that ptsfast did not export (an ``hf`` folder counts as an
export only while it holds nothing but what the export wrote). An earlier export of the same kind and run at the
path is replaced (a re-export); an earlier export of another kind, or of another run (each record names its run:
problem, model, seed, sampler and ``run_id``, a fingerprint of its settings), only with ``force=True``. The output
is written to a temporary path in the same folder and renamed into place, so an interrupted export leaves the
previous file whole; it gets the user's umask like any other file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ptsfast.outputs.codelion import check_tokenizer, pts_record, timestamp, tokenizer_for
from ptsfast.outputs.rundir import (LINE_BREAKS, PAIRS, PIVOTS, SENTENCES, as_user_file, check_name_lengths,
                                    check_writable, fsync_dir, is_stream, temp_prefix, warn_if_being_mined)
from ptsfast.outputs.source import (TRL_FIELDS, ExportError, RunSource, check_once, check_one_kind, check_one_run,
                                    check_record, committed_records, filter_records, is_run_dir, judged_fields,
                                    open_source, pair_side_error, pairs_by_pivot, path_arg, pivot_key, pivots_by_key,
                                    plain, read_records, read_records_file, same_point)
from ptsfast.outputs.steering import layer_arg, model_for, steering_records
from ptsfast.outputs.trl_pairs import trl_record, warn_long_prompts
from ptsfast.problems.oracles import task_type

log = logging.getLogger(__name__)

FORMATS = ("trl", "jsonl", "hf", "pts", "steering", "thought_anchors")
CODELION_FORMATS = ("pts", "steering", "thought_anchors")
"""Written as codelion/pts writes its files (JSON's ASCII escapes), which its reader opens in the locale's encoding."""
HF_MARKER = "ptsfast_export.json"
"""Written inside an ``hf`` export folder so a later export knows the folder is its own."""


# --------------------------------------------------------------------------- output safety

def _existing_kind(path: Path) -> tuple[str | None, set[tuple]]:
    """What an existing output holds: 'empty', an export kind ('pairs', 'pivots', 'pts', 'steering', 'hf:<kind>',
    'pairs-text': the trl export's text alone), or None when it is not wholly something ptsfast exported (every line
    is judged: a curated file that starts with an export is the user's); and the owner of each exported record
    (:func:`_owner`)."""
    if path.is_dir():
        entries = [e for e in path.iterdir()]
        if not entries:
            return "empty", set()
        marker = path / HF_MARKER
        if marker.is_file():
            # anything the user put beside what the export wrote makes the folder theirs: never replaced
            if any(not _hf_export_file(e) for e in entries):
                return None, set()
            try:
                kind = "hf:" + str(json.loads(marker.read_text(encoding="utf-8")).get("kind"))
            except (json.JSONDecodeError, OSError, AttributeError):
                return None, set()
            return kind, _hf_owners(path)
        return None, set()
    kinds, owners = set(), set()
    try:
        with open(path, "rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                rec = json.loads(raw)
                kinds.add(_record_kind(rec))
                if len(kinds) > 1 or None in kinds:
                    return None, set()
                try:
                    owners.add(_owner(rec))
                except TypeError:  # a list where a model or run name was: edited by hand, the user's file now
                    return None, set()
    except (OSError, ValueError):
        return None, set()
    return (kinds.pop() if kinds else "empty"), owners


def _owner(rec: Mapping) -> tuple:
    """Whose record of an earlier export this is: its problem, model, seed, sampler and run (a run over the same
    problems with the same model and another seed, another temperature or another gap is another run; an export of
    an earlier ptsfast names no run); a text pair (the trl export's text alone) is known by its text."""
    if set(rec) == set(TRL_FIELDS):
        return ("text", *(rec[k] for k in TRL_FIELDS))
    seed = rec.get("seed")
    return (str(rec["problem_id"]), rec.get("model") or rec.get("model_id"),
            None if seed is None else json.dumps(seed), _sampler_key(rec.get("sampler")), rec.get("run_id"))


def _sampler_key(sampler: Any) -> str | None:
    """A record's sampler as a comparable text: its set fields, sorted (an hf export gives back every field a
    column holds, null where a record had none)."""
    if not isinstance(sampler, dict):
        return None
    return json.dumps({k: v for k, v in sampler.items() if v is not None}, sort_keys=True)


def _hf_owners(path: Path) -> set[tuple]:
    """:func:`_owner` of each record of an earlier ``hf`` export (none where it does not load: a folder an earlier
    release wrote without a data file)."""
    import datasets

    try:
        ds = datasets.load_from_disk(str(path))
    except Exception:  # noqa: BLE001 - what it holds is unknown: compared as before, by its kind alone
        return set()
    columns = [c for c in ("problem_id", "model", "model_id", "seed", "sampler", "run_id", *TRL_FIELDS)
               if c in ds.column_names]
    if "problem_id" not in columns:
        return set()
    return {_owner(r) for r in ds.select_columns(columns)}


def _record_kind(rec: Any) -> str | None:
    """The export kind of one record, or None when ptsfast exports no such record."""
    if isinstance(rec, dict) and set(rec) == set(TRL_FIELDS) and all(isinstance(rec[k], str) for k in TRL_FIELDS):
        return "pairs-text"  # the trl export with the text alone: this run's only if every pair is (check_output)
    if not isinstance(rec, dict) or "problem_id" not in rec:
        return None  # ptsfast's records always carry the problem id; codelion's files and others do not
    if "steering_vector" in rec:
        return "steering"
    if "prob_with_sentence" in rec and "sentence_id" in rec:
        return "thought_anchors"
    if "pivot_context" in rec and "pivot_token_id" in rec:
        return "pts"
    if {"prompt_ids", "chosen_ids", "rejected_ids"} <= set(rec):
        return "pairs"
    if {"prefix_ids", "token_id", "position"} <= set(rec):
        return "pivots"
    return None


def _foreign_records(owners: set[tuple], source: RunSource) -> int:
    """How many problems of an earlier export are not this run's (another problem, model, seed, sampler or run):
    it exported another run, or several; of a text-only trl export, how many pairs are none of this run's."""
    records = list(read_records_file(source.file))  # read once for all
    ids = set(source.problems()) or {str(r.get("problem_id")) for r in records}
    models = {_comparable(source.model_name())} | {_comparable(r.get("model")) for r in records}
    seeds = {json.dumps(r["seed"]) for r in records if r.get("seed") is not None}
    samplers = {_sampler_key(r.get("sampler")) for r in records} - {None}
    runs = ({source.run_id()} | {_comparable(r.get("run_id")) for r in records}) - {None}
    texts = {("text", *(_comparable(r.get(k)) for k in TRL_FIELDS)) for r in records}
    foreign = set()
    for owner in owners:
        if owner[0] == "text":
            if owner not in texts:
                foreign.add(owner)
            continue
        pid, model, seed, sampler, run = owner
        if pid not in ids or (model is not None and model not in models) or (seed is not None and seeds and
                                                                              seed not in seeds) or (
                sampler is not None and samplers and sampler not in samplers) or (run is not None and runs and
                                                                                  run not in runs):
            foreign.add(pid)
    return len(foreign)


def _comparable(value: Any) -> Any:
    """A field of the run's records as a set holds it: a list or object another tool wrote where a name was (the
    run's records are refused by type only where a format reads the field) as its JSON text, which names no run."""
    return value if value is None or isinstance(value, (str, int, float)) else json.dumps(value, sort_keys=True)


def _hf_export_file(entry: Path) -> bool:
    """What ``Dataset.save_to_disk`` and the export write in an ``hf`` folder."""
    name = entry.name
    return entry.is_file() and (name in (HF_MARKER, "dataset_info.json", "state.json") or
                                (name.startswith("data-") and name.endswith(".arrow")))


def _shown(kind: str) -> str:
    """An export kind as messages name it."""
    return {"pairs-text": "trl text-only (keep_fields=False)"}.get(kind, kind.replace("hf:", "hf "))


def _output_kind(fmt: str, kind: str) -> str:
    if fmt == "hf":
        return "hf:" + kind
    return fmt if fmt in ("pts", "steering", "thought_anchors") else kind


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_output(out: Path, source: RunSource, fmt: str, kind: str, force: bool, keep_fields: bool = True) -> None:
    """Refuse outputs that would destroy a run, the input, or data that is not an earlier export of this kind
    (``keep_fields`` False: the trl export's text alone). A stream (``/dev/stdout``, a pipe) takes a one-file format
    as it is."""
    if is_stream(out):
        if fmt == "hf":
            raise ExportError(f"--out {out} is not a folder path (a device, pipe or socket); the hf format writes a "
                              f"datasets folder - give a folder path")
        return
    res = out.resolve()
    run_dir = source.run_dir.resolve() if source.run_dir else None
    if run_dir is not None and _inside(res, run_dir):
        raise ExportError(f"--out {out} is {'the run folder' if res == run_dir else 'inside the run folder'} "
                          f"{source.run_dir}; exports never write into a run - choose a path outside it")
    if res == source.file.resolve():
        raise ExportError(f"--out {out} is the input file; choose another path")
    held = source.run_dir.resolve() if source.run_dir else source.file.resolve()
    if _inside(held, res):
        raise ExportError(f"--out {out} holds the {'run' if source.run_dir else 'input'} being exported ({held}); an "
                          f"export never replaces a folder that holds its input, with or without --force - choose a "
                          f"new path")
    for d in (res, res.parent):
        if d.is_dir() and is_run_dir(d):
            raise ExportError(f"--out {out} is in a run folder ({d}, written by `ptsfast mine` or `ptsfast anchors`); "
                              f"exports never write into a run - choose a path outside it")
    if not os.path.lexists(res):
        return
    if fmt != "hf" and res.is_dir():
        raise ExportError(f"--out {out} is a folder; the {fmt} format writes one file - give a file path such as "
                          f"{out / ('pivotal_tokens.jsonl' if fmt == 'pts' else fmt + '.jsonl')}")
    have, owners = _existing_kind(res)
    want = "pairs-text" if fmt == "trl" and not keep_fields else _output_kind(fmt, kind)
    if have == "empty":
        return
    if have == "pairs-text" and _foreign_records(owners, source):  # text pairs alone name no run: compared by text
        raise ExportError(f"--out {out} holds DPO text pairs (prompt, chosen, rejected) that are not all this run's: "
                          f"another run's text-only export, or a file of yours; an export never replaces it (with "
                          f"or without --force) - choose a new path")
    foreign = _foreign_records(owners, source) if have == want else 0
    if have == want and not foreign:
        return
    if foreign and force:
        log.warning("--force: replacing the earlier %s export of other runs at %s", _shown(have), out)
        return
    if foreign:
        raise ExportError(f"--out {out} holds an earlier {_shown(have)} export with {foreign} problems that are "
                          f"not this run's (another run's, of other problems, model or seed, sampled otherwise: "
                          f"another sampler, or mined with other settings: another gap, oracle, ...; or several "
                          f"runs'); refusing to replace it - choose another path, or pass --force to replace that "
                          f"earlier export")
    if have is None:  # not ptsfast's: never replaced, --force or not
        raise ExportError(f"--out {out} already holds data that ptsfast did not export; an export never replaces it "
                          f"(with or without --force) - choose a new path")
    if force:
        log.warning("--force: replacing the earlier %s export at %s", _shown(have), out)
        return
    raise ExportError(f"--out {out} already holds an earlier {_shown(have)} export; refusing to replace it with a "
                      f"{_shown(want)} export - choose another path, or pass --force to replace that earlier export")


def _write_jsonl(out: Path | None, records: Iterable[Mapping], ascii_only: bool = False) -> None:
    """Whole or not at all: written beside the file and moved over it (over the file a link names, keeping the
    link); a stream is written into, ``None`` is standard output. ``ascii_only``: other characters escaped, as
    codelion/pts writes its files (its reader opens them in the locale's encoding, cp1252 on Windows)."""
    def dump(f) -> None:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=ascii_only, allow_nan=False, default=plain).translate(LINE_BREAKS)
                    + "\n")

    if out is None:
        dump(sys.stdout)
        sys.stdout.flush()
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    if is_stream(out):
        with open(out, "w", encoding="utf-8") as f:
            dump(f)
        return
    out = Path(os.path.realpath(out))
    fd, tmp = tempfile.mkstemp(prefix=_own_prefix(out), suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            dump(f)
            f.flush()
            os.fsync(f.fileno())
        as_user_file(tmp)
        os.replace(tmp, out)
        fsync_dir(out.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_hf(out: Path, records: list[dict], kind: str) -> None:
    """A datasets folder, whole or not at all: written beside ``out`` and swapped in; through a link, the folder it
    names is replaced and the link kept (swapped itself, it was left under a hidden name and a folder put in its
    place)."""
    import datasets

    out.parent.mkdir(parents=True, exist_ok=True)
    out = Path(os.path.realpath(out))
    tmp = Path(tempfile.mkdtemp(prefix=_own_prefix(out), suffix=".tmp", dir=out.parent))
    old = None
    try:
        if records:
            with _fingerprint_streamed():
                ds = _dataset(records)
            ds.save_to_disk(str(tmp))
        else:  # save_to_disk wrote no data file for no rows, which load_from_disk fails on: one empty shard, typed
            empty = _empty_hf_features(kind)
            datasets.Dataset.from_dict({k: [] for k in empty}, features=empty).save_to_disk(str(tmp), num_shards=1)
        (tmp / HF_MARKER).write_text(json.dumps({"format": "hf", "kind": kind}) + "\n", encoding="utf-8")
        as_user_file(tmp, folder=True)
        if os.path.lexists(out):
            old = out.parent / f"{temp_prefix(out.name)}old-{os.getpid()}@{_host()}"
            os.replace(out, old)
        os.replace(tmp, out)
        fsync_dir(out.parent)
    finally:
        if old is not None and not os.path.lexists(out):  # stopped between the renames (Ctrl-C): the old one stays
            os.replace(old, out)
            old = None
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)


@contextlib.contextmanager
def _fingerprint_streamed():
    """``datasets`` fingerprints a new dataset by pickling its whole table into one bytes object and hashing it
    (~30 MB of an hf export's peak for 1,000 pairs after ~2,100 tokens): here the same pickle is hashed as it is
    written, so the fingerprint, and every byte the export writes, stays the same. Where the installed ``datasets``
    hashes otherwise (a probe's hash differs), it is left as it is."""
    try:
        import xxhash
        from datasets.fingerprint import Hasher
        from datasets.utils._dill import dump
    except ImportError:
        yield
        return
    own = Hasher.__dict__.get("hash")

    class Sink:
        def __init__(self) -> None:
            self.hashed = xxhash.xxh64()

        def write(self, data) -> int:
            self.hashed.update(data)
            return len(data)

    def streamed(cls, value: Any) -> str:
        sink = Sink()
        dump(value, sink)
        return sink.hashed.hexdigest()

    probe = {"ids": array("Q", range(300)).tobytes(), "text": "ptsfast"}
    if not isinstance(own, classmethod) or own.__func__(Hasher, probe) != streamed(Hasher, probe):
        yield
        return
    Hasher.hash = classmethod(streamed)
    try:
        yield
    finally:
        Hasher.hash = own


def _dataset(records: list[dict]):
    """The records as ``Dataset.from_list`` makes them, every record with every field (None where it has none, e.g.
    a resume's older ones; nested estimate dicts with None values are fine for Arrow), but the context ids that
    :func:`read_records` packed go to Arrow from their 8 bytes an id, never a Python int each (~36 bytes)."""
    import datasets

    fields = dict.fromkeys(k for r in records for k in r)
    columns = {k: _packed_column([r.get(k) for r in records]) for k in fields}
    return datasets.Dataset.from_dict({k: [plain(v) if isinstance(v, array) else v for v in col]
                                       if isinstance(col, list) else col for k, col in columns.items()})


def _packed_column(values: list) -> Any:
    """A column of packed ids as the Arrow list of int64 that ``datasets`` makes of their lists; ``values`` as they
    are where any is not packed (a list kept as read, a record without the field), where Arrow types their lists
    otherwise (no id at all: a list of nulls; past 2**31 ids: 64-bit offsets) or an id is beyond int64."""
    import numpy as np
    import pyarrow as pa

    if not values or not all(isinstance(v, array) and v.typecode == "Q" for v in values):
        return values
    flat = array("Q")
    offsets = [0]
    for v in values:
        flat.extend(v)
        offsets.append(len(flat))
    if not flat or len(flat) >= 2 ** 31:
        return values
    ids = np.frombuffer(flat, dtype=np.uint64)
    if int(ids.max()) >= 2 ** 63:
        return values
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(ids.view(np.int64)))


def _own_prefix(out: Path) -> str:
    """The start of the name of an export's temporary file or folder beside ``out``: ``.<name>.<pid>@<host>-``, so
    that one left by an export that was killed (no cleanup ran: kill -9, power lost) is known as a dead process's and
    removed by the next export to ``out`` (:func:`recover_interrupted`), while one an export running now writes is
    kept: on a file system shared by several machines, a process id is only this machine's to test."""
    return f"{temp_prefix(out.name)}{os.getpid()}@{_host()}-"


def _host() -> str:
    """This machine's name as it goes into a file name (letters, digits, ``.``, ``_`` and ``-``; at most 40)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())[:40] or "_"


def _alive(pid: int, host: str | None = None) -> bool:
    """Whether a process ``pid`` runs on machine ``host`` (None: an export of an earlier ptsfast, which named no
    machine, taken to be this one's); where that cannot be told (another machine's), it is taken to run."""
    if pid == os.getpid() or os.name != "posix" or (host is not None and host != _host()):
        return True  # os.kill(pid, 0) ends the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


Leftover = tuple[Path, int, "str | None"]


def _leftovers(out: Path) -> tuple[list[Leftover], list[Leftover]]:
    """What killed exports to ``out`` left beside it: the earlier ``hf`` export set aside between the two renames
    (``.<name>.old-<pid>@<host>``), and half-written temporary files or folders
    (``.<name>.<pid>@<host>-XXXXXXXX.tmp``); each with the id of the process that wrote it and its machine (None
    where an earlier ptsfast wrote it, naming none)."""
    prefix = temp_prefix(out.name)
    host = r"(?:@([A-Za-z0-9._-]{1,40}))?"
    aside = re.compile(re.escape(prefix) + r"old-(\d+)" + host)
    partial = re.compile(re.escape(prefix) + r"(\d+)" + host + r"-[a-z0-9_]{8}\.tmp")
    olds, tmps = [], []
    try:
        names = os.listdir(out.parent)
    except OSError:
        return [], []
    for name in names:
        for pattern, found in ((aside, olds), (partial, tmps)):
            m = pattern.fullmatch(name)
            if m:
                found.append((out.parent / name, int(m.group(1)), m.group(2)))
    return olds, tmps


def _is_hf_export(path: Path) -> bool:
    """A folder that holds an ``hf`` export and nothing else (what an export may remove or move back)."""
    return not path.is_symlink() and path.is_dir() and str(_existing_kind(path)[0]).startswith("hf:")


def recover_interrupted(out: Path) -> None:
    """Undo what an export to ``out`` that was killed left (no ``finally`` ran): the earlier ``hf`` export it had
    set aside before moving the new one in is moved back where ``out`` is missing (else an export without
    ``--force`` wrote over a path whose finished export was hidden, another run's included, and the hidden one
    stayed for good), removed where ``out`` holds the same export again; half-written temporary files and folders
    of dead processes are removed. Each step is said. What an export on another machine left (a run folder's
    exports on a shared file system) is kept, as its process cannot be tested from here: said, and an earlier
    ``hf`` export it set aside where ``out`` is missing is an :class:`ExportError` naming it."""
    real = Path(os.path.realpath(out))
    olds, tmps = _leftovers(real)
    for tmp, pid, host in tmps:
        try:
            if _alive(pid, host) or (tmp.is_dir() and not all(_hf_export_file(e) for e in tmp.iterdir())):
                if host is not None and host != _host():
                    log.warning("kept %s: an export to %s on the machine %s (process %d) is writing it, or was "
                                "killed there before it finished - remove it once no export to that path runs "
                                "there", tmp, out, host, pid)
                continue
            shutil.rmtree(tmp) if tmp.is_dir() and not tmp.is_symlink() else tmp.unlink()
            log.warning("removed %s: a half-written export to %s that was killed before it finished", tmp, out)
        except OSError as e:  # not ours to remove after all (another user's folder), or gone meanwhile
            log.warning("could not remove %s, a half-written export to %s (%s): remove it yourself", tmp, out, e)
    elsewhere = [(p, pid, host) for p, pid, host in olds if host not in (None, _host())]
    if elsewhere and not os.path.lexists(real):
        old, pid, host = elsewhere[0]
        raise ExportError(f"--out {out}: an hf export to it on the machine {host} (process {pid}) set the earlier "
                          f"export aside as {old} and has not put its own in place - it is running there now, or "
                          f"was killed there; once no export to that path runs there, move {old.name} back to "
                          f"{real.name} (or delete it), then rerun")
    for old, pid, host in elsewhere:
        log.warning("kept %s: the earlier hf export at %s, which an export on the machine %s (process %d) replaced and "
                    "is removing, or was killed there before it did - delete it once no export to that path runs "
                    "there", old, out, host, pid)
    try:
        olds = sorted(((p, pid) for p, pid, host in olds if not _alive(pid, host)),
                      key=lambda e: e[0].lstat().st_ctime)
    except OSError:  # one was removed meanwhile (by another export to the same path)
        return
    for old, pid in reversed(olds):
        try:
            _put_back(old, pid, real, out)
        except OSError as e:
            log.warning("could not move back or remove %s, an earlier hf export that an export to %s set aside (it "
                        "was killed, process %d) (%s): move it back over %s yourself, or delete it", old, out, pid, e,
                        out)


def _put_back(old: Path, pid: int, real: Path, out: Path) -> None:
    """One earlier ``hf`` export set aside at ``old`` (:func:`recover_interrupted`)."""
    if not _is_hf_export(old):
        log.warning("%s is not an hf export as ptsfast writes one (it holds other files): left as it is - move it "
                    "away if it is not yours", old)
    elif not os.path.lexists(real):
        os.replace(old, real)
        fsync_dir(real.parent)
        log.warning("moved the earlier hf export at %s back from %s, where an export to it that was killed between "
                    "its two renames (process %d) had set it aside", out, old.name, pid)
    elif _is_hf_export(real) and _existing_kind(old) == _existing_kind(real):
        shutil.rmtree(old)
        log.warning("removed %s: the earlier copy of the hf export at %s, which an export that was killed after "
                    "replacing it (process %d) had not removed yet", old, out, pid)
    else:
        log.warning("%s holds an earlier hf export that an export to %s set aside and did not put back (it was "
                    "killed, process %d), and %s holds another export now: it is left as it is - move it to a path "
                    "of its own, or delete it if it is not needed", old, out, pid, out)


def _empty_hf_features(kind: str):
    """The columns an ``hf`` export of no records holds: the fields every record of ``kind`` has, typed as the
    records type them, so that it loads as a dataset of no rows with the kind's columns."""
    import datasets

    text, count, p, ids = (datasets.Value("string"), datasets.Value("int64"), datasets.Value("float64"),
                           datasets.Sequence(datasets.Value("int64")))
    fields = {"pairs": {"prompt": text, "chosen": text, "rejected": text, "prompt_ids": ids, "chosen_ids": ids,
                        "rejected_ids": ids, "problem_id": text, "position": count, "direction": text,
                        "p_chosen": p, "p_rejected": p, "delta": p},
              "pivots": {"problem_id": text, "position": count, "token_id": count, "token": text, "prefix_ids": ids,
                         "p_before": p, "p_after": p, "delta": p, "direction": text}}[kind]
    return datasets.Features(fields)


# --------------------------------------------------------------------------- export

def _number(x: Any) -> Any:
    """A numpy or torch scalar (np.float32, a 0-d tensor: a threshold computed with them) as the Python float it
    is; anything else as given, for the caller to refuse."""
    if isinstance(x, (bool, int, float, str, bytes)) or not callable(getattr(x, "__float__", None)):
        return x
    if getattr(x, "ndim", 0) != 0:  # an array of thresholds is none
        return x
    try:
        return float(x)
    except (TypeError, ValueError):
        return x


def _model_arg(model: Any, fmt: str) -> Any:
    """``model`` as the exports read it: a path or Hub name, or a loaded ``(model, tokenizer)`` (a list of the two
    made a tuple); a model or tokenizer alone, or the pair swapped, is named (a model alone was taken for a path, a
    swapped pair failed deep in torch)."""
    if model is None or isinstance(model, (str, os.PathLike)):
        return model
    if isinstance(model, bytes):
        return os.fsdecode(model)

    def is_model(x):
        return callable(getattr(x, "parameters", None))

    def is_tokenizer(x):
        return callable(getattr(x, "decode", None)) and not is_model(x)

    pair = tuple(model) if isinstance(model, (tuple, list)) else None
    if pair is not None and len(pair) == 2:
        if is_tokenizer(pair[1]) and (fmt != "steering" or is_model(pair[0])):
            return pair
        if is_tokenizer(pair[0]) and is_model(pair[1]):
            raise TypeError(f"model=({type(pair[0]).__name__}, {type(pair[1]).__name__}): a loaded pair is "
                            f"(model, tokenizer), in that order - or pass the model's folder")
    what = (f"a {len(pair)}-item {type(model).__name__}" if pair is not None else
            f"a loaded model alone ({type(model).__name__})" if is_model(model) else
            f"a tokenizer alone ({type(model).__name__})" if is_tokenizer(model) else type(model).__name__)
    raise TypeError(f"model= takes the model's folder (or its Hub name) or a loaded (model, tokenizer) pair; got "
                    f"{what}")


def _checked_out(out: str | os.PathLike, source: RunSource, fmt: str, kind: str, force: bool,
                 keep_fields: bool = True) -> Path | None:
    """The output path, checked by the write rule and writable before any work; None for ``-``, standard output
    (as for other command-line tools)."""
    if not str(out).strip():
        raise ExportError("--out is empty: give the export's file path (or - for standard output)")
    if str(out) == "-":
        if fmt == "hf":
            raise ExportError("--out -: the hf format writes a datasets folder, not a stream - give a folder path")
        if sys.stdout is None:  # started with it closed (`>&-`): the first record failed with an AttributeError
            raise ExportError("--out -: standard output is closed - give a file path, or run with it open")
        return None
    check_name_lengths(out)  # before any look at it: a name that long fails them all
    outp = Path(out).expanduser()
    packed = outp.suffix.lower() in (".gz", ".bz2", ".xz", ".zst", ".zip")
    if packed and fmt != "hf" and not is_stream(outp):  # plain text under that name: a reader unpacking it fails
        raise ExportError(f"--out {out}: the {fmt} format writes plain JSONL, not a {outp.suffix} archive - drop "
                          f"{outp.suffix} from the path (and compress the file afterwards)")
    if not is_stream(outp):
        recover_interrupted(outp)  # before the write rule: it compares with the earlier export a killed one hid
    check_output(outp, source, fmt, kind, force, keep_fields)
    check_writable(outp)  # the file, or the hf folder, is written beside it first, then moved in
    return outp



def run_records(source: RunSource, kind: str, schema: str, packed: bool = True,
                confirmed_only: bool = False) -> list[dict]:
    """The records of ``source`` (``kind``: pairs or pivots, checked against ``schema``) as every reader of a run
    takes them, before any filter: in a run folder each held once and made as its run.json says, and a pair
    joined to its pivot (``_pivot``; None where it has none), whose verdict it takes; a pair whose sides are not its
    pivot's is refused. ``packed``: context ids held packed (:func:`read_records`)."""
    recs = read_records(source, schema, packed=packed)  # context ids packed till they are written
    if source.run_dir is not None:  # a loose file may join several runs' records (named by none)
        check_once(recs, source.file, "pair" if kind == "pairs" else "pivot")
        check_one_run(recs, source.file, source.info)
    if kind == "pairs":  # pair records carry no confirmation; their pivot does
        pivots = pivots_by_key(source)
        if source.run_dir is not None:  # pairs.jsonl of one run beside pivots.jsonl of another
            check_one_run([*recs, *pivots.values()], source.run_dir, source.info)
        overruled = 0
        for r in recs:
            pv = pivots.get(pivot_key(r))
            pv = _pivot_of(r, pv, source) if same_point(pv, r) else None
            if pv is not None:  # the pivot's verdict, never a pair's own field (a pair record carries none)
                overruled += "confirmed" in r and _state(r["confirmed"]) != _state(pv.get("confirmed"))
                r["confirmed"] = pv.get("confirmed")
            r["_pivot"] = pv
        if overruled:
            log.warning("%d pairs in %s carry a confirmed field other than their pivot's in %s (another tool wrote "
                        "it): a pair is kept or left out by its pivot's verdict, and carries it", overruled,
                        source.file, PIVOTS)
        unknown = sum(r["_pivot"] is None and "confirmed" not in r for r in recs)
        if confirmed_only and unknown:  # else dropped without a word: 0 pairs from a pairs.jsonl copied alone
            where = (source.run_dir or source.file.parent) / PIVOTS
            fix = ("restore it (or its pairs.jsonl) from a copy of the run: a pivot's record was removed or edited "
                   "(its context ids, problem or position)" if source.run_dir is not None and where.exists() else
                   "pass the run folder `ptsfast mine` wrote")
            raise ExportError(f"--confirmed-only: {unknown} of {len(recs)} pairs in {source.file} have no pivot in "
                              f"{where}{'' if where.exists() else ' (no such file)'}, and a pair's confirmation is "
                              f"its pivot's - {fix}")
    if confirmed_only and recs and all(r.get("confirmed") is None for r in recs):  # else 0 records, exit 0
        raise ExportError(f"--confirmed-only: no pivot of {source.run_dir or source.file} went through the "
                          f"confirmation (each one's confirmed is null: it was mined with --confirm 0 or "
                          f"--estimator-fixed-rollouts), so none is confirmed - drop --confirmed-only, or mine with "
                          f"--confirm to decide each pivot on fresh rollouts")
    return recs


def export(src: str | os.PathLike, out: str | os.PathLike, fmt: str = "trl", kind: str | None = None,
           direction: str | None = None, min_delta: float = 0.0, confirmed_only: bool = False,
           keep_fields: bool = True, force: bool = False, model: Any = None, layer: int | None = None,
           device: str | None = None, dtype: str | None = None, progress: bool = False) -> int:
    """Export pairs (or pivots) of a run to another format; returns the number of records written.

    ``src`` is a run folder (or one of its .jsonl files). ``fmt``: ``trl`` (JSONL with ``prompt``/``chosen``/
    ``rejected`` first, then the token ids and codelion's DPO ``metadata``; other fields kept unless
    ``keep_fields=False``, the text alone for TRL's text path, which leaves out pairs whose ``text_exact`` is false),
    ``jsonl`` (records as they are), ``hf`` (a datasets folder), ``pts`` (codelion/pts
    ``pivotal_tokens.jsonl`` records) or ``steering`` (codelion/pts steering vectors from decoder layer ``layer``
    of ``model``: a local model path, or a loaded ``(model, tokenizer)``; default: the run's model).
    ``kind`` is ``pairs`` or ``pivots`` (default pairs; pts and steering always export pivots).
    """
    src = path_arg("export", "src", src, "a run folder written by `ptsfast mine` (or `ptsfast anchors`) or one of "
                                         "its .jsonl files")
    out = path_arg("export", "out", out, "the export's file path (a folder for the hf format), or '-' for standard "
                                         "output")
    model = _model_arg(model, fmt)
    layer = layer_arg(layer)
    for name, value in (("confirmed_only", confirmed_only), ("keep_fields", keep_fields), ("force", force),
                        ("progress", progress)):  # a str from a config ('false', 'no') was true
        if not (isinstance(value, int) and value in (0, 1)):
            raise TypeError(f"export({name}={value!r:.40}): {name} is a switch, True or False; got "
                            f"{type(value).__name__}")
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    min_delta = _number(min_delta)
    # a Δp is a difference of two probabilities: above 1 (20 meant as percent) no record is kept, exit 0
    if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float)) or not 0 <= min_delta <= 1:
        raise ExportError(f"min_delta (--min-delta)={min_delta!r}: use a number >= 0 and <= 1, a Δp being a "
                          f"difference of two probabilities (0 keeps every record; 0.2 for 20%)")
    # a flag of another format would be dropped without a word (--device cuda on a machine without one, too)
    for flag, value, formats in (("--layer", layer, ("steering",)), ("--device", device, ("steering",)),
                                 ("--dtype", dtype, ("steering",)), ("--model", model, ("steering", "pts")),
                                 ("--confirmed-only", confirmed_only or None, FORMATS[:-1]),
                                 ("keep_fields=False", None if keep_fields else False, ("trl",))):
        if value is not None and fmt not in formats:
            raise ExportError(f"{flag} only applies to --format {' / '.join(formats)}; drop it for --format {fmt}")
    if fmt == "thought_anchors":
        return _export_thought_anchors(src, out, kind, direction, min_delta, force)
    if kind not in (None, "pairs", "pivots"):
        raise ExportError(f"kind {kind!r}: use 'pairs' or 'pivots'")
    if fmt in ("pts", "steering"):
        if kind == "pairs":
            raise ExportError(f"the {fmt} format holds pivots, not pairs; drop --kind pairs")
        kind = "pivots"
    kind = kind or "pairs"
    if fmt == "trl" and kind != "pairs":
        raise ExportError("the trl format holds DPO pairs; use kind 'pairs' (--kind pairs), or the jsonl format "
                          "for pivots")
    source = open_source(src, PAIRS if kind == "pairs" else PIVOTS)
    outp = _checked_out(out, source, fmt, kind, force, keep_fields)
    if source.run_dir is not None:
        warn_if_being_mined(source.run_dir, "the export")
    schema = "mined_pivots" if fmt in ("pts", "steering") else kind
    recs = run_records(source, kind, schema, packed=fmt != "steering", confirmed_only=confirmed_only)
    pairs_made = (((source.info.get("config") or {}).get("mining") or {}).get("pairs") or {}).get("enabled", True)
    if kind == "pairs" and not recs and pairs_made is False:  # else 0 pairs, exit 0
        raise ExportError(f"{source.run_dir or source.file} holds no pairs: it was mined with --no-pairs-enabled "
                          f"(pivots only) - export its pivots (--format pts, or --format jsonl --kind pivots)")
    kept = filter_records(recs, direction, min_delta, confirmed_only)
    if recs and not kept:  # else "exported 0 pairs" of a run that holds some, without a reason
        _said_of_none(recs, kind, source, confirmed_only, direction not in (None, "both") or bool(min_delta))
    recs = kept
    if fmt in ("pts", "steering"):
        recs = _measured(recs)
    if fmt in ("trl", "hf", "jsonl") and kind == "pairs":  # read by TRL as text in any of these
        _check_trl_version()
        warn_long_prompts(recs)
    if fmt == "trl":
        if not keep_fields:  # text alone is for TRL's text path, where a pair whose text is not exact is another
            exact = [r for r in recs if r.get("text_exact") is not False]
            if len(exact) < len(recs):
                log.warning("left out %d of %d pairs whose text tokenises to other ids than were mined (text_exact "
                            "false): as text they train as other pairs; export with the fields and train with "
                            "PivotDPOTrainer to keep them", len(recs) - len(exact), len(recs))
            recs = exact
        recs = [trl_record(r, r.get("_pivot"), source, keep_fields) for r in recs]
    elif fmt == "pts":
        pivot_of = {pivot_key(r): r for r in recs}
        run_pairs = pairs_by_pivot(source)
        if source.run_dir is not None:
            check_one_run([*recs, *run_pairs.values()], source.run_dir, source.info)
        pairs = {k: pr for k, pr in run_pairs.items()
                 if same_point(pivot_of.get(k), pr) and _pivot_of(pr, pivot_of[k], source) is not None}
        tokenizer = None
        if any(r.get("prefix_text") is None for r in recs) or model is not None:
            tokenizer = tokenizer_for(source, model)
            check_tokenizer(recs, tokenizer, source)
        said: Counter = Counter()  # what the records written tell (_said_of_pts), counted as each one is made

        def made(r: dict) -> dict:
            # what a re-estimate of a pivot needs beside its ids and sampler: where the prompt ends (the oracle
            # judges the text after it) and whether the prompt opened a <think> trace, as the pivot record says
            rec = pts_record(r, source, pairs.get(pivot_key(r)), tokenizer) | {
                k: r[k] for k in ("prompt_len", "think_open") if k in r}
            said["against"] += pivot_key(r) in pairs and "rejected_token" not in rec
            said["alike"] += rec.get("rejected_token") is not None and rec["rejected_token"] == rec["pivot_token"]
            return rec
    elif fmt == "steering":
        if not recs:
            raise ExportError(f"no pivots to export from {source.file} (after filters); nothing to compute")
        m, tok = model_for(source, model, device, dtype, layer)
        check_tokenizer(recs, tok, source)
        lowering = sum(r["direction"] == "lowers" for r in recs)
        recs = steering_records(recs, source, m, layer, tokenizer=tok, progress=progress)
        if lowering:  # optillm's autothink loader keeps no is_positive, so every vector it matches is added
            log.warning("%d of %d steering records are lowering pivots (cluster 1, lowers_success): optillm's "
                        "steering reader adds every vector it matches (it keeps no is_positive), so theirs push "
                        "generation towards the tokens that lower p - export with --direction raises for optillm",
                        lowering, len(recs))
    run = source.run_id() if fmt != "trl" or keep_fields else None  # the text alone is compared by its text
    if fmt == "pts":  # each record made as it is written (its context text and ids), not all held at once
        _write_jsonl(outp, (_named(run, made(r)) for r in recs), ascii_only=True)
        _said_of_pts(said)
        source.warn_unmatched()
        log.info("exported %d %s to %s (%s)", len(recs), kind, outp, fmt)
        return len(recs)
    if fmt == "steering":  # a vector a record: each written as it is made (steering.Built), not all held at once
        _write_jsonl(outp, (_named(run, r) for r in recs), ascii_only=True)
        log.info("exported %d %s to %s (%s)", len(recs), kind, outp, fmt)
        return len(recs)
    recs = [_named(run, {k: v for k, v in r.items() if k != "_pivot"}) for r in recs]
    if fmt == "hf":
        for r in recs:  # a run begun before the three states (true, false) and resumed since holds both spellings
            if isinstance(r.get("confirmed"), bool):
                r["confirmed"] = "confirmed" if r["confirmed"] else "refuted"
        # the hf format is Arrow, one type a field: a record another tool rewrote is named, not pyarrow's error
        check_one_kind(recs, source.file, "the hf format (Arrow)", "restore the file, or export --format jsonl")
        _write_hf(outp, recs, kind)
    else:
        _write_jsonl(outp, recs, ascii_only=fmt in CODELION_FORMATS)
    source.warn_unmatched()
    log.info("exported %d %s to %s (%s)", len(recs), kind, outp, fmt)
    return len(recs)


def _said_of_none(recs: list[dict], kind: str, source: RunSource, confirmed_only: bool, filtered: bool) -> None:
    """Why none of a run's records is exported: their pivots' verdicts (a refuted pivot's are never exported, an
    undecided one's not with --confirmed-only) and the filters given."""
    states = Counter(_state(r.get("confirmed")) for r in recs)
    why = [f"{states['refuted']} refuted on fresh rollouts (a refuted pivot and its pair are never exported)"] \
        if states["refuted"] else []
    if confirmed_only and len(recs) > states["refuted"] + states["confirmed"]:
        why.append(f"{len(recs) - states['refuted'] - states['confirmed']} not confirmed (--confirmed-only keeps "
                   f"confirmed pivots and their pairs alone)")
    if filtered:
        why.append("the rest left out by --direction / --min-delta")
    log.warning("none of the %d %s of %s is exported: %s", len(recs), kind, source.run_dir or source.file,
                "; ".join(why) or "left out by the filters given")


def _said_of_pts(said: Counter) -> None:
    """What a pts export's records leave to codelion's DPO export, counted as they were written."""
    if said["against"]:
        log.warning("%d pivots (undecided) report a Δp against their direction: their records carry no "
                    "rejected_token, as codelion's DPO export would train their pairs the other way round; "
                    "their pairs are in the trl export", said["against"])
    if said["alike"]:  # codelion's DPO export keeps a pair only where rejected_token != pivot_token
        log.warning("%d pivots' rejected_token reads as the same text as their pivot_token (two token ids, one "
                    "text: parts of characters): codelion's DPO export skips such a pair without a word; train "
                    "on their pairs from the trl export with PivotDPOTrainer, which feeds the ids", said["alike"])


def _pivot_of(pair: Mapping, pivot: Mapping, source: RunSource) -> Mapping | None:
    """``pivot`` where ``pair`` is its pair (:func:`pair_side_error`); in a run folder, a pair at its pivot's point
    that is not is an :class:`ExportError` (its sides were swapped, or its file edited): exported, it trained the
    opposite preference, or codelion's record took it for a pair against its direction. Beside a loose file (a
    folder that may hold another run's pivots at the same points) it is no pivot of the pair: None."""
    wrong = pair_side_error(pivot, pair)
    if wrong is None:
        return pivot
    if source.run_dir is None:
        return None
    raise ExportError(f"{(source.run_dir or source.file.parent) / PAIRS}: the pair of problem "
                      f"{pair.get('problem_id')!r:.40} (trajectory {pair.get('trajectory')!r:.40}, position "
                      f"{pair.get('position')}) is not its pivot's in {PIVOTS}: {wrong} - its sides were swapped or "
                      f"the file edited; restore it from a copy of the run")


def _state(confirmed: Any) -> Any:
    """A confirmation as the three states name it (runs before them wrote true and false)."""
    return {True: "confirmed", False: "refuted"}.get(confirmed, confirmed) if isinstance(confirmed, bool) \
        else confirmed


def _named(run: str | None, rec: dict) -> dict:
    """An exported record with the name of its run (:meth:`RunSource.run_id`), which the write rule compares: runs
    that differ in a setting their records do not name (the gap) replaced each other's exports. A record that names
    its run already (of an export read back) keeps it."""
    return rec if run is None or "run_id" in rec else rec | {"run_id": run}


def _check_trl_version() -> None:
    """Warns where the TRL installed here reads a text pair otherwise than ``text_exact`` says: before 0.29 its
    DPOTrainer tokenised the prompt and each completion apart, without the BOS (TRL's tokenize_row), and 0.29 and
    later, which ``text_exact`` follows, tokenise ``prompt + completion`` whole, the BOS added."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("trl")
    except PackageNotFoundError:
        return
    parts = [int("".join(c for c in p if c.isdigit()) or 0) for p in installed.split(".")[:2]]
    if tuple(parts) < (0, 29):
        log.warning("trl %s is installed: TRL before 0.29 tokenises a pair's prompt and each side apart, without "
                    "the BOS, so a pair's text_exact (TRL 0.29's tokenisation of the whole text) does not hold "
                    "there and its text trains other ids than were mined - pip install -U 'trl>=0.29', or train "
                    "on the ids with PivotDPOTrainer", installed)


def _measured(pivots: list[dict]) -> list[dict]:
    """The pivots whose p before and after are known: codelion's records carry both and their difference, which its
    readers take as a number (its filter's abs(prob_delta)); a p written null (unknown) measured no pivot, and is
    left out, said once (a p that is no number was refused as the records were read: source.check_record)."""
    kept, unknown = [], {}
    for r in pivots:
        missing = [k for k in ("p_before", "p_after") if r[k] is None]
        for k in missing:
            unknown[k] = unknown.get(k, 0) + 1
        if not missing:
            kept.append(r)
    if len(kept) < len(pivots):
        log.warning("left out %d of %d pivots whose %s is null (unknown): codelion's records need both p and their "
                    "difference", len(pivots) - len(kept), len(pivots), " or ".join(sorted(unknown)))
    return kept


def _export_thought_anchors(src, out, kind: str | None, direction: str | None, min_delta: float, force: bool) -> int:
    """Sentences of a ``ptsfast anchors`` run as codelion ``ThoughtAnchor`` records (``kind``: anchors, the
    default, or sentences: every sentence)."""
    from ptsfast.outputs.thought_anchors import keep, measured, thought_anchor_record

    if kind not in (None, "anchors", "sentences"):
        raise ExportError(f"the thought_anchors format holds sentences; use --kind anchors (default) or sentences, "
                          f"not {kind!r}")
    if direction not in (None, "raises", "lowers", "both"):
        raise ExportError(f"direction {direction!r}: use 'raises', 'lowers' or 'both'")
    kind = kind or "anchors"
    source = open_source(src, SENTENCES)
    outp = _checked_out(out, source, "thought_anchors", kind, force)
    if source.run_dir is not None:
        warn_if_being_mined(source.run_dir, "the export")
    recs = committed_records(source)
    if recs and "prob_with_sentence" in recs[0]:
        raise ExportError(f"{source.file} is already a thought_anchors export; pass the folder written by "
                          f"`ptsfast anchors --out`")
    if recs and ("sentence_id" not in recs[0] or "p_with" not in recs[0]):
        mined = _record_kind(recs[0]) in ("pairs", "pivots") or "trajectories" in recs[0]
        raise ExportError(f"{source.file} is not a sentences file of `ptsfast anchors`" +
                          (" but a `ptsfast mine` run's records: export its pivots with --format pts, its pairs with "
                           "--format trl" if mined else "; pass the folder `ptsfast anchors --out` wrote"))
    for r in recs:  # a p "0.5" another tool wrote ended the export in a TypeError
        check_record(r, "sentences", source.file)
    if source.run_dir is not None:  # each record is named as the run's
        check_one_run(recs, source.file, source.info)
    config = source.info.get("config") or {}
    stamp = timestamp(source.created())
    kept = [r for r in recs if keep(r, kind, direction, min_delta)]
    recs = [r for r in kept if measured(r)]
    if len(recs) < len(kept):
        log.warning("left out %d of %d sentences whose p with or without them is unknown (null: no rollout measured "
                    "it): codelion's readers compare and sort importance_score as a number", len(kept) - len(recs),
                    len(kept))
    out_recs, run = [], source.run_id()
    for r in recs:
        problem = source.problem_of(r)
        trace = next((t.get("text") for t in problem.get("trajectories") or []
                      if str(t.get("key")) == str(r.get("trajectory"))), None)
        try:
            rec = thought_anchor_record(r, query=problem.get("question"), trace=trace,
                                        task_type=task_type(r.get("oracle") or config.get("oracle")),
                                        model_id=r.get("model") or source.model_name(),
                                        dataset_id=problem.get("dataset") or source.info.get("dataset"),
                                        timestamp=stamp, problem=problem)
        except ValueError as e:  # contexts that cannot be read: refused before anything is written
            raise ExportError(f"{source.file}: {e}") from None
        out_recs.append(rec | judged_fields(problem))
        out_recs[-1] = _named(run, out_recs[-1])
    seen = Counter((r["model_id"], r["query"], r["sentence_id"], r["sentence"]) for r in out_recs)
    alike = sum(n - 1 for n in seen.values() if n > 1)
    if alike:  # codelion's records name no trajectory: these four are all that tells its anchors apart
        log.warning("%d thought anchors share model_id, query, sentence_id and sentence with another (the same "
                    "sentence at the same place in another trajectory of its problem): codelion/pts's records name "
                    "no trajectory, so its readers take them for one anchor measured twice (its visualizer draws "
                    "one node per query and sentence_id, with the last record's values) - split the file by its "
                    "trajectory field to keep them apart there", alike)
    places = Counter((r["dataset_id"], r["dataset_item_id"], r["sentence_id"]) for r in out_recs)
    shared = sum(n - 1 for n in places.values() if n > 1)
    if shared:  # codelion's readers take a problem to have one trace: its sentences are known by their place in it
        log.warning("%d thought anchors share dataset_id, dataset_item_id and sentence_id with another (sentences at "
                    "the same place in two trajectories of a problem): codelion/pts's inference export names each "
                    "'<dataset_id>_<dataset_item_id>_<sentence_id>' and its visualizer draws one node per query and "
                    "sentence_id, so the trajectories' sentences are taken for one another there - split the file by "
                    "its trajectory field (one trajectory of a problem a file) before reading it with codelion/pts",
                    shared)
    _write_jsonl(outp, out_recs, ascii_only=True)
    log.info("exported %d %s to %s (thought_anchors)", len(out_recs), kind, outp)
    return len(out_recs)
