"""Answer oracles against answers as models write them and references as datasets store them (round 9).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``) and HF
math-verify's reading where MATH's is silent; no answer, however long, takes long to judge.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_boxed, extract_choice, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


@pytest.mark.parametrize("text,ref,ok", [
    ("The answer is $\\framebox{5}$.", "5", True), ("$\\framebox{\\dfrac{1}{2}}$", "\\frac12", True),
    ("$\\framebox{6}$", "5", False), ("\\framebox {C}", "C", True),
])
def test_a_framebox_is_a_box(text, ref, ok):
    """``\\framebox{5}`` (LaTeX's framed box, which some models write for ``\\boxed``) held no answer: a right answer
    failed and the rollout never stopped at it."""
    assert boxed(text, ref) is ok
    assert answer_complete("boxed", text + "\nThus") is True  # a box with nothing joined to it


def test_a_framebox_letter_is_a_stated_choice():
    assert extract_choice("The answer is $\\framebox{C}$.") == "C"
    assert mc("The answer is $\\framebox{C}$.", "C") is True
    assert mc("The answer is $\\framebox{C}$.", "B") is False


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{4i+3}", "3+4i", True), ("\\boxed{-4i + 3}", "3-4i", True), ("\\boxed{2+i}", "i+2", True),
    ("\\boxed{\\frac{\\sqrt{3}}{2}i + \\frac{1}{2}}", "\\frac12+\\frac{\\sqrt3}{2}i", True),
    ("\\boxed{\\sqrt{2}+1}", "1+\\sqrt{2}", True), ("\\boxed{1 - 2i}", "-2i+1", True),
    ("\\boxed{\\pi+1}", "1+\\pi", True),
    ("\\boxed{4i-3}", "3+4i", False), ("\\boxed{4+3i}", "3+4i", False), ("\\boxed{3i+4i}", "3+4i", False),
    ("\\boxed{4i+3+0}", "3+4i", False), ("\\boxed{4i}", "3+4i", False), ("\\boxed{\\sqrt{2}-1}", "1-\\sqrt{2}", False),
    ("\\boxed{\\pi i+1}", "1+\\pi", False), ("\\boxed{y+x}", "x+y-0", False), ("\\boxed{3-4i}", "3+4i", False),
    ("\\boxed{3 + 2x}", "2x+3", True), ("\\boxed{-1 + 3x + 2x^{2}}", "2x^2+3x-1", True), ("\\boxed{b+a}", "a+b", True),
    ("\\boxed{3 - 2x}", "2x+3", False), ("\\boxed{3 + 2x^{3}}", "2x^2+3", False), ("\\boxed{x-1}", "1-x", False),
    ("\\boxed{x < 3 + 1}", "1+3>x", False), ("\\boxed{(3, 1]}", "(1,3]", False),
])
def test_a_sum_in_another_order_is_the_same_answer(text, ref, ok):
    """``\\boxed{4i+3}`` for ``3+4i`` (Qwen and R1 distills often put the imaginary part first) failed, as did
    ``\\sqrt{2}+1`` for ``1+\\sqrt{2}`` and ``3+2x`` for ``2x+3``: the strings differ. A sum is read term by term,
    each with its sign, a real term never matching an imaginary one; an equation, a list or text is never reordered."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text", ["\\boxed{" + "1+" * 50_000 + "1}", "\\boxed{" + "4i+" * 33_000 + "3}",
                                  "\\boxed{" + "{" * 50_000 + "}" * 50_000 + "}", "\\boxed{" + "x^{2}+" * 20_000 + "1}",
                                  "\\boxed{" + "x" * 100_000 + "+1}"])
def test_a_long_sum_is_judged_at_once(text):
    t = time.perf_counter()
    assert boxed(text, "3+4i") is False
    assert time.perf_counter() - t < 1.0


BACTERIA = ("S. aureus", "E. coli", "B. subtilis", "C. difficile", "Yeast")


@pytest.mark.parametrize("text,letter", [
    ("Answer: E. coli", "B"), ("The answer is E. coli.", "B"), ("Answer: E. coli K-12, as it grows fastest.", "B"),
    ("**Answer: C. difficile**", "D"), ("Answer: B. E. coli", "B"), ("Answer: E. Yeast", "E"), ("Answer: E.", "E"),
])
def test_a_stated_name_that_is_another_choices_text_is_that_choice(text, letter):
    """``Answer: E. coli`` where B is "E. coli" was read as the letter E: a right answer failed, and one naming
    Yeast's letter by the bacterium's initial passed. A stated letter that opens another choice's whole text as a
    name's initial is that choice."""
    assert extract_choice(text, choices=BACTERIA) == letter
    for ref in "BDE":
        assert mc(text, ref, BACTERIA) is (ref == letter)


NUMS = ("12", "15", "18", "20")


@pytest.mark.parametrize("text,letter", [
    ("Let us check each option.\nA) 12: too small, 3*4 < 15.\nB) 15: matches.\nC) 18: too big.\nSo the", None),
    ("A. 12 is wrong\nB. 15\n", None), ("Checking:\nA) 12\nB) 15\nLet me compute 3*5", None),
    ("A: 12 -> no\nB: 15 -> yes, so", None), ("A) 12 no\nB) 15 yes\n\nB", "B"), ("A) 12 no\nB) 15 yes\nAnswer: B", "B"),
    ("Reasoning.\nB. 15 is right.", "B"), ("B) 15\nB) because 3*5 = 15", "B"),
])
def test_a_listing_of_the_choices_line_by_line_names_none(text, letter):
    """A trace weighing the choices line by line (``A) 12: too small``, ``B) 15: matches``) and cut by the budget
    before its answer was read as its first line's letter, A: a guess passed wherever A was right. Lines that open
    with two letters or more list the choices; a letter alone on its line or a stated one still names its choice."""
    assert extract_choice(text, choices=NUMS) == letter
    assert extract_choice(text) == letter
    assert mc(text, "A", NUMS) is (letter == "A")


@pytest.mark.parametrize("text", ["A) x\n" * 50_000, "A) x\nB) y\n" * 25_000 + "(C)", "\n" * 50_000 + "A) 1"])
def test_a_loop_of_listed_lines_is_judged_at_once(text):
    """50,000 listed lines in one pass: ~0.4-0.9 s on a loaded 2-core machine (a bound of 1 s failed there once);
    a pass per line would take minutes."""
    t = time.perf_counter()
    extract_choice(text, choices=NUMS)
    assert time.perf_counter() - t < 3.0


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{\\bf 5}", "5", True), ("\\boxed{\\boldsymbol{5}}", "5", True), ("\\boxed{\\bm{7}}", "7", True),
    ("\\boxed{\\color{red}5}", "5", True), ("\\boxed{\\color{red}{x+1}}", "x+1", True),
    ("\\boxed{\\large 5}", "5", True),
    ("\\boxed{\\textcolor{blue}{\\dfrac{1}{2}}}", "\\frac12", True), ("\\boxed{\\Large\\textbf{12}}", "12", True),
    ("\\boxed{\\bf{5}}", "5", True), ("\\boxed{\\color{red}6}", "5", False), ("\\boxed{\\bf 51}", "5", False),
    ("\\boxed{\\textcolor{red}{5}+1}", "5", False), ("\\boxed{\\itemize 5}", "5", False),
])
def test_a_boxed_answer_in_a_style_size_or_colour_is_its_value(text, ref, ok):
    """``\\boxed{\\bf 5}``, ``\\boxed{\\boldsymbol{5}}``, ``\\boxed{\\color{red}5}`` and ``\\boxed{\\large 5}`` (how
    models emphasise an answer) failed for 5: only ``\\textbf`` and ``\\mathbf`` were read as the value's style."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{12}", "\\textbf{(B)}\\ 12", True), ("\\boxed{\\textbf{(B)}\\ 12}", "12", True),
    ("\\boxed{\\text{(C)}\\ \\frac{1}{2}}", "1/2", True), ("\\boxed{\\frac12}", "$\\textbf{(C)}\\ \\frac{1}{2}$", True),
    ("\\boxed{B}", "\\textbf{(B)}\\ 12", True), ("\\boxed{(B) 12}", "B", True),
    ("\\boxed{13}", "\\textbf{(B)}\\ 12", False), ("\\boxed{\\textbf{(B)}\\ 13}", "12", False),
    ("\\boxed{\\textbf{(C)}\\ 12}", "\\textbf{(B)}\\ 12", False), ("\\boxed{(A) 12 or (B) 13}", "13", False),
    ("\\boxed{(A) 12 or (B) 13}", "12", False), ("\\boxed{C}", "\\textbf{(B)}\\ 12", False),
])
def test_a_choice_named_by_its_letter_and_value_is_also_its_value(text, ref, ok):
    """MATH's AMC answers name the letter and its value (``\\textbf{(B)}\\ 12``), read as the letter alone: a model
    that boxed the value 12 failed, as did one boxing ``(B) 12`` for a reference of 12. Where one side names a
    letter and a value and the other does not, the value is compared."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,letter", [
    ("The answer is not (A), it is (C).", "C"), ("The answer is not (A).", None), ("It is (B) rather than (A).", "B"),
    ("Instead of (A), I'd say (D) fits.", "D"), ("We can rule out (A); (B) is left.", "B"),
    ("Everything except (A) fails, so (A).", "A"), ("(A) " * 30_000, "A"),
])
def test_a_letter_the_trace_rules_out_is_not_its_choice(text, letter):
    """``The answer is not (A), it is (C).`` was read as A, its first letter in parentheses: a wrong answer passed
    wherever A was right. A letter merely mentioned after "not", "rather than", "instead of", "except" or "rule out"
    names no choice."""
    assert extract_choice(text) == letter
    assert mc(text, "A") is (letter == "A")


def gsm8k(text, ref):
    return oracle_by_name("gsm8k")(text, P(ref))


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 12 or 13\n", "12", False), ("#### 12 or 13\n", "13", False), ("#### $12 or $13\n", "12", False),
    ("#### 12 \\text{ or } 13\n", "12", False), ("#### 12 OR 13\n", "12", False),
    ("#### 12\nor maybe 13", "12", True), ("#### 12 (or more)\n", "12", True), ("#### 10-5=5\n", "5", True),
    ("#### 12 apples or oranges\n", "12", True),
])
def test_a_gsm8k_answer_line_offering_two_numbers_names_none(text, ref, ok):
    """``#### 12 or 13`` passed for 12 (its first number was read): a hedge passed wherever either was right. A hedge
    names no answer, as the multiple-choice oracle reads one."""
    assert gsm8k(text, ref) is ok


@pytest.mark.parametrize("text,letter", [
    ("Answer: B12 vitamin", "B"), ("Answer: C++", "C"), ("Answer: D-glucose", "D"), ("Answer: E=mc^2", "E"),
    ("The answer is B-cell.", "B"), ("The answer: C's value", "C"), ("Answer: A+B", "A"),
])
def test_a_stated_name_or_formula_opening_with_a_letter_is_no_choice(text, letter):
    """``Answer: D-glucose`` or ``Answer: B12 vitamin`` (a model answering with a choice's text) was read as the
    letter D or B: a wrong answer passed wherever that letter was right. A letter that a digit, a joined term, ``++``,
    ``=`` or ``'s`` follows is part of a name or a formula; the early stop never fires on a prefix of one."""
    assert extract_choice(text) is None
    assert mc(text, letter) is False
    for k in range(len(text) + 1):
        assert answer_complete("multiple_choice", text[:k]) is False


@pytest.mark.parametrize("text", ["Answer: B - 15", "Answer: (B)-15", "Answer: B, 15", "The answer is B: 15"])
def test_a_stated_letter_set_apart_from_its_value_is_still_the_choice(text):
    assert extract_choice(text) == "B"
    assert answer_complete("multiple_choice", text + "\n") is True


@pytest.mark.parametrize("text,ref,ok", [
    ("<think>4 * 10 + 2</think>\n<answer>The answer is 42.</answer>", "42", True),
    ("<answer>**42**</answer>", "42", True),
    ("<answer>42 dollars</answer>", "42", True), ("<answer>Answer: 42</answer>", "42", True),
    ("<answer>**Monday**</answer>", "Monday", True), ("<answer>So the answer is **42**.</answer>", "42", True),
    ("<answer>The answer is 41.</answer>", "42", False), ("<answer>**41**</answer>", "42", False),
    ("<answer>42 or 43</answer>", "42", False), ("<answer>42 million</answer>", "42", False),
    ("<answer>42 and 43 apples</answer>", "42", False), ("<answer>answer</answer>", "answer", False),
])
def test_an_answer_tag_in_prose_is_its_value(text, ref, ok):
    """``<answer>The answer is 42.</answer>``, ``<answer>**42**</answer>`` and ``<answer>42 dollars</answer>`` (R1-Zero
    style rollouts write their tag as prose) failed for 42: the tag was read as a box's LaTeX. Its lead-in, markdown
    emphasis and a unit in words are left out; a hedge or a multiplier is still no value."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("inside", ["answer" + " " * 100_000 + "x", "*" * 100_000, "4" * 50_000 + " " + "a" * 50_000,
                                    "**" + "4 " * 50_000 + "**"])
def test_a_long_answer_tag_is_judged_at_once(inside):
    t = time.perf_counter()
    boxed(f"<answer>{inside}</answer>", "42")
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{\\mathrm{5\\,kg}}", "5", True), ("\\boxed{\\text{5~cm}}", "5", True),
    ("\\boxed{\\text{18\\ dollars}}", "18", True),
    ("\\boxed{\\mathrm{6\\,kg}}", "5", False), ("\\boxed{\\text{5\\,or 6}}", "5", False),
    ("\\boxed{\\text{5\\;million}}", "5", False),
])
def test_a_value_and_its_unit_in_one_roman_text_set_apart_by_a_thin_space(text, ref, ok):
    """``\\boxed{\\mathrm{5\\,kg}}`` (a unit set apart by LaTeX's thin space, as physics answers write it) failed for
    5: only a plain space parted the value from its unit inside one ``\\text`` or ``\\mathrm``."""
    assert boxed(text, ref) is ok
    t = time.perf_counter()
    boxed("\\boxed{\\text{5" + "\\," * 50_000 + "}}", ref)
    assert time.perf_counter() - t < 1.0
