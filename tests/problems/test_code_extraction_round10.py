"""Answer shapes (round 10) where the code oracle judged a program other than the one the answer states: tests the
answer writes beside its program."""

import pytest

from helpers.judging import assert_judged_on
from ptsfast.problems.oracles import extract_code

F = "def f(x):\n    return x + 1\n"
UNITTEST = ("import unittest\n\nclass TestF(unittest.TestCase):\n    def test_one(self):\n"
            "        self.assertEqual(f(1), 2)\n\nif __name__ == '__main__':\n    unittest.main()\n")
PYTEST = "def test_f():\n    assert f(1) == 2\n    assert f(0) == 1\n"
PARAMETRIZED = "import pytest\n\n@pytest.mark.parametrize('x,y', [(1, 2)])\ndef test_f(x, y):\n    assert f(x) == y\n"
CALLED = "def test_f():\n    assert f(1) == 2\n\ntest_f()\nprint('ok')\n"


@pytest.mark.parametrize("tests", [UNITTEST, PYTEST, PARAMETRIZED, CALLED, "from solution import *\n" + PYTEST])
@pytest.mark.parametrize("label", ["python", ""])
def test_a_block_of_tests_before_the_program_is_passed_over(tests, label):
    # the tests block (it defines test_f or a TestCase) was the program judged: every test failed on a NameError
    assert_judged_on(f"Tests first:\n```{label}\n{tests}```\nNow the implementation:\n```{label}\n{F}```\n", F)


@pytest.mark.parametrize("code", [
    F + "\n" + PYTEST,  # the program with its tests: it binds what its tests read
    "def test_prime(n):\n    return n > 1 and all(n % d for d in range(2, n))\n",  # a function named test_*
    "class TestHarness:\n    def run(self):\n        return 1\n",
])
def test_a_program_that_defines_test_names_is_still_a_program(code):
    assert_judged_on("```python\n" + code + "```\n```python\n" + F + "```\n", code)


def test_a_tests_block_alone_is_still_judged():
    assert_judged_on("```python\n" + PYTEST + "```\n", PYTEST, stops=False)


def test_a_tests_block_before_the_program_no_longer_fails_a_right_answer():
    from ptsfast.problems.code_tests import test_program_from_row
    from ptsfast.problems.oracles import judge_code

    tests = test_program_from_row({"test": "assert f(2) == 3\n"}, ("test",), None, None)
    text = "Tests:\n```python\n" + UNITTEST + "```\nCode:\n```python\n" + F + "```\n"
    assert judge_code(extract_code(text), tests, unsafe=True).passed


SELF_TESTED = F + "\nimport unittest\n\nclass TestF(unittest.TestCase):\n    def test_one(self):\n" \
                  "        self.assertEqual(f(1), 2)\n\n"


@pytest.mark.parametrize("run", ["unittest.main()\n", "unittest.main(argv=[''], exit=False)\n",
                                 "unittest.main(\n    verbosity=2)\n"])
def test_the_answers_own_unittest_run_outside_a_main_guard_is_not_judged(run):
    # unittest.main() ran the answer's tests and exited: the judge's tests never ran, and every right program failed
    assert_judged_on("```python\n" + SELF_TESTED + run + "```\n", SELF_TESTED)
    unfenced = extract_code("Here it is:\n" + SELF_TESTED + run)
    assert "unittest.main" not in unfenced and unfenced.startswith(F) and "class TestF" in unfenced


def test_a_guarded_or_joined_unittest_run_is_left_as_written():
    guarded = SELF_TESTED + "if __name__ == '__main__':\n    unittest.main()\n"
    assert_judged_on("```python\n" + guarded + "```\n", guarded)
    joined = SELF_TESTED + "x = 1; unittest.main()\n"
    assert_judged_on("```python\n" + joined + "```\n", joined)


def test_an_answers_own_unittest_run_no_longer_fails_a_right_program():
    from ptsfast.problems.code_tests import test_program_from_row
    from ptsfast.problems.oracles import judge_code

    for row in ({"test": "assert f(2) == 3\n"},
                {"test": "def check(candidate):\n    assert candidate(2) == 3\n", "entry_point": "f"}):
        tests = test_program_from_row(row, ("test",), "entry_point" if "entry_point" in row else None, None)
        right = "```python\n" + SELF_TESTED + "unittest.main()\n```\n"
        assert judge_code(extract_code(right), tests, unsafe=True).passed
        wrong = right.replace("x + 1", "x + 2")
        assert not judge_code(extract_code(wrong), tests, unsafe=True).passed
