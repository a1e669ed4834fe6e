"""The sandbox's launcher and everything below it (:mod:`ptsfast.problems.sandbox` starts it and is the API):
``python -I -S sandbox_launcher.py STATUS_FD PARENT_PID WALL_LIMIT`` reads a job (JSON) on stdin, makes the
namespaces, the file system, the limits and the seccomp filter, and runs the code. It imports only what it needs
of the standard library, most of it where it is needed: a fresh interpreter importing it starts in ~22 ms, one
importing the API module in ~48 ms, and every judgement starts one."""
from __future__ import annotations

import json
import os
import signal
import sys


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


_RUNNER = r'''
import os, sys
def _main():
    fd, buf = int(sys.argv[1]), bytearray(256)
    size = os.readv(fd, [buf])  # the nonce, kept only masked by a random key: no object of it is left to find
    os.close(fd)
    key = os.urandom(size)
    masked = bytes([buf[i] ^ key[i] for i in range(size)])
    buf[:size] = key
    fd, chunks, own_pids = int(sys.argv[2]), [], sys.argv[3] == "own-pids"
    while True:  # the program: read, then closed, before it runs (no copy of it is left to read)
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    src = b"".join(chunks).decode("utf-8")
    del chunks
    write, exit_now = os.write, os._exit
    import fcntl  # where the verdict goes, whatever the code makes of descriptors 1 and 2 (closes them, points them
    try:  # at a file or at nothing): copies, high and close-on-exec
        out, err = (fcntl.fcntl(k, fcntl.F_DUPFD_CLOEXEC, 200) for k in (1, 2))
    except OSError:  # a lower RLIMIT_NOFILE
        out, err = (fcntl.fcntl(k, fcntl.F_DUPFD_CLOEXEC, 5) for k in (1, 2))
    try:
        if len(sys.argv) > 4:  # the interpreter's site-packages (read-only); -S skipped them
            import site
            for d in sys.argv[4:]:
                site.addsitedir(d)
        sys.argv[:] = ["solution.py"]
        exec(compile(src, "solution.py", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
    except BaseException:  # SystemExit included: leaving early is a failure
        try:  # what the tests printed first (unittest's report), then why they stopped
            sys.stdout.flush()
            import traceback
            with open(err, "w", errors="backslashreplace", closefd=False) as f:  # past a bounded sys.stderr
                traceback.print_exc(file=f)
        except BaseException:
            pass
        exit_now(1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        exit_now(1)
    if own_pids:  # the sandbox's pid namespace: what the code left running must not print past the nonce
        try:
            os.kill(-1, 9)  # every process in it but init and this one
        except OSError:
            pass
    write(out, b"\n" + bytes([masked[i] ^ key[i] for i in range(size)]) + b"\n")
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
    signal.setitimer(signal.ITIMER_REAL, float(sys.argv[3]))
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
                _init(job, libc, status_fd, job["inner_uid"] if go == b"d" else None)
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
            separate_uid = _write_maps(pid, job["sandbox_uid"], job["inner_uid"])
        except OSError as e:
            raise _Fail(f"writing the sandbox's uid/gid maps: {e}") from e
        os.write(go_w, b"d" if separate_uid else b"s")
    os.close(go_w)
    _, st = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)


def _write_maps(pid: int, sandbox_uid: int, inner_uid: int) -> bool:
    """Maps the child's root to ours; as root, also maps an unprivileged uid for the code (returns True)."""
    uid, gid = os.geteuid(), os.getegid()
    if uid == 0:
        try:
            with open(f"/proc/{pid}/uid_map", "w") as f:
                f.write(f"0 0 1\n{inner_uid} {sandbox_uid} 1\n")
        except OSError:  # root of a user namespace where sandbox_uid is not mapped: fall back to a self map
            pass
        else:
            with open(f"/proc/{pid}/gid_map", "w") as f:
                f.write(f"0 0 1\n{inner_uid} {sandbox_uid} 1\n")
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
        if not job["network"]:
            _loopback_up()
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
        if job["seccomp"] is None:
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


def _loopback_up() -> None:
    """The sandbox's own network namespace starts with its loopback down: tests that serve and call on localhost
    (a socket server, http.server) could not connect. Up, it reaches this namespace alone (no other interface,
    no route out). Best effort: where it cannot be raised, such tests fail as before."""
    import fcntl
    import socket
    import struct

    iff_up, iff_loopback, iff_running, siocsifflags = 0x1, 0x8, 0x40, 0x8914
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            fcntl.ioctl(s, siocsifflags, struct.pack("16sH14x", b"lo", iff_up | iff_loopback | iff_running))
    except OSError:
        pass


# the files of /etc that name this machine: localhost resolves (getaddrinfo reads hosts through nsswitch.conf)
_ETC = {"hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        "nsswitch.conf": "hosts: files\n"}


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
    os.makedirs(root + "/etc", exist_ok=True)  # read-only with the rest of the root (remounted below)
    for name, text in _ETC.items():
        with open(f"{root}/etc/{name}", "w") as f:
            f.write(text)
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
        if job.get("proc", True):
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
        own_pids = nonce_fd is not None  # started by the sandbox's init, in its own pid namespace
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
        interp = job["interpreter"]
        # `python script.py` from the code (subprocess) is this interpreter, with the packages the code has
        env = {"PATH": os.path.dirname(interp) + ":/usr/bin:/bin", "PYTHONPATH": os.pathsep.join(job["site_dirs"]),
               "LANG": "C.UTF-8", "HOME": home, "TMPDIR": home, "PYTHONDONTWRITEBYTECODE": "1",
               # numeric libraries start one thread per core at import, which a many-core host's
               # process limit (threads count) and RLIMIT_AS would refuse
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        _seccomp(libc or _libc()[1], job["seccomp"], deny_sysv=not job.get("ipc_limited", False),
                 deny_userns=not job.get("userns_limited", False))
        os.execve(interp, [interp, "-I", "-S", "-c", _RUNNER, "3", "4", "own-pids" if own_pids else "host-pids",
                         *job["site_dirs"]], env)
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


def _seccomp(libc, spec, deny_sysv: bool, deny_userns: bool) -> None:
    """Denies (ENOSYS) the syscalls that hold memory outside every size limit (memfd_create: the kernel's
    internal, unbounded tmpfs; memfd_secret; io_uring_setup), SysV IPC where its limits could not be set,
    and new user namespaces where max_user_namespaces could not be set; calls from another ABI (i386 /
    x32 on x86_64) are denied too. ``spec``: this machine's row of the API module's table (None: no-op, other
    architectures)."""
    import ctypes
    import errno

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
