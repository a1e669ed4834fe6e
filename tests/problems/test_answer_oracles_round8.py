"""Answer oracles against answers as models write them and references as datasets store them (round 8).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``, lm-eval's
and simple-evals' multiple-choice regexes) and HF math-verify's reading where MATH's is silent; an answer that hedges
names none, and no answer, however long, takes long to judge.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


@pytest.mark.parametrize("text", [
    "The answer is \\boxed{A} or \\boxed{B}.", "$\\boxed{A}$ or $\\boxed{B}$", "\\boxed{A} and \\boxed{C}",
    "Answer: \\boxed{\\text{A}}, \\boxed{\\text{C}}", "\\(\\boxed{A}\\) or \\(\\boxed{B}\\)",
])
def test_boxed_letters_offered_together_name_no_choice(text):
    """Two boxed letters offered together (``\\boxed{A} or \\boxed{B}``) were read as the first: a hedge passed
    wherever A was right. A hedge names no choice, boxed or not."""
    assert extract_choice(text) is None
    assert mc(text, "A") is False


@pytest.mark.parametrize("text,letter", [
    ("The answer is \\boxed{A}.", "A"), ("$\\boxed{B}$ is right, not $\\boxed{C}$", "B"),
    ("Answer: \\boxed{C}\n\nA or B would be wrong.", "C"),
])
def test_one_boxed_letter_is_still_stated(text, letter):
    assert extract_choice(text) == letter


def test_a_boxed_letter_stops_the_rollout_only_once_no_second_can_follow():
    assert not answer_complete("multiple_choice", "The answer is \\boxed{A} o")
    assert not answer_complete("multiple_choice", "The answer is $\\boxed{A}$ or $\\boxed{")
    assert answer_complete("multiple_choice", "The answer is \\boxed{A}.")
