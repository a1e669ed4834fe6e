"""Sandbox attacks, eighth round: right programs judged wrong where a stdin/stdout run ended otherwise than Python
ends a script (a closed ``sys.stdout``, output left in an unclosed file until the interpreter clears the program's
module), and wrong programs that tried to pass."""

import pytest

from helpers.judging import verdict
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

CASES = (("3\n1 2 3\n", "6\n"), ("2\n5 5\n", "10\n"), ("1\n7\n", "7\n"))
READ = "n = int(input())\ns = sum(map(int, input().split()))\n"


def stdio(cases: int, **kw) -> TestProgram:
    return TestProgram(format="stdio", cases=CASES[:cases], **kw)


ENDINGS = {  # each as `python file.py` judges it: exit status 0 and the sum printed
    "sys.stdout closed": "import sys\n" + READ + "print(s)\nsys.stdout.close()\n",
    "sys.stderr closed": "import sys\n" + READ + "print(s)\nsys.stdout.flush()\nsys.stderr.close()\n",
    "sys.stdout None": "import sys\n" + READ + "print(s)\nsys.stdout.flush()\nsys.stdout = None\n",
    "an unclosed open(1, 'w') held by a function's global": "def main():\n    global out\n    out = open(1, 'w')\n"
    + "".join("    " + line + "\n" for line in READ.splitlines()) + "    out.write(str(s) + '\\n')\nmain()\n",
    "a finalizer printing at exit": "class Answer:\n    def __del__(self):\n        print(self.s)\n" + READ
    + "a = Answer()\na.s, a.me = s, a\n",
}


@pytest.mark.parametrize("name", sorted(ENDINGS))
def test_a_right_program_that_ends_the_way_a_script_can_passes_with_any_number_of_cases(name):
    for cases in (1, 3):  # a fresh interpreter, and runs forked from a warm one
        assert verdict(ENDINGS[name], stdio(cases))[0], (name, cases)
    wrong = ENDINGS[name].replace("s = sum", "s = 1 + sum")
    assert not verdict(wrong, stdio(3))[0], name


TOLD = {  # a builtin type's subclass whose method that is handed the expected value answers as the solution likes
    "startswith": ("class S(str):\n    def startswith(self, *a):\n        return True\n"
                   "def greet(name):\n    return S('bye')\n", "assert greet('bob').startswith('hello')"),
    "endswith": ("class S(str):\n    def endswith(self, *a):\n        return True\n"
                 "def greet(name):\n    return S('bye')\n", "assert greet('bob').endswith('bob')"),
    "issubset": ("class S(set):\n    def issubset(self, other):\n        return True\n"
                 "def greet(name):\n    return S({9})\n", "assert greet('bob').issubset(set('hello bob!'))",
                 "def greet(name):\n    return set('hello ' + name)\n"),
    "find": ("class S(str):\n    def find(self, *a):\n        return 0\n"
             "def greet(name):\n    return S('bye')\n", "assert greet('bob').find('bob') >= 0"),
}
RIGHT_GREET = "def greet(name):\n    return 'hello ' + name\n"


@pytest.mark.parametrize("name", sorted(TOLD))
def test_a_builtin_subclass_whose_own_method_decides_the_check_fails(name):
    code, check, right = (TOLD[name] + (RIGHT_GREET,))[:3]
    for tests in (f"from solution import greet\n\ndef test_greet():\n    {check}\n", f"{check}\n"):
        program = TestProgram.from_text(tests)
        assert not verdict(code, program)[0], (name, tests)
        assert verdict(right, program)[0], (name, tests)
    humaneval = TestProgram.from_text("def check(candidate):\n    " + check.replace("greet(", "candidate(") + "\n",
                                      "greet")
    assert not verdict(code, humaneval)[0]
    assert verdict(right, humaneval)[0]


def test_honest_subclasses_of_builtin_types_still_pass():
    program = TestProgram.from_text(
        "from solution import name, point\n\ndef test_them():\n    assert name().startswith('ab') and name() == 'abc'\n"
        "    assert name().shout() == 'ABC'\n    assert point().count(1) == 1 and point().index(2) == 1\n")
    assert verdict("from collections import namedtuple\nclass Name(str):\n    def shout(self):\n"
                   "        return self.upper()\ndef name():\n    return Name('abc')\n"
                   "def point():\n    return namedtuple('P', 'x y')(1, 2)\n", program)[0]


SWALLOWING = {  # the tests check inside the solution's context manager, which swallows their failed assert
    "a class": "class Opened:\n    def __enter__(self):\n        return [9]\n    def __exit__(self, *exc):\n"
               "        return True\ndef opened(x):\n    return Opened()\n",
    "contextlib.contextmanager": "import contextlib\n@contextlib.contextmanager\ndef opened(x):\n    try:\n"
                                 "        yield [9]\n    except BaseException:\n        pass\n",
}
RIGHT_OPENED = "import contextlib\n@contextlib.contextmanager\ndef opened(x):\n    yield [x]\n"


@pytest.mark.parametrize("name", sorted(SWALLOWING))
def test_a_context_manager_of_the_solution_cannot_swallow_a_failed_check(name):
    for tests in ("from solution import opened\n\ndef test_opened():\n    with opened(3) as v:\n"
                  "        assert v == [3]\n",
                  "import unittest\nfrom solution import opened\n\nclass T(unittest.TestCase):\n"
                  "    def test_opened(self):\n        with opened(3) as v:\n            self.assertEqual(v, [3])\n",
                  "with opened(3) as v:\n    assert v == [3]\n"):
        program = TestProgram.from_text(tests)
        assert not verdict(SWALLOWING[name], program)[0], (name, tests)
        assert verdict(RIGHT_OPENED, program)[0], (name, tests)


def test_context_managers_that_suppress_what_they_should_and_tests_that_expect_a_failure_pass():
    program = TestProgram.from_text(
        "import pytest\nfrom solution import ignoring, double\n\ndef test_ignoring():\n"
        "    with ignoring(ValueError):\n        raise ValueError('x')\n    with pytest.raises(TypeError):\n"
        "        with ignoring(ValueError):\n            raise TypeError('y')\n"
        "    with ignoring(ValueError), ignoring(KeyError) as i:\n        assert i.kinds == (KeyError,)\n"
        "        {}['a']\n    with pytest.raises(AssertionError):\n        with ignoring(ValueError):\n"
        "            assert double(2) == 5\n")
    assert verdict("class ignoring:\n    def __init__(self, *kinds):\n        self.kinds = kinds\n"
                   "    def __enter__(self):\n        return self\n    def __exit__(self, kind, e, tb):\n"
                   "        return kind is not None and issubclass(kind, self.kinds)\n"
                   "def double(x):\n    return 2 * x\n", program)[0]
