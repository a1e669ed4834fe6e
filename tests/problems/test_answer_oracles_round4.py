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
