"""Twenty-fourth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


HELPER = "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
REWRITE = "G['g']['EXPECTED'][:] = [0]"


def apply(body: str):
    """Tests of ``apply(xs, f)`` (``f`` the tests' helper, whose ``__globals__`` lead to ``EXPECTED``)."""
    return humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n" + body, "xs, f")


def keeping(cls: str, value: str) -> str:
    """A wrong ``apply`` that keeps the tests' namespace and returns ``value`` of its ``cls``."""
    return "G = {}\n\n\n" + cls + "\n\ndef apply(xs, f):\n    G['g'] = f.__globals__\n    return %s\n" % value


# the solution's operators the tests' code runs outside its calls (an if, a set, sorted()) rewrote EXPECTED before
# the comparison: they ran in no window
OPERATORS = {
    "__bool__ at an if": (keeping("class L(list):\n    def __bool__(s):\n        %s\n        return True\n" % REWRITE,
                                  "L([0])"), "    if r:\n        assert r == EXPECTED\n"),
    "__bool__ in an and": (keeping("class L(list):\n    def __bool__(s):\n        %s\n        return True\n" % REWRITE,
                                   "L([0])"), "    assert r and r == EXPECTED\n"),
    "__bool__ of an object of its own": (
        keeping("class Box:\n    def __init__(s, v):\n        s.v = v\n\n    def __bool__(s):\n        %s\n"
                "        return True\n" % REWRITE, "Box([0])"), "    if r:\n        assert r.v == EXPECTED\n"),
    "__hash__ in a set": (keeping("class N(int):\n    def __hash__(s):\n        %s\n        return int.__hash__(s)\n"
                                  % REWRITE, "[N(0)]"), "    assert set(r) == set(EXPECTED)\n"),
    "__lt__ in sorted()": (
        keeping("class Item:\n    def __init__(s, v):\n        s.v = v\n\n    def __lt__(s, o):\n        %s\n"
                "        return s.v < o.v\n" % REWRITE, "[Item(0), Item(0)]"),
        "    assert [x.v for x in sorted(r)][:1] == EXPECTED\n"),
    "__getattr__ at a hasattr()": (
        keeping("class Box:\n    def __init__(s, v):\n        s.v = v\n\n    def __getattr__(s, k):\n        %s\n"
                "        raise AttributeError(k)\n" % REWRITE, "Box([0])"),
        "    if not hasattr(r, 'error'):\n        assert r.v == EXPECTED\n"),
    "the class's __eq__ at an 'in' of the tests' list": (
        keeping("class Box:\n    def __init__(s, v):\n        s.v = v\n\n    def __eq__(s, o):\n        %s\n"
                "        return s is o\n\n    __hash__ = object.__hash__\n" % REWRITE, "Box([0])"),
        "    seen = [None]\n    if r not in seen:\n        assert r.v == EXPECTED\n"),
}


@pytest.mark.parametrize("how", OPERATORS)
def test_an_operator_the_tests_run_outside_the_call_changes_nothing_of_theirs(how):
    # before: each passed (the comparison and hash operators of the solution's classes ran in no window)
    code, body = OPERATORS[how]
    passed, out = verdict(code, apply(body))
    assert not passed and "in place" in out, out


RIGHT = {  # the same shapes, honest: their operators change nothing of the tests'
    "__bool__ at an if": ("class L(list):\n    def __bool__(s):\n        return len(s) > 0\n\n\n"
                          "def apply(xs, f):\n    return L(f(x) for x in xs)\n",
                          "    if r:\n        assert r == EXPECTED\n"),
    "__hash__ in a set": ("class N(int):\n    def __hash__(s):\n        return int.__hash__(s)\n\n\n"
                          "def apply(xs, f):\n    return [N(f(x)) for x in xs]\n",
                          "    assert set(r) == set(EXPECTED)\n"),
    "__lt__ in sorted()": ("class Item:\n    def __init__(s, v):\n        s.v = v\n\n    def __lt__(s, o):\n"
                           "        return s.v < o.v\n\n\ndef apply(xs, f):\n"
                           "    return [Item(f(x)) for x in xs[::-1]]\n",
                           "    assert [x.v for x in sorted(r)] == EXPECTED\n"),
    # the tests change their own data between the operator and their next read
    "the tests' own change after an if": (
        "class L(list):\n    def __bool__(s):\n        return len(s) > 0\n\n\n"
        "def apply(xs, f):\n    return L(f(x) for x in xs)\n",
        "    if r:\n        EXPECTED.append(16)\n        r.append(16)\n    assert r == EXPECTED\n"),
}


@pytest.mark.parametrize("how", RIGHT)
def test_honest_operators_the_tests_run_pass(how):
    code, body = RIGHT[how]
    passed, out = verdict(code, apply(body))
    assert passed, out


FLAG_AT_A_COLLECTION = """import weakref
G = {}
KEEP = []


class Box:
    def __init__(s, v):
        s.v = v

    def __bool__(s):
        %s
        return True


class Junk:
    pass


def apply(xs, f):
    G['g'] = f.__globals__
    flag = next(c for c in vars(Box)['__bool__'].__code__.co_consts if type(c) is list)
    j = Junk()
    j.me = j
    KEEP.append(weakref.ref(j, lambda w: flag.__setitem__(0, True)))
    return Box([0])
""" % REWRITE


def test_the_flag_that_says_the_tests_data_is_held_is_not_the_solutions_to_set():
    # before: passed (the __bool__ rewrote EXPECTED at the tests' if). What lets the operators skip their hold lives
    # in their wrappers' code, and a collection their allocations start is a window that resets nothing: a flag set
    # there is refused at the tests' next read (their reads reset it, so this one is also caught as a change)
    tests = apply("    junk = [[i] for i in range(20000)]\n    if r:\n        assert r.v == EXPECTED and junk\n")
    passed, out = verdict(FLAG_AT_A_COLLECTION, tests)
    assert not passed, out


def test_a_heap_of_the_solutions_nodes_and_an_ordered_dataclass_pass():
    code = ("import heapq\nfrom dataclasses import dataclass\n\n\n@dataclass(order=True, frozen=True)\nclass P:\n"
            "    v: int\n\n\nclass Node:\n    def __init__(self, v):\n        self.v = v\n\n"
            "    def __lt__(self, o):\n        return self.v < o.v\n\n\n"
            "def apply(xs, f):\n    h = [Node(f(x)) for x in xs]\n    heapq.heapify(h)\n"
            "    return [P(heapq.heappop(h).v) for _ in xs]\n")
    tests = apply("    assert [p.v for p in sorted(set(r))] == EXPECTED\n    assert max(r) == P(9)\n"
                  "    assert r == sorted(r)\n")
    passed, out = verdict(code, tests)
    assert passed, out


GRADES = {  # a number whose own text shows no number at all: a plain run prints that text
    "str()": "assert str(candidate(3.7)) == 'A' and str(candidate(2.1)) == 'C' and candidate(3.7) == 3.7",
    "format": "assert f'{candidate(3.7)}' == 'A' and '%s' % candidate(2.1) == 'C'",
    "print()": "import io, contextlib\n    out = io.StringIO()\n    with contextlib.redirect_stdout(out):\n"
               "        print(candidate(3.7))\n    assert out.getvalue() == 'A\\n'",
}


@pytest.mark.parametrize("how", GRADES)
def test_a_float_printing_a_letter_grade_passes(how):
    # before: each failed ('answers __str__ with the solution's own code other than what it holds')
    code = ("class Grade(float):\n    def __str__(self):\n        return 'A' if self >= 3.5 else 'B' if self >= 2.5 "
            "else 'C'\n\n\ndef f(gpa):\n    return Grade(gpa)\n")
    passed, out = verdict(code, humaneval("f", "def check(candidate):\n    %s\n" % GRADES[how], "gpa"))
    assert passed, out


def test_a_number_printing_another_number_is_still_refused():
    code = ("class Grade(float):\n    def __str__(self):\n        return 'A9' if self >= 3.5 else 'C'\n\n\n"
            "def f(gpa):\n    return Grade(gpa)\n")
    passed, out = verdict(code, humaneval("f", "def check(candidate):\n    assert str(candidate(3.7)) == 'A9'\n",
                                          "gpa"))
    assert not passed and "other than what it holds" in out, out


# the solution's functions made with globals of their own (exec, types.FunctionType): the window took for its code
# only what its module's globals run, so a method, an operator or a returned function so made ran in none
MADE = "G = {}\nns = {'G': G}\nexec(\"def b(s, *a):\\n    %s\\n    return True\\n\", ns)\n" % REWRITE
MADE_ELSEWHERE = {
    "a method": (MADE + "\n\nclass Box:\n    def __init__(s, v):\n        s.v = v\n\n    describe = ns['b']\n\n\n"
                 "def apply(xs, f):\n    G['g'] = f.__globals__\n    return Box([0])\n",
                 "    r.describe()\n    assert r.v == EXPECTED\n"),
    "a __len__": (MADE + "\n\nclass Box:\n    def __init__(s, v):\n        s.v = v\n\n    __len__ = ns['b']\n\n\n"
                  "def apply(xs, f):\n    G['g'] = f.__globals__\n    return Box([0])\n",
                  "    if len(r):\n        assert r.v == EXPECTED\n"),
    "a __bool__": (MADE + "\n\nclass Box:\n    def __init__(s, v):\n        s.v = v\n\n    __bool__ = ns['b']\n\n\n"
                   "def apply(xs, f):\n    G['g'] = f.__globals__\n    return Box([0])\n",
                   "    if r:\n        assert r.v == EXPECTED\n"),
    "a returned function": ("import types\nG = {}\n\n\ndef g():\n    G['g']['EXPECTED'][:] = [0]\n    return [0]\n\n\n"
                            "def apply(xs, f):\n    G['g'] = f.__globals__\n"
                            "    return types.FunctionType(g.__code__, {'G': G})\n",
                            "    assert r() == EXPECTED\n"),
}


@pytest.mark.parametrize("how", MADE_ELSEWHERE)
def test_the_solutions_code_made_with_globals_of_its_own_runs_in_the_window(how):
    # before: each passed
    code, body = MADE_ELSEWHERE[how]
    passed, out = verdict(code, apply(body))
    assert not passed and "in place" in out, out


def test_right_programs_with_namedtuples_and_code_made_by_exec_pass():
    code = ("from collections import namedtuple\nfrom typing import NamedTuple\nP = namedtuple('P', 'x y')\n\n\n"
            "class Q(NamedTuple):\n    x: int\n    y: int\n\n\nns = {}\n"
            "exec(\"def each(xs, f):\\n    return [f(x) for x in xs]\\n\", ns)\n\n\n"
            "class Box:\n    each = staticmethod(ns['each'])\n\n\n"
            "def apply(xs, f):\n    return [P(x, y) for x, y in zip(xs, Box.each(xs, f))] + [Q(x, f(x)) for x in xs]\n")
    tests = apply("    assert [p.y for p in r[:3]] == EXPECTED and r[0] == P(1, 1) and r[3] == Q(1, 1)\n"
                  "    assert sorted(r)[0] == (1, 1) and P(*r[1]) == (2, 4) and Box.each([2], sq) == [4]\n")
    passed, out = verdict(code, tests)
    assert passed, out


# a context manager of the solution's: its __enter__ and __exit__ ran in no window where the tests' with ran them
MANAGER = ("G = {}\n\n\nclass Box:\n    def __init__(s, v):\n        s.v = v\n\n    def __enter__(s):\n%s"
           "        return s\n\n    def __exit__(s, *a):\n%s        return False\n\n\n"
           "def apply(xs, f):\n    G['g'] = f.__globals__\n    return Box([0])\n")
IN_A_WITH = {
    "__enter__": (MANAGER % ("        %s\n" % REWRITE, ""), "    with r as b:\n        assert b.v == EXPECTED\n"),
    "__exit__": (MANAGER % ("", "        %s\n" % REWRITE), "    with r as b:\n        pass\n"
                                                           "    assert b.v == EXPECTED\n"),
}


@pytest.mark.parametrize("how", IN_A_WITH)
def test_a_context_manager_of_the_solutions_changes_nothing_of_the_tests(how):
    # before: each passed
    code, body = IN_A_WITH[how]
    passed, out = verdict(code, apply(body))
    assert not passed and "in place" in out, out


def test_a_right_context_manager_passes():
    code = ("class Squares:\n    def __init__(s, xs, f):\n        s.xs, s.f, s.log = xs, f, []\n\n"
            "    def __enter__(s):\n        s.log.append('in')\n        return [s.f(x) for x in s.xs]\n\n"
            "    def __exit__(s, *a):\n        s.log.append('out')\n        return False\n\n\n"
            "def apply(xs, f):\n    return Squares(xs, f)\n")
    tests = apply("    with r as v:\n        assert v == EXPECTED\n    assert r.log == ['in', 'out']\n")
    passed, out = verdict(code, tests)
    assert passed, out
