"""Thought anchors, fifth round: resamples that change the claim while keeping the words (another choice letter, a
negation, a verdict word, a comparison, numbers swapped) are different sentences."""

import random

import pytest

from ptsfast.mining.anchors import AnchorConfig, same_facts, similar


@pytest.mark.parametrize("original, resample", [
    ("So the answer is A.", "So the answer is B."),  # 0.83 overlap: the multiple-choice answer changed
    ("The answer is \\boxed{C}.", "The answer is \\boxed{D}."),
    ("So x is not 2.", "So x is 2."),  # 0.91
    ("There is no real root here.", "There is a real root here."),
    ("Wait, that's right.", "Wait, that's wrong."),  # 0.86
    ("So 3 > 2.", "So 3 < 2."),  # 0.80
    ("So we need x \\leq 5 here.", "So we need x \\geq 5 here."),
    ("x = 2 and y = 3.", "x = 3 and y = 2."),  # 1.0: the same numbers, bound to other variables
    ("The ratio is 1:2.", "The ratio is 2:1."),  # ("1/2" / "2/1" are other values now: 0.5 / 2)
])
def test_a_resample_that_changes_the_claim_but_not_the_words_is_different(original, resample):
    assert not similar(original, resample)
    assert not same_facts(original, resample)
    assert similar(original, resample, facts_must_match=False)  # the words alone say "similar"
    assert similar(original, original)


@pytest.mark.parametrize("original, resample", [
    ("So the answer is 5.", "So, the answer is 5."),
    ("A train leaves at 5 pm.", "The train leaves at 5 pm."),  # an article, not a choice
    ("I think x = 2.", "We think x = 2."),
    ("There is no solution here.", "So there is no solution here."),
    ("Let me think more carefully.", "Let me think carefully."),
    ("The answer is \\boxed{B}.", "So the answer is \\boxed{B}."),
    ("No, that is not it.", "No, this is not it."),
    ("We need x < 5.", "So we need x < 5."),
    ("Hmm, that's not right.", "Hmm, that's wrong."),  # two ways to say no
])
def test_a_resample_that_says_the_same_stays_similar(original, resample):
    assert similar(original, resample)


def test_the_claim_rule_is_a_setting():
    assert AnchorConfig().facts_must_match is True
    with pytest.raises(ValueError, match="facts_must_match"):
        AnchorConfig(facts_must_match="no")


def split_text(text):
    from ptsfast.mining.anchors import sentence_starts

    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:])]


def test_a_markdown_table_row_is_one_sentence():
    # cut at "1. " and "3. " inside its cells, a row was three sentences: "| 1.", "Add | 3.", "Then |"
    table = "| Step | Value |\n|---|---|\n| 1. Add | 3. Then |\nSo it is 3. Done."
    assert split_text(table) == ["| Step | Value |", "|---|---|", "| 1. Add | 3. Then |", "So it is 3.", "Done."]
    assert split_text("|x| = 2. So |y| = 3. Done.") == ["|x| = 2.", "So |y| = 3.", "Done."]  # absolute values


@pytest.mark.parametrize("text, sentences", [
    ("### Step 1. Compute the sum\nIt is 5.", ["### Step 1. Compute the sum", "It is 5."]),
    ("We start. Step 2. Multiply by 3. Case 1. x is even.",
     ["We start.", "Step 2. Multiply by 3.", "Case 1. x is even."]),
    ("We are at step 2. Then we stop.", ["We are at step 2.", "Then we stop."]),  # a sentence's end, no label
    ("By Thm. 2 it holds. Ex. 3 too.", ["By Thm. 2 it holds.", "Ex. 3 too."]),
])
def test_a_numbered_label_is_no_sentence_of_its_own(text, sentences):
    assert split_text(text) == sentences


def test_numbers_inside_names_keep_no_order():
    assert same_facts("Compare x1 and x2.", "Compare x2 and x1.")  # names, not values
    assert not same_facts("Set x = 1 and y = 2.", "Set x = 2 and y = 1.")


def test_a_chinese_or_japanese_sentence_is_compared_by_its_characters():
    # read as runs up to the punctuation, one character left out made the clause another word: 0.75, different
    assert similar("所以我们需要计算这个三角形的面积，然后再求出周长。", "所以我们需要计算这个三角形的面积，然后求出周长。")
    assert similar("まず、三角形の面積をすぐに計算します。", "まず、三角形の面積を計算します。")
    assert not similar("这个是对的。", "这个是错的。")  # by characters 0.83: the negative word decides
    assert not similar("所以x是2。", "所以x不是2。")
    assert not similar("所以答案是-2。", "所以答案是2。")  # a sign after a character is a sign
    assert not similar("先算3再算5。", "先算5再算3。")


def test_a_decimal_written_without_its_leading_zero_is_that_decimal():
    assert similar("So the probability is .5 here.", "So the probability is 0.5 here.")
    assert not similar("So the probability is .5 here.", "So the probability is 5 here.")  # .5 was read as 5


def test_a_unit_after_a_number_is_part_of_the_claim():
    assert not similar("The answer is 5 meters.", "The answer is 5 seconds.")  # 0.83 overlap
    assert not similar("It takes 2 hours.", "It takes 2 minutes.")
    assert not similar("The total is 12% here.", "The total is 12 here.")
    assert similar("It is 5 cm long.", "It is 5 centimeters long.")  # one unit, two spellings
    assert similar("There are 2 in the box.", "So there are 2 in the box.")  # no inch


def test_chinese_words_that_hold_a_negative_character_but_say_no_no_are_not_negations():
    assert similar("所以这个题目非常简单。", "所以这个题目很简单。")  # 非常: very
    from ptsfast.mining.anchors import same_facts
    assert same_facts("这个方法不错。", "这个方法很好。") and same_facts("否则x是2。", "x是2。")
    assert not same_facts("这个方法错了。", "这个方法对了。")


def test_a_unit_one_word_after_its_number_is_read():
    assert similar("It would take 3 more days here.", "It would take 3 days more here.")
    assert not similar("The area is 25 square meters.", "The area is 25 square feet.")


def test_an_arrow_is_no_comparison():
    assert similar("So x = 2 => y = 4 here.", "So x = 2, so y = 4 here.")  # "=>" read as ">"
    from ptsfast.mining.anchors import same_facts
    assert same_facts("Then a -> b holds.", "Then a implies b holds.") and same_facts("p <=> q", "p iff q")


def test_the_sentence_that_picks_the_choice_is_its_anchor():
    """A multiple-choice solution's last sentence "So the answer is B." (right): half its resamples pick another letter
    (and fail). Read as similar by their words, no resample differed and the sentence was no anchor; its true
    counterfactual importance is p(with) - p(different) = 1 - 0 = 1."""
    from ptsfast.mining.anchors import AnchorOutcome, AnchorSearch

    rng = random.Random(5)
    original = "So the answer is B."
    search = AnchorSearch(1, AnchorConfig(), final=1.0)
    while (requests := search.requests()):
        for boundary, n in requests:
            picks = [rng.choice("ABCD") if rng.random() < 0.5 else "B" for _ in range(n)]
            search.add(boundary, [AnchorOutcome(p == "B", similar(original, f"So the answer is {p}.")) for p in picks])
    (r,) = search.results([(0, 5)])
    assert r.is_anchor and r.counterfactual.value == pytest.approx(1.0)


def test_a_roman_numeral_choice_is_a_choice():
    assert not similar("So the answer is II.", "So the answer is III.")  # 0.8 overlap
    assert not similar("So the answer is I and II only.", "So the answer is I and III only.")
    assert similar("So I think the answer is II.", "I think the answer is II.")


@pytest.mark.parametrize("text, sentences", [
    ("**The answer is 5.** Next we check.", ["**The answer is 5.**", "Next we check."]),
    ("**Wait!** Let me redo it.", ["**Wait!**", "Let me redo it."]),
    ("This is _important._ Then go.", ["This is _important._", "Then go."]),
    ("**1.** First. **2.** Second.", ["**1.** First.", "**2.** Second."]),  # still list markers
    ("Steps: **1.** Add 2. **2.** Multiply.", ["Steps: **1.** Add 2.", "**2.** Multiply."]),
])
def test_a_sentence_closed_by_a_bold_or_italic_mark_ends(text, sentences):
    # a terminator followed by "**" was not followed by whitespace: a bold sentence ran into the next one
    assert split_text(text) == sentences


def test_a_resample_that_ends_in_a_bold_mark_ended_its_sentence():
    from ptsfast.mining.anchors import first_sentence_ended

    assert first_sentence_ended("**Wait!**", "So x = 2. ")


def test_bold_marks_and_heading_hashes_are_formatting():
    assert similar("**So x = 5.**", "So x = 5.")
    assert similar("### Final answer: 5", "Final answer: 5")
    assert not similar("**So x = 5.**", "**So x = 6.**")
    assert similar("So \\(x = 5\\).", "So $x = 5$.")  # the same math, other delimiters
