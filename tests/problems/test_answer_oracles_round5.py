"""Answer oracles against answers as models write them and references as datasets store them (round 5).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``, PRM800K's
``grade_answer``, lm-eval's GSM8K and multiple-choice regexes) and HF math-verify's reading of the value where MATH's
is silent; two different values never pass for each other, and an answer that hedges names none.
"""

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, make_judge, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(f"so \\boxed{{{text}}}.", P(ref))


@pytest.mark.parametrize("text,ref,ok", [
    ("\\frac{-\\pi}{2}", "-\\frac{\\pi}{2}", True), ("\\tfrac{-\\sqrt3}{2}", "-\\frac{\\sqrt{3}}{2}", True),
    ("\\frac{\\pi}{-4}", "-\\frac\\pi4", True), ("-\\frac{-\\pi}{2}", "\\frac\\pi2", True),
    ("\\frac{-\\pi}{-2}", "\\frac{\\pi}{2}", True), ("x^2+\\frac{-3x}{2}", "x^2-\\frac{3x}{2}", True),
    ("\\left(\\frac{-\\pi}{2}, 1\\right)", "(-\\frac\\pi2, 1)", True),
    ("\\dfrac{-2\\sqrt{2}}{3}", "-\\frac{2\\sqrt2}3", True),
    ("\\frac{-\\pi}{2}", "\\frac{\\pi}{2}", False), ("\\frac{-\\pi}{-2}", "-\\frac{\\pi}{2}", False),
    ("\\frac{-1+\\sqrt5}{2}", "-\\frac{1+\\sqrt5}{2}", False),
    ("\\frac{-1-\\sqrt5}{2}", "-\\frac{1+\\sqrt5}{2}", True),  # one value, as PRM800K's grader finds it
    ("\\frac{-1\\pm\\sqrt5}{2}", "-\\frac{1\\pm\\sqrt5}{2}", True), ("3\\frac{-1}{2}", "3-\\frac12", False),
    ("\\frac{-\\pi}{2}", "-\\frac{\\pi}{3}", False),
])
def test_a_minus_on_a_fractions_numerator_or_denominator_is_the_fractions_sign(text, ref, ok):
    """``\\frac{-\\pi}{2}`` for ``-\\frac{\\pi}{2}`` failed (only numbers were read as values; math-verify reads both
    alike). A minus before a sum (``\\frac{-1+\\sqrt5}{2}``) belongs to its first term only, and stays."""
    assert boxed(text, ref) is ok
    assert boxed(ref, text) is ok


@pytest.mark.parametrize("text,letter", [
    ("Answer - A lot of thinking later, (C)", "C"), ("Answer - A lot of work", None), ("Answer: A few", None),
    ("**Answer:** A total of 12 apples, so (B)", "B"), ("The answer is A simple one: (D)", "D"),
    ("Answer: A because (C) fails", "A"), ("The answer is A which gives 42.", "A"), ("Answer: A is right", "A"),
    ("The answer is A, since", "A"), ("Answer: A\nthe rest follows", "A"), ("Answer: (A) lot", "A"),
    ("The answer is A.", "A"), ("Answer - A", "A"), ("Answer: I\nthink again", "I"),
])
def test_the_article_a_after_answer_is_no_choice(text, letter):
    """"Answer - A lot of ..." read the article as choice A (the pronoun "I" was already told apart): a wrong letter,
    taken over the stated one. "A" is a letter where it stands alone or a word that may follow a choice follows it."""
    assert extract_choice(text, "J") == letter
    if "I" not in text:
        assert extract_choice(text) == letter


@pytest.mark.parametrize("text,complete", [
    ("Answer: A ", False), ("Answer: A l", False), ("Answer: A\n", True), ("Answer: A.", False), ("Answer: A.\n", True),
    ("Answer: A because", False), ("Answer: A because ", False), ("Answer: A because of x.", True),
])
def test_a_letter_a_stops_the_rollout_only_when_no_word_can_make_it_the_article(text, complete):
    assert answer_complete("multiple_choice", text) is complete
    if complete:
        for tail in ("", " lot", "ot", "\nAnswer: B", " (B)"):
            assert oracle_by_name("multiple_choice")(text + tail, P("A"))


@pytest.mark.parametrize("text", [
    "The best option is A or B.", "Answer: A or B", "The answer is (A) or (B).", "Answer: A and C.", "Answer: A/B\n",
    "The correct answer is A, B.", "Answer: A, B, or C.", "The answer is A (or B).", "Answer: C or maybe D.",
    "answer: (a) or (b).", "Answer: **A** or **B**.", "The answer is A & B.", "I choose A, B.",
    "The answer is either (A) or (B).", "Answer: option A or option B.",
])
def test_an_answer_hedging_between_choices_names_none(text):
    """"The best option is A or B" read A: a rollout offering two choices passed where the first was right (and the
    hedge's "(A) or (B)" passed as a weak reading). It names no choice, as no grader credits two."""
    assert extract_choice(text) is None and extract_choice(text, "J") is None
    assert not answer_complete("multiple_choice", text)
    for ref in "ABCD":
        assert not oracle_by_name("multiple_choice")(text, P(ref))


@pytest.mark.parametrize("text,letter", [
    ("The answer is A or B. Checking again, the answer is B.", "B"), ("**Answer:** (B)\n\n(A) and (C) are wrong.", "B"),
    ("Answer: B. (A) or (C) would be wrong.", "B"), ("The answer is B, not A.", "B"), ("Answer: A, I think.", "A"),
    ("Answer: A is wrong, B is right", "B"), ("Between (A) and (B), the answer is (B).", "B"),
    ("The answer is B; C fails.", "B"), ("Answer: B or Cats", "B"),
])
def test_letters_named_together_elsewhere_leave_the_stated_choice_read(text, letter):
    assert extract_choice(text, "J") == letter


@pytest.mark.parametrize("text", ["Answer: B because of x. Or C.", "**Answer:** (B)\n\n(A) and (C) are wrong.",
                                  "I choose A.\nOr B.", "The answer is B, not A.", "Answer: B. (A) or (C) fail."])
def test_a_stated_letter_stops_the_rollout_only_where_no_second_letter_can_join_it(text):
    """"Answer: B" + " or C." is a hedge: the stop waits for a character no hedge holds (".", a new line), then
    nothing written after it changes the letter read."""
    stops = [k for k in range(1, len(text) + 1) if answer_complete("multiple_choice", text[:k])]
    assert stops and text[stops[0] - 1] in ".\n("  # Answer: B. ( opens no choice's text
    for k in stops:
        head = text[:k]
        for tail in ("", " or C.", ", C.", "/C.", " and D.", " (E).", "z", text[k:]):
            assert extract_choice(head + tail) == extract_choice(text) is not None, (head, tail)


@pytest.mark.parametrize("name,text,ref,ok", [
    ("gsm8k", "#### negative 5\n", "-5", True), ("gsm8k", "#### negative 5\n", "5", False),
    ("gsm8k", "#### minus $12\n", "-12", True), ("gsm8k", "#### minus $12\n", "12", False),
    ("last_number", "The temperature drops to negative 5 degrees.", "5", False),
    ("last_number", "The temperature drops to negative 5 degrees.", "-5", True),
    ("last_number", "So the answer is minus 12.5", "-12.5", True), ("last_number", "Answer: minus 5", "5", False),
    ("last_number", "It is negative \\frac{1}{2}.", "-0.5", True),
    ("last_number", "That leaves 10 minus 5", "5", True), ("last_number", "That leaves 10  minus 5", "-5", False),
    ("last_number", "x minus 3", "3", True), ("last_number", "(a + b) minus 2", "2", True),
    ("last_number", "15% minus 5", "5", True), ("last_number", "so it is nonnegative 5", "5", True),
    ("gsm8k", "#### 12 minus 5 = 7\n", "7", True), ("gsm8k", "#### 12 minus 5 = 7\n", "-5", False),
])
def test_a_sign_written_in_words_is_the_numbers_sign(name, text, ref, ok):
    """"negative 5" (and "is minus 5") was read as 5: a wrong sign passed and the right one failed. "minus" after a
    number, a letter or a bracket is a difference, and the number after it keeps its sign."""
    assert oracle_by_name(name)(text, P(ref)) is ok


@pytest.mark.parametrize("name,text,ref,ok", [
    ("last_number", "She needs 1 3/4 cups.", "1.75", True), ("last_number", "She needs 1 3/4 cups.", "0.75", False),
    ("last_number", "So it is 2\\frac{1}{2} hours.", "2.5", True),
    ("last_number", "So it is 2\\frac{1}{2}", "0.5", False),
    ("last_number", "The recipe needs 2½ cups", "2.5", True), ("last_number", "The recipe needs 2½ cups", "2", False),
    ("last_number", "Each gets ½ a pie", "0.5", True), ("last_number", "It is -2 1/2", "-2.5", True),
    ("gsm8k", "#### 2 1/2\n", "2.5", True), ("gsm8k", "#### 2 1/2\n", "2", False),
    ("last_number", "He walks 2 3/2 miles", "1.5", True),  # no proper fraction after the whole: two numbers
    ("last_number", "Pick 3 and 1/2", "0.5", True),
    ("last_number", "She needs 2.5 cups", "2 1/2", True), ("last_number", "She needs 2.5 cups", "2½", True),
    ("last_number", "She needs 0.5 cups", "2 1/2", False),
])
def test_a_mixed_number_is_its_whole_plus_its_fraction(name, text, ref, ok):
    """"1 3/4 cups" ended in the number 3/4 (the wrong 0.75 passed, the right 1.75 failed), and "2½" was no number
    at all; the boxed oracle already read ``2\\frac{1}{2}`` as two and a half, as MATH stores it."""
    assert oracle_by_name(name)(text, P(ref)) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("2 1/2", "\\frac{21}{2}", False), ("2 1/2", "21/2", False), ("2 3/2", "\\frac{23}{2}", False),
    ("2 1/2", "\\frac52", True), ("2 1/2", "2.5", True), ("2 1/2", "2\\frac12", True),
    ("-2 1/2", "-\\frac{5}{2}", True),
    ("1 000", "1000", True),
])
def test_a_boxed_mixed_number_with_a_slash_is_no_run_of_digits(text, ref, ok):
    """``\\boxed{2 1/2}`` lost its space and was read as 21/2: two and a half passed for ten and a half."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("name,text,ref,ok", [
    ("last_number", "There are 10 elements, so the answer is 2^{10}.", "10", False),
    ("last_number", "There are 10 elements, so the answer is 2^{10}.", "1024", True),
    ("last_number", "So 2^10 subsets", "10", False), ("last_number", "It is 1.5 \\times 10^3 m.", "1500", True),
    ("last_number", "It is 1.5 \\times 10^3 m.", "3", False), ("last_number", "About 3 \\cdot 10^{-2}", "0.03", True),
    ("last_number", "3^2 + 4^2 = 25", "25", True), ("last_number", "The area is 25 m^2", "25", True),
    ("gsm8k", "#### 2^{3}\n", "8", True), ("gsm8k", "#### 2^{3}\n", "3", False),
])
def test_a_power_of_a_number_is_its_value_not_its_exponent(name, text, ref, ok):
    """"the answer is 2^{10}" ended in the number 10 (and 1.5 \\times 10^3 in 3): the exponent passed for the
    answer. A number's power is read as its value, as math-verify reads it; a unit's power (m^2) is still none."""
    assert oracle_by_name(name)(text, P(ref)) is ok


@pytest.mark.parametrize("text,letter", [
    ("The correct answer is \\textbf{C}", "C"), ("So the answer is \\(\\text{C}\\).", "C"),
    ("(A) fails; the answer is $\\text{C}$", "C"), ("(A) fails. The answer is $\\mathrm{(B)}$.", "B"),
    ("Answer: \\textbf{b}", "B"), ("The answer is \\text{Carbon}, so (D)", "D"),
    ("The answer is $\\text{A} = 5$, so (B)", "B"), ("The answer is \\textbf{C} or \\textbf{D}.", None),
    ("Answer: $C$ or $D$.", None),
])
def test_a_letter_set_in_text_or_bold_latex_is_stated(text, letter):
    """Qwen-style "the answer is $\\text{C}$" and "\\textbf{C}" had no strong reading: an earlier (A) in the reasoning
    was read, or nothing. A word in ``\\text`` (Carbon) or a formula names no choice."""
    assert extract_choice(text) == letter and extract_choice(text, "J") == letter


@pytest.mark.parametrize("text,complete", [
    ("The answer is \\textbf{C", False), ("The answer is \\textbf{C}", False), ("The answer is \\textbf{C}.", True),
    ("Answer: $\\text{B}$\n", True), ("Answer: $\\text{B}", False),
])
def test_a_text_letter_stops_the_rollout_only_when_decided(text, complete):
    assert answer_complete("multiple_choice", text) is complete
    if complete:
        for tail in ("", " or (A).", "\nAnswer: A", " (A)"):
            assert oracle_by_name("multiple_choice")(text + tail, P(text.strip(". \n$}")[-1]))


@pytest.mark.parametrize("text,ref", [
    ("0.\\overline{3}", "\\frac13"), ("\\frac{1}{3}", "0.\\overline{3}"), ("2^{10}", "1024"), ("1024", "2^{10}"),
    ("1500", "1.5\\times10^3"), ("1.5 \\times 10^{3}", "1500"),
])
def test_a_boxed_answer_in_another_form_than_the_reference_asks_is_no_answer(text, ref):
    """Decided: MATH's own grader and PRM800K's (which refuses sympy's evaluation where the reference is an integer)
    fail these. The question names the form ("express 0.\\overline{3} as a common fraction", "in scientific
    notation", "compute 2^{10}"): the question's own expression boxed back passes for nothing."""
    assert not boxed(text, ref)


@pytest.mark.parametrize("text,ref,ok", [
    ("\\sqrt[3]2", "\\sqrt[3]{2}", True), ("2\\sqrt[3]{4}", "2\\sqrt[3]4", True), ("x \\ge 2", "x\\geq2", True),
    ("x\\le 2", "x \\leq 2", True), ("x \\neq 2", "x\\ne 2", True),
    ("\\sqrt[3]2", "\\sqrt{2}", False), ("\\sqrt[4]2", "\\sqrt[3]2", False), ("\\sqrt[3]2", "\\sqrt[3]{3}", False),
    ("x\\ge2", "x\\le2", False), ("x \\geq 2", "x > 2", False), ("x \\ne 2", "x = 2", False),
])
def test_a_root_of_one_character_and_the_short_relation_names_are_the_same_answer(text, ref, ok):
    """``\\sqrt[3]2`` for ``\\sqrt[3]{2}`` failed (only ``\\sqrt2`` took its braces), and so did ``\\ge`` for ``\\geq``
    (LaTeX's two names of one symbol); math-verify reads both alike."""
    assert boxed(text, ref) is ok
    assert boxed(ref, text) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("#### Step 1: Add the apples\n5 + 3 = 8\n#### 8\n", "8", True),
    ("#### Step 1: Add the apples\n5 + 3 = 8\n#### 8\n", "1", False),
    ("#### 1. Compute the cost\n3 * 4 = 12\n#### 12\n", "12", True),
    ("#### 1. Compute the cost\n3 * 4 = 12\n#### 12\n", "1", False),
    ("##### Part 2\n#### 7\n", "7", True), ("#### **Step 3:** total\n#### 9\n", "9", True),
    ("#### Final Answer\n#### 18\n", "18", True), ("#### Final Answer: 18\n", "18", True),
    ("#### The answer is 18\n", "18", True), ("#### Negative 5\n", "-5", True), ("#### 3 apples\n", "3", True),
    ("#### a12 7\n", "7", True), ("#### Final Answer\nThe answer is 18.", "18", False),
])
def test_a_markdown_heading_on_a_gsm8k_line_states_no_answer(text, ref, ok):
    """Chat models head their steps with markdown (``#### Step 1: ...``): that first #### line was read as the answer
    (its 1 passed for a reference 1, failed the right 8 after it) and stopped the rollout at its end."""
    assert oracle_by_name("gsm8k")(text, P(ref)) is ok


@pytest.mark.parametrize("text", ["#### Step 1: Add the apples\n5 + 3 = 8\n#### 8\n",
                                  "#### 1. Compute the cost\n3 * 4 = 12\n#### 12\n", "#### Final Answer\n#### 18\n"])
def test_a_heading_line_stops_no_rollout(text):
    stops = [k for k in range(1, len(text) + 1) if answer_complete("gsm8k", text[:k])]
    assert stops == [len(text)]


@pytest.mark.parametrize("name,text,ref,ok", [
    ("last_number", "The bag weighs 2.5kg", "2.5", True), ("last_number", "The bag weighs 2.5kg", "2", False),
    ("last_number", "It took 3 hours: 18km", "18", True), ("last_number", "It took 3 hours: 18km", "3", False),
    ("last_number", "Cut 3/4in off", "0.75", True), ("last_number", "Cut 3/4in off", "3", False),
    ("last_number", "So 4 times: 5x faster", "5", True), ("gsm8k", "#### 18kg\n", "18", True),
    ("last_number", "Use version 2.5.3", "3", False), ("last_number", "2 apples, i.e. 1e3 mg", "1", False),
    ("last_number", "2 apples in H2O", "2", True),
])
def test_a_unit_written_against_a_number_leaves_the_number_read(name, text, ref, ok):
    """"2.5kg" was read as 2 (the wrong answer passed) and "18km" as no number (the number before it was the
    answer): a unit written without a space is read as lm-eval's flexible GSM8K match reads it, after the number."""
    assert oracle_by_name(name)(text, P(ref)) is ok


def test_a_long_number_is_judged_at_once():
    """A product cut into factors every way it could be: a boxed number of 24 digits took seconds to refuse as
    ``a/b``, and 2^100's 31 digits minutes, on every rollout (a reference so long hung each of them)."""
    import time

    big = str(2 ** 80)  # 25 digits
    t0 = time.perf_counter()
    for text, ref, ok in [(f"\\boxed{{{big}}}", big, True), (f"\\boxed{{{big}1}}", big, False),
                          ("\\boxed{" + "1" * 40 + "/2x}", "1", False), ("\\boxed{3}", big, False)]:
        assert oracle_by_name("boxed")(text, P(ref)) is ok
    assert time.perf_counter() - t0 < 1.0  # a regex holds the GIL: no judge's timeout can cut it short


def test_a_long_run_of_letters_is_read_at_once():
    """The hedge reading backtracked over "A or A or ... z" (30 s for 5,000 letters); the early stop asks after
    every token."""
    import time

    t0 = time.perf_counter()
    for text in ("Answer: " + "A or " * 4000 + "z.", "Answer: " + "A or " * 4000 + "B."):
        assert not oracle_by_name("multiple_choice")(text, P("B"))
        assert answer_complete("multiple_choice", text + "\n") is text.endswith("z.")  # "A ... or z" is no hedge
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("name,text", [
    ("boxed", "\\boxed{2\\frac{" + "1" * 5000 + "}{3}}"), ("last_number", "so \\frac{1}{" + "2" * 5000 + "}"),
    ("last_number", "so 2 1/" + "3" * 5000), ("last_number", "so 9^{" + "9" * 5000 + "}"),
    ("boxed", "\\boxed{1.5\\times10^{" + "9" * 5000 + "}}"), ("gsm8k", "#### 2^{" + "9" * 5000 + "}\n"),
])
def test_a_models_loop_of_digits_is_a_failure_not_an_oracle_error(name, text):
    """A run of 5,000 digits (a small model's loop) in a fraction, a mixed number or a power raised int()'s
    limit: the built-in oracle was counted as broken ("fix the oracle") instead of the rollout as wrong."""
    from ptsfast.problems.oracles import judge

    assert judge(oracle_by_name(name), text, P("5"), timeout=None) == (False, None)


OPENTHOUGHTS = ("<|begin_of_thought|>\n\nTry 2 + 2: \\boxed{5}? No, recount.\n\n<|end_of_thought|>\n\n"
                "<|begin_of_solution|>\n\nThe answer is \\boxed{4}.\n\n<|end_of_solution|>")


@pytest.mark.parametrize("text, ok", [(OPENTHOUGHTS, True), (OPENTHOUGHTS.replace("{4}", "{5}"), False)])
def test_an_openthoughts_trace_is_thinking_its_solution_the_answer(text, ok):
    """OpenThoughts-trained models (OpenThinker, Bespoke-Stratos) write their own <|begin_of_thought|> ...
    <|end_of_thought|> markers: the box tried inside was judged (a right solution failed on its first guess)."""
    problem = Problem(id="t", question="2 + 2?", answer="4")
    assert make_judge("boxed")(text, problem).success is ok


def test_an_openthoughts_trace_stops_no_rollout_while_open():
    """The early stop fired at the first box of the thinking, so every rollout ended inside its trace."""
    head = OPENTHOUGHTS.split("? No")[0]
    assert not answer_complete("boxed", head)
    assert answer_complete("boxed", OPENTHOUGHTS.split(".\n\n<|end_of_solution|>")[0] + ".")
