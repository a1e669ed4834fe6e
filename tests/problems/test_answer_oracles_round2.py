"""Answer oracles against answers as models write them and references as datasets store them (round 2).

Each verdict follows the dataset's own grader: Hendrycks' MATH ``is_equiv`` (its ``strip_string``), Minerva's
``normalize_final_answer`` where MATH's is silent, lm-eval's GSM8K and multiple-choice regexes.
"""

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_boxed, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


def test_an_empty_box_holds_no_answer():
    """Models echo the prompt's "put your final answer within \\boxed{}" before answering; that empty box was read
    as the answer (and stopped the rollout), failing the right answer boxed after it."""
    text = "I will put the final answer in \\boxed{}.\nSo 1 + 2 = 3, and the answer is \\boxed{3}."
    assert boxed(text, "3")
    assert not boxed(text, "4")
    assert extract_boxed("\\boxed{ } then \\boxed{5}") == "5"
    assert extract_boxed("\\boxed{}") is None
    assert not answer_complete("boxed", "put it in \\boxed{}. So")
    assert answer_complete("boxed", "put it in \\boxed{}. So \\boxed{3}.")
    assert not boxed("\\boxed{}", "")  # nothing is never an answer, even against an empty reference


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{\\boxed{3}}", "3", True), ("\\boxed{\\fbox{3}}", "3", True), ("\\boxed{3}", "\\boxed{\\boxed{3}}", True),
    ("\\boxed{\\boxed{4}}", "3", False), ("\\boxed{\\boxed{3} + 1}", "3", False),
])
def test_a_box_inside_the_box_is_the_same_answer(text, ref, ok):
    """``\\boxed{\\boxed{3}}`` (models box twice) was compared as the string ``\\boxed{3}`` and failed; Minerva's
    normaliser takes the box off."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{1{,}000}", "1000", True), ("\\boxed{1000}", "1{,}000", True), ("\\boxed{1{,}000{,}000}", "10^6", False),
    ("\\boxed{1{,}000{,}000}", "1,000,000", True), ("\\boxed{1{,}001}", "1000", False),
    ("\\boxed{\\displaystyle \\frac{1}{2}}", "0.5", True),
    ("\\boxed{\\displaystyle\\frac{\\pi}{4}}", "\\frac{\\pi}4", True),
    ("\\boxed{\\displaystyle \\frac{1}{3}}", "0.5", False),
])
def test_typesetting_marks_do_not_change_the_answer(text, ref, ok):
    """``1{,}000`` (LaTeX's thousands separator, Minerva's normaliser drops ``{,}``) and ``\\displaystyle`` (a
    display size) failed right answers."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{5\\text{ cm}^2}", "5", True), ("\\boxed{5 \\text{ cm}^{3}}", "5", True),
    ("\\boxed{6 \\, \\text{m}}", "6", True), ("\\boxed{6\\,\\text{m/s}}", "6", True),
    ("\\boxed{6 \\text{m}}", "6", True), ("\\boxed{12\\ \\mbox{inches}}", "12", True),
    ("\\boxed{6\\,\\text{m}}", "6\\text{ m}", True),
    ("\\boxed{7\\,\\text{m}}", "6", False), ("\\boxed{5\\text{ cm}^2}", "25", False),
    ("\\boxed{3 \\mathrm{i}}", "3", False),  # the imaginary unit, not a unit
    ("\\boxed{2 \\text{ or } 3}", "3", False), ("\\boxed{\\text{ cm}}", "", False),
])
def test_a_unit_set_apart_after_the_value_is_not_the_answer(text, ref, ok):
    """MATH's grader drops the text after ``\\text{ `` (a unit, squared or not: ``5\\text{ cm}^2``); a unit set apart
    by a space outside the braces (``6\\,\\text{m}``, ``6 \\text{m}``) is the same unit. Each failed a right answer."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{10100}", "10, 100", False), ("\\boxed{10, 100}", "10100", False), ("\\boxed{1, 234}", "1234", False),
    ("\\boxed{10, 100}", "10,100", True),   # MATH's grader drops the spaces and compares the strings
    ("\\boxed{10,100}", "10100", True), ("\\boxed{1,234}", "1,234", True), ("\\boxed{1,\\!234}", "1234", True),
])
def test_a_list_of_two_numbers_is_not_one_number_with_a_thousands_comma(text, ref, ok):
    """``10, 100`` (two solutions, "separated by commas") lost its space and was read as 10,100 = 10100: a wrong
    answer passed. A comma a space follows separates items; one between digits (``10,100``, ``1,\\!234``) groups
    thousands."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{(B)}", "B", True), ("\\boxed{B) 42}", "B", True), ("\\boxed{(B) 42}", "B", True),
    ("\\boxed{B}", "\\text{(B)}", True), ("\\boxed{ \\text{B} }", "\\text{(B)}", True),
    ("\\boxed{\\textbf{(B)}\\ 42}", "\\text{(B)}", True), ("\\boxed{\\text{(B)}}", "B", True),
    ("\\boxed{B.}", "(B)", True),
    ("\\boxed{(C)}", "B", False), ("\\boxed{C) 42}", "\\text{(B)}", False), ("\\boxed{(A), (C)}", "A", False),
    ("\\boxed{(A) or (C)}", "\\text{(A)}", False), ("\\boxed{A) 1, C) 3}", "A", False), ("\\boxed{(b)}", "B", False),
    ("\\boxed{A, C}", "\\text{A, C}", True), ("\\boxed{A,C}", "A", False),
])
def test_a_choice_letter_is_one_answer_however_it_is_marked(text, ref, ok):
    """MATH stores its lettered answers as ``\\text{(B)}``, other sets as ``B``; models box ``B``, ``(B)`` or ``B) 42``
    (the letter and its choice). Each mark of one letter failed a right answer; two letters stay two."""
    assert boxed(text, ref) is ok


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


@pytest.mark.parametrize("text,letter", [
    ("The answer is $\\boxed{C}$.", "C"), ("Final answer: \\boxed{\\text{C}}", "C"), ("\\boxed{C) 42}", "C"),
    ("The answer is \\(\\boxed{B}\\)", "B"), ("so \\boxed{\\textbf{(D)}}", "D"), ("\\boxed{c}", "C"),
    ("(A) is tempting, but the answer is $\\boxed{B}$.", "B"), ("\\fbox{E}", "E"),
    ("\\boxed{E = mc^2}", None), ("\\boxed{42}", None), ("\\boxed{e^x}", None), ("\\boxed{Cat}", None),
])
def test_a_boxed_letter_is_the_chosen_answer(text, letter):
    """Qwen and R1-style models box their choice (as GPQA/MMLU prompts for them ask); ``$\\boxed{C}$`` had no
    reading (every such rollout failed) and ``(A) is tempting ... \\boxed{B}`` read A."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice(text) == letter


def test_a_boxed_letter_stops_the_rollout_only_when_decided():
    assert not answer_complete("multiple_choice", "so \\boxed{C")
    assert answer_complete("multiple_choice", "so \\boxed{C}.")
    for tail in ["", " Answer: A", "\\boxed{A}", " (A)"]:
        assert mc("so \\boxed{C}." + tail, "C") and not mc("so \\boxed{C}." + tail, "A")


@pytest.mark.parametrize("text,letter", [
    ("The answer is a prime, so (B).", "B"), ("I think the answer is b because of (C).", "C"),
    ("The answer is e^x, i.e. (D).", "D"), ("The answer is d/dx of it: (A)", "A"), ("the answer is e.g. (C)", "C"),
    ("The answer is a function of x; (B)", "B"),
    ("answer:c", "C"), ("Answer: (d)", "D"), ("The answer is b.", "B"), ("the answer is a.\nSo", "A"),
    ("The answer is c) 42", "C"), ("Answer: b, since", "B"), ("Answer: B because (C) fails", "B"),
])
def test_a_lower_case_word_after_answer_is_not_a_letter(text, letter):
    """"The answer is a prime" read the article as choice A (and ``b because``, ``e^x``, ``d/dx``): a wrong
    letter, taken over the stated one. A lower-case letter is a choice where it stands alone: ``(d)``, ``c)``,
    ``b.`` or at the line's end."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice(text) == letter


@pytest.mark.parametrize("text,tail", [("Answer: b", " because"), ("Answer: b", "\n"), ("Answer: b,", "c"),
                                       ("Answer: b.", " So"), ("Answer: B", " because")])
def test_a_lower_case_letter_stops_the_rollout_only_when_decided(text, tail):
    """The early stop fires only where no continuation can change the letter read."""
    mcs = [mc(text + tail + more, "B") for more in ("", " x", "z", "(C)")]
    if answer_complete("multiple_choice", text + tail):
        assert len(set(mcs)) == 1
    assert answer_complete("multiple_choice", "Answer: b\n") and answer_complete("multiple_choice", "Answer: b.\nSo")
    assert not answer_complete("multiple_choice", "Answer: b ") and not answer_complete("multiple_choice", "Answer: b,")


def test_a_one_character_reference_that_is_no_letter_is_a_choice_text_or_an_error():
    """A reference ``2`` was read as the letter of no choice: every rollout failed, silently. It is the choice
    whose text it is (numeric choices), else an error that says to give the letter (MMLU's 0-based index and
    ARC's 1-based label cannot be told apart)."""
    from ptsfast.problems.oracles import judge

    assert mc("Answer: B.", "2", ("1", "2", "3", "4")) and not mc("Answer: C.", "2", ("1", "2", "3", "4"))
    for choices in (("red", "green", "blue", "pink"), None):
        v = judge(oracle_by_name("multiple_choice"), "Answer: C.", P("2", choices))
        assert not v.success and "neither a letter A-E nor one of its choices" in v.error
    assert mc("Answer: B.", "b") and mc("Answer: B.", "(B)") and not mc("Answer: B.", "C")


@pytest.mark.parametrize("text,letter", [
    ("The correct answer is option C.", "C"), ("The answer is Option (B).", "B"), ("Answer: choice D", "D"),
    ("(A) looks right, but the answer is option C.", "C"), ("The answer is optional; (B)", "B"),
    ("The answer is option e^x (A)", "A"),
])
def test_the_answer_named_as_an_option_is_stated(text, letter):
    """Llama-style "The correct answer is option C." had no strong reading: an earlier "(A)" in the reasoning (or
    nothing) was read instead of the stated choice."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice(text) == letter


def test_ten_choices_read_letters_past_e():
    """MMLU-Pro lists ten choices (A-J): "Answer: G" was read as no letter (every right rollout failed), and a
    reference "G" was refused on every rollout as neither a letter nor a choice."""
    mc = oracle_by_name("multiple_choice")
    ten = [str(10 * i) for i in range(10)]
    assert mc("The answer is (G).", P("G", ten)) and mc("**J**", P("J", ten)) and mc("\\boxed{H}", P("H", ten))
    assert mc("So the answer is G", P("60", ten))  # the reference as its choice's text
    assert not mc("The answer is (B).", P("G", ten))
    four = ["1", "2", "3", "4"]  # A-E as before: "I" is a word there, not a choice
    assert mc("I think it is this one.\n(B)", P("B", four)) and not mc("Answer: G", P("B", four))


def test_left_and_right_arrows_are_not_sizes():
    """``\\left``/``\\right`` are dropped as sizes, which cut ``\\leftarrow`` and ``\\rightarrow`` to the same
    ``arrow``: a wrong direction passed."""
    assert not boxed("\\boxed{\\leftarrow}", "\\rightarrow")
    assert not boxed("\\boxed{x \\rightarrow 0}", "x \\leftarrow 0")
    assert boxed("\\boxed{\\left( 1, 2 \\right)}", "(1,2)") and boxed("\\boxed{\\rightarrow}", "\\rightarrow")


def test_the_pronoun_i_after_answer_is_no_choice_among_ten():
    """With MMLU-Pro's ten letters "I" is a choice, and "Answer: I think it's B" was read as I: a right rollout
    failed and a wrong one passed where the reference was I. "Answer: I" and "Answer: I is correct" still read I."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice("Answer: I think it's (B).", "J") == "B"
    assert extract_choice("Answer: I believe B", "J") is None and extract_choice("Answer: I'm unsure", "J") is None
    assert extract_choice("Answer: I", "J") == "I" and extract_choice("Answer: I is correct.", "J") == "I"
    assert extract_choice("The answer is I because 2 + 2 = 4.", "J") == "I"
    assert extract_choice("Answer: I.", "J") == "I" and extract_choice("**Answer:** I", "J") == "I"
