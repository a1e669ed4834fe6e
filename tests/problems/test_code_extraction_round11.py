"""Answer shapes (round 11) where the code oracle took the wrong program out of a model's answer, or broke on it."""

import pytest

from helpers.judging import assert_judged_on, judged
from ptsfast.problems.oracles import answer_complete, extract_code, make_judge
from ptsfast.problems.loading import Problem

F = "def f(x):\n    return x + 1\n"

LOOPS = {  # a small model's repetition loop inside its code: Python's parser gives up on each
    "a sum": "x = " + "1 + " * 5000 + "1\n",  # RecursionError
    "an index": "y = a" + "[0]" * 30000 + "\n",  # RecursionError
    "signs": "z = " + "-" * 100000 + "1\n",  # MemoryError
}


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("fenced", [True, False])
def test_a_program_too_deep_for_pythons_parser_is_a_failed_rollout_not_a_crash(loop, fenced):
    # the parser's RecursionError (or MemoryError) came out of the early stop's check, which the engine calls on
    # every token (the mining run ended), and out of the oracle (an oracle error: "fix the oracle")
    code = LOOPS[loop]
    text = ("Here:\n```python\n" + code + "```\n") if fenced else ("Here:\n" + code)
    assert extract_code(text) == (code if fenced else text)  # unfenced, it cannot be told from prose: all of it
    assert answer_complete("code", text) is fenced
    assert answer_complete("code", "Sure.\n```\n" + code) is False
    assert answer_complete("code", code + "```\nThat is x.") is False
    problem = Problem("p", "q", None, "assert f(1) == 2\n")
    verdict = make_judge("code", unsafe_code_oracle=True)(text, problem)
    assert verdict.success is False and verdict.error is None


@pytest.mark.parametrize("loop", ["```\n" * 12000, "```text\nno\n```\n" * 5000, "```bash\nls\n```\n" * 5000])
def test_a_loop_of_blocks_before_the_program_is_read_at_once(loop):
    # each block passed over searched the rest of the text for a one-line fence: 12,000 ``` lines took 7 s to read,
    # 25,000 a minute, and the early stop reads the answer after every token
    import time

    t0 = time.perf_counter()
    text = loop + "```python\n" + F + "```\n"
    assert extract_code(text) == F and answer_complete("code", text)
    assert extract_code(loop) == loop and not answer_complete("code", loop)  # no program: judged as written
    assert time.perf_counter() - t0 < 3.0


@pytest.mark.parametrize("loop", ["f(\n" * 4000, "[\n" * 8000, "x = {\n" * 3000])
def test_an_unfenced_loop_of_open_brackets_is_read_at_once(loop):
    # each line's statement was parsed again with each of the next 63 added, to find where its bracket closes: a
    # loop of 4,000 "f(" lines took 13 s to judge (25,000 a minute and a half), past the judge's timeout
    import time

    t0 = time.perf_counter()
    text = "Here is f:\n" + F + loop
    assert extract_code(text) == F
    assert time.perf_counter() - t0 < 1.0


def test_a_bracket_left_open_over_lines_still_takes_them_in():
    code = "x = [\n1,\n2,\n# two\n]\nprint(sum(x))\n"
    assert extract_code("The list:\n" + code + "That is 3.") == code
    assert extract_code("Text:\ns = '''\nf(\n'''\nprint(s)\nDone.") == "s = '''\nf(\n'''\nprint(s)\n"


USAGES = ["# Example usage\nx = int(input())\nprint(f(x))\n",
          "n = int(input('Enter n: '))\nresult = f(n)\nprint(result)\n",
          "import sys\ndata = sys.stdin.read().split()\nprint(f(int(data[0])))\n",
          "def main():\n    print(f(int(input())))\n\nmain()\n", "print(f(int(input())))\n"]


@pytest.mark.parametrize("usage", USAGES)
def test_an_example_run_reading_stdin_after_the_function_fails_no_right_answer(usage):
    # the tests call f with nothing on stdin: the example's input() raised EOFError first, and a right f failed
    # (EvalPlus' sanitizer keeps only the definitions, imports and assignments the function reads)
    right = "```python\n" + F + "\n" + usage + "```\n"
    for tests, entry in (("assert f(2) == 3\n", None), ("def check(candidate):\n    assert candidate(2) == 3\n", "f")):
        assert judged(right, tests, entry)
        assert not judged(right.replace("x + 1", "x + 2"), tests, entry)


def test_a_program_that_reads_stdin_is_judged_as_written_where_the_tests_give_stdin():
    from ptsfast.problems.code_tests import TestProgram

    stdio = TestProgram("stdio", cases=(("2\n", "3\n"),)).to_text()
    assert judged("```python\n" + F + "\n" + USAGES[0] + "```\n", stdio)
    assert not judged("```python\n" + F + "\n" + USAGES[0].replace("f(x)", "x") + "```\n", stdio)


@pytest.mark.parametrize("code", [
    "import sys\nline = sys.stdin.readline()\n\ndef f(x):\n    return x + 1 + len(line)\n",  # f reads what it binds
    "x = input\ndef f(v):\n    return v + 1\n",  # no call
])
def test_what_the_function_reads_of_stdin_is_left_as_written(code):
    from ptsfast.problems.oracles import _without_stdin_usage

    assert _without_stdin_usage(code) == code


INDENTED = "    def f(x):\n        return x + 1\n"


@pytest.mark.parametrize("text,code", [
    ("Here is the code:\n\n" + INDENTED + "\nThis adds one.", F),
    ("Here is the code:\n\n" + INDENTED.replace("    ", "\t"), F.replace("    ", "\t")),
    ("First the import:\n\n    import math\n\nThen the function:\n\n" + INDENTED + "\nDone.", "import math\n" + F),
    ("Sure.\nimport math\n\nThe function:\n\n" + INDENTED, "import math\n" + F),
])
def test_a_markdown_indented_block_under_prose_is_the_program(text, code):
    # a markdown code block written by indenting it 4 spaces after a blank line: the whole answer, prose and all,
    # was judged (a SyntaxError failed the right program)
    assert_judged_on(text, code, stops=False)


@pytest.mark.parametrize("text", [
    "if x > 0\n    print(x)\n",  # no blank line: a broken statement, not a markdown block
    "Some prose:\n\n    x and y are both positive here.\n",  # an indented quote
    "    return x + 1\n\nprint(f(2))\n",  # a function body continuing the prompt (HumanEval)
])
def test_an_indented_line_that_is_no_markdown_code_block_is_read_as_before(text):
    assert extract_code(text) == text


def test_a_markdown_indented_program_passes_its_tests():
    assert judged("Here is the code:\n\n" + INDENTED + "\nThis adds one.", "assert f(2) == 3\n")
    assert not judged("Here is the code:\n\n" + INDENTED.replace("+ 1", "+ 2") + "\nThis adds two.",
                       "assert f(2) == 3\n")


OWN_CHECKS = ["# Test cases\nassert f(1) == 3  # the model's own expectation, wrong\nprint('All tests passed!')\n",
              "for x, want in [(1, 2), (5, 7)]:\n    assert f(x) == want, x\n",
              "assert f(0) == 1\nassert f(1) == 3\n"]


@pytest.mark.parametrize("checks", OWN_CHECKS)
def test_the_answers_own_asserts_after_the_function_fail_no_right_answer(checks):
    # a model checks its function against values it worked out, often wrongly: its assert failed the right program
    # before the judge's tests ran (EvalPlus' sanitizer keeps only the definitions, imports and assignments)
    right = "```python\n" + F + "\n" + checks + "```\n"
    for tests, entry in (("assert f(2) == 3\n", None), ("def check(candidate):\n    assert candidate(2) == 3\n", "f")):
        assert judged(right, tests, entry)
        assert not judged(right.replace("x + 1", "x + 2"), tests, entry)


def test_the_answers_own_asserts_are_kept_where_the_program_reads_stdin():
    from ptsfast.problems.code_tests import TestProgram

    stdio = TestProgram("stdio", cases=(("2\n", "3\n"),)).to_text()
    program = "x = int(input())\nassert x > 5\nprint(x + 1)\n"  # its assert is part of what it does
    assert not judged("```python\n" + program + "```\n", stdio)


STUBS = ['def f(x):\n    """Add one."""\n    pass\n', "def f(x):\n    ...\n",
         "def f(x):\n    # your code here\n    pass\n",
         "from typing import List\n\ndef f(x: List[int]) -> int:\n    raise NotImplementedError\n",
         "class Solution:\n    def f(self, x: int) -> int:\n        \n",  # LiveCodeBench's format: a body to fill in
         "class Solution:\n    def f(self, x: int) -> int:\n        pass\n"]


@pytest.mark.parametrize("stub", STUBS)
def test_the_prompts_stub_restated_before_the_program_is_passed_over(stub):
    # the signature the model restated ("We need to write: ...") was the program judged: every right answer failed
    for code in (F, "class Solution:\n    def f(self, x: int) -> int:\n        return x + 1\n"):
        assert_judged_on("We need to write:\n```python\n" + stub + "```\nHere it is:\n```python\n" + code + "```\n",
                         code)


@pytest.mark.parametrize("code", [
    "def f(x):\n    pass\n\nprint(f(1))\n", "def f(x):\n    return None\n",
    "def f(x):\n    '''Add one.'''\n    return x + 1\n",
    "class Solution:\n    def f(self, x):\n        pass\n\n    def g(self):\n        return 1\n",
])
def test_a_block_that_does_something_is_no_stub(code):
    assert_judged_on("```python\n" + code + "```\n```python\n" + F + "```\n", code)


def test_a_stub_alone_is_stilljudged():
    assert_judged_on("```python\n" + STUBS[0] + "```\n", STUBS[0], stops=False)


def test_reading_an_answers_code_writes_no_python_warnings():
    # each parse of a model's code ("1if x else 2", and on Python 3.12 every '\d' in a string) printed a
    # "<unknown>:1: SyntaxWarning" to the run's log, again at each token the early stop read the answer
    import warnings

    text = "Here:\n```python\nimport re\nx = 1if True else 2\np = re.compile('\\d+')\n```\n"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default", append=True)  # as Python shows them, behind the filters set
        for k in range(len(text) + 1):
            answer_complete("code", text[:k])
        assert extract_code(text).startswith("import re")
        extract_code("Sure:\n" + text.split("```python\n")[1].split("```")[0] + "That is all.")
    assert [str(w.message) for w in seen if issubclass(w.category, SyntaxWarning)] == []


@pytest.mark.parametrize("tail", ["assert f(1) == 3\n", "x = int(input())\nprint(f(x))\n"])
def test_a_continued_function_bodys_own_checks_fail_no_right_answer(tail):
    # HumanEval: the answer continues the prompt's function (its body alone does not parse), and a base model goes
    # on past it with its own assert or an example reading stdin: they failed the right body
    from ptsfast.problems.code_tests import test_program_from_row

    prompt = 'def f(x):\n    """Add one."""\n'
    tests = test_program_from_row({"test": "def check(candidate):\n    assert candidate(2) == 3\n", "entry_point": "f"},
                                  ("test",), "entry_point", prompt).to_text()
    assert judged("    return x + 1\n\n\n" + tail, tests, "f")
    assert not judged("    return x + 2\n\n\n" + tail, tests, "f")


@pytest.mark.parametrize("text", [
    "<code>" + F + "</code>", "Here:\n<code>def f(x):\n    return x + 1</code>\nDone.",
    '<code class="language-python">' + F + "</code>", "<pre><code>" + F + "</code></pre>",
    "Call it as <code>f(2)</code>.\n<code>" + F + "</code>",
])
def test_code_in_html_tags_on_its_lines_is_the_program(text):
    # a <code> tag on the code's first or last line: the whole answer, tags and all, was judged (a SyntaxError)
    assert_judged_on(text, F, stops=False)


def test_a_code_tag_in_a_programs_string_is_kept():
    code = 'PAGE = """\n<code>x</code>\n"""\n' + F
    assert extract_code(code) == code
