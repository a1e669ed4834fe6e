"""Answer oracles against answers as models write them (round 19).

A hedge or a correction names no answer, a right answer in a common spelling passes, an amount in another unit is
another answer, and every prefix the early stop accepts gives the whole text's verdict.
"""

import pytest

from ptsfast.problems.loading import ANSWER_UNIT_KEY, Problem
from ptsfast.problems.oracles import oracle_by_name
from test_answer_oracles_round15 import assert_stops_only_where_the_verdict_is_known, judged


def in_unit(answer, unit):
    return Problem("p1", "How far?", answer, meta={ANSWER_UNIT_KEY: unit})


# ----------------------------------------------------------------- gsm8k answer lines

@pytest.mark.parametrize("line,ref", [("0.5 or 1/2", "0.5"), ("1/2 or 0.5", "0.5"), ("3/4 or 75%", "0.75"),
                                      ("0.25, or 1/4", "0.25")])
def test_a_gsm8k_line_restating_its_value_as_a_fraction_passes(line, ref):
    """``#### 0.5 or 1/2`` failed 0.5: the fraction after "or" was read as its numerator (1), a second answer."""
    text = f"Half of it.\n#### {line}\n"
    assert judged("gsm8k", text, ref)
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, (ref,))


@pytest.mark.parametrize("line", ["0.5 or 1/3", "1/2 or 1/3", "1/3 or 0.5", "0.5 or 1/0"])
def test_a_gsm8k_line_offering_another_fraction_still_names_no_answer(line):
    text = f"Half of it.\n#### {line}\n"
    assert not judged("gsm8k", text, "0.5") and not judged("gsm8k", text, "1/3")


@pytest.mark.parametrize("line,ref", [("5 plus 2 = 7", "7"), ("10 minus 3 = 7", "7"), ("4 times 3 = 12", "12"),
                                      ("12 divided by 3 = 4", "4"), ("5 plus 2 = 7 apples", "7")])
def test_a_gsm8k_line_worked_in_words_is_read_at_its_result(line, ref):
    """``#### 5 plus 2 = 7`` failed 7: only an operator's sign was read as working, so the line read as the
    operation ``5 plus 2`` without its result."""
    text = f"Add them.\n#### {line}\n"
    assert judged("gsm8k", text, ref)
    assert not judged("gsm8k", text, line.split()[0])


@pytest.mark.parametrize("line", ["5 plus 2", "5 plus 2 = 7 or 8"])
def test_a_gsm8k_line_in_words_without_one_result_names_no_answer(line):
    assert not judged("gsm8k", f"#### {line}\n", "7")


@pytest.mark.parametrize("line,ref,unit,right", [
    ("1 hour 30 minutes", "1.5", None, True), ("1 hour 30 minutes", "90", None, True),
    ("1 hour, 30 minutes.", "1.5", None, True), ("18 dollars and 50 cents", "18.5", None, True),
    ("1 hour 30 minutes", "90", "minutes", True), ("1 hour 30 minutes", "1.5", "minutes", False),
    ("1 hour 30 minutes", "1", None, False), ("1 hour 30 minutes", "30", None, False),
    ("3 weeks 2 days", "3", None, False), ("30 minutes 1 hour", "1.5", None, False), ("2h 30m", "2.5", None, True),
])
def test_a_gsm8k_line_of_one_amount_in_two_units_is_that_amount(line, ref, unit, right):
    """``#### 1 hour 30 minutes`` failed 1.5 (and 90): a line naming two amounts was read as naming none, the same
    amount in a larger and a smaller unit too; it is that amount, in the reference's unit where the loader kept one,
    else in either unit the line names (a line of the smaller unit first, or of two dimensions, still names none)."""
    problem = Problem("p1", "How long?", ref, meta={ANSWER_UNIT_KEY: unit} if unit else {})
    text = f"So that is it.\n#### {line}\n"
    assert oracle_by_name("gsm8k")(text, problem) is right
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, (ref,))


# ----------------------------------------------------------------- units on a number's line

@pytest.mark.parametrize("name,text,right", [
    ("gsm8k", "#### 180 m\n", False), ("gsm8k", "#### 180 meters.\n", False), ("gsm8k", "#### 180 km\n", True),
    ("gsm8k", "#### 180,000 m\n", True), ("gsm8k", "#### 180\n", True), ("gsm8k", "#### 180 kilometers\n", True),
    ("gsm8k", "#### 180 more\n", True),
    ("last_number", "So the trip is 180 m.", False), ("last_number", "So the trip is 180 km.", True),
    ("last_number", "So the trip is 180.", True), ("last_number", "It is 180 meters long.", False),
    ("last_number", "Half a km is 1/2 km, and the trip is 180 km", True),
])
def test_a_number_in_another_unit_is_another_answer(name, text, right):
    """A reference written ``180 km`` (loaded as 180, its unit kept) passed ``#### 180 m`` and ``... is 180 m.``: the
    gsm8k and last_number oracles read the number alone, as the boxed and normalized oracles no longer did; an
    amount in the reference's unit, or the same amount in another (180,000 m), or a number alone still passes."""
    assert oracle_by_name(name)(text, in_unit("180", "km")) is right


def test_a_unit_the_reference_does_not_name_leaves_the_number_alone():
    assert oracle_by_name("gsm8k")("#### 180 m\n", Problem("p1", "q?", "180"))
    assert oracle_by_name("last_number")("It is 180 m.", Problem("p1", "q?", "180"))


# ----------------------------------------------------------------- boxes

@pytest.mark.parametrize("text", [r"\boxed{12} apples or 13 apples", r"\boxed{12} apples, or 13 apples.",
                                  r"$\boxed{12}$ \text{ apples} or 13", r"\boxed{2} hours or 3 hours"])
def test_a_number_offered_after_a_box_and_its_unit_names_no_answer(text):
    """``\\boxed{12} apples or 13 apples`` passed 12: a number offered after the box was looked for only right after
    it, so the unit's word between hid the hedge."""
    for ref in ("12", "13", "2", "3"):
        assert not judged("boxed", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("12", "13", "2"))


@pytest.mark.parametrize("text,ref", [(r"\boxed{2} hours (or 120 minutes)", "2"), (r"\boxed{12} apples.", "12"),
                                      (r"\boxed{12} apples or 12 apples", "12")])
def test_the_same_amount_after_a_box_and_its_unit_still_passes(text, ref):
    assert judged("boxed", text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, (ref,))


QUESTION = r"What is $1 + 2$? $\textbf{(A)}\ 1 \qquad \textbf{(B)}\ 2 \qquad \textbf{(C)}\ 3 \qquad \textbf{(D)}\ 4$"


@pytest.mark.parametrize("box,right", [(r"\boxed{C}", True), (r"\boxed{(C)}", True), (r"\boxed{\text{(C)}}", True),
                                       (r"\boxed{\textbf{(C)}}", True), (r"\boxed{D}", False), (r"\boxed{3}", True),
                                       (r"\boxed{C} or \boxed{D}", False), (r"\boxed{c}", False)])
def test_a_boxed_letter_names_its_choice_where_the_reference_is_its_value(box, right):
    """A multiple-choice math row giving the choice's value (3) failed ``\\boxed{C}``, C being 3 in the choices the
    problem lists in its text (the loader turns a reference letter into ``(C) 3``, never a value into its letter)."""
    assert oracle_by_name("boxed")(f"So it is {box}.", Problem("p1", QUESTION, "3")) is right


def test_a_boxed_letter_names_its_choice_from_the_choices_given():
    assert oracle_by_name("boxed")(r"\boxed{B}", Problem("p1", "1 + 1?", "2", choices=("1", "2", "3")))
    assert not oracle_by_name("boxed")(r"\boxed{C}", Problem("p1", "1 + 1?", "2", choices=("1", "2", "3")))
    assert not oracle_by_name("boxed")(r"\boxed{C}", Problem("p1", "Point C is where?", "3"))


# ----------------------------------------------------------------- multiple choice: a letter taken back or offered

CHOICES = ("12", "15", "18", "21")


@pytest.mark.parametrize("text", [
    "Answer: B. Wait, no, C.", "Answer: B. Actually, C.\nDone", "Answer: B. Wait, no, the answer is C.",
    "Answer: B, wait, no, C.", "The answer is B \u2014 actually, C.", "Answer: B; sorry, C.", "answer: b. wait, no, c.",
    "The answer is B. Oops, C.\nDone", "Answer: B. On second thought, C.", "Final answer: B. Hold on, C is correct.",
    "**Answer: B, wait, C**", "Answer: B, no wait, D.\n",
])
def test_a_letter_taken_back_on_its_line_for_another_names_no_answer(text):
    """``Answer: B. Wait, no, C.`` passed B (the first stated letter was read, the correction after it not): a
    correction on the answer's own line, written before the early stop could end the rollout, settles no answer, as
    ``B or C`` does."""
    for ref in "ABCD":
        assert not judged("multiple_choice", text, ref, CHOICES), (text, ref)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, tuple("ABCD"), CHOICES)


@pytest.mark.parametrize("text", [
    "Answer: B. Actually, C is wrong.\nDone", "Answer: B. Actually, not C.\nDone", "Answer: B. Wait, no, B.\nDone",
    "Is it A? Wait, no. Answer: B.\nDone", "The answer is B.\n\nWait, no, C.", "Answer: B, rather than C.\nDone",
    "Answer: B. Actually, A careful look confirms it.\nDone", "The answer is B. I mean, B.\n",
    "Answer: B. Wait, let me double check: yes, B.\nDone", "Answer: B.",
    # taken back only after the stop has ended a rollout at the first letter: its verdict is the whole text's
    "**Answer: B**. Sorry, I mean (C).", "Answer: (B). Actually (C) is correct.", r"\boxed{B}. Wait, no, \boxed{C}.",
    "Answer: B (15). Actually C (18).",
])
def test_a_letter_kept_or_taken_back_after_the_stop_still_names_it(text):
    assert judged("multiple_choice", text, "B", CHOICES), text
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, tuple("ABCD"), CHOICES)


@pytest.mark.parametrize("text", ["answer: b. 15 or c. 18", "answer: b) 15 or c) 18", "answer: (b) 15 or (c) 18",
                                  "answer: b, c", "answer: b. or c.", "answer: b, c."])
def test_lower_case_letters_offered_together_name_no_answer(text):
    """``answer: b. 15 or c. 18`` passed b: the hedges were read in capitals only (and the stop ended the rollout at
    ``answer: b.``), while a lower-case letter set apart was read as the answer."""
    for ref in "ABCD":
        assert not judged("multiple_choice", text, ref, CHOICES), (text, ref)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, tuple("ABCD"), CHOICES)


@pytest.mark.parametrize("text", ["answer: b. 15\nDone", "answer: b, i.e., 15.\nDone", "answer: b, which is 15.\nDone",
                                  "answer: b\nc"])
def test_one_lower_case_letter_still_names_its_choice(text):
    assert judged("multiple_choice", text, "B", CHOICES + tuple("6789ab")), text
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, tuple("ABCD"), CHOICES + tuple("6789ab"))
