"""Answer oracles against answers as models write them and references as datasets store them (round 7).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``, lm-eval's
multiple-choice regexes) and HF math-verify's reading of the value where MATH's is silent; two different values never
pass for each other, and an answer that hedges names none.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(f"so \\boxed{{{text}}}.", P(ref))


@pytest.mark.parametrize("text,ref,ok", [
    ("5\\text{ or 6}", "5", False), ("5 \\text{or 6}", "5", False), ("5 \\text{ or 6}", "6", False),
    ("5\\mbox{ and 7}", "5", False), ("5 \\text{ (not 6)}", "6", False), ("5 \\text{ nor 6}", "5", False),
    ("5 \\text{ cm}", "5", True), ("5\\text{ m^2}", "5", True), ("12 \\text{ apples}", "12", True),
    ("5 \\, \\text{square units}", "5", True), ("5\\text{ or 6}", "5\\text{ or 6}", True),
])
def test_a_second_value_in_the_text_after_the_value_is_no_unit(text, ref, ok):
    """The text after a value was dropped as its unit whatever it said: ``5\\text{ or 6}`` (a hedge between two
    values) passed for 5; a unit holds no second number and no "or"/"and"."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\text{5 dollars}", "5", True), ("\\text{12 apples}", "12", True), ("\\textrm{3.5 km}", "3.5", True),
    ("\\text{\\$18 per hour}", "18", True), ("\\mbox{1,000 people}", "1000", True), ("\\text{5 dollars}", "6", False),
    ("\\text{5 or 6}", "5", False), ("\\text{5 and 7 cm}", "5", False), ("\\text{12 apples}", "1", False),
    ("\\text{5 dollars}", "\\text{5 dollars}", True), ("\\text{Monday}", "Monday", True),
])
def test_a_value_and_its_unit_written_in_one_text_are_that_value(text, ref, ok):
    """``\\boxed{\\text{5 dollars}}`` (the value and its unit in one ``\\text``, as chat models box a word problem's
    answer) was the word ``5dollars``, never 5: the right answer failed where ``5\\text{ dollars}`` passed."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text", ["\\text{5" + " " * 100_000 + "x{", "\\text{5 " + "a " * 50_000 + "}",
                                  "5" + " " * 50_000 + "\\text{ cm" + " " * 50_000 + "{}"])
def test_a_loop_of_spaces_in_a_text_is_read_at_once(text):
    """A model's loop of spaces inside or after a ``\\text`` is judged at once (a regex splitting them between the
    value and the unit two ways took 40 s for 20,000)."""
    t0 = time.perf_counter()
    assert boxed(text, "6") is False
    assert time.perf_counter() - t0 < 1.0


BIO = ("mitochondria", "ribosomes", "the nucleus", "chloroplasts", "vacuoles")


@pytest.mark.parametrize("text,ref,ok", [
    ("E. coli is a bacterium that lives in the gut.", "E", False),
    ("E. coli is a bacterium. Thus the ribosomes are right.", "E", False),
    ("C. elegans has 302 neurons.", "C", False), ("D. melanogaster is a fly.\nSo (B).", "B", True),
    ("E. coli is a bacterium.\nThe answer is B.", "B", True),
    ("B. ribosomes", "B", True), ("C. the nucleus, since it holds the DNA.", "C", True), ("C. the nucleus", "B", False),
    ("B. Ribosomes", "B", True), ("B) ribosomes", "B", True), ("B.", "B", True), ("B: ribosomes", "B", True),
])
def test_a_species_name_opening_a_line_is_no_choice(text, ref, ok):
    """A line opening with a binomial name's initial (``E. coli``, ``C. elegans``) was read as the choice E or C: an
    answer naming no choice passed where E was right. A letter and a period before a lower-case word are a choice only
    where that word opens the choice's own text (``B. ribosomes``)."""
    assert oracle_by_name("multiple_choice")(text, P(ref, BIO)) is ok
    assert oracle_by_name("multiple_choice")(text, P(ref, tuple(f"{c}. {t}" for c, t in zip("ABCDE", BIO)))) is ok


@pytest.mark.parametrize("text,letter", [
    ("La respuesta correcta es la C.", "C"), ("La respuesta correcta es la opción B.", "B"),
    ("A resposta correta é a D.", "D"), ("A resposta correta é a alternativa C.", "C"),
    ("A resposta correta é a letra B", "B"), ("La risposta corretta è la B.", "B"),
    ("La bonne réponse est la C.", "C"), ("La respuesta es el inciso D.", "D"),
    ("La respuesta correcta es la A.", "A"), ("A resposta correta é a A.", "A"),
    ("La respuesta correcta es la A o la B.", None), ("A resposta é a C ou a D.", None),
    ("La respuesta correcta es la que dice B.", None), ("A resposta correta é a menor.", None),
])
def test_an_answer_in_another_language_naming_the_letter_with_its_article_is_read(text, letter):
    """Spanish, Portuguese, Italian and French name the letter with its article ("es la C", "é a alternativa C"):
    the answer was read as no choice, and every right rollout of a Global-MMLU or ENEM row failed."""
    assert extract_choice(text) == letter


@pytest.mark.parametrize("text,ref,ok", [
    ("So the answer is $\\boxed 5$.", "5", True), ("So the answer is $\\boxed 5$.", "6", False),
    ("Thus \\boxed 12.\nDone.", "12", True), ("\\[\\boxed -3\\]", "-3", True), ("$\\boxed 1,000$ people", "1000", True),
    ("The answer is \\boxed 7", "7", True), ("$\\boxed 3.5$", "3.5", True),
    ("$\\boxed 5$ and then $\\boxed{6}$", "6", False), ("$\\boxed{6}$ and then $\\boxed 5$", "6", True),
    ("$\\boxed 2\\sqrt{3}$", "2", False), ("$\\boxed 5 x$", "5", False),
    ("I put the answer in \\boxed{}: $\\boxed 9$", "9", True), ("I use \\boxed for it: \\boxed{8}", "8", True),
])
def test_a_box_without_braces_in_an_answer_is_read(text, ref, ok):
    """A model's own ``\\boxed 5`` (no braces, as MATH's solutions write it) held no answer: the right answer failed,
    where a reference so boxed was read. It is the first box where it comes first, a number up to the math's end
    (``\\boxed 2\\sqrt{3}`` is no box of 2)."""
    assert oracle_by_name("boxed")(text, P(ref)) is ok


@pytest.mark.parametrize("text", ["So $\\boxed 12$ and later \\boxed{13}.", "\\boxed 5.5\n", "\\boxed{4} \\boxed 5$",
                                  "\\boxed 2\\sqrt{3}$ so \\boxed{2\\sqrt3}", "Is it \\boxed 1,000 or \\boxed{7}?"])
def test_a_box_without_braces_stops_the_rollout_only_when_decided(text):
    """The early stop fires where no continuation changes the verdict: ``\\boxed 5`` may become ``\\boxed 50``."""
    for ref in ("12", "13", "5.5", "5", "4", "2\\sqrt3", "1000", "7"):
        final = oracle_by_name("boxed")(text, P(ref))
        for k in range(len(text) + 1):
            if answer_complete("boxed", text[:k]):
                assert oracle_by_name("boxed")(text[:k], P(ref)) is final, (text[:k], ref)
    assert not answer_complete("boxed", "So $\\boxed 5") and not answer_complete("boxed", "So $\\boxed 5.")
    assert answer_complete("boxed", "So $\\boxed 5$") and answer_complete("boxed", "So \\boxed 5.\n")


@pytest.mark.parametrize("text", ["\\boxed 1" * 20_000, "\\boxed " * 20_000, "\\boxed 1" + ",1" * 50_000 + "x",
                                  "\\boxed 1" + " " * 100_000 + "x", "x \\boxed{" * 10_000 + "\\boxed 5"])
def test_a_loop_of_boxes_without_braces_is_read_at_once(text):
    """A model's loop of unbraced boxes, digits or spaces is judged, and asked whether it is complete, at once."""
    t0 = time.perf_counter()
    oracle_by_name("boxed")(text, P("5"))
    answer_complete("boxed", text)
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("name,text,ref,ok", [
    ("last_number", "So the slope is $\\frac{-3}{4}$.", "-0.75", True),
    ("last_number", "So the slope is $\\frac{-3}{4}$.", "4", False),
    ("last_number", "So the slope is $\\frac{-3}{4}$.", "0.75", False),
    ("last_number", "It is \\dfrac{3}{-4}", "-3/4", True), ("last_number", "It is -\\frac{-3}{4}", "0.75", True),
    ("last_number", "It is \\frac{ \u22123 }{4}", "-0.75", True), ("last_number", "It is \\frac{7.5}{3}", "2.5", True),
    ("last_number", "It is \\frac{7.5}{3}", "3", False), ("gsm8k", "#### \\frac{-1}{2}\n", "-0.5", True),
    ("gsm8k", "#### \\frac{-1}{2}\n", "1", False), ("last_number", "It is \\frac{3}{4}", "0.75", True),
])
def test_a_fraction_with_a_signed_or_decimal_part_is_one_number(name, text, ref, ok):
    """``\\frac{-3}{4}`` (the minus on the numerator, as models write a negative slope) was read as the numbers -3 and
    4: the last number was 4, so the right -0.75 failed and a reference 4 passed; so was ``\\frac{7.5}{3}``."""
    assert oracle_by_name(name)(text, P(ref)) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("\\text{Odd}", "\\text{odd}", True), ("\\text{even}", "\\text{Even}", True), ("\\text{no}", "No", True),
    ("\\text{Yes}", "yes", True), ("\\text{No solution}", "\\text{no solution}", True),
    ("Monday", "\\text{monday}", True),
    ("\\text{Odd}", "\\text{even}", False), ("\\text{no}", "Yes", False), ("X", "x", False), ("AB", "ab", False),
    ("\\text{Ab}", "ab", True), ("ABC", "abc", False), ("\\text{Even}", "\\text{odd}", False),
])
def test_a_word_answer_is_read_whatever_its_first_letter(text, ref, ok):
    """A word boxed with a capital (``\\text{Odd}``, ``\\text{No}``) failed a reference in lower case (``\\text{odd}``,
    as MATH writes its word answers), as PRM800K's grader reads them alike; a variable's case still counts (``X``,
    ``AB``: a point, a segment)."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("[2, +\\infty)", "[2,\\infty)", True), ("(-\\infty,2)\\cup(3,+\\infty)", "(-\\infty,2)\\cup(3,\\infty)", True),
    ("+\\infty", "\\infty", True), ("(3, ∞)", "(3,\\infty)", True), ("(-∞, 3]", "(-\\infty,3]", True),
    ("[2, +\\infty)", "(2,\\infty)", False), ("(-\\infty, 2)", "(2,\\infty)", False), ("x+\\infty", "x\\infty", False),
    ("[2, -\\infty)", "[2,\\infty)", False),
])
def test_infinity_with_a_plus_sign_or_as_its_symbol_is_infinity(text, ref, ok):
    """``[2, +\\infty)`` and ``(3, ∞)`` (how models close an interval) failed MATH's ``[2,\\infty)``: math-verify
    reads them alike."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,letter", [
    ("The answer is *C*.", "C"), ("The answer is __C__", "C"), ("The answer is `C`.", "C"), ("The answer is 'C'.", "C"),
    ("The answer is \"C\".", "C"), ("The answer is “C”.", "C"), ("Answer: ‘B’", "B"), ("The answer is *c*.", "C"),
    ("Answer: `(D)`", "D"), ("The answer is *A*.", "A"), ("The answer is 'A lot of work'.", None),
    ("The answer is *A* or *B*.", None), ("The answer is `A` or `C`.", None), ("Answer: 'B' or 'C'", None),
    ("The answer is *probably* C.", None), ("The answer is \"Cat\".", None),
])
def test_a_letter_in_italics_code_or_quotes_is_stated(text, letter):
    """A letter set in markdown italics or code, or quoted (``*C*``, `` `C` ``, ``'C'``, as chat models stress it), was
    read as no choice, where ``**C**`` was: the right answer failed; two so set still hedge."""
    assert extract_choice(text) == letter


@pytest.mark.parametrize("text", ["The answer is *C*.\n", "The answer is `C`.", "Answer: 'B'\n", "The answer is “C”.",
                                  "The answer is __C__."])
def test_a_letter_in_italics_code_or_quotes_stops_the_rollout_only_when_decided(text):
    """The early stop waits until no second letter can join the first (``*C*`` may become ``*C* or *D*``)."""
    letter = extract_choice(text)
    for k in range(len(text) + 1):
        if answer_complete("multiple_choice", text[:k]):
            for tail in ("", " or *A*.", " or `A`", ", 'A'", "\nAnswer: A"):
                assert extract_choice(text[:k] + tail) == letter, (text[:k], tail)
    assert answer_complete("multiple_choice", text)


@pytest.mark.parametrize("text,letter", [
    ("Therefore, B is the correct answer.", "B"), ("So option B is correct.", "B"), ("Choice (C) is correct.", "C"),
    ("Thus **D** is the right choice.", "D"), ("Hence C is the best option!", "C"), ("So, B is correct", "B"),
    ("A is incorrect. C is correct.\nB is wrong.", "C"), ("A is wrong, so option D is the correct one.", "D"),
    ("B is correct only if x > 0.", None), ("A or B is correct.", None),
    ("A/B is correct.", None), ("A and B is right.", None), ("Both A and C are correct.", None),
    ("B is correct.\nAnswer: D", "D"), ("B is not correct.", None), ("(A) fails.\nSo C is the correct answer.", "C"),
    ("C is correct. Wait, no: D is correct.", "D"),
])
def test_a_letter_said_to_be_the_correct_one_is_stated(text, letter):
    """"B is the correct answer", "option B is correct" (how chat models conclude without an "Answer:" line) named no
    choice, or the first "(A)" of the reasoning: the right answer failed. Read after any "Answer: X", the last such
    sentence (a trace changing its mind), before a letter merely opening a line."""
    assert extract_choice(text) == letter


@pytest.mark.parametrize("text,ref,ok", [
    ("5\\,\\mathrm{cm}", "5", True), ("5 \\mathrm{kg}", "5", True), ("5~\\text{cm}", "5", True),
    ("5 \\mathrm{~cm}", "5", True), ("5\\mathrm{~m}^2", "5", True), ("12~\\mathrm{m/s}", "12", True),
    ("5\\,\\mathrm{cm}", "6", False), ("2\\,\\mathrm{i}", "2", False), ("3\\,\\mathrm{e}", "3", False),
    ("5\\,\\mathrm{or}~6", "5", False), ("5~\\text{or 6}", "5", False),
])
def test_a_unit_in_roman_type_or_after_a_tie_is_a_unit(text, ref, ok):
    """``5\\,\\mathrm{cm}`` and ``5~\\text{cm}`` (a unit in roman type, or set apart by a tie, as Qwen2.5-Math and R1
    write SI units) were no unit: the right 5 failed where ``5\\,\\text{cm}`` passed. ``\\mathrm{i}`` and
    ``\\mathrm{e}`` are numbers, no unit."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text", ["\\text{" + " " * 100_000 + "a{", "\\mathrm{" + "~" * 100_000 + "a{",
                                  "5" + "~" * 100_000 + "\\mathrm{cm"])
def test_a_loop_of_ties_or_spaces_around_a_unit_is_read_at_once(text):
    """Spaces or ties opening a unit's text were split between the space and the unit every way (3,000 took 1.5 s)."""
    t0 = time.perf_counter()
    assert boxed(text, "6") is False
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text", ["5\\text{ cm}" + " " * 100_000 + "x",
                                  "5\\text{ cm}" + " " * 50_000 + "." + " " * 50_000 + "x"])
def test_a_loop_of_spaces_after_a_unit_is_read_at_once(text):
    """The spaces after a unit were split every way around its optional period (20,000 took 7 s to judge)."""
    t0 = time.perf_counter()
    assert boxed(text, "6") is False
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text", ["Answer: " + " " * 20_000 + "x", "\n" * 20_000, "Answer:\n" + "\n" * 20_000 + "Bob",
                                  "答案：" + " " * 20_000 + "x", "The answer is $" + " " * 20_000 + "x",
                                  "\n" * 10_000 + "B" + " " * 10_000 + "x"])
def test_a_loop_of_spaces_or_blank_lines_is_read_at_once(text):
    """Each stated letter's and each line's spaces were split every way (the blank lines after each line start were
    read again): "Answer:" and 4,000 spaces took 1.2 s to read, twice, at each token of the early stop."""
    t0 = time.perf_counter()
    assert extract_choice(text) is None and not answer_complete("multiple_choice", text)
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text", ["Answer: A," + " " * 20_000 + "x", "Answer: A, " + "or " * 10_000 + "x",
                                  "Answer: B" + " " * 20_000 + "/x"])
def test_a_loop_of_spaces_after_a_letter_and_a_comma_is_read_at_once(text):
    """A letter, a comma and a loop of spaces were split every way while looking for a second letter (a hedge):
    20,000 spaces took 90 s to judge, at each token of the early stop."""
    t0 = time.perf_counter()
    extract_choice(text)
    answer_complete("multiple_choice", text)
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text,letter", [
    ("Answer: A, or B.", None), ("Answer: A ,or B.", None), ("Answer: A,or B", None), ("Answer: A, and C.", None),
    ("Answer: A, B.", None), ("Answer: A, ordered.", "A"),
])
def test_a_letter_and_a_comma_before_another_still_hedge(text, letter):
    """Read in one way, the comma and "or" between two letters still make a hedge."""
    assert extract_choice(text) == letter


@pytest.mark.parametrize("text,letter", [
    ("答案：Ｃ", "C"), ("答案是（Ｂ）。", "B"), ("Answer: Ｄ", "D"), ("正确选项是C", "C"), ("正确的选项为 C。", "C"),
    ("正確選項是 B", "B"), ("答案：Ａ、Ｂ", None), ("答案：Ｃ选项", "C"),
])
def test_a_full_width_letter_or_the_correct_option_named_in_chinese_is_read(text, letter):
    """Chinese answers write the letter full width (``答案：Ｃ``, as Qwen does in a Chinese sentence) or name "the correct
    option" (正确选项是C): they were no choice, and every right rollout of a C-Eval or CMMLU row failed."""
    assert extract_choice(text) == letter
    if letter:
        assert answer_complete("multiple_choice", text + "\n")


@pytest.mark.parametrize("text,ref,ok", [
    ("\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", True),
    ("\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{bmatrix}1&0\\\\0&1\\end{bmatrix}", True),
    ("\\begin{bmatrix} 1 \\\\ 3 \\end{bmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", False),
    ("\\begin{vmatrix} 1 \\\\ 2 \\end{vmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", False),
])
def test_a_matrix_in_square_brackets_is_the_same_matrix(text, ref, ok):
    """A vector or matrix in ``bmatrix`` (square brackets) failed MATH's ``pmatrix`` reference of the same entries,
    where math-verify reads both as one matrix; ``vmatrix`` (a determinant) is no matrix."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("2 \\text{ and } 3", "2, 3", True), ("2 \\text{ and } 3", "3, 2", True),
    ("x = 2 \\text{ or } x = 3", "2, 3", True), ("x = 1, x = 2", "2, 1", True),
    ("x=-1 \\text{ and } x=\\frac{1}{2}", "\\frac12, -1", True), ("2, 3, \\text{and } 4", "2, 3, 4", True),
    ("2 \\text{ and } 3", "2", False), ("2 \\text{ or } 3", "3", False), ("2 \\text{ and } 3", "2, 4", False),
    ("x = 2 \\text{ and } y = 3", "2, 3", False), ("x = 2 \\text{ or } x = 3", "2", False),
    ("2 \\text{ and } 3", "2 \\text{ and } 3", True),
])
def test_solutions_joined_by_and_or_or_are_a_list(text, ref, ok):
    """The solutions boxed as ``2 \\text{ and } 3`` or ``x = 2 \\text{ or } x = 3`` (as chat models join them) failed
    MATH's "2, 3": they are that list, in any order; one value joined to another still fails either, and two
    variables' values are no list of solutions."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text", ["2" + " " * 100_000 + "\\text{x}", "2," + " " * 100_000 + "\\text{ and}",
                                  "x" + " " * 100_000 + "= 2"])
def test_a_loop_of_spaces_before_a_joining_word_is_read_at_once(text):
    t0 = time.perf_counter()
    assert boxed(text, "2, 3") is False
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text,letter", [
    ("所以选C。", "C"), ("因此选 B", "B"), ("因此应选D。", "D"), ("所以应该选择 A。", "A"), ("综上，选C", "C"),
    ("如果选C，那么x=2。", None), ("所以选A或B。", None),
])
def test_a_letter_chosen_in_chinese_is_read(text, letter):
    """"所以选C" ("so choose C", how Qwen and DeepSeek conclude a Chinese multiple-choice answer) was no choice (only
    故选 was read): every right rollout of such a C-Eval or CMMLU row failed; "如果选C" (if C is chosen) is none."""
    assert extract_choice(text) == letter


@pytest.mark.parametrize("text,letter", [
    ("I'd go with C.", "C"), ("I'll pick (B).", "B"), ("I would choose D.", "D"), ("I will select option A.", "A"),
    ("I’d choose B", "B"), ("I would choose A to be the origin.", None), ("I'd go with C or D.", None),
])
def test_a_letter_one_would_choose_is_stated(text, letter):
    """"I'd go with C.", "I would choose D." (a chat model's conclusion) named no choice where "I choose D." did."""
    assert extract_choice(text) == letter


@pytest.mark.parametrize("text,letter", [
    ("Jawaban yang benar adalah C.", "C"), ("Jawabannya adalah B", "B"), ("Jawaban: D", "D"),
    ("Đáp án: C", "C"), ("Đáp án đúng là B.", "B"), ("Vậy đáp án là D", "D"), ("Đáp án: A hoặc B", None),
    ("The answer is letter C.", "C"), ("The correct answer is letter (B).", "B"),
])
def test_an_answer_in_indonesian_or_vietnamese_or_named_as_a_letter_is_read(text, letter):
    """Indonesian "Jawaban yang benar adalah C" and Vietnamese "Đáp án: C" (Global-MMLU's and M3Exam's languages), and
    "the answer is letter C", named no choice: every right rollout so answered failed."""
    assert extract_choice(text) == letter


@pytest.mark.parametrize("text,ref,ok", [
    ("5\\quad\\text{cm}", "5", True), ("5 \\qquad \\mathrm{kg}", "5", True), ("5\\text{cm}", "5", True),
    ("\\frac{1}{2}\\text{hours}", "\\frac12", True), ("12\\mathrm{m/s}", "12", True), ("5\\text{cm}", "6", False),
    ("2\\mathrm{i}", "2", False), ("5\\quad\\text{or 6}", "5", False), ("x\\text{cm}", "x", False),
])
def test_a_unit_after_a_quad_or_against_the_number_is_a_unit(text, ref, ok):
    """``5\\quad\\text{cm}`` and ``5\\text{cm}`` (a unit set apart by a quad, or written against the number) were no
    unit: the right 5 failed, where math-verify drops the unit; a unit after a name (``x\\text{cm}``) is still kept."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text", ["5" + "\\quad" * 30_000 + "\\text{cm", "5" + "\\qquad " * 20_000 + "\\text{a{",
                                  "5\\text{cm}" * 10_000])
def test_a_loop_of_quads_or_units_is_read_at_once(text):
    t0 = time.perf_counter()
    assert boxed(text, "6") is False
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("2 \\text{π}", "2", False), ("2\\text{π}", "2", False), ("2 \\text{ \\pi}", "2", False),
    ("3\\text{\\pi}", "3", False), ("5 \\text{ μm}", "5", True), ("5\\,\\text{Ω}", "5", True),
    ("5\\text{\\%}", "5", True),
])
def test_pi_in_a_text_after_the_value_is_no_unit(text, ref, ok):
    """``2 \\text{π}`` (2π written in text) was read as 2 with the unit π dropped, and passed for 2: a unit's text holds
    no π and no command."""
    assert boxed(text, ref) is ok
