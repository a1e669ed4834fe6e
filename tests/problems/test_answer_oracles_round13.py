"""Answer oracles against answers as models write them and references as datasets store them (round 13).

A range or a hedge (two answers offered) names none, and a right answer in a common spelling passes.
"""

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def gsm(text, ref):
    return oracle_by_name("gsm8k")(text, P(ref))


def last(text, ref):
    return oracle_by_name("last_number")(text, P(ref))


@pytest.mark.parametrize("line", ["12-13", "12\u201313", "12 \u2013 13", "between 12 and 13", "12 to 13",
                                  "$12-$13", "12-13 apples", "Between 12 and 13 apples."])
def test_a_range_of_two_amounts_names_no_answer(line):
    """``#### 12-13`` and ``#### between 12 and 13`` passed for 12, and ``The answer is 12-13.`` or ``between 12 and
    13.`` for 13: a range offers two answers, a hedge judged right."""
    for ref in ("12", "13"):
        assert not gsm(f"So:\n#### {line}", ref)
        assert not last(f"The answer is {line}", ref)


@pytest.mark.parametrize("text,ref", [("The number goes from 12 to 13.", "13"), ("It rose from 12 to 13 apples.", "13"),
                                      ("Pages 12-13 are read, so 25 pages.", "25"), ("#### 2019", "2019"),
                                      ("So x = 10-3 = 7", "7"), ("#### 1,000", "1000")])
def test_a_change_or_a_range_before_the_answer_leaves_the_answer(text, ref):
    """``from 12 to 13`` is a change whose end is the amount (it failed 13: ``to`` was read as t and Spanish's o,
    an or), and a range before the answer is no answer's."""
    judge = gsm if text.startswith("####") else last
    assert judge(text, ref)
