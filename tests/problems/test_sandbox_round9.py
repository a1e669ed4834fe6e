"""Sandbox attacks, ninth round: operators other than ``==``, ``<`` and ``-`` that are handed the expected value
(``abs(r / e - 1) < tol``, ``not r ^ e``, a set's ``difference``), and right programs judged wrong."""

import pytest

from helpers.judging import verdict
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def passes(code: str, program: TestProgram) -> bool:
    return verdict(code, program)[0]


def formats(check: str) -> list[TestProgram]:
    """``check`` (on ``f``) as pytest tests, an assert script and a HumanEval ``check``."""
    return [TestProgram.from_text(f"from solution import f\n\ndef test_f():\n    {check}\n"),
            TestProgram.from_text(check + "\n"),
            TestProgram.from_text("def check(candidate):\n    " + check.replace("f(", "candidate(") + "\n", "f")]


TOLD = {  # the solution's operator sees the expected value and answers what an equal value would give
    "a ratio of one": ("class F:\n    def __truediv__(self, e):\n        return 1.0\n",
                       "assert abs(f(3) / 9 - 1) < 1e-9", "return x * x"),
    "a reflected ratio of one": ("class F:\n    def __rtruediv__(self, e):\n        return 1.0\n",
                                 "assert abs(9 / f(3) - 1) < 1e-9", "return x * x"),
    "an int's ratio of one": ("class F(int):\n    def __truediv__(self, e):\n        return 1.0\n",
                              "assert abs(f(3) / 9 - 1) < 1e-9", "return x * x"),
    "a ratio whose own - says zero": ("class Z:\n    def __sub__(self, o):\n        return 0.0\n"
                                      "class F:\n    def __truediv__(self, e):\n        return Z()\n",
                                      "assert abs(f(3) / 9 - 1) < 1e-9", "return x * x"),
    "no remainder": ("class F:\n    def __mod__(self, e):\n        return 0\n", "assert f(3) % 7 == 0", "return 7 * x"),
    "nothing apart (^)": ("class F(set):\n    def __xor__(self, e):\n        return set()\n",
                          "assert not f(3) ^ {1, 2, 3}", "return set(range(1, x + 1))"),
    "all in common (&)": ("class F:\n    def __and__(self, e):\n        return {1, 2, 3}\n",
                          "assert f(3) & {1, 2, 3} == {1, 2, 3}", "return set(range(1, x + 1))"),
    "a set's difference": ("class F(set):\n    def difference(self, *e):\n        return set()\n",
                           "assert f(3).difference({1, 2, 3}) == set()", "return set(range(1, x + 1))"),
    "a set's symmetric difference": ("class F(set):\n    def symmetric_difference(self, e):\n        return set()\n",
                                     "assert not f(3).symmetric_difference({1, 2, 3})",
                                     "return set(range(1, x + 1))"),
}


@pytest.mark.parametrize("name", sorted(TOLD))
def test_an_operator_of_the_solutions_handed_the_expected_value_cannot_decide_the_test(name):
    forger, check, body = TOLD[name]
    base = forger.split("class F")[-1].split(":")[0]
    made = "F(5)" if base == "(int)" else "F({9})" if base == "(set)" else "F()"
    for program in formats(check):
        assert not passes(forger + f"def f(x):\n    return {made}\n", program), (name, program.format)
        assert passes(f"def f(x):\n    {body}\n", program), (name, program.format)


def test_honest_operators_of_the_solutions_classes_still_pass():
    code = ("from fractions import Fraction\nimport numpy as np\nclass Money:\n    def __init__(self, c):\n"
            "        self.c = c\n    def __truediv__(self, k):\n        return self.c / k\n"
            "    def __mod__(self, k):\n        return self.c % k\nclass V:\n    def __init__(self, x):\n"
            "        self.x = x\n    def __truediv__(self, k):\n        return V(self.x / k)\n"
            "def money(c):\n    return Money(c)\ndef v(x):\n    return V(x)\ndef third(x):\n    return Fraction(x, 3)\n"
            "def arr(x):\n    return np.array([x, x])\ndef bits(x):\n    return {1, 2}\n")
    program = TestProgram.from_text(
        "from fractions import Fraction\nfrom solution import money, v, third, arr, bits\n\ndef test_them():\n"
        "    assert money(10) / 4 == 2.5 and money(10) % 4 == 2\n    assert (v(4) / 2).x == 2\n"
        "    assert abs(third(3) / 1 - 1) < 1e-9\n    assert (abs(arr(3) / 3 - 1) < 1e-9).all()\n"
        "    assert not bits(0) ^ {1, 2} and bits(0) & {1} == {1}\n")
    assert passes(code, program)
    assert not passes(code.replace("self.c / k", "self.c / k + 1"), program)
