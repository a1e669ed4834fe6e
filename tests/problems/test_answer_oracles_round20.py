"""Answer oracles against answers as models write them (round 20).

A hedge names no answer, a right answer in a common spelling passes, and every prefix the early stop accepts gives
the whole text's verdict.
"""

import pytest

from ptsfast.problems.loading import ANSWER_UNIT_KEY, Problem
from ptsfast.problems.oracles import oracle_by_name
from test_answer_oracles_round15 import assert_stops_only_where_the_verdict_is_known, judged


# ----------------------------------------------------------------- gsm8k answer lines

@pytest.mark.parametrize("line,ref", [("2h 30m", "2.5"), ("2h 30m", "150"), ("1h30m", "90"), ("5m 30s", "5.5"),
                                      ("5m 30s", "330"), ("2 hr 15 m", "135")])
def test_a_gsm8k_line_of_hours_and_m_reads_m_as_minutes(line, ref):
    """``#### 2h 30m`` failed 2.5 and 150: ``m`` was read as metres, so the line named two amounts of two
    dimensions, none."""
    text = f"So it takes that long.\n#### {line}\n"
    assert judged("gsm8k", text, ref)
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, (ref,))


@pytest.mark.parametrize("line,ref", [("2h 30m", "2"), ("2h 30m", "30"), ("30m 2h", "150"), ("2 km 30 m", "2.3")])
def test_a_gsm8k_line_of_m_beside_another_unit_is_still_read_as_before(line, ref):
    assert not judged("gsm8k", f"#### {line}\n", ref)


def test_m_beside_a_length_is_still_metres():
    assert judged("gsm8k", "#### 2 km 30 m\n", "2030")
    assert oracle_by_name("gsm8k")("#### 2 km 30 m\n", Problem("p1", "How far?", "2.03", meta={ANSWER_UNIT_KEY: "km"}))


# ----------------------------------------------------------------- boxes

@pytest.mark.parametrize("text", [r"\boxed{12} apples in total, or 13 apples",
                                  r"\boxed{12} apples in all; or maybe 13.",
                                  r"\boxed{12} \text{apples in total} or 13", r"\boxed{12} apples in total (or 13)",
                                  r"\boxed{12}; or 13", r"The answer is $\boxed{12}$ apples left, or 13 apples."])
def test_a_number_offered_after_a_box_and_a_few_words_names_no_answer(text):
    """``\\boxed{12} apples in total, or 13 apples`` passed 12: only one word (a unit's) could stand between the box
    and the number offered after it, and "or" after a semicolon was no offer."""
    for ref in ("12", "13"):
        assert not judged("boxed", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("12", "13"))


@pytest.mark.parametrize("text,ref", [(r"\boxed{12} apples in total, or 12 apples", "12"),
                                      (r"\boxed{2} hours in total, or 120 minutes", "2"),
                                      (r"\boxed{12} apples in total, or a dozen.", "12"),
                                      (r"\boxed{12} apples in total." + " Or 13", "12"),
                                      (r"\boxed{12} apples" + " and more" * 30 + " or 13", "12")])
def test_the_same_amount_or_an_offer_past_the_stop_after_a_box_and_words_still_passes(text, ref):
    assert judged("boxed", text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, (ref, "13"))


@pytest.mark.parametrize("text", [r"\boxed{12} or -12", r"$\boxed{12}$ or $-12$", "\\boxed{12} (or \u221212)",
                                  r"\boxed{12} apples, or -12 apples"])
def test_a_negative_number_offered_after_a_box_is_read_before_the_stop(text):
    """``\\boxed{12} or -12`` was judged no answer whole, but the early stop ended the rollout at its minus sign
    (``\\boxed{12} or -``, no number offered yet) and judged that 12: the sign was not among what may still open an
    offer."""
    for ref in ("12", "-12"):
        assert not judged("boxed", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("12", "-12"))


@pytest.mark.parametrize("text,refs", [
    (r"\boxed{\frac{1}{2}} or \frac{1}{3}", (r"\frac12", r"\frac13")), (r"\boxed{12} or $\dfrac{25}{2}$", ("12",)),
    (r"\boxed{\sqrt{2}} (or \sqrt{3})", (r"\sqrt2", r"\sqrt3")), (r"\boxed{2\sqrt{2}} or $3\sqrt{2}$", (r"2\sqrt2",)),
    (r"\boxed{\pi} or 2\pi.", (r"\pi", r"2\pi")), (r"\boxed{\frac{1}{2}} or \frac13", (r"\frac12",)),
    (r"\boxed{12} \text{ or possibly } \boxed{13}", ("12", "13")), (r"\boxed{12}\text{ or maybe }13", ("12", "13")),
])
def test_a_value_offered_in_latex_after_a_box_names_no_answer(text, refs):
    """``\\boxed{\\frac{1}{2}} or \\frac{1}{3}`` passed 1/2: only a number in digits was read as offered after a box
    (and a doubt's word inside ``\\text{ or possibly }`` hid a second box or number)."""
    for ref in refs:
        assert not judged("boxed", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, refs)


@pytest.mark.parametrize("text,ref", [(r"\boxed{0.5} (or \frac{1}{2})", "0.5"), (r"\boxed{2\pi} (or 2\pi)", r"2\pi"),
                                      (r"\boxed{\frac{1}{2}} or \dfrac{2}{4}.", r"\frac12"),
                                      (r"\boxed{\sqrt{2}} or $\sqrt{2}$", r"\sqrt2")])
def test_the_same_value_restated_in_latex_after_a_box_still_passes(text, ref):
    assert judged("boxed", text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, (ref,))


# ----------------------------------------------------------------- gsm8k: offers in LaTeX, corrections on the line

@pytest.mark.parametrize("line", [r"18 or \frac{41}{2}", r"\(18\) or \(20\)", r"$18$ or $20$",
                                  r"$\frac{1}{2}$ or $\frac{1}{3}$", "18 (wait, 20)", "18 (sorry, 20)",
                                  "18 (I mean 20)",
                                  "18, no, 20", "18 (oops, 20)"])
def test_a_gsm8k_line_offering_a_number_in_latex_or_taking_it_back_names_no_answer(line):
    """``#### 18 or \\frac{41}{2}``, ``#### $18$ or $20$`` and ``#### 18 (wait, 20)`` passed 18: a number offered in
    LaTeX (a fraction, or one in math delimiters) was no offer, and a correction's word no doubt's."""
    text = f"So that is it.\n#### {line}\n"
    for ref in ("18", "20", "0.5", "20.5"):
        assert not judged("gsm8k", text, ref), (line, ref)


@pytest.mark.parametrize("line,ref", [(r"$\frac{1}{2}$", "0.5"), (r"\(18\)", "18"), (r"$18$", "18"),
                                      (r"2\frac{1}{2}", "2.5"), (r"\frac{3}{4} or 0.75", "0.75"),
                                      (r"$\frac{1}{2}$ or $0.5$", "0.5"), (r"$18$ (or $18.00$)", "18"),
                                      ("18 (wait, 18)", "18"), (r"-\frac{1}{2}", "-0.5")])
def test_a_gsm8k_line_in_latex_naming_one_amount_still_passes(line, ref):
    assert judged("gsm8k", f"#### {line}\n", ref)


@pytest.mark.parametrize("text", [r"The answer is \frac{41}{2} or 18.", r"The answer is $12$ or $13$.",
                                  r"So it is \(12\) or \(13\)."])
def test_a_last_number_offered_after_one_in_latex_names_no_answer(text):
    """``The answer is $12$ or $13$.`` passed 13 (the last number): the math's closing dollar sign stood between the
    first number and "or", so no second number read as offered."""
    for ref in ("12", "13", "18", "20.5"):
        assert not judged("last_number", text, ref), (text, ref)


@pytest.mark.parametrize("text,ref", [(r"So it is $\frac{1}{2}$.", "0.5"), (r"So it is \frac{1}{2} or 0.5.", "0.5"),
                                      (r"Half is \frac{1}{2}, so the total is $18$.", "18")])
def test_a_last_number_in_latex_still_passes(text, ref):
    assert judged("last_number", text, ref)


# ----------------------------------------------------------------- multiple choice: letters offered with their values

CHOICES = ("12", "15", "18", "21")


@pytest.mark.parametrize("text", ["The answer is (B) 15 or (C).", "The answer is (B) (15) or (C) (18).",
                                  "**Answer: B** 15 or C.", "**Answer: B** 15 or C 18.\nDone",
                                  "The answer is (B) (15) or maybe **C**.", "Answer: B. 15 and C. 18\nDone",
                                  "The correct answer is **B. 15 & C. 18\n", "Answer: [B] 15 or [C] 18."])
def test_a_letter_and_its_value_offered_with_another_names_no_answer(text):
    """``The answer is (B) (15) or (C) (18).`` passed B with the early stop on (it ended the rollout at ``(B) (1``:
    a value after its letter's bracket was not waited for), ``(B) 15 or (C).`` and ``**Answer: B** 15 or C.`` passed
    B whole (a bracketed second letter before a period, a bold first letter, were no offer), and ``Answer: B. 15 and C.
    18`` passed B with the stop on (the period of ``C.`` was read as the first choice's text ending)."""
    for ref in "ABCD":
        assert not judged("multiple_choice", text, ref, CHOICES), (text, ref)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, tuple("ABCD"), CHOICES)


@pytest.mark.parametrize("text", ["**Answer: B** 15.\nDone", "**Answer: B** (15).\nDone",
                                  "The answer is (B) (15).\nDone",
                                  "The answer is (B) 15.\nDone", "Answer: B. 15 is the value of B. Done\n",
                                  "The answer is (B) (15), not (C).\nDone", "Answer: B 15, so C is wrong.\n",
                                  "Answer: (B) (15) is right, so (C) is wrong.\n"])
def test_a_letter_and_its_value_alone_still_names_it(text):
    assert judged("multiple_choice", text, "B", CHOICES), text
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, tuple("ABCD"), CHOICES)
