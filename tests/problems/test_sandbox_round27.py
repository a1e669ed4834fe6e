"""Twenty-seventh round of attacks on the code oracle, and right programs of the shapes real judges pass.

A helper of the tests' that changes something (a print, a call of anything impure) had every name it uses left out
of the call window's check: what it only compares (``r == EXPECTED``) is now watched, unless their own code changes
it in place."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def with_helper(compare: str, extra: str = "") -> str:
    """Tests holding EXPECTED, a helper sq the solution is handed, and a same(r) that prints r before comparing."""
    return ("EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef same(r):\n    print('got', r)\n"
            "    return %s\n\n\ndef check(candidate):\n%s    r = candidate(sq)\n    assert same(r)\n"
            % (compare, extra))


RIGHT = "def make(f):\n    return [f(x) for x in (1, 2, 3)]\n"
IN_PLACE = "def make(f):\n    f.__globals__['EXPECTED'][:] = [0]\n    return [0]\n"


@pytest.mark.parametrize("compare", ["r == EXPECTED", "EXPECTED == r", "not r != EXPECTED"])
def test_data_an_impure_helper_only_compares_is_watched_in_a_call(compare):
    # before: passed (print made same() a changing helper, and every name it used was left out of the check)
    tests = humaneval("make", with_helper(compare), "f")
    passed, out = verdict(IN_PLACE, tests)
    assert not passed and "in place" in out, out
    assert verdict(RIGHT, tests)[0]


def test_rebinding_through_an_impure_helpers_name_still_fails():
    tests = humaneval("make", with_helper("r == EXPECTED"), "f")
    passed, out = verdict("def make(f):\n    f.__globals__['EXPECTED'] = [0]\n    return [0]\n", tests)
    assert not passed and "rebound" in out, out


RIGHT_TESTS = {  # right programs whose tests' helpers change the data they compare
    "the helper appends to what it compares": (
        "SEEN = []\n\n\ndef sq(x):\n    SEEN.append(x)\n    print(x)\n    return x * x\n\n\ndef seen(xs):\n"
        "    print(xs)\n    return SEEN == xs\n\n\ndef check(candidate):\n    assert candidate(sq) == [1, 4, 9]\n"
        "    assert seen([1, 2, 3])\n"),
    "the tests change it themselves": (
        "EXPECTED = [1, 4]\n\n\ndef sq(x):\n    return x * x\n\n\ndef same(r):\n    print(r)\n"
        "    return r == EXPECTED\n\n\ndef check(candidate):\n    EXPECTED.append(9)\n"
        "    assert same(candidate(sq))\n"),
    "a helper called by the solution changes it through another name": (
        "LOG = []\nlogged = LOG\n\n\ndef sq(x):\n    logged.append(x)\n    return x * x\n\n\ndef same(r):\n"
        "    print(r)\n    return LOG == [1, 2, 3] and r == [1, 4, 9]\n\n\ndef check(candidate):\n"
        "    assert same(candidate(sq))\n"),
    "a helper called by the solution changes it through a dict holding it": (
        "LOG = []\nREG = {'log': LOG}\n\n\ndef sq(x):\n    REG['log'].append(x)\n    return x * x\n\n\n"
        "def same(r):\n    print(r)\n    return LOG == [1, 2, 3] and r == [1, 4, 9]\n\n\ndef check(candidate):\n"
        "    assert same(candidate(sq))\n"),
}


@pytest.mark.parametrize("how", sorted(RIGHT_TESTS))
def test_right_programs_whose_helpers_change_what_they_compare_pass(how):
    passed, out = verdict(RIGHT, humaneval("make", RIGHT_TESTS[how], "f"))
    assert passed, out


THREAD_LEFT = ("import threading, time\n\n\ndef make(v):\n"
               "    threading.Thread(target=time.sleep, args=(0.5,)).start()\n    return v\n")
SHUFFLED = {  # the tests change their own data through a library's function while a thread of the solution's runs
    "random.shuffle": ("import random\n", "random.shuffle(DATA)"),
    "shuffle imported": ("from random import shuffle\n", "shuffle(DATA)"),
    "numpy's shuffle": ("import numpy as np\n", "np.random.shuffle(DATA)"),
    "heapq.heappush": ("import heapq\n", "heapq.heappush(DATA, 0)\n    DATA.remove(0)"),
}


@pytest.mark.parametrize("how", sorted(SHUFFLED))
def test_the_tests_shuffling_their_own_data_is_not_blamed_on_a_thread_left_running(how):
    # before: 'the solution changed the tests' own data in place ... from code it left running (a thread)'
    imports, change = SHUFFLED[how]
    tests = (imports + "DATA = [3, 1, 2, 5, 4]\n\n\ndef helper(x):\n    return x\n\n\ndef check(candidate):\n"
             "    assert candidate(1) == 1\n    %s\n    assert sorted(DATA) == [1, 2, 3, 4, 5]\n" % change)
    passed, out = verdict(THREAD_LEFT, humaneval("make", tests, "v"))
    assert passed, out


def test_a_thread_rewriting_what_the_tests_hand_their_own_helper_is_still_seen():
    tests = ("import time\nEXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef same(r, e):\n"
             "    return r == e\n\n\ndef check(candidate):\n    r = candidate(sq)\n    time.sleep(0.5)\n"
             "    assert same(r, EXPECTED)\n")
    code = ("import threading, time\n\n\ndef make(f):\n    g = f.__globals__\n\n    def later():\n"
            "        time.sleep(0.1)\n        g['EXPECTED'][:] = [0]\n    threading.Thread(target=later).start()\n"
            "    return [0]\n")
    passed, out = verdict(code, humaneval("make", tests, "f"))
    assert not passed and "in place" in out, out
