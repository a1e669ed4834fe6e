"""Letters offered side by side with nothing but spaces, or nothing, between them: a hedge, as "B, D" is."""

import pytest

from ptsfast.problems.oracles import answer_complete, extract_choice


@pytest.mark.parametrize("text", ["Answer: (B)(D)", "Answer: (B) (D)", "Answer: B D", "Answer: B D.",
                                  "\\boxed{A} \\boxed{C}", "\\boxed{A}\\boxed{C}", "The answer is **B** **D**."])
def test_letters_side_by_side_name_no_choice(text):
    # before: each read as its first letter (B, or A), while "B, D" and "\boxed{A} or \boxed{C}" named none
    assert extract_choice(text, "D") is None


@pytest.mark.parametrize("text,letter", [("Answer: (A) (A)", "A"), ("(A) " * 3000, "A"), ("Answer: B I think.", "B"),
                                         ("Answer: B A lot of work.", "B"), ("Answer: B. D is wrong.", "B"),
                                         ("Answer: B\nD is wrong.", "B")])
def test_one_letter_said_again_or_followed_by_words_is_that_choice(text, letter):
    assert extract_choice(text, "J") == letter


def test_the_early_stop_waits_for_what_follows_a_letter():
    assert not answer_complete("multiple_choice", "Answer: B ")  # " D" may follow
    assert not answer_complete("multiple_choice", "Answer: (B)")  # "(D)" may follow
    assert answer_complete("multiple_choice", "Answer: B.\n")
