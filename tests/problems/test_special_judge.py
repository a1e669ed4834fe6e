"""The special judge (open-r1/codeforces' ``generated_checker``) attacked live: wrong programs whose output breaks the
checker or carries its verdict, that leave files, processes or start-up hooks for it, or signal it; a checker that
itself fails. Each is judged with one case (fresh interpreters) and with three (fork servers)."""

import json

import pytest

from ptsfast.problems import code_tests, sandbox
from ptsfast.problems.sandbox import isolation_status

from judging import verdict

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

# print two distinct numbers in 1..n whose sum is odd: many right answers, as open-r1's generated checkers judge them
CHECKER = ("import sys\n\ndef main():\n    inp, correct, out = (open(p).read() for p in sys.argv[1:4])\n"
           "    n = int(inp.split()[0])\n    try:\n        a, b = map(int, out.split())\n    except ValueError:\n"
           "        print(0)\n        return\n"
           "    print(1 if 1 <= a <= n and 1 <= b <= n and a != b and (a + b) % 2 == 1 else 0)\n\nmain()\n")
# the same, taking its time and importing more before it reads the files: a window for anything left running
SLOW = CHECKER.replace("import sys\n", "import sys, time\ntime.sleep(0.2)\nimport fractions, statistics\n", 1)
CASES = pytest.mark.parametrize("cases", [1, 3], ids=["fresh interpreters", "forked"])


def row(cases: int, checker: str = CHECKER) -> code_tests.TestProgram:
    return code_tests.test_program_from_row(
        {"question": "pick", "generated_checker": checker,
         "input_output": json.dumps({"inputs": [f"{k + 3}\n" for k in range(cases)], "outputs": ["1 2\n"] * cases})},
        ("input_output",), None, None)



@CASES
def test_right_programs_pass_a_checker_that_accepts_several_answers(cases):
    for code in ["input()\nprint(1, 2)\n", "n = int(input())\nprint(n, n - 1)\n",
                 "n = int(input())\nprint(n - 1, n)\n"]:
        assert verdict(code, row(cases))[0], code


OUTPUTS = {  # wrong answers that crash the checker, or carry its verdict in them
    "nothing": "pass\n",
    "the verdict alone": "print(1)\n",
    "a trailing 1": "print(1, 3)\nprint(1)\n",
    "a trailing ok": "print(1, 3, 'ok')\n",
    "a huge number": "print('9' * 100000, 2)\n",
    "binary bytes": "import sys\nsys.stdout.buffer.write(bytes(range(256)) + b' 1')\n",
    "invalid UTF-8": "import sys\nsys.stdout.buffer.write(b'1 2\\xff\\xfe 1')\n",
    "NUL bytes": "import sys\nsys.stdout.buffer.write(b'1\\x00 2\\x00 1\\x00')\n",
    "a huge single line": "print('1' * (8 << 20))\n",
    "extra tokens": "print(1, 2, 1)\n",
    "right, then exit status 1": "import sys\nprint(1, 2)\nsys.exit(1)\n",
    "right, then killed": "import os, signal\nprint(1, 2, flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n",
    "exit status 256 (0 to a shell)": "import sys\nprint(1, 3)\nsys.exit(256)\n",
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_that_breaks_the_checker_or_says_its_verdict_fails(name):
    for cases in (1, 3):
        assert not verdict(OUTPUTS[name], row(cases))[0], (name, cases)


LEFT_FOR_THE_CHECKER = {  # a wrong answer, and something left behind for the checker that runs next
    "start-up hooks in HOME, TMPDIR and /dev/shm": (
        "import os\nhook = 'print(1)\\nimport os\\nos._exit(0)\\n'\n"
        "for d in ['/tmp', '/tmp/.local/lib/python3.11/site-packages', '/tmp/.local/lib/python3.12/site-packages',\n"
        "          '/tmp/.local/lib/python3.13/site-packages', '/dev/shm']:\n"
        "    os.makedirs(d, exist_ok=True)\n"
        "    for name in ['sitecustomize', 'usercustomize', 'fractions', 'statistics', 'checker', 'runpy', 'site']:\n"
        "        open(os.path.join(d, name + '.py'), 'w').write(hook)\n"
        "    open(os.path.join(d, 'hook.pth'), 'w').write('import os; os._exit(0)\\n')\n"
        "open('/tmp/.pythonrc.py', 'w').write(hook)\nprint(1, 3)\n"),
    "checker folders made ahead, with links and FIFOs": (
        "import os, tempfile\nnames = tempfile._get_candidate_names()\nfor _ in range(2000):\n"
        "    d = '/tmp/ptsfast_checker_' + next(names)\n    try:\n        os.mkdir(d, 0o777)\n"
        "        os.symlink('/dev/null', d + '/solution_output.txt')\n        os.mkfifo(d + '/input.txt')\n"
        "        open(d + '/checker.py', 'w').write('print(1)\\n')\n    except OSError:\n        pass\nprint(1, 3)\n"),
    "a child that writes once the program has ended": (
        "import os, time\nif os.fork() == 0:\n    time.sleep(0.1)\n    for d in os.listdir('/tmp'):\n"
        "        if d.startswith('ptsfast_checker_'):\n"
        "            open('/tmp/%s/solution_output.txt' % d, 'w').write('1 2\\n')\n    os._exit(0)\nprint(1, 3)\n"),
    "signals to every other process": (
        "import os, signal\nfor p in os.listdir('/proc'):\n    if p.isdigit() and int(p) != os.getpid():\n"
        "        for s in (signal.SIGINT, signal.SIGUSR1, signal.SIGTERM):\n            try:\n"
        "                os.kill(int(p), s)\n            except OSError:\n                pass\nprint(1, 3)\n"),
    "its scratch files' names taken": (
        "import os\nfor p in os.listdir('/proc'):\n    if p.isdigit():\n        for k in range(1, 30):\n"
        "            try:\n                os.symlink('/dev/null', '/tmp/ptsfast_run_%s_%d' % (p, k))\n"
        "            except OSError:\n                pass\nprint(1, 3)\n"),
}


@CASES
@pytest.mark.parametrize("name", sorted(LEFT_FOR_THE_CHECKER))
def test_what_a_program_leaves_for_the_checker_changes_no_verdict(name, cases):
    assert not verdict("n = int(input())\n" + LEFT_FOR_THE_CHECKER[name], row(cases, SLOW))[0]


BROKEN = {  # checkers that fail whatever they are given
    "a crash after printing 1": CHECKER.replace("\nmain()\n", "\nmain()\nraise SystemExit(2)\n"),
    "a typo": CHECKER.replace("int(inp.", "int(inpt."),
    "no verdict": "import sys\nopen(sys.argv[3]).read()\n",
}


@CASES
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_checker_that_fails_passes_nothing_and_says_so(name, cases):
    passed, output = verdict("n = int(input())\nprint(1, 2)\n", row(cases, BROKEN[name]))
    assert not passed
    # before, a right program failed as 'wrong output', nothing saying that the checker was what failed
    assert "--- the special judge printed" in output, output
    assert ("exited with status" in output) == (name != "no verdict"), output
    if name == "a typo":
        assert "NameError: name 'inpt' is not defined" in output, output


# prints a wrong answer and leaves a daemon rewriting every checker's solution_output.txt with a right one
DAEMON = (
    "import os, time\nn = int(input())\nif os.fork() == 0:\n    os.setsid()\n    os.closerange(0, 64)\n"
    "    end = time.time() + 3\n    while time.time() < end:\n        for d in os.listdir('/tmp'):\n"
    "            if d.startswith('ptsfast_checker_'):\n                try:  # whole, never seen half written\n"
    "                    open('/tmp/%s/answer' % d, 'w').write('1 2\\n')\n"
    "                    os.replace('/tmp/%s/answer' % d, '/tmp/%s/solution_output.txt' % d)\n"
    "                except OSError:\n                    pass\n        time.sleep(0.0005)\n    os._exit(0)\n"
    "time.sleep(0.05)\nprint(1, 3)\n")


@CASES
def test_without_proc_what_a_program_leaves_running_cannot_rewrite_the_checkers_files(cases, monkeypatch):
    # hosts that refuse the sandbox a /proc of its own (Docker's masked paths): the judge saw no process to kill and
    # killed none, so the daemon's right answer replaced the wrong one in the checker's files (before, passed)
    monkeypatch.setattr(sandbox, "_MOUNT_PROC", False)
    no_proc = "import os\nassert not os.path.exists('/proc/self'), os.listdir('/proc')\nprint(1, 2)\n"
    assert verdict(no_proc, row(cases, SLOW)) == (True, "")
    assert not verdict(DAEMON, row(cases, SLOW))[0]
    # a run's own child processes still work, and a right program still passes after a leftover is killed
    assert verdict("import subprocess, sys\nn = int(input())\nsubprocess.run([sys.executable, '-c', 'pass'])\n"
                   "print(1, 2)\n", row(cases, SLOW))[0]
