"""Twenty-ninth round of attacks on the code oracle, and right programs of the shapes real judges pass.

A test that skips itself at run time under a condition (``if sys.platform == 'win32': pytest.skip(...)``,
``self.skipTest(...)`` after a check) failed the verdict of a right program, where pytest and unittest count it
skipped. Such a skip now skips the test when the tests' own code raised it; one the solution raises (from its
function, an ``__eq__``, a generator, a property, a callback, its own subclass or a class pretending to be one)
still fails the test, and a run whose every test skipped still fails."""

import pytest

from helpers.judging import verdict
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

RIGHT = "def double(x):\n    return 2 * x\n"
WRONG = "def double(x):\n    return 2 * x + (x == 3)\n"

PYTEST = ("import sys\nimport pytest\nfrom solution import double\n\n\n"
          "def test_small():\n    assert double(1) == 2\n\n\n"
          "def test_three():\n    %s\n    assert double(3) == 6\n")
UNITTEST = ("import sys\nimport unittest\nfrom solution import double\n\n\n"
            "class T(unittest.TestCase):\n    def test_small(self):\n        self.assertEqual(double(1), 2)\n\n"
            "    def test_three(self):\n        %s\n        self.assertEqual(double(3), 6)\n")

SKIPS = {  # a test's own skip, under a condition the run meets
    "pytest.skip": (PYTEST, "if sys.platform.startswith('linux'):\n        pytest.skip('not here')"),
    "pytest.skip.Exception": (PYTEST, "if sys.maxsize > 0:\n        raise pytest.skip.Exception('not here')"),
    "a helper's pytest.skip": (PYTEST.replace("\n\n\ndef test_small", "\n\n\ndef need():\n    pytest.skip('no')"
                                              "\n\n\ndef test_small"), "need()"),
    "self.skipTest": (UNITTEST, "if sys.platform.startswith('linux'):\n            self.skipTest('not here')"),
    "raise unittest.SkipTest": (UNITTEST, "if sys.maxsize > 0:\n            raise unittest.SkipTest('not here')"),
}


@pytest.mark.parametrize("how", sorted(SKIPS))
def test_right_program_with_a_test_skipping_itself_at_run_time_passes(how):
    # before: failed ('skipped at run time' / 'test test_three failed: Skipped')
    tests, skip = SKIPS[how]
    program = TestProgram.from_text(tests % skip)
    passed, out = verdict(RIGHT, program)
    assert passed, out
    # the skipped test judged nothing, the other still judges
    assert not verdict("def double(x):\n    return x\n", program)[0]


@pytest.mark.parametrize("how", sorted(SKIPS))
def test_every_test_skipping_at_run_time_still_fails(how):
    tests, skip = SKIPS[how]
    indent = " " * (8 if tests is UNITTEST else 4)
    one = tests.replace("double(1) == 2", "double(1) == 2" if tests is PYTEST else "double(1), 2")
    text = one % skip
    text = text.replace("def test_small(self):\n", "def test_small(self):\n%sif sys.maxsize:\n%s    "
                        "raise unittest.SkipTest('x')\n" % (indent, indent)) if tests is UNITTEST else text.replace(
        "def test_small():\n", "def test_small():\n    if sys.maxsize:\n        pytest.skip('x')\n")
    passed, out = verdict(RIGHT, TestProgram.from_text(text))
    assert not passed and "no test ran" in out, out


ATTACKS = {  # the wrong program's ways of skipping the test it fails
    "raises unittest.SkipTest": "import unittest\n\ndef double(x):\n    if x == 3:\n"
                                "        raise unittest.SkipTest('later')\n    return 2 * x\n",
    "calls pytest.skip": "import pytest\n\ndef double(x):\n    if x == 3:\n        pytest.skip('later')\n"
                         "    return 2 * x\n",
    "raises _pytest's Skipped": "from _pytest.outcomes import Skipped\n\ndef double(x):\n    if x == 3:\n"
                                "        raise Skipped('later')\n    return 2 * x\n",
    "raises a subclass": "import unittest\n\nclass S(unittest.SkipTest):\n    pass\n\ndef double(x):\n"
                         "    if x == 3:\n        raise S('later')\n    return 2 * x\n",
    "pretends to be one": "import unittest\n\nclass S(Exception):\n    __class__ = property(lambda s: "
                          "unittest.SkipTest)\n\ndef double(x):\n    if x == 3:\n        raise S('later')\n"
                          "    return 2 * x\n",
    "from __eq__": "import unittest\n\nclass R(int):\n    def __eq__(self, o):\n"
                   "        raise unittest.SkipTest('later')\n    __hash__ = int.__hash__\n\n"
                   "def double(x):\n    return R(2 * x) if x == 3 else 2 * x\n",
    "from a property": "import pytest\n\nclass R:\n    @property\n    def value(self):\n"
                       "        pytest.skip('later')\n\ndef double(x):\n    return R() if x == 3 else 2 * x\n",
    "__eq__ is pytest.skip": "import functools\nimport pytest\n\nclass R(int):\n"
                             "    __eq__ = functools.partial(pytest.skip, 'later')\n    __hash__ = int.__hash__\n\n"
                             "def double(x):\n    return R(2 * x) if x == 3 else 2 * x\n",
    "__eq__ is TestCase.skipTest": "import unittest\n\nclass R(int):\n    __eq__ = unittest.TestCase.skipTest\n"
                                   "    __hash__ = int.__hash__\n\n"
                                   "def double(x):\n    return R(2 * x) if x == 3 else 2 * x\n",
    "__eq__ throws through a spent generator": (
        "import functools\nimport unittest\n\nspent = (i for i in ())\nnext(spent, None)\n\nclass R(int):\n"
        "    __eq__ = functools.partial(spent.throw, unittest.SkipTest)\n    __hash__ = int.__hash__\n\n"
        "def double(x):\n    return R(2 * x) if x == 3 else 2 * x\n"),
    "a skip made in a generator": "import unittest\n\ndef stop():\n    raise unittest.SkipTest('later')\n"
                                   "    yield\n\ndef double(x):\n    return next(stop()) if x == 3 else 2 * x\n",
}


@pytest.mark.parametrize("how", sorted(ATTACKS))
@pytest.mark.parametrize("runner", ["pytest", "unittest"])
def test_wrong_program_raising_a_skip_fails(how, runner):
    # the tests skip nothing themselves, and the wrong program's skip is no skip
    tests = (PYTEST if runner == "pytest" else UNITTEST) % "pass"
    passed, out = verdict(ATTACKS[how], TestProgram.from_text(tests))
    assert not passed, out


def test_wrong_program_skipping_through_a_generator_or_callback_fails():
    tests = ("import pytest\nfrom solution import pairs, apply\n\n\n"
             "def test_small():\n    assert apply(abs, -1) == 1\n\n\n"
             "def test_pairs():\n    if pairs is None:\n        pytest.skip('none')\n"
             "    assert all(a == b for a, b in pairs())\n\n\n"
             "def test_apply():\n    assert apply(lambda v: v + 1, 1) == 2\n")
    program = TestProgram.from_text(tests)
    right = "def pairs():\n    yield from [(1, 1), (2, 2)]\n\ndef apply(f, v):\n    return f(v)\n"
    assert verdict(right, program)[0]
    gen = ("import pytest\n\ndef pairs():\n    yield (1, 1)\n    pytest.skip('later')\n\n"
           "def apply(f, v):\n    return f(v)\n")
    assert not verdict(gen, program)[0]
    callback = ("import pytest\n\ndef pairs():\n    yield from [(1, 1)]\n\n"
                "def apply(f, v):\n    return f(v) if v < 0 else pytest.skip('later')\n")
    assert not verdict(callback, program)[0]


def test_a_skip_in_the_tests_own_fixture_skips_and_one_in_a_generator_of_theirs_fails():
    tests = ("import sys\nimport pytest\nfrom solution import double\n\n\n"
             "@pytest.fixture\ndef linux_only():\n    if sys.platform.startswith('linux'):\n"
             "        pytest.skip('linux')\n    return 1\n\n\n"
             "def test_small():\n    assert double(1) == 2\n\n\n"
             "def test_three(linux_only):\n    assert double(3) == 6\n")
    program = TestProgram.from_text(tests)
    assert verdict(RIGHT, program)[0]
    assert verdict(WRONG, program)[0]  # as pytest: the fixture skipped the test the wrong program fails
    assert not verdict("def double(x):\n    return x\n", program)[0]


ITERATED = {  # what the tests iterate, made so that C code raises the skip where the tests' frame runs
    "__iter__ is pytest.skip": "import functools\nimport pytest\n\nclass P:\n"
                               "    __iter__ = functools.partial(pytest.skip, 'later')\n\n"
                               "def pairs():\n    return P()\n",
    "a map over pytest.skip": "import functools\nimport pytest\n\ndef pairs():\n"
                              "    return map(functools.partial(pytest.skip, 'later'), [1])\n",
    "__iter__ throws through a spent generator": (
        "import functools\nimport unittest\n\nspent = (i for i in ())\nnext(spent, None)\n\nclass P:\n"
        "    __iter__ = functools.partial(spent.throw, unittest.SkipTest)\n\ndef pairs():\n    return P()\n"),
    "__iter__ is TestCase.skipTest": "import unittest\n\nclass P:\n    __iter__ = unittest.TestCase.skipTest\n\n"
                                     "def pairs():\n    return P()\n",
}
ITERATING = {
    "pytest": ("import pytest\nfrom solution import pairs\n\n\ndef test_small():\n    assert 1 == 1\n\n\n"
               "def test_pairs():\n    total = 0\n    for a, b in pairs():\n        total += a - b\n"
               "    assert total == 0\n"),
    "unittest": ("import unittest\nfrom solution import pairs\n\n\nclass T(unittest.TestCase):\n"
                 "    def test_small(self):\n        self.assertEqual(1, 1)\n\n    def test_pairs(self):\n"
                 "        total = 0\n        for a, b in pairs():\n            total += a - b\n"
                 "        self.assertEqual(total, 0)\n"),
}


@pytest.mark.parametrize("how", sorted(ITERATED))
@pytest.mark.parametrize("runner", sorted(ITERATING))
def test_wrong_program_whose_value_raises_a_skip_from_c_code_fails(how, runner):
    # the skip's last frames are the tests' (no frame of the solution's), but not at a call of pytest.skip /
    # self.skipTest nor at a raise of theirs
    program = TestProgram.from_text(ITERATING[runner])
    assert verdict("def pairs():\n    return [(1, 1), (2, 2)]\n", program)[0]
    passed, out = verdict(ITERATED[how], program)
    assert not passed, out


def test_wrong_program_setting_the_environment_a_skip_reads_fails():
    # before: passed (the solution's os.environ['CI'] = '1' met the tests' own skip condition)
    tests = ("import os\nimport pytest\nfrom solution import double\n\n\n"
             "def test_small():\n    assert double(1) == 2\n\n\n"
             "def test_three():\n    if os.environ.get('PTSFAST_CI'):\n        pytest.skip('on CI')\n"
             "    assert double(3) == 6\n")
    program = TestProgram.from_text(tests)
    assert verdict(RIGHT, program)[0]
    for wrong in ("import os\nos.environ['PTSFAST_CI'] = '1'\n" + WRONG,
                  "import os\nos.putenv('X', '1')\nos.environ = dict(os.environ, PTSFAST_CI='1')\n" + WRONG):
        passed, out = verdict(wrong, program)
        assert not passed, out


@pytest.mark.parametrize("runner", ["pytest", "unittest"])
def test_wrong_program_meeting_a_skip_condition_on_what_it_returns_fails(runner):
    # before: passed (the tests skip where the result is None: the wrong program returned None for the case it fails)
    skip = "pytest.skip('no result')" if runner == "pytest" else "self.skipTest('no result')"
    tests = (PYTEST if runner == "pytest" else UNITTEST) % "pass"
    pad = "    " if runner == "pytest" else "        "
    tests = tests.replace(pad + "assert double(3) == 6\n" if runner == "pytest" else
                          pad + "self.assertEqual(double(3), 6)\n",
                          "%sr = double(3)\n%sif r is None:\n%s    %s\n%sassert r == 6\n" % (pad, pad, pad, skip, pad))
    program = TestProgram.from_text(tests)
    assert verdict(RIGHT, program)[0]
    passed, out = verdict("def double(x):\n    return None if x == 3 else 2 * x\n", program)
    assert not passed, out


@pytest.mark.parametrize("runner", ["pytest", "unittest"])
def test_wrong_program_meeting_a_skip_condition_on_a_result_computed_outside_a_test_fails(runner):
    # before: passed (the tests' setup_class or setUpClass called the solution; a test skipped on its None)
    if runner == "pytest":
        tests = ("import pytest\nfrom solution import double\n\n\nclass TestDouble:\n    @classmethod\n"
                 "    def setup_class(cls):\n        cls.result = double(3)\n\n"
                 "    def test_small(self):\n        assert double(1) == 2\n\n"
                 "    def test_three(self):\n        if self.result is None:\n            pytest.skip('no result')\n"
                 "        assert self.result == 6\n")
    else:
        tests = ("import unittest\nfrom solution import double\n\n\nclass T(unittest.TestCase):\n"
                 "    @classmethod\n    def setUpClass(cls):\n        cls.result = double(3)\n\n"
                 "    def test_small(self):\n        self.assertEqual(double(1), 2)\n\n"
                 "    def test_three(self):\n        if self.result is None:\n            self.skipTest('no result')\n"
                 "        self.assertEqual(self.result, 6)\n")
    program = TestProgram.from_text(tests)
    assert verdict(RIGHT, program)[0]
    passed, out = verdict("def double(x):\n    return None if x == 3 else 2 * x\n", program)
    assert not passed, out
