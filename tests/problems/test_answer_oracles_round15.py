"""Answer oracles against answers as models write them and references as datasets store them (round 15).

A hedge or a second amount names no answer, a right answer in a common spelling passes, and every prefix the early
stop accepts gives the whole text's verdict.
"""

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def judged(name, text, ref, choices=None):
    return oracle_by_name(name)(text, P(ref, choices))


def assert_stops_only_where_the_verdict_is_known(name, text, refs, choices=None):
    judge = oracle_by_name(name)
    for i in range(len(text) + 1):
        if answer_complete(name, text[:i]):
            for ref in refs:
                assert judge(text[:i], P(ref, choices)) is judge(text, P(ref, choices)), (text[:i], ref)


@pytest.mark.parametrize("line,first", [("1 hour 30 minutes", "1"), ("1 hour, 30 minutes", "1"), ("2h 30m", "2"),
                                        ("3 weeks 2 days", "3"), ("5 dollars 50 cents", "5"), ("$5, 50 cents", "5"),
                                        ("$5 and 50 cents", "5"), ("12 apples, 13 pears", "12"),
                                        ("12 apples; 13 pears", "12"), ("12; 13", "12"), ("12, 13 apples", "12"),
                                        ("12 and 13 apples", "12")])
def test_a_gsm8k_line_with_a_second_amount_names_no_answer(line, first):
    """``#### 1 hour 30 minutes`` passed 1 and ``#### 12, 13 apples`` passed 12 (the line's first number was read):
    a compound amount or a list is no one amount, as ``2 hours and 30 minutes`` and ``12, 13`` already were."""
    text = f"So that is it.\n#### {line}\n"
    assert not judged("gsm8k", text, first)
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, (first,))


@pytest.mark.parametrize("line,ref", [("12 dollars", "12"), ("12 per 2 days", "12"), ("6 feet 0 inches", "6"),
                                      ("150 minutes (2 hours 30 minutes)", "150"), ("2 hours (120 minutes)", "2"),
                                      ("12, 13 apples", "12, 13"), ("1,200 apples", "1200"),
                                      ("12,5 kg", "12.5"), ("2 hours or 120 minutes", "2")])
def test_a_gsm8k_line_with_one_amount_still_passes(line, ref):
    assert judged("gsm8k", f"#### {line}\n", ref)
