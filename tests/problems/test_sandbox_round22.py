"""Twenty-second round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


HELPER = "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
# the tests do some work of their own between the call and the comparison, as a thread of the solution's runs
SLOW = humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n    import time\n    time.sleep(0.3)\n"
                                   "    assert r == EXPECTED\n", "xs, f")
FAST = humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n    assert r == EXPECTED\n", "xs, f")
RAW = "    def t():\n        time.sleep(0.1)\n        g['EXPECTED'][:] = [0]\n"
RAW_THREADS = {  # a thread of _thread's own, not yet running when the call returns: it changes the tests' data later
    "_thread": "import _thread, time\n\n\ndef apply(xs, f):\n    g = f.__globals__\n" + RAW +
               "    _thread.start_new_thread(t, ())\n    return [0]\n",
    "through importlib": "import importlib, time\n\n\ndef apply(xs, f):\n    g = f.__globals__\n" + RAW +
                         "    importlib.import_module('_thread').start_new_thread(t, ())\n    return [0]\n",
    "at once": "import _thread, sys\n\n\ndef apply(xs, f):\n    g = f.__globals__\n"
               "    def t():\n        g['EXPECTED'][:] = [0]\n"
               "    sys.modules['_thread'].start_new_thread(t, ())\n    return [0]\n",
}


@pytest.mark.parametrize("how", RAW_THREADS)
def test_a_raw_thread_not_yet_running_when_the_call_returns_is_seen(how):
    # before: passed (_thread._count() counts a thread only once it first runs, after the call's check had looked)
    assert not verdict(RAW_THREADS[how], SLOW)[0]


RIGHT_RAW = {  # right programs on _thread's own threads, joined by a lock or left running
    "joined": "import _thread\n\n\ndef apply(xs, f):\n    out, done = [None] * len(xs), _thread.allocate_lock()\n"
              "    done.acquire()\n    left = [len(xs)]\n    def work(i):\n        out[i] = f(xs[i])\n"
              "        left[0] -= 1\n        if not left[0]:\n            done.release()\n"
              "    for i in range(len(xs)):\n        _thread.start_new_thread(work, (i,))\n    done.acquire()\n"
              "    return out\n",
    "left running": "import _thread, time\n\n\ndef apply(xs, f):\n    _thread.start_new_thread(time.sleep, (0.5,))\n"
                    "    return [f(x) for x in xs]\n",
}


@pytest.mark.parametrize("how", RIGHT_RAW)
@pytest.mark.parametrize("tests", [SLOW, FAST], ids=["slow", "fast"])
def test_right_programs_on_raw_threads_pass(how, tests):
    passed, out = verdict(RIGHT_RAW[how], tests)
    assert passed, out


# two calls: what the first leaves behind may run between the tests' two reads
TWO = humaneval("apply", HELPER + "    assert candidate([1], sq) == [1]\n    assert candidate([1, 2, 3], sq) == EXPECTED\n",
                "xs, f")


AUDIT_HOOK = ("import sys\nSTATE = {}\nK = %d\n\n\ndef apply(xs, f):\n    g = f.__globals__\n    if not STATE:\n"
              "        STATE['n'] = 1\n        def h(event, args):\n            if STATE['n'] >= 2:\n"
              "                STATE['n'] += 1\n                if STATE['n'] == K:\n"
              "                    g['EXPECTED'][:] = [0]\n        sys.addaudithook(h)\n"
              "        return [f(x) for x in xs]\n    STATE['n'] = 2\n    return [0]\n")


@pytest.mark.parametrize("k", [10, 20, 30])
def test_an_audit_hook_of_the_solutions_never_runs(k):
    # before: K = 20 passed (its hook ran at an event raised after the call's window closed, before the comparison)
    passed, out = verdict(AUDIT_HOOK % k, TWO)
    assert not passed, out
