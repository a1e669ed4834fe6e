"""Dataset rows as real datasets publish them, round 16: LLM-written tests that catch their own asserts' failure
(``try: assert ... except AssertionError: print("failed")``) are refused instead of passing every program."""

import pytest

from helpers.rows import load
from ptsfast.problems.code_tests import TestFormatError, test_program_from_row as program_from_row
from ptsfast.problems.oracles import make_judge

CODE = make_judge("code", 60.0)
RIGHT, WRONG = "def f(x):\n    return x + 1\n", "def f(x):\n    return 0\n"


@pytest.mark.parametrize("tests", [
    "try:\n    assert f(1) == 2\n    print('Test passed')\nexcept AssertionError:\n    print('Test failed')\n",
    "for x, y in [(1, 2), (2, 3)]:\n    try:\n        assert f(x) == y\n    except AssertionError as e:\n"
    "        print('failed', x, e)\n",
    "try:\n    assert f(1) == 2\nexcept Exception as e:\n    print(e)\n",
    "from contextlib import suppress\n\nwith suppress(AssertionError):\n    assert f(1) == 2\n",
    "def check(candidate):\n    try:\n        assert candidate(1) == 2\n    except:\n        print('wrong')\n",
    "from solution import f\n\ndef test_f():\n    try:\n        assert f(1) == 2\n    except AssertionError:\n"
    "        pass\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        try:\n"
    "            self.assertEqual(f(1), 2)\n        except AssertionError:\n            print('failed')\n",
])
def test_checks_whose_failure_the_tests_catch_themselves_are_refused(tmp_path, tests):
    # LLM-written tests that report each failure and go on ("Test failed"): no check could fail the tests, so every
    # program that ran passed them, a wrong one too
    with pytest.raises(TestFormatError, match="never compare.*AssertionError"):
        program_from_row({"test": tests, "entry_point": "f"}, ("test",), "entry_point", "")
    r = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests, "entry_point": "f"}], oracle="code")
    assert not r.problems and "never compare" in r.skipped[0]


@pytest.mark.parametrize("tests", [
    "try:\n    assert f(1) == 2\nexcept AssertionError:\n    print('Test failed')\n    raise\n",
    "failed = 0\nfor x, y in [(1, 2), (2, 3)]:\n    try:\n        assert f(x) == y\n    except AssertionError:\n"
    "        failed += 1\nassert failed == 0\n",
    "import sys\n\ntry:\n    assert f(1) == 2\nexcept AssertionError:\n    sys.exit(1)\n",
    "try:\n    r = f(1)\nexcept Exception:\n    r = None\nassert r == 2\n",
    "try:\n    f('x')\nexcept TypeError:\n    pass\nassert f(1) == 2\n",
])
def test_checks_that_fail_the_tests_after_a_try_still_judge(tmp_path, tests):
    p, = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests}], oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success
    assert not CODE(f"```python\n{WRONG}```", p).success
