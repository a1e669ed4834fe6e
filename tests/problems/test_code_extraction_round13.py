"""Answer shapes (round 13) where the code oracle took the wrong program out of a model's answer, or broke on it."""

import pytest

from helpers.judging import judged
from ptsfast.problems.oracles import _without_stdin_usage

F = "def f(x):\n    return x + 1\n"


USAGES = ["n = int(open(0).read())\nprint(f(n))\n", "n, *a = map(int, open(0).read().split())\nprint(f(n))\n",
          "import fileinput\nfor line in fileinput.input():\n    print(f(int(line)))\n",
          "import sys\nprint(f(int(sys.argv[1])))\n", "from sys import argv\nprint(f(int(argv[1])))\n",
          "import sys\nif len(sys.argv) > 1:\n    print(f(int(sys.argv[1])))\nelse:\n    print(f(int(input())))\n",
          "def main():\n    print(f(int(open(0).readline())))\n\nmain()\n"]


@pytest.mark.parametrize("usage", USAGES)
def test_an_example_run_reading_fd_0_fileinput_or_argv_fails_no_right_answer(usage):
    """An example run after the function reading stdin as ``open(0)`` or ``fileinput.input()``, or its command line
    (``sys.argv[1]``), ran before the tests called the function: a ValueError or IndexError failed a right function,
    where ``input()`` and ``sys.stdin`` were already left out."""
    right = "```python\n" + F + "\n" + usage + "```\n"
    for tests, entry in (("assert f(2) == 3\n", None), ("def check(candidate):\n    assert candidate(2) == 3\n", "f")):
        assert judged(right, tests, entry)
        assert not judged(right.replace("x + 1", "x + 2"), tests, entry)


@pytest.mark.parametrize("code", [
    "data = open(0).read()\n\ndef f(x):\n    return x + len(data)\n",  # f reads what the statement binds
    "import sys\nargs = sys.argv[1:]\n\ndef f(x):\n    return x + len(args)\n",
    "with open('data.txt') as fh:\n    rows = fh.read()\n\ndef f(x):\n    return x\n",  # a file of its own: kept
    "print(open(__file__).read())\ndef f(x):\n    return x\n",
])
def test_what_the_function_reads_of_fd_0_or_argv_and_other_files_are_left_as_written(code):
    assert _without_stdin_usage(code) == code
