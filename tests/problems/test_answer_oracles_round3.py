"""Answer oracles against answers as models write them and references as datasets store them (round 3).

Each verdict follows the dataset's own grader (Hendrycks' MATH ``is_equiv``, lm-eval's GSM8K and multiple-choice
regexes) where it reads a spelling alike, and equality of values where it is silent; two different values never
pass for each other.
"""

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", True),
    ("\\boxed{\\begin{pmatrix}1\\\\2\\end{pmatrix}}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", True),
    ("\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", True),
    ("\\boxed{\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", False),
    ("\\boxed{\\begin{pmatrix} 12 \\\\ 3 \\end{pmatrix}}", "\\begin{pmatrix} 1 \\\\ 23 \\end{pmatrix}", False),
])
def test_a_matrix_row_break_is_not_a_space(text, ref, ok):
    """The ``\\ `` of a LaTeX space ate the second backslash of a row break followed by a space (``1 \\\\ 2``), so a
    matrix written with spaces around its row breaks failed the same matrix written without (MATH's vectors)."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{2\\frac{1}{2}}", "\\frac{5}{2}", True), ("\\boxed{\\frac52}", "2\\frac{1}{2}", True),
    ("\\boxed{2 \\frac12}", "2.5", True), ("\\boxed{2\\tfrac{1}{2}}", "2.5", True),
    ("\\boxed{-2\\dfrac{1}{2}}", "-\\frac{5}{2}", True), ("\\boxed{6\\frac{1}{4}}", "6.25", True),
    ("\\boxed{2\\frac{1}{2}}", "1", False), ("\\boxed{2\\frac{1}{2}}", "-2.5", False),
    ("\\boxed{2\\frac{1}{2}}", "\\frac{21}{2}", False), ("\\boxed{2\\frac{3}{2}}", "3.5", False),
    ("\\boxed{2\\frac{3}{2}}", "3", False),
])
def test_a_mixed_number_is_its_whole_plus_its_fraction(text, ref, ok):
    """MATH stores mixed numbers as ``2\\frac{1}{2}`` (two and a half); ``\\frac{5}{2}`` or 2.5 for it failed, and so
    did a model's mixed number against an improper fraction. Only a proper fraction after the whole is one: a
    ``2\\frac{3}{2}`` reads as nothing but itself."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{x^2+1}", "x^{2}+1", True), ("\\boxed{x^{2} + 1}", "x^2+1", True), ("\\boxed{10^3}", "10^{3}", True),
    ("\\boxed{a_1 + a_{2}}", "a_{1}+a_2", True), ("\\boxed{e^{x}}", "e^x", True),
    ("\\boxed{x^2+1}", "x^{3}+1", False), ("\\boxed{2^10}", "2^{10}", False), ("\\boxed{x^{2y}}", "x^2y", False),
])
def test_braces_around_a_one_character_exponent_or_index_change_nothing(text, ref, ok):
    """``x^2`` and ``x^{2}`` (both as common in MATH's answers as in models') were different strings: a right answer
    failed. LaTeX's ``2^10`` is ``2^{1}0``, never ``2^{10}``."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{1.5 \\cdot 10^3}", "1.5 \\times 10^{3}", True), ("\\boxed{1.5e3}", "1.5\\times10^{3}", True),
    ("\\boxed{1.50 \\times 10^{3}}", "1.5 \\times 10^3", True), ("\\boxed{15 \\times 10^{2}}", "1.5\\times 10^3", True),
    ("\\boxed{3 \\times 10^{-2}}", "3.0E-2", True), ("\\boxed{-4\\times 10^{2}}", "-4 \\cdot 10^2", True),
    ("\\boxed{1.5 \\times 10^{3}}", "1.5 \\times 10^{4}", False), ("\\boxed{1.5e3}", "3 \\times 10^{3}", False),
    ("\\boxed{-1.5 \\times 10^{3}}", "1.5 \\times 10^3", False), ("\\boxed{1.5 \\times 10^{-3}}", "1.5e3", False),
])
def test_scientific_notation_written_two_ways_is_one_value(text, ref, ok):
    """A reference in scientific notation (physics, chemistry) failed the same value written with ``\\cdot``, without
    braces, with another mantissa or as ``1.5e3``."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{x \\in [1,2]}", "[1,2]", True), ("\\boxed{x\\in(-\\infty, 3)}", "(-\\infty,3)", True),
    ("\\boxed{[1, 2]}", "x \\in [1,2]", True),
    ("\\boxed{x \\in [1,2]}", "[1,2)", False), ("\\boxed{x \\in (1,2)}", "[1,2]", False),
    ("\\boxed{x \\in \\{1, 2\\}}", "\\{1, 3\\}", False),
])
def test_x_in_a_set_is_that_set(text, ref, ok):
    """``x \\in [1,2]`` for the interval ``[1,2]`` failed (``x = 5`` for ``5`` was read alike already)."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{\\{1, 2\\}}", "\\{2,1\\}", True), ("\\boxed{\\left\\{ 3, -1 \\right\\}}", "\\{-1, 3\\}", True),
    ("\\boxed{2, 1}", "1, 2", True), ("\\boxed{1, -2}", "-2,\\ 1", True), ("\\boxed{\\frac12, 3}", "3, 0.5", True),
    ("\\boxed{\\{1, 2\\}}", "1, 2", True),
    ("\\boxed{\\{1, 2\\}}", "\\{1, 3\\}", False), ("\\boxed{1, 2}", "1, 2, 3", False),
    ("\\boxed{1, 1, 2}", "1, 2, 2", False),
    ("\\boxed{\\{1, 2\\}}", "\\{1, 2, 3\\}", False), ("\\boxed{2, 1}", "-1, -2", False),
    ("\\boxed{x=1, y=2}", "x=2, y=1", False), ("\\boxed{x = 2, y = 1}", "y=2, x=1", False),
])
def test_a_set_or_a_list_of_solutions_is_unordered(text, ref, ok):
    """The solutions of "enter all the solutions, separated by commas" (and a set ``\\{1, 2\\}``) in another order than
    the reference's were a wrong answer. Named values (``x=1, y=2``) keep their order."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{(0.5, 1)}", "\\left( \\frac{1}{2}, 1 \\right)", True), ("\\boxed{[0.5, 2)}", "[\\frac12, 2)", True),
    ("\\boxed{(1, 2)}", "(1,2)", True), ("\\boxed{(2\\frac{1}{2}, -3)}", "(2.5,-3)", True),
    ("\\boxed{(1,2)}", "(2,1)", False), ("\\boxed{[1,2)}", "[1,2]", False), ("\\boxed{(1,2]}", "[1,2)", False),
    ("\\boxed{(0.5, 1)}", "(1, \\frac12)", False), ("\\boxed{(1, 2)}", "(1, 2, 3)", False),
    ("\\boxed{(1, 2)}", "1, 2", False), ("\\boxed{(1, 2)}", "\\{1, 2\\}", False),
])
def test_a_tuple_or_an_interval_keeps_its_order_and_reads_its_numbers(text, ref, ok):
    """``(0.5, 1)`` for the point ``(\\frac{1}{2}, 1)`` was a different string: each coordinate (and each end of an
    interval) is now read as a number, in order, within the same brackets."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{\\{1, 2\\} \\cup \\{3, 4\\}}", "\\{4, 2\\} \\cup \\{3, 1\\}", False),
    ("\\boxed{(1, 2) \\cup (3, 4)}", "(3, 2) \\cup (1, 4)", False),
    ("\\boxed{(1, 2) \\cup (3, 4)}", "(1,2)\\cup(3,4)", True),
])
def test_a_union_is_not_read_as_one_collection(text, ref, ok):
    """Brackets around the whole answer that close before its end (a union) hold no one tuple or set to reorder."""
    assert boxed(text, ref) is ok


def last_number(text, ref):
    return oracle_by_name("last_number")(text, P(ref))


@pytest.mark.parametrize("text,ref,ok", [
    ("So the answer is $\\frac{3}{4}$.", "0.75", True), ("so it is \\dfrac{10}{4}", "5/2", True),
    ("The answer is $-\\frac{1}{2}$", "-0.5", True), ("x = \\frac{3}{2}.", "1.5", True),
    ("The area is 25 cm^2.", "25", True), ("It covers 25 m^{2}", "25", True), ("x^2 = 49, so x = 7", "7", True),
    ("So the answer is $\\frac{3}{4}$.", "4", False), ("x = \\frac{3}{2}.", "2", False),
    ("x = \\frac{3}{2}.", "3", False), ("a \\frac{1}{0} b", "0", False),
    ("The area is 25 cm^2.", "2", False), ("The answer is $-\\frac{1}{2}$", "0.5", False),
])
def test_last_number_reads_a_fraction_whole_and_no_unit_exponent(text, ref, ok):
    """``\\frac{3}{4}`` ended in the number 4 and ``25 cm^2`` in 2: the right answer failed and the denominator (or
    the unit's power) passed for it."""
    assert last_number(text, ref) is ok


def test_find_numbers_reads_latex_fractions_as_one_number():
    from fractions import Fraction

    from ptsfast.problems.oracles import find_numbers

    assert find_numbers("\\frac{1}{2} and 3, then -\\tfrac{5}{4}, 7 m^2") == [Fraction(1, 2), 3, Fraction(-5, 4), 7]


@pytest.mark.parametrize("name,text,ref,ok", [
    ("gsm8k", "#### -\\$5\n", "-5", True), ("gsm8k", "#### -\\$5\n", "5", False), ("gsm8k", "#### \\$5\n", "5", True),
    ("last_number", "He owes -\\$12.", "-12", True), ("last_number", "He owes -\\$12.", "12", False),
    ("gsm8k", "#### \u2212\\$5\n", "5", False),
])
def test_a_sign_before_an_escaped_dollar_is_kept(name, text, ref, ok):
    """``-\\$5`` (a LaTeX dollar) was read as 5: a wrong sign passed and the right one failed."""
    assert oracle_by_name(name)(text, P(ref)) is ok


@pytest.mark.parametrize("text,letter", [
    ("**Answer**: C", "C"), ("(A) fails.\n\n**Final Answer**: (B)", "B"), ("Answer: $C$", "C"),
    ("(A) fails, so the answer is $D$.", "D"), ("The answer is \\(B\\).", "B"), ("Answer: $\\text{(C)}$", "C"),
    ("The answer is $A = \\pi r^2$, so (B).", "B"), ("The answer is $a$, i.e. (C)", "C"),
    ("**Answer**: a prime (B)", "B"),
])
def test_a_letter_after_a_bold_answer_or_in_math_is_stated(text, letter):
    """``**Answer**: C`` (the colon after the bold) and ``Answer: $C$`` had no strong reading: an earlier ``(A)`` in
    the reasoning was read, or nothing. A formula in math mode (``$A = \\pi r^2$``) names no choice."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice(text) == letter
    assert extract_choice(text, "J") == letter


@pytest.mark.parametrize("text,complete", [
    ("**Answer**: C", False), ("**Answer**: C.", False), ("**Answer**: C.\n", True), ("Answer: $C", False),
    ("Answer: $C$.", True),
])
def test_a_bold_or_math_letter_stops_the_rollout_only_when_decided(text, complete):
    from ptsfast.problems.oracles import answer_complete

    assert answer_complete("multiple_choice", text) is complete
    if complete:
        for tail in ("", " (A)", "\nAnswer: A", "\\boxed{A}"):
            assert oracle_by_name("multiple_choice")(text + tail, P("C"))


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{\u2212\\sqrt{2}}", "-\\sqrt{2}", True), ("\\boxed{x^2 \u2212 1}", "x^2-1", True),
    ("\\boxed{[\u22121, \\infty)}", "[-1,\\infty)", True), ("\\boxed{-\\pi}", "\u2212\\pi", True),
    ("\\boxed{\u2212\\sqrt{2}}", "\\sqrt{2}", False), ("\\boxed{x^2 \u2212 1}", "x^2+1", False),
])
def test_a_unicode_minus_is_a_minus_in_any_answer(text, ref, ok):
    """The unicode minus (U+2212) was a minus in plain numbers only: ``\u2212\\sqrt{2}`` failed ``-\\sqrt{2}``."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{1,2}", "2, 1", True), ("\\boxed{-2,1}", "1, -2", True), ("\\boxed{3,\\frac12}", "\\frac{1}{2},3", True),
    ("\\boxed{1,000, 2}", "2, 1000", True),
    ("\\boxed{10,100}", "100, 10", False), ("\\boxed{1,2}", "12", False), ("\\boxed{1,2}", "1, 3", False),
])
def test_a_list_written_without_spaces_is_still_a_list(text, ref, ok):
    """``1,2`` (no space after the comma, and no three digits after it: no thousands) is the list 1, 2 in any order;
    ``10,100`` stays the number it may be."""
    assert boxed(text, ref) is ok


def test_a_thousands_comma_is_no_list():
    assert not boxed("\\boxed{1,\\!234}", "234, 1") and boxed("\\boxed{1,\\!234}", "1234")
    assert not boxed("\\boxed{1,000.5}", "000.5, 1") and boxed("\\boxed{1,000.5, 2}", "2, 1000.5")
