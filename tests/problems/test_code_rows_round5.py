"""Code rows as real datasets hold them, round 5: tests that can never fail a program are refused at load, naming
the line and the fix, instead of passing every program; asserts lifted out of a HumanEval check call its function."""

import pytest

from helpers.rows import load
from ptsfast.problems.code_tests import TestFormatError, test_program_from_row as program_from_row
from ptsfast.problems.oracles import make_judge

CODE = make_judge("code", 60.0)
RIGHT, WRONG = "def f(x):\n    return x + 1\n", "def f(x):\n    return 0\n"


@pytest.mark.parametrize("field, tests, words", [
    ("test_list", ["f(1) == 2", "f(2) == 3"], "without assert"),
    ("test", "from solution import f\n\nf(1) == 2\nprint(f(2) == 3)\n", "without assert"),
    ("test", "def test_f():\n    f(1) == 2\n\ndef test_g():\n    f(2) == 3\n", "without assert"),
    ("test", "assert f(1) == 2\nassert (f(2) == 3, 'f(2) should be 3')\n", "always true"),
    ("test_list", ["assert f(1) == 2", "assert (f(2) == 3, 'wrong')"], "always true"),
    ("test", "def test_f():\n    assert (f(1) == 2, 'f(1)')\n", "always true"),
    ("test", "import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        f(1) == 2\n",
     "without assert"),
    ("test", "def check(candidate):\n    candidate(1) == 2\n    candidate(2) == 3\n\ncheck(f)\n", "without assert"),
])
def test_tests_that_compare_nothing_are_refused_not_passed_by_every_program(tmp_path, field, tests, words):
    # LLM-written test lists (AceCode's, OpenCodeInstruct's, scraped MBPP-style rows) hold comparisons with no
    # assert before them, whose value is dropped or printed, and asserts on a parenthesised (test, message) tuple,
    # which Python holds always true: each passed any program that ran, wrong or right
    with pytest.raises(TestFormatError, match=words):
        program_from_row({field: tests}, (field,), None, "")
    r = load(tmp_path, [{"question": "Write f, which adds one.", field: tests}], oracle="code")
    assert not r.problems and words in r.skipped[0]


@pytest.mark.parametrize("field, tests", [
    ("test_list", ["assert f(1) == 2", "f(2) == 3"]),  # one real assert: it can fail a program
    ("test", "def test_f():\n    f(0)\n    assert f(1) == 2, ('f(1)', 'should be 2')\n"),  # a tuple as the message
    ("test", "import pytest\n\ndef test_f():\n    with pytest.raises(TypeError):\n        f(None) == 1\n"),
])
def test_tests_that_check_something_beside_a_bare_comparison_still_run(tmp_path, field, tests):
    p, = load(tmp_path, [{"question": "Write f, which adds one.", field: tests}], oracle="code").problems
    if "raises" not in str(tests):
        assert CODE(f"```python\n{RIGHT}```", p).success
        assert not CODE(f"```python\n{WRONG}```", p).success
    else:
        assert CODE(f"```python\n{RIGHT}```", p).success
        assert not CODE("```python\ndef f(x):\n    return 1\n```", p).success


HUMANEVAL_ET = {"task_id": "HumanEval/0", "prompt": "def add_one(x):\n    \"\"\"Return x plus one.\"\"\"\n",
                "entry_point": "add_one", "test": "def check(candidate):\n    assert candidate(1) == 2\n",
                "test_case_list": ["assert candidate(1) == 2", "assert candidate(-1) == 0",
                                   "assert candidate(9) == 10"]}


def test_humaneval_et_test_case_lists_call_the_entry_point_as_candidate(tmp_path):
    # HumanEval-ET's test_case_list holds check(candidate)'s asserts one a line, outside any check: run as a script,
    # 'candidate' was no name and every program failed, the right one too
    p, = load(tmp_path, [HUMANEVAL_ET], "--tests-field", "test_case_list", oracle="code").problems
    assert CODE("```python\ndef add_one(x):\n    return x + 1\n```", p).success
    assert not CODE("```python\ndef add_one(x):\n    return abs(x) + 1\n```", p).success
    with pytest.raises(TestFormatError, match="--entry-point-field"):
        program_from_row({"test_case_list": HUMANEVAL_ET["test_case_list"]}, ("test_case_list",), None, "")
    bound = {"tests": "def helper(candidate):\n    assert candidate(1) == 2\n\nhelper(add_one)\n"}  # its own name
    assert "candidate = " not in program_from_row(bound, ("tests",), None, "").tests


@pytest.mark.parametrize("field, tests", [
    ("input_output", '{"inputs": ["1 2\\n", "3 4\\n"], "outputs": ["", "\\n"]}'),  # APPS / TACO
    ("public_tests", {"input": ["1 2\n"], "output": [""]}),  # CodeContests
])
def test_stdin_cases_whose_every_expected_output_is_empty_are_refused(tmp_path, field, tests):
    # a row whose outputs were lost (a cut export, a misnamed column) kept only inputs: the program that printed
    # nothing passed every case, and the right one failed
    with pytest.raises(TestFormatError, match="every expected output"):
        program_from_row({field: tests}, (field,), None, "")
    p, = load(tmp_path, [{"question": "Print the sum.", field: {"inputs": ["1 2\n"], "outputs": ["3\n"]}
                          if field == "input_output" else {"input": ["1 2\n"], "output": ["3\n"]}}],
              oracle="code").problems  # one expected output that is not empty: judged
    assert CODE("```python\nprint(sum(map(int, input().split())))\n```", p).success
    assert not CODE("```python\npass\n```", p).success
