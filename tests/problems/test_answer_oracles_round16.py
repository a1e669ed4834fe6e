"""Answer oracles against answers as models write them, and the multiple-choice early stop's cost.

A hedge names no answer, a right answer in a common spelling passes, every prefix the early stop accepts gives the
whole text's verdict, and the stop's quick lookups give the verdicts of its whole-text scans.
"""

import random

import pytest

from ptsfast.problems import oracles
from ptsfast.problems.oracles import answer_complete, extract_choice
from test_answer_oracles_round15 import P, assert_stops_only_where_the_verdict_is_known, judged


# ----------------------------------------------------------------- the multiple-choice stop's cost

def whole_text_scans(text):
    """The stop check as it was: every strong pattern read over the whole text, the hedges read first."""
    text = oracles._compatible(text)
    hedged = oracles._inside(oracles._hedged(text, "Z"))
    for p in oracles._MC_STRONG:
        m = next((m for m in p.finditer(text) if not hedged(m.start(m.lastindex))), None)
        if m and oracles._stated_settled(text, m, p):
            return True
    return False


PIECES = ["Answer", "answer", "ANSWER", "anſwer", "rıght", "rİght", "fınal", "Final", "correct", "right", "best",
          "option", "choice", "response", " is ", " should be ", ": ", "：", "**", "(", ")", "[", "]", "$", "\\(",
          "\\)", "\\text{", "}", "\\boxed{", "<answer>", "</answer>", "A", "B", "C", "D", "E", "I", "b", "c", " ", " ",
          "\n", ".", ",", " or ", " and ", "/", "15", " 18", "I choose ", "I'd go with ", "I’ll pick ",
          "I would select ",
          "答案", "是", "选", "故选", "Respuesta: ", "La respuesta es ", "Jawaban: ", "jawapan ", "Ответ: ", "Đáp án: ",
          "odpowiedź ", "odpowiedz ", "Antwoord: ", "Antwort: ", "svar: ", "sagot ", "’", "×", "—", "½", "²", "Ｃ",
          "Ａｎｓｗｅｒ", "\u212a", "ß", "ﬁnal", "the ", "probably ", "Therefore, ", "it is ", "was not ", "Paris",
          " because", "15 or C. 18", "**B) 15**", "I think", "The fınal choice is ", "the rıght option: ",
          "BEST OPTION "]


def test_the_stop_check_gives_the_verdicts_of_its_whole_text_scans():
    """The stop check read every strong pattern over the whole text and all its hedges at every checked token (1 ms a
    call after 1,024 tokens, 5 ms after 4,096); it now tries each pattern only where its opening word is written and
    reads the hedges once a letter is stated. Random texts of answer words, letters, marks and characters that read as
    ASCII letters in another case (ı, ſ, the Kelvin sign) get the same verdict both ways, each prefix too."""
    rng = random.Random(16)
    complete = 0
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14)))
        for cut in (len(text), rng.randint(0, len(text))):
            expected = whole_text_scans(text[:cut])
            assert oracles._multiple_choice_complete(text[:cut]) is expected, text[:cut]
            complete += expected
    assert complete > 60  # the texts state letters often enough to test both verdicts


@pytest.mark.parametrize("text", [
    "I think the answer is B because 15 fits.\nAnswer: B\n",
    "I'll pick (C) here.\n",
    "The fınal choice is C.\n",  # a dotless i: the pattern reads it as i, a lower-case lookup would not
    "Het juiste antwoord is C.\n",
    "答案：C\n",
    "Ответ: C\n",
    "Respuesta: B.\n",
])
def test_a_stated_letter_after_a_long_trace_still_stops(text):
    trace = "To find the total, first add the apples: 12 + 7 = 19. Then the answer must cover 15 * 3 = 45. " * 60
    assert oracles._multiple_choice_complete(trace + text) is whole_text_scans(trace + text) is True


def test_a_dutch_stated_choice_text_is_read():
    """``Het juiste antwoord is Parijs.`` named no choice: the Dutch answer word was looked for as ``antwor``, which
    ``antwoord`` does not hold, so the pattern of answer words in other languages was never read on an ASCII text."""
    choices = ("Parijs", "Londen", "Rome", "Berlijn")
    assert extract_choice("Het juiste antwoord is Parijs.", "E", choices) == "A"
    assert judged("multiple_choice", "Antwoord: 15", "B", ("12", "15", "18", "20"))
    assert not judged("multiple_choice", "Het juiste antwoord is Londen.", "A", choices)


# ----------------------------------------------------------------- boxed and gsm8k

@pytest.mark.parametrize("text", [
    r"\boxed{12} vs \boxed{13}",
    r"$\boxed{12}$ versus $\boxed{13}$",
    r"\boxed{12} vs. \boxed{13}",
    r"\boxed{12}, alternatively, \boxed{13}",
    r"$$\boxed{12}$$ or $$\boxed{13}$$",
])
def test_two_boxes_offered_name_no_one_answer(text):
    """A box compared with another (``vs``), offered as an alternative or in display math passed for the first (the
    early stop ended the rollout one character after it): two boxes so joined are a list, as ``\\boxed{12} or
    \\boxed{13}`` was, right only against a reference of both."""
    assert not judged("boxed", text, "12") and not judged("boxed", text, "13")
    assert judged("boxed", text, "12, 13")
    assert_stops_only_where_the_verdict_is_known("boxed", text, ["12", "13", "12, 13"])


@pytest.mark.parametrize("text,ref,right", [
    (r"\boxed{12} (or 13)", "12", False), (r"\boxed{12} or 13", "12", False),
    (r"\boxed{12}, or possibly 13.", "12", False),
    (r"\boxed{12}\text{ or }13", "12", False), (r"\boxed{12} or 13,000 in all.", "12", False),
    (r"\boxed{12} (or 13)", "12, 13", True), (r"\boxed{2} or 3.", "2, 3", True),
    (r"\boxed{\frac{1}{2}} (or 0.5).", r"\frac12", True), (r"\boxed{12} (or 12.0).", "12", True),
    (r"\boxed{12} or fewer.", "12", True), (r"\boxed{12}. Or 13.", "12", True),
    (r"\boxed{12} and 13 more.", "12", True),
    (r"\boxed{\frac{1}{2}} (or 50\%).", r"\frac12", True), (r"\boxed{0.5} (or 50%).", "0.5", True),
    (r"\boxed{0.5} (or 40%).", "0.5", False), (r"\boxed{12} (or 13 if we round).", "12", False),
    (r"\boxed{12 \text{ cm}} (or 13 \text{ cm})", "12", False), (r"\boxed{2 \text{ hours}} (or 2 hours).", "2", True),
])
def test_a_number_offered_after_a_box_is_a_second_answer(text, ref, right):
    """``\\boxed{12} (or 13)`` passed 12 (the early stop ended it at ``\\boxed{12} (or 1``): a number offered with
    "or" after the box is a second answer, as a second box is; the same value restated (``(or 0.5)``) is none."""
    assert judged("boxed", text, ref) is right
    assert_stops_only_where_the_verdict_is_known("boxed", text, [ref, "12", "13", "12, 13"])


@pytest.mark.parametrize("text,stop", [
    ("\\boxed{8}.", "\\boxed{8}."), ("\\boxed{8}\nThus", "\\boxed{8}\nT"), ("\\boxed{8} is it.", "\\boxed{8} is it."),
    ("\\boxed{8} vs. 9 before.", "\\boxed{8} vs. 9"),
    ("\\boxed{8} versus \\boxed{8}.", "\\boxed{8} versus \\boxed{8}."),
])
def test_a_single_box_still_stops_soon_after_it(text, stop):
    first = next((text[:i] for i in range(len(text) + 1) if answer_complete("boxed", text[:i])), None)
    assert first == stop and judged("boxed", text, "8")


@pytest.mark.parametrize("got,ref,right", [
    (r"\textbf{(A)}\ 13", r"\textbf{(A)}\ 12", False),
    (r"(A)\ 13", r"\textbf{(A)}\ 12", False),
    (r"\textbf{(B)}\ 12", r"\textbf{(A)}\ 12", False),
    (r"\textbf{(A)}\ 12", r"\textbf{(A)}\ 12", True),
    (r"(A) 2\sqrt3", r"\textbf{(A)}\ 2\sqrt{3}", True),
    (r"\textbf{(A) } \frac{1}{2}", r"\textbf{(A)}\ 1/2", True),
    (r"\mathrm{(A)}\ 12", r"\mathrm{(A) \ } 12", True),
    (r"\mathrm{(A)}\ 13", r"\mathrm{(A) \ } 12", False),
    (r"12", r"\mathrm{(A) \ } 12", True),
    (r"A", r"\textbf{(A)}\ 12", True),
])
def test_an_amc_answer_with_its_letter_and_value_needs_both_right(got, ref, right):
    """``\\boxed{\\textbf{(A)}\\ 13}`` passed the reference ``\\textbf{(A)}\\ 12``: the letter was compared and its
    value dropped. An answer that writes both is right only where both are (a letter alone, or a value alone, is
    compared as before); the reference's label may hold LaTeX's spaces (``\\mathrm{(A) \\ } 12``)."""
    assert judged("boxed", f"So \\boxed{{{got}}}.", ref) is right


@pytest.mark.parametrize("line,ref,right", [
    ("12 (13 with tax)", "12", False), ("$12 ($13 after tax)", "12", False), ("12 (13 incl. tax)", "12", False),
    ("12 (13 without the discount)", "12", False), ("12 (13 rounded up)", "12", False),
    ("12 (13 with tax)", "13", False),
    ("12 (3 for each)", "12", True), ("18 ($3 with each of 6)", "18", True), ("12 (3 after lunch)", "12", True),
    ("12 cookies (3 with chocolate)", "12", True),
])
def test_a_gsm8k_line_with_a_second_amount_after_tax_names_no_answer(line, ref, right):
    """``#### 12 (13 with tax)`` passed 12: an amount in brackets with or after tax, a tip, a discount, or rounded,
    is a second answer, as ``12 (13 including tax)`` was; a part of the answer (``3 with chocolate``) is not."""
    assert judged("gsm8k", f"So that is it.\n#### {line}\n", ref) is right


# ----------------------------------------------------------------- multiple-choice hedges

@pytest.mark.parametrize("text", [
    "Answer: B, alternatively C.", "Answer: B; alternatively C.", "Answer: B (alternatively C).",
    "Answer: B, otherwise C.", "Answer: B, or else C.", "Answer: B, if not C.", "Answer: B (if not, C)",
    "Answer: B, unless it's C.", "Answer: B, though possibly C.", "Answer: B or, possibly, C.",
    "Answer: B, and also C.",
    "Answer: B (C is also acceptable)", "The answer is B, probably C.", "**Answer: B, otherwise D**",
    "Answer: B — or C.", "Answer: B – or C.", "Answer: B) or C)", "Answer: B、C",
])
def test_a_letter_with_a_second_offered_names_no_choice(text):
    """Each of these read B (and the rollout stopped at ``Answer: B —`` for a dash): a second letter offered as an
    alternative in words, after a dash's "or", as a bracketed letter or after the ideographic comma is a hedge, as
    ``B, but it could also be C`` was."""
    assert extract_choice(text) is None
    assert not judged("multiple_choice", text, "B") and not judged("multiple_choice", text, "C")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ["B", "C"])


@pytest.mark.parametrize("text", [
    "Answer: B, otherwise C would be too large.", "Answer: B — it is the only one.", "The answer is B, probably.",
    "Answer: B (also called beta).", "Answer: B, also C is wrong.", "Answer: B — 15 apples.", "Answer: B) 15",
    "Answer: B, though A is close.",
])
def test_a_letter_with_another_named_but_not_offered_is_still_the_choice(text):
    assert extract_choice(text) == "B" and judged("multiple_choice", text, "B")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ["B", "C"])


@pytest.mark.parametrize("line,ref,right", [
    ("12, alternatively 13", "12", False), ("12 (alternatively 13)", "12", False), ("12, otherwise 13", "12", False),
    ("12, probably 13", "12", False), ("12, but it could be 13", "12", False), ("12 (or is it 13?)", "12", False),
    ("12 (actually 13)", "12", False), ("12 (actually 13)", "13", False),
    ("12 (probably)", "12", True), ("12, actually", "12", True), ("12 hours (otherwise 720 minutes)", "12", True),
])
def test_a_gsm8k_line_offering_a_second_number_in_words_names_no_answer(line, ref, right):
    """``#### 12, alternatively 13`` and ``#### 12 (actually 13)`` passed 12: a second number offered in words is a
    second answer, as ``12, maybe 13`` was; the same amount in another unit is none."""
    assert judged("gsm8k", f"So that is it.\n#### {line}\n", ref) is right
    if not right:  # the last number offered with another names none either
        assert not judged("last_number", f"So it is {line}.", ref)


@pytest.mark.parametrize("got,ref,right", [
    (r"(-∞, 2) ∪ (3, ∞)", r"(-\infty, 2) \cup (3, \infty)", True), (r"2π", r"2\pi", True), (r"πr^2", r"\pi r^2", True),
    (r"x ≤ 3", r"x \le 3", True), (r"1 ± √2", r"1 \pm \sqrt{2}", True), (r"√2/2", r"\frac{\sqrt2}{2}", True),
    (r"2√3", r"2\sqrt{3}", True), (r"∅", r"\varnothing", True),
    (r"2π", r"3\pi", False), (r"x ≥ 3", r"x \le 3", False),
    (r"(-∞, 2) ∪ (3, ∞)", r"(-\infty, 2) \cap (3, \infty)", False),
    (r"√3", r"\sqrt2", False),
])
def test_a_box_written_with_unicode_math_symbols_is_read_as_latex(got, ref, right):
    """``\\boxed{(-∞, 2) ∪ (3, ∞)}`` failed the reference ``(-\\infty, 2) \\cup (3, \\infty)`` (only ∞ was read as
    its command), and so did ``2π``, ``x ≤ 3``, ``1 ± √2``: the symbols are read as LaTeX's commands."""
    assert judged("boxed", f"So \\boxed{{{got}}}.", ref) is right


@pytest.mark.parametrize("text", [
    "Answer: 15, alternatively 18.", "The answer is 15, otherwise 18.", "The answer is B or C (15 or 18).",
    "**Answer: B (15)**, though C (18) is also possible.",
])
def test_choices_offered_with_their_values_name_none(text):
    """Each read B (15): a choice's text offered with another's in words, two letters before their values in
    brackets, and a letter with its value weighed against another's, are hedges."""
    choices = ("12", "15", "18", "20")
    assert extract_choice(text, "E", choices) is None
    assert not judged("multiple_choice", text, "B", choices) and not judged("multiple_choice", text, "C", choices)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ["B", "C"], choices)


@pytest.mark.parametrize("text", ["Answer: B (15), though A (12) is close.", "The answer is 15, probably.",
                                  "Answer: B (15)."])
def test_a_choice_with_its_value_weighed_alone_is_still_read(text):
    choices = ("12", "15", "18", "20")
    assert extract_choice(text, "E", choices) == "B" and judged("multiple_choice", text, "B", choices)


@pytest.mark.parametrize("text,letter", [("答案：选B", "B"), ("答案：选项B", "B"), ("答案：选 B。", "B"),
                                         ("答案：选项 (B)", "B"), ("答案：选项B或C", None)])
def test_a_chinese_answer_naming_its_option_is_read(text, letter):
    """``答案：选项B`` and ``答案：选B`` (the answer word, a colon, then "option") named no choice: a right answer failed."""
    assert extract_choice(text) == letter
    assert judged("multiple_choice", text, "B") is (letter == "B")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text + "\n", ["B", "C"])
