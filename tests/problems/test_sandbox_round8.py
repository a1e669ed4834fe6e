"""Sandbox attacks, eighth round: right programs judged wrong where a stdin/stdout run ended otherwise than Python
ends a script (a closed ``sys.stdout``, output left in an unclosed file until the interpreter clears the program's
module), and wrong programs that tried to pass."""

import pytest

from helpers.judging import verdict
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

CASES = (("3\n1 2 3\n", "6\n"), ("2\n5 5\n", "10\n"), ("1\n7\n", "7\n"))
READ = "n = int(input())\ns = sum(map(int, input().split()))\n"


def stdio(cases: int, **kw) -> TestProgram:
    return TestProgram(format="stdio", cases=CASES[:cases], **kw)


ENDINGS = {  # each as `python file.py` judges it: exit status 0 and the sum printed
    "sys.stdout closed": "import sys\n" + READ + "print(s)\nsys.stdout.close()\n",
    "sys.stderr closed": "import sys\n" + READ + "print(s)\nsys.stdout.flush()\nsys.stderr.close()\n",
    "sys.stdout None": "import sys\n" + READ + "print(s)\nsys.stdout.flush()\nsys.stdout = None\n",
    "an unclosed open(1, 'w') held by a function's global": "def main():\n    global out\n    out = open(1, 'w')\n"
    + "".join("    " + line + "\n" for line in READ.splitlines()) + "    out.write(str(s) + '\\n')\nmain()\n",
    "a finalizer printing at exit": "class Answer:\n    def __del__(self):\n        print(self.s)\n" + READ
    + "a = Answer()\na.s, a.me = s, a\n",
}


@pytest.mark.parametrize("name", sorted(ENDINGS))
def test_a_right_program_that_ends_the_way_a_script_can_passes_with_any_number_of_cases(name):
    for cases in (1, 3):  # a fresh interpreter, and runs forked from a warm one
        assert verdict(ENDINGS[name], stdio(cases))[0], (name, cases)
    wrong = ENDINGS[name].replace("s = sum", "s = 1 + sum")
    assert not verdict(wrong, stdio(3))[0], name

