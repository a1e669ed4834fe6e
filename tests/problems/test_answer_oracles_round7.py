"""Answer oracles against answers as models write them and references as datasets store them (round 7).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``, lm-eval's
multiple-choice regexes) and HF math-verify's reading of the value where MATH's is silent; two different values never
pass for each other, and an answer that hedges names none.
"""

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(f"so \\boxed{{{text}}}.", P(ref))


@pytest.mark.parametrize("text,ref,ok", [
    ("5\\text{ or 6}", "5", False), ("5 \\text{or 6}", "5", False), ("5 \\text{ or 6}", "6", False),
    ("5\\mbox{ and 7}", "5", False), ("5 \\text{ (not 6)}", "6", False), ("5 \\text{ nor 6}", "5", False),
    ("5 \\text{ cm}", "5", True), ("5\\text{ m^2}", "5", True), ("12 \\text{ apples}", "12", True),
    ("5 \\, \\text{square units}", "5", True), ("5\\text{ or 6}", "5\\text{ or 6}", True),
])
def test_a_second_value_in_the_text_after_the_value_is_no_unit(text, ref, ok):
    """The text after a value was dropped as its unit whatever it said: ``5\\text{ or 6}`` (a hedge between two
    values) passed for 5; a unit holds no second number and no "or"/"and"."""
    assert boxed(text, ref) is ok
