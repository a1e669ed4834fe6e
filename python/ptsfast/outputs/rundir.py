"""Run outputs: an append-only, crash-safe, resumable writer and the record builders.

Layout of an output directory::

    run.json        config / model / seed of the run and a fingerprint of its inputs (model weights, tokenizer,
                    oracle): a rerun with another config or other inputs is refused, naming the difference
    pivots.jsonl    one line per pivot
    pairs.jsonl     one line per DPO pair (TRL ``prompt``/``chosen``/``rejected`` + token ids)
    problems.jsonl  one line per finished problem (trajectories, p along the solution, counts)
    sentences.jsonl (``ptsfast anchors`` runs, instead of pivots and pairs) one line per sentence, its importance
    done.jsonl      one marker per finished problem: its id, its content hash and the byte size of each file after it

Durability protocol (why a rerun never duplicates or loses a record): all records of one problem
are appended and fsync'ed, and only then is its marker appended and fsync'ed. On open, the
last marker gives the committed size of every file; anything after it (a partly written problem, a
torn last marker without its newline) is truncated and that problem is simply redone. A damaged marker
that is not that torn last line, or records of more than one problem after the last marker (lost markers, not a
crash), is an error naming the way out: committed work is never dropped.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as _dt
import errno
import fcntl
import functools
import json
import logging
import math
import os
import re
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PIVOTS, PAIRS, PROBLEMS, DONE, RUN = "pivots.jsonl", "pairs.jsonl", "problems.jsonl", "done.jsonl", "run.json"
DATA_FILES = (PIVOTS, PAIRS, PROBLEMS)
SENTENCES = "sentences.jsonl"
SUMMARY = "summary.json"
RUN_FILES = (RUN, DONE, PIVOTS, PAIRS, PROBLEMS, SENTENCES, SUMMARY, "report.html", "report.png")
"""Every file a run (and its default report) writes in its folder: an input must never be one of them."""
"""A thought-anchors run (``ptsfast anchors``): one line per sentence of each trajectory, with its importance."""
ANCHOR_FILES = (SENTENCES, PROBLEMS)
FORMAT_VERSION = 1
# how a resume names each input of ``run.json`` that differs (the inputs are
# :func:`ptsfast.pipeline.identity.run_inputs`)
INPUT_LABELS = {"model_path": "model folder", "model_weights": "model weights/config (files of the model folder)",
                "tokenizer": "tokenizer (vocabulary, special tokens, chat template)", "oracle": "oracle",
                "model_files": "model weights/config (files of the model folder)",
                "dtype": "the weights' dtype (--dtype)"}


def _files_changed(was: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    """The files of a model folder that differ between two runs, by name: changed, added, removed."""
    parts = [(what, sorted(names)) for what, names in (
        ("changed", [n for n in was if n in now and was[n] != now[n]]), ("added", [n for n in now if n not in was]),
        ("removed", [n for n in was if n not in now])) if names]
    shown = "; ".join(f"{what} {', '.join(names[:5])}" + (f" and {len(names) - 5} more" if len(names) > 5 else "")
                      for what, names in parts)
    return f"{INPUT_LABELS['model_files']}: {shown}"


PYTHON_CALLER: contextvars.ContextVar[bool | None] = contextvars.ContextVar("ptsfast_python_caller", default=None)
"""Whether the run folder was named through the Python API (``out_dir``, ``overwrite=True``) rather than the command
line (``--out``, ``--overwrite``); None where nobody said (the command line's words)."""


@contextlib.contextmanager
def named_by(python: bool) -> Iterator[None]:
    """Within it, a :class:`RunDirError` names the run folder's arguments as the caller wrote them: the Python API's
    (``python=True``) or the command line's. The first to say wins (the command line calls the API's ``mine``)."""
    token = PYTHON_CALLER.set(python) if PYTHON_CALLER.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            PYTHON_CALLER.reset(token)


_FLAG = re.compile(r"(?<![\w/.-])(?:\(--out (?P<path>[^)]+)\)|--out(?![\w-])|--overwrite(?![\w-]))")


def _python_words(m: re.Match) -> str:
    if m.group("path") is not None:
        return f"(out_dir={m.group('path')!r})"
    return "out_dir" if m.group(0) == "--out" else "overwrite=True"


class RunDirError(RuntimeError):
    """The output directory cannot be used as asked (other config, locked, damaged). Its messages are written in the
    command line's words; one raised for a Python API caller (:func:`named_by`) names its arguments instead."""

    def __init__(self, message: str = "", *args: Any) -> None:
        if PYTHON_CALLER.get() and isinstance(message, str):
            message = _FLAG.sub(_python_words, message)
        super().__init__(message, *args)


def read_run_info(path: Path, way_out: str, elsewhere: str) -> dict:
    """``run.json`` read and checked to be ptsfast's (an object with ``format_version`` and a ``config`` object):
    a resume, ``--overwrite`` and an export trust nothing else. One :class:`RunDirError` naming the file
    otherwise, ending with ``way_out`` (damaged) or ``elsewhere`` (another tool's)."""
    try:
        info = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise RunDirError(f"{path} is damaged (not UTF-8 text); {way_out}") from None
    except json.JSONDecodeError as e:
        raise RunDirError(f"{path} is damaged ({e.msg}); {way_out}") from None
    except OSError as e:
        raise RunDirError(f"{path} cannot be read ({e.strerror or e}); {way_out}") from None
    if not isinstance(info, dict) or "format_version" not in info or "config" not in info:
        raise RunDirError(f"{path} is not a ptsfast run's (no format_version/config): the folder holds another "
                          f"tool's files, which ptsfast never deletes or overwrites; {elsewhere}")
    for key in ("config", "inputs"):
        if key in info and not isinstance(info[key], dict):
            raise RunDirError(f"{path} is damaged (its {key} is a JSON {type(info[key]).__name__}, not an object); "
                              f"{way_out}")
    version = info["format_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RunDirError(f"{path} is damaged (its format_version is {version!r}, not a number >= 1); {way_out}")
    return info


DISCARDING = "discarding"
"""The key ``--overwrite`` sets in the ``run.json`` of the run it is deleting, before it deletes anything."""


def discarding(info: Mapping[str, Any]) -> bool:
    """Whether a run's ``run.json`` (read) is of a run an ``--overwrite`` began to delete: half deleted, it is no run
    to resume or read, and the next run into its folder deletes the rest."""
    return info.get(DISCARDING) is True


def check_format(info: Mapping[str, Any], path: Path, way_out: str) -> None:
    """A run of a newer format than this ptsfast writes is refused (resumed, its records would be of two formats;
    read, its fields may mean other things), naming both and ending with ``way_out``."""
    version = info["format_version"]
    if version > FORMAT_VERSION:
        by = f" by ptsfast {info['ptsfast']}" if isinstance(info.get("ptsfast"), str) else ""
        raise RunDirError(f"{path} is of run format {version}, written{by}; this ptsfast, {ptsfast_build()}, knows "
                          f"format {FORMAT_VERSION} at most - {way_out}")


@functools.lru_cache(maxsize=1)
def ptsfast_build() -> str:
    """The ptsfast writing a run: its version, and its git commit when it runs from a checkout (the search changes
    between commits too). Recorded in ``run.json``, so a resume by another one is named."""
    from ptsfast import __version__

    root = Path(__file__).resolve().parents[3]
    if not (root / ".git").exists():
        return __version__
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__} (commit {commit})" if commit else __version__


def _same_source(a: Any, b: Any) -> bool:
    """Two dataset labels name the same problems: equal, or paths to the same file (spelt another way)."""
    if a == b:
        return True
    try:
        return isinstance(a, str) and isinstance(b, str) and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _jsonable(obj: Any) -> Any:
    """Plain JSON types (dataclasses/tuples/sets/non-finite floats handled) for stable records."""
    if hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    elif hasattr(obj, "__dataclass_fields__"):
        import dataclasses

        obj = dataclasses.asdict(obj)
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, str):
        return obj if obj.isascii() else _text(obj)
    if isinstance(obj, (int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "item"):  # numpy / torch scalars
        return _jsonable(obj.item())
    return _text(str(obj))


def _text(s: str) -> str:
    """``s`` as text UTF-8 can hold: a path whose name is not UTF-8 (Latin-1 bytes, read as lone surrogates) with
    those bytes written ``\\udcff``; records holding it (a problem's dataset) failed to encode, so the run stopped at
    its first problem on every resume."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
"""Characters JSON leaves unescaped at which str.splitlines() breaks a line (in a JSON text only inside strings,
where their escapes read back the same): a record holding one read as two halves that are no JSON. Run records
and exports translate their JSON text with it."""


def dumps(record: Any) -> str:
    """One JSONL line (sorted keys, UTF-8 kept) for a record, :data:`LINE_BREAKS` escaped: a record stays one line."""
    text = json.dumps(_jsonable(record), ensure_ascii=False, sort_keys=True, allow_nan=False)
    return text.translate(LINE_BREAKS) + "\n"


_MISSING = object()


def _flat(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _shown(v: Any) -> str:
    return "unset" if v is _MISSING else repr(v)


def _fresh(d: Path) -> str:
    """A folder name beside ``d`` that does not exist yet (what a refused resume suggests). ``--out .`` (or ``..``)
    is named by its real name: Path('.').with_name failed, and the refusal said only "PosixPath('.') has an empty
    name"."""
    if d.name in ("", ".", ".."):
        d = Path(os.path.abspath(d))
        if not d.name:  # the root folder: a folder in it
            d = d / "ptsfast-run"
    k = 2
    while d.with_name(f"{d.name}-{k}").exists():
        k += 1
    return str(d.with_name(f"{d.name}-{k}"))


def check_inputs_apart(out_dir: str | os.PathLike, inputs: Iterable[str | os.PathLike | None],
                       flag: str = "--out") -> None:
    """Refuse, before anything is written, an output folder where a run would write over one of its inputs (the
    problem file named ``problems.jsonl`` in ``--out .``, a run's records given as problems, a symlink to either):
    inputs and the run's files are compared by real path."""
    out = Path(out_dir).expanduser()
    targets = {os.path.realpath(out / name): name for name in RUN_FILES}
    for inp in inputs:
        if inp is None or not os.path.lexists(Path(inp).expanduser()):
            continue
        real = os.path.realpath(Path(inp).expanduser())
        if real in targets:
            raise RunDirError(f"{flag} {out_dir}: the run would write its {targets[real]} over the input {inp}; "
                              f"choose another {flag} (ptsfast never overwrites an input)")


def check_out_outside_data(out_dir: str | os.PathLike, problems: str | os.PathLike | None,
                           flag: str = "--out") -> None:
    """Refuse an output folder at or under the ``--problems`` folder (a dataset repository's): the run's .jsonl files
    became the dataset's data files, so the first run mined and every resume failed to read the dataset ('datasets
    could not read' it), its finished work never resumed. Compared by real path."""
    if problems is None or not os.path.isdir(Path(problems).expanduser()):
        return
    data = os.path.realpath(Path(problems).expanduser())
    if any(os.path.isfile(os.path.join(data, n)) for n in ("state.json", "dataset_dict.json")):
        return  # save_to_disk's folder: its files are listed in these, and other files beside them are never read
    out = os.path.realpath(Path(out_dir).expanduser())
    if out == data or out.startswith(data.rstrip(os.sep) + os.sep):
        where = "is" if out == data else "is inside"
        raise RunDirError(f"{flag} {out_dir} {where} the --problems folder {problems}: the run's .jsonl files would "
                          f"be read as the dataset's own data files when the run resumes; choose an {flag} outside "
                          f"it")


def is_stream(path: str | os.PathLike) -> bool:
    """``path`` (links followed) exists and is neither a regular file nor a folder: a device, pipe or socket
    (``/dev/stdout``, ``/dev/null``). Written into as it is, never replaced: a file moved over it would replace the
    device node or the link, which as root breaks the machine's ``/dev``."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def check_no_link_loop(path: str | os.PathLike, flag: str = "--out") -> None:
    """Refuse a path through a loop of symbolic links (a link to a link back to it), naming the link: such a path
    was read as a link to a folder that does not exist, a bare '[Errno 40] Too many levels of symbolic links', or
    a RuntimeError traceback where the export resolved it."""
    p = Path(os.path.abspath(Path(path).expanduser()))
    try:
        os.stat(p)
        return
    except OSError as e:
        if e.errno != errno.ELOOP:
            return
    q = Path(p.anchor)
    for part in p.parts[1:]:  # the first part that loops is the link to fix
        q = q / part
        try:
            os.stat(q)
        except OSError as e:
            if e.errno != errno.ELOOP:
                return
            raise ValueError(f"{flag} {path}: {q} is a link that leads back to itself (a loop of symbolic links); "
                             f"repoint or remove it, or pass another path") from None


def check_no_broken_link_above(path: str | os.PathLike, flag: str = "--out") -> None:
    """No folder above an output path is a link to nothing: a folder made there (``--out LINK/run``, LINK a link to
    a folder that was removed) failed with a bare '[Errno 17] File exists: LINK'. The path itself, a link, is the
    writers' to name."""
    for q in reversed(Path(path).expanduser().parents):
        if os.path.islink(q) and not q.exists():
            raise ValueError(f"{flag} {path}: {q} is a link to {os.path.realpath(q)}, which does not exist; create "
                             f"that folder or pass another path")


def check_writable(path: str | os.PathLike, flag: str = "--out", folder: bool = False) -> None:
    """Refuse, before any work, an output that cannot be written: ``path`` (a file, or with ``folder`` a folder
    to create or fill) must have a folder above it (the nearest existing one) where a file can be created. Tried
    with a temporary file, removed at once: permission bits do not tell root about a read-only or virtual file
    system, where the run's first write would fail after its work was done."""
    check_name_lengths(path, flag)
    check_no_link_loop(path, flag)
    check_no_broken_link_above(path, flag)
    p = Path(path).expanduser()
    target = Path(os.path.realpath(p))
    if folder and os.path.islink(p) and not target.exists():  # a folder is not made through a link
        raise ValueError(f"{flag} {path}: a link to {target}, which does not exist; create that folder or pass "
                         f"another path")
    if os.path.islink(p) and not target.exists() and not target.parent.is_dir():  # written through the link
        raise ValueError(f"{flag} {path}: a link to {target}, whose folder does not exist; create it or pass "
                         f"another path")
    if not folder and is_stream(p):
        if not os.access(p, os.W_OK):
            raise ValueError(f"{flag} {path}: cannot write to it (permission denied); pass a path you can write to")
        return
    parent = p if folder and p.is_dir() else p.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"{flag} {path}: {parent} is a file, so the {'folder' if folder else 'file'} cannot be "
                         f"created; pass another path")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as e:
        raise ValueError(f"{flag} {path}: cannot write in {parent} ({e.strerror or e}); pass a path you can write "
                         f"to") from e
    free = _free_bytes(parent)
    if free is not None and free < _MIN_FREE:  # an empty file takes no block: a full disk passed the test above
        # a run to resume keeps its finished problems only there: another disk's path starts it over
        fix = ("free some space, then rerun: the run there keeps its finished problems (a path on another disk starts "
               "it over)"
               if folder and os.path.lexists(p / RUN) else "free some space, or pass a path on another disk")
        raise ValueError(f"{flag} {path}: the disk holding {parent} is full ({free} bytes free); {fix}")


_MIN_FREE = 1 << 20
"""Free bytes below which an output's disk is full: a run's run.json and first problem, an export's first records."""


def _free_bytes(folder: Path) -> int | None:
    """Bytes this process may still write on ``folder``'s file system (root may use the blocks kept for it); None
    where unknown (a FUSE file system that reports no size at all)."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    if not st.f_blocks:
        return None
    return (st.f_bfree if hasattr(os, "geteuid") and os.geteuid() == 0 else st.f_bavail) * st.f_frsize


def check_name_lengths(path: str | os.PathLike, flag: str = "--out") -> None:
    """The names ``path`` would create fit the file system (its NAME_MAX and PATH_MAX): a run failed with 'File name
    too long' only once the model had loaded, naming no way out (and a name that long fails any look at it)."""
    p = Path(os.path.abspath(Path(path).expanduser()))
    parent = p
    while not os.path.isdir(parent) and parent != parent.parent:  # os.path's checks take any name
        parent = parent.parent
    try:
        name_max, path_max = os.pathconf(parent, "PC_NAME_MAX"), os.pathconf(parent, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no pathconf here
        return
    shown = f"{flag} {str(path)[:80]}{'...' if len(str(path)) > 80 else ''}"
    for name in p.parts[len(parent.parts):] if parent != p else ():
        size = len(os.fsencode(name))
        if size > name_max:
            raise ValueError(f"{shown}: the name {name[:40]!r}... is {size} bytes, more than the {name_max} this "
                             f"file system allows; choose a shorter name")
    size = len(os.fsencode(str(p)))
    if size >= path_max:
        raise ValueError(f"{shown}: the path is {size} bytes, more than the {path_max - 1} this system allows; "
                         f"choose a shorter path")


def check_run_files(out_dir: str | os.PathLike, data_files: Sequence[str] = DATA_FILES, overwrite: bool = False,
                    flag: str = "--out") -> None:
    """Refuse, before any work, a run folder where a file the run writes (or ``--overwrite`` deletes) is a folder, a
    device or a pipe: it failed with a bare ``[Errno 21] Is a directory`` once the model had loaded (a pipe hung
    the run). Nothing is touched, so whatever the folder holds is kept."""
    d = Path(out_dir).expanduser()
    written = (".lock", RUN, DONE, SUMMARY, *data_files)
    for name in dict.fromkeys((*written, *(RUN_FILES if overwrite else ()))):
        p = d / name
        if not p.exists() or p.is_file():
            continue
        what = "a folder" if p.is_dir() else "not a regular file (a device, pipe or socket)"
        role = f"the run writes its {name}" if name in written else f"--overwrite deletes the run's {name}"
        raise RunDirError(f"{p} is {what}, where {role}; move it out of the run folder (ptsfast never deletes what it "
                          f"did not write), or choose another {flag}")


_NO_LOCKS = (errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP)
"""What flock raises on a file system that has no locks (Lustre without its flock option, NFS without lockd)."""


def _held_elsewhere(out_dir: Path) -> RunDirError:
    return RunDirError(f"another ptsfast run is writing to {out_dir}; wait for it or use another --out")


def check_unlocked(out_dir: str | os.PathLike) -> None:
    """Refuse, before the model loads, a run folder whose lock another run holds: a second run into it loaded the
    model (minutes for a large one) before :class:`RunWriter` found the lock. The lock is tried and let go at once;
    a folder, or a lock file, that is not there or cannot be opened is left to the writer."""
    d = Path(out_dir).expanduser()
    # open for writing, as the writer opens it: over NFS flock is a POSIX lock, which refuses an exclusive lock on a
    # read-only descriptor (EBADF); a lock file that is a pipe is refused by check_run_files first, non-blocking here
    try:
        fd = os.open(d / ".lock", os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise _held_elsewhere(d) from None
    except OSError:  # a file system without locks: the writer says so
        pass
    finally:
        os.close(fd)  # closing it lets go of the lock


def being_mined(run_dir: str | os.PathLike) -> bool:
    """Whether a process holds the lock of the run in ``run_dir`` (it is still mining into it), as ``/proc/locks``
    says, without taking the lock: a reader that took it, however briefly, made a run starting there that instant
    refuse its folder as another run's. False where the system has no ``/proc/locks``."""
    try:
        st = os.stat(Path(run_dir).expanduser() / ".lock")
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            table = f.read()
    except OSError:
        return False
    lock = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    return any(lock in line.split() for line in table.splitlines())


def warn_if_being_mined(run_dir: str | os.PathLike, reader: str) -> None:
    """Says that a run is read while a process still mines into it: ``reader`` (an export, the report) holds the
    problems it finished so far, not those it will."""
    if being_mined(run_dir):
        log.warning("%s is still being mined (a process holds its lock): %s holds the %d problems it finished so far - "
                    "run it again once the run is done for the rest", run_dir, reader, finished_problems(Path(run_dir)))


def check_no_foreign_files(out_dir: str | os.PathLike, data_files: Sequence[str] = DATA_FILES) -> None:
    """Refuse a folder without ``run.json`` that holds files a run writes (a dataset's own problems.jsonl): no
    ptsfast run wrote them, since ``run.json`` is written before any record, and a run would replace them. Called
    before the model loads too: the writer found them only once it had."""
    d = Path(out_dir).expanduser()
    if os.path.lexists(d / RUN):
        return
    foreign = [n for n in dict.fromkeys((*data_files, DONE, SUMMARY)) if (d / n).exists() and (d / n).stat().st_size]
    if foreign:
        raise RunDirError(f"{d} holds {', '.join(foreign)} but no {RUN}: files no ptsfast run wrote there, which a run "
                          f"would replace; ptsfast never deletes or overwrites them (with or without --overwrite) - "
                          f"choose another --out")


def read_jsonl(path: str | os.PathLike) -> Iterator[dict]:
    """Records of a JSONL file; a torn last line (no newline) is ignored."""
    p = Path(path)
    if not p.exists():
        return
    with open(p, "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break
            if raw.strip():
                yield json.loads(raw)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def as_user_file(path: str | os.PathLike, folder: bool = False) -> None:
    """A temporary file or folder (created private by ``tempfile``) gets the permissions of any file the user
    creates: a training job under another account can read an export or a report when the umask allows it."""
    os.chmod(path, (0o777 if folder else 0o666) & ~_umask())


def temp_prefix(name: str) -> str:
    """``.<name>.``, the start of a temporary file's name beside ``name``, with ``name`` cut to 180 bytes: a name
    near the system's 255-byte limit (80 CJK characters) is one the user may write, and its temporary file with
    the random part and ``.tmp`` after it was not (an error naming a path nobody typed)."""
    return "." + name.encode("utf-8", "surrogateescape")[:180].decode("utf-8", "ignore") + "."


def write_atomic(path: str | os.PathLike, text: str | bytes) -> None:
    """Replace ``path`` (over the file a link names) with ``text`` all at once: written to a fresh temporary file
    beside it (never a name someone else's file may have), synced, renamed. A crash leaves the old file whole. A
    device or pipe (:func:`is_stream`) is written into: a file renamed over ``/dev/full`` replaced the device."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    given = Path(path).expanduser()
    if is_stream(given):
        with open(given, "wb") as f:
            f.write(data)
        return
    real = Path(os.path.realpath(given))
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(real.name), suffix=".tmp", dir=real.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        as_user_file(tmp)
        os.replace(tmp, real)
        fsync_dir(real.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic_together(files: Sequence[tuple[str | os.PathLike, str | bytes]]) -> None:
    """:func:`write_atomic` of several files that belong together (a report's page and its plot), all or none: every
    file is written to its temporary file and synced before any is renamed, so a full disk or a read-only file
    system that fails one write leaves every earlier file as it was (the page of one report beside the plot of
    another). The error names the file whose write failed (the system's names none)."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, text in files:
            data = text.encode("utf-8") if isinstance(text, str) else text
            real = Path(os.path.realpath(Path(path).expanduser()))
            try:
                fd, tmp = tempfile.mkstemp(prefix=temp_prefix(real.name), suffix=".tmp", dir=real.parent)
                temps.append((tmp, real))
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
            except OSError as e:
                if e.errno is None or e.filename is not None:
                    raise
                raise OSError(e.errno, e.strerror, str(path)) from None
            as_user_file(tmp)
        for tmp, real in temps:
            os.replace(tmp, real)
        for folder in dict.fromkeys(real.parent for _, real in temps):
            fsync_dir(folder)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def fsync_dir(path: Path) -> None:
    """Makes a rename or a new file in ``path`` durable (a no-op where folders cannot be opened, or synced: a FUSE or
    network file system answering a folder's fsync with EINVAL failed every run at its run.json, once renamed into
    place, and every export after it was written)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in _NO_DIR_SYNC:
            raise
    finally:
        os.close(fd)


_NO_DIR_SYNC = (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EBADF, errno.EACCES)
"""What fsync of a folder raises where a file system has no such sync (its files' own fsync still holds)."""


def finished_problems(folder: Path) -> int:
    """How many problems the run in ``folder`` committed (the lines of its markers file; 0 without one)."""
    try:
        with open(folder / DONE, "rb") as f:
            return sum(1 for raw in f if raw.endswith(b"\n"))
    except FileNotFoundError:
        return 0


def compare_config(folder: Path, old: Mapping[str, Any], new: Mapping[str, Any], neutral: Sequence[str] = (),
                   name_of: Callable[[str], str] | None = None) -> list[str]:
    """A resume compares exactly what changes results: a changed setting of ``neutral`` is accepted (returned,
    for the log); any other is refused, naming each setting (its flag), offering a new ``--out`` first and saying how
    many finished problems ``--overwrite`` would discard."""
    name_of = name_of or (lambda key: key)
    kinds = [("thought anchors (ptsfast anchors)" if c.get("mode") == "anchors" else "pivots (ptsfast mine)")
             for c in (old, new)]
    if kinds[0] != kinds[1]:  # not a list of every setting that differs: the folder holds another kind of run
        raise RunDirError(f"{folder} holds a run of {kinds[0]}, not of {kinds[1]}; give this run a folder of "
                          f"its own (--out {_fresh(folder)})")
    was, now = _flat(old), _flat(new)
    diff = [k for k in sorted(set(was) | set(now)) if was.get(k, _MISSING) != now.get(k, _MISSING)]
    if not diff:
        return []
    real = [k for k in diff if k.split(".")[0] not in neutral and k not in neutral]
    names = [name_of(k) for k in real]
    real = [k for i, k in enumerate(real) if names[i] not in names[:i]]  # a setting recorded twice, named once
    accepted = [f"resuming {folder} with {name_of(k)} {_shown(now.get(k, _MISSING))} (was "
                f"{_shown(was.get(k, _MISSING))}): it does not change results" for k in diff if k not in real]
    if real:
        what = "; ".join(f"{name_of(k)} was {_shown(was.get(k, _MISSING))}, now "
                         f"{_shown(now.get(k, _MISSING))}" for k in real[:5])
        what += f"; and {len(real) - 5} more" if len(real) > 5 else ""
        n = finished_problems(folder)
        lost = (f"to discard its {n} finished problem{'s' * (n != 1)}" if n else
                "to start afresh (it holds no finished problem, so nothing is lost)")
        raise RunDirError(f"{folder} holds a run made with other settings that change results ({what}); mine "
                          f"into a new folder (--out {_fresh(folder)}), or pass --overwrite {lost}")
    return accepted


def compare_inputs(folder: Path, old: Mapping[str, Any] | None, new: Mapping[str, Any],
                   legacy: Mapping[str, Any] | None = None) -> None:
    """Refuse a resume from other inputs than the run's (``legacy``: values of ``new`` as an earlier ptsfast
    recorded them, which match too), naming each, and the model folder's files that changed by name."""
    legacy = legacy or {}
    if old is None:
        raise RunDirError(f"{folder / RUN} was written by an older ptsfast, without a fingerprint of its inputs "
                          f"(and problems without ids were numbered by row then, not identified by content), so "
                          f"resuming could mix other inputs or mine problems twice; use another output directory, "
                          f"or --overwrite to start over")
    # None: not known where the run was opened (a Ray driver on a machine without the model folder, or a
    # mistyped path that failed before anything was mined): nothing to compare
    diff = [k for k in sorted(set(old) | set(new)) if k != "model_path" and k in old and k in new
            and old[k] is not None and new[k] is not None and old[k] != new[k]
            and not (k in legacy and old[k] == legacy[k])]
    if "model_files" in diff:  # the files that changed, named: the folder's hash said only that one had
        diff = [k for k in diff if k != "model_weights"]
    if diff:
        what = "; ".join(_files_changed(old[k], new[k]) if isinstance(old[k], dict) else
                         f"{INPUT_LABELS.get(k, k)}: was {old[k]!r}, now {new[k]!r}" for k in diff)
        raise RunDirError(f"{folder} holds a run made from other inputs ({what}); mine into a new folder "
                          f"(--out {_fresh(folder)}), or pass --overwrite to discard it")


def _differs(folder: Path, pid: str, problem: Any) -> str:
    """How ``problem`` differs from the record of problem ``pid`` in the run in ``folder``: its question or its
    answer, named with the flag of its column ('' when neither, or either is unknown). A resume that read another
    column was told of 'other problems under reused ids', to give them unique ids."""
    if problem is None or not (folder / PROBLEMS).is_file():
        return ""
    try:
        rec = next((r for r in read_jsonl(folder / PROBLEMS) if isinstance(r, dict)
                    and str(r.get("problem_id")) == pid), None)
    except (OSError, ValueError):
        return ""
    for field_, flag in (("question", "--question-field"), ("answer", "--answer-field")):
        if rec is None or field_ not in rec or not isinstance(getattr(problem, field_, None), (str, type(None))):
            continue
        was, now = rec[field_], getattr(problem, field_)
        if was != now:
            shown = [repr(v if not isinstance(v, str) or len(v) <= 60 else v[:57] + "...") for v in (was, now)]
            return (f"{pid!r} was mined with the {field_} {shown[0]}, which is {shown[1]} now (another {flag}, an "
                    f"edited dataset, or another one under the same ids?)")
    return ""


def check_resume(out_dir: str | os.PathLike, config: Mapping[str, Any], *, overwrite: bool = False,
                 neutral: Sequence[str] = (), name_of: Callable[[str], str] | None = None,
                 inputs: Mapping[str, Any] | None = None, legacy: Mapping[str, Any] | None = None,
                 hashes: Mapping[str, str] | None = None, data_files: Sequence[str] = DATA_FILES,
                 problems: Mapping[str, Any] | None = None) -> None:
    """The settings of a resume, the ``inputs`` known before the model loads (its folder's files), the committed
    records (:func:`read_committed`) and, given ``hashes`` (and ``problems``, by id), the problems' contents
    (:func:`check_problem_contents`),
    checked then: a new ``--seed``, a damaged done.jsonl or a question edited under its id were refused only once
    a large model had loaded. :class:`RunWriter` checks them again, with every input, as the final word. Nothing
    is written."""
    folder = Path(out_dir).expanduser()
    if overwrite and os.path.lexists(folder / RUN):  # the writer discards only a run.json that is ptsfast's
        read_run_info(folder / RUN, "restore it, or choose another --out", "choose another --out")
    if overwrite or not os.path.isfile(folder / RUN):
        return
    old = read_run_info(folder / RUN, "restore it, or choose another --out", "choose another --out")
    if discarding(old):  # an interrupted --overwrite's: the writer finishes discarding it
        return
    check_format(old, folder / RUN, "resume it with that ptsfast (or a later one), or mine into a new --out")
    compare_config(folder, old["config"], _jsonable(dict(config)), neutral, name_of)
    if inputs:
        compare_inputs(folder, old.get("inputs"), _jsonable(dict(inputs)), _jsonable(dict(legacy or {})))
    done = read_committed(folder, data_files)[0]
    if hashes is not None:
        check_problem_contents(folder, done, hashes, problems)


def check_problem_contents(folder: Path, done: Mapping[str, Mapping], hashes: Mapping[str, str],
                           problems: Mapping[str, Any] | None = None) -> None:
    """Refuse problems (``{id: content hash}``) whose id is ``done`` in the run in ``folder`` (its markers) but whose
    content differs, and problems done there under another id that no problem has now (another ``--id-field``):
    they would be mined again under new ids. ``problems`` (by id): the problems themselves, whose question or
    answer is compared with the run's record to name what differs."""
    bad = [pid for pid, h in hashes.items() if pid in done and done[pid].get("content") not in (None, h)]
    if bad:
        shown = ", ".join(repr(b) for b in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        differs = _differs(folder, bad[0], (problems or {}).get(bad[0]))
        if differs:  # another column read (or the dataset edited): the ids are right, and reusing them is no fix
            raise RunDirError(f"{folder} already holds problems with the ids {shown} but with other content: "
                              f"{differs} - resume with the data and the column flags the run was mined from, give "
                              f"other problems ids of their own, mine into a new --out, or rerun with --overwrite to "
                              f"discard the run")
        raise RunDirError(f"{folder} already holds problems with the ids {shown} but with other content "
                          f"(question/answer/tests); these are other problems under reused ids - give them "
                          f"unique ids, use another output directory, or --overwrite to discard the run")
    done_as = {m.get("content"): pid for pid, m in done.items() if pid not in hashes and m.get("content")}
    moved = [(done_as[h], pid) for pid, h in hashes.items() if pid not in done and h in done_as]
    if moved:
        more = f" (and {len(moved) - 1} more)" if len(moved) > 1 else ""
        raise RunDirError(f"{folder} holds problem {moved[0][0]!r}, which is {moved[0][1]!r} now{more}: the "
                          f"same problems under other ids (another --id-field?) would be mined twice - resume "
                          f"with the ids they were mined under, or mine into a new folder (--out "
                          f"{_fresh(folder)})")


def read_committed(folder: Path, data_files: Sequence[str]) -> tuple[dict[str, dict], dict[str, int], int, list]:
    """What the run in ``folder`` committed, read without changing a byte: ``(markers by problem id, line counts,
    the end of the last whole marker in done.jsonl, [(file, committed size, size on disk)])``. Raises what a
    resume cannot get past (a damaged marker, a file shorter than committed or changed, records of more than one
    problem after the last marker), before the model loads too (:func:`check_resume`)."""
    done_path = folder / DONE
    committed = {name: 0 for name in data_files}
    done: dict[str, dict] = {}
    counts = {name: 0 for name in data_files}
    good_end = 0
    if done_path.exists():
        with open(done_path, "rb") as f:
            pos = 0
            for n, raw in enumerate(f, 1):
                end = pos + len(raw)
                if not raw.endswith(b"\n"):
                    break  # the torn last marker of a crash mid-write: that problem was not committed
                try:
                    m = json.loads(raw)
                    sizes = {name: int(m["sizes"][name]) for name in data_files}
                    pid = str(m["problem_id"])
                    lines = {name: int(m.get("lines", {}).get(name, 0)) for name in data_files}
                except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError,
                        AttributeError) as e:
                    raise RunDirError(f"{done_path} line {n} is damaged ({type(e).__name__}: {e}); it is not the "
                                      f"torn last line a crash leaves, and dropping it would drop the problems "
                                      f"committed after it - restore the file, or rerun with --overwrite to "
                                      f"start over") from None
                if any(sizes[name] < committed[name] for name in data_files):
                    raise RunDirError(f"{done_path} line {n} gives smaller file sizes than the line before it; "
                                      f"the file was edited - restore it, or rerun with --overwrite")
                done[pid] = m
                committed = sizes
                counts = lines
                good_end = pos = end
    uncommitted: set[str] = set()  # the problems whose records follow the last marker
    files = []  # (path, committed size, size on disk)
    for name, size in committed.items():
        p = folder / name
        have = p.stat().st_size if p.exists() else 0
        files.append((p, size, have))
        if have < size:
            raise RunDirError(f"{p} is shorter ({have} bytes) than its committed size ({size}); the output was "
                              f"edited or lost - restore it, or rerun with --overwrite")
        if p.exists():
            uncommitted |= _check_ours(p, size, have, done)
    if len(uncommitted) > 1:  # problems are written one at a time: a crash leaves one problem's records at most
        shown = ", ".join(repr(i) for i in sorted(uncommitted)[:5])
        raise RunDirError(f"{folder} holds the records of {len(uncommitted)} problems ({shown}...) after its "
                          f"last marker in {done_path.name}; a crash leaves one at most, so the markers were "
                          f"lost or edited and resuming would delete finished work - restore {done_path.name}, "
                          f"or mine into a new --out (or rerun with --overwrite to discard them)")
    marked = sorted(uncommitted & set(done))
    if marked:  # a crash's records are of a problem without a marker; these are a finished problem's
        raise RunDirError(f"{folder} holds records of problem {marked[0]!r} after the sizes its marker in "
                          f"{done_path.name} commits, though that problem is done: the markers were edited, and "
                          f"resuming would delete its records and never mine it again - restore "
                          f"{done_path.name}, or mine into a new --out (or rerun with --overwrite)")
    return done, counts, good_end, files


def _check_ours(p: Path, size: int, have: int, done: Mapping[str, Any]) -> set[str]:
    """Refuse to resume into (and truncate) a file this run did not write: its committed part must end with a
    record of a ``done`` problem, and what follows it (a crash's partial write) must be records too. Returns the
    problem ids of those records."""
    def foreign(why: str) -> RunDirError:
        return RunDirError(f"{p} was changed since this run wrote it ({why}); resuming would truncate or append to "
                           f"a file that is not this run's - restore it, or mine into a new --out")

    with open(p, "rb") as f:
        if size:
            last = _last_line(f, size)
            if last is None:
                raise foreign(f"byte {size} is not the end of a record")
            try:
                rec = json.loads(last)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise foreign("its last committed line is not a record") from None
            if not isinstance(rec, dict) or ("problem_id" in rec and str(rec["problem_id"]) not in done):
                raise foreign("its last committed line is not a record of a problem done here")
        if have > size:
            f.seek(size)
            tail = f.read(min(have - size, 64 << 20))
            lines = tail.split(b"\n")
            # NUL bytes: a power loss kept the file's new size but not its data (a crash's tail, as a torn record)
            if not all(line.lstrip(b" \t\r\0").startswith(b"{") for line in lines if line.strip(b" \t\r\0")):
                raise foreign(f"the {have - size} bytes after its last committed record are not records")
            return {str(rec["problem_id"]) for rec in map(_record_or_none, lines)
                    if isinstance(rec, dict) and "problem_id" in rec}
    return set()


REPORT_MARKER = "ptsfast report"
"""What ``ptsfast report`` writes into its page (a generator meta tag) and its plot (PNG Software): how a report is
told apart from a file of someone else's, the only kind a report or ``--overwrite`` may replace."""
REPORT_HEAD = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>"


def is_ptsfast_report(path: Path, run_dir: Path) -> bool:
    """Whether an existing file is a report ptsfast wrote: its marker, or, from before the marker, a page of the
    report's head and legend or a Matplotlib plot named report.png in the run's folder. (Here, not in the report
    module, which imports this one: ``--overwrite`` discards only such a report with its run.)"""
    try:
        with open(path, "rb") as f:
            head = f.read(8192)
    except OSError:
        return False
    if REPORT_MARKER.encode() in head:
        return True
    if path.suffix == ".png":  # reports before the marker wrote report.png into the run folder only, beside their
        # page: a plot of the user's own made with Matplotlib (its name in every PNG it writes) was taken for one
        return path.name == "report.png" and path.parent.resolve() == run_dir.resolve() and \
            head.startswith(b"\x89PNG") and b"Matplotlib" in head and \
            is_ptsfast_report(path.with_name("report.html"), run_dir)
    text = head.decode("utf-8", errors="replace")
    return text.startswith(REPORT_HEAD) and "<p class='legend'>" in text


class RunWriter:
    """Append-only writer for one output directory; resumes where the last run stopped.

    Use as a context manager. ``done`` holds the ids of committed problems (skip them);
    ``write_problem`` commits one problem atomically with respect to crashes.
    """

    def __init__(self, out_dir: str | os.PathLike, config: Mapping[str, Any], overwrite: bool = False,
                 info: Mapping[str, Any] | None = None, inputs: Mapping[str, Any] | None = None,
                 data_files: Sequence[str] = DATA_FILES, neutral: Sequence[str] = (),
                 name_of: Callable[[str], str] | None = None, legacy: Mapping[str, Any] | None = None):
        """``inputs``: fingerprint of the run's inputs (:func:`ptsfast.pipeline.identity.run_inputs`); a resume must
        match it (``model_path`` is recorded, not compared: the same weights elsewhere are the same run);
        ``legacy``: values of it as an earlier ptsfast recorded them, which match too (a run made before resumes).
        ``data_files``: the record files of this kind of run (``ptsfast anchors`` writes sentences instead of pivots and
        pairs)."""
        self.data_files = tuple(data_files)
        self.neutral, self.name_of = tuple(neutral), name_of or (lambda key: key)
        self.legacy = _jsonable(dict(legacy or {}))
        self.dir = Path(out_dir).expanduser()
        self._overwrite = overwrite
        self.dir.mkdir(parents=True, exist_ok=True)
        check_run_files(self.dir, self.data_files, overwrite)
        made_lock = not os.path.lexists(self.dir / ".lock")
        self._lock = open(self.dir / ".lock", "a")  # never truncates: a file of that name is not ours to empty
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise _held_elsewhere(self.dir) from None
        except OSError as e:  # Lustre mounted without flock, NFS without a lock daemon: every run failed here
            if e.errno not in _NO_LOCKS:
                self._lock.close()
                raise
            log.warning("%s: its file system cannot lock files (%s), so a second run writing to it would not be "
                        "noticed - mine one run at a time into it", self.dir, e.strerror or e)
        try:
            self.config = _jsonable(dict(config))
            self.inputs = _jsonable(dict(inputs)) if inputs is not None else None
            self.dataset = _jsonable((info or {}).get("dataset"))  # as run.json records it
            if overwrite or self._discarding():
                self._clear()
            notes = self._check_run_json(info or {})
            self.done: dict[str, dict] = {}
            self.counts = {name: 0 for name in self.data_files}
            self._recover()
            for message in notes:  # logged once the folder is found usable (not before a refusal)
                log.warning("%s", message)
            self._files = {name: open(self.dir / name, "ab") for name in (*self.data_files, DONE)}
        except BaseException:
            if made_lock:  # a refused folder keeps nothing of ours
                (self.dir / ".lock").unlink(missing_ok=True)
            self._lock.close()
            raise

    # ------------------------------------------------------------------ setup
    def _run_info(self) -> dict:
        return read_run_info(self.dir / RUN, "restore it, or choose another --out", "choose another --out")

    def _discarding(self) -> bool:
        """Whether the folder's run is one an interrupted ``--overwrite`` was discarding (see :meth:`_clear`)."""
        return os.path.lexists(self.dir / RUN) and discarding(self._run_info())

    def _clear(self) -> None:
        """``--overwrite``: discards a run (its ``run.json`` is ptsfast's); files without one, or with another tool's
        ``run.json``, are not a run's and are never deleted (refused, naming why). ``run.json`` goes last, marked
        first as being discarded: an interrupted overwrite leaves a run that the next run, with or without
        --overwrite, discards (its records without their markers were refused as a damaged run)."""
        if not os.path.lexists(self.dir / RUN):
            return
        info = self._run_info()
        if not discarding(info):
            write_atomic(self.dir / RUN, json.dumps({**info, DISCARDING: True}, indent=1, sort_keys=True) + "\n")
        elif not self._overwrite:
            log.warning("%s: finishing the discard of the run an interrupted --overwrite began", self.dir)
        # a report.html of the user's own (their notes on the run) is no report ptsfast wrote: it stays (told apart
        # before any goes: an old plot is known by the page beside it)
        theirs = {n for n in RUN_FILES if n.startswith("report.") and (self.dir / n).exists()
                  and not is_ptsfast_report(self.dir / n, self.dir)}
        for name in dict.fromkeys((*RUN_FILES, *self.data_files)):  # another kind's too (anchors' sentences), and
            if name != RUN and name not in theirs:  # the discarded run's report: nothing of it may be read as new
                (self.dir / name).unlink(missing_ok=True)
        (self.dir / RUN).unlink()

    def _check_run_json(self, info: Mapping[str, Any]) -> list[str]:
        """Refuse a folder that holds another run or no run's files; returns what a resume changes and keeps."""
        path = self.dir / RUN
        if os.path.lexists(path):
            old = self._run_info()
            check_format(old, path, "resume it with that ptsfast (or a later one), or mine into a new --out")
            accepted = self._check_config(old["config"])
            self._check_inputs(old.get("inputs"))
            if old.get("ptsfast") != ptsfast_build():
                was = old.get("ptsfast") or "(version not recorded)"
                accepted.append(f"resuming {self.dir}, mined by ptsfast {was}, with ptsfast {ptsfast_build()}: its "
                                f"records may come from two versions of the search (mine into a new --out to keep "
                                f"them apart)")
            if self.dataset is not None and not _same_source(old.get("dataset"), self.dataset):
                accepted.append(f"resuming {self.dir}, mined from {old.get('dataset')}, with problems from "
                                f"{self.dataset}: each problem's record names its dataset")
            return accepted
        check_no_foreign_files(self.dir, self.data_files)
        body = {"format_version": FORMAT_VERSION, "ptsfast": ptsfast_build(), "config": self.config,
                **_jsonable(dict(info)),
                **({"inputs": self.inputs} if self.inputs is not None else {}),
                "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
        # a fresh temporary file, removed when the write fails (a full disk left an empty run.json.tmp behind)
        write_atomic(path, json.dumps(body, indent=1, sort_keys=True) + "\n")
        return []

    def _check_config(self, old: Mapping[str, Any]) -> list[str]:
        """A resume compares exactly what changes results (see :func:`compare_config`)."""
        return compare_config(self.dir, old, self.config, self.neutral, self.name_of)

    def _check_inputs(self, old: Mapping[str, Any] | None) -> None:
        if self.inputs is not None:
            compare_inputs(self.dir, old, self.inputs, self.legacy)

    def check_problems(self, hashes: Mapping[str, str], problems: Mapping[str, Any] | None = None) -> None:
        """Refuse problems whose id is done in this run but whose content (``{id: content hash}``) differs, and
        problems done here under another id that no problem has now (see :func:`check_problem_contents`)."""
        check_problem_contents(self.dir, self.done, hashes, problems)

    def _recover(self) -> None:
        """Load committed markers (:func:`read_committed`); truncate every file back to the last committed state."""
        done_path = self.dir / DONE
        self.done, self.counts, good_end, files = read_committed(self.dir, self.data_files)
        if done_path.exists() and done_path.stat().st_size > good_end:
            log.info("resume: dropping a torn marker at the end of %s", done_path)
            os.truncate(done_path, good_end)
        for p, size, have in files:
            if have > size:
                log.info("resume: truncating %d uncommitted bytes of %s", have - size, p)
                os.truncate(p, size)
        if self.done:
            log.info("resuming %s: %d problems already done", self.dir, len(self.done))

    # ------------------------------------------------------------------ writing
    def is_done(self, problem_id: Any) -> bool:
        return str(problem_id) in self.done

    def write_problem(self, problem_id: Any, pivots: Sequence[Mapping], pairs: Sequence[Mapping],
                      summary: Mapping, content: str | None = None) -> None:
        """Append all records of one problem, make them durable, then mark the problem done (``content``: the
        problem's content hash, checked by :meth:`check_problems` on a resume)."""
        self.write_records(problem_id, {PIVOTS: pivots, PAIRS: pairs, PROBLEMS: [summary]}, content)

    def write_records(self, problem_id: Any, records: Mapping[str, Sequence[Mapping]],
                      content: str | None = None) -> None:
        """:meth:`write_problem` for any kind of run: ``records`` by data file (the ``problems.jsonl`` summary
        gets the problem id); every data file is synced, then the marker is appended."""
        pid = str(problem_id)
        if pid in self.done:
            raise RunDirError(f"problem {pid!r} is already written in {self.dir}; skip done problems (writer.is_done)")
        unknown = set(records) - set(self.data_files)
        if unknown:
            raise ValueError(f"records for {sorted(unknown)}, which this run does not write ({self.data_files})")
        own = {"problem_id": pid, **({"dataset": self.dataset} if self.dataset is not None else {})}
        recs = {name: [{**r, **own} if name == PROBLEMS else r for r in records.get(name, ())]
                for name in self.data_files}
        for name in self.data_files:
            f = self._files[name]
            blob = "".join(dumps(r) for r in recs[name]).encode()
            if blob:
                f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        self.counts = {n: self.counts[n] + len(recs[n]) for n in self.data_files}
        marker = {"problem_id": pid, "sizes": {n: self._files[n].tell() for n in self.data_files},
                  "lines": dict(self.counts), **({"content": content} if content is not None else {})}
        f = self._files[DONE]
        f.write(dumps(marker).encode())
        f.flush()
        os.fsync(f.fileno())
        self.done[pid] = marker

    def close(self) -> None:
        """Closes every file and the lock, then raises the first close that failed (a full disk fails a buffered
        write's flush at close): stopping there left the other files and the run's lock open in a Python caller."""
        failed = None
        files, self._files = getattr(self, "_files", {}), {}
        for f in files.values():
            try:
                f.close()
            except OSError as e:
                failed = failed or e
        if not self._lock.closed:
            self._lock.close()
        if failed is not None:
            raise failed

    def __enter__(self) -> "RunWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _last_line(f, end: int, chunk: int = 1 << 20) -> bytes | None:
    """The line that ends at byte ``end`` of the binary file ``f`` (without its newline), however long (a problem's
    record holds every trajectory's tokens and text); None when byte ``end`` does not end a line."""
    f.seek(end - 1)
    if f.read(1) != b"\n":
        return None
    parts, pos = [], end - 1
    while pos > 0:
        start = max(0, pos - chunk)
        f.seek(start)
        block = f.read(pos - start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            parts.append(block[cut + 1:])
            break
        parts.append(block)
        pos = start
    return b"".join(reversed(parts))


def _record_or_none(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):  # the torn last line of a crash
        return None


# --------------------------------------------------------------------------- record builders

def token_texts(tokenizer, ids: Sequence[int], prefix: Sequence[int] = ()) -> list[str]:
    """Text each token adds when decoded after ``prefix`` (multi-byte characters stay whole).

    Decoding token by token would show replacement characters for UTF-8 split across tokens.
    """
    out, ctx = [], [int(t) for t in prefix[-8:]]
    prev = tokenizer.decode(ctx, skip_special_tokens=False)
    for t in ids:
        ctx.append(int(t))
        cur = tokenizer.decode(ctx, skip_special_tokens=False)
        if cur.endswith("\ufffd"):
            out.append("")  # an incomplete character: its text goes to the token that completes it
            continue
        out.append(cur[len(prev):] if cur.startswith(prev) else tokenizer.decode([int(t)], skip_special_tokens=False))
        prev = cur
        if len(ctx) > 64:
            ctx = ctx[-8:]
            prev = tokenizer.decode(ctx, skip_special_tokens=False)
    return out


def token_text(tokenizer, token: int, prefix: Sequence[int]) -> str:
    """The text ``token`` adds after ``prefix``: what ``prompt + chosen`` must concatenate to. Decoded alone, a
    token loses what its context gives it (SentencePiece tokenizers drop the leading space of a text's first
    token: Llama 2, Mistral, Gemma); a token that only starts a character keeps its own decoding."""
    text = token_texts(tokenizer, [int(token)], prefix)[0]
    return text if text else tokenizer.decode([int(token)], skip_special_tokens=False)


def _est(e: Any) -> dict | None:
    if e is None:
        return None
    d = _jsonable(e)
    return {k: d.get(k) for k in ("p", "successes", "trials", "lo", "hi", "exact")}


def _round_trips(tokenizer, text: str, ids: list[int], special: bool = False) -> bool:
    """Whether tokenising ``text`` (with the tokenizer's own special tokens, a BOS, where ``special``, as TRL's text
    path tokenises a prompt) gives back ``ids``: trained as text, a record that does not is another record."""
    return list(tokenizer(text, add_special_tokens=special)["input_ids"]) == ids


def pivot_record(pivot: Any, tokenizer, prompt_ids: Sequence[int], solution_ids: Sequence[int],
                 run: Mapping[str, Any]) -> dict:
    """A pivots.jsonl line from a search ``PivotRecord`` (``run``: model, sampler, seed, oracle).

    ``prefix_text`` is the decoded query (special tokens kept); ``prefix_text_exact`` says whether tokenising it
    gives back ``prefix_ids`` (it may not when the model sampled a non-canonical tokenisation).
    """
    d = _jsonable(pivot)
    i = int(d["position"])
    prefix = list(prompt_ids) + list(solution_ids[:i])
    before, after = _est(d["before"]), _est(d["after"])
    text = tokenizer.decode(prefix, skip_special_tokens=False)
    rec = {"problem_id": str(d["problem_id"]), "trajectory": d.get("key"), "position": i,
           "token_id": int(d["token_id"]), "token": token_text(tokenizer, d["token_id"], prefix),
           "prefix_ids": prefix, "prompt_len": len(prompt_ids), "prefix_text": text,
           "prefix_text_exact": _round_trips(tokenizer, text, prefix),
           "p_before": before["p"], "p_after": after["p"],
           "delta": None if before["p"] is None or after["p"] is None else after["p"] - before["p"],
           "delta_lo": d.get("delta_lo"), "delta_hi": d.get("delta_hi"),
           "before": before, "after": after, "direction": d["direction"], "confirmed": d.get("confirmed"),
           "confirm_before": _est(d.get("confirm_before")), "confirm_after": _est(d.get("confirm_after"))}
    rec.update(_jsonable(dict(run)))
    return rec


def pair_record(pair: Any, tokenizer, run: Mapping[str, Any]) -> dict:
    """A TRL-ready pairs.jsonl line from a search ``PairRecord``.

    ``prompt`` is the decoded query (chat template tokens kept as text, so TRL re-tokenises it to
    the same ids for usual tokenizers; without the BOS a tokenizer adds itself, which TRL's tokenisation adds
    again); ``chosen``/``rejected`` are single tokens. The exact ids are in ``prompt_ids``/``chosen_ids``/
    ``rejected_ids``. ``text_exact`` says whether ``prompt``, ``prompt + chosen`` and ``prompt + rejected`` tokenise
    back to those ids as TRL tokenises text, the tokenizer's own BOS added: trained as text (plain TRL), a pair
    that does not is another pair. Not where the model sampled a tokenisation other than the tokenizer's own (e.g.
    " app" + "les"), the prefix or a side ends inside a character, the tokenizer adds a BOS that a chat template
    without one left out of the prompt, or the prompt alone tokenises otherwise (TRL's completion starts where the
    two part: with GPT-2's pre-tokenizer a prompt ending in "\n\n" is one token alone, "\n" "\n" before a word).
    """
    d = _jsonable(pair)
    prefix = [int(t) for t in d["prefix_ids"]]
    ch, rj = _est(d["chosen"]), _est(d["rejected"])
    bos = getattr(tokenizer, "bos_token_id", None)
    own_bos = bos is not None and prefix[:1] == [bos] and tokenizer("a")["input_ids"][:1] == [bos]
    body = prefix[1:] if own_bos else prefix
    prompt = tokenizer.decode(body, skip_special_tokens=False)
    sides = {k: (int(d[f"{k}_id"]), token_text(tokenizer, d[f"{k}_id"], prefix)) for k in ("chosen", "rejected")}
    rec = {"prompt": prompt, "chosen": sides["chosen"][1], "rejected": sides["rejected"][1],
           "text_exact": _round_trips(tokenizer, prompt, prefix, special=True) and all(
               _round_trips(tokenizer, prompt + text, prefix + [tok], special=True) for tok, text in sides.values()),
           "prompt_ids": prefix, "chosen_ids": [int(d["chosen_id"])], "rejected_ids": [int(d["rejected_id"])],
           "problem_id": str(d["problem_id"]), "trajectory": d.get("key"), "position": int(d["position"]),
           "direction": d["direction"], "p_chosen": ch["p"], "p_rejected": rj["p"],
           "delta": None if ch["p"] is None or rj["p"] is None else ch["p"] - rj["p"],
           "chosen_estimate": ch, "rejected_estimate": rj, "before_estimate": _est(d.get("before")),
           "margin_lo": d.get("margin_lo"), "margin_hi": d.get("margin_hi")}
    rec.update(_jsonable(dict(run)))
    return rec


def trajectory_record(result: Any, tokenizer, prompt_ids: Sequence[int], solution_ids: Sequence[int],
                      correct: bool | None = None, source: str = "sampled") -> dict:
    """Per-trajectory part of a problems.jsonl line (from a search ``TrajectoryResult``)."""
    d = _jsonable(result)
    est = d.get("estimates") or {}
    estimates = sorted(({"position": int(k), **_est(v)} for k, v in est.items()), key=lambda e: e["position"])
    return {"key": d.get("key"), "kept": d.get("kept", True), "correct": correct, "source": source,
            "solution_ids": [int(t) for t in solution_ids],
            "tokens": token_texts(tokenizer, solution_ids, prefix=prompt_ids),
            "p0": _est(d.get("p0")), "estimates": estimates, "segments": d.get("segments", []),
            "rollouts": d.get("rollouts", 0), "reused": d.get("reused", 0), "probes": d.get("probes", 0),
            "errors": d.get("errors", 0), "n_pairs": len(d.get("pairs", [])),
            # refuted: in the records only
            "n_pivots": sum(pv.get("confirmed") != "refuted" for pv in d.get("pivots", []))}


def problem_record(problem: Any, trajectories: Sequence[Mapping], prompt_ids: Sequence[int] = (),
                   extra: Mapping[str, Any] | None = None) -> dict:
    """A problems.jsonl line: the problem, its prompt and its trajectories' summaries."""
    return {"problem_id": str(problem.id), "question": problem.question, "answer": problem.answer,
            "prompt_ids": list(prompt_ids), "trajectories": list(trajectories),
            "n_pivots": sum(t.get("n_pivots", 0) for t in trajectories),
            "n_pairs": sum(t.get("n_pairs", 0) for t in trajectories),
            "rollouts": sum(t.get("rollouts", 0) for t in trajectories), **_jsonable(dict(extra or {}))}
