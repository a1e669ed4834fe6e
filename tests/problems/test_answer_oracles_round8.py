"""Answer oracles against answers as models write them and references as datasets store them (round 8).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``, lm-eval's
and simple-evals' multiple-choice regexes) and HF math-verify's reading where MATH's is silent; an answer that hedges
names none, and no answer, however long, takes long to judge.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, oracle_by_name, stop_strings


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


@pytest.mark.parametrize("text", [
    "The answer is \\boxed{A} or \\boxed{B}.", "$\\boxed{A}$ or $\\boxed{B}$", "\\boxed{A} and \\boxed{C}",
    "Answer: \\boxed{\\text{A}}, \\boxed{\\text{C}}", "\\(\\boxed{A}\\) or \\(\\boxed{B}\\)",
])
def test_boxed_letters_offered_together_name_no_choice(text):
    """Two boxed letters offered together (``\\boxed{A} or \\boxed{B}``) were read as the first: a hedge passed
    wherever A was right. A hedge names no choice, boxed or not."""
    assert extract_choice(text) is None
    assert mc(text, "A") is False


@pytest.mark.parametrize("text,letter", [
    ("The answer is \\boxed{A}.", "A"), ("$\\boxed{B}$ is right, not $\\boxed{C}$", "B"),
    ("Answer: \\boxed{C}\n\nA or B would be wrong.", "C"),
])
def test_one_boxed_letter_is_still_stated(text, letter):
    assert extract_choice(text) == letter


def test_a_boxed_letter_stops_the_rollout_only_once_no_second_can_follow():
    assert not answer_complete("multiple_choice", "The answer is \\boxed{A} o")
    assert not answer_complete("multiple_choice", "The answer is $\\boxed{A}$ or $\\boxed{")
    assert answer_complete("multiple_choice", "The answer is \\boxed{A}.")


@pytest.mark.parametrize("text,letter", [
    ("الإجابة: B", "B"), ("الإجابة الصحيحة هي: C", "C"), ("الجواب: D", "D"), ("الإجابة: ب", "B"),
    ("الإجابة النهائية: ج.", "C"), ("उत्तर: B", "B"), ("सही उत्तर: C", "C"), ("উত্তর: D", "D"), ("উত্তরঃ B", "B"),
    ("উত্তর: ব", "B"), ("Jibu: C", "C"), ("Ìdáhùn: A", "A"), ("Idahun: D", "D"), ("답변: B", "B"), ("답: C", "C"),
    ("回答：B", "B"), ("解答: C", "C"), ("答：D", "D"), ("答复：A", "A"), ("Odpowiedź: B", "B"), ("Antwoord: C", "C"),
    ("Câu trả lời: D", "D"), ("Απάντηση: B", "B"), ("Відповідь: C", "C"), ("Răspuns: A", "A"), ("Svar: D", "D"),
])
def test_an_answer_in_a_language_of_mmmlu_or_global_mmlu_is_read(text, letter):
    """MMMLU's and Global-MMLU's languages state the answer as simple-evals reads it ("الإجابة: B", "उत्तर: B",
    "Jibu: B", the Arabic and Bengali letters for A-D); none was read, and every right answer failed."""
    assert extract_choice(f"…\n{text}") == letter
    assert mc(f"…\n{text}", letter) is True
    assert answer_complete("multiple_choice", f"…\n{text}\n")


@pytest.mark.parametrize("text", [
    "الإجابة: أو", "الإجابة: بسيطة", "উত্তর: বা", "الإجابة: أ أو ب", "回答B的问题", "答B", "问答：A或B",
    "الإجابة: A أو B", "उत्तर: A या B", "উত্তর: A বা B", "답변: A 또는 B", "回答：AまたはB", "Odpowiedź: A lub B",
])
def test_a_word_or_two_letters_after_a_foreign_answer_word_are_no_choice(text):
    assert extract_choice(text) is None


NUMS = ("12", "42", "7", "9")


@pytest.mark.parametrize("text,choices,letter", [
    ("Adding them up gives 42.\n\n**B) 42**", None, "B"), ("So:\n\n**B) 42**", NUMS, "B"),
    ("So:\n**B. 42**.", NUMS, "B"), ("  ** C: 7 **", NUMS, "C"), ("So:\n\n**B) 43**", NUMS, None),
    ("So:\n\n**B) 12**", NUMS, None), ("**A) 12**: too small.\n**B) 42**", NUMS, "B"),
    ("First I thought:\n**A) 12**\nbut no, it is\n**B) 42**", None, "B"), ("**A) 12** or **B) 42**", None, None),
    ("**A) 12 is wrong** and so on", None, None),
    ("Each option:\n\n**A) 12**\n- too small\n\n**B) 42**\n- the sum", NUMS, None),
    ("So:\n\n**B) 42**\n\n  \n", NUMS, "B"),
])
def test_a_line_that_is_one_choice_in_bold_is_stated(text, choices, letter):
    """A conclusion set apart as one choice in bold (``**B) 42**``, as Llama and Qwen end an answer) named no choice,
    and the right answer failed. Only the answer's last line counts (a heading of the analysis, cut by the budget
    after its lines, names none); where the choices are given, its text must be the letter's own."""
    assert extract_choice(text, "E", choices) == letter


@pytest.mark.parametrize("text", ["**A) " + " " * 100_000 + "x", "**A) x**" + " " * 50_000 + "." + " " * 50_000 + "y",
                                  "**A) " + "x \t" * 30_000 + "**", ("**A) " + " " * 1000) * 100])
def test_a_loop_of_spaces_in_a_bold_line_is_read_at_once(text):
    t0 = time.perf_counter()
    extract_choice(text), extract_choice(text, "E", NUMS)
    assert time.perf_counter() - t0 < 1.0


def boxed(text, ref):
    return oracle_by_name("boxed")(f"so \\boxed{{{text}}}.", P(ref))


@pytest.mark.parametrize("text", ["1," * 100_000, "1, " * 66_000, "a, " * 66_000, "x_1, " * 40_000])
@pytest.mark.parametrize("ref", ["3, 5", "3", "(3, 5)"])
def test_a_box_of_a_loop_of_items_is_judged_at_once(text, ref):
    """A box holding a model's loop of 100,000 items took seconds: each item was normalised, against a reference of
    two or one. Items are compared only where both hold as many."""
    t0 = time.perf_counter()
    assert boxed(text, ref) is False
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("3, 5", "5, 3", True), ("(3, 5)", "(3,5)", True), ("3, 5", "3, 6", False), ("3, 5, 7", "3, 5", False),
    ("x = 3, x = 5", "3, 5", True), ("\\{3, 5\\}", "3, 5", True), ("1 \\pm \\sqrt{2}", "1+\\sqrt2, 1-\\sqrt2", True),
])
def test_boxes_of_several_items_are_judged_as_before(text, ref, ok):
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ok", [
    ("(b)", True), ("b", True), ("(B)", True), ("B", True), ("\\text{(b)}", True), ("(b) 42", True), ("b) 42", True),
    ("b.", True), ("\\text{B}", True), ("(c)", False), ("c", False), ("(a) or (b)", False), ("(b), (c)", False),
    ("bc", False), ("b^2", False), ("(C) 42", False),
])
def test_a_theoremqa_option_reference_is_its_letter_however_boxed(text, ok):
    """TheoremQA stores an option's answer as ``(b)``: ``\\boxed{b}``, ``\\boxed{(B)}`` and ``\\boxed{(b) 42}``
    failed the right option (only ``(b)`` itself passed). An uppercase reference still reads a lowercase box as no
    option."""
    assert boxed(text, "(b)") is ok


@pytest.mark.parametrize("text,ref", [("(b)", "B"), ("b", "B"), ("b", "\\text{(B)}")])
def test_a_lowercase_box_is_still_no_uppercase_option(text, ref):
    assert boxed(text, ref) is False


@pytest.mark.parametrize("text,ok", [
    ("5 + 37 = 42. The answer is 42.\n\nQuestion: Tom has 3 apples and buys 4 more. How many?\nAnswer: 7", True),
    ("So 42.\n\nProblem: Find 2 + 3.\nSolution: 5", True), ("It is 42.\n\nQ: What is 6 * 7?\nA: 41", True),
    ("The answer is 41.\n\nQuestion: What is 42?", False), ("It is 42 or 41, so 41.\n\nQuestion: 42?", False),
    ("The answer is 42.\nQuestion: what about 43?", False),
])
def test_the_last_number_is_read_before_a_new_few_shot_question(text, ok):
    """A base model prompted with few-shot items writes the next "Question: ..." after its answer: the last number
    was the new question's (or its own answer to it), and the right answer failed where the new item's passed. The
    answer ends where a new item opens a paragraph, and the rollout stops there."""
    assert oracle_by_name("last_number")(text, P("42")) is ok
    assert "\n\nQuestion:" in stop_strings("last_number") and "\n\nQ:" in stop_strings("last_number")


@pytest.mark.parametrize("text,ref,ok", [
    ("\\frac{1}{2}\\pi", "\\frac{\\pi}{2}", True), ("\\dfrac{1}{2}\\pi", "\\frac\\pi2", True),
    ("\\frac{3}{4}\\pi", "\\frac{3\\pi}{4}", True), ("-\\frac{1}{6}\\pi", "-\\frac{\\pi}{6}", True),
    ("\\frac{1}{2}\\sqrt{3}", "\\frac{\\sqrt{3}}{2}", True), ("\\frac12\\sqrt3", "\\frac{\\sqrt3}{2}", True),
    ("\\frac{\\pi}{2}", "\\frac{1}{2}\\pi", True), ("\\frac{1}{2} \\pi", "\\pi/2", True),
    ("\\frac{1}{2}\\pi", "\\frac{\\pi}{3}", False), ("\\frac{1}{2}\\pi", "-\\frac{\\pi}{2}", False),
    ("\\frac{3}{4}\\pi", "\\frac{3}{4\\pi}", False), ("\\frac{1}{2}\\pi + 1", "\\frac{\\pi}{2}", False),
    ("\\frac{1}{2}\\sqrt{3}", "\\frac{\\sqrt{2}}{2}", False), ("2\\frac{1}{2}", "\\frac{2}{2}", False),
])
def test_a_fraction_times_a_constant_is_that_fraction(text, ref, ok):
    """``\\frac{1}{2}\\pi`` (a fraction before the constant, as models write it) failed for ``\\frac{\\pi}{2}``, the
    same value as math-verify reads it; the numerator takes the constant."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ok", [
    ("The answer is E. coli.", True), ("Answer: E. coli", True), ("**Answer:** E. coli", True),
    ("The final answer is: *E. coli*.", True), ("The correct answer is E. coli", True), ("E. coli", True),
    ("The answer is E. coli, a bacterium.", False), ("The answer is not E. coli.", False),
    ("Answer: Salmonella", False), ("I think the answer is E. coli.", False),
    ("E. coli\n\nQuestion: Which organism causes cholera?\nAnswer: V. cholerae", True),
    ("Salmonella\n\nQ: Which bacterium lives in the gut?\nA: E. coli", False),
])
def test_a_free_text_answer_stated_as_the_answer_is_read(text, ok):
    """``The answer is E. coli.`` (the whole completion, as chat models state a short answer) failed the normalized
    oracle against "E. coli", as did a base model's right answer followed by its next few-shot question; the
    lead-in is no part of the answer, and a new item ends it."""
    assert oracle_by_name("normalized")(text, P("E. coli")) is ok
    assert stop_strings("normalized") == stop_strings("last_number")


@pytest.mark.parametrize("text,ref,ok", [
    ("x = 1, 3", "1, 3", True), ("x = 2, -2", "\\pm 2", True), ("x = 1, 3", "3, 1", True),
    ("x_1 = 1, x_2 = 3", "1, 3", True), ("x_{1} = 1, x_{2} = 3", "3,1", True), ("x_1 = 1, x_2 = 3", "1, 4", False),
    ("x = 1, 3", "1", False), ("x = 1, 3", "(1, 3)", False), ("x = 1, y = 3", "1, 3", False),
    ("x_1 = 1, y_1 = 3", "1, 3", False), ("x = 1, 3", "1, 3, 5", False),
])
def test_the_solutions_of_one_unknown_named_once_or_by_index_are_a_list(text, ref, ok):
    """``x = 1, 3`` (the unknown named before its first solution only) and ``x_1 = 1, x_2 = 3`` (a quadratic's roots
    by index) failed for the reference list ``1, 3``: they were read as named values of several unknowns."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("2 \\quad \\text{and} \\quad 3", "2, 3", True), ("2 \\qquad\\text{or}\\qquad 3", "3, 2", True),
    ("3 and 5", "3, 5", True), ("x = 3 or x = 5", "5, 3", True), ("3, and 5", "3,5", True),
    ("2 \\quad \\text{and} \\quad 3", "2", False), ("3 and 5", "3, 6", False), ("3 and 5", "35", False),
    ("2 \\quad 3", "23", False), ("x \\land y", "x, y", False), ("a and b", "a, b", True),
])
def test_solutions_joined_by_a_word_set_apart_by_quads_or_bare_are_a_list(text, ref, ok):
    """``2 \\quad \\text{and} \\quad 3`` and ``3 and 5`` (the joining word set apart by quads, or written bare in the
    math) failed for the reference list ``2, 3``, where ``2 \\text{ and } 3`` passed."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text", ["2 " + "\\quad " * 15_000 + "\\text{and} 3", "3" + " and" * 30_000 + " 5",
                                  "3" + " " * 100_000 + "and" + " " * 100_000 + "x"])
def test_a_loop_of_quads_or_joining_words_is_read_at_once(text):
    t0 = time.perf_counter()
    assert boxed(text, "2, 3") is False
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("18", "\\(18\\)", True), ("18", "\\[18\\]", True), ("\\frac{1}{2}", "\\( \\frac{1}{2} \\)", True),
    ("18", "$18$.", True), ("18", "\\(18\\).", True), ("(1, 2)", "\\((1, 2)\\)", True), ("\\(18\\)", "18", True),
    ("18", "\\(19\\)", False), ("18", "\\(18\\) and \\(19\\)", False), ("18", "$18$ or $19$", False),
])
def test_a_reference_in_inline_or_display_math_delimiters_is_its_math(text, ref, ok):
    """A reference stored as ``\\(18\\)``, ``\\[18\\]`` or ``$18$.`` (generated datasets keep the math's delimiters)
    failed every right answer: only ``$...$`` without a period was taken off."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("ref,value", [
    ("$18$", "18"), ("\\boxed{18}", "18"), ("\\(18\\)", "18"), ("\\dfrac{1}{2}", "0.5"), ("$\\frac{1}{2}$", "1/2"),
    ("The answer is $\\boxed{18}$.", "18"), ("$-5$", "-5"), ("$1{,}000$", "1000"),
])
@pytest.mark.parametrize("name", ["gsm8k", "last_number"])
def test_a_numeric_reference_written_in_latex_is_its_number(name, ref, value):
    """A reference written in LaTeX (``$18$``, ``\\boxed{18}``, ``\\dfrac{1}{2}``, as MATH-style datasets store it)
    was no number to the numeric oracles: every answer failed, the right one too."""
    text = f"So the answer is {value}.\n#### {value}\n"
    assert oracle_by_name(name)(text, P(ref)) is True
    assert oracle_by_name(name)(text.replace(value, "7"), P(ref)) is False


@pytest.mark.parametrize("ref,value,ok", [
    ("9 (apples)", "9", True), ("9 (apples)", "8", False), ("3.5 (km)", "3.5", True), ("1,000 (dollars)", "1000", True),
    ("-2 (degrees)", "-2", True), ("9 (3 apples)", "9", False), ("9 (apples) (pears)", "9", False),
])
@pytest.mark.parametrize("name", ["gsm8k", "last_number"])
def test_an_asdiv_reference_with_its_unit_in_parentheses_is_its_number(name, ref, value, ok):
    """ASDiv stores its answers as ``9 (apples)`` (lm-eval reads the part before `` (``): no number to the numeric
    oracles, and every answer failed, the right one too."""
    assert oracle_by_name(name)(f"So {value}.\n#### {value}\n", P(ref)) is ok


@pytest.mark.parametrize("ref", ["2(a+b)", "2(x)", "2 (a + b)"])
def test_a_product_with_a_bracket_is_no_number_and_its_unit(ref):
    assert boxed("2", ref) is False


@pytest.mark.parametrize("ref,value,ok", [
    ("1e-05", "0.00001", True), ("1.5e3", "1500", True), ("2E+2", "200", True), ("1e-05", "0.0001", False),
    ("1e99999", "1", False),
])
@pytest.mark.parametrize("name", ["gsm8k", "last_number"])
def test_a_numeric_reference_in_e_notation_is_its_number(name, ref, value, ok):
    """A number column read as written gives ``1e-05``: no number to the numeric oracles, and every answer failed."""
    assert oracle_by_name(name)(f"So {value}.\n#### {value}\n", P(ref)) is ok


def test_a_boxed_plain_number_is_still_no_reference_in_e_notation():
    assert boxed("1500", "1.5e3") is False


@pytest.mark.parametrize("text,choices,letter", [
    ("Adding them gives \\boxed{42}.", NUMS, "B"), ("So $\\boxed{7}$", NUMS, "C"),
    ("The value is \\boxed{\\frac{1}{2}}.", ("1/3", "1/2", "2/3", "1"), "B"),
    ("\\boxed{Paris}", ("London", "Paris"), "B"), ("\\boxed{\\text{Paris}}", ("London", "Paris", "Rome"), "B"),
    ("\\boxed{43}", NUMS, None), ("\\boxed{42}", None, None),
    ("\\boxed{42}", ("42", "12", "42"), None), ("The answer is C.\n\\boxed{42}", NUMS, "C"),
    ("\\boxed{4}", ("42", "4"), "B"), ("Option (A) 12 is too small.\n\\boxed{42}", NUMS, "B"),
    ("\\boxed{0.5}", ("1/3", "1/2"), "B"),
])
def test_a_boxed_choice_text_names_its_letter(text, choices, letter):
    """A model that boxes the chosen value rather than its letter (``\\boxed{42}``, 42 being B's text, as math models
    answer a multiple-choice question) named no choice, and the right answer failed; a stated letter still comes
    first, and a text two choices share names neither."""
    assert extract_choice(text, "E", choices) == letter


@pytest.mark.parametrize("text,ref,ok", [
    ("18个", "18", True), ("18 元", "18", True), ("3.5千米", "3.5", True), ("18개", "18", True), ("18本", "18", True),
    ("18个", "19", False), ("18个或19个", "18", False), ("18个", "18个", True), ("第18", "18", False),
    ("18万", "18", False), ("18万元", "18", False), ("3千", "3", False), ("2억", "2", False), ("5百人", "5", False),
])
def test_a_value_with_its_unit_in_chinese_japanese_or_korean_is_that_value(text, ref, ok):
    """``\\boxed{18个}`` (the counter or unit written after the number, as models answer a Chinese word problem)
    failed for 18, where ``18\\text{个}`` passed; a multiplier (``18万``, 180,000) is no unit."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref", [
    ("18 \\text{ thousand}", "18"), ("\\text{18 million}", "18"), ("2\\text{ dozen}", "2"),
    ("1.5 \\text{ billion}", "1.5"), ("5\\text{ hundred}", "5"), ("3 \\text{ thousand dollars}", "3"),
    ("18\\text{万}", "18"), ("\\text{18 万}", "18"), ("7\\text{ lakh}", "7"), ("18\\text{Thousand}", "18"),
    ("2\\,\\text{million}", "2"),
])
def test_a_multiplier_after_the_value_is_no_unit(text, ref):
    """``18 \\text{ thousand}`` passed for 18 (the multiplier dropped as a unit): a wrong answer passed, and 18,000
    failed. A multiplier is no unit."""
    assert boxed(text, ref) is False


@pytest.mark.parametrize("text,ref", [("18 \\text{ apples}", "18"), ("3\\text{ pairs}", "3"),
                                      ("\\text{18 dollars}", "18"), ("18\\text{ km}", "18"), ("3.5\\text{千米}", "3.5")])
def test_a_unit_after_the_value_is_still_dropped(text, ref):
    assert boxed(text, ref) is True


@pytest.mark.parametrize("text,ref,ok", [
    ("<think>2 + 16</think>\n<answer>18</answer>", "18", True), ("<answer> \\frac{1}{2} </answer>", "0.5", True),
    ("<answer>$18$</answer>", "18", True), ("<answer>(1, 2)</answer>", "(1,2)", True),
    ("<answer>18</answer>", "19", False), ("<answer>18", "18", False), ("<answer></answer> 18", "18", False),
    ("<answer>18</answer> so \\boxed{19}", "18", False), ("<answer>\\boxed{19}</answer>", "19", True),
    ("Format: <answer> answer here </answer>.\n<answer>18</answer>", "18", True),
    ("<answer></answer><answer>18</answer>", "18", True),
])
def test_an_answer_in_answer_tags_without_a_box_is_read(text, ref, ok):
    """An R1-Zero-style answer, ``<answer>18</answer>`` with no box (as open-r1's and TinyZero's templates ask), failed
    the boxed oracle, the right answer too; a box still comes first, and an unclosed tag holds no answer."""
    from ptsfast.problems.oracles import final_answer

    assert oracle_by_name("boxed")(final_answer(text), P(ref)) is ok


def test_a_loop_of_answer_tags_is_read_at_once():
    t0 = time.perf_counter()
    assert oracle_by_name("boxed")("<answer>" * 20_000 + "1" * 1000, P("18")) is False
    assert time.perf_counter() - t0 < 1.0
