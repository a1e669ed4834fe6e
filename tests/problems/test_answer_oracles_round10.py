"""Answer oracles against answers as models write them and references as datasets store them (round 10).

Each verdict follows the dataset's own grader where it reads a spelling alike (Hendrycks' MATH ``is_equiv``) and HF
math-verify's reading where MATH's is silent; the early stop never decides before the verdict is settled, and no
answer, however long, takes long to judge.
"""

import time

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, find_numbers, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


def gsm(text, ref):
    return oracle_by_name("gsm8k")(text, P(ref))


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


NUMS = ("12", "15", "18", "20")


@pytest.mark.parametrize("text,letter", [
    ("Let us check each option.\n(A) 12: too small.\n(B) 15: matches.\n(C) 18: too big.\nSo the", None),
    ("- (A) 12: too small\n- (B) 15: fits\nSo (B) it is.", "B"), ("1. (A) 12: no\n2. (B) 15: yes\n", None),
    ("**(A) 12**: too small\n**(B) 15**: fits\nHence (B).", "B"), ("(A) 12 no\n(B) 15 yes\n\nThe answer is (B).", "B"),
    ("(A) 12 is too small, so (B) it is.", "A"), ("A) 12: no\n(B) 15: yes, so", None),
])
def test_a_listing_of_the_choices_in_parentheses_names_none(text, letter):
    """A trace weighing the choices on lines that open ``(A) 12: too small``, ``(B) 15: fits`` (or ``- (A)``, ``1.
    (A)``) and cut by the budget was read as its first line's letter, A: a guess passed wherever A was right, and a
    later ``So (B) it is.`` lost to it. The labels of a listing name no choice; a letter written elsewhere still
    does."""
    assert extract_choice(text, choices=NUMS) == letter
    assert extract_choice(text) == letter
    assert mc(text, "A", NUMS) is (letter == "A")


@pytest.mark.parametrize("text", ["(A) x\n" * 16_000, "- (A) x\n- (B) y\n" * 6_250, "(A)" + " " * 100_000 + "x"])
def test_a_loop_of_listed_labels_is_judged_at_once(text):
    t = time.perf_counter()
    extract_choice(text, choices=NUMS)
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{\\frac{\\sqrt{5}+1}{2}}", "\\frac{1+\\sqrt{5}}{2}", True),
    ("\\boxed{\\dfrac{-1+\\sqrt{5}}{2}}", "\\frac{\\sqrt5-1}2", True),
    ("\\boxed{\\frac{3+\\sqrt{5}}{2}}", "\\frac{\\sqrt{5}+3}{2}", True), ("\\boxed{2(x+1)}", "2(1+x)", True),
    ("\\boxed{\\sqrt{3+x}}", "\\sqrt{x+3}", True), ("\\boxed{(\\sqrt{2}+1, 3)}", "(1+\\sqrt{2},3)", True),
    ("\\boxed{\\frac{2i+1}{5}}", "\\frac{1+2i}{5}", True),
    ("\\boxed{\\frac{\\sqrt{5}-1}{2}}", "\\frac{1-\\sqrt5}2", False),
    ("\\boxed{\\frac{1+\\sqrt{5}}{3}}", "\\frac{1+\\sqrt{5}}{2}", False),
    ("\\boxed{(3, \\sqrt{2}+1)}", "(1+\\sqrt{2},3)", False), ("\\boxed{2(x-1)}", "2(1-x)", False),
    ("\\boxed{\\frac{2+i}{5}}", "\\frac{1+2i}{5}", False), ("\\boxed{\\frac{1}{2}+x}", "\\frac{1}{x+2}", False),
])
def test_a_sum_in_another_order_inside_a_fraction_root_or_tuple_is_the_same_answer(text, ref, ok):
    """``\\frac{\\sqrt{5}+1}{2}`` for the golden ratio's ``\\frac{1+\\sqrt{5}}{2}`` failed (a sum was reordered only as
    the whole answer), as did a root's or a tuple item's sum in another order. A sum inside braces or parentheses is
    read term by term too, each with its sign; a fraction's parts never trade places."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text", ["\\boxed{\\frac{" + "1+" * 50_000 + "1}{2}}",
                                  "\\boxed{" + "(" * 50_000 + ")" * 50_000 + "}", "\\boxed{" + "{x+1}" * 30_000 + "}",
                                  "\\boxed{" + "(1+x" * 20_000 + "}"])
def test_a_long_sum_inside_groups_is_judged_at_once(text):
    t = time.perf_counter()
    assert boxed(text, "\\frac{1+\\sqrt{5}}{2}") is False
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 12,5", "12", False), ("#### 12,5", "12.5", True), ("#### 3,75 €", "3.75", True), ("#### 0,5", "0", False),
    ("#### 12,50", "12.5", True), ("#### 1,234", "1234", True), ("#### 1,234,567", "1234567", True),
    ("#### $1,234.50", "1234.5", True), ("#### 12,5", "125", False), ("La réponse est 12,5.\n#### 12,5\n", "5", False),
])
def test_a_gsm8k_answer_with_a_decimal_comma_is_that_decimal(text, ref, ok):
    """``#### 12,5`` (MGSM's French, German or Spanish answer, 12.5 written with a decimal comma) was read as 12: a
    wrong answer passed wherever the reference was 12, and 12.5 failed. A comma before one or two digits that close
    the number is a decimal comma there; a thousands comma (1,234) is read as before."""
    assert gsm(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 1\u202f234", "1234", True), ("#### 1\u00a0234\u00a0567", "1234567", True),
    ("#### 1\u2009234 €", "1234", True), ("#### 1 234", "1234", True), ("#### 12 500 euros", "12500", True),
    ("#### 1 234", "1", False), ("#### 1 234", "234", False), ("#### 2 1/2", "2.5", True),
    ("#### 3 4", "3", True), ("#### 1 2345", "1", True),
])
def test_a_gsm8k_answer_in_thousands_set_apart_by_spaces_is_one_number(text, ref, ok):
    """``#### 1 234`` (MGSM's French or Russian answer, its thousands set apart by a space or a narrow no-break
    space) was read as 1: a right answer failed and 1 passed. Groups of three digits after a space are the
    number's."""
    assert gsm(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("La réponse est 1\u202f234.", "1234", True), ("Il en reste 12\u00a0500.", "12500", True),
    ("Il en reste 12\u00a0500.", "500", False), ("I have 5 100-metre races.", "100", True),
])
def test_a_number_in_thousands_set_apart_by_no_break_spaces_is_one_number(text, ref, ok):
    """A no-break or narrow no-break space between a number's thousands (French typography) cut it in two, so the
    last number was its last group: 500 passed for 12 500. Only such spaces join groups in prose; a plain space
    there may part two numbers."""
    assert oracle_by_name("last_number")(text, P(ref)) is ok


@pytest.mark.parametrize("text,letter", [
    ("So B is the answer.", "B"), ("Therefore, (C) is the answer.", "C"), ("Hence **D** would be the answer", "D"),
    ("Thus option B is the answer!", "B"), ("A is wrong. C is the answer.", "C"), ("So B is the final answer.", "B"),
    ("B is the answer only if x > 0.", None), ("A or B is the answer.", None), ("B is not the answer.", None),
    ("A is the answer to part one", None),
])
def test_a_letter_said_to_be_the_answer_is_its_choice(text, letter):
    """``So B is the answer.`` (as chat models conclude without an ``Answer:`` line) named no choice, though ``B is
    the correct answer.`` did: a right answer failed. A letter said to be the answer, ending its sentence, is the
    choice, as one said to be the correct one is."""
    assert extract_choice(text, choices=NUMS) == letter
    assert mc(text, "B", NUMS) is (letter == "B")


CITIES = ("London", "Paris", "Paris, Texas", "Berlin")


@pytest.mark.parametrize("text,choices,letter", [
    ("The answer is Paris.", CITIES, "B"), ("**Answer:** Paris", CITIES, "B"), ("Answer: paris\n", CITIES, "B"),
    ("The correct answer is: Paris, Texas.", CITIES, "C"), ("(A) London is too far north.\nThe answer is Paris.",
                                                            CITIES, "B"),
    ("Answer: Berlin", CITIES, "D"), ("The answer is **Berlin**.", CITIES, "D"), ("The answer is 15.", NUMS, "B"),
    ("Answer: Paris", ("A. London", "B. Paris"), "B"), ("Answer: E. coli", ("S. aureus", "E. coli"), "B"),
    ("The answer is Paris or London.", CITIES, None), ("The answer is not Paris.", CITIES, None),
    ("The answer is Parisian.", CITIES, None), ("The answer is 1.5", NUMS, None), ("The answer is 150.", NUMS, None),
    ("The answer is Paris.", None, None), ("The answer is none of the above", ("1", "2", "None of the above."), "C"),
    ("Answer: A", ("O", "A", "B", "AB"), "A"), ("Answer: AB", ("O", "A", "B", "AB"), "D"),
])
def test_a_stated_answer_that_is_a_choices_text_is_that_choice(text, choices, letter):
    """``The answer is Paris.`` (a chat model answering with the choice's text, not its letter) named no choice, or
    the letter of a line weighing another (``(A) London is too far north.``): a right answer failed. A stated answer
    that is one choice's whole text, ending there, is that choice; a hedge or a longer word is none."""
    assert extract_choice(text, choices=choices) == letter
    if choices:
        assert mc(text, "B", choices) is (letter == "B")


def test_a_loop_of_stated_answers_is_judged_at_once():
    text = "The answer is " * 10_000 + "Paris."
    t = time.perf_counter()
    assert extract_choice(text, "J", choices=CITIES + ("Rome", "Oslo", "Madrid", "Lisbon", "Vienna", "Bern")) == "B"
    assert extract_choice("The answer is Paris.", choices=("Paris", "Paris")) is None
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{AB = 5}", "5", True), ("\\boxed{BC=\\sqrt{3}}", "\\sqrt3", True),
    ("\\boxed{\\overline{AB} = 5}", "5", True),
    ("\\boxed{\\angle ABC = 30^\\circ}", "30", True), ("\\boxed{m\\angle B = 30^{\\circ}}", "30^\\circ", True),
    ("\\boxed{AB = 5}", "AB=5", True), ("\\boxed{AB = 6}", "5", False), ("\\boxed{2x = 10}", "10", False),
    ("\\boxed{ABCD = 5}", "5", False), ("\\boxed{\\angle ABC = 40^\\circ}", "30", False),
])
def test_a_boxed_segment_or_angle_named_before_its_value_is_the_value(text, ref, ok):
    """``\\boxed{AB = 5}`` or ``\\boxed{\\angle ABC = 30^\\circ}`` (a geometry answer naming the segment or angle asked
    for) failed against 5 and 30, though ``x = 5`` was read as 5 (MATH's grader drops a name of two characters before
    ``=``). A segment, its ``\\overline`` or an angle so named is left out, as one letter is."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,letter", [
    ("<answer>Paris</answer>", "B"), ("<answer>\n Paris, Texas \n</answer>", "C"), ('The answer is "Paris".', "B"),
    ("The answer is *Berlin*.", "D"), ("The answer is `London`", "A"), ("<answer>Paris or London</answer>", None),
    ("<answer>Parisian</answer>", None),
])
def test_a_choices_text_in_an_answer_tag_or_quotes_is_that_choice(text, letter):
    """``<answer>Paris</answer>`` (an R1-Zero-style template's answer, a choice's text) and ``The answer is
    "Paris".`` named no choice: a right answer failed. A choice's text in the tag, in quotes or emphasis is the
    choice, as one stated bare is."""
    assert extract_choice(text, choices=CITIES) == letter


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{€5}", "5", True), ("\\boxed{12 €}", "12", True), ("\\boxed{12\\,€}", "12", True),
    ("\\boxed{£1{,}200}", "1200", True),
    ("\\boxed{₹500}", "500", True), ("\\boxed{¥500}", "500", True), ("\\boxed{\\text{€}5}", "5", True),
    ("\\boxed{\\euro 5}", "5", True), ("\\boxed{\\pounds 5}", "5", True), ("\\boxed{€6}", "5", False),
    ("\\boxed{5 € or 6 €}", "5", False),
])
def test_a_boxed_amount_in_euros_pounds_rupees_or_yen_is_its_number(text, ref, ok):
    """``\\boxed{12 €}`` or ``\\boxed{£1{,}200}`` (MGSM's and GSM8K's amounts as models of other locales write them)
    failed where ``\\boxed{\\$12}`` passed: only the dollar was read as a currency sign. €, £, ¥ and ₹, and LaTeX's
    ``\\euro`` and ``\\pounds``, are left out as ``\\$`` is."""
    assert boxed(text, ref) is ok


@pytest.mark.parametrize("text,letter", [
    ("The answer is therefore B.", "B"), ("The answer, therefore, is (B).", "B"), ("The answer is clearly B.", "B"),
    ("The answer must therefore be B.", "B"), ("So the answer is most likely B.", "B"), ("The answer is thus B", "B"),
    ("The answer is probably not B.", None), ("The answer is clearly a prime.", None),
    ("The answer is therefore A or B.", None),
])
def test_a_stated_letter_after_an_adverb_is_the_choice(text, letter):
    """``The answer is therefore B.`` or ``The answer is clearly B.`` (chat models' conclusions) named no choice:
    a right answer failed. An adverb between the lead-in and the letter (therefore, thus, clearly, likely) leaves
    it stated; the early stop decides on it as on ``The answer is B.``."""
    assert extract_choice(text) == letter
    assert answer_complete("multiple_choice", text + "\n") is (letter is not None)


@pytest.mark.parametrize("text", ["(A) or (B). " * 8_000, "(A) or (B). x (C) " * 5_000, "A or B. (C)\n" * 8_000,
                                  "Answer: A or B. " * 6_000])
def test_a_loop_of_hedges_is_judged_at_once(text):
    """A model's loop of hedges (``(A) or (B). `` over and over) took seconds to judge, each letter looked up in every
    hedge (11 s for 100,000 characters), and the early stop asks after every token."""
    t = time.perf_counter()
    assert extract_choice(text, choices=NUMS) in (None, "C")
    answer_complete("multiple_choice", text)
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("答案是18。", "18", True), ("所以答案是18", "18", True), ("共18个苹果，答案是20", "20", True),
    ("共18个苹果，答案是20", "18", False), ("他有18个", "18", True), ("答案是１８。", "18", True), ("答えは18です。", "18", True),
    ("정답은18입니다", "18", True), ("答案是18.5元", "18.5", True), ("答案是18.5元", "5", False),
])
def test_a_number_written_against_chinese_japanese_or_korean_text_is_read(text, ref, ok):
    """``答案是18。`` (Chinese, Japanese and Korean set no space before a number) held no number: every such answer
    failed the last-number oracle, as did ``#### 答案是18``. A number after a CJK character is read; one inside a Latin
    word (``H2O``, ``x2``) still is not."""
    assert oracle_by_name("last_number")(text, P(ref)) is ok
    assert gsm("#### 答案是18", "18") is True
    assert find_numbers("H2O and x2") == []


@pytest.mark.parametrize("text,letter", [
    ("答案应该是B。", "B"), ("答案应为B", "B"), ("正确答案应该是 C", "C"), ("我选B。", "B"), ("应选B。", "B"),
    ("本题选B。", "B"), ("答案是选项C", "C"), ("答案為選項 C", "C"), ("因此应该选择D。", "D"), ("選B", None),
    ("选项B正确。", "B"), ("B选项正确。", "B"), ("B是正确的。", "B"), ("综上，B正确", "B"),
    ("A和B正确。", None), ("A，B正确。", None), ("A、B正确。", None),
    ("B不正确。", None), ("选项B正确吗？", None), ("答案应该是A或B。", None), ("选A的话，x=2。", None),
])
def test_a_chinese_answer_as_c_eval_reads_it_is_the_choice(text, letter):
    """``答案应该是B``, ``我选B``, ``答案是选项C`` and ``选项B正确`` (how Qwen and GLM conclude on C-Eval and CMMLU, whose own
    answer patterns read them) named no choice: a right answer failed. They name one now; a hedge (A或B), a question
    (吗) or a letter said to be wrong (不正确) names none."""
    assert extract_choice(text) == letter
    said_right = text.rstrip("。").endswith(("正确", "正确的"))  # read as "B is correct.": the last, never early
    assert answer_complete("multiple_choice", text + "\n") is (letter is not None and not said_right)


def test_a_letter_said_to_be_right_in_chinese_is_the_last_so_said():
    """As ``B is correct.`` is, the last letter said to be right is the choice: a trace may change its mind."""
    assert extract_choice("A是正确的。不对，再算一次：B是正确的。") == "B"
    assert extract_choice("选项A正确。\n答案：C") == "C"


@pytest.mark.parametrize("text", ["B" + " " * 100_000 + "x", "选项" + " " * 100_000 + "B", "B选项" * 30_000,
                                  "答案应该" * 25_000, "我选" * 50_000 + "x"])
def test_a_loop_of_chinese_answer_words_is_read_at_once(text):
    t = time.perf_counter()
    extract_choice(text)
    answer_complete("multiple_choice", text)
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("text,ref,ok", [
    ("\\boxed{i\\sqrt{2}}", "\\sqrt2 i", True), ("\\boxed{\\sqrt{2}i}", "i\\sqrt{2}", True),
    ("\\boxed{4\\pi\\sqrt{3}}", "4\\sqrt3\\pi", True), ("\\boxed{2r\\pi}", "2\\pi r", True),
    ("\\boxed{3 + i\\sqrt{2}}", "3+\\sqrt{2}i", True),
    ("\\boxed{\\frac{\\pi\\sqrt{3}}{2}}", "\\frac{\\sqrt{3}\\pi}{2}", True),
    ("\\boxed{x + i\\sqrt{2}}", "x+\\sqrt{2}i", True),
    ("\\boxed{\\text{on}}", "\\text{no}", False), ("\\boxed{\\text{god}}", "dog", False),
    ("\\boxed{i\\sqrt{3}}", "\\sqrt2 i", False), ("\\boxed{3\\pi\\sqrt{2}}", "2\\pi\\sqrt{3}", False),
    ("\\boxed{2\\sqrt{3}}", "3\\sqrt{2}", False), ("\\boxed{\\sqrt{3}2}", "23\\sqrt{}", False),
])
def test_a_product_in_another_order_is_the_same_answer(text, ref, ok):
    """``\\boxed{i\\sqrt{2}}`` for ``\\sqrt{2}i`` or ``4\\pi\\sqrt{3}`` for ``4\\sqrt{3}\\pi`` failed: a product's
    factors were compared in their order. A product of one number and names, roots and constants is read in one
    order of its factors; letters alone are never reordered (``on`` is no ``no``)."""
    assert boxed(text, ref) is ok


def normalized(text, ref):
    return oracle_by_name("normalized")(text, P(ref))


@pytest.mark.parametrize("text,ok", [
    ("<answer>Paris</answer>", True), ("I recall the capital.\n<answer> Paris </answer>", True),
    ("<answer>The answer is Paris.</answer>", True), ("<answer>**Paris**</answer>", True),
    ("The capital is \\boxed{Paris}.", True), ("$\\boxed{\\text{Paris}}$", True),
    ("<answer>London</answer>", False), ("<answer>Paris, Texas</answer>", False), ("\\boxed{London} Paris", False),
    ("<answer>London</answer> Paris", False),
])
def test_a_short_answer_in_an_answer_tag_or_box_is_its_text(text, ok):
    """``<answer>Paris</answer>`` (an R1-Zero-style template's answer) or ``\\boxed{Paris}`` (a math-tuned model
    answering a trivia question) failed the normalized oracle, which read only the whole completion: a right answer
    failed. What the first tag holds, else the first box, is the answer where one is written."""
    assert normalized(text, "Paris") is ok


@pytest.mark.parametrize("text,ok", [
    ("So the answer is Paris.", True), ("Therefore, the answer is Paris.", True),
    ("Thus, the final answer is: Paris", True),
    ("Hence the answer is **Paris**.", True), ("So the answer is London.", False), ("So Paris", False),
])
def test_a_short_answer_after_so_or_therefore_is_its_text(text, ok):
    """``So the answer is Paris.`` failed the normalized oracle where ``The answer is Paris.`` passed: the lead-in was
    read only where the completion opens with it. A lead-in after so, thus, therefore or hence is one too."""
    assert normalized(text, "Paris") is ok


@pytest.mark.parametrize("text,letter", [
    ("The answer is 12? No: 3 * 5 = 15.\nAnswer: B", "B"), ("Is the answer Paris? The answer is Berlin.", "D"),
    ("The answer is Paris?\nAnswer: D", "D"),
])
def test_a_choices_text_asked_about_is_no_stated_answer(text, letter):
    """``The answer is 12?`` (a trace asking itself) was read as the choice whose text is 12, before the answer
    the trace then states. A choice's text ending in a question mark states nothing."""
    assert extract_choice(text, choices=NUMS if "12" in text else CITIES) == letter


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 12 345,67", "12345.67", True), ("#### 12 345,67", "12", False), ("#### 12\u202f345,5 €", "12345.5", True),
    ("#### 1 234.5", "1234.5", True), ("#### 1 234.5", "1", False),
])
def test_a_gsm8k_answer_in_spaced_thousands_with_a_decimal_part_is_one_number(text, ref, ok):
    """``#### 12 345,67`` (French: thousands set apart by a space, a decimal comma) was read as 12: a wrong answer
    passed where the reference was 12. Thousands set apart by spaces join before a decimal part too."""
    assert gsm(text, ref) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 1.234,5", "1234.5", True), ("#### 1.234,50 €", "1234.5", True), ("#### 1.234,5", "1.234", False),
    ("#### 1.234.567", "1234567", True), ("#### 1.234.567", "1.234", False), ("#### 12.345.678,9", "12345678.9", True),
    ("#### 1.5", "1.5", True), ("#### 1.234", "1.234", True),
])
def test_a_gsm8k_answer_in_dotted_thousands_is_one_number(text, ref, ok):
    """``#### 1.234,5`` and ``#### 1.234.567`` (German or Spanish: thousands set apart by dots, a decimal comma) were
    read as 1.234: a right answer failed. Dotted thousands before a decimal comma, or in two groups or more, are one
    number; ``1.234`` alone is read as written."""
    assert gsm(text, ref) is ok


@pytest.mark.parametrize("text,letter", [
    ("The answer is 15.", "B"), ("The answer is $15$.", "B"), ("Answer: $\\frac{1}{2}$", "C"),
    ("The answer is \\frac{1}{2}.", "C"), ("The answer is $16$.", None),
])
def test_a_choices_text_in_math_mode_is_that_choice(text, letter):
    """Choices in math mode (``$15$``, ``$\\frac{1}{2}$``, as MMLU's and AQuA's math rows store them) were never a
    stated answer's text, with or without the dollars the model wrote: a right answer failed."""
    assert extract_choice(text, choices=("$12$", "$15$", "$\\frac{1}{2}$", "$18$")) == letter


@pytest.mark.parametrize("text,choices,letter", [
    ("The answer: 12, 15 or 18.", NUMS, None), ("The answer is 12, or maybe 15.", NUMS, None),
    ("The answer is Paris/London.", CITIES, None), ("The answer is London, and Paris.", CITIES, None),
    ("The answer is Paris, the capital.", CITIES, "B"), ("The answer is Paris, France.", CITIES, "B"),
    ("The answer is 15, since 3 * 5 = 15.", NUMS, "B"),
])
def test_a_stated_choices_text_offered_with_another_names_none(text, choices, letter):
    """``The answer: 12, 15 or 18.`` was read as the choice whose text is 12, a hedge a letter would not pass for: a
    guess passed wherever that choice was right. A choice's text offered with another's names none."""
    assert extract_choice(text, choices=choices) == letter


def test_a_stated_text_of_a_choice_past_z_names_none():
    """A problem of more than 26 choices whose 31st text was stated raised IndexError (no letter names it): every
    such rollout was an oracle error."""
    choices = [str(i) for i in range(40)]
    assert extract_choice("The answer is 30.", "Z", choices) is None
    assert extract_choice("The answer is 3.", "Z", choices) == "D"


def test_a_boxed_or_initialled_text_of_a_choice_past_z_names_none():
    """``\\boxed{30}`` among 40 choices, or ``Answer: E. coli`` where "E. coli" is the 31st, raised IndexError: every
    such rollout was an oracle error. A choice no letter names is never the answer."""
    assert extract_choice("\\boxed{30}", "Z", [str(i) for i in range(40)]) is None
    assert extract_choice("\\boxed{3}", "Z", [str(i) for i in range(40)]) == "D"
    assert extract_choice("Answer: E. coli", "Z", [str(i) for i in range(30)] + ["E. coli"]) == "E"


def test_a_reference_that_is_a_choice_past_z_is_refused_saying_so():
    """A reference that is the text of the 31st choice raised IndexError, "string index out of range", on every
    rollout. It is refused naming the choice no letter names."""
    with pytest.raises(ValueError, match="choice 31, past Z"):
        mc("Answer: B", "30", [str(i) for i in range(40)])
    assert mc("Answer: D", "3", [str(i) for i in range(40)]) is True


@pytest.mark.parametrize("text,choices,letter", [
    ("La respuesta correcta es París.", ("Londres", "París", "Roma"), "B"), ("答案是巴黎。", ("伦敦", "巴黎", "罗马"), "B"),
    ("Réponse : Rome", ("Londres", "Paris", "Rome"), "C"), ("正确答案应该是罗马", ("伦敦", "巴黎", "罗马"), "C"),
    ("La respuesta es París o Roma.", ("Londres", "París", "Roma"), None), ("答案是巴黎吗？", ("伦敦", "巴黎", "罗马"), None),
    ("Die richtige Antwort ist Berlin.", ("Paris", "Berlin", "Rom"), "B"),
    ("Jawapan: Berlin", ("Paris", "Berlin"), "B"),
])
def test_a_choices_text_stated_in_another_language_is_that_choice(text, choices, letter):
    """``La respuesta correcta es París.`` or ``答案是巴黎。`` (a choice's text stated after the answer word of the
    benchmark's language) named no choice, though ``The answer is Paris.`` did: a right answer failed."""
    assert extract_choice(text, choices=choices) == letter


@pytest.mark.parametrize("text,ref,ok", [
    ("#### 1,50,000", "150000", True), ("#### ₹1,50,000", "150000", True), ("#### 1,50,000", "1", False),
    ("#### 12,34,56,789", "123456789", True), ("#### 1,234", "1234", True), ("#### 1,50,00", "1", False),
    ("#### 1,2,3", "1", False), ("#### 12,5", "12.5", True), ("#### $1,234.50", "1234.5", True),
])
def test_a_gsm8k_answer_in_indian_grouping_is_one_number(text, ref, ok):
    """``#### 1,50,000`` (a lakh and a half, as Indian English and Hindi answers group digits) was read as 1: a wrong
    answer passed where the reference was 1, and 150000 failed; ``#### 1,2,3`` (a list) passed for 1 too. Indian
    groups are one number; digits joined by commas in no grouping name none."""
    assert gsm(text, ref) is ok
