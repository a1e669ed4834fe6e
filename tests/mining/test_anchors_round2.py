"""Thought anchors, second red-team round, without a model: when a cut resample's first sentence ended."""

from ptsfast.mining.anchors import first_sentence, first_sentence_ended


def test_a_first_sentence_ends_at_a_terminator_a_newline_or_the_next_sentence():
    before = "We add them."
    for text in [" The total is 15.", " The total is 1", " The total is 15. Then", " Total\n", " 所以是5。", "", "  "]:
        ended = first_sentence_ended(text, before)
        assert ended == (text in (" The total is 15.", " The total is 15. Then", " Total\n", " 所以是5。")), text
    # the piece a cut resample holds shares the original's words but not its numbers: read whole, it was different
    assert first_sentence(" The total is 5 * 3 = 1", before) == "The total is 5 * 3 = 1"
    assert not first_sentence_ended(" The total is 5 * 3 = 1", before)
    # a list marker at the fork is no sentence end (split after the solution's text, as the solution was)
    assert not first_sentence_ended(" 1. Add", "Steps:\n")
    assert first_sentence_ended(" 1. Add 3. Then", "Steps:\n")
