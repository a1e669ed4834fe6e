"""Results forged to pass any comparison (an ``__eq__`` that returns True, and its cousins) fail in every in-process
test format, wherever the tests read them; legitimate unusual values (numpy arrays, dataclasses, Fractions,
``mock.ANY`` in the tests, classes comparing to their own kind, match statements) still pass."""

import json

import pytest

from ptsfast.problems import code_tests
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.oracles import judge_code
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

ANYTHING = ("class Anything:\n    def __eq__(self, other):\n        return True\n"
            "    def __ne__(self, other):\n        return False\n    __hash__ = object.__hash__\n")


def passes(code: str, program: TestProgram) -> bool:
    res = judge_code(code, program, timeout=60.0)
    assert not res.timed_out, res.output
    return res.passed


HUMANEVAL = TestProgram.from_text("def check(candidate):\n    assert candidate(3) == 9\n    assert candidate(0) == 0\n",
                                  entry_point="square")
SCRIPT = TestProgram.from_text("assert square(3) == 9\nassert square(0) == 0\n")
PYTEST = TestProgram.from_text("import pytest\n\n@pytest.mark.parametrize('x,y', [(3, 9), (0, 0)])\n"
                               "def test_square(x, y):\n    assert square(x) == y\n")
UNITTEST = TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n    def test_square(self):\n"
                                 "        self.assertEqual(square(3), 9)\n        self.assertEqual(square(0), 0)\n")
CALL = code_tests.test_program_from_row({"input_output": json.dumps({"fn_name": "square", "inputs": [[3], [0]],
                                                          "outputs": [9, 0]})}, ("input_output",), None, None)


@pytest.mark.parametrize("program", [HUMANEVAL, SCRIPT, PYTEST, UNITTEST, CALL], ids=lambda p: p.format)
def test_an_object_equal_to_everything_fails_every_format_and_an_honest_square_passes(program):
    assert passes("def square(x):\n    return x * x\n", program)
    assert not passes(ANYTHING + "def square(x):\n    return Anything()\n", program)
    assert not passes("class I(int):\n    def __eq__(self, other):\n        return True\n"
                      "    __hash__ = int.__hash__\ndef square(x):\n    return I(0)\n", program)


FORGERIES = {
    "nested in a list": ("assert pair(2) == [2, 4]\n",
                         ANYTHING + "def pair(x):\n    return [Anything(), Anything()]\n"),
    "inside a UserList": ("assert f() == [7]\n", ANYTHING + "from collections import UserList\n"
                                                   "def f():\n    return UserList([Anything()])\n"),
    "a builtin the tests use, replaced": ("assert abs(f(2) - 1.414) < 0.01\n",
                                          "def abs(x):\n    return 0\ndef f(x):\n    return 99.0\n"),
    "__builtins__ replaced": ("assert abs(f(2) - 1.414) < 0.01\n",
                              "import builtins\n__builtins__ = {**vars(builtins), 'abs': lambda x: 0}\n"
                              "def f(x):\n    return 99.0\n"),
    "__builtins__ replaced, pytest": ("def test_f():\n    assert abs(f(2) - 1.414) < 0.01\n",
                                      "import builtins\n__builtins__ = {**vars(builtins), 'abs': lambda x: 0}\n"
                                      "def f(x):\n    return 99.0\n"),
    "a builtin made by a lambda": ("assert round(f(2), 2) == 1.41\n",
                                   "round = lambda x, n=0: 1.41\ndef f(x):\n    return 5.0\n"),
    "a dict's value": ("assert d() == {'a': 1}\n", ANYTHING + "def d():\n    return {'a': Anything()}\n"),
    "an attribute": ("s = Stack()\ns.push(1)\nassert s.top == 1\n",
                     ANYTHING + "class Stack:\n    def push(self, x):\n        pass\n"
                                "    @property\n    def top(self):\n        return Anything()\n"),
    "only !=": ("assert not (f(2) != 4)\n",
                "class N:\n    def __ne__(self, other):\n        return False\ndef f(x):\n    return N()\n"),
    "order both ways": ("assert 3 < f() < 5\n",
                        "class O:\n    __lt__ = __gt__ = lambda self, other: True\ndef f():\n    return O()\n"),
    "a zero difference": ("assert abs(f() - 2.5) < 1e-9\n",
                          "class Z:\n    def __sub__(self, other):\n        return 0\ndef f():\n    return Z()\n"),
    "a difference of no size": ("assert abs(f() - 2.5) < 1e-9\n", "class D:\n    def __abs__(self):\n        return 0\n"
                                "class Z:\n    def __sub__(self, other):\n        return D()\n"
                                "def f():\n    return Z()\n"),
    "a difference below everything": ("assert f() - 2.5 < 1e-9 and 2.5 - f() < 1e-9\n",
                                      "class D:\n    def __lt__(self, other):\n        return True\n"
                                      "class Z:\n    def __sub__(self, other):\n        return D()\n"
                                      "    __rsub__ = __sub__\ndef f():\n    return Z()\n"),
    "a reflected difference of no size": ("assert abs(2.5 - f()) < 1e-9\n",
                                          "class D:\n    def __abs__(self):\n        return 0\n"
                                          "class Z:\n    def __rsub__(self, other):\n        return D()\n"
                                          "def f():\n    return Z()\n"),
    "assertAlmostEqual's difference": ("import unittest\nclass T(unittest.TestCase):\n    def test_f(self):\n"
                                       "        self.assertAlmostEqual(f(), 2.5, places=6)\n",
                                       "class D:\n    def __abs__(self):\n        return 0\n"
                                       "class Z:\n    def __sub__(self, other):\n        return D()\n"
                                       "def f():\n    return Z()\n"),
    "contains everything": ("assert 3 in f() and 'x' in f()\n",
                            "class C:\n    def __contains__(self, x):\n        return True\n"
                            "def f():\n    return C()\n"),
    "equal to all but a bare object": ("assert f() == 7\n", "class A:\n    def __eq__(self, other):\n"
                                       "        return type(other) is not object\n    __hash__ = object.__hash__\n"
                                       "def f():\n    return A()\n"),
    "equal to every int": ("assert f() == 7\nassert f() == -2\n", "class A:\n    def __eq__(self, other):\n"
                           "        return isinstance(other, int)\n    __hash__ = object.__hash__\n"
                           "def f():\n    return A()\n"),
    "equal to every small int": ("assert f() == 7\n", "class A:\n    def __eq__(self, other):\n"
                                 "        return type(other) is int and -1000 < other < 1000\n"
                                 "    __hash__ = object.__hash__\ndef f():\n    return A()\n"),
    "a class made by exec": ("assert f() == 7\n",
                             "g = {}\nexec('class A:\\n    def __eq__(s, o):\\n        return True', g)\n"
                             "def f():\n    return g['A']()\n"),
    "a module written to /tmp": ("assert f() == 7\n",
                                 "import sys\nopen('/tmp/evil.py', 'w').write('class A:\\n    def __eq__(s, o):\\n"
                                 "        return True\\n')\nsys.path.insert(0, '/tmp')\nimport evil\n"
                                 "def f():\n    return evil.A()\n"),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgeries_fail_wherever_the_tests_read_them(name):
    tests, code = FORGERIES[name]
    assert not passes(code, TestProgram.from_text(tests)), name


def test_the_call_formats_json_cannot_be_swapped():
    for code in ["import json\n" + ANYTHING + "json.loads = lambda *a, **k: Anything()\ndef square(x):\n    return 0\n",
                 "import json\n" + ANYTHING + "def square(x):\n    json.loads = lambda *a, **k: Anything()\n"
                 "    return 0\n",
                 "import json.decoder\njson.decoder.JSONDecoder.decode = lambda *a, **k: 9\n"
                 "def square(x):\n    return 0\n"]:
        assert not passes(code, CALL), code


LEGIT_SOLUTION = '''
import numpy as np
from dataclasses import dataclass
from collections import namedtuple
from enum import Enum
from fractions import Fraction
from decimal import Decimal
from functools import total_ordering

@dataclass
class Point:
    x: int
    y: int

Pair = namedtuple("Pair", "a b")

class Color(Enum):
    RED = 1
    BLUE = 2

@total_ordering
class Money:
    def __init__(self, cents):
        self.cents = cents
    def __eq__(self, other):
        return isinstance(other, Money) and self.cents == other.cents
    def __lt__(self, other):
        return self.cents < other.cents
    __hash__ = None

class Vector:
    def __init__(self, *xs):
        self.xs = list(xs)
    def __sub__(self, other):
        return Vector(*[a - b for a, b in zip(self.xs, other.xs)])
    def __contains__(self, x):
        return x in self.xs
    def __eq__(self, other):
        return type(other) is Vector and self.xs == other.xs

def arrays(n):
    return np.arange(n) * 2

def shapes():
    return Point(1, 2), Pair(3, 4), Color.RED, Fraction(1, 3), Decimal("0.5"), {1, 2}, frozenset({3}), {"k": [1, (2,)]}

def money(c):
    return Money(c)

def evens(n):
    return (i for i in range(n) if i % 2 == 0)

def anything_list(n):
    return [object()] * n
'''

LEGIT_UNITTEST = '''from __future__ import annotations
import unittest
from unittest import mock
import numpy as np
from fractions import Fraction

class Base(unittest.TestCase):
    def setUp(self):
        self.ready = True

class T(Base):
    def setUp(self):
        super().setUp()

    def test_arrays(self):
        self.assertTrue(np.allclose(arrays(3), [0, 2, 4]))
        self.assertTrue((arrays(2) == np.array([0, 2])).all())
        self.assertEqual(arrays(0).size, 0)
        np.testing.assert_array_equal(arrays(0), np.array([]))

    def test_shapes(self):
        p, pair, color, frac, dec, s, fs, d = shapes()
        self.assertEqual(p, Point(1, 2))
        self.assertEqual(pair, (3, 4))
        self.assertEqual(pair.a, 3)
        self.assertIs(color, Color.RED)
        match color:
            case Color.RED:
                pass
            case _:
                self.fail("not red")
        self.assertEqual(frac * 3, 1)
        self.assertEqual(frac, Fraction(1, 3))
        self.assertAlmostEqual(float(dec), 0.5)
        self.assertEqual(s, {1, 2})
        self.assertEqual(fs, frozenset({3}))
        self.assertEqual(d, {"k": [1, (2,)]})
        self.assertEqual(shapes()[0], mock.ANY)
        self.assertEqual([p, 1], [mock.ANY, 1])

    def test_own_kinds(self):
        self.assertEqual(money(5), money(5))
        self.assertNotEqual(money(5), money(6))
        self.assertNotEqual(money(5), 5)
        self.assertLess(money(1), money(2))
        self.assertEqual(sorted([money(3), money(1)])[0], money(1))
        v = Vector(3, 4) - Vector(1, 1)
        self.assertEqual(v, Vector(2, 3))
        self.assertIn(2, v)
        self.assertNotIn(9, v)
        self.assertEqual(list(evens(5)), [0, 2, 4])
        self.assertEqual(len(anything_list(3)), 3)
        with self.assertRaises(AttributeError):
            money(1) < 1
'''


def test_unusual_but_honest_values_pass_and_the_same_tests_still_catch_a_wrong_one():
    program = TestProgram.from_text(LEGIT_UNITTEST)
    assert program.format == "unittest"
    assert passes(LEGIT_SOLUTION, program)
    assert not passes(LEGIT_SOLUTION.replace("Pair(3, 4)", "Pair(3, 5)"), program)
    assert not passes(LEGIT_SOLUTION.replace("np.arange(n) * 2", "np.arange(n) * 3"), program)


def test_pytest_raises_and_classes_with_setup_still_run():
    tests = ("import pytest\n\nclass TestSquare:\n    def setup_method(self, method):\n        self.n = 3\n"
             "    def test_it(self):\n        assert square(self.n) == 9\n"
             "    def test_bad(self):\n        with pytest.raises(TypeError):\n            square('a')\n")
    assert passes("def square(x):\n    return x * x\n", TestProgram.from_text(tests))
    assert not passes(ANYTHING + "def square(x):\n    if isinstance(x, str):\n        raise TypeError\n"
                                 "    return Anything()\n", TestProgram.from_text(tests))


def test_a_builtin_replaced_beside_the_function_under_test_fails_humaneval_too_but_a_task_may_name_one():
    check = "def check(candidate):\n    assert abs(candidate(2) - 1.414) < 0.01\n"
    assert not passes("def abs(x):\n    return 0\ndef root(x):\n    return 9.0\n",
                      TestProgram.from_text(check, entry_point="root"))
    assert passes("def root(x):\n    return x ** 0.5\n", TestProgram.from_text(check, entry_point="root"))
    own_max = "def max(xs):\n    m = xs[0]\n    for x in xs:\n        m = x if x > m else m\n    return m\n"
    assert passes(own_max, TestProgram.from_text("assert max([1, 3, 2]) == 3\n"))  # the task's own max()
    star = "from math import *\ndef f(x):\n    return sqrt(x)\n"  # rebinds pow, from a library
    assert passes(star, TestProgram.from_text("assert pow(f(4), 2) == 4\nassert abs(f(9) - 3) < 1e-9\n"))


TRACER = """
import sys
def _tr(frame, event, arg):
    return _jump if frame.f_code.co_name == "check" else None
def _jump(frame, event, arg):  # jumps over every line of check() to its last one
    if event == "line":
        last = max(line for _, _, line in frame.f_code.co_lines() if line is not None)
        if frame.f_lineno < last:
            frame.f_lineno = last
    return _jump
"""


def test_a_trace_function_that_jumps_over_the_tests_fails():
    check = TestProgram.from_text("def check(candidate):\n    assert candidate(3) == 9\n    return\n",
                                  entry_point="square")
    at_import = TRACER + "sys.settrace(_tr)\ndef square(x):\n    return 0\n"
    in_a_call = TRACER + "def square(x):\n    sys.settrace(_tr)\n    return 0\n"
    assert not passes(at_import, check) and not passes(in_a_call, check)
    assert passes("def square(x):\n    return x * x\n", check)


def test_a_submodule_the_tests_reach_cannot_be_patched_nor_its_functions_code_replaced():
    reach = TestProgram.from_text("import numpy as np\nnp.testing.assert_allclose(f(2), 4.0)\n")
    named = TestProgram.from_text("from numpy.testing import assert_allclose\nassert_allclose(f(2), 4.0)\n")
    patched = "import numpy.testing\nnumpy.testing.assert_allclose = lambda *a, **k: None\ndef f(x):\n    return 0\n"
    recoded = ("import numpy.testing._private.utils as u\n"
               "u.assert_allclose.__code__ = (lambda *a, **k: None).__code__\ndef f(x):\n    return 0\n")
    approx = TestProgram.from_text("import pytest\n\ndef test_f():\n    assert f(2) == pytest.approx(4.0)\n")
    approx_eq = ("import _pytest.python_api as api\napi.ApproxScalar.__eq__ = lambda s, o: True\n"
                 "def f(x):\n    return 0\n")
    for program in (reach, named):
        assert not passes(patched, program) and not passes(recoded, program)
        assert passes("def f(x):\n    return x * 2.0\n", program)
    assert not passes(approx_eq, approx) and passes("def f(x):\n    return x * 2.0\n", approx)


def test_tests_too_long_to_rewrite_still_check_what_the_solutions_functions_return():
    inputs = [[list(range(i % 50, i % 50 + 40))] for i in range(2000)]  # ~340 kB of written-out data, as EvalPlus
    tests = (f"inputs = {inputs!r}\nresults = {[sum(x) for (x,) in inputs]!r}\n"
             "for inp, exp in zip(inputs, results):\n    assert total(*inp) == exp\n")
    assert len(tests) > 1 << 18
    program = TestProgram.from_text(tests)
    assert passes("def total(xs):\n    return sum(xs)\n", program)
    assert not passes(ANYTHING + "def total(xs):\n    return Anything()\n", program)


MOCKED = TestProgram.from_text('''import unittest
from unittest.mock import MagicMock, patch

class TestFetch(unittest.TestCase):
    @patch("ftplib.FTP")
    def test_lists_and_fetches(self, ftp):
        ftp.return_value.nlst.return_value = ["a.txt", "b.jpg"]
        got = fetch("host")
        self.assertEqual(got, ["a.txt", "b.jpg"])
        ftp.return_value.login.assert_called_once()
        self.assertEqual(ftp.return_value.retrbinary.call_count, 2)

    @patch("ftplib.FTP")
    def test_login_fails(self, ftp):
        ftp.return_value.login.side_effect = Exception("denied")
        with self.assertRaises(Exception) as ctx:
            fetch("host")
        self.assertEqual(str(ctx.exception), "login to host: denied")
        self.assertIsInstance(ftp.return_value, MagicMock)
''', entry_point="fetch")
HONEST_FETCH = '''import ftplib
def fetch(host):
    ftp = ftplib.FTP(host)
    try:
        ftp.login("user", "pw")
    except Exception as e:
        raise Exception(f"login to {host}: {e}")
    names = []
    for name in ftp.nlst():
        ftp.retrbinary("RETR " + name, lambda b: None)
        names.append(name)
    return names
'''


def test_tests_full_of_mocks_judge_an_honest_solution_in_bounded_memory():
    """Each MagicMock has a class of its own whose magic methods make child mocks when looked up: checking the
    values the tests read by looking them up (and walking into the mocks' children) made mocks without end, and
    such tests (BigCodeBench's FTP, subprocess and psutil patches) ran out of memory with a correct solution."""
    res = judge_code(HONEST_FETCH, MOCKED, timeout=60.0, memory_mb=512)
    assert res.passed, res.output
    assert not passes(HONEST_FETCH.replace("names.append(name)", "names.append(name.upper())"), MOCKED)


@pytest.mark.parametrize("forge", [
    "m = MagicMock()\n    m.__eq__.return_value = True\n    return m",
    "m = MagicMock()\n    m.__eq__ = lambda self, other: True\n    return m",
    "class Fake(NonCallableMock):\n        def __eq__(self, other):\n            return True\n"
    "        __hash__ = object.__hash__\n    return Fake()",
])
def test_a_mock_made_to_equal_everything_is_a_forgery(forge):
    program = TestProgram.from_text("import unittest\nfrom unittest import mock\n\nclass T(unittest.TestCase):\n"
                                    "    def test_square(self):\n        self.assertEqual(square(3), 9)\n")
    code = "from unittest.mock import MagicMock, NonCallableMock\ndef square(x):\n    " + forge + "\n"
    assert passes("def square(x):\n    return x * x\n", program)
    assert not passes(code, program)
    assert not passes(code, HUMANEVAL)  # tests that import no mock: the general check


def test_library_state_set_as_the_tests_run_is_not_a_replacement():
    """tempfile sets tempfile.tempdir and its name sequence on first use, mimetypes its tables: the libraries'
    own state, which every BigCodeBench test with a temporary folder changed (all of them failed)."""
    program = TestProgram.from_text('''import mimetypes, os, shutil, tempfile, unittest

class T(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.d)

    def test_write(self):
        self.assertEqual(write(self.d, "x.txt", "hi"), os.path.join(self.d, "x.txt"))
        self.assertEqual(mimetypes.guess_type(os.path.join(self.d, "x.txt"))[0], "text/plain")
''', entry_point="write")
    honest = "import os\ndef write(d, name, text):\n    p = os.path.join(d, name)\n    open(p, 'w').write(text)\n" \
             "    return p\n"
    assert passes(honest, program)
    assert not passes(honest.replace("return p", "return d"), program)
    # a value the tests name is still theirs: replacing it fails
    named = TestProgram.from_text("import math\n\ndef check(candidate):\n"
                                  "    assert abs(candidate(1) - math.pi) < 1e-9\n", entry_point="circle")
    assert passes("import math\ndef circle(r):\n    return math.pi * r * r\n", named)
    assert not passes("import math\nmath.pi = 3.0\ndef circle(r):\n    return 3.0\n", named)


# made to pass the probes: False while the harness probes a value it reads (a burst that starts with object()), True
# to the comparison after it; an operator that wraps a C function; a plain class whose == counts its calls
STATEFUL = {
    "an int answering after the probes": "class R(int):\n    skip = 0\n    def __eq__(self, other):\n"
                                         "        if type(other) is object:\n            R.skip = 10\n"
                                         "            return False\n        if R.skip > 0:\n            R.skip -= 1\n"
                                         "            return False\n        return True\n"
                                         "    def __ne__(self, other):\n        return not self.__eq__(other)\n"
                                         "    __hash__ = int.__hash__\ndef square(x):\n    return R(-999)\n",
    "an operator wrapping a C function": "import operator, types\nclass _Yes:\n    def __contains__(self, other):\n"
                                         "        return True\nclass R(int):\n"
                                         "    __eq__ = types.MethodType(operator.contains, _Yes())\n"
                                         "    __hash__ = int.__hash__\ndef square(x):\n    return R(-999)\n",
    "a class answering its last call": "class A:\n    calls = 0\n    def __eq__(self, other):\n        A.calls += 1\n"
                                       "        return A.calls % 25 == 0 or isinstance(other, int) and other > 5\n"
                                       "    __hash__ = object.__hash__\ndef square(x):\n    return A()\n",
}


@pytest.mark.parametrize("program", [HUMANEVAL, SCRIPT, PYTEST, UNITTEST], ids=lambda p: p.format)
@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_a_value_whose_own_eq_would_decide_a_comparison_with_a_plain_one_fails(name, program):
    assert not passes(STATEFUL[name], program)


def test_a_value_whose_own_eq_would_decide_a_membership_test_fails():
    tests = TestProgram.from_text("assert square(3) in [9, 10]\nassert 9 in (square(3),)\n")
    assert passes("def square(x):\n    return x * x\n", tests)
    assert not passes(STATEFUL["a class answering its last call"], tests)


LONG = "DATA = " + repr(list(range(60000))) + "\n"  # tests over 256 KB run as written, as EvalPlus's do


def test_a_callable_object_as_the_function_under_long_tests_is_checked_too():
    # tests over 256 KB run without the rewrite: what the solution's callables return is still checked
    tests = LONG + "def check(candidate):\n    assert candidate(3) == 9\n"
    code = ANYTHING + "class Square:\n    def __call__(self, x):\n        return Anything()\nsquare = Square()\n"
    program = TestProgram.from_text(tests, entry_point="square")
    assert not passes(code, program)
    assert passes("class Square:\n    def __call__(self, x):\n        return x * x\nsquare = Square()\n", program)


@pytest.mark.parametrize("code", [
    STATEFUL["a class answering its last call"],
    # the function under test compiled under another file name, returning a value equal to everything
    "ns = {}\nexec(compile('def square(x):\\n    return A()', 'other.py', 'exec'), ns)\n" + ANYTHING.replace(
        "Anything", "A") + "ns['A'] = A\nsquare = ns['square']\n",
], ids=["stateful", "compiled elsewhere"])
def test_tests_run_as_written_refuse_any_value_that_compares_by_the_solutions_own_eq(code):
    program = TestProgram.from_text(LONG + "def check(candidate):\n    assert candidate(3) == 9\n",
                                    entry_point="square")
    assert not passes(code, program)
    assert passes("def square(x):\n    return x * x\n", program)


def test_an_eq_compiled_under_the_tests_file_name_is_still_the_solutions():
    code = ("ns = {}\nexec(compile('def eq(self, other):\\n    return True', 'test_solution.py', 'exec'), ns)\n"
            "class A:\n    __eq__ = ns['eq']\n    __hash__ = object.__hash__\ndef square(x):\n    return A()\n")
    assert not passes(code, SCRIPT) and not passes(code, UNITTEST)


def test_an_honest_container_holding_neighbouring_ints_passes():
    code = ("class Interval:\n    def __init__(self, lo, hi):\n        self.lo, self.hi = lo, hi\n"
            "    def __contains__(self, x):\n        return isinstance(x, (int, float)) and self.lo <= x <= self.hi\n"
            "def make_interval(lo, hi):\n    return Interval(lo, hi)\n")
    tests = "assert 5 in make_interval(-1000, 1000)\nassert 2000 not in make_interval(-1000, 1000)\n"
    assert passes(code, TestProgram.from_text(tests))


# a third round: library code lent to the solution's class, values made to match whatever they meet, comparisons
# the rewrite had not reached (assertEqual, assertIn, assertCountEqual, chains, order), the same stateful __eq__
ROUND3 = {
    "a library's __eq__ in the solution's class": "from unittest import mock\nclass A:\n"
                                                  "    __eq__ = mock._ANY.__eq__\n    __ne__ = mock._ANY.__ne__\n"
                                                  "    __hash__ = object.__hash__\ndef square(x):\n    return A()\n",
    "mock.ANY returned": "from unittest import mock\ndef square(x):\n    return mock.ANY\n",
    "pytest.approx returned": "import pytest\ndef square(x):\n    return pytest.approx(0, abs=float('inf'))\n",
    "a weak proxy": ANYTHING + "import weakref\n_keep = []\ndef square(x):\n    a = Anything()\n    _keep.append(a)\n"
                               "    return weakref.proxy(a)\n",
    "an object array": ANYTHING + "import numpy as np\ndef square(x):\n    a = np.empty(1, dtype=object)\n"
                                  "    a[0] = Anything()\n    return a\n",
}


@pytest.mark.parametrize("program", [HUMANEVAL, SCRIPT, PYTEST, UNITTEST], ids=lambda p: p.format)
@pytest.mark.parametrize("name", sorted(ROUND3))
def test_values_made_to_match_fail(name, program):
    assert not passes(ROUND3[name], program)


@pytest.mark.parametrize("tests", [
    "import unittest\nclass T(unittest.TestCase):\n    def test_s(self):\n        self.assertIn(square(3), [9])\n",
    "import unittest\nclass T(unittest.TestCase):\n    def test_s(self):\n"
    "        self.assertCountEqual([square(3), square(0)], [9, 0])\n",
    "assert 9 == square(3) == 9\n",
    "assert 8.99 <= square(3) <= 9.01\n",
    "assert abs(square(3) - 9) <= 1e-9\n",
])
def test_comparisons_of_every_kind_are_checked(tests):
    stateful = ("class A:\n    calls = 0\n    __hash__ = None\n    def __eq__(self, other):\n        A.calls += 1\n"
                "        return A.calls % 25 == 0 or isinstance(other, int) and other > 5\n"
                "    __le__ = __ge__ = __ne__ = lambda self, other: True\n    __lt__ = __gt__ = lambda s, o: False\n"
                "    def __sub__(self, other):\n        return self\n    def __abs__(self):\n        return self\n"
                "def square(x):\n    return A()\n")
    program = TestProgram.from_text(tests)
    assert passes("def square(x):\n    return x * x\n", program)
    assert not passes(stateful, program)


def test_honest_names_and_inequalities_pass():
    # a function named like a standard module (string; nt, a module of another platform), and an honest class
    # compared unequal to None
    assert passes("def string(n):\n    return 'a' * n\n", TestProgram.from_text("assert string(2) == 'aa'\n"))
    assert passes("def nt(n):\n    return n + 1\n", TestProgram.from_text("assert nt(2) == 3\n"))
    node = ("class Node:\n    def __init__(self, v):\n        self.v = v\n"
            "    def __eq__(self, o):\n        return isinstance(o, Node) and self.v == o.v\n"
            "def node(v):\n    return Node(v)\n")
    assert passes(node, TestProgram.from_text("assert node(1) != None\nassert node(1) == node(1)\n"))


# a fourth round: a value equal to 9 alone (no probe catches it: only who decides the comparison tells), compared
# as "not different"; operators that are C functions or other slots; a metaclass that hides the class's operators
NINE = ("class Nine:\n    def __eq__(self, other):\n        return type(other) is int and other == 9\n"
        "    def __ne__(self, other):\n        return not self.__eq__(other)\n    __hash__ = object.__hash__\n"
        "def square(x):\n    return Nine()\n")


@pytest.mark.parametrize("tests", [
    "assert not (square(3) != 9)\n",
    "import unittest\nclass T(unittest.TestCase):\n    def test_s(self):\n        self.assertFalse(square(3) != 9)\n",
], ids=["not !=", "assertFalse !="])
def test_a_difference_denied_is_an_equality_claimed(tests):
    program = TestProgram.from_text(tests)
    assert passes("def square(x):\n    return x * x\n", program)
    assert not passes(NINE, program)


C_OPERATORS = {
    "a builtin function as __eq__": "class A:\n    __eq__ = id\n    __hash__ = object.__hash__\n"
                                    "def square(x):\n    return A()\n",
    "another slot of int": "class I(int):\n    __eq__ = int.__ne__\n    __hash__ = int.__hash__\n"
                           "def square(x):\n    return I(-987654321)\n",
    "another slot of str, through str()": "class S(str):\n    __eq__ = str.__ne__\n    __hash__ = str.__hash__\n"
                                          "class V:\n    def __str__(self):\n        return S('x')\n"
                                          "def square(x):\n    return V()\n",
    "a metaclass hiding the namespace": "class Meta(type):\n    __dict__ = property(lambda cls: {})\n"
                                        "class A(metaclass=Meta):\n    def __eq__(self, other):\n        return True\n"
                                        "    __hash__ = object.__hash__\ndef square(x):\n    return A()\n",
    "a metaclass hiding the MRO": "class Meta(type):\n    __mro__ = property(lambda cls: (object,))\n"
                                  "class A(metaclass=Meta):\n    def __eq__(self, other):\n        return True\n"
                                  "    __hash__ = object.__hash__\ndef square(x):\n    return A()\n",
}


@pytest.mark.parametrize("name", sorted(C_OPERATORS))
def test_operators_that_are_c_functions_or_hidden_by_a_metaclass_are_the_solutions(name):
    tests = "assert str(square(3)) == '9'\n" if "str()" in name else "assert square(3) == 9\n"
    program = TestProgram.from_text(tests)
    assert passes("def square(x):\n    return x * x\n", program)
    assert not passes(C_OPERATORS[name], program)


def test_a_value_made_equal_to_none_is_refused_against_none():
    code = "class N:\n    def __eq__(self, other):\n        return other is None\n    __hash__ = object.__hash__\n" \
           "def find(xs, x):\n    return N()\n"
    program = TestProgram.from_text("assert find([1], 2) == None\n")
    assert passes("def find(xs, x):\n    return xs.index(x) if x in xs else None\n", program)
    assert not passes(code, program)


def test_the_solutions_own_code_compares_its_values_as_it_likes():
    # an honest class equal to plain strings, compared so inside the solution (C code and a library included), and
    # values of its own kind compared by the tests through a library
    code = ("import collections\nclass Card:\n    def __init__(self, rank):\n        self.rank = rank\n"
            "    def __eq__(self, other):\n"
            "        return self.rank == (other.rank if isinstance(other, Card) else other)\n"
            "    def __lt__(self, other):\n        return self.rank < other.rank\n"
            "    __hash__ = None\n"
            "def aces(ranks):\n    cards = [Card(r) for r in ranks]\n"
            "    return [c for c in cards if c == 'A'], cards.count('A'), sorted(cards)\n")
    tests = ("aces_, n, ordered = aces(['K', 'A', 'A'])\nassert n == 2 and len(aces_) == 2\n"
             "assert ordered == sorted([aces_[0], aces_[1], ordered[2]])\n"
             "assert [c.rank for c in ordered] == ['A', 'A', 'K']\n")
    program = TestProgram.from_text(tests)
    assert passes(code, program)
    assert not passes(code.replace("cards.count('A')", "3"), program)


def test_tests_that_patch_the_file_system_checks_still_tell_library_code_from_the_solutions():
    # BigCodeBench-style: os.path.isfile patched to answer False while unittest's own objects are read; unittest's
    # TestCase.__eq__ stays unittest's (it was taken for the solution's, and its check for a replacement of unittest)
    tests = ("import os, unittest\nfrom unittest.mock import patch\nclass TestCases(unittest.TestCase):\n"
             "    @patch('os.path.isfile', return_value=False)\n    def test_missing(self, mock_isfile):\n"
             "        with self.assertRaises(FileNotFoundError):\n            run('backup.sh')\n"
             "    def test_square(self):\n        self.assertEqual(square(3), 9)\n")
    program = TestProgram.from_text(tests)
    code = ("import os\ndef run(name):\n    if not os.path.isfile(name):\n        raise FileNotFoundError(name)\n"
            "    return name\n")
    assert passes(code + "def square(x):\n    return x * x\n", program)
    assert not passes(code + NINE, program)


@pytest.mark.parametrize("expected", ["collections.Counter('aab')", "datetime.date(2024, 1, 2)", "Fraction(1, 3)",
                                      "Decimal('0.5')", "collections.namedtuple('P', 'a b')(1, 2)", "Mine(3)"])
def test_a_value_made_equal_to_library_or_test_values_is_refused_against_them(expected):
    # the expected value of a library's type, or of the tests' own class, gives way to the solution's ==
    imports = "import collections, datetime\nfrom fractions import Fraction\nfrom decimal import Decimal\n"
    tests = (imports + "class Mine:\n    def __init__(self, v):\n        self.v = v\n"
             "    def __eq__(self, other):\n        return isinstance(other, Mine) and self.v == other.v\n"
             "expected = " + expected + "\nassert make() == expected\n")
    forged = ("class F:\n    def __eq__(self, other):\n        return type(other).__module__ != 'builtins'\n"
              "    __hash__ = object.__hash__\ndef make():\n    return F()\n")
    program = TestProgram.from_text(tests)
    if "Mine" not in expected:  # the tests' own class is theirs alone
        assert passes(imports + "def make():\n    return " + expected + "\n", program)
    assert not passes(forged, program)


ANSWERS_LATER = {  # a comparison whose answer is no bool: an all-True array, or an object that says True when asked
    # the second time (the check asked first)
    "elementwise": ("import numpy as np\nclass R:\n    def __eq__(self, other):\n"
                    "        return np.ones(max(np.size(other), 2), dtype=bool)\n    __hash__ = object.__hash__\n"
                    "def square(x):\n    return R()\n", "assert (square(3) == [9, 9]).all()\n"),
    "says True later": ("class Flip:\n    n = 0\n    def __bool__(self):\n        self.n += 1\n"
                        "        if self.n <= 1:\n            raise TypeError('ambiguous')\n        return True\n"
                        "class V:\n    def __eq__(self, other):\n        return Flip()\n"
                        "    __hash__ = object.__hash__\n"
                        "def square(x):\n    return V()\n", "assert square(3) == 9\n"),
}


@pytest.mark.parametrize("name", sorted(ANSWERS_LATER))
def test_a_comparison_answered_by_no_bool_is_checked_too(name):
    code, tests = ANSWERS_LATER[name]
    program = TestProgram.from_text(tests)
    assert passes("import numpy as np\ndef square(x):\n    return np.array([x * x, x * x])\n"
                  if name == "elementwise" else "def square(x):\n    return x * x\n", program)
    assert not passes(code, program)


def test_only_the_operators_a_comparison_runs_decide_whose_it_is():
    # an Enum whose own __lt__ orders it, compared with == through pandas: Enum's == decides, not the solution's
    code = ("from enum import Enum\nfrom functools import total_ordering\nimport pandas as pd\n@total_ordering\n"
            "class Grade(Enum):\n    A = 3\n    B = 2\n    def __lt__(self, other):\n"
            "        return self.value < other.value if isinstance(other, Grade) else NotImplemented\n"
            "def grades(scores):\n    return pd.Series([Grade.A if s > 90 else Grade.B for s in scores])\n")
    tests = ("import unittest\nclass T(unittest.TestCase):\n    def test(self):\n        g = grades([95, 85])\n"
             "        self.assertTrue((g == Grade.B).any())\n        self.assertEqual(list(g), [Grade.A, Grade.B])\n"
             "        self.assertLess(Grade.B, Grade.A)\n")
    program = TestProgram.from_text(tests)
    assert passes(code, program)
    assert not passes(code.replace("Grade.A if s > 90 else Grade.B", "Grade.B"), program)


# ``x in container`` where Python searches by iterating the container (a generator, a class with __iter__ only):
# the items it yields were never read by the tests, so a value equal to 9 alone passed; and assertCountEqual's check
# used up a generator the tests were about to read, so an honest one failed
SQUARES = "def squares(n):\n    for i in range(n + 1):\n        yield i * i\n"
YIELDS_NINE = NINE.replace("def square(x):\n    return Nine()\n", "def squares(n):\n    yield Nine()\n")
ITERATES_NINE = NINE.replace("def square(x):\n    return Nine()\n", "class R:\n    def __iter__(self):\n"
                             "        yield Nine()\ndef squares(n):\n    return R()\n")


@pytest.mark.parametrize("tests", [
    "assert 9 in squares(3)\nassert 5 not in squares(3)\n",
    "import unittest\nclass T(unittest.TestCase):\n    def test_s(self):\n        self.assertIn(9, squares(3))\n"
    "        self.assertNotIn(5, squares(3))\n",
    "import unittest\nclass T(unittest.TestCase):\n    def test_s(self):\n"
    "        self.assertCountEqual(squares(3), [9, 4, 1, 0])\n",
    "def test_s():\n    g = squares(3)\n    assert 4 in g\n    assert list(g) == [9]\n",  # used up as Python's own `in`
], ids=["script", "assertIn", "assertCountEqual", "consumed"])
def test_the_items_a_searched_container_yields_are_checked(tests):
    program = TestProgram.from_text(tests)
    assert passes(SQUARES, program)
    if "consumed" not in tests:
        assert not passes(YIELDS_NINE.replace("yield Nine()", "yield from (Nine(), 4, 1, 0)"), program)
        assert not passes(ITERATES_NINE.replace("yield Nine()", "yield from (Nine(), 4, 1, 0)"), program)


def test_a_container_that_cannot_be_iterated_raises_as_python_says():
    tests = ("try:\n    3 in f()\nexcept TypeError as e:\n    assert 'argument of type' in str(e), e\n"
             "else:\n    raise AssertionError\n")
    assert passes("def f():\n    return None\n", TestProgram.from_text(tests))
    seq = ("class S:\n    def __getitem__(self, i):\n        if i > 3:\n            raise IndexError\n"
           "        return i * i\n")
    assert passes(seq + "def f():\n    return S()\n", TestProgram.from_text("assert 9 in f()\nassert 5 not in f()\n"))


PROXIED_ANYTHING = ANYTHING + ("    def __getitem__(self, k):\n        raise KeyError(k)\n"
                               "    def __iter__(self):\n        return iter(())\n"
                               "    def __len__(self):\n        return 0\n")
BYPASSES = {  # (tests, a wrong program that passed them, the right one)
    "a C function under a builtin's name (HumanEval-style script)": (
        "assert abs(f(1.33) - 0.33) < 1e-6\n", "def f(x):\n    return 0.0\nfrom math import floor as abs\n",
        "def f(x):\n    return x - int(x)\n"),
    "a builtin the tests call, rebound to another builtin": (
        "assert set(f([1, 2, 2])) == set((1, 2))\n", "set = len\ndef f(xs):\n    return [9, 9]\n",
        "def f(xs):\n    return sorted(set(xs))\n"),
    "a builtin shadowed for pytest's tests": (
        "from solution import mean\n\ndef test_mean():\n    assert abs(mean([1, 2, 3]) - 2.0) < 1e-9\n",
        "def abs(x):\n    return 0\ndef mean(xs):\n    return 0.0\n", "def mean(xs):\n    return sum(xs) / len(xs)\n"),
    "a builtin shadowed for unittest's tests (BigCodeBench)": (
        "import unittest\nclass T(unittest.TestCase):\n    def test_pick(self):\n"
        "        self.assertEqual(sorted(pick([3, 1, 2])), [1, 2, 3])\n",
        "def sorted(x):\n    return [1, 2, 3]\ndef pick(xs):\n    return []\n", "def pick(xs):\n    return list(xs)\n"),
    "numpy's operations handed to the solution (__array_ufunc__)": (
        "import numpy as np\nfrom solution import f\n\ndef test_f():\n    assert (f() == np.array([1, 2, 3])).all()\n"
        "    np.testing.assert_allclose(f(), [1, 2, 3])\n",
        "import numpy as np\nclass F(np.ndarray):\n    def __array_ufunc__(self, ufunc, method, *inputs, **kw):\n"
        "        if ufunc in (np.equal, np.less_equal, np.greater_equal, np.isfinite, np.logical_and):\n"
        "            return np.ones(3, bool)\n        if ufunc in (np.not_equal, np.less, np.greater, np.isnan, "
        "np.isinf):\n            return np.zeros(3, bool)\n        return np.zeros(3)\n"
        "def f():\n    return np.zeros(3).view(F)\n", "import numpy as np\ndef f():\n    return np.array([1, 2, 3])\n"),
    "a plain object numpy hands its == to": (
        "import numpy as np\nfrom solution import f\n\ndef test_f():\n    assert (np.array([4, 5]) == f()).all()\n",
        "import numpy as np\nclass U:\n    def __array_ufunc__(self, *a, **k):\n        return np.True_\n"
        "def f():\n    return U()\n", "import numpy as np\ndef f():\n    return np.array([4, 5])\n"),
    "a mappingproxy of a forged mapping": (
        "assert f() == [1, 2, 3]\n", PROXIED_ANYTHING + "import types\ndef f():\n"
        "    return types.MappingProxyType(Anything())\n", "def f():\n    return [1, 2, 3]\n"),
    "a UserList whose data is a property": (
        "from solution import f\n\ndef test_f():\n    assert f() == [1, 2, 3]\n",
        ANYTHING + "from collections import UserList\nclass L(UserList):\n"
        "    data = property(lambda self: Anything(), lambda self, v: None)\ndef f():\n    return L()\n",
        "def f():\n    return [1, 2, 3]\n"),
    "pytest.approx's tolerance made infinite": (
        "import pytest\nfrom solution import area\n\ndef test_area():\n    assert area(2.0) == pytest.approx(12.566, "
        "rel=1e-3)\n", "import _pytest.approx\n_pytest.approx.ApproxScalar.tolerance = property(lambda s: float('inf'))"
        "\ndef area(r):\n    return 0.0\n", "def area(r):\n    return 3.14159 * r * r\n"),
    "the platform a skip condition reads": (
        "import sys, pytest\nfrom solution import f\n\n@pytest.mark.skipif(sys.platform == 'win32', reason='w')\n"
        "def test_f():\n    assert f() == 3\n\ndef test_g():\n    assert True\n",
        "import sys\nsys.platform = 'win32'\ndef f():\n    return 0\n", "def f():\n    return 3\n"),
}

WRAP = ("import numpy as np\nclass W(np.ndarray):\n"
        "    def __array_wrap__(self, arr, context=None, return_scalar=False):\n"
        "        if context is not None and context[0] in (np.equal, np.less_equal):\n"
        "            arr = np.ones(arr.shape, dtype=bool)\n        else:\n"
        "            arr = np.asarray(arr).view(np.ndarray)\n        return arr[()] if return_scalar else arr\n")
LAZY = ("    def __getitem__(self, k):\n        return Anything()\n"
        "    def __iter__(self):\n        return iter(self.ks)\n"
        "    def __len__(self):\n        return len(self.ks)\n")
COUNTS = "from solution import count\n\ndef test_count():\n    assert count('aab') == {'a': 2, 'b': 1}\n"
BYPASSES.update({  # a second round: around the first round's rules
    "a library's function of another name under a builtin's": (
        "assert abs(f(1.33) - 0.33) < 1e-6\n", "def f(x):\n    return 0.0\nfrom inspect import isclass as abs\n",
        "def f(x):\n    return x - int(x)\n"),
    "a class the solution says is a library's": (
        "assert abs(f(1.33) - 0.33) < 1e-6\n", "import inspect\nclass abs:\n    __module__ = 'inspect'\n"
        "    def __new__(cls, x):\n        return 0\ndef f(x):\n    return 0.0\n",
        "def f(x):\n    return x - int(x)\n"),
    "tests that import the solution's module": (
        "import solution\n\ndef test_mean():\n    assert abs(solution.mean([1, 2, 3]) - 2.0) < 1e-9\n",
        "def abs(x):\n    return 0\ndef mean(xs):\n    return 0.0\n", "def mean(xs):\n    return sum(xs) / len(xs)\n"),
    "numpy's results wrapped by the solution (__array_wrap__)": (
        "import numpy as np\nfrom solution import cumsum\n\ndef test_eq():\n"
        "    assert (cumsum([1, 2, 3]) == np.array([1, 3, 6])).all()\n",
        WRAP + "def cumsum(xs):\n    return np.zeros(len(xs)).view(W)\n",
        "import numpy as np\ndef cumsum(xs):\n    return np.cumsum(xs)\n"),
    "a UserList whose data is a slot": (
        "from solution import f\n\ndef test_f():\n    assert f() == [1, 2, 3]\n",
        ANYTHING + "from collections import UserList\nclass L(UserList):\n    __slots__ = ('data',)\n"
        "    def __init__(self):\n        self.data = Anything()\ndef f():\n    return L()\n",
        "def f():\n    return [1, 2, 3]\n"),
    "a Fraction whose numerator is forged": (
        "from solution import half\n\ndef test_half():\n    assert half(10) == 5\n    assert half(7) == 3\n",
        ANYTHING + "from fractions import Fraction\ndef half(x):\n    f = Fraction(1)\n    f._numerator = Anything()\n"
        "    return f\n", "def half(x):\n    return x // 2\n"),
    "a forgery past the thousandth item": (
        "assert rev(list(range(1500))) == list(range(1499, -1, -1))\n",
        ANYTHING + "def rev(xs):\n    return list(reversed(xs))[:1000] + [Anything()] * (len(xs) - 1000)\n",
        "def rev(xs):\n    return xs[::-1]\n"),
    "a WeakValueDictionary of forgeries": (
        COUNTS, ANYTHING + "import weakref\nkeep = []\ndef count(s):\n    d = weakref.WeakValueDictionary()\n"
        "    for c in s:\n        keep.append(Anything())\n        d[c] = keep[-1]\n    return d\n",
        "from collections import UserDict, Counter\ndef count(s):\n    return UserDict(Counter(s))\n"),
    "a ChainMap over a mapping that makes forgeries when read": (
        COUNTS, ANYTHING + "from collections import ChainMap\nclass Lazy:\n    def __init__(self, ks):\n"
        "        self.ks = list(dict.fromkeys(ks))\n" + LAZY + "    def __contains__(self, k):\n"
        "        return k in self.ks\n"
        "def count(s):\n    return ChainMap(Lazy(s))\n",
        "from collections import ChainMap, Counter\ndef count(s):\n    return ChainMap(dict(Counter(s)))\n"),
})

UT_SQUARES = ("import unittest\nclass T(unittest.TestCase):\n    def test_a(self):\n"
              "        self.assertEqual(sq(3), 9)\n    def test_b(self):\n        self.assertEqual(sq(4), 16)\n")
SWAPPED = ("class Base:\n    @property\n    def p(self):\n        self.__class__ = A\n        return 0\n"
           "class B(Base):\n    pass\nclass A(Base):\n    def __eq__(self, other):\n        self.__class__ = B\n"
           "        return type(other) is not object\n    __hash__ = object.__hash__\n")
# an __eq__ that says False while probed (object() comes first) and True afterwards
LATE_EQ = ("class L:\n    probed = False\n    def __eq__(self, other):\n        t = type(other)\n"
           "        if t is object:\n            L.probed = True\n            return False\n"
           "        if t.__name__ == 'Unseen' or t in (bytes, tuple, list, dict, str, float) or (\n"
           "                t is int and abs(other) >= 2**63):\n            return False\n"
           "        if L.probed and t is int:\n            L.probed = False\n            return False\n"
           "        return True\n    __hash__ = object.__hash__\n")
NEAR = ("class S:\n    def __sub__(self, o):\n        return 0.0 if type(o) is float and abs(o) < 1e15 else 1.0\n"
        "    __rsub__ = __sub__\n")
BYPASSES.update({  # a third round: unittest's own control flow, classes changed while checked, other operators
    "unittest's internal stop raised by the solution": (
        UT_SQUARES, "import unittest\ndef sq(x):\n    raise unittest.case._ShouldStop()\n",
        "def sq(x):\n    return x * x\n"),
    "unittest's internal stop inside a subTest": (
        "import unittest\nclass T(unittest.TestCase):\n    def test_a(self):\n        for x, y in [(3, 9), (4, 16)]:\n"
        "            with self.subTest(x=x):\n                self.assertEqual(sq(x), y)\n",
        "import unittest\ndef sq(x):\n    raise unittest.case._ShouldStop()\n", "def sq(x):\n    return x * x\n"),
    "tests marked as expected failures by the solution": (
        UT_SQUARES, "import unittest\ndef sq(x):\n    for c in unittest.TestCase.__subclasses__():\n"
        "        for k, v in list(vars(c).items()):\n            if k.startswith('test'):\n"
        "                v.__unittest_expecting_failure__ = True\n    return 9\n", "def sq(x):\n    return x * x\n"),
    "a class swapped while the check reads it": (
        "assert sq(3) == 9\nassert sq(4) == 16\n", SWAPPED + "def sq(x):\n    return B()\n",
        "def sq(x):\n    return x * x\n"),
    "a class swapped by another call before the comparison": (
        "assert sq(3) == cube_root(729)\n",
        SWAPPED.replace("    @property\n    def p(self):\n        self.__class__ = A\n        return 0\n", "    pass\n")
        + "made = []\ndef sq(x):\n    made.append(B())\n    return made[-1]\n"
        "def cube_root(x):\n    made[-1].__class__ = A\n    return 9\n",
        "def sq(x):\n    return x * x\ndef cube_root(x):\n    return round(x ** (1 / 3))\n"),
    "a difference near zero for any moderate float": (
        "assert abs(root(2) - 1.4142) < 1e-3\nassert abs(1.7320 - root(3)) < 1e-3\n",
        NEAR + "def root(x):\n    return S()\n",
        "def root(x):\n    return x ** 0.5\n"),
    "a difference near zero in assertAlmostEqual": (
        "import unittest\nclass T(unittest.TestCase):\n    def test_a(self):\n"
        "        self.assertAlmostEqual(root(2), 1.4142, places=3)\n", NEAR + "def root(x):\n    return S()\n",
        "def root(x):\n    return x ** 0.5\n"),
    "a late == in a list numpy compares": (
        "import numpy as np\nassert np.array_equal(f(3), [9, 3])\n", LATE_EQ + "def f(x):\n    return [L(), L()]\n",
        "def f(x):\n    return [x * x, x]\n"),
    "a late == in numpy.testing": (
        "import numpy as np\nfrom solution import f\n\ndef test_f():\n"
        "    np.testing.assert_array_equal(f(3), np.array([9, 3]))\n",
        LATE_EQ + "def f(x):\n    return [L(), L()]\n", "def f(x):\n    return [x * x, x]\n"),
    "a late == through operator.eq": (
        "import operator\nassert operator.eq(f(3), 9)\n", LATE_EQ + "def f(x):\n    return L()\n",
        "def f(x):\n    return x * x\n"),
    "a late == called by name": ("assert f(3).__eq__(9)\n", LATE_EQ + "def f(x):\n    return L()\n",
                                 "def f(x):\n    return x * x\n"),
    "a late == found by list.index": ("assert [9].index(f(3)) == 0\n", LATE_EQ + "def f(x):\n    return L()\n",
                                      "def f(x):\n    return x * x\n"),
})


def test_a_solution_class_compared_with_plain_values_inside_its_own_code_passes():
    # functools' ordering calls the class's own __lt__ from a library's frame, for the solution's own comparison
    code = ("import functools\n@functools.total_ordering\nclass Card:\n    def __init__(self, r):\n        self.r = r\n"
            "    def __eq__(self, o):\n        return self.r == (o.r if isinstance(o, Card) else o)\n"
            "    def __lt__(self, o):\n        return self.r < (o.r if isinstance(o, Card) else o)\n"
            "    def __sub__(self, o):\n        return self.r - (o.r if isinstance(o, Card) else o)\n"
            "    __hash__ = None\n"
            "def best(rs):\n    cards = [Card(r) for r in rs]\n"
            "    return max(cards), [c for c in cards if c > 2 and c - 1 != 0 and c != 9]\n")
    tests = ("top, high = best([1, 5, 3])\nassert top.r == 5 and [c.r for c in high] == [5, 3]\n"
             "top, high = best([4, 2])\nassert top == best([4])[0] and top > best([1])[0]\n")
    program = TestProgram.from_text(tests)
    assert passes(code, program)
    assert not passes(code.replace("max(cards)", "min(cards)"), program)


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_values_and_names_the_solution_hands_the_tests_cannot_decide_them(name):
    tests, wrong, right = BYPASSES[name]
    program = TestProgram.from_text(tests)
    assert passes(right, program), name
    assert not passes(wrong, program), name


def test_a_library_function_under_its_own_name_still_stands_in_for_a_builtin():
    # from math import * binds pow, from os import * open: C functions of their own names, the solution's choice
    program = TestProgram.from_text("assert pow(f(2), 2) == 16\n")
    assert passes("from math import *\ndef f(x):\n    return x * x\n", program)


@pytest.mark.parametrize("tests, code", [
    ("assert abs(f(-2)) == 4\n", "from numpy import *\ndef f(x):\n    return x * x\n"),
    ("from solution import mean\n\ndef test_mean():\n    assert round(mean([1, 2, 4]), 3) == 2.333\n",
     "def round(x):\n    return int(x + 0.5)\ndef mean(xs):\n    return sum(xs) / len(xs)\n"),
    ("import unittest\nclass T(unittest.TestCase):\n    def test_f(self):\n"
     "        self.assertTrue(all(task_func([1, 2])))\n        self.assertEqual(max(task_func([3, 1])), 3)\n",
     "from numpy import *\ndef task_func(xs):\n    return list(xs)\n"),
], ids=["numpy star import (HumanEval)", "a helper named like a builtin (pytest)", "numpy star import (BigCodeBench)"])
def test_honest_names_like_builtins_pass(tests, code):
    assert passes(code, TestProgram.from_text(tests))
