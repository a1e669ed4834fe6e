"""Answer oracles against answers as models write them (round 22).

A hedge names no answer, a right answer in a common spelling passes, and every prefix the early stop accepts gives
the whole text's verdict.
"""

import pytest

from test_answer_oracles_round15 import judged, assert_stops_only_where_the_verdict_is_known


# ----------------------------------------------------------------- multiple choice

@pytest.mark.parametrize("text", ["The answer is B if x > 0, else C.", "The answer is B if x > 0, else C.\n",
                                  "Answer: B if x > 0.5, otherwise C.", "The answer is B if x > 0 and C otherwise.\n",
                                  "**Answer: B** if x > 0, else C\n", "Answer: (B) if x > 0, otherwise (C).\n",
                                  "The answer is B when x = 2, or C.\n",
                                  "Answer: B... or C", "Answer: B... or C.\n", "Answer: B...or C\n",
                                  "Answer: B\u2026 or C\n"])
def test_a_letter_under_a_condition_or_trailing_off_before_another_names_no_choice(text):
    """``The answer is B if x > 0, else C.`` passed B, and the stop ended it at ``... x > 0`` (a digit ends an
    answer); ``Answer: B... or C`` passed B, stopped at ``B..``."""
    for ref in ("B", "C"):
        assert not judged("multiple_choice", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"))


@pytest.mark.parametrize("text", ["The answer is B if we assume x > 0.\n", "Answer: B...\n", "Answer: B... I think.\n",
                                  "Answer: B. (15)\n", "Answer: B\u2026\n",
                                  "The answer is B when x = 2.5.\n", "Answer: B.\n"])
def test_a_letter_under_a_condition_or_trailing_off_alone_is_that_choice(text):
    assert judged("multiple_choice", text, "B")
    assert not judged("multiple_choice", text, "C")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"))


# ----------------------------------------------------------------- gsm8k and last_number: another reading's number

@pytest.mark.parametrize("line", ["18 (twenty if rounding)", "18; twenty if rounding", "18 (twenty with tax)",
                                  "18 if we round, else 20", "18 if we round, else twenty", "18 if x > 3, else 20",
                                  "18 when rounded, otherwise 20", "18, but if we round it is 20",
                                  "18 apples if we count all, or else 20 apples"])
def test_a_number_for_another_reading_after_a_gsm8k_answer_names_no_answer(line):
    """``#### 18 (twenty if rounding)`` and ``#### 18 if we round, else 20`` passed 18: a number in words was read as
    offered only after "or" and the like, and a condition before "else" offered nothing."""
    text = f"So that is it.\n#### {line}\n"
    for ref in ("18", "20"):
        assert not judged("gsm8k", text, ref), (line, ref)
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, ("18", "20"))


@pytest.mark.parametrize("line", ["18 (three for each)", "18; one if each box holds three",
                                  "18 if we count all 3 boxes",
                                  "18 if we round, else 18", "18 (if rounding)", "18 apples if we count them all",
                                  "18, one for each box", "18 if x = 2, then 18"])
def test_a_gsm8k_answer_under_a_condition_offering_no_other_number_still_passes(line):
    assert judged("gsm8k", f"#### {line}\n", "18")


@pytest.mark.parametrize("text", ["So the answer is 18, but if we round it is 20.",
                                  "So the answer is 18 if we round, else 20.",
                                  "So the answer is 18 when rounded, otherwise it is 20."])
def test_last_number_reads_a_number_for_another_reading_as_an_offer(text):
    """``So the answer is 18, but if we round it is 20.`` passed 20, its last number."""
    for ref in ("18", "20"):
        assert not judged("last_number", text, ref), (text, ref)


@pytest.mark.parametrize("text,ref", [("She has 12 if she keeps them, then it is 15.", "15"),
                                      ("If x is 2, then it is 20.", "20"),
                                      ("It is 18 when we count, then it is 20.", "20"),
                                      ("The answer is 18, but if we round it is 18.", "18")])
def test_last_number_after_a_worked_condition_still_passes(text, ref):
    assert judged("last_number", text, ref)


def test_a_loop_of_conditions_is_judged_at_once():
    import time
    t = time.perf_counter()
    judged("last_number", ("18 " + " " * 50 + "if ") * 2000 + "18", "18")
    judged("gsm8k", "#### " + ("18 if" + " " * 50 + "a ") * 2000, "18")
    assert time.perf_counter() - t < 2.0


# ----------------------------------------------------------------- boxes

@pytest.mark.parametrize("got,ref", [(r"\boxed{(2,3)}", "x=2, y=3"), (r"\boxed{x=2, y=3}", "(2,3)"),
                                     (r"\boxed{a=3, b=4}", "(3,4)"), (r"\boxed{a=3, b=4}", "a=3,b=4"),
                                     (r"\boxed{x = \frac12, y = 3}", r"\left(\frac{1}{2}, 3\right)"),
                                     (r"\boxed{x=2 \text{ and } y=3}", "(2,3)"),
                                     (r"\boxed{\ln(2)+1}", r"1+\ln 2"), (r"\boxed{1+\ln 2}", r"\ln(2)+1"),
                                     (r"\boxed{2\ln 2+1}", r"1+2\ln 2"), (r"\boxed{\log_2 3+1}", r"1+\log_2(3)")])
def test_named_values_as_a_tuple_and_sums_of_logarithms_in_another_order_pass(got, ref):
    """``\\boxed{x=2, y=3}`` failed ``(2,3)`` (and the other way), and ``\\ln(2)+1`` failed ``1+\\ln 2``: named values
    were never a tuple, and a logarithm was no term of a sum that may be reordered."""
    assert judged("boxed", got, ref)


@pytest.mark.parametrize("got,ref", [(r"\boxed{x=3, y=2}", "(2,3)"), (r"\boxed{y=3, x=2}", "(2,3)"),
                                     (r"\boxed{x=2, y=3}", "(2,3,4)"), (r"\boxed{(3,2)}", "x=2, y=3"),
                                     (r"\boxed{x=2, x=3}", "(2,3)"), (r"\boxed{[2,3]}", "x=2, y=3"),
                                     (r"\boxed{x=2, y=3}", r"\{2, 3\}"), (r"\boxed{x=2, Y=3}", "(2,3)"),
                                     (r"\boxed{\ln 3+1}", r"1+\ln 2"), (r"\boxed{\ln 2-1}", r"1-\ln 2"),
                                     (r"\boxed{\ln(2+1)}", r"1+\ln 2"), (r"\boxed{a=3, b=4}", "3, 4")])
def test_named_values_in_another_order_and_other_sums_still_fail(got, ref):
    assert not judged("boxed", got, ref)


def test_a_box_in_a_trace_opened_again_after_the_first_is_no_answer():
    """``<think>...</think> ok <think>\\boxed{5}</think> \\boxed{6}`` was judged 5: only the first trace was cut."""
    from ptsfast.problems.oracles import answer_complete, make_judge
    from test_answer_oracles_round15 import P
    judge = make_judge("boxed", None)
    text = "<think>hmm</think>\nok <think>\\boxed{5}</think> \\boxed{6}."
    assert judge(text, P("6")).success and not judge(text, P("5")).success
    assert not judge("<think>hmm</think>\nok <think>\\boxed{5}", P("5")).success
    assert not any(answer_complete("boxed", text[:i]) for i in range(text.index("</think> \\boxed{6}")))
    assert judge("<think>a</think> print('<think>')\n\\boxed{5}", P("5")).success  # a marker inside a word
