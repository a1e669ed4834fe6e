"""Answer oracles against answers as models write them and references as datasets store them (round 11).

Each verdict follows the dataset's own grader where it reads a spelling alike; a hedge (two answers offered) names
none, and the early stop never decides before the verdict is settled.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, make_judge, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


def gsm(text, ref):
    return oracle_by_name("gsm8k")(text, P(ref))


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


GRANITE = ("Here is my thought process:\nMaybe {tried}? Let me check again.\n\nHere is my response:\n{said}",
           "Here's my thought process:\n{tried} at first.\nHere's my response:\n{said}")


@pytest.mark.parametrize("reply", GRANITE)
@pytest.mark.parametrize("oracle,right,wrong,ref", [
    ("boxed", "So the answer is \\boxed{13}.", "\\boxed{12}", "13"),
    ("gsm8k", "The total is 13.\n#### 13", "#### 12", "13"),
    ("multiple_choice", "Answer: B", "Answer: A", "B"),
])
def test_granite_thought_process_is_thinking_and_its_response_the_answer(reply, oracle, right, wrong, ref):
    """Granite 3.2 with thinking on writes "Here is my thought process:" ... "Here is my response:" in plain words
    (no tags): the answer it tried while thinking was judged (\\boxed{12} passed where it answered 13, and the right
    13 failed), and a rollout stopped early on it. Its thought process is a trace, its response the answer."""
    judge = make_judge(oracle, None)
    assert judge(reply.format(tried=wrong, said=right), P(ref)).success
    assert not judge(reply.format(tried=right, said=wrong), P(ref)).success
    cut = reply.format(tried=right, said="")
    cut = cut[:cut.index("Here", 5)]
    assert not judge(cut, P(ref)).success and not answer_complete(oracle, cut)


def test_granite_words_elsewhere_open_no_trace():
    judge = make_judge("boxed", None)
    assert judge("Let me think. Here is my thought process: 2 + 3 = 5, so \\boxed{5}.", P("5")).success


@pytest.mark.parametrize("text", ["ANSWER: B OR D", "Answer: B Or D.", "Answer: B; D", "Answer: B;D.", "Answer: B ou D",
                                  "Answer: B oder D", "Ответ: B или D", "Answer: B или D.", "Answer: **B** 或 **D**",
                                  "Answer: B (maybe D)", "Answer: B, perhaps D.", "Answer: B? Or D?", "Answer: B? D?",
                                  "答案：B还是D？", "Answer: B أو D"])
def test_letters_offered_in_other_words_are_a_hedge(text):
    """A hedge was read only where "or"/"and" in lower case, a comma, a slash or spaces offered the second letter:
    "ANSWER: B OR D", "B; D", "B ou D", "B (maybe D)", "B? Or D?" passed where B was right. Any case of "or", a
    semicolon, a question mark, "maybe" and the "or" of the multilingual benchmarks' languages offer one too."""
    assert extract_choice(text) is None and not mc(text, "B") and not mc(text, "D")


@pytest.mark.parametrize("text,letter", [("Answer: B; D is wrong.", "B"), ("Answer: B? Yes: C is too small.", "B"),
                                         ("Answer: B or so I think.", "B"), ("Answer: (B) or (B)", "B"),
                                         ("Answer: B. Or D, if the rate is yearly.", None)])  # D offered too
def test_a_letter_with_words_after_it_is_still_that_choice(text, letter):
    assert extract_choice(text) == letter


@pytest.mark.parametrize("text", ["Answer: B или", "Answer: B ou", "Answer: B;", "Answer: B?", "Answer: B أو",
                                  "Answer: B OR"])
def test_the_early_stop_waits_while_a_second_letter_may_be_offered(text):
    """The early stop ended a rollout at "Answer: B или" (a Cyrillic letter ended a hedge for it) or "Answer: B;",
    judging B where the whole answer offered B or D."""
    assert not answer_complete("multiple_choice", text)
    assert answer_complete("multiple_choice", text + " x.\n")


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 12, or 13\n", "12", False), ("#### 12 or maybe 13\n", "12", False),
    ("#### 12, or possibly 13\n", "13", False),
    ("#### 12 (or 13 if the first day counts)\n", "12", False), ("#### 12 apples or 13 apples\n", "12", False),
    ("#### $12, or $13\n", "12", False),
    ("#### 2 hours or 120 minutes\n", "2", True), ("#### 12 (or 12.00)\n", "12", True),
    ("#### 12 or more\n", "12", True),
    ("#### 12 dollars, or 1200 cents\n", "12", True), ("#### 12\nor 13 if the first counts", "12", True),
])
def test_a_gsm8k_answer_line_offering_another_number_in_words_names_none(text, ref, ok):
    """Only "12 or 13" (the numbers side by side) was a hedge: "#### 12, or 13", "#### 12 or maybe 13" and "#### 12
    (or 13 if ...)" passed for 12. A second, other number offered after "or" names no answer; the same amount in
    another unit, or a later line, is no second answer."""
    assert gsm(text, ref) is ok


@pytest.mark.parametrize("line", ["1" + " " * 100_000 + "x", "1 apples" + " " * 100_000 + "or", "1 " + "or " * 30_000,
                                  "1" + " " * 50_000 + "or" + " " * 50_000 + "x", "1, " * 8_000 + "x",
                                  "1," + " " * 100_000 + "x"])
def test_a_long_gsm8k_answer_line_is_judged_at_once(line):
    t = time.perf_counter()
    gsm(f"#### {line}\n", "1")
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 12, 5\n", "She keeps 12 and gives 5.\n#### 12, 5", True), ("#### $12, $5.\n", "12, 5", True),
    ("#### 1,200, 5\n", "1200, 5", True), ("#### -3, \u22124\n", "-3, -4", True),
    ("#### 5, 12\n", "12, 5", False), ("#### 12\n", "12, 5", False), ("#### 12, 5, 7\n", "12, 5", False),
    ("#### 12, 5\n", "12", False), ("#### 12, 5\n", "5", False),
    ("#### 12,5\n", "12.5", True), ("#### 1,200\n", "1200", True), ("#### 12, which is the total\n", "12", True),
])
def test_a_gsm8k_answer_of_several_numbers_is_compared_as_the_list(text, ref, ok):
    """A reference of several numbers, ``#### 12, 5`` (a question asking for two amounts), was no number: every
    answer failed, the right ``#### 12, 5`` too; and ``#### 12, 5`` passed where 12 alone was the answer (its first
    number read). Numbers listed to the line's end are the answer, compared in their order."""
    assert gsm(text, ref) is ok


@pytest.mark.parametrize("text", ["Answer: Probably B.", "Answer: Likely B", "Answer: most likely B.",
                                  "Answer: It is B.", "Answer: It's (B).", "Answer: Definitely B.", "Answer: So B.",
                                  "Answer: Therefore, B.", "Answer: It must be B."])
def test_a_letter_after_a_softening_or_concluding_word_is_that_choice(text):
    """"Answer: Probably B." or "Answer: Therefore, B." named no choice (only "the answer is probably B" did): a
    right rollout failed. An adverb or "it is" may stand between the answer's mark and its letter; offered with
    another letter, it is still a hedge, and "Answer: So A lot ..." still the article."""
    assert extract_choice(text) == "B" and extract_choice(text, "J") == "B" and mc(text, "B")
    assert extract_choice(text.rstrip(".") + " or D.") is None
    assert extract_choice(text.replace("B", "A lot of work")) is None


def last(text, ref):
    return oracle_by_name("last_number")(text, P(ref))


@pytest.mark.parametrize("minus", ["\uff0d", "\u2013"])
def test_a_minus_written_full_width_or_as_an_en_dash_is_a_minus(minus):
    """``#### －5`` (the full-width minus of Chinese text) and ``#### –5`` (an en dash, as word processors turn a
    hyphen) were read as 5: the wrong -5 passed where 5 was right, and the right -5 failed. Both are a minus before a
    number; an en dash between numbers (the range 3–5) is none."""
    assert gsm(f"#### {minus}5\n", "-5") and not gsm(f"#### {minus}5\n", "5")
    assert last(f"答案是{minus}5。", "-5") and not last(f"The answer is {minus}5.", "5")
    assert boxed(f"\\boxed{{{minus}5}}", "-5") and boxed(f"\\boxed{{{minus}\\frac{{1}}{{2}}}}", "-\\frac12")
    assert not boxed(f"\\boxed{{{minus}5}}", "5") and not gsm("#### 5\n", f"{minus}5") and gsm("#### -5\n", f"{minus}5")
    assert not last("It is on pages 3\u20135", "-5") and last("x\u20135", "5")  # a range: no -5 (nor one end)


@pytest.mark.parametrize("text,letter", [("【答案】B", "B"), ("【解析】A不对，C也不对。\n【答案】B", "B"), ("【答案】：(B)", "B"),
                                         ("【答案】 B\n【解析】略", "B"), ("【答案】B或C", None)])
def test_a_chinese_exams_answer_bracket_states_the_letter(text, letter):
    """Chinese exam solutions (GaoKao's, and models trained on them) write "【答案】B": it named no choice (a right
    rollout failed). It states the letter as 答案：B does; a hedge is still none."""
    assert extract_choice(text) == letter and mc(text, "B") is (letter == "B")
    assert answer_complete("multiple_choice", text + "。") is (letter is not None)


def test_a_choice_text_after_a_chinese_exams_answer_bracket_is_that_choice():
    assert mc("【答案】巴黎", "B", ("伦敦", "巴黎", "罗马", "柏林"))


@pytest.mark.parametrize("text,ref,ok", [
    ("So the answer is 12 or 13.", "13", False), ("The answer is 12, or maybe 13.", "13", False),
    ("Either 12 or 13 apples.", "13", False), ("So 12 (or 13 if the first day counts).", "13", False),
    ("It could be 12 or 13; checking again, it is 13.", "13", True), ("So 13 (or 13.0).", "13", True),
    ("It takes 2 hours or 120 minutes.", "120", True), ("The chance is 0.5 or 50%.", "50", True),
    ("The answer is 13.", "13", True),
])
def test_a_last_number_offered_with_another_is_no_answer(text, ref, ok):
    """``last_number`` read the last number of "So the answer is 12 or 13.": a hedge passed wherever its second
    number was right. A last number offered after another, other one names no answer; the same amount restated
    (13.0, 120 minutes, 50%) and a number settled after a hedge are read as before."""
    assert last(text, ref) is ok


@pytest.mark.parametrize("text", ["1 or 2 " * 5_000, "1 or 1 " * 5_000, "1" + " " * 100_000 + "or 2"])
def test_a_long_completion_of_offered_numbers_is_judged_at_once(text):
    t = time.perf_counter()
    last(text, "1")
    assert time.perf_counter() - t < 2.0  # ~0.4 s on a loaded machine; a scan per number would take minutes


CITIES = ("London", "Paris", "Rome", "Berlin")


@pytest.mark.parametrize("text,letter", [("The answer is Paris; London.", None), ("The answer is Paris; Rome.", None),
                                         ("The answer is Paris; it is the capital.", "B"),
                                         ("The answer is Paris.", "B")])
def test_choice_texts_offered_after_a_semicolon_are_a_hedge(text, letter):
    """"The answer is Paris; London." read Paris (a semicolon set no second choice's text apart, as it now sets a
    second letter apart): a hedge passed where Paris was right."""
    assert extract_choice(text, "D", CITIES) == letter


@pytest.mark.parametrize("text,letter", [("A OR B is correct.", None), ("A; B is correct.", None),
                                         ("Either A Or B is the answer.", None), ("A or $B$ is correct.", None),
                                         ("A is wrong; B is correct.", "B"), ("Not A. B is correct.", "B"),
                                         ("So B is the answer.", "B")])
def test_a_letter_said_right_after_another_offered_is_no_choice(text, letter):
    """"A OR B is correct." and "A; B is correct." read B (only a lower-case "or" or "and" before the letter kept
    "A or B is correct." from naming it): a hedge passed where B was right. The last of two letters offered together
    is never the one said to be right."""
    assert extract_choice(text) == letter and mc(text, "B") is (letter == "B")


@pytest.mark.parametrize("text", ["B is correct.\n" * 8_000, "A or B is correct. " * 6_000,
                                  "A" + " " * 100_000 + "B is correct.", "(A) " * 25_000 + "B is correct."])
def test_a_loop_of_letters_said_right_is_judged_at_once(text):
    t = time.perf_counter()
    extract_choice(text)
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text", ["La respuesta es 12 o 13.", "答案是12或13。", "答案是 12 或者 13。",
                                  "Die Antwort ist 12 oder 13.", "Ответ: 12 или 13.", "La réponse est 12 ou 13."])
def test_numbers_offered_in_another_language_are_a_hedge(text):
    """MGSM's languages offer a second number with their own "or" (12 o 13, 12或13): ``last_number`` read the last,
    and a hedge passed where it was right, as "12 or 13" no longer does."""
    assert not last(text, "13") and not last(text, "12")
    assert last(text.replace("12", "13"), "13") and last("12 of 13 students.", "13") and last("12 y 13", "13")


@pytest.mark.parametrize("line", ["12 o 13", "12或13", "12 oder 13", "12 или 13"])
def test_a_gsm8k_line_offering_numbers_in_another_language_names_none(line):
    assert not gsm(f"#### {line}\n", "12") and not gsm(f"#### {line}\n", "13")


@pytest.mark.parametrize("text", ["1" * 5_000 + " or 2", "1," * 3_000 + "1 or 2", "2 or " + "1" * 5_000,
                                  "1." + "1" * 5_000 + " or 2"])
def test_a_number_too_long_for_int_beside_an_or_is_a_verdict_not_an_error(text):
    # a model's loop of digits offered with another number raised ValueError (int() refuses 4,300 digits) out of the
    # hedge check: an oracle error, where such a number is no answer
    assert make_judge("last_number", None)(text, P("3")).error is None
    assert make_judge("gsm8k", None)(f"#### {text}\n", P("3")).error is None


NUMS = ("12", "15", "18", "20")


@pytest.mark.parametrize("text,letter", [("\\boxed{15} or \\boxed{18}", None), ("\\boxed{15}\\boxed{18}", None),
                                         ("$\\boxed{15}$, $\\boxed{18}$", None),
                                         ("\\boxed{15} or maybe \\boxed{18}", None),
                                         ("\\boxed{15} \\boxed{15}", "B"), ("\\boxed{15}", "B"),
                                         ("So \\boxed{15}. Then \\boxed{18} was a slip.", "B")])
def test_a_boxed_choice_text_offered_with_another_box_is_no_choice(text, letter):
    """A math model's "\\boxed{15} or \\boxed{18}" on a multiple-choice question read B (the first box's choice), as
    "\\boxed{B} or \\boxed{C}" no longer does: a hedge passed where 15 was right. A second box offered with the
    first, holding another answer, names none."""
    assert extract_choice(text, "D", NUMS) == letter and mc(text, "B", NUMS) is (letter == "B")


@pytest.mark.parametrize("text", ["\\boxed{}" * 20_000 + "\\boxed{15}", "\\boxed{15} or " * 10_000,
                                  "\\boxed{" * 30_000 + "15}", "\\boxed{15}" + "{" * 100_000])
def test_a_loop_of_boxes_is_judged_at_once(text):
    t = time.perf_counter()
    extract_choice(text, "D", NUMS)
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text,letter", [("The correct response is B.", "B"), ("The best response is (C).", "C"),
                                         ("Correct response: B", "B"), ("The correct response is B or C.", None)])
def test_the_correct_response_states_a_letter(text, letter):
    """"The correct response is B." (as questions asking for "the best response", and models echoing them, write it)
    named no choice, where "The correct option is B." did: a right rollout failed."""
    assert extract_choice(text) == letter
    assert answer_complete("multiple_choice", text + "\n") is (letter is not None)


@pytest.mark.parametrize("text,letter", [("<answer>(B) or (C)</answer>", None), ("<answer>(B) (C)</answer>", None),
                                         ("<answer>(B)</answer>", "B"), ("<answer>(B) or (B)</answer>", "B")])
def test_letters_offered_in_an_answer_tag_are_a_hedge(text, letter):
    """"<answer>(B) or (C)</answer>" read B: the tag's close did not set its last letter apart, so no hedge was seen
    (a hedge passed where B was right, and the early stop ended the rollout at its "<")."""
    assert extract_choice(text) == letter and mc(text, "B") is (letter == "B")
    stops = [k for k in range(1, len(text) + 1) if answer_complete("multiple_choice", text[:k])]
    assert all(extract_choice(text[:k]) == letter for k in stops) and bool(stops) is (letter is not None)


def test_a_brace_on_the_next_line_joins_no_hedge_to_a_stated_letter():
    # a letter's closing brace was looked for across lines: "Answer: C" and a newline stopped the rollout at C, while
    # the whole text "Answer: C\n} or (D)" read as the hedge "C} or (D)", named none
    text = "Answer: Probably C\n} or (D)"
    assert answer_complete("multiple_choice", text[:text.index("\n") + 1]) and extract_choice(text) == "C"


TEN = tuple(f"c{i}" for i in range(10))


@pytest.mark.parametrize("text", ["Answer: D or I.", "答案：D或I。", "答案：D或I or .", "Answer: D, I."])
def test_the_early_stop_never_decides_a_letter_a_ten_choice_judge_reads_as_a_hedge(text):
    """The early stop reads letters A-E, the judge a problem's own (MMLU-Pro's A-J): "Answer: D or I." stopped the
    rollout at D (I no letter for it), where the judge read a hedge among ten and named none, so what came after
    (a later stated letter) could not change a verdict the stop had fixed."""
    ten = make_judge("multiple_choice", None)
    assert not ten(text, P("D", TEN)).success
    stops = [k for k in range(1, len(text) + 1) if answer_complete("multiple_choice", text[:k])]
    assert all(ten(text[:k], P(ref, TEN)).success == ten(text + "\nAnswer: (C)", P(ref, TEN)).success
               for k in stops for ref in "CD")


ADD = "def add(a, b):\n    return a + b\n"


@pytest.mark.parametrize("first", ["print(add(2, 3))\n", "assert add(2, 3) == 5\n",
                                   "def test_add():\n    assert add(2, 3) == 5\n"])
def test_a_block_using_a_function_named_as_a_preludes_name_is_no_program(first):
    """A block that only uses the answer's function before it (``print(add(2, 3))``, HumanEval/53's ``add``) was
    judged as the program where the function's name is one a judge's prelude imports (operator's ``add``, ``count``,
    ``median``...): the right function after it failed. Only a script reading stdin runs under those preludes."""
    from helpers.judging import judged
    from ptsfast.problems.oracles import extract_code

    text = f"```python\n{first}```\n\nThe function:\n```python\n{ADD}```\n"
    assert extract_code(text) == ADD
    tests = "assert add(2, 3) == 5\n"
    assert judged(text, tests) and not judged(text.replace("a + b", "a - b"), tests)


def test_a_stdin_script_using_a_preludes_name_is_still_a_program():
    from ptsfast.problems.oracles import extract_code

    script = "n, k = map(int, input().split())\nprint(comb(n, k))\n"
    assert extract_code(f"```python\n{script}```\n") == script


@pytest.mark.parametrize("text,letter", [
    ("Answer: A is wrong, B is right.", "B"), ("Answer: B is wrong.", None), ("Answer: B isn't right; C is.", None),
    ("Answer: B was incorrect. The answer is D.", "D"), ("Answer: C cannot be right.", None),
    ("Answer: B is correct.", "B"), ("Answer: B is the answer.", "B"), ("Answer: B, as shown.", "B"),
])
def test_a_letter_the_answer_line_calls_wrong_is_not_the_answer(text, letter):
    """"Answer: A is wrong" names A only to rule it out: read as A, a model dismissing the right choice passed."""
    assert extract_choice(text) == letter and extract_choice(text, "J") == letter
