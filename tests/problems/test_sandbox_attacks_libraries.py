"""Wrong programs that reach past the tests into the libraries that judge them: the unittest result the runner
keeps, a library class or module the test framework calls (``collections.Counter``, ``unittest.case``'s
helpers), or a builtin replaced for one call and put back by the replacement itself. Each passed before and fails
now; the right program still passes."""

import pytest

from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.oracles import judge_code
from ptsfast.problems.sandbox import isolation_status

from judging import verdict

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")



def unittest_of(line: str) -> TestProgram:
    return TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n"
                                 f"        {line}\n")


EQUAL = unittest_of("self.assertEqual(f(3), 9)")
COUNT = unittest_of("self.assertCountEqual(f(3), [9, 1])")
ALMOST = unittest_of("self.assertAlmostEqual(f(3), 9.0)")

# the result TextTestRunner.run registers with unittest.signals, emptied of the failures
RESULT_ATTACKS = {
    "a failures list that drops what is appended": (
        "import unittest.signals as s\nclass Drop(list):\n    def append(self, x):\n        pass\n"
        "def f(x):\n    for r in list(s._results):\n        r.failures, r.errors = Drop(), Drop()\n    return 5\n"),
    "a gc callback that empties the failures": (
        "import gc, unittest.signals as s\ndef cb(phase, info):\n    for r in list(s._results):\n"
        "        r.failures.clear()\n        r.errors.clear()\ngc.callbacks.append(cb)\ngc.set_threshold(1)\n"
        "def f(x):\n    return 5\n"),
}


@pytest.mark.parametrize("name", sorted(RESULT_ATTACKS))
def test_the_unittest_result_is_out_of_the_solutions_reach(name):
    assert verdict("def f(x):\n    return x * x\n", EQUAL)[0]
    if "gc callback" in name:
        # the solution's gc callbacks run in the call window, and with gc at every allocation (threshold 1) the
        # program runs out of its time: no verdict, which fails the rollout as a timeout does
        res = judge_code(RESULT_ATTACKS[name], EQUAL, timeout=10)
        assert not res.passed and (res.timed_out or "FAIL" in res.output), res.output
        return
    passed, out = verdict(RESULT_ATTACKS[name], EQUAL)
    assert not passed, out
    assert "FAIL" in out


# what the test framework calls in turn, swapped for good (a module the tests never import) or for one call (the
# replacement puts the original back once it has answered)
LIBRARY_ATTACKS = {
    "Counter.__eq__ for good": (COUNT, "import collections\ncollections.Counter.__eq__ = lambda self, other: True\n"
                                       "def f(x):\n    return [5, 5]\n"),
    "unittest.case's collections": (COUNT, "import types, unittest.case\nunittest.case.collections = "
                                           "types.SimpleNamespace(Counter=lambda items: 0)\n"
                                           "def f(x):\n    return [5, 5]\n"),
    "unittest.case's _count_diff_hashable for one call": (
        COUNT, "import unittest.case as case\nreal = case._count_diff_hashable\ndef fake(a, b):\n"
               "    case._count_diff_hashable = real\n    return []\n"
               "def f(x):\n    case._count_diff_hashable = fake\n    return [5, 5]\n"),
    "Counter.__eq__ for one call": (COUNT, "import collections\nreal = collections.Counter.__eq__\n"
                                           "def fake(self, other):\n    collections.Counter.__eq__ = real\n"
                                           "    return True\ndef f(x):\n    collections.Counter.__eq__ = fake\n"
                                           "    return [5, 5]\n"),
    "round() for one call": (ALMOST, "import builtins\nreal = builtins.round\ndef fake(*args):\n"
                                     "    builtins.round = real\n    return 0\n"
                                     "def f(x):\n    builtins.round = fake\n    return 99.0\n"),
}


@pytest.mark.parametrize("name", sorted(LIBRARY_ATTACKS))
def test_what_the_test_framework_calls_cannot_be_swapped(name):
    program, code = LIBRARY_ATTACKS[name]
    right = "def f(x):\n    return [9, 1]\n" if program is COUNT else "def f(x):\n    return x * x\n"
    assert verdict(right, program)[0]
    passed, out = verdict(code, program)
    assert not passed and "replaced" in out, out


# what a library replaces of its own while a right program runs is not the solution's doing: pyparsing, loaded by
# matplotlib for the tests, swaps its parser for a caching one when the solution enables it (as matplotlib's
# mathtext does)
PYPARSING = TestProgram.from_text("import unittest\nimport matplotlib\n\nclass T(unittest.TestCase):\n"
                                  "    def test_f(self):\n        self.assertEqual(f(3), 9)\n")


def test_what_a_library_replaces_of_its_own_passes_a_right_program():
    pytest.importorskip("matplotlib")
    code = "import pyparsing\npyparsing.ParserElement.enable_packrat()\ndef f(x):\n    return x * x\n"
    passed, out = verdict(code, PYPARSING)
    assert passed, out
    assert not verdict(code.replace("return x * x", "return 5"), PYPARSING)[0]
    # the same attribute set to the solution's own function is refused
    forged = "import pyparsing\npyparsing.ParserElement._parse = lambda *a, **k: None\ndef f(x):\n    return 5\n"
    passed, out = verdict(forged, PYPARSING)
    assert not passed and "replaced" in out, out
