"""Answer oracles against answers as models write them and references as datasets store them (round 15).

A hedge or a second amount names no answer, a right answer in a common spelling passes, and every prefix the early
stop accepts gives the whole text's verdict.
"""

import re

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


FOUR = ("12", "15", "18", "20")


@pytest.mark.parametrize("text", ["The answer is \\(B\\) or \\(C\\).", "The answer is \\( B \\) or \\( C \\).",
                                  "Answer: B and C are both correct", "Both (B) and (C) are correct answers here",
                                  "The correct answer is B, although C could also work.",
                                  "The answer is B, but C also works.", "The answer is B and/or C."])
def test_a_second_letter_offered_in_these_words_names_no_choice(text):
    """Each read B: a hedge judged right (letters in ``\\(...\\)`` as in ``$...$``, two letters a plural verb follows,
    a second that "could also work", "and/or")."""
    for choices in (None, FOUR):
        for ref in "BC":
            assert not judged("multiple_choice", text, ref, choices), (text, ref)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", choices)


@pytest.mark.parametrize("text", ["The answer is \\(B\\).", "The answer is \\(B\\) or \\(B\\).", "Answer: B is correct",
                                  "Answer: B, since C would not work.", "Answer: B and/or nothing else."])
def test_one_letter_in_these_words_is_that_choice(text):
    for choices in (None, FOUR):
        assert judged("multiple_choice", text, "B", choices)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", choices)


@pytest.mark.parametrize("text", ["Answer: (B) 15, (C) 18", "Answer: B) 15, C) 18\n", "Answer: (B) 15 and (C) 18.",
                                  "The answer is (B) 15 and (C) 18.", "Answer: (B) 15; (C) 18",
                                  "Answer: (B) 15 & (C) 18",
                                  "**Answer:** (B) 15, and (C) 18", "Answer: [B] 15, [C] 18\nThat is all.",
                                  "Answer: (B) 15, (C) 18 are both right."])
def test_two_choices_listed_each_with_its_text_name_none(text):
    """``Answer: (B) 15, (C) 18`` read B (two choices offered, "or" only was read so); the early stop ended it at
    ``Answer: (B) 15, (C)`` (the bracket of the second letter was taken for the end of the first's text)."""
    for choices in (None, FOUR):
        for ref in "BC":
            assert not judged("multiple_choice", text, ref, choices), (text, ref)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", choices)
    assert not answer_complete("multiple_choice", "Answer: (B) 15, (C)")


@pytest.mark.parametrize("text,choices", [("Answer: (B) 15 fits, (C) 18 does not.", None),
                                          ("Answer: (B) 15 fits, (C) 18 does not.", FOUR),
                                          ("Answer: (B) 18, (C) 15", FOUR),  # not the choices' own texts: a remark
                                          ("Answer: (B) 15\n(C) 18 is too big.", FOUR),
                                          ("Answer: (B) 15 (the odd one), nothing else.", FOUR)])
def test_a_choice_with_its_text_and_another_weighed_is_that_choice(text, choices):
    assert judged("multiple_choice", text, "B", choices)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", choices)


@pytest.mark.parametrize("text,ref", [("\\boxed{x = 3}", "y = 3"), ("\\boxed{y=-\\frac{1}{12}}", "x = -\\frac{1}{12}"),
                                      ("$\\boxed{x_1 = 2}$", "y = 2")])
def test_a_value_of_another_unknown_is_another_answer(text, ref):
    """``\\boxed{x = 3}`` passed the directrix ``y = 3`` (the name before each value was dropped, as MATH's grader
    drops it): a vertical line for a horizontal one judged right."""
    assert not judged("boxed", text, ref)


@pytest.mark.parametrize("text,ref", [("\\boxed{x = 3}", "3"), ("\\boxed{3}", "y = 3"), ("\\boxed{Y = 3}", "y = 3"),
                                      ("\\boxed{x_1 = 2}", "x = 2"), ("\\boxed{y = 2x + 1}", "y=2x+1"),
                                      ("\\boxed{f(x) = 2x+1}", "2x+1")])
def test_a_value_of_the_same_unknown_or_of_none_still_passes(text, ref):
    assert judged("boxed", text, ref)


VECTOR = "\\begin{pmatrix} -\\frac{1}{2} \\\\ 3 \\end{pmatrix}"


@pytest.mark.parametrize("entries", ["\\frac{-1}{2} \\\\ 3", "-1/2 \\\\ 3", "-0.5 \\\\ 3", "-\\frac{1}{2} \\\\ 3.0",
                                     "-\\frac{1}{2} \\\\ 3 \\\\"])
def test_a_matrix_is_compared_entry_by_entry(entries):
    """``\\begin{pmatrix} \\frac{-1}{2} \\\\ 3 \\end{pmatrix}`` failed MATH's ``-\\frac{1}{2}`` vector (the matrix was
    compared as one string, where a box alone reads ``\\frac{-1}{2}`` and ``-0.5`` as ``-\\frac{1}{2}``)."""
    assert judged("boxed", f"\\boxed{{\\begin{{pmatrix}} {entries} \\end{{pmatrix}}}}", VECTOR)


@pytest.mark.parametrize("entries", ["3 \\\\ -\\frac{1}{2}", "\\frac{1}{2} \\\\ 3", "-\\frac{1}{2} \\\\ 3 \\\\ 0",
                                     "-\\frac{1}{2} & 3", "-\\frac{1}{2} \\\\ 3 \\\\ \\\\"])
def test_a_matrix_of_other_entries_or_shape_still_fails(entries):
    assert not judged("boxed", f"\\boxed{{\\begin{{pmatrix}} {entries} \\end{{pmatrix}}}}", VECTOR)


@pytest.mark.parametrize("answer", ["12 \u2014 or 13", "12 \u2013 or 13", "12 and/or 13", "12 apples \u2014 or 13"])
def test_a_second_number_after_a_dash_or_and_or_is_offered(answer):
    """``#### 12 — or 13`` and ``#### 12 and/or 13`` passed 12 (only a comma, bracket or semicolon before "or" was
    read); ``last_number`` passed 13 for the same words."""
    assert not judged("gsm8k", f"#### {answer}\n", "12")
    assert not judged("last_number", f"The answer is {answer}.", "13")


def test_the_same_amount_after_a_dash_and_or_is_one():
    assert judged("gsm8k", "#### 2 hours \u2014 or 120 minutes\n", "2")
    assert judged("gsm8k", "#### 12 \u2014 or 12\n", "12")


@pytest.mark.parametrize("text", ["\\[ \\boxed{12} \\quad \\text{or} \\quad \\boxed{13} \\]",
                                  "\\boxed{12} \\qquad \\text{or} \\qquad \\boxed{13}.",
                                  "\\boxed{12} \\; \\text{or} \\; \\boxed{13}", "\\boxed{12}~\\text{or}~\\boxed{13}",
                                  "\\boxed{12} \\quad\\text{and}\\quad \\boxed{13}", "\\boxed{12} (or \\boxed{13}).",
                                  "\\boxed{12} or possibly \\boxed{13}.", "$\\boxed{12}$ or perhaps $\\boxed{13}$.",
                                  "\\boxed{12} \\mathrm{or} \\boxed{13}"])
def test_a_second_box_joined_in_latex_spacing_or_with_a_word_of_doubt_is_offered(text):
    """``\\boxed{12} \\quad \\text{or} \\quad \\boxed{13}`` (how models set two roots apart in display math) and
    ``\\boxed{12} (or \\boxed{13})`` read 12: a hedge judged right (only plain spaces and one ``\\quad`` were read
    between joined boxes)."""
    for ref in ("12", "13"):
        assert not judged("boxed", text, ref)
    assert judged("boxed", text, "12, 13")
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("12", "13", "12, 13"))


@pytest.mark.parametrize("text", ["\\boxed{12} \\quad \\text{or} \\quad \\boxed{12}.", "\\boxed{12}.\n\nOr \\boxed{13}",
                                  "\\boxed{12} \\quad is the count; \\boxed{13} was wrong."])
def test_a_box_said_again_or_in_a_later_sentence_is_still_the_first(text):
    assert judged("boxed", text, "12")
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("12", "13", "12, 13"))
    assert answer_complete("boxed", text)


@pytest.mark.parametrize("text", ["\\boxed{B} \\quad \\text{or} \\quad \\boxed{C}", "\\boxed{B}~\\text{or}~\\boxed{C}",
                                  "$\\boxed{B} \\; \\text{or} \\; \\boxed{C}$", "\\boxed{B}\\:\\text{or}\\:\\boxed{C}",
                                  "\\boxed{15} \\quad \\text{or} \\quad \\boxed{18}", "\\boxed{15} (or \\boxed{18})"])
def test_boxed_choices_joined_in_latex_spacing_name_none(text):
    """``\\boxed{B} \\quad \\text{or} \\quad \\boxed{C}`` read B, and the early stop ended ``\\boxed{B}~\\text{or}...``
    at its tie (``~`` was read as the end of an answer); boxed choice texts so joined read B too."""
    for choices in (None, FOUR):
        for ref in "BC":
            assert not judged("multiple_choice", text, ref, choices), (text, ref)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", choices)


def test_a_boxed_choice_with_latex_spacing_after_it_is_that_choice():
    for text in ("\\boxed{B} \\quad \\text{is right}.", "$\\boxed{B}$~is right.", "\\boxed{B} \\quad \\boxed{B}."):
        assert judged("multiple_choice", text, "B", FOUR)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", FOUR)


@pytest.mark.parametrize("line", ["18 元或 19 元", "18元或19元", "18个苹果或19个苹果", "18元（或19元）", "18 元 5 角", "1小时30分钟",
                                  "18元，19元", "18、19", "18，19", "3 个苹果和 4 个梨"])
def test_a_gsm8k_line_in_chinese_with_a_second_amount_names_no_answer(line):
    """``#### 18 元或 19 元`` and ``#### 1小时30分钟`` passed the first number (the hedge's and the compound's units
    were read in Latin letters only, and their separators as English writes them)."""
    assert not judged("gsm8k", f"#### {line}\n", re.search(r"\d+", line).group())


@pytest.mark.parametrize("line,ref", [("18 元", "18"), ("18元。", "18"), ("2小时或120分钟", "2"), ("1米或100厘米", "1"),
                                      ("18元或18元", "18"), ("6 米 0 厘米", "6"), ("18元（共2次）", "18")])
def test_a_gsm8k_line_in_chinese_with_one_amount_passes(line, ref):
    assert judged("gsm8k", f"#### {line}\n", ref)


def test_last_number_reads_a_chinese_hedge_as_none():
    assert not judged("last_number", "答案是18元或19元。", "19")
    assert judged("last_number", "答案是19元。", "19")


@pytest.mark.parametrize("text,choices", [("\\boxed{15}", ("12 cm", "15 cm", "18 cm", "20 cm")),
                                          ("\\boxed{15 \\text{ cm}}", ("12 cm", "15 cm", "18 cm", "20 cm")),
                                          ("So $\\boxed{9.8}$.", ("1 m/s^2", "9.8 m/s^2", "10 m/s^2", "0")),
                                          ("\\boxed{2\\sqrt{2}}", ("\\sqrt{2}", "\\sqrt{8}", "2", "4")),
                                          ("\\boxed{\\frac{\\sqrt{2}}{2}}", ("1", "$\\frac{1}{\\sqrt{2}}$", "2", "0"))])
def test_a_box_holding_a_choice_by_its_value_is_that_choice(text, choices):
    """``\\boxed{15}`` for the choice ``15 cm`` and ``\\boxed{2\\sqrt{2}}`` for ``\\sqrt{8}`` named none (the box was
    compared with each choice's whole text, or as a plain number): a right answer judged wrong."""
    assert judged("multiple_choice", text, "B", choices)
    assert not judged("multiple_choice", text, "A", choices)


@pytest.mark.parametrize("text,choices", [("\\boxed{15}", ("15 cm", "15 mm", "1", "2")),
                                          ("\\boxed{2}", ("2 apples and 3 pears", "3", "4", "5")),
                                          ("\\boxed{15} or \\boxed{18}", ("12 cm", "15 cm", "18 cm", "20 cm"))])
def test_a_box_two_choices_hold_or_none_does_names_none(text, choices):
    assert not any(judged("multiple_choice", text, ref, choices) for ref in "ABCD")


@pytest.mark.parametrize("text,choices", [("The answer is $\\frac{1}{2}$.", ("1/4", "1/2", "3/4", "1")),
                                          ("The answer is 1/2.", ("$\\frac{1}{4}$", "$\\frac{1}{2}$", "3/4", "1")),
                                          ("**Answer:** 0.5\n", ("1/4", "1/2", "3/4", "1")),
                                          ("The answer is 15.", ("12 cm", "15 cm", "18 cm", "20 cm")),
                                          ("Answer: $15$", ("12 cm", "15 cm", "18 cm", "20 cm"))])
def test_a_stated_value_a_choice_holds_is_that_choice(text, choices):
    """``The answer is $\\frac{1}{2}$.`` named none where B is ``1/2`` (a stated answer was compared with each
    choice's text as written), nor ``The answer is 15.`` where B is ``15 cm``."""
    assert judged("multiple_choice", text, "B", choices)
    assert not judged("multiple_choice", text, "A", choices)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "AB", choices)


@pytest.mark.parametrize("text,choices", [("The answer is 15 or 18.", ("12", "15", "18", "20")),
                                          ("The answer is 15 because 3 x 5 = 15.", ("12 cm", "15 cm", "15 mm", "2")),
                                          ("The answer is 1/3.", ("1/4", "1/2", "3/4", "1"))])
def test_a_stated_value_no_one_choice_holds_names_none(text, choices):
    assert not any(judged("multiple_choice", text, ref, choices) for ref in "ABCD")


def test_a_models_loop_of_stated_values_is_judged_at_once():
    import time

    choices = tuple(f"{i}/7" for i in range(10))
    start = time.perf_counter()
    assert not judged("multiple_choice", "The answer is 1/3. " * 5000 + "The answer is 0.2857.", "C", choices)
    assert time.perf_counter() - start < 3


@pytest.mark.parametrize("line", ["12 (13 if rounding up)", "12 apples (13 apples if Tom counts)",
                                  "12 (13 including tax)", "12 (13 when counting 0)"])
def test_a_gsm8k_line_with_a_conditional_second_amount_names_no_answer(line):
    """``#### 12 (13 if rounding up)`` passed 12: a second amount offered under a condition, as ``12 (or 13 if ...)``
    already named none."""
    assert not judged("gsm8k", f"#### {line}\n", "12")


@pytest.mark.parametrize("line", ["12 (3 for each)", "18 ($3 with each of 6)", "2 hours (120 minutes)",
                                  "12 (the total)", "12 (4 per box)"])
def test_a_gsm8k_line_with_a_bracketed_remark_still_passes(line):
    assert judged("gsm8k", f"#### {line}\n", re.match(r"\d+", line).group())


@pytest.mark.parametrize("text,ref", [("\\boxed{0.\\bar{3}}", "0.\\overline{3}"),
                                      ("\\boxed{0.\\overline{3}}", "0.\\bar{3}"),
                                      ("\\boxed{0.\\bar3}", "0.\\overline{3}"),
                                      ("\\boxed{0.1\\bar{6}}", "0.1\\overline{6}")])
def test_a_repeating_decimal_with_a_bar_is_one_with_an_overline(text, ref):
    """``\\boxed{0.\\bar{3}}`` failed MATH's ``0.\\overline{3}`` (the same bar over the digit, spelled another way)."""
    assert judged("boxed", text, ref)


@pytest.mark.parametrize("text,ref", [("\\boxed{0.\\bar{3}}", "0.\\overline{6}"), ("\\boxed{0.\\bar{3}}", "0.3"),
                                      ("\\boxed{0.\\overline12}", "0.\\overline{12}")])
def test_another_repeating_decimal_still_fails(text, ref):
    assert not judged("boxed", text, ref)


@pytest.mark.parametrize("text", ["\\boxed{12} Maybe \\boxed{13}", "\\boxed{12} Possibly \\boxed{13}.",
                                  "$\\boxed{12}$ Perhaps $\\boxed{13}$"])
def test_a_capitalised_word_of_doubt_after_a_box_stops_where_the_verdict_is_known(text):
    """The early stop ended ``\\boxed{12} Maybe \\boxed{13}`` at its ``M`` (12) while the whole answer was read as the
    list 12, 13: a word of doubt joins boxes only in lower case, as the early stop waits for it."""
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("12", "13", "12, 13"))


@pytest.mark.parametrize("text", ["Answer: B (15) or C (18)", "Answer: B 15 or C 18\n",
                                  "The answer is B (15) or C (18).", "Answer: B 15, or maybe C 18.",
                                  "Answer: B ($15) / C ($18)"])
def test_two_letters_each_with_its_value_offered_together_name_none(text):
    """``Answer: B (15) or C (18)`` read B: the early stop ended it at ``Answer: B (1`` (a digit after the letter was
    read as the answer's end); it now waits for the sentence's end, and the judge reads the hedge."""
    for choices in (None, FOUR):
        for ref in "BC":
            assert not judged("multiple_choice", text, ref, choices), (text, ref)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", choices)


@pytest.mark.parametrize("text,stop", [("Answer: B (15)\nIt is odd.", "Answer: B (15)\n"),
                                       ("Answer: B 15. It is odd.", "Answer: B 15. "),
                                       ("Answer: B.\nDone", "Answer: B.\n"),
                                       ("Answer: B (15 is odd). Done", "Answer: B (15 is odd). ")])
def test_a_letter_with_its_value_still_stops_once_its_sentence_ends(text, stop):
    first = next(text[:i] for i in range(len(text) + 1) if answer_complete("multiple_choice", text[:i]))
    assert first == stop
    assert judged("multiple_choice", text, "B", FOUR)
