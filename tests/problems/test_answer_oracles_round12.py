"""Answer oracles against answers as models write them and references as datasets store them (round 12).

A hedge (two answers offered) names none, a right answer in a common spelling passes, and the early stop never
decides before the verdict is settled.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, make_judge, oracle_by_name

FOUR = ("12", "15", "18", "21")


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


def gsm(text, ref):
    return oracle_by_name("gsm8k")(text, P(ref))


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


@pytest.mark.parametrize("text", ["A or (B) is correct.", "It's A or (B) is correct", "A or (B) is the answer."])
def test_a_bracketed_letter_offered_after_another_names_no_choice(text):
    """"A or (B) is correct." read B through the bracketed (B) (a letter merely written), where "A or B is correct."
    named none: a hedge judged right."""
    for ref in "AB":
        assert not mc(text, ref) and not mc(text, ref, FOUR)


@pytest.mark.parametrize("text", ["Between (A) and (B), (B) is correct.", "Not A. (B) is correct.", "So:\n(B)"])
def test_a_bracketed_letter_said_again_or_alone_is_still_that_choice(text):
    assert mc(text, "B") and not mc(text, "A")


@pytest.mark.parametrize("text", ["B) 15 or C) 18", "So it's between:\nB) 15 or C) 18", "(B) 15 or (C) 18",
                                  "B) 15, or maybe C) 18", "(B) 15, or (C) 18.", "**B) 15 or C) 18**",
                                  "Answer: B) 15 or C) 18", "Answer: (B) 15 or (C) 18",
                                  "The answer is (B) 15 or (C) 18.", "**Answer: B) 15 or C) 18**",
                                  "<answer>B) 15 or C) 18</answer>", "Answer: (B) 15 / (C) 18", "Answer: B) 15 or C.",
                                  "答案：(B) 15 或 (C) 18", "Answer: (B) 15? Or (C) 18?"])
def test_letters_offered_each_with_its_choice_text_name_no_choice(text):
    """A letter written with its choice's text and offered with another so written ("B) 15 or C) 18", as a trace
    cut off before its answer or a hedging answer line writes them) read the first: B passed."""
    for ref in "BC":
        assert not mc(text, ref) and not mc(text, ref, FOUR)


@pytest.mark.parametrize("text", ["Answer: (B) 15, since (A) 12 and 21 are too small.",
                                  "Answer: B) 15 and not C) 18", "A) 12: too small\nB) 15: fits\n\nAnswer: (B) 15",
                                  "Answer: (B) 15 or equivalently (B)",
                                  "Answer: B) 15\nC) 18 is wrong.", "Answer: B) 15 (the only odd one)"])
def test_one_letter_with_its_text_is_that_choice(text):
    assert mc(text, "B") and mc(text, "B", FOUR) and not mc(text, "C")


@pytest.mark.parametrize("full", ["Answer: B) 15 or C) 18", "Answer: (B) 15, or maybe (C) 18\n",
                                  "**Answer: B) 15 or C) 18**", "<answer>B) 15 or C) 18</answer>",
                                  "Answer: (B) 1.5 or (C) 1.8"])
def test_the_early_stop_waits_for_a_bracketed_choice_text_to_end(full):
    """The early stop ended "Answer: B) 15 or C) 18" at "Answer: B) 1" and judged B, where the whole answer hedges;
    a choice's text after a bracketed letter stops only once no other can be offered with it."""
    for n in range(1, len(full) + 1):
        assert not answer_complete("multiple_choice", full[:n]) or mc(full[:n], "B") == mc(full, "B"), full[:n]
    assert not mc(full, "B")


@pytest.mark.parametrize("text,stop", [("Answer: B) 15\nIt fits.", "Answer: B) 15\n"),
                                       ("Answer: (B) 15. It fits.", "Answer: (B) 15. "),
                                       ("Answer: (B) 15 (the odd one)", "Answer: (B) 15 (the odd one)"),
                                       ("Answer: B\n", "Answer: B\n"), ("Answer: B.\nDone", "Answer: B.\n")])
def test_the_early_stop_still_stops_once_the_choice_text_has_ended(text, stop):
    first = next(n for n in range(1, len(text) + 1) if answer_complete("multiple_choice", text[:n]))
    assert text[:first] == stop and mc(text[:first], "B")


def test_a_loop_of_letters_with_texts_is_judged_at_once():
    loops = [unit * (56000 // len(unit)) for unit in ("(B) x or ", "B) 15 or C) 18\n", "A) x\n", "A) aaaa aaaa or ")]
    for text in loops + ["(B) x" + " " * 56000 + "or (C)", "Answer: (B) " + " " * 56000 + "x"]:
        start = time.perf_counter()
        mc(text, "B")
        answer_complete("multiple_choice", text)
        assert time.perf_counter() - start < 2.0


def last_number(text, ref):
    return oracle_by_name("last_number")(text, P(ref))


@pytest.mark.parametrize("text", ["#### 0.5 or 50%", "#### 0.5 (or 50%)", "#### 12 or 12", "#### $12 or 12 dollars"])
def test_a_gsm8k_amount_said_again_as_a_percent_is_one_answer(text):
    """"#### 0.5 or 50%" named nothing (any digit or digit was a hedge), where last_number reads the same amount
    restated as one answer; two amounts offered still name none."""
    ref = "12" if "12" in text else "0.5"
    assert gsm(text, ref) and not gsm(text, "50")


@pytest.mark.parametrize("text", ["#### 0.5 or 60%", "#### 12 or 13", "#### 12 \\text{or} 13", "#### 0.5 or 5%"])
def test_a_gsm8k_line_offering_two_amounts_still_names_none(text):
    for ref in ("0.5", "0.6", "12", "13", "0.05"):
        assert not gsm(text, ref)


@pytest.mark.parametrize("text", ["#### 1.5 million", "#### $1.5 million", "#### 1.5 Million dollars",
                                  "So the answer is 1.5 million.", "The company earns $1.5 million."])
def test_an_amount_with_its_scale_word_is_that_amount(text):
    """"#### 1.5 million" failed where 1500000 was the answer (only 1.5 was read); the number as written still
    passes where the question counts millions."""
    judge = gsm if text.startswith("####") else last_number
    assert judge(text, "1500000") and judge(text, "1.5") and not judge(text, "15") and not judge(text, "150000")


@pytest.mark.parametrize("text,ref", [("#### 3 thousand 500", "3000"), ("#### 1.5 million or 2 million", "1500000"),
                                      ("It is 1.5 million or 2 million.", "2000000"),
                                      ("It costs 1.5 million for 3 years.", "1500000")])
def test_a_scale_word_before_more_numbers_or_a_hedge_is_no_answer(text, ref):
    judge = gsm if text.startswith("####") else last_number
    assert not judge(text, ref)


TAGGED = ("<Thought>\nMaybe {tried}? Let me check again.\n</Thought>\n<Output>\n{said}\n</Output>",
          "<thinking>\n{tried} at first.\n<reflection>Wrong.</reflection>\n</thinking>\n<output>\n{said}\n</output>",
          "\n<Thought>{tried}</Thought><Output>{said}</Output>")


@pytest.mark.parametrize("reply", TAGGED)
@pytest.mark.parametrize("oracle,right,wrong,ref", [
    ("boxed", "So the answer is \\boxed{13}.", "\\boxed{12}", "13"),
    ("gsm8k", "The total is 13.\n#### 13", "#### 12", "13"),
    ("multiple_choice", "Answer: B", "Answer: A", "B"),
])
def test_marco_and_reflection_thoughts_are_thinking_and_their_output_the_answer(reply, oracle, right, wrong, ref):
    """Marco-o1 writes <Thought>...</Thought><Output>...</Output>, Reflection <thinking>...</thinking><output>: the
    answer tried while thinking was judged (\\boxed{12} passed where it answered 13, the right 13 failed) and a
    rollout stopped early on it. The thought is a trace, what follows its close the answer."""
    judge = make_judge(oracle, None)
    assert judge(reply.format(tried=wrong, said=right), P(ref)).success
    assert not judge(reply.format(tried=right, said=wrong), P(ref)).success
    cut = reply.format(tried=right, said="")
    cut = cut[:cut.index("</")]
    assert not judge(cut, P(ref)).success and not answer_complete(oracle, cut)


def test_thought_tags_inside_an_answer_open_no_trace():
    judge = make_judge("boxed", None)
    assert judge("Let me write <thinking> as a tag: 2 + 3 = 5, so \\boxed{5}.", P("5")).success
    assert judge("\\boxed{5} <Thought>", P("5")).success


@pytest.mark.parametrize("said", ["**B) 15** is the correct answer.", "Option **B) 15** is correct.",
                                  "So, B) 15 is correct.", "Thus option B (15) is correct.", "**B. 15** is correct.",
                                  "(B) 15 is the right one."])
@pytest.mark.parametrize("before", ["", "(A) 12 is too small.\n", "Check (A) 12 first: too small. "])
def test_a_letter_said_correct_with_its_choice_text_is_that_choice(before, said):
    """"**B) 15** is the correct answer." named no choice, and after a trace that wrote "(A) 12" read A (a letter
    merely written): the right answer failed, a wrong one passed. A letter said to be right may carry its text."""
    text = before + said
    assert extract_choice(text) == "B" and mc(text, "B", FOUR) and not mc(text, "A", FOUR)


@pytest.mark.parametrize("text", ["We can eliminate A. Option B is correct.", "Not A. Choice B is the correct answer.",
                                  "Not (A) since B is correct.", "Rule out A. So B is correct.",
                                  "A) 12 fails, so B is correct."])
def test_a_letter_before_another_said_correct_carries_no_text(text):
    assert extract_choice(text) == "B"


@pytest.mark.parametrize("text", ["A) 12 or B) 15 is correct.", "(A) 12 or (B) 15 is the correct answer.",
                                  "Consider A. This is correct.", "Not (A) since all of it is correct."])
def test_a_letter_with_a_text_offered_or_ended_is_not_said_correct(text):
    assert extract_choice(text) is None


@pytest.mark.parametrize("text,ref,ok", [("#### 12 (since 3 * 4 = 12)", "12", True), ("#### 10 (12 - 2)", "10", True),
                                         ("#### x = 12", "12", True), ("#### 12:00", "12", True),
                                         ("#### 2:30", "2", False), ("#### The bus leaves at 12:45.", "12", False),
                                         ("#### 12:45 PM", "12", False)])
def test_a_time_of_day_with_minutes_is_no_number_of_hours(text, ref, ok):
    """"#### 2:30" passed where 2 was the answer (its hours were read, its minutes dropped)."""
    assert gsm(text, ref) is ok


@pytest.mark.parametrize("oracle,right,wrong,ref", [
    ("boxed", "The answer is \\boxed{13}.", "\\boxed{12}", "13"),
    ("gsm8k", "The total is 13.\n#### 13", "#### 12", "13"),
    ("multiple_choice", "Answer: B", "Answer: A", "B"),
])
def test_gpt_oss_channels_decoded_as_plain_words_are_thinking_and_final(oracle, right, wrong, ref):
    """gpt-oss decoded without its special tokens (vLLM's default) reads "analysisWe need ...assistantfinal...":
    the answer tried in its analysis was judged (\\boxed{12} passed where it answered 13) and stopped the rollout."""
    judge = make_judge(oracle, None)
    reply = "analysisWe need to count. Maybe {tried}.assistantfinal{said}"
    assert judge(reply.format(tried=wrong, said=right), P(ref)).success
    assert not judge(reply.format(tried=right, said=wrong), P(ref)).success
    cut = reply.format(tried=right, said="")[:-len("assistantfinal")]
    assert not judge(cut, P(ref)).success and not answer_complete(oracle, cut)


@pytest.mark.parametrize("text", ["analysis: 2 + 3 = 5, so \\boxed{5}", "My analysis: \\boxed{5}",
                                  "analysis \\boxed{5}"])
def test_the_word_analysis_opening_a_reply_opens_no_trace(text):
    assert make_judge("boxed", None)(text, P("5")).success


@pytest.mark.parametrize("text", ["The answer is 12 apples, or 13 with Tom.", "So 12 apples, or 13 if Tom counts.",
                                  "#### 12 apples, or 13 with Tom", "#### 12 apples or 13 depending on Tom"])
def test_a_second_amount_after_a_word_that_is_no_unit_is_a_hedge(text):
    """"12 apples, or 13 with Tom" was read as one amount in two units (as "2 hours or 120 minutes" is): the last
    number passed for 13, the gsm8k line for 12. "with", "if", "depending" name no unit."""
    judge = gsm if text.startswith("####") else last_number
    assert not judge(text, "12") and not judge(text, "13")


@pytest.mark.parametrize("text,ref", [("It takes 2 hours or 120 minutes.", "120"),
                                      ("#### 2 hours or 120 minutes", "2")])
def test_one_amount_in_two_units_is_still_one_answer(text, ref):
    judge = gsm if text.startswith("####") else last_number
    assert judge(text, ref)


@pytest.mark.parametrize("said", ["12 (maybe 13)", "12, possibly 13", "12; or 13", "12, maybe 13", "12 (could be 13)",
                                  "12, perhaps 13 apples"])
def test_a_second_amount_offered_without_or_is_a_hedge(said):
    """"The answer is 12, maybe 13." passed for 13 (last_number) and "#### 12 (maybe 13)" for 12: only an "or" offered
    a second amount. A maybe after a comma, a semicolon or a bracket offers one too."""
    for ref in ("12", "13"):
        assert not last_number(f"The answer is {said}.", ref) and not gsm(f"#### {said}", ref)


@pytest.mark.parametrize("said", ["12, maybe 12", "12 (could be 12 apples)", "12, maybe more"])
def test_the_same_amount_or_no_amount_after_maybe_is_one_answer(said):
    assert last_number(f"The answer is {said}.", "12") and gsm(f"#### {said}", "12")


@pytest.mark.parametrize("text", ["B is correct, and C is also correct.", "B is correct. C is also correct.",
                                  "(B) 15 is the correct answer. (C) is also right."])
def test_a_second_letter_said_right_too_names_no_choice(text):
    """"B is correct, and C is also correct." read B: two choices said right, a hedge judged right where B was."""
    assert extract_choice(text) is None and not mc(text, "B", FOUR) and not mc(text, "C", FOUR)


@pytest.mark.parametrize("text", ["B is correct. B is also the answer.",
                                  "(A) 12 is small.\nC is also correct, but B is the best answer."])
def test_the_same_letter_or_a_weighed_one_said_right_too_is_still_the_choice(text):
    assert extract_choice(text) == "B"


@pytest.mark.parametrize("text", ["B. 15 or C. 18", "Let me weigh them.\nB. 15, or maybe C. 18", "B: 15 or C: 18"])
def test_letters_set_apart_by_a_period_each_with_its_text_name_no_choice(text):
    """A trace cut off before its answer at "B. 15 or C. 18" read B (a line opening with a letter)."""
    for ref in "BC":
        assert not mc(text, ref) and not mc(text, ref, FOUR)


@pytest.mark.parametrize("text", ["Not A. (B) is correct.", "B. 15 fits; C. 18 is too big.",
                                  "B. 15 is the only odd one.", "B) 15 fits and C) 18 is too big.",
                                  "(B) 15 fits, (C) 18 does not."])
def test_a_line_opening_with_one_letter_and_its_text_is_that_choice(text):
    assert mc(text, "B") and mc(text, "B", FOUR)
