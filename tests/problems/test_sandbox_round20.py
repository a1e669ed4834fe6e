"""Twentieth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


HELPER = "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
LISTED = humaneval("apply", HELPER + "    assert list(candidate([1, 2, 3], sq)) == EXPECTED\n", "xs, f")
RAISES = humaneval("apply", HELPER + "    try:\n        candidate(None, sq)\n    except TypeError:\n        pass\n"
                   "    else:\n        assert False\n    assert candidate([1, 2, 3], sq) == EXPECTED\n", "xs, f")
OUTSIDE = {  # the tests' expected values rewritten where no call of the solution's function was watched
    # a generator's body runs only as the tests iterate it, after the call returned
    "a generator rebinding": (LISTED, "def apply(xs, f):\n    f.__globals__['EXPECTED'] = [0]\n    yield 0\n"),
    "a generator changing in place": (LISTED, "def apply(xs, f):\n    yield 0\n"
                                              "    f.__globals__['EXPECTED'][:] = [0]\n"),
    "an inner generator returned": (LISTED, "def apply(xs, f):\n    def g():\n"
                                            "        f.__globals__['EXPECTED'][:] = [0]\n        yield 0\n"
                                            "    return g()\n"),
    # a call that raises, as the tests expect, went unlooked at
    "a call that raises": (RAISES, "def apply(xs, f):\n    if xs is None:\n"
                                   "        f.__globals__['EXPECTED'] = [0]\n        raise TypeError('none')\n"
                                   "    return [0]\n"),
}


@pytest.mark.parametrize("how", OUTSIDE)
def test_the_tests_data_is_watched_in_generators_and_calls_that_raise(how):
    # before: each passed
    program, wrong = OUTSIDE[how]
    assert not verdict(wrong, program)[0]


SENT = humaneval("running", "def check(candidate):\n    g = candidate()\n    assert next(g) == 0\n"
                            "    assert g.send(5) == 5\n    assert g.send(2) == 7\n    try:\n"
                            "        g.throw(ValueError)\n    except StopIteration as e:\n        assert e.value == 7\n"
                            "    else:\n        assert False\n", "")
RIGHT = {  # generators the tests iterate, send to, throw into and close; calls that raise as the tests expect
    "listed": (LISTED, "def apply(xs, f):\n    for x in xs:\n        yield f(x)\n"),
    "inner generator": (LISTED, "def apply(xs, f):\n    return (f(x) for x in xs)\n"),
    "raising": (RAISES, "def apply(xs, f):\n    return [f(x) for x in xs]\n"),
    "sent and thrown": (SENT, "def running():\n    total = 0\n    while True:\n        try:\n"
                              "            total += yield total\n        except ValueError:\n"
                              "            return total\n"),
    "closed early": (humaneval("count", "from itertools import islice\n\n\ndef helper(x):\n    return x\n\n\n"
                                        "def check(candidate):\n    g = candidate()\n"
                                        "    assert list(islice(g, 3)) == [0, 1, 2]\n    g.close()\n", ""),
                     "import itertools\n\n\ndef count():\n    yield from itertools.count()\n"),
    "a generator function's generator checked": (
        humaneval("gen", "import inspect\n\n\ndef helper(x):\n    return x\n\n\ndef check(candidate):\n"
                         "    g = candidate(2)\n    assert inspect.isgenerator(g)\n"
                         "    assert sum(g) == 1\n", "n"), "def gen(n):\n    yield from range(n)\n"),
}


@pytest.mark.parametrize("how", RIGHT)
def test_right_generators_and_raising_calls_pass(how):
    program, right = RIGHT[how]
    assert verdict(right, program)[0]


GENERATED = humaneval("third", "from decimal import Decimal\n\n\ndef check(candidate):\n"
                      "    assert list(candidate(Decimal(1))) == [Decimal(1) / Decimal(3)]\n", "x")


def test_a_generators_body_computes_in_the_solutions_decimal_context():
    # before: passed (the body's getcontext().prec = 1 was the tests' context when they divided)
    wrong = "import decimal\n\n\ndef third(x):\n    decimal.getcontext().prec = 1\n    yield decimal.Decimal('0.3')\n"
    assert not verdict(wrong, GENERATED)[0]
    assert verdict("def third(x):\n    yield x / 3\n", GENERATED)[0]


BOXED = humaneval("make", HELPER + "    b = candidate(sq)\n    assert b.apply([1, 2, 3]) == EXPECTED\n"
                  "    assert b.total([1, 2]) == 5\n", "f")
BOX = "class Box:\n    def __init__(self, f):\n        self.f = f\n\n"
METHODS = {  # a method of the object the solution's function returned, called by the tests after that call
    "rebinding": BOX + "    def apply(self, xs):\n        self.f.__globals__['EXPECTED'] = [0]\n        return [0]\n\n"
                       "    def total(self, xs):\n        return 5\n\n\ndef make(f):\n    return Box(f)\n",
    "changing in place": BOX + "    def apply(self, xs):\n        self.f.__globals__['EXPECTED'][:] = [0]\n"
                               "        return [0]\n\n    def total(self, xs):\n        return 5\n\n\n"
                               "def make(f):\n    return Box(f)\n",
}


@pytest.mark.parametrize("how", METHODS)
def test_methods_of_what_the_solution_returned_are_watched(how):
    # before: each passed
    assert not verdict(METHODS[how], BOXED)[0]


def test_right_classes_pass():
    right = BOX + ("    def apply(self, xs):\n        return [self.f(x) for x in xs]\n\n    def total(self, xs):\n"
                   "        return sum(self.apply(xs))\n\n\ndef make(f):\n    return Box(f)\n")
    assert verdict(right, BOXED)[0]
    # a LeetCode class whose method recurses through self, many times, and a subclass of the solution's
    fib = humaneval("fib", "def helper(x):\n    return x\n\n\ndef check(candidate):\n"
                           "    assert candidate(25) == 75025\n", "n")
    deep = ("class Base:\n    def step(self, n):\n"
            "        return n if n < 2 else self.step(n - 1) + self.step(n - 2)\n\n\n"
            "class Solution(Base):\n    def go(self, n):\n        return self.step(n)\n\n\n"
            "def fib(n):\n    return Solution().go(n)\n")
    assert verdict(deep, fib)[0]


AWAITED = humaneval("apply", "import asyncio\n\n" + HELPER +
                    "    assert asyncio.run(candidate([1, 2, 3], sq)) == EXPECTED\n", "xs, f")


def test_a_coroutines_body_is_watched():
    # before: passed (the body ran as asyncio.run stepped it, after the call had returned the coroutine)
    wrong = ("import asyncio\n\n\nasync def apply(xs, f):\n    await asyncio.sleep(0)\n"
             "    f.__globals__['EXPECTED'] = [0]\n    return [0]\n")
    assert not verdict(wrong, AWAITED)[0]


RIGHT_ASYNC = {
    "awaited": (AWAITED, "import asyncio\n\n\nasync def apply(xs, f):\n    await asyncio.sleep(0.01)\n"
                         "    return [f(x) for x in xs]\n"),
    "gathered, timed out and cancelled": (
        humaneval("slow", "import asyncio\n\n\ndef helper(x):\n    return x\n\n\ndef check(candidate):\n"
                          "    async def main():\n        got = await asyncio.gather(candidate(1), candidate(2))\n"
                          "        assert got == [1, 2]\n        try:\n"
                          "            await asyncio.wait_for(candidate(10), 0.05)\n"
                          "        except asyncio.TimeoutError:\n            return True\n"
                          "    assert asyncio.run(main())\n", "n"),
        "import asyncio\n\n\nasync def slow(n):\n    await asyncio.sleep(n / 100)\n    return n\n"),
}


@pytest.mark.parametrize("how", RIGHT_ASYNC)
def test_right_coroutines_pass(how):
    program, right = RIGHT_ASYNC[how]
    assert verdict(right, program)[0]
