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
            "    return %s\n\n\ndef check(candidate):\n%s    r = candidate(sq)\n    assert same(r)\n" % (compare, extra))


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
        "    return r == EXPECTED\n\n\ndef check(candidate):\n    EXPECTED.append(9)\n    assert same(candidate(sq))\n"),
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
