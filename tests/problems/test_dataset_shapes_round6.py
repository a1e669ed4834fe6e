"""Rows in public code datasets' shapes and answers as models write them, judged as each dataset's judge does: a
right program passes, a wrong one fails, and a row that cannot be judged is refused saying why."""

import pytest

from ptsfast.problems.code_tests import test_program_from_row as from_row
from ptsfast.problems.oracles import extract_code, isolation_status
from tests.helpers.judging import verdict

sandboxed = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def answer(code: str) -> str:
    return f"```python\n{code}```\n"


def judged(text: str, program) -> bool:
    return verdict(extract_code(text), program)[0]


@sandboxed
@pytest.mark.parametrize("cases", [1, 2], ids=["one-case", "forked-cases"])
def test_a_codeforces_program_reads_and_prints_integers_of_over_4300_digits(cases):
    # Python 3.11 refuses int <-> text past 4300 digits; Codeforces' Python and open-r1's judge (which lifts it) do
    # not, and "1 <= n <= 10^(10^5)" read with int(input()) is a common Codeforces idiom
    tests = [{"input": "1" * 5000 + "\n", "output": "1" * 4999 + "2\n"},
             {"input": "9" * 4400 + "\n", "output": "1" + "0" * 4400 + "\n"}][:cases]
    row = {"official_tests": tests, "official_tests_complete": True, "input_mode": "stdio", "generated_checker": None}
    program = from_row(row, ("official_tests",), None, "")
    assert judged(answer("n = int(input())\nprint(n + 1)\n"), program)
    assert not judged(answer("print(input())\n"), program)
