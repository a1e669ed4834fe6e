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


@pytest.mark.parametrize("tests", [
    "import doctest\n\ndoctest.testmod()\n",
    "import doctest\n\ndoctest.run_docstring_examples(f, globals())\n",
    "import doctest\n\nif __name__ == '__main__':\n    doctest.testmod(verbose=True)\n",
])
def test_tests_that_only_run_doctest_are_refused(tmp_path, tests):
    # doctest's runners print each failing example and return: named like a check ("testmod"), doctest.testmod()
    # was taken for one, and every program passed
    with pytest.raises(TestFormatError, match="never compare.*doctest"):
        program_from_row({"test": tests, "entry_point": "f"}, ("test",), "entry_point", "")


@pytest.mark.parametrize("tests", [
    "import doctest\n\nassert doctest.testmod().failed == 0\nassert f(1) == 2\n",
    "import doctest\n\ndoctest.testmod(raise_on_error=True)\nassert f(1) == 2\n",
])
def test_doctest_whose_failures_raise_still_loads(tests):
    assert program_from_row({"test": tests}, ("test",), None, "").format == "script"


def test_a_testcase_without_test_methods_is_refused_naming_them(tmp_path):
    # unittest runs only test* methods: a TestCase of check_* methods loaded, ran no test and failed every program,
    # a right one too, with nothing said at load
    tests = "import unittest\n\nclass T(unittest.TestCase):\n    def setUp(self):\n        self.x = 1\n\n" \
            "    def check_one(self):\n        self.assertEqual(f(1), 2)\n"
    with pytest.raises(TestFormatError, match="no test method.*check_one"):
        program_from_row({"test": tests}, ("test",), None, "")
    inherited = "import unittest\n\nclass Checks:\n    def test_one(self):\n        self.assertEqual(f(1), 2)\n\n" \
                "class T(Checks, unittest.TestCase):\n    pass\n"  # collected from the mixin: judged
    p, = load(tmp_path, [{"question": "Write f, which adds one.", "test": inherited}], oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success and not CODE(f"```python\n{WRONG}```", p).success


@pytest.mark.parametrize("tests", [
    "from hypothesis import given, strategies as st\nfrom solution import f\n\n@given(st.integers())\n"
    "def test_f(x):\n    assert f(x) == x + 1\n",
    "import hypothesis\nimport hypothesis.strategies as st\n\n@hypothesis.given(x=st.integers())\ndef test_f(x):\n"
    "    assert f(x) == x + 1\n\ndef test_one():\n    assert f(1) == 2\n",
    "import unittest\nfrom hypothesis import given, settings, strategies as st\n\nclass T(unittest.TestCase):\n"
    "    @settings(max_examples=20)\n    @given(st.integers())\n    def test_f(self, x):\n"
    "        self.assertEqual(f(x), x + 1)\n",
    "from hypothesis import given, strategies as st\n\n@given(st.integers())\ndef prop(x):\n    assert f(x) == x + 1\n\n"
    "prop()\n",
])
def test_hypothesis_property_tests_are_refused_naming_them(tmp_path, tests):
    # @given's drawn arguments were refused as fixtures ptsfast does not give ("asks for fixtures (x)": nothing said
    # of hypothesis); where hypothesis is installed its TestCase and script forms loaded, and the judge, whose guards
    # refuse hypothesis' tracer and wrapped tests, failed every program, a right one too
    with pytest.raises(TestFormatError, match=r"\(\) is a hypothesis property test \(@given\)"):
        program_from_row({"test": tests}, ("test",), None, "")
    r = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests}], oracle="code")
    assert not r.problems and "hypothesis property test" in r.skipped[0]
