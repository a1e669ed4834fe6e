"""Dataset rows as real datasets publish them, round 19: worked solutions boxing one answer in two forms, and more
code and math shapes."""

import pytest

from helpers.rows import load
from ptsfast.problems.oracles import make_judge

MATH = make_judge("math", 10.0)
HALF = "What is 1/2 as a number?"


@pytest.mark.parametrize("solution, first", [
    ("So it is $\\boxed{\\frac12}$, that is $\\boxed{0.5}$.", "\\frac12"),
    ("We get $\\boxed{0.5}$, or as a fraction $\\boxed{\\dfrac{1}{2}}$.", "0.5"),
    ("Thus $x = \\boxed{\\frac{\\sqrt{2}}{2}}$; equivalently $\\boxed{\\frac{1}{\\sqrt{2}}}$.",
     "\\frac{\\sqrt{2}}{2}"),
])
def test_a_worked_solution_boxing_one_answer_in_two_forms_loads(tmp_path, solution, first):
    # refused as a solution "boxing 2 different answers" (one per part of a problem of several parts?)
    p, = load(tmp_path, [{"problem": HALF, "solution": solution}], oracle="math").problems
    assert MATH(f"\\boxed{{{first}}}", p).success
    assert not MATH("\\boxed{2}", p).success


def test_a_worked_solution_boxing_two_values_is_still_refused(tmp_path):
    solution = "(1) $\\boxed{\\frac12}$. (2) $\\boxed{0.25}$."
    r = load(tmp_path, [{"problem": "(1) Find a. (2) Find b.", "solution": solution}], oracle="math")
    assert not r.problems and "boxing 2 different answers" in r.skipped[0]
