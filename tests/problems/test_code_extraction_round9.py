"""Answer shapes (round 9) where the code oracle judged a program other than the one the answer states."""

import pytest

from helpers.judging import assert_judged_on
from ptsfast.problems.oracles import answer_complete, extract_code

F = "def f(x):\n    return x + 1\n"


@pytest.mark.parametrize("attrs", ['title="sol.py"', "filename=solution.py", 'hl_lines="2"', "linenums=1"])
def test_a_fence_attribute_after_the_label_is_not_code(attrs):
    # filename=solution.py ran as code: a NameError failed the right program
    assert_judged_on(f"```python {attrs}\n" + F + "```\n", F)
    assert_judged_on(f"```py {attrs}\n" + F + "```\nUsage:\n```python\nprint(f(1))\n```\n", F)


def test_an_assignment_on_the_fence_line_that_the_program_reads_is_code():
    assert_judged_on("```python n=3\nprint(n)\n```\n", "n=3\nprint(n)\n")


@pytest.mark.parametrize("label", ["python3.10", "python3.12", "{python}", "{.python}", "{.python .numberLines}",
                                   "{python} title=sol.py"])
def test_a_versioned_or_braced_python_label_holds_the_program(label):
    # unread, the block was no block: no early stop, and the usage block after it was judged with the program
    assert_judged_on(f"```{label}\n" + F + "```\nUsage:\n```python\nprint(f(1))\n```\n", F)


@pytest.mark.parametrize("label", ["python", "", "py"])
def test_an_imports_only_block_before_the_function_is_part_of_the_program(label):
    # the imports block was the program judged: every test failed on a NameError
    text = (f"First the imports:\n```{label}\nimport math\nfrom typing import List\n```\nThen the function:\n"
            f"```{label}\ndef f(xs: List[float]) -> int:\n    return math.floor(sum(xs))\n```\n")
    assert_judged_on(text, "import math\nfrom typing import List\n"
                           "def f(xs: List[float]) -> int:\n    return math.floor(sum(xs))\n")


def test_imports_only_blocks_join_a_block_cut_by_the_budget():
    assert_judged_on("```python\nimport sys\n```\n```python\nprint(sys.", "import sys\nprint(sys.", stops=False)


@pytest.mark.parametrize("shown", ["In [1]: f(2)\nOut[1]: 3\n", "In [3]: def g(y):\n   ...:     return y\n"])
def test_an_ipython_session_before_the_program_is_passed_over(shown):
    assert_judged_on("Run:\n```python\n" + shown + "```\nSolution:\n```python\n" + F + "```\n", F)


FULL = "n = int(input())\na = list(map(int, input().split()))\ntotal = 0\nfor i in range(n):\n    total += a[i]\n" \
       "print(total)\n"


@pytest.mark.parametrize("fragment", ["for i in range(n):\n    total += a[i]\n", "answer = total % MOD\n",
                                      "sorted_nums = sorted(numbers)\n"])
def test_a_fragment_reading_names_it_never_binds_before_the_program_is_passed_over(fragment):
    # it can run on its own in no judge (a NameError): it shows a step of the program written after it
    assert_judged_on("The key step:\n```python\n" + fragment + "```\nComplete code:\n```python\n" + FULL + "```\n",
                     FULL)


def test_a_fragment_alone_is_still_judged():
    assert_judged_on("The answer:\n```python\nprint(total)\n```\n", "print(total)\n", stops=False)


@pytest.mark.parametrize("after", ["", "\nThis function adds one.\n", "\nIt adds one to `x`."])
def test_a_stray_closing_fence_after_prose_and_code_leaves_the_code_judged(after):
    # the fence opened a block of nothing (or of the prose after it) that was judged: an empty program failed
    assert_judged_on("Here is the function:\n\n" + F + "```\n" + after, F, stops=False)
    assert_judged_on("Here is the code: ```python\n" + F + "```\n" + after, F, stops=False)


def test_a_bare_block_cut_by_the_budget_is_still_judged_as_written():
    assert_judged_on("Here:\n```\ndef f(x):\n    return x +", "def f(x):\n    return x +", stops=False)


@pytest.mark.parametrize("opened", [False, True])
def test_drafts_inside_the_think_trace_are_not_the_program(opened):
    trace = "A draft:\n```python\ndef f(x):\n    return x\n```\nNo, it must add one.\n</think>\n\n"
    text = ("" if opened else "<think>\n") + trace + "```python\n" + F + "```\n"
    stops = [k for k in range(1, len(text) + 1) if answer_complete("code", text[:k], think_open=opened)]
    assert stops == [len(text)]  # not at the draft's closing fence
    assert extract_code(text.split("</think>")[1]) == F  # the judge reads the answer after the trace


def test_a_versioned_label_and_an_imports_block_judge_the_right_program_right():
    from ptsfast.problems.code_tests import test_program_from_row
    from ptsfast.problems.oracles import judge_code

    tests = test_program_from_row({"test": "assert f([1.5, 2.0]) == 3\n"}, ("test",), None, None)
    text = ("```python3.10\nimport math\n```\n```python3.10 title=\"sol.py\"\n"
            "def f(xs):\n    return math.floor(sum(xs))\n```\nUsage:\n```python\nprint(f(1))\n```\n")
    assert judge_code(extract_code(text), tests, unsafe=True).passed
