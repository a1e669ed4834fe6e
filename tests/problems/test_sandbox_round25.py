"""Twenty-fifth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed); the right programs beside each attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


HELPER = "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\n%s\n\ndef check(candidate):\n"
REWRITE = "G['g']['EXPECTED'][:] = [0]"


def apply(body: str, helpers: str = ""):
    """Tests of ``apply(xs, f)`` (``f`` the tests' helper, whose ``__globals__`` lead to ``EXPECTED``)."""
    return humaneval("apply", HELPER % helpers + "    r = candidate([1, 2, 3], sq)\n" + body, "xs, f")


def keeping(cls: str, value: str) -> str:
    """A wrong ``apply`` that keeps the tests' namespace and returns ``value`` of its ``cls``."""
    return "G = {}\n\n\n" + cls + "\n\ndef apply(xs, f):\n    G['g'] = f.__globals__\n    return %s\n" % value


BOOL = keeping("class Box:\n    def __init__(s, v):\n        s.v = v\n\n    def __bool__(s):\n        %s\n"
               "        return True\n" % REWRITE, "Box([0])")
# the tests change EXPECTED in place themselves: the hold an operator takes left it out, and a __bool__ of the
# solution's rewrote it at the tests' if unseen
CHANGED_BY_TESTS = {
    "appended to": "    EXPECTED.append(16)\n    if r:\n        assert r.v == EXPECTED[:3]\n",
    "an item set": "    EXPECTED[0] = 1\n    if r:\n        assert r.v == EXPECTED\n",
}


@pytest.mark.parametrize("how", CHANGED_BY_TESTS)
def test_an_operator_changes_nothing_of_the_data_the_tests_change_themselves(how):
    # before: each passed
    passed, out = verdict(BOOL, apply(CHANGED_BY_TESTS[how]))
    assert not passed and "in place" in out, out


def test_right_operators_beside_data_the_tests_change_pass():
    code = ("class Item:\n    def __init__(s, v):\n        s.v = v\n\n    def __lt__(s, o):\n"
            "        return s.v < o.v\n\n    def __bool__(s):\n        return True\n\n\n"
            "def apply(xs, f):\n    return [Item(f(x)) for x in xs[::-1]]\n")
    body = ("    for i in range(3):\n        EXPECTED.append(EXPECTED[-1])\n        assert r[0]\n"
            "        assert [x.v for x in sorted(r)] == EXPECTED[:3]\n        EXPECTED.pop()\n")
    passed, out = verdict(code, apply(body))
    assert passed, out


AENTER = keeping("class Box:\n    def __init__(s, v):\n        s.v = v\n\n    async def __aenter__(s):\n"
                 "        import asyncio\n        await asyncio.sleep(0)\n        await asyncio.sleep(0)\n        %s\n"
                 "        return s\n\n    async def __aexit__(s, *a):\n        return False\n" % REWRITE, "Box([0])")
GATHERED = ("    import asyncio\n\n    async def other():\n        assert len(EXPECTED) == 3\n\n    async def go():\n"
            "        async with r as b:\n            return b.v\n\n    async def both():\n"
            "        return (await asyncio.gather(go(), other()))[0]\n\n    assert asyncio.run(both()) == EXPECTED\n")


def test_an_async_context_manager_pausing_across_the_tests_reads_changes_nothing_of_theirs():
    # before: passed (its __aenter__'s body ran as the tests' loop stepped it, after their other coroutine's read had
    # let go of the hold its call took)
    passed, out = verdict(AENTER, apply(GATHERED))
    assert not passed and "in place" in out, out


def test_a_right_async_context_manager_that_pauses_passes():
    code = ("import asyncio\n\n\nclass Squares:\n    def __init__(s, xs, f):\n        s.xs, s.f = xs, f\n\n"
            "    async def __aenter__(s):\n        await asyncio.sleep(0)\n        s.v = [s.f(x) for x in s.xs]\n"
            "        return s\n\n"
            "    async def __aexit__(s, *a):\n        await asyncio.sleep(0)\n        return False\n\n\n"
            "def apply(xs, f):\n    return Squares(xs, f)\n")
    passed, out = verdict(code, apply(GATHERED))
    assert passed, out


REWRITING = "G = {}\n\n\ndef apply(xs, f):\n    G['g'] = f.__globals__\n    %s\n    return [0]\n" % REWRITE
# a helper of the tests' that reads EXPECTED (any call in it, a comparison's check too, counted as a change of what
# it names): EXPECTED went unwatched, and the solution's call rewrote it
READING_HELPERS = {
    "a comparison": "def same(r):\n    return r == EXPECTED\n",
    "builtins that read": "def same(r):\n    return len(r) == len(EXPECTED) and sorted(r) == sorted(EXPECTED)\n",
    "another helper that reads": "def norm(v):\n    return sorted(v)\n\n\ndef same(r):\n"
                                 "    return norm(r) == norm(EXPECTED)\n",
    "a comprehension": "def same(r):\n    return [x for x in r] == [y for y in EXPECTED]\n",
}


@pytest.mark.parametrize("how", READING_HELPERS)
def test_the_data_a_reading_helper_of_the_tests_names_stays_watched(how):
    # before: each passed
    passed, out = verdict(REWRITING, apply("    assert same(r)\n", READING_HELPERS[how]))
    assert not passed and "in place" in out, out


@pytest.mark.parametrize("how", READING_HELPERS)
def test_right_programs_beside_reading_helpers_pass(how):
    passed, out = verdict("def apply(xs, f):\n    return [f(x) for x in xs]\n",
                          apply("    assert same(r)\n", READING_HELPERS[how]))
    assert passed, out


def test_a_helper_of_the_tests_that_changes_what_it_names_may_run_in_the_call():
    helpers = "SEEN = []\n\n\ndef log(x):\n    SEEN.append(x)\n    return x * x\n"
    tests = humaneval("apply", HELPER % helpers + "    r = candidate([1, 2, 3], log)\n    assert r == EXPECTED\n"
                      "    assert SEEN == [1, 2, 3]\n", "xs, f")
    passed, out = verdict("def apply(xs, f):\n    return [f(x) for x in xs]\n", tests)
    assert passed, out
