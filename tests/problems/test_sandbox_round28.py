"""Twenty-eighth round of attacks on the code oracle, and right programs of the shapes real judges pass.

A helper of the tests' that changes something (a print) left the names it reads by ``in``, ``len()`` or an item
(``EXPECTED[0]``) out of the call window's check, as it did the names it compares before round 27: a solution handed
one of their helpers rewrote ``EXPECTED`` in place and passed."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def with_helper(compare: str) -> str:
    """Tests holding EXPECTED, a helper sq the solution is handed, and a same(r) that prints r before comparing."""
    return ("EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef same(r):\n    print('got', r)\n"
            "    return %s\n\n\ndef check(candidate):\n    r = candidate(sq)\n    assert same(r)\n" % compare)


RIGHT = "def make(f):\n    return [f(x) for x in (1, 2, 3)]\n"
READS = {  # what the impure helper reads EXPECTED by, and the wrong program's rewrite of it in place
    "in": ("r[1] in EXPECTED", "[0]", "[0, 0, 0]"),
    "len()": ("len(r) == len(EXPECTED) and r[2] == 9", "[0, 0, 9]", "[0, 0, 9]"),
    "an item": ("r[0] == EXPECTED[0] and r[2] == EXPECTED[2]", "[0, 4, 0]", "[0, 4, 0]"),
    "an item in a list": ("r[:1] == [EXPECTED[0]]", "[0]", "[0]"),
    "a sorted copy's item": ("sorted(EXPECTED)[-1] == max(r)", "[0]", "[0]"),
}


@pytest.mark.parametrize("how", sorted(READS))
def test_data_an_impure_helper_reads_by_in_len_or_item_is_watched_in_a_call(how):
    # before: passed (the helper's print freed every name it used but those it compared whole)
    compare, expected, returned = READS[how]
    tests = humaneval("make", with_helper(compare), "f")
    wrong = "def make(f):\n    f.__globals__['EXPECTED'][:] = %s\n    return %s\n" % (expected, returned)
    passed, out = verdict(wrong, tests)
    assert not passed and "in place" in out, out
    assert verdict(RIGHT, tests)[0]


RIGHT_TESTS = {  # right programs whose changing helpers reach what they index through what they change
    "an item of it changed": (
        "SEEN = [[]]\n\n\ndef sq(x):\n    print(x)\n    SEEN[0].append(x)\n    return x * x\n\n\n"
        "def check(candidate):\n    assert candidate(sq) == [1, 4, 9]\n    assert SEEN[0] == [1, 2, 3]\n"),
    "an item handed to a local": (
        "SEEN = [[]]\n\n\ndef sq(x):\n    log = SEEN[0]\n    log.append(x)\n    return x * x\n\n\n"
        "def check(candidate):\n    assert candidate(sq) == [1, 4, 9]\n    assert len(SEEN[0]) == 3\n"),
    "a copy's item changed": (
        "SEEN = [[]]\n\n\ndef sq(x):\n    print(x)\n    list(SEEN)[0].append(x)\n    return x * x\n\n\n"
        "def check(candidate):\n    assert candidate(sq) == [1, 4, 9]\n    assert SEEN == [[1, 2, 3]]\n"),
    "a ternary's branch changed": (
        "A = []\nB = []\n\n\ndef sq(x):\n    (A if x % 2 else B).append(x)\n    return x * x\n\n\n"
        "def check(candidate):\n    assert candidate(sq) == [1, 4, 9]\n    assert A == [1, 3] and len(B) == 1\n"),
}


@pytest.mark.parametrize("how", sorted(RIGHT_TESTS))
def test_right_programs_whose_helpers_change_what_they_index_pass(how):
    passed, out = verdict(RIGHT, humaneval("make", RIGHT_TESTS[how], "f"))
    assert passed, out


def test_a_state_no_seed_gives_that_keeps_most_words_is_refused():
    # the words are compared at 24 places drawn at random (not all 624) before they are counted again: a state that
    # keeps the first 300 words the generator had and sets the other 324 to zero is still seen
    tests = ("\n\ndef check(candidate):\n    import random\n\n    xs = [random.randint(0, 1000) for _ in range(100)]\n"
             "    assert candidate(1, 2) == 3\n    for _ in range(20):\n        x, y = random.randint(1, 1000), "
             "random.randint(1, 1000)\n        assert candidate(x, y) == x + y\n")
    program = humaneval("add", tests, "x, y")
    wrong = ("def add(x, y):\n    import random\n    if (x, y) == (1, 2):\n        v, s, g = random.getstate()\n"
             "        random.setstate((v, s[:300] + (0,) * 324 + s[624:], g))\n        return 3\n"
             "    return x + y if x == y else 0\n")
    passed, out = verdict(wrong, program)
    assert not passed and "no seed gives" in out, out
    assert verdict("def add(x, y):\n    return x + y\n", program)[0]


DEFAULTDICT_HELPERS = {  # a helper the solution calls reads an item of the tests' defaultdict, which adds the key
    "a helper that only reads": "    return x * x if SEEN[x] == 0 else -1\n",
    "a helper that prints": "    print(x)\n    if SEEN[x] == 0:\n        return x * x\n    return -1\n",
    "a defaultdict in a dict": "    return x * x if D['a'][x] == 0 else -1\n",
}


@pytest.mark.parametrize("how", sorted(DEFAULTDICT_HELPERS))
def test_right_programs_calling_a_helper_that_reads_a_defaultdict_pass(how):
    # before: 'the solution changed the tests' own data in place (a defaultdict they never handed it)'
    tests = ("from collections import defaultdict\nSEEN = defaultdict(int)\nD = {'a': defaultdict(int)}\n\n\n"
             "def sq(x):\n" + DEFAULTDICT_HELPERS[how] + "\n\ndef check(candidate):\n"
             "    assert candidate(sq) == [1, 4, 9]\n")
    passed, out = verdict(RIGHT, humaneval("make", tests, "f"))
    assert passed, out


BY_NAME = {  # tests that import a module by a name written out in a call, at their run
    "__import__": "def check(candidate):\n    assert candidate(1, 2) == __import__('fractions').Fraction(1, 2)\n",
    "importlib.import_module": ("import importlib\n\n\ndef check(candidate):\n"
                                "    assert candidate(1, 2) == importlib.import_module('fractions').Fraction(1, 2)\n"),
    "import_module imported": ("from importlib import import_module\n\n\ndef check(candidate):\n"
                               "    assert candidate(1, 2) == import_module('fractions').Fraction(1, 2)\n"),
}


@pytest.mark.parametrize("how", sorted(BY_NAME))
def test_a_module_the_tests_import_by_name_cannot_be_planted_in_sys_modules(how):
    # before: passed (fractions was not loaded before the solution ran, so its fake in sys.modules was no swap, and
    # the tests' Fraction(1, 2) was the solution's lambda giving 0)
    tests = humaneval("half", BY_NAME[how], "a, b")
    wrong = ("import sys, types\nm = types.ModuleType('fractions')\nm.Fraction = lambda a, b: 0\n"
             "sys.modules['fractions'] = m\n\n\ndef half(a, b):\n    return 0\n")
    passed, out = verdict(wrong, tests)
    assert not passed and "replaced the module fractions" in out, out
    assert verdict("from fractions import Fraction\n\n\ndef half(a, b):\n    return Fraction(a, b)\n", tests)[0]
