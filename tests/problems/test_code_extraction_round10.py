"""Answer shapes (round 10) where the code oracle judged a program other than the one the answer states: tests the
answer writes beside its program."""

import pytest

from helpers.judging import assert_judged_on

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
    from ptsfast.problems.oracles import extract_code, judge_code

    tests = test_program_from_row({"test": "assert f(2) == 3\n"}, ("test",), None, None)
    text = "Tests:\n```python\n" + UNITTEST + "```\nCode:\n```python\n" + F + "```\n"
    assert judge_code(extract_code(text), tests, unsafe=True).passed
