"""Answer oracles against answers as models write them and references as datasets store them (round 4).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``,
lm-eval's GSM8K and multiple-choice regexes) and HF math-verify's reading of the value where MATH's is silent; two
different values never pass for each other.
"""

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(f"so \\boxed{{{text}}}.", P(ref))


@pytest.mark.parametrize("text,ref,ok", [
    ("\\frac\\pi2", "\\frac{\\pi}{2}", True), ("\\frac\\pi{4}", "\\frac{\\pi}{4}", True),
    ("\\frac2\\pi", "\\frac{2}{\\pi}", True), ("-\\dfrac\\theta2", "-\\frac{\\theta}{2}", True),
    ("\\frac{\\sqrt{3}}3", "\\frac{\\sqrt{3}}{3}", True), ("\\tfrac{\\pi^2}6", "\\frac{\\pi^2}{6}", True),
    ("\\frac\\pi2", "\\frac{\\pi}{3}", False), ("\\frac2\\pi", "\\frac{\\pi}{2}", False),
    ("\\frac{\\sqrt{3}}3", "\\frac{\\sqrt{3}}{2}", False), ("\\frac{\\sqrt{3}}3", "\\sqrt{3}", False),
])
def test_a_fraction_of_a_greek_letter_or_a_braced_numerator_without_braces_is_that_fraction(text, ref, ok):
    """``\\frac\\pi2`` (LaTeX reads one control word as the argument) and ``\\frac{\\sqrt{3}}3`` (the numerator's own
    braces) were other strings than ``\\frac{\\pi}{2}`` and ``\\frac{\\sqrt{3}}{3}``: a right answer failed."""
    assert boxed(text, ref) is ok
    assert boxed(ref, text) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\pi/2", "\\frac{\\pi}{2}", True), ("3\\pi/4", "\\frac{3\\pi}{4}", True), ("-\\pi/6", "-\\frac{\\pi}{6}", True),
    ("\\sqrt{3}/3", "\\frac{\\sqrt3}{3}", True), ("x/2", "\\frac{x}{2}", True), ("\\pi^2/6", "\\frac{\\pi^2}{6}", True),
    ("\\pi/2", "\\frac{\\pi}{4}", False), ("\\pi/2", "-\\frac{\\pi}{2}", False), ("3\\pi/4", "\\frac{3\\pi}{2}", False),
    ("1/2\\pi", "\\frac{\\pi}{2}", False), ("1/2\\pi", "\\frac{1}{2\\pi}", False), ("x+1/2", "\\frac{x+1}{2}", False),
])
def test_a_product_over_one_token_written_with_a_slash_is_that_fraction(text, ref, ok):
    """``\\pi/2`` for ``\\frac{\\pi}{2}`` failed (only numbers were read with a slash); math-verify reads the same
    value. A denominator of more than one token (``1/2\\pi``) or a sum before the slash stays as written."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\varnothing", "\\emptyset", True), ("\\{\\}", "\\emptyset", True),
    ("\\left\\{ \\right\\}", "\\varnothing", True),
    ("\\emptyset", "\\{0\\}", False), ("\\varnothing", "0", False),
])
def test_the_empty_set_is_one_answer_however_it_is_written(text, ref, ok):
    """``\\varnothing`` (a glyph of the same set) and ``\\{\\}`` failed MATH's ``\\emptyset``."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("f(x) = 2x+1", "2x+1", True), ("f^{-1}(x) = \\frac{x-1}{2}", "\\frac{x-1}{2}", True), ("g(2) = 5", "5", True),
    ("y = 2x+1", "2x + 1", True), ("f(x) = 2x+1", "f(x)=2x+1", True),
    ("f(x) = 2x+1", "2x-1", False), ("g(2) = 5", "2", False), ("f(x) = g(x) = 3", "3", False),
])
def test_a_function_named_before_its_value_is_that_value(text, ref, ok):
    """``f(x) = 2x+1`` for ``2x+1`` failed (only one letter before ``=`` was dropped); math-verify reads the value
    after the last ``=``."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\pm 3", "3, -3", True), ("x = \\pm 3", "-3,3", True), ("3, -3", "\\pm 3", True), ("\\pm 3", "\\pm3", True),
    ("1 \\pm \\sqrt{19}", "1+\\sqrt{19}, 1-\\sqrt{19}", True), ("3 \\pm 2\\sqrt{2}", "3-2\\sqrt2, 3+2\\sqrt2", True),
    ("\\frac{1 \\pm \\sqrt{5}}{2}", "\\frac{1+\\sqrt5}{2}, \\frac{1-\\sqrt5}{2}", True),
    ("\\pm\\frac12", "0.5, -0.5", True),
    ("\\pm 3", "3", False), ("3", "\\pm 3", False), ("-3", "\\pm 3", False), ("\\pm 3", "3, 3", False),
    ("\\pm 3", "3, -3, 0", False), ("\\pm 3", "\\pm 2", False), ("1 \\pm \\sqrt{19}", "1+\\sqrt{19}", False),
    ("-\\pm 3", "3, -3", False), ("1 \\mp 2", "3, -1", False),
])
def test_plus_or_minus_is_both_values(text, ref, ok):
    """``\\pm 3`` (or ``1 \\pm \\sqrt{19}``) for the two solutions ``3, -3`` failed, as did the reverse; math-verify
    reads ``\\pm`` as the set of both. One of the two alone is still wrong."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\left( -\\infty, 3 \\right]", "(-\\infty,3]", True), ("-\\infty", "-\\infty", True),
    ("\\infty", "-\\infty", False), ("(-\\infty, 3]", "(-\\infty, 3)", False), ("(\\infty, 3]", "(-\\infty,3]", False),
    ("30^{\\circ}", "30", True), ("x=2", "2", True), ("\\text{5}", "5", True), ("2\\,\\sqrt{3}", "2~\\sqrt3", True),
    ("\\frac{1}{2}.", "0.5", True), ("0.\\overline{3}", "\\frac{1}{3}", False),
])
def test_spellings_already_read_alike_and_values_kept_apart(text, ref, ok):
    """Checked this round and right before it: sizes, spaces, degrees, a variable's name, a trailing period. A
    repeating decimal is the question's own form ("express 0.\\overline{3} as a common fraction"): never the
    fraction, as MATH's grader reads it."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,letter", [
    ("Answer: [B]", "B"), ("The answer is [C].", "C"), ("Answer: [b]", "B"), ("Answer - C", "C"), ("Answer – D", "D"),
    ("(A) fails.\nAnswer — C", "C"), ("The right choice is C.", "C"), ("The correct option is (B)", "B"),
    ("I think (A) is wrong. The right choice is C.", "C"), ("The correct answer choice is D.", "D"),
    ("The best option is b.", "B"), ("I choose B", "B"), ("I choose B.\nDone", "B"), ("So I pick (C) here", "C"),
    ("I select [D]", "D"), ("I choose option E.", "E"),
    ("I choose A to be the origin. Answer: B", "B"), ("The first option is A, but (C)", "C"),
    ("Answer: [Insert the letter]", None), ("answer-based reasoning gives (C)", "C"),
    ("The answer — b because (C)", "C"),
    ("The right choice is I think (B)", "B"),
])
def test_a_letter_stated_in_brackets_after_a_dash_or_as_the_right_choice_is_read(text, letter):
    """``Answer: [B]``, ``Answer - C``, "The right choice is C." and "I choose B" had no strong reading: an earlier
    ``(A)`` in the reasoning was read instead, or nothing. A letter named in passing ("I choose A to be the origin",
    "the first option is A") is no choice."""
    assert extract_choice(text) == letter
    assert extract_choice(text, "J") == letter


@pytest.mark.parametrize("text,complete", [
    ("Answer: [B]", False), ("Answer: [B].", True), ("Answer - C", False), ("Answer - C.", False),
    ("Answer - C.\n", True),
    ("I choose B", False), ("I choose B.", False), ("I choose B.\n", True), ("The right choice is C.\n", True),
])
def test_a_bracketed_or_chosen_letter_stops_the_rollout_only_when_decided(text, complete):
    assert answer_complete("multiple_choice", text) is complete
    if complete:
        for tail in ("", " (A)", "\nAnswer: A", "\\boxed{A}", "z", " z"):
            assert oracle_by_name("multiple_choice")(text + tail, P(text.split()[-1].strip("[].")))


@pytest.mark.parametrize("text,letter", [
    ("**Final Answer:** B", "B"), ("answer: b", "B"), ("The answer is (B).", "B"), ("Answer: I think (C)", "C"),
])
def test_stated_letters_already_read(text, letter):
    """Checked this round and right before it."""
    assert extract_choice(text, "J") == letter


def gsm8k(text, ref):
    return oracle_by_name("gsm8k")(text, P(ref))


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 10-5=5\n", "10", False), ("#### 10-5=5\n", "5", True),  # its result (GSM8K's regex read the first: 10)
    ("#### $1,234.50\n", "1234.5", True), ("#### 5 apples\n", "5", True), ("#### -3\n", "-3", True),
    ("#### -3\n", "3", False), ("#### 25%\n", "25", True), ("#### 0.25\n", "25", False),
    ("The answer is 42.", "42", False),  # no #### line: lm-eval's strict match; --oracle last_number reads it
])
def test_gsm8k_reads_the_first_number_of_its_answer_line_as_its_grader_does(text, ref, ok):
    assert gsm8k(text, ref) is ok
