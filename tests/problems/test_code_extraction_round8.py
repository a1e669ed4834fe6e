"""Answer shapes where the code oracle took the wrong program out of a model's answer, or none, and judged a right
program wrong (or a wrong one right)."""

import pytest

from helpers.judging import assert_judged_on
from ptsfast.problems.oracles import extract_code

F = "def f(x):\n    return x + 1\n"


@pytest.mark.parametrize("text,code", [
    ("```python def f(x):\n    return x + 1\n```\n", F),
    ("Here:\n```python import sys\nprint(sys.stdin.read())\n```\n", "import sys\nprint(sys.stdin.read())\n"),
    ("```py class A:\n    pass\n```\n", "class A:\n    pass\n"),
    ("```python def f(x):\n    return x +", "def f(x):\n    return x +"),  # cut: judged as written
])
def test_code_on_the_opening_fences_line_is_the_programs_first_line(text, code):
    assert_judged_on(text, code, stops=text.endswith("```\n"))


@pytest.mark.parametrize("head", ["main.py", "3", "{.numberLines}", "(solution)"])
def test_a_file_name_or_attribute_after_the_label_is_not_code(head):
    assert_judged_on(f"```python {head}\n" + F + "```\n", F)


DOC = 'def f(x):\n    """Add one.\n\n    ```\n    >>> f(1)\n    2\n    ```\n    """\n    return x + 1\n'
USAGE = 'USAGE = """\n```\nf(1)\n```\n"""\n' + F


@pytest.mark.parametrize("code", [DOC, USAGE, "s = '''```'''\n" + F])
def test_a_fence_inside_the_programs_string_does_not_end_its_block(code):
    assert_judged_on("Solution:\n```python\n" + code + "```\nIt adds one.\n```python\nprint(f(1))\n```\n", code)
    assert_judged_on("```\n" + code + "```\n", code)


def test_a_fence_after_a_closed_docstring_ends_the_block():
    code = 'def f(x):\n    """It\'s x + 1 (a "quote")."""\n    return x + 1  # don\'t\n'
    assert_judged_on("```python\n" + code + "```\nUsage:\n```python\nprint(f(1))\n```\n", code)


@pytest.mark.parametrize("usage", ["print(f(3))\n", "solve()\n", "result = f(3)\nprint(result)\n",
                                   'if __name__ == "__main__":\n    main()\n', "print(Solution().f(3))\n"])
def test_a_usage_example_before_the_program_is_passed_over(usage):
    assert_judged_on("Call it like this:\n```python\n" + usage + "```\nThe code:\n```python\n" + F + "```\n", F)
    assert_judged_on("Usage:\n```\n" + usage + "```\n```\n" + F + "```\n", F)


def test_a_usage_example_after_an_unfenced_program_is_not_judged_alone():
    assert_judged_on("Here is f:\n" + F + "\nExample:\n```python\nprint(f(3))\n```\n", F + "print(f(3))\n",
                     stops=False)


@pytest.mark.parametrize("code", ["n = int(input())\nprint(gcd(n, 6))\n",  # APPS' prelude gives gcd
                                  "print(sum(map(int, input().split())))\n", "x = 1\n",
                                  "f = lambda x: g(x) + 1\n", "import m\nm.run()\n"])
def test_a_program_that_defines_nothing_is_still_a_program(code):
    assert_judged_on("```python\n" + code + "```\n```python\n" + F + "```\n", code)


def test_the_usage_example_no_longer_fails_a_right_answer():
    from ptsfast.problems.code_tests import test_program_from_row
    from ptsfast.problems.oracles import judge_code

    tests = test_program_from_row({"test": "assert f(2) == 3\n"}, ("test",), None, None)
    text = "Use it as:\n```python\nprint(f(2))\n```\nHere it is:\n```python\n" + F + "```\n"
    assert judge_code(extract_code(text), tests, unsafe=True).passed


@pytest.mark.parametrize("text", [
    "Solution\n~~~~~~~~~~\n```python\n" + F + "```\n",
    "~~~~~~ Step 2 ~~~~~~\n```python\n" + F + "```\n",
    "~~~\nThe code:\n```python\n" + F + "```\n~~~\n",
])
def test_a_tilde_line_setting_parts_apart_opens_no_block(text):
    assert_judged_on(text, F)


def test_a_tilde_line_before_an_unfenced_program_is_not_its_block():
    assert_judged_on("Solution\n~~~~~~~~~~\nHere is f:\n" + F + "It adds one.", F, stops=False)


@pytest.mark.parametrize("text,code", [
    ("~~~\n" + F + "~~~\n", F),
    ("~~~\n" + F, F),  # cut: judged as written
    ("~~~markdown\n```python\nprint(1)\n```\n~~~\n```python\n" + F + "```\n", F),
])
def test_tilde_fences_still_hold_blocks(text, code):
    assert_judged_on(text, code, stops=text.endswith("```\n") or text.endswith("~~~\n"))


@pytest.mark.parametrize("shown", [">>> f(2)\n3\n", "[0, 1]\n", "# Output: 6\n", "Output: 6\n",
                                   "Input: nums = [2, 7, 11, 15], target = 9\nOutput: [0, 1]\n"])
def test_a_python_labelled_run_or_sample_before_the_program_is_passed_over(shown):
    assert_judged_on("Example:\n```python\n" + shown + "```\nSolution:\n```python\n" + F + "```\n", F)


@pytest.mark.parametrize("code", ["x = 1\n", "    return x + 1\n", "print(1)\n", "Answer: int = 3\n"])
def test_a_python_labelled_program_is_not_a_sample(code):
    assert_judged_on("```python\n" + code + "```\n```python\n" + F + "```\n", code)
