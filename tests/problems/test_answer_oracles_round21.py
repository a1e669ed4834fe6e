"""Answer oracles against answers as models write them (round 21).

A hedge names no answer, a right answer in a common spelling passes, and every prefix the early stop accepts gives
the whole text's verdict.
"""

import time

import pytest

from test_answer_oracles_round15 import FOUR, assert_stops_only_where_the_verdict_is_known, judged


# ----------------------------------------------------------------- boxes

@pytest.mark.parametrize("text", [r"\boxed{12}\\ \boxed{13}", "$$\\boxed{12} \\\\\n\\boxed{13}$$",
                                  r"\boxed{12} \rightarrow \boxed{13}", r"\boxed{12} \to \boxed{13}",
                                  r"$\boxed{12} \Rightarrow \boxed{13}$", r"\boxed{12} \implies \boxed{13}",
                                  r"\boxed{12} -> \boxed{13}", "\\boxed{12} \u2192 \\boxed{13}"])
def test_boxes_joined_by_a_line_break_or_an_arrow_name_no_answer(text):
    """``\\boxed{12}\\\\ \\boxed{13}`` and ``\\boxed{12} \\rightarrow \\boxed{13}`` passed 12: only words, commas and
    spaces joined a second box to the first, so a display's next row or a change of mind was read as its first."""
    for ref in ("12", "13"):
        assert not judged("boxed", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("12", "13"))


@pytest.mark.parametrize("text", [r"\boxed{12}\\ \boxed{12}", r"\boxed{12}\\ Therefore the answer is 12.",
                                  "\\boxed{12}\\\\\nSo we are done.", r"$\boxed{12}$ \\ The end."])
def test_a_box_before_a_line_break_and_no_other_box_still_passes(text):
    assert judged("boxed", text, "12")
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("12",))


# ----------------------------------------------------------------- gsm8k and last_number: numbers offered in words

@pytest.mark.parametrize("line", ["18 or twenty", "18 or maybe twenty", "18 (wait, twenty)", "18, maybe twenty",
                                  "18 apples, or twenty apples", "18 or a hundred and five", "18 or twenty-one"])
def test_a_number_offered_in_words_after_a_gsm8k_answer_names_no_answer(line):
    """``#### 18 or twenty`` passed 18: only a number written in digits was read as offered after the first."""
    text = f"So that is it.\n#### {line}\n"
    for ref in ("18", "20", "21", "105"):
        assert not judged("gsm8k", text, ref), (line, ref)
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, ("18", "20"))


@pytest.mark.parametrize("line", ["18 or eighteen", "18 (three for each)", "18 or so", "18, one for each box"])
def test_a_gsm8k_answer_with_words_that_offer_no_other_number_still_passes(line):
    assert judged("gsm8k", f"#### {line}\n", "18")


@pytest.mark.parametrize("name,text", [("last_number", "So the answer is 18" + " " * 1000 + "."),
                                       ("gsm8k", "#### 18" + " " * 1000 + "apples\n")])
def test_a_loop_of_spaces_after_a_number_is_judged_at_once(name, text):
    """A run of spaces after the answer's number took seconds (minutes for 3,000): the offer's spaces before and
    after its comma were read every way, from every space."""
    t = time.perf_counter()
    assert judged(name, text, "18")
    assert time.perf_counter() - t < 1.0


def test_last_number_reads_a_number_offered_in_words_as_an_offer():
    assert not judged("last_number", "So the answer is 18 or twenty.", "18")
    assert judged("last_number", "So the answer is 18 or eighteen.", "18")
    assert judged("last_number", "Tom has 2 apples or one pear. So the answer is 18.", "18")


# ----------------------------------------------------------------- multiple choice

@pytest.mark.parametrize("text", ["The answer is B unless it's C.", "Answer: B unless C",
                                  "Answer: (B) unless it is (C).", "**Answer: B** unless it's C.",
                                  "Answer: B. Unless it's C.", "Answer: B (unless it's C).",
                                  "The answer is B otherwise C."])
def test_a_letter_offered_after_unless_names_no_choice(text):
    """``The answer is B unless it's C.`` passed B: "unless" offered a second letter only after a comma."""
    for ref in ("B", "C"):
        assert not judged("multiple_choice", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"))


@pytest.mark.parametrize("text", ["Answer: B unless the question means something else.",
                                  "Answer: B. Unless I misread, C is wrong.",
                                  "Answer: B. Unless otherwise noted, all of them hold."])
def test_unless_without_a_second_letter_still_states_the_first(text):
    assert judged("multiple_choice", text, "B")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B",))


# ----------------------------------------------------------------- boxes: right answers in common spellings

@pytest.mark.parametrize("text,ref", [(r"\boxed{\text{Answer: } 12}", "12"), (r"\boxed{\text{Answer: }12}", "12"),
                                      (r"\boxed{\text{Final Answer: } \frac{1}{2}}", r"\frac12"),
                                      (r"\boxed{\text{The answer is } 12}", "12"), (r"\boxed{Answer: x = 3}", "3")])
def test_a_box_holding_the_answer_s_label_and_value_passes(text, ref):
    """``\\boxed{\\text{Answer: } 12}`` failed 12: the label the model boxed with its value was read as the answer."""
    assert judged("boxed", text, ref)
    assert not judged("boxed", text, "13")


def test_a_box_holding_another_word_before_its_value_is_still_no_answer():
    assert not judged("boxed", r"\boxed{\text{Answers: } 12}", "12")
    assert not judged("boxed", r"\boxed{\text{Answer or } 12}", "12")


@pytest.mark.parametrize("got,ref", [(r"\ln 2", r"\ln(2)"), (r"\ln(2)", r"\ln 2"), (r"2\ln(2)", r"2\ln 2"),
                                     (r"\ln(10)", r"\ln 10"), (r"\sin\left(x\right)", r"\sin x"),
                                     (r"\log(x)", r"\log x"), (r"\log_2(8)", r"\log_2 8"),
                                     (r"\log_{10}(x)", r"\log_{10} x")])
def test_a_function_s_one_argument_with_or_without_brackets_is_one_answer(got, ref):
    """``\\boxed{\\ln 2}`` failed ``\\ln(2)`` (and the other way): the brackets around a function's one argument were
    kept, so the two spellings differed."""
    assert judged("boxed", rf"\boxed{{{got}}}", ref)


@pytest.mark.parametrize("got,ref", [(r"\ln(2)x", r"\ln 2x"), (r"\ln(3)", r"\ln 2"), (r"\ln(2)^2", r"\ln 2"),
                                     (r"\log_2(8)", r"\log_3 8")])
def test_a_function_s_brackets_before_more_of_the_product_stay(got, ref):
    assert not judged("boxed", rf"\boxed{{{got}}}", ref)


@pytest.mark.parametrize("got,ref", [(r"\sqrt[3]{2}", "2^{1/3}"), ("2^{1/3}", r"\sqrt[3]{2}"),
                                     (r"2^{\frac{2}{3}}", r"\sqrt[3]{4}"), ("3^{1/2}", r"\sqrt3")])
def test_a_root_and_a_fractional_power_of_the_same_value_are_one_answer(got, ref):
    """``\\boxed{\\sqrt[3]{2}}`` failed ``2^{1/3}``: closed forms were compared by value only where both held a root or
    pi."""
    assert judged("boxed", rf"\boxed{{{got}}}", ref)


@pytest.mark.parametrize("got,ref", [("2^{1/3}", r"\sqrt[3]{3}"), ("2^{1/3}", "1.26"), ("2^{10}", "1024")])
def test_a_fractional_power_of_another_value_or_a_decimal_is_another_answer(got, ref):
    assert not judged("boxed", rf"\boxed{{{got}}}", ref)


@pytest.mark.parametrize("got,ref", [(r"\frac{14}{3}\approx 4.67", "14/3"), (r"\frac{14}{3}\approx 4.67", "4.67"),
                                     (r"\frac{14}{3} \approx 4.666", r"\frac{14}{3}"),
                                     (r"2\sqrt{2} \approx 2.83", r"2\sqrt2"), ("\\frac{1}{3} \u2248 0.333", r"\frac13"),
                                     (r"-\frac{14}{3}\approx -4.67", "-14/3"), (r"2\ln 2 \approx 1.39", r"2\ln 2")])
def test_an_exact_answer_and_its_decimal_value_pass_either(got, ref):
    """``\\boxed{\\frac{14}{3}\\approx 4.67}`` failed 14/3: the whole box was read as one expression."""
    text = rf"So $\boxed{{{got}}}$."
    assert judged("boxed", text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, (ref,))


@pytest.mark.parametrize("got,ref", [(r"\frac{14}{3}\approx 5.2", r"\frac{14}{3}"), (r"\frac{14}{3}\approx 5.2", "5.2"),
                                     (r"\frac{13}{3}\approx 4.67", "14/3"), (r"\frac{14}{3}\approx 4.67", "4.7"),
                                     (r"2\ln 2 \approx 1.39", "1.39")])
def test_an_exact_answer_and_another_value_pass_neither(got, ref):
    assert not judged("boxed", rf"\boxed{{{got}}}", ref)


# ----------------------------------------------------------------- multiple choice: a letter ruled out first

@pytest.mark.parametrize("text", ["The answer is not B, it's C.", "The answer is not B but C.", "Answer: not B, but C.",
                                  "The answer is not (B), it is (C).", "The answer is not B; it's C.",
                                  "The answer is not option B but option C.", "The answer is not B, rather C.",
                                  "Answer: not B but C\n"])
def test_an_answer_ruling_a_letter_out_before_its_own_states_the_second(text):
    """``The answer is not B, it's C.`` failed C: "not" between the answer's words and a letter read as no answer."""
    assert judged("multiple_choice", text, "C")
    assert not judged("multiple_choice", text, "B")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"))


@pytest.mark.parametrize("text", ["The answer is not B, A is too small.", "The answer is not B, C is wrong, so D.",
                                  "The answer is not B.", "The answer is not B or C, it's D.",
                                  "The answer is not B, it's C or D.", "The answer is not B, but C is also wrong."])
def test_a_letter_after_one_ruled_out_without_but_or_it_is_names_no_choice(text):
    for ref in "ABC":
        assert not judged("multiple_choice", text, ref), (text, ref)


def test_a_letter_the_answer_calls_also_wrong_is_not_the_answer():
    """``Answer: A is also wrong, B is right.`` read A: only "A is wrong" without an adverb was a letter called
    wrong."""
    assert judged("multiple_choice", "Answer: A is also wrong, B is right.", "B")
    assert not judged("multiple_choice", "Answer: A is also wrong, B is right.", "A")


# ----------------------------------------------------------------- multiple choice: a second letter for another reading

@pytest.mark.parametrize("text", ["The answer is B, or C if we count the last.", "Answer: B (C if rounding)",
                                  "Answer: B; if rounding, C",
                                  "The answer is B, but if the question means net, then C.",
                                  "The answer is B \u2014 possibly C.", "The answer is B, failing that C.",
                                  "The answer is B. Or is it C?", "Answer: B, C if you count twice.",
                                  "The answer is B, and if the question meant net, it would be C."])
def test_a_second_letter_offered_for_another_reading_names_no_choice(text):
    """``The answer is B, or C if we count the last.`` and ``Answer: B (C if rounding)`` passed B: a second letter
    offered under a condition (or after a dash, "failing that", ". Or is it") was no offer."""
    for ref in ("B", "C"):
        assert not judged("multiple_choice", text, ref, FOUR), (text, ref)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"), FOUR)


@pytest.mark.parametrize("text", ["The answer is B, if we round.", "The answer is B (if we round).",
                                  "Answer: B, if x is 5, C is wrong.", "The answer is B; when rounding, it is still B.",
                                  "Answer: B, if the exam uses C notation.", "Answer: B (C is wrong if rounding).",
                                  "Answer: B. Or is it? Yes, B."])
def test_a_condition_offering_no_other_letter_still_states_the_first(text):
    assert judged("multiple_choice", text, "B", FOUR)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"), FOUR)


# ----------------------------------------------------------------- gsm8k: more words that offer a second number

@pytest.mark.parametrize("line", ["18 unless it's 20", "18, unless it's 20", "18 but maybe 20", "18, no wait, 20",
                                  "18 else 20", "18, or else 20", "18 \\to 20", "18 \\rightarrow 20",
                                  "18 unless it's twenty", "18, or else twenty"])
def test_a_second_number_after_unless_else_but_maybe_or_an_arrow_names_no_answer(line):
    """``#### 18 unless it's 20``, ``#### 18 but maybe 20``, ``#### 18, no wait, 20`` and ``#### 18 \\to 20`` passed
    18: only or, its languages' words and a doubt's word after a comma or bracket offered a second number."""
    text = f"So that is it.\n#### {line}\n"
    for ref in ("18", "20"):
        assert not judged("gsm8k", text, ref), (line, ref)
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, ("18", "20"))


@pytest.mark.parametrize("line", ["18 unless rounding", "18, else nothing", "18 but maybe more apples", "18 unless 18"])
def test_unless_else_or_but_before_no_other_number_still_passes(line):
    assert judged("gsm8k", f"#### {line}\n", "18")


# ----------------------------------------------------------------- boxes: a number offered in words after a box

@pytest.mark.parametrize("text", [r"\boxed{18} (or twenty)", r"\boxed{18} or twenty-one.", r"\boxed{18} or twenty one.",
                                  r"\boxed{18} apples, or twenty apples.", r"\boxed{18} or a hundred.",
                                  r"$\boxed{18}$ (or maybe twenty)"])
def test_a_number_offered_in_words_after_a_box_names_no_answer(text):
    """``\\boxed{18} (or twenty)`` passed 18: only a number in digits or LaTeX was read as offered after a box."""
    for ref in ("18", "20", "21", "100"):
        assert not judged("boxed", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, ("18", "20", "21"))


@pytest.mark.parametrize("text,ref", [(r"\boxed{18} (or eighteen)", "18"), (r"\boxed{18} or so.", "18"),
                                      (r"\boxed{18} (one for each)", "18"), (r"\boxed{1} or one.", "1"),
                                      (r"\boxed{2} hours (or one hundred and twenty minutes)", "2"),
                                      (r"\boxed{18} or eighteen apples.", "18")])
def test_the_same_number_in_words_or_no_number_after_a_box_still_passes(text, ref):
    assert judged("boxed", text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, (ref, "100", "120"))


# ----------------------------------------------------------------- multiple choice: a second letter said right too

@pytest.mark.parametrize("text", ["The answer is C. B is also correct.", "Answer: C. B is also correct.\n",
                                  "The answer is C; B is also right.", "The answer is C, and B too.",
                                  "The answer is C as well as B.", "The answer is C, though one could argue B.",
                                  "The answer is C, although some would say B.", "Answer: C, and (B) as well."])
def test_a_second_letter_said_right_too_on_the_answer_s_line_names_no_choice(text):
    """``The answer is C. B is also correct.``, ``The answer is C, and B too.`` and ``The answer is C, though one
    could argue B.`` passed C: a letter said right too counted only after a letter said correct, never after one
    stated, and "too", "as well as" and "one could argue" offered no second."""
    for ref in ("B", "C"):
        assert not judged("multiple_choice", text, ref, FOUR), (text, ref)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"), FOUR)


@pytest.mark.parametrize("text", ["Answer: C\nB is also correct.", "**Answer: C**. B is also correct.",
                                  "A is correct. B is also correct. The answer is C.",
                                  "The answer is C. B is also correct, but C is the best answer.",
                                  "The answer is C. C is also the answer.", "The answer is C, and B is wrong too."])
def test_a_letter_said_right_on_another_line_after_the_stop_or_before_the_answer_leaves_it(text):
    assert judged("multiple_choice", text, "C", FOUR)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"), FOUR)


def test_an_answer_that_isn_t_one_letter_but_another_states_the_second():
    assert judged("multiple_choice", "The answer isn't B, it's C.", "C", FOUR)
    assert not judged("multiple_choice", "The answer isn't B, it's C.", "B", FOUR)


# ----------------------------------------------------------------- boxes: one value written twice

@pytest.mark.parametrize("got,ref", [(r"0.5 = \frac{1}{2}", r"\frac12"), (r"0.5 = \frac{1}{2}", "0.5"),
                                     (r"\frac{14}{3} = 4\frac{2}{3}", "14/3"),
                                     (r"\frac{14}{3} = 4\frac{2}{3}", r"4\frac23"), ("3 = 3.0", "3")])
def test_a_box_holding_one_value_in_two_forms_passes_either(got, ref):
    """``\\boxed{0.5 = \\frac{1}{2}}`` failed 1/2: the equation of two forms was read as one expression."""
    assert judged("boxed", rf"\boxed{{{got}}}", ref)


@pytest.mark.parametrize("got,ref", [(r"0.5 = \frac{1}{3}", r"\frac12"), (r"0.5 = \frac{1}{3}", r"\frac13"),
                                     ("2+3 = 6", "6"), ("3 = 3.0", "4")])
def test_a_box_equating_two_values_passes_neither(got, ref):
    assert not judged("boxed", rf"\boxed{{{got}}}", ref)


@pytest.mark.parametrize("got,ref", [("f(2) = 5", "5"), ("x = 5", "5"), ("AB = 5", "5"), ("x_1 = 2", "2")])
def test_a_named_value_in_a_box_is_still_its_value(got, ref):
    assert judged("boxed", rf"\boxed{{{got}}}", ref)


@pytest.mark.parametrize("got,ref", [(r"12^\circ\text{C}", "12"), ("12\u00b0C", "12"), (r"12 ^{\circ}C", "12"),
                                     (r"12\,^\circ\mathrm{C}", "12"), (r"-40^\circ\text{F}", "-40"),
                                     (r"45^\circ\text{C}", r"45^\circ")])
def test_a_temperature_in_degrees_celsius_or_fahrenheit_is_its_number(got, ref):
    """``\\boxed{12^\\circ\\text{C}}`` failed 12: the degree sign was dropped and its scale's letter kept (12C)."""
    assert judged("boxed", rf"\boxed{{{got}}}", ref)
    assert not judged("boxed", rf"\boxed{{{got}}}", "13")


@pytest.mark.parametrize("text,ref", [(r"\boxed{\frac{1}{2} \text{ or } 0.5}", r"\frac12"),
                                      (r"\boxed{\frac{1}{2} \text{ or } 0.5}", "0.5"),
                                      (r"\boxed{\frac12} or \boxed{0.5}", r"\frac12"),
                                      (r"\boxed{\frac12}, \boxed{0.5}.", "0.5")])
def test_one_value_said_twice_in_two_forms_is_that_value(text, ref):
    """``\\boxed{\\frac{1}{2} \\text{ or } 0.5}`` failed 1/2: the same value in two forms was read as a list of two
    (``\\boxed{\\frac12} (or 0.5)`` already was one answer)."""
    assert judged("boxed", text, ref)
    assert_stops_only_where_the_verdict_is_known("boxed", text, (ref,))


@pytest.mark.parametrize("text,ref", [(r"\boxed{\frac{1}{2} \text{ or } 0.4}", r"\frac12"), (r"\boxed{2, 3}", "2"),
                                      (r"\boxed{(2, 2)}", "2"), (r"\boxed{\{2, 2\}}", "2")])
def test_two_values_or_a_tuple_of_one_value_are_still_no_one_answer(text, ref):
    assert not judged("boxed", text, ref)
