"""Answer shapes (round 12) where the code oracle took the wrong program out of a model's answer, or broke on it."""

import pytest

from helpers.judging import assert_judged_on, judged
from ptsfast.problems.oracles import extract_code

F = "def f(x):\n    return x + 1\n"


SHELL = ["!pip install numpy\n", "%pip install -q numpy\n", "!pip install numpy\n!pip install scipy\n",
         "%%time\n", "%matplotlib inline\n"]


@pytest.mark.parametrize("shell", SHELL)
def test_notebook_shell_and_magic_lines_in_the_block_are_left_out(shell):
    """A notebook's ``!pip install numpy`` or ``%matplotlib inline`` opening the program (as chat models write a
    Colab cell) is no Python: the right program failed on a SyntaxError before any test ran."""
    text = "```python\n" + shell + "import math\n" + F + "```\n"
    assert_judged_on(text, "import math\n" + F)
    assert judged(text, "assert f(2) == 3\n")
    assert not judged(text.replace("x + 1", "x + 2"), "assert f(2) == 3\n")


@pytest.mark.parametrize("code", [
    "s = '''\n!not a command\n'''\n" + F, "x = 5 % 2\n" + F, "def g():\n    return '%d' % 3\n" + F,
    "!pip install numpy\ndef f(x)\n    return x\n",
])
def test_a_program_that_parses_or_fails_without_its_shell_lines_is_kept(code):
    """A line opening with ``!`` or ``%`` inside a string, or a program that fails on its own, is left as written."""
    assert extract_code("```python\n" + code + "```\n") == code


EXITS = ["exit()\n", "quit()\n", "sys.exit(0)\n", "sys.exit()\n", "import sys; sys.exit(0)\n"]


@pytest.mark.parametrize("ending", EXITS)
def test_an_exit_after_the_example_run_fails_no_right_function(ending):
    """A script's ``exit()`` or ``sys.exit(0)`` after its own example run (competitive-programming style) ended the
    program before the tests that call its function ran: the right function failed. Such a top-level exit is left out
    where the tests call functions; a program reading stdin keeps it."""
    text = "```python\nimport sys\n" + F + "print(f(1))\n" + ending + "```\n"
    for tests, entry in (("assert f(2) == 3\n", None), ("def check(candidate):\n    assert candidate(2) == 3\n", "f")):
        assert judged(text, tests, entry)
        assert not judged(text.replace("x + 1", "x + 2"), tests, entry)


def test_an_exit_is_kept_where_the_program_reads_stdin():
    from ptsfast.problems.code_tests import TestProgram

    stdio = TestProgram("stdio", cases=(("2\n", "3\n"),)).to_text()
    program = "```python\nimport sys\nx = int(input())\nprint(x + 1)\nsys.exit(0)\nprint('never')\n```\n"
    assert judged(program, stdio)
    assert not judged(program.replace("sys.exit(0)\n", ""), stdio)


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2003"])
def test_a_program_indented_with_no_break_spaces_is_read(space):
    """Indentation written with no-break or wide spaces (as text copied through a web page or a chat UI carries them)
    is no Python indentation: the right program failed on a SyntaxError. Where only that keeps Python from reading
    it, they are spaces; a no-break space inside a string is kept."""
    text = "```python\ndef f(x):\n" + space * 4 + "s = '" + space + "'\n" + space * 4 + "return x + 1\n```\n"
    code = "def f(x):\n    s = '" + space + "'\n    return x + 1\n"
    assert_judged_on(text, code)
    assert judged(text, "assert f(2) == 3\n")
    assert not judged(text.replace("x + 1", "x + 2"), "assert f(2) == 3\n")
    assert extract_code("```python\ns = '''\n" + space + "a'''\n" + F + "```\n") == "s = '''\n" + space + "a'''\n" + F
