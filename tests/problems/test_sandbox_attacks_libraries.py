"""Wrong programs that reach past the tests into the libraries that judge them: the unittest result the runner
keeps. Each passed before and fails now; the right program still passes."""

import pytest

from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.oracles import judge_code
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def verdict(code: str, program: TestProgram) -> tuple[bool, str]:
    res = judge_code(code, program, timeout=60.0)
    assert not res.timed_out, res.output
    return res.passed, res.output


def unittest_of(line: str) -> TestProgram:
    return TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n"
                                 f"        {line}\n")


EQUAL = unittest_of("self.assertEqual(f(3), 9)")

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
    passed, out = verdict(RESULT_ATTACKS[name], EQUAL)
    assert not passed, out
    assert "FAIL" in out

