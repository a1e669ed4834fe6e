"""Answer oracles against answers as models write them (round 18).

A hedge or a correction names no answer, a right answer in a common spelling passes, and every prefix the early
stop accepts gives the whole text's verdict.
"""

import pytest

from ptsfast.problems.oracles import answer_complete
from test_answer_oracles_round15 import assert_stops_only_where_the_verdict_is_known, judged


# ----------------------------------------------------------------- boxes

@pytest.mark.parametrize("text", [
    r"\boxed{12}; however, \boxed{13}", r"\boxed{12}, but maybe \boxed{13}",
    r"\boxed{12} apples or \boxed{13} apples", r"$\boxed{12}$ apples or $\boxed{13}$ apples",
    r"\boxed{12}\text{ km} or \boxed{13}\text{ km}", r"\boxed{12} apples; wait, \boxed{13}",
])
def test_a_second_box_after_a_unit_or_a_word_of_doubt_names_no_answer(text):
    """``\\boxed{12}; however, \\boxed{13}`` and ``\\boxed{12} apples or \\boxed{13} apples`` passed 12: a word
    between the boxes stopped their join, so the first box was read alone (a hedge judged right)."""
    for name in ("boxed", "math"):
        if "13" in text:
            assert not judged(name, text, "12") and not judged(name, text, "13"), (name, text)
        assert_stops_only_where_the_verdict_is_known(name, text, ("12", "13"))


@pytest.mark.parametrize("text", [r"\boxed{12} apples.", r"$\boxed{12}$ apples", r"\boxed{12}; however, it fits.",
                                  r"\boxed{12} apples in all.\nDone", r"\boxed{12}\text{ km}."])
def test_one_box_with_a_unit_or_words_after_it_still_passes(text):
    for name in ("boxed", "math"):
        assert judged(name, text, "12"), (name, text)
        assert_stops_only_where_the_verdict_is_known(name, text, ("12", "13"))


def test_the_stop_still_ends_at_a_sentence_after_a_box():
    text = r"So \boxed{12} apples. And then more words follow"
    first = next(text[:i] for i in range(len(text) + 1) if answer_complete("boxed", text[:i]))
    assert first == r"So \boxed{12} apples."
