"""Code rows as real datasets hold them, round 3: a column of cases that are no program's stdin is refused naming the
column the dataset's own judge runs, never run as stdin/stdout cases that every right program fails."""

import pytest

from helpers.rows import load
from ptsfast.problems import code_tests


LEETCODE = {"task_id": "two-sum", "question_id": 1, "difficulty": "Easy",
            "problem_description": "Given an array nums and an integer target, return the indices of the two numbers "
                                   "that add up to target.",
            "starter_code": "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
                            "        ",
            "prompt": "from typing import *\n", "entry_point": "Solution().twoSum",
            "test": "def check(candidate):\n    assert candidate(nums = [2,7,11,15], target = 9) == [0, 1]\n"
                    "    assert candidate(nums = [3,2,4], target = 6) == [1, 2]\n",
            "input_output": [{"input": "nums = [2,7,11,15], target = 9", "output": "[0, 1]"},
                             {"input": "nums = [3,2,4], target = 6", "output": "[1, 2]"}]}


def test_leetcode_datasets_input_output_is_refused_naming_its_test_column(tmp_path):
    # LeetCodeDataset's 'input_output' writes each case as the entry point's keyword arguments in text ("nums =
    # [3,2,4], target = 6"); named with --tests-field, it was run as stdin, which no class Solution reads: every right
    # program failed
    res = load(tmp_path, [LEETCODE], "--tests-field", "input_output", oracle="code")
    assert not res.problems and res.skipped[0].reason == "tests cannot run"
    assert "'input_output'" in res.skipped[0] and "keyword arguments" in res.skipped[0]
    assert "Solution().twoSum" in res.skipped[0] and "--tests-field test" in res.skipped[0]
    # its 'test' column (found by itself) is the one its judge runs
    p, = load(tmp_path, [LEETCODE], oracle="code").problems
    assert code_tests.TestProgram.from_text(p.tests).format == "humaneval"
    # stdin that merely holds an '=' is still a program's stdin
    stdio = code_tests.test_program_from_row({"tests": [{"input": "x = 3\n", "output": "3\n"}]}, ("tests",), None, "")
    assert stdio.format == "stdio"


@pytest.mark.parametrize("cases", [[{"input": "root = [3,9,20,null,null,15,7]", "output": "3"}],
                                   [{"input": "s = \"abc\"", "output": "true"}]])
def test_keyword_argument_cases_beside_an_entry_point_are_refused_whatever_their_values(cases):
    row = {"input_output": cases, "entry_point": "Solution().maxDepth"}
    with pytest.raises(code_tests.TestFormatError, match=r"keyword arguments of Solution\(\)\.maxDepth"):
        code_tests.test_program_from_row(row, ("input_output",), "entry_point", "")


OPEN_CODE_REASONING = {"id": "b0a3b9b1", "input": "-", "output": "<think>\nRead n.\n</think>\n```python\nprint(1)\n```",
                       "source": "codeforces", "license": "cc-by-4.0", "dataset": "taco", "split": "train",
                       "index": "12", "difficulty": "EASY", "solution": "print(1)"}


def test_open_code_reasoning_rows_say_they_carry_no_tests_and_where_their_problem_is(tmp_path):
    # OpenCodeReasoning's rows are solutions to problems of other datasets, named by 'dataset' and 'split' (its TACO
    # and APPS rows' 'input' is "-"): refused only as "no tests: 'tests' is empty or missing"
    res = load(tmp_path, [OPEN_CODE_REASONING], "--question-field", "input", oracle="code")
    assert not res.problems and res.skipped[0].reason == "tests cannot run"
    assert "no tests" in res.skipped[0] and "dataset 'taco'" in res.skipped[0] and "split 'train'" in res.skipped[0]
    assert "load the problems from that dataset" in res.skipped[0]


def test_tests_written_as_examples_in_words_are_refused_saying_so():
    # LeetCode scrapes keep a problem's examples as text, "Input: nums = [3,3], target = 6\nOutput: [0,1]": refused
    # as "not valid Python (line 1: invalid syntax)", which named nothing the user could fix
    text = "Input: nums = [2,7,11,15], target = 9\nOutput: [0,1]\nInput: nums = [3,3], target = 6\nOutput: [0,1]"
    with pytest.raises(code_tests.TestFormatError, match=r"examples written out \('Input: \.\.\.', 'Output: \.\.\.'"):
        code_tests.test_program_from_row({"test_cases": text}, ("test_cases",), None, "")
