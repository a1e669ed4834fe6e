"""Answer oracles against answers as models write them and references as datasets store them (round 9).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``) and HF
math-verify's reading where MATH's is silent; no answer, however long, takes long to judge.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_boxed, extract_choice, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


@pytest.mark.parametrize("text,ref,ok", [
    ("The answer is $\\framebox{5}$.", "5", True), ("$\\framebox{\\dfrac{1}{2}}$", "\\frac12", True),
    ("$\\framebox{6}$", "5", False), ("\\framebox {C}", "C", True),
])
def test_a_framebox_is_a_box(text, ref, ok):
    """``\\framebox{5}`` (LaTeX's framed box, which some models write for ``\\boxed``) held no answer: a right answer
    failed and the rollout never stopped at it."""
    assert boxed(text, ref) is ok
    assert answer_complete("boxed", text + " ") is True


def test_a_framebox_letter_is_a_stated_choice():
    assert extract_choice("The answer is $\\framebox{C}$.") == "C"
    assert mc("The answer is $\\framebox{C}$.", "C") is True
    assert mc("The answer is $\\framebox{C}$.", "B") is False
