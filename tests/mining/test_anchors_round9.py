"""Thought anchors, ninth round: sentence ends after a ratio ("3:1.") and after a numbered reference ("Sec. 2."),
contractions read as the words they stand for ("isn't" / "is not"), an equation written the other way round, and
sentences.jsonl lines read back without their repeated prefix ids."""

import pytest


def _pieces(text):
    from ptsfast.mining.anchors import sentence_starts

    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:])]


@pytest.mark.parametrize("text, pieces", [
    # "1." after a colon was read as an inline list's first marker ("Steps: 1. Add"), so a ratio or a time ending a
    # sentence merged it with the next one
    ("The ratio is 3:1. Next, we see.", ["The ratio is 3:1.", "Next, we see."]),
    ("It's 1:1. Then we stop.", ["It's 1:1.", "Then we stop."]),
    ("Compare x:1. Then y.", ["Compare x:1.", "Then y."]),
    # a number after "Sec."/"Vol."/"Ch."/"No." ("See Sec. 2") ends its sentence as one after "Fig." does
    ("See Sec. 2. Then Thm. 3 applies.", ["See Sec. 2.", "Then Thm. 3 applies."]),
    ("It is in Vol. 3. The proof is there.", ["It is in Vol. 3.", "The proof is there."]),
    # unchanged: an inline list after a colon, a number after "Sec." inside a sentence
    ("Steps: 1. Add the two. 2. Multiply them.", ["Steps: 1. Add the two.", "2. Multiply them."]),
    ("Use Sec. 2 here. Then go.", ["Use Sec. 2 here.", "Then go."]),
    ("See Fig. 2. Then go.", ["See Fig. 2.", "Then go."]),
])
def test_sentence_ends_after_a_ratio_or_a_numbered_reference(text, pieces):
    assert _pieces(text) == pieces
