"""Answer oracles against answers as models write them (round 17).

A hedge names no answer, a right answer in a common spelling passes, and every prefix the early stop accepts gives
the whole text's verdict.
"""

import random

import pytest

from ptsfast.problems.oracles import answer_complete, extract_choice
from test_answer_oracles_round15 import assert_stops_only_where_the_verdict_is_known, judged

FOUR = ("12", "15", "18", "20")


# ----------------------------------------------------------------- multiple choice

@pytest.mark.parametrize("text", [
    "Answer: B. 15 or C. 18", "Answer: B: 15 or C: 18", "Answer: B. 15 or C. 18\n", "The answer is B. 15, or C. 18.",
    "**Answer:** B. 15 or C. 18", "Ответ: B. 15 или C. 18", "I choose B. 15 or C. 18.",
])
def test_a_stated_letter_with_its_text_and_a_second_offered_names_no_choice(text):
    """``Answer: B. 15 or C. 18`` read B: the early stop ended the rollout at ``Answer: B.``, so the judge read the
    letter before its text (``B) 15 or C) 18`` was a hedge already). A capital's period or colon labels a choice's
    text as its bracket does: the stop waits until that text has ended (its line, its sentence) or can hold none."""
    for choices in (None, FOUR):
        assert extract_choice(text, "E", choices) is None
        for ref in "BC":
            assert not judged("multiple_choice", text, ref, choices), (text, ref)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", choices)


@pytest.mark.parametrize("text", ["Answer: B. Or C.", "Answer: B. Or maybe C.", "The answer is B. or C\n"])
def test_a_stated_letter_and_a_second_in_the_next_sentence_opening_or_name_no_choice(text):
    """``Answer: B. Or C.`` read B: the stop ended the rollout at ``Answer: B.``. It now waits for the text a period
    after a capital may open, so the sentence offering a second letter is read, as ``B or C`` is."""
    for choices in (None, FOUR):
        assert extract_choice(text, "E", choices) is None
        for ref in "BC":
            assert not judged("multiple_choice", text, ref, choices), (text, ref)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC", choices)


@pytest.mark.parametrize("text", ["Answer: (B). Or (C).", "Answer: B.\nOr C.",
                                  "Answer: B. Or rather, the others fail."])
def test_a_stated_letter_settled_before_an_or_is_still_the_choice(text):
    assert extract_choice(text) == "B" and judged("multiple_choice", text, "B")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC")


@pytest.mark.parametrize("text,stop", [
    ("Answer: B.\nIt fits.", "Answer: B.\n"), ("Answer: B. 15\nDone", "Answer: B. 15\n"),
    ("Answer: B. 15 fits. And more", "Answer: B. 15 fits. "), ("Answer: B: 15\nDone", "Answer: B: 15\n"),
    ("**Answer: B.**\nDone", "**Answer: B.**\n"), ("Answer: B. (15) done", "Answer: B. ("),
    ("Answer: b. So it is.\nDone", "Answer: b. So it is.\n"),  # a lower-case letter labels its text as a capital does
])
def test_a_stated_letter_with_a_period_stops_once_its_text_has_ended(text, stop):
    first = next(text[:i] for i in range(len(text) + 1) if answer_complete("multiple_choice", text[:i]))
    assert first == stop
    assert judged("multiple_choice", text, "B") and judged("multiple_choice", first, "B")
    assert judged("multiple_choice", text, "B", FOUR)


@pytest.mark.parametrize("text", ["Answer: B + C", "Answer: B + C.", "The answer is B vs C.", "Answer: B vs. C",
                                  "Answer: (B) + (C)", "Answer: B versus C\n", "**Answer: B + D**", "Answer: B plus C",
                                  "Answer: B|C", "Answer: B | C.", "Answer: B -> C", "Answer: B → C.", "Answer: B - C",
                                  "Answer: B => D\n"])
def test_two_letters_added_or_weighed_name_no_choice(text):
    """``Answer: B + C``, ``B vs C``, ``B|C``, ``B -> C`` and ``B - C`` read B (the stop ended the rollout at
    ``Answer: B +``, ``B vs.``, ``B|``, ``B -``): two letters joined by a plus, a bar, an arrow or a dash, or compared,
    are no one choice, as ``B & C`` and ``B/C`` were not."""
    for choices in (None, FOUR):
        assert extract_choice(text, "E", choices) is None
        for ref in "BCD":
            assert not judged("multiple_choice", text, ref, choices), (text, ref)
        assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BCD", choices)


@pytest.mark.parametrize("text", ["Answer: B + 5 is the total.", "Answer: B, vs the others.", "Answer: B vs. 15\n",
                                  "Answer: B - 15", "Answer: B - C is wrong.", "Answer: B\n- C is wrong.",
                                  "Answer: B -> 15\n"])
def test_a_letter_added_to_no_second_letter_is_still_the_choice(text):
    assert extract_choice(text) == "B" and judged("multiple_choice", text, "B")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, "BC")


PIECES = ["Answer: ", "The answer is ", "**Answer:** ", "Ответ: ", "I choose ", "B", "C", "A", "(B)", "B)", "B.", "B:",
          "C.", "C:", "(C)", " 15", " 18", " or ", " and ", ", ", " vs ", " vs. ", " + ", "/", ".", ":", "\n", " ",
          "**", " Paris", " it fits", "\\boxed{", "}", "1.5", " because", " alternatively ", " - ", "->", "|",
          " plus ", " → ", ". Or ", " Or "]


def test_the_first_stop_on_random_answers_gives_the_whole_texts_letter():
    """Random answers of stated letters, labels, texts and what joins them: where the stop first accepts a prefix,
    that prefix reads the letter the whole text reads."""
    rng = random.Random(17)
    stopped = 0
    for _ in range(1500):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(2, 10)))
        first = next((i for i in range(len(text) + 1) if answer_complete("multiple_choice", text[:i])), None)
        if first is not None:
            stopped += 1
            assert extract_choice(text[:first]) == extract_choice(text), (text[:first], text)
            assert extract_choice(text[:first], "E", FOUR) == extract_choice(text, "E", FOUR), (text[:first], text)
    assert stopped > 80  # the texts state letters often enough to stop


# ----------------------------------------------------------------- boxed

@pytest.mark.parametrize("text", [
    "\\boxed{12}\n\nor\n\n\\boxed{13}", "$\\boxed{12}$\n\nor\n\n$\\boxed{13}$", "\\boxed{12}\nOR\n\\boxed{13}.",
    "\\[\n\\boxed{12}\n\\]\n\nor\n\n\\[\n\\boxed{13}\n\\]", "$$\\boxed{12}$$\n\n**Alternatively:**\n\n$$\\boxed{13}$$",
    "\\boxed{12}\n\n(or\n\\boxed{13})", "\\boxed{12}\n\nvs.\n\n\\boxed{13}",
])
def test_two_boxes_offered_on_lines_of_their_own_name_no_one_answer(text):
    """``\\boxed{12}\\n\\nor\\n\\n\\boxed{13}`` passed 12 (the early stop ended the rollout at ``\\boxed{12}\\n``):
    an "or" on a line of its own between two boxes joins them as ``\\boxed{12} or \\boxed{13}`` is joined, a list
    right only against a reference of both."""
    assert not judged("boxed", text, "12") and not judged("boxed", text, "13")
    assert judged("boxed", text, "12, 13")
    assert_stops_only_where_the_verdict_is_known("boxed", text, ["12", "13", "12, 13"])


@pytest.mark.parametrize("text,stop", [
    ("\\boxed{12}\n\nThus it is.", "\\boxed{12}\n\nT"),
    ("\\[\n\\boxed{12}\n\\]\n\nHence", "\\[\n\\boxed{12}\n\\]\n\nH"),
    ("\\boxed{12}\n\nor so I think.", "\\boxed{12}\n\nor so I"), ("\\boxed{12}.\n\nor\n\n\\boxed{13}", "\\boxed{12}."),
])
def test_a_box_then_a_new_line_still_stops_once_no_box_can_join_it(text, stop):
    first = next(text[:i] for i in range(len(text) + 1) if answer_complete("boxed", text[:i]))
    assert first == stop and judged("boxed", text, "12") and judged("boxed", first, "12")


BOX_PIECES = ["\\boxed{12}", "\\boxed{13}", "$", "$$", "\\[", "\\]", "\n", "\n\n", " ", "or", "OR", " or ", "(or", ")",
              ".", "vs.", "Alternatively", ":", "**", ",", "Thus", " 13", " 12", "\\text{ or }", "\\quad", "so", "I"]


def test_the_first_stop_on_random_boxes_gives_the_whole_texts_verdict():
    """Random boxes, marks, words and new lines: where the stop first accepts a prefix, that prefix gets the whole
    text's verdict against each reference."""
    rng = random.Random(17)
    stopped = 0
    for _ in range(1500):
        text = "".join(rng.choice(BOX_PIECES) for _ in range(rng.randint(2, 9)))
        first = next((i for i in range(len(text) + 1) if answer_complete("boxed", text[:i])), None)
        if first is not None:
            stopped += 1
            for ref in ("12", "13", "12, 13"):
                assert judged("boxed", text[:first], ref) is judged("boxed", text, ref), (text[:first], text, ref)
    assert stopped > 150


@pytest.mark.parametrize("text,ref,right", [
    (r"\boxed{2 \text{ hours}} (or 120 minutes)", "2", True), (r"\boxed{2 \text{ hours}} (or 120 minutes).", "2", True),
    (r"\boxed{2 hours} (or 120 min)", "2", True), (r"\boxed{1.5 \text{ km}} (or 1500 m).", "1.5", True),
    (r"\boxed{5\,\mathrm{dollars}} or 500 cents.", "5", True),
    (r"\boxed{90 \text{ minutes}} (or 1.5 hours)", "90", True),
    (r"\boxed{2 \text{ hours}} (or 3 minutes).", "2", False), (r"\boxed{2 \text{ hours}} (or 120 more).", "2", False),
    (r"\boxed{2 \text{ hours}} (or 120 minutes).", "120", False), (r"\boxed{2} (or 120 minutes).", "2", False),
    (r"\boxed{12 \text{ apples}} (or 13 pears).", "12", False), (r"\boxed{2 \text{ hours}} (or 120 mins).", "2", True),
])
def test_a_box_restated_in_another_unit_is_one_answer(text, ref, right):
    """``\\boxed{2 \\text{ hours}} (or 120 minutes)`` failed a reference 2: a number offered after the box was a second
    answer whatever its unit. The same amount in another known unit (time, length, mass, volume, money) is the box's
    answer said again; another amount, a word that is no unit, or units not both known still offer a second."""
    assert judged("boxed", text, ref) is right
    assert_stops_only_where_the_verdict_is_known("boxed", text, [ref, "2", "120", "2, 120"])


@pytest.mark.parametrize("text", [
    "\\boxed{12} \\text{ and/or } \\boxed{13}", "\\boxed{12} and/or \\boxed{13}",
    "\\boxed{12}\\text{ (or }\\boxed{13}\\text{)}",
    "\\boxed{12}\\quad\\text{(or }13)", "\\boxed{12} \\text{ (or } 13)", "\\boxed{12}\n\nOr possibly \\boxed{13}",
])
def test_two_answers_joined_in_these_words_name_no_one(text):
    """Each passed 12: "and/or" between boxes, an "or" opening a bracket inside ``\\text{}`` (``\\text{(or }13)``)
    and a line's "Or possibly" join a second answer, as ``\\boxed{12} or \\boxed{13}`` does."""
    assert not judged("boxed", text, "12") and not judged("boxed", text, "13")
    assert judged("boxed", text, "12, 13")
    assert_stops_only_where_the_verdict_is_known("boxed", text, ["12", "13", "12, 13"])


# ----------------------------------------------------------------- gsm8k

@pytest.mark.parametrize("line,ref,right", [
    ("12 | 13", "12", False), ("12 vs 13", "12", False), ("12 vs. 13", "13", False), ("12 -> 13", "12", False),
    ("12 → 13", "13", False), ("12 => 13", "12", False), ("12? 13?", "12", False), ("12 (13?)", "12", False),
    ("12 plus 13", "12", False), ("12 apples | 13 pears", "12", False),
    ("7 (5 plus 2)", "7", True), ("7 (vs 5 last year)", "7", True), ("7?", "7", True), ("7 -> final", "7", True),
    ("7 | Total", "7", True), ("7 (i.e. 5 + 2)", "7", True),
])
def test_a_gsm8k_line_with_a_second_amount_beside_the_first_names_no_answer(line, ref, right):
    """``#### 12 | 13``, ``#### 12 vs 13``, ``#### 12 -> 13``, ``#### 12? 13?`` and ``#### 12 (13?)`` passed 12 (the
    line's first number was read), and ``#### 12 plus 13`` too: a second amount set beside, against or in place of
    the first, or asked after it, is a hedge as ``12 or 13`` is; an operation in words is none, as ``12 + 13`` was."""
    text = f"So that is it.\n#### {line}\n"
    assert judged("gsm8k", text, ref) is right
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, (ref, "12", "13"))


@pytest.mark.parametrize("line,ref,right", [
    ("12 and a half", "12", False), ("12 and a half", "12.5", True), ("12 and a half hours", "12.5", True),
    ("2 and a quarter", "2.25", True), ("2 and a quarter", "2", False), ("2 and three quarters", "2.75", True),
    ("2 and two thirds", "2", False), ("12 and 1/2", "12.5", True),
])
def test_a_gsm8k_amount_with_its_fraction_in_words_is_that_amount(line, ref, right):
    """``#### 12 and a half`` passed a reference 12 (its first number was read): a whole number and a fraction in
    words is the mixed number, as ``12 and 1/2`` was."""
    text = f"So that is it.\n#### {line}\n"
    assert judged("gsm8k", text, ref) is right
    assert_stops_only_where_the_verdict_is_known("gsm8k", text, (ref, "12", "2"))
