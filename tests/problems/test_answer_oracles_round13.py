"""Answer oracles against answers as models write them and references as datasets store them (round 13).

A range or a hedge (two answers offered) names none, and a right answer in a common spelling passes.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, oracle_by_name


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


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


@pytest.mark.parametrize("text", ["The answer is B, but it could also be C.", "Answer: B, though C is also possible.",
                                  "The answer is B, although it might be C.", "Answer: B (although it could be C)",
                                  "**Answer: B**, but it may also be C.", "The answer is B, and C is also correct.",
                                  "The answer is (B), but it could well be (C)."])
def test_a_second_letter_offered_in_words_in_the_stated_letters_sentence_names_no_choice(text):
    """``The answer is B, but it could also be C.`` read B: a hedge judged right. No rollout stops before the
    second letter either (every prefix the early stop accepts gives the full text's verdict)."""
    for ref in "BC":
        assert not mc(text, ref) and not mc(text, ref, ("12", "15", "18", "21"))
    assert not any(answer_complete("multiple_choice", text[:i]) for i in range(len(text) + 1))


@pytest.mark.parametrize("text", ["The answer is B, but it could also be B.", "Answer: B, though A is not correct.",
                                  "Answer: B, but C is wrong.", "A is plausible, but it could be B.\nAnswer: B"])
def test_a_letter_with_no_other_offered_in_words_is_still_that_choice(text):
    assert mc(text, "B") and not mc(text, "C")


def test_a_long_run_of_spaces_after_a_letter_is_judged_at_once():
    start = time.perf_counter()
    for text in ("Answer: B" + " " * 50_000 + "x", ("B, but " + " " * 2_000) * 20):
        mc(text, "B")
        answer_complete("multiple_choice", text)
    assert time.perf_counter() - start < 2


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


@pytest.mark.parametrize("text,ok", [("\\boxed{A, B, D}", True), ("\\boxed{(A), (B) and (D)}", True),
                                     ("\\boxed{D, A, B}", True), ("\\boxed{\\text{A, B, D}}", True),
                                     ("\\boxed{ABD}", True), ("\\boxed{A, B}", False), ("\\boxed{A, B, D, D}", False),
                                     ("\\boxed{A, B, C, D}", False), ("\\boxed{BAD}", False),
                                     ("\\boxed{A or B or D}", False)])
def test_a_box_listing_the_letters_of_a_several_letter_reference_is_right_in_any_order(text, ok):
    """JEEBench's multiple-correct gold ``ABD`` judged by the boxed oracle: ``\\boxed{A, B, D}`` failed (a right
    answer judged wrong); the letters listed in any order are that set, never more, fewer or offered with or."""
    assert boxed(text, "ABD") is ok


@pytest.mark.parametrize("text", ["答案是B，但也可能是C。", "答案：B，也可能是C。", "Answer: (b), but it could also be (c).",
                                  "The answer is B; C might also be correct.", "The answer is B, or it could be C."])
def test_a_second_letter_offered_in_other_words_names_no_choice(text):
    """A second letter offered in Chinese (``答案是B，但也可能是C。``), in lower case in brackets, after a semicolon or
    after an or read B: hedges judged right, and no rollout stops before the second letter."""
    for ref in "BC":
        assert not mc(text, ref)
    assert not any(answer_complete("multiple_choice", text[:i]) for i in range(len(text) + 1))


@pytest.mark.parametrize("text", ["Answer: (b), but it could also be (b).", "答案是B，不可能是C。",
                                  "The answer is B, C is wrong.", "Answer: B, so C is not correct."])
def test_a_letter_with_another_ruled_out_or_itself_said_again_is_that_choice(text):
    assert mc(text, "B") and not mc(text, "C")
