"""The code sandbox against hostile code: every attack must fail safely (no pass, no effect on the host).

These tests run real attacks (early exits, forged exit codes, file writes and deletes outside the
sandbox, fork bombs, escaping daemons, floods of output, network, privilege escalation). Each call
costs ~0.1 s of sandbox start-up.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest

from ptsfast.problems import sandbox
from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import SandboxUnavailable, check_code_sandbox, make_judge, run_code
from ptsfast.problems.sandbox import SandboxLimits, isolation_status, run_python

ISOLATED, WHY = isolation_status()
needs_isolation = pytest.mark.skipif(not ISOLATED, reason=f"no namespace isolation here: {WHY}")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux-only")

TESTS = "assert add(2, 3) == 5\nassert add(-1, 1) == 0\n"
GOOD = "def add(a, b):\n    return a + b\n"


def _run(code, tests=TESTS, **kw):
    return run_code(code, tests, **kw)


# ------------------------------------------------------------------------- verdict integrity

def test_honest_code_passes_and_wrong_code_fails():
    assert _run(GOOD).passed
    bad = _run("def add(a, b):\n    return a - b\n")
    assert not bad.passed and "AssertionError" in bad.output


@pytest.mark.parametrize("exit_code", [
    "import sys\nsys.exit(0)",
    "import os\nos._exit(0)",
    "raise SystemExit",
    "raise SystemExit(0)",
    "exit(0)",
    "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
    "import threading, os\nthreading.Thread(target=lambda: os._exit(0)).start()\nimport time\ntime.sleep(5)",
    "import atexit, os\natexit.register(lambda: os._exit(0))\nraise KeyboardInterrupt",
    "import sys\nsys.stdout.write('ok\\n')\nsys.stdout.flush()\nimport os\nos._exit(0)",
])
def test_leaving_before_the_tests_end_never_passes(exit_code):
    # the exit comes with the solution, so the tests (which would fail: add is wrong) never run
    res = _run("def add(a, b):\n    return 0\n" + exit_code + "\n")
    assert not res.passed, res


def test_tests_that_call_exit_do_not_pass_either():
    assert not _run(GOOD, TESTS + "import sys\nsys.exit(0)\nassert False\n").passed


def test_the_nonce_is_not_in_the_code_files_argv_or_environment():
    probe = r'''
import os, sys
seen = open("/tmp/solution.py").read() + " ".join(sys.argv) + repr(dict(os.environ))
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for name in ("cmdline", "environ"):
        try:
            seen += open(f"/proc/{pid}/{name}", "rb").read().decode("latin-1")
        except OSError:
            pass
for root, _, files in os.walk("/tmp"):
    for f in files:
        seen += open(os.path.join(root, f), encoding="latin-1").read()
import re
print("HEX32", sorted(set(re.findall(r"[0-9a-f]{32}", seen))))
'''
    res = _run(probe, "")
    assert res.passed and "HEX32 []" in res.output, res.output


# ------------------------------------------------------------------------- host protection

@needs_isolation
def test_host_files_are_invisible_and_the_visible_ones_read_only(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    code = f'''
import os
for path in ({str(secret)!r}, {os.path.expanduser("~")!r} + "/.bashrc", "/etc/passwd", "/etc/shadow",
             {os.getcwd()!r} + "/pyproject.toml"):
    assert not os.path.exists(path), path
for path in ("/usr/ptsfast-probe", "/ptsfast-probe", "/dev/ptsfast-probe", "/proc/ptsfast-probe"):
    try:
        open(path, "w").write("x")
    except OSError as e:
        print("refused", path, e.errno)
    else:
        raise AssertionError("wrote " + path)
open("/tmp/mine.txt", "w").write("the sandbox's own temp dir is writable")
print(sorted(os.listdir("/")))
'''
    res = _run(code, "")
    assert res.passed, res.output
    assert res.output.count("refused") == 4
    assert not os.path.exists("/usr/ptsfast-probe") and not os.path.exists("/ptsfast-probe")


@needs_isolation
def test_a_visible_host_file_cannot_be_written_renamed_or_deleted():
    # a file in a directory the sandbox shows read-only (the interpreter's prefix); needs write access to plant it
    victim = os.path.join(os.path.realpath(sys.base_prefix), f"ptsfast-victim-{uuid.uuid4().hex}")
    try:
        with open(victim, "w") as f:
            f.write("original")
    except OSError:
        pytest.skip(f"cannot plant a file in {sys.base_prefix}")
    try:
        code = f'''
import os, shutil
victim = {victim!r}
assert open(victim).read() == "original"        # visible, read-only
for attack in (lambda: open(victim, "a").write("x"), lambda: os.remove(victim), lambda: os.rename(victim, victim + "2"),
               lambda: os.chmod(victim, 0o777), lambda: os.truncate(victim, 0), lambda: shutil.rmtree(os.path.dirname(victim))):
    try:
        attack()
    except OSError:
        pass
print("done")
'''
        res = _run(code, "")
        assert "done" in res.output, res.output
        with open(victim) as f:
            assert f.read() == "original"
        assert os.stat(victim).st_mode & 0o777 != 0o777
    finally:
        os.remove(victim)


@needs_isolation
def test_the_guard_cannot_be_switched_off_from_inside():
    """The old audit-hook bypass (``__main__._BLOCKED = ()``) and OS-level tries to undo the isolation."""
    code = r'''
import __main__, ctypes, os
__main__._BLOCKED = ()                                   # was enough to re-enable subprocess before
libc = ctypes.CDLL(None, use_errno=True)
MS_REMOUNT, MS_BIND = 0x20, 0x1000
results = {}
results["remount /usr rw"] = libc.mount(None, b"/usr", None, MS_REMOUNT | MS_BIND, None)
results["umount /usr"] = libc.umount2(b"/usr", 2)
results["mount tmpfs over /usr"] = libc.mount(b"tmpfs", b"/usr", b"tmpfs", 0, None)
try:
    os.setuid(0); results["setuid 0"] = 0
except OSError:
    results["setuid 0"] = -1
results["chroot"] = libc.chroot(b"/tmp")
caps = [l for l in open("/proc/self/status") if l.startswith(("CapEff", "CapPrm", "CapBnd", "NoNewPrivs"))]
# a fresh user+mount namespace gives capabilities there, but the inherited mounts are locked read-only
if libc.unshare(0x10000000 | 0x00020000) == 0:
    results["remount /usr rw in a new userns"] = libc.mount(None, b"/usr", None, MS_REMOUNT | MS_BIND, None)
    try:
        open("/usr/ptsfast-probe", "w"); results["write /usr in a new userns"] = 0
    except OSError:
        results["write /usr in a new userns"] = -1
print(results)
print("".join(caps))
assert all(v != 0 for v in results.values()), results
'''
    res = _run(code, "")
    assert res.passed, res.output
    assert "CapBnd:\t0000000000000000" in res.output and "NoNewPrivs:\t1" in res.output
    assert not os.path.exists("/usr/ptsfast-probe")


@needs_isolation
def test_subprocesses_run_inside_the_same_sandbox():
    code = r'''
import subprocess
out = subprocess.run(["/bin/sh", "-c", "ls /; echo $HOME; id -u; touch /usr/x 2>&1 || echo ro"], capture_output=True, text=True).stdout
print(out)
names = out.split()
assert "etc" not in names and "home" not in names and "ro" in names
assert set(names[:names.index("/tmp")]) <= {"dev", "proc", "tmp"} | TOPS, names  # TOPS: the bound paths' first parts
'''
    tops = {e[1].split("/")[1] for e in sandbox._read_only_paths(sandbox._interpreter(), sandbox._site_dirs())}
    res = _run(f"TOPS = {tops!r}\n" + code, "")
    assert res.passed, res.output


@needs_isolation
def test_no_network():
    code = r'''
import socket
print(socket.if_nameindex())
assert [n for _, n in socket.if_nameindex()] == ["lo"]
for addr in [("127.0.0.1", 22), ("1.1.1.1", 53), ("8.8.8.8", 443)]:
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect(addr)
    except OSError as e:
        print("no route", addr, e.errno)
    else:
        raise AssertionError(f"connected to {addr}")
try:
    socket.getaddrinfo("example.com", 80)
except OSError:
    print("no dns")
else:
    raise AssertionError("resolved a name")
'''
    res = _run(code, "")
    assert res.passed and res.output.count("no route") == 3 and "no dns" in res.output, res.output


@needs_isolation
def test_parent_environment_and_processes_are_unreachable(monkeypatch):
    canary = uuid.uuid4().hex
    monkeypatch.setenv("PTSFAST_CANARY", canary)
    code = f'''
import os
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
found = []
for pid in pids:
    for name in ("environ", "cmdline"):
        try:
            if {canary!r}.encode() in open(f"/proc/{{pid}}/{{name}}", "rb").read():
                found.append((pid, name))
        except OSError:
            pass
print("pids", pids, "found", found, "env", sorted(os.environ))
assert not found and "PTSFAST_CANARY" not in os.environ and max(pids) < 10
'''
    res = _run(code, "")
    assert res.passed, res.output


@needs_isolation
@pytest.mark.parametrize("fork", ["os.fork()", "ctypes.CDLL(None).fork()"])
def test_process_count_is_limited(fork):
    code = f'''
import os, time, ctypes
n = 0
try:
    while n < 10000:
        pid = {fork}
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        if pid < 0:
            raise OSError("fork failed")
        n += 1
except OSError as e:
    print("stopped after", n, e)
assert n < 100
'''
    t0 = time.monotonic()
    res = _run(code, "", timeout=20)
    assert res.passed and "stopped after" in res.output, res.output
    assert time.monotonic() - t0 < 10  # the sleeping children die with the sandbox, nothing waits for them


def _host_processes_named(name: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == name:
                    found.append(int(pid))
        except (OSError, ValueError):
            pass
    return found


DAEMON = r'''
import ctypes, os, sys, time
libc = ctypes.CDLL(None)
if libc.fork() == 0:
    libc.setsid()
    if libc.fork() == 0:
        libc.prctl(15, b"{name}", 0, 0, 0)   # PR_SET_NAME: lets the test find it on the host
        while True:
            sys.stdout.write("daemon alive\n"); sys.stdout.flush(); time.sleep(0.05)
    os._exit(0)
time.sleep(0.3)
'''


@needs_isolation
@pytest.mark.parametrize("then", ["hang", "finish"])
def test_setsid_daemons_die_with_the_sandbox_and_nothing_waits_for_their_pipes(then):
    name = "pts" + uuid.uuid4().hex[:10]
    code = DAEMON.replace("{name}", name) + ("while True: pass\n" if then == "hang" else "")
    t0 = time.monotonic()
    res = _run(GOOD + code, TESTS, timeout=2.0)
    elapsed = time.monotonic() - t0
    assert elapsed < 4, elapsed  # a 2 s timeout returns in ~2 s, not when the daemon lets go of stdout
    assert res.timed_out == (then == "hang") and res.passed == (then == "finish"), res
    for _ in range(50):
        if not _host_processes_named(name):
            break
        time.sleep(0.02)
    assert not _host_processes_named(name)


def test_huge_output_is_cut_off_without_costing_the_parent_memory():
    """300 MB of stdout: the run fails on the output limit and the parent's peak memory stays small."""
    script = f'''
import importlib.util, resource, sys, time
spec = importlib.util.spec_from_file_location("sb", {sandbox.__file__!r})
sb = importlib.util.module_from_spec(spec); sys.modules["sb"] = sb; spec.loader.exec_module(sb)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.monotonic()
code = "import sys\\nchunk = 'x' * (1 << 20)\\nfor _ in range(300):\\n    sys.stdout.write(chunk)\\n"
res = sb.run_python(code, sb.SandboxLimits(timeout=60), isolate={ISOLATED})
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(res.passed, res.reason, round(time.monotonic() - t0, 2), before, after, len(res.output))
'''
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    passed, *reason, secs, before, after, n = out.stdout.split()
    assert passed == "False" and "output limit" in " ".join(reason), out.stdout + out.stderr
    assert float(secs) < 10 and int(n) <= 2000
    assert int(after) - int(before) < 32 * 1024, (before, after)  # KiB: the parent never held the output


def test_timeout_kills_a_busy_loop():
    t0 = time.monotonic()
    res = run_code("print('started', flush=True)\nwhile True: pass", timeout=1.0)
    assert res.timed_out and not res.passed and res.returncode is None
    assert "started" in res.output and time.monotonic() - t0 < 3


def test_memory_limit():
    res = run_code("x = bytearray(800 * 1024 * 1024)\nprint('allocated')", timeout=10, memory_mb=256)
    assert not res.passed and "MemoryError" in res.output


@needs_isolation
def test_temp_dir_is_size_limited():
    code = "chunk = b'x' * (1 << 20)\nwith open('/tmp/big', 'wb') as f:\n    for _ in range(100):\n        f.write(chunk)\n"
    res = run_python(code, SandboxLimits(timeout=10, tmp_mb=8, file_mb=64))
    assert not res.passed and ("No space left" in res.output or "28" in res.output), res.output


# ------------------------------------------------------------------------- refusal / opt-out

def test_without_isolation_the_code_oracle_refuses_unless_told(monkeypatch):
    monkeypatch.setattr(sandbox, "_status", (False, "user namespaces are disabled (test)"))
    with pytest.raises(SandboxUnavailable, match="user namespaces are disabled.*--unsafe-code-oracle"):
        run_code(GOOD, TESTS)
    with pytest.raises(SandboxUnavailable):
        make_judge("code")
    judge = make_judge("code", unsafe_code_oracle=True)
    problem = Problem("p", "q", None, TESTS)
    assert judge("```python\n" + GOOD + "```", problem) == (True, None)
    assert judge("```python\nimport os\nos._exit(0)\n```", problem).success is False  # nonce still enforced
    check_code_sandbox(unsafe=True)  # warns only


def test_unsafe_mode_keeps_limits_nonce_and_timeouts():
    assert run_python(GOOD + TESTS, isolate=False).passed
    assert not run_python("import sys\nsys.exit(0)\n", isolate=False).passed
    res = run_python("while True: pass", SandboxLimits(timeout=1.0), isolate=False)
    assert res.timed_out and not res.passed


@needs_isolation
def test_isolation_probe_detects_a_machine_without_user_namespaces():
    """In a user namespace whose max_user_namespaces is 0 the probe must say no, not crash or hang."""
    script = f'''
import importlib.util, sys
spec = importlib.util.spec_from_file_location("sb", {sandbox.__file__!r})
sb = importlib.util.module_from_spec(spec); sys.modules["sb"] = sb; spec.loader.exec_module(sb)
print(sb.isolation_status())
'''
    cmd = ["unshare", "--user", "--map-root-user", "sh", "-c",
           f'echo 0 > /proc/sys/user/max_user_namespaces && exec {sys.executable} -c "$0"', script]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        pytest.skip("no unshare binary")
    if out.returncode != 0 and "max_user_namespaces" in out.stderr:
        pytest.skip(f"cannot lower max_user_namespaces here: {out.stderr.strip()}")
    assert out.stdout.startswith("(False, ") and "unshare" in out.stdout, out.stdout + out.stderr


@needs_isolation
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the battery as an unprivileged user")
def test_unprivileged_user_gets_the_same_isolation():
    """The non-root code path (the sandbox maps only the user's own uid) under the system interpreter."""
    python = "/usr/bin/python3"
    if not os.path.exists(python) or subprocess.run(["setpriv", "--help"], capture_output=True).returncode != 0:
        pytest.skip("needs /usr/bin/python3 and setpriv")
    script = f'''
import importlib.util, sys
spec = importlib.util.spec_from_file_location("sb", {sandbox.__file__!r})
sb = importlib.util.module_from_spec(spec); sys.modules["sb"] = sb; spec.loader.exec_module(sb)
assert sb.isolation_status() == (True, ""), sb.isolation_status()
probe = """
import os, ctypes
assert sorted(os.listdir("/")) == sorted(set(os.listdir("/")) & {{"bin", "dev", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr"}})
assert open("/proc/self/status").read().split("CapEff:")[1].split()[0] == "0" * 16
assert ctypes.CDLL(None).mount(None, b"/usr", None, 0x20 | 0x1000, None) != 0
n = 0
try:
    while n < 10000:
        if os.fork() == 0:
            import time; time.sleep(30); os._exit(0)
        n += 1
except OSError:
    pass
assert n < 100, n
"""
print(sb.run_python(probe, sb.SandboxLimits(timeout=20)))
print(sb.run_python("import os\\nos._exit(0)").passed)
'''
    out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-c", script],
                         capture_output=True, text=True, timeout=60, cwd="/")
    if "Permission denied" in out.stderr and sandbox.__file__ in out.stderr:
        pytest.skip("the source tree is not readable by an unprivileged user")
    lines = out.stdout.splitlines()
    assert len(lines) == 2 and "passed=True" in lines[0] and lines[1] == "False", out.stdout + out.stderr


def test_cli_and_api_refuse_before_loading_the_model_or_writing(monkeypatch, tmp_path, capsys):
    import json

    from ptsfast import cli
    from ptsfast.pipeline import MineOptions, mine

    monkeypatch.setattr(sandbox, "_status", (False, "user namespaces are disabled (test)"))
    problems = tmp_path / "p.jsonl"
    problems.write_text(json.dumps({"id": "a", "question": "add", "tests": TESTS}) + "\n")
    out = tmp_path / "run"
    rc = cli.main(["mine", "--model", str(tmp_path / "no-such-model"), "--problems", str(problems), "--out", str(out),
                   "--oracle", "code"])
    err = capsys.readouterr().err
    assert rc == 2 and "--unsafe-code-oracle" in err and "no-such-model" not in err and not out.exists()
    with pytest.raises(SandboxUnavailable):
        mine(None, None, [Problem("a", "add", None, TESTS)], out, MineOptions(oracle="code"))
    assert not out.exists()
