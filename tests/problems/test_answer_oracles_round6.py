"""Answer oracles against answers as models write them and references as datasets store them (round 6).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``, lm-eval's
GSM8K and multiple-choice regexes) and HF math-verify's reading of the value where MATH's is silent; two different
values never pass for each other, and no answer, however long or looping, takes long to judge.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_boxed, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


@pytest.mark.parametrize("text", ["\\boxed{\\frac{1}{2}" * 5000, "\\boxed{" * 14000, "\\fbox{x" * 14000])
def test_boxes_left_open_by_a_loop_are_read_at_once(text):
    """Each box that never closes was read to the text's end: a model's loop of 5,000 ``\\boxed{\\frac{1}{2}`` took
    30 s and 14,000 ``\\boxed{`` two minutes to judge, and the early stop asks after every token (no timeout)."""
    t0 = time.perf_counter()
    assert extract_boxed(text) is None and extract_boxed(text, last=True) is None
    assert not answer_complete("boxed", text)
    assert not oracle_by_name("boxed")(text, P("1"))
    assert extract_boxed(text + "}" * 3) is not None
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text,first,last", [
    ("\\boxed{1} and \\boxed{2}", "1", "2"), ("\\boxed{ \\boxed{3}", "3", "3"),
    ("\\boxed{a{b}c} \\boxed{}", "a{b}c", "a{b}c"),
    ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}", "\\{1, 2\\}"), ("\\boxed{x} \\boxed{", "x", "x"), ("\\boxed{", None, None),
    ("\\boxed {5} then \\fbox{6}", "5", "6"), ("\\boxed{\\boxed{3}}", "\\boxed{3}", "3"),
])
def test_the_first_and_last_closed_boxes_are_read_as_before(text, first, last):
    """The one-pass reading keeps the boxes read: the first (a rollout's answer) and the last (a reference's)."""
    assert extract_boxed(text) == first and extract_boxed(text, last=True) == last


@pytest.mark.parametrize("name,text,ref,ok", [
    ("last_number", "So she pays $1{,}000$.", "1000", True), ("last_number", "So she pays $1{,}000$.", "0", False),
    ("last_number", "The total is $12{,}345{,}678$", "12345678", True),
    ("last_number", "It is 1\\,000 m", "1000", True),
    ("last_number", "It is 1\\,000 m", "0", False), ("last_number", "It is $1,\\!250.50$", "1250.5", True),
    ("last_number", "The answer is $\\boxed{1{,}000}$.", "1000", True), ("gsm8k", "#### 1{,}000\n", "1000", True),
    ("gsm8k", "#### \\$2{,}500\n", "2500", True), ("gsm8k", "#### 1{,}000\n", "1", False),
    ("last_number", "So 5.", "1{,}000", False), ("last_number", "So 1000.", "1{,}000", True),
    ("last_number", "The points are (1,\\,2)", "2", True), ("last_number", "It is 1234{,}5", "5", True),
])
def test_a_latex_thousands_separator_leaves_one_number(name, text, ref, ok):
    """``1{,}000`` and ``1\\,000`` (LaTeX's thousands separators, as Qwen and R1 distills write them in math mode) were
    the numbers 1 and 000: the right 1000 failed, and a reference 0 passed on it."""
    assert oracle_by_name(name)(text, P(ref)) is ok


@pytest.mark.parametrize("text,letter", [
    ("<think>\n(A) fails.\n</think>\n<answer>B</answer>", "B"), ("(A) fails.\n<answer>\nC\n</answer>", "C"),
    ("<answer>(D)</answer>", "D"), ("<answer> b </answer>", "B"), ("<answer>**B**</answer>", "B"),
    ("<answer>B) 42</answer>", "B"), ("<answer>B. 42</answer>", "B"), ("<answer>$\\boxed{C}$</answer>", "C"),
    ("<answer>A or B</answer>", None), ("<answer>A lot</answer>", None), ("<answer>Bob</answer>", None),
    ("<answer>42</answer>", None), ("<answer>A, B</answer>", None),
])
def test_a_letter_in_answer_tags_is_stated(text, letter):
    """R1-Zero-style prompts (and GRPO-trained models) put the answer in ``<answer>B</answer>``: no reading took the
    letter there, so a right answer failed (or an earlier ``(A)`` in the reasoning was read)."""
    from ptsfast.problems.oracles import extract_choice

    text = text.split("</think>")[-1]
    assert extract_choice(text) == letter and extract_choice(text, "J") == letter


def test_a_letter_in_answer_tags_stops_the_rollout_once_the_tag_closes():
    text = "(A) fails.\n<answer>B</answer>"
    assert not any(answer_complete("multiple_choice", text[:k]) for k in range(len(text)))
    assert answer_complete("multiple_choice", text)
    for tail in ("", " (A)", "\nAnswer: A", "<answer>A</answer>"):
        assert oracle_by_name("multiple_choice")(text + tail, P("B"))


@pytest.mark.parametrize("text,letter", [
    ("So the answer should be B.", "B"), ("(A) fails, so the correct answer would be (C).", "C"),
    ("The answer must be D", "D"), ("The final answer will be **B**.", "B"), ("Hence the answer has to be C.", "C"),
    ("The answer should be A lot easier to see: (B)", "B"), ("The answer should be B or C.", None),
    ("The answer was B, now the answer is C.", "C"),
])
def test_a_letter_after_the_answer_should_or_would_be_is_stated(text, letter):
    """"The answer should be B." (Llama's and SmolLM's hedged phrasing) had no strong reading: nothing was read, or an
    earlier "(A)" in the reasoning."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice(text) == letter and extract_choice(text, "J") == letter


@pytest.mark.parametrize("text,letter", [
    ("（A）错误。答案：B", "B"), ("分析略。答案是 C。", "C"), ("所以正确答案为（D）", "D"), ("(A)不对，故选B。", "B"),
    ("Respuesta: B", "B"), ("(A) es falsa. La respuesta correcta es C.", "C"), ("Réponse : D", "D"),
    ("La bonne réponse est (B).", "B"), ("Die richtige Antwort ist C.", "C"), ("Antwort: **A**", "A"),
    ("La risposta corretta è B.", "B"), ("A resposta correta é D.", "D"), ("Ответ: B", "B"),
    ("正解は C です。", "C"), ("정답: B", "B"), ("Jawaban: D", "D"),
    ("答案：A或B", None), ("Respuesta: A o B", None), ("Réponse : A ou C.", None), ("Antwort: B oder C", None),
    ("La respuesta es a veces (B)", "B"), ("Die Antwort ist Albert (C)", "C"),
])
def test_an_answer_stated_in_another_language_is_read(text, letter):
    """C-Eval/CMMLU and Global-MMLU rows are answered in their own language ("答案：B", "La respuesta correcta es C",
    "Ответ: B"): no reading took the letter, so a right answer failed or an earlier "(A)" was read."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice(text) == letter and extract_choice(text, "J") == letter


@pytest.mark.parametrize("text", ["答案：B。", "Respuesta: B\n", "Ответ: B.\n"])
def test_an_answer_in_another_language_stops_the_rollout_once_decided(text):
    assert answer_complete("multiple_choice", text)
    assert not answer_complete("multiple_choice", text.rstrip("。.\n"))
    for tail in ("", " (A)", "\nAnswer: A"):
        assert oracle_by_name("multiple_choice")(text + tail, P("B"))


@pytest.mark.parametrize("text,letter", [
    ("(A) fails, so \\boxed{B. 42}", "B"), ("(A) fails, so \\boxed{B: 42}", "B"), ("\\boxed{\\text{C. } 7}", "C"),
    ("(A) fails; \\boxed{B.}", "B"), ("\\boxed{\\textbf{D. None of these}}", "D"), ("\\boxed{b. 42}", "B"),
    ("\\boxed{B.5}", None), ("\\boxed{A.3 + 1}", None), ("(C) then \\boxed{E.coli}", "C"),
])
def test_a_boxed_letter_with_its_choice_after_a_period_is_stated(text, letter):
    """GPQA and MMLU answers boxed as ``\\boxed{B. 42}`` (the letter and its choice's text, as the options are listed)
    had no reading: a right answer failed, or an earlier "(A)" in the reasoning was read."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice(text) == letter and extract_choice(text, "J") == letter


def test_a_boxed_letter_and_period_stops_the_rollout_only_when_decided():
    assert not answer_complete("multiple_choice", "so \\boxed{B.")
    assert not answer_complete("multiple_choice", "so \\boxed{B. 42}")  # may go on: or \boxed{C. 18}
    assert answer_complete("multiple_choice", "so \\boxed{B. 42}.\n")
    for tail in ("", " (A)", "\nAnswer: A", "\\boxed{A}"):
        assert oracle_by_name("multiple_choice")("so \\boxed{B. 42}.\n" + tail, P("B"))


PROMPT_ECHO = "Return your final response as 'Final Answer: \\boxed{<answer>}', where <answer> is the number."


@pytest.mark.parametrize("placeholder", ["<answer>", "answer", "\\text{answer}", "your answer", "...", "\\ldots",
                                         "\\text{your final answer}", "ANSWER", "\\dots", "<your answer>"])
def test_a_placeholder_box_echoed_from_the_prompt_holds_no_answer(placeholder):
    """Models restate the prompt's "Return your final response as 'Final Answer: \\boxed{<answer>}'" (verifiable-math
    rows, NuminaMath-style prompts) before solving: its box was read as the answer (a right answer failed) and
    stopped the rollout there."""
    echo = PROMPT_ECHO.replace("<answer>}", placeholder + "}", 1)
    text = "We must answer as " + echo + "\n2 + 3 = 5.\nFinal Answer: \\boxed{5}"
    assert oracle_by_name("boxed")(text, P("5")) and not oracle_by_name("boxed")(text, P("6"))
    assert not answer_complete("boxed", text.split("\n")[0])
    assert extract_boxed(text) == "5"


@pytest.mark.parametrize("text,ref", [("\\boxed{a}", "a"), ("\\boxed{x}", "x"), ("\\boxed{\\text{no answer}}",
                                                                              "\\text{no answer}")])
def test_a_word_or_letter_answer_is_no_placeholder(text, ref):
    assert oracle_by_name("boxed")(text, P(ref))


@pytest.mark.parametrize("head", ["I will write the final answer after ####.\n", "Format: #### <number>\n",
                                  'The answer goes after "####".\n', "#### [answer]\n", "####\n",
                                  "We end with #### and the number.\n"])
def test_a_gsm8k_marker_line_without_a_number_states_no_answer(head):
    """A model restating the format ("I will write the final answer after ####.") or writing an empty #### line had
    that line read as its answer: no number, so the right "#### 18" after it failed (lm-eval's "#### <number>" match
    passes such lines over)."""
    text = head + "3 + 15 = 18\n#### 18\n"
    assert oracle_by_name("gsm8k")(text, P("18")) and not oracle_by_name("gsm8k")(text, P("3"))
    stops = [k for k in range(1, len(text) + 1) if answer_complete("gsm8k", text[:k])]
    assert stops == [len(text)]



def test_boxes_nested_by_a_loop_are_read_at_once():
    """Each box inside the box was taken off reading the whole answer again: 3,000 nested boxes (a model's loop) took
    26 s to judge, on every rollout. A few layers are taken off; so many are no answer."""
    t0 = time.perf_counter()
    assert not oracle_by_name("boxed")("\\boxed{" * 3000 + "3" + "}" * 3000, P("3"))
    assert oracle_by_name("boxed")("\\boxed{" * 3 + "3" + "}" * 3, P("3"))
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{{5}}", "5", True), ("\\boxed{{{5}}}", "5", True), ("\\boxed{{\\frac{1}{2}}}", "0.5", True),
    ("\\boxed{{x+1}}", "x+1", True), ("\\boxed{{5}}", "6", False), ("\\boxed{{1}{2}}", "12", False),
    ("\\boxed{{1}{2}}", "1", False),
])
def test_braces_around_the_whole_boxed_answer_change_nothing(text, ref, ok):
    """``\\boxed{{5}}`` (a prompt written as a Python format string shows ``\\boxed{{}}``, and models copy it) was the
    string ``{5}``: the right 5 failed. LaTeX reads braces around the whole answer as a group of it."""
    assert oracle_by_name("boxed")(text, P(ref)) is ok


def test_a_loop_of_braces_around_the_answer_is_read_at_once():
    t0 = time.perf_counter()
    assert not oracle_by_name("boxed")("\\boxed{" + "{" * 20000 + "5" + "}" * 20001, P("5"))
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("space", ["\\,", "\\ ", "\\;"])
def test_a_loop_of_latex_spaces_in_a_box_is_read_at_once(space):
    """The unit after a boxed value was looked for from each thin space of a run: 10,000 ``\\,`` (a model's loop) took
    9 s to judge, on every rollout."""
    t0 = time.perf_counter()
    oracle_by_name("boxed")("\\boxed{5" + space * 10000 + "}", P("5"))
    assert time.perf_counter() - t0 < 2.0
    assert oracle_by_name("boxed")("\\boxed{6" + space + "\\text{m}}", P("6"))
    assert oracle_by_name("boxed")("\\boxed{6" + space * 3 + "\\text{ cm}^2}", P("6"))


FOUR = ["41", "42", "43", "44"]


@pytest.mark.parametrize("ref,choices", [("B. 42", FOUR), ("(B) 42", FOUR), ("B: 42", FOUR), ("B) 42", None),
                                         ("Option B", None), ("Answer: B", FOUR), ("answer: (b)", None)])
def test_a_reference_letter_written_with_its_choice_or_a_label_is_that_letter(ref, choices):
    """A reference stored as the letter and its choice ("B. 42", "(B) 42") or labelled ("Option B") was refused on
    every rollout as neither a letter nor a choice's text: each counted as an oracle error, and the row was lost."""
    mc = oracle_by_name("multiple_choice")
    assert mc("Answer: B.", Problem("p1", "q?", ref, None, choices))
    assert not mc("Answer: C.", Problem("p1", "q?", ref, None, choices))


def test_a_reference_whose_text_is_not_its_letters_choice_is_still_refused():
    from ptsfast.problems.oracles import judge

    v = judge(oracle_by_name("multiple_choice"), "Answer: B.", Problem("p1", "q?", "B. 43", None, FOUR), timeout=None)
    assert not v.success and "neither a letter" in v.error


@pytest.mark.parametrize("text,ref", [("So \\boxed{2 + \\boxed{3}} is it.", "3"), ("\\boxed{\\boxed{3}}.", "3"),
                                      ("\\boxed{x = \\fbox{3}, y = 4}.", "3")])
def test_a_box_inside_a_box_still_open_stops_no_rollout(text, ref):
    """The early stop fired where a box inside a box closed, the outer one still open: the rollout was judged on the
    inner box ("3", passing) where the whole answer's first box is the outer one ("2 + \\boxed{3}", failing)."""
    whole = oracle_by_name("boxed")(text, P(ref))
    for k in range(1, len(text) + 1):
        if answer_complete("boxed", text[:k]):
            assert oracle_by_name("boxed")(text[:k], P(ref)) is whole, text[:k]
    assert answer_complete("boxed", text)


@pytest.mark.parametrize("text,letter", [
    ("Resposta: A alternativa correta é (C).", "C"), ("Respuesta: A la luz de esto, (D)", "D"),
    ("Resposta: A é a correta.", "A"), ("Respuesta: A es la correcta.", "A"), ("Respuesta: A\n", "A"),
    ("Réponse : A. La suite", "A"), ("Respuesta: A\no B, dudé al principio.", "A"),
])
def test_the_article_a_after_a_foreign_answer_word_is_no_choice(text, letter):
    """Portuguese and Spanish open a sentence with the article "A" ("Resposta: A alternativa correta é C"): it was
    read as choice A, a wrong answer passing where A was the reference. A letter ending its line is no hedge with
    the next line's "o B" (the early stop had taken it, the whole answer read none)."""
    from ptsfast.problems.oracles import extract_choice

    assert extract_choice(text) == letter and extract_choice(text, "J") == letter


@pytest.mark.parametrize("ref", ["We have 2 + 6 = 8, so the answer is $\\boxed 8$.", "Thus $x = \\boxed 8$",
                                 "So \\[\\boxed 8\\]", "The total is \\(\\boxed 8\\)."])
def test_a_reference_solution_boxing_without_braces_is_read(ref):
    """A worked solution writing ``\\boxed 8`` (no braces, which MATH's own grader reads up to the closing ``$``) had
    no box: the whole solution was the reference, and every rollout of the row failed."""
    assert oracle_by_name("boxed")("so \\boxed{8}.", P(ref)) and not oracle_by_name("boxed")("so \\boxed{9}.", P(ref))
