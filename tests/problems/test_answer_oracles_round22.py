"""Answer oracles against answers as models write them (round 22).

A hedge names no answer, a right answer in a common spelling passes, and every prefix the early stop accepts gives
the whole text's verdict.
"""

import pytest

from test_answer_oracles_round15 import judged, assert_stops_only_where_the_verdict_is_known


# ----------------------------------------------------------------- multiple choice

@pytest.mark.parametrize("text", ["The answer is B if x > 0, else C.", "The answer is B if x > 0, else C.\n",
                                  "Answer: B if x > 0.5, otherwise C.", "The answer is B if x > 0 and C otherwise.\n",
                                  "**Answer: B** if x > 0, else C\n", "Answer: (B) if x > 0, otherwise (C).\n",
                                  "The answer is B when x = 2, or C.\n",
                                  "Answer: B... or C", "Answer: B... or C.\n", "Answer: B...or C\n",
                                  "Answer: B\u2026 or C\n", "Answer: B. (Or C.)", "Answer: B. (Or C.)\n",
                                  "Answer: B. (or C)\n"])
def test_a_letter_under_a_condition_or_trailing_off_before_another_names_no_choice(text):
    """``The answer is B if x > 0, else C.`` passed B, and the stop ended it at ``... x > 0`` (a digit ends an
    answer); ``Answer: B... or C`` and ``Answer: B. (Or C.)`` passed B, stopped at ``B..`` and ``B. (``."""
    for ref in ("B", "C"):
        assert not judged("multiple_choice", text, ref), (text, ref)
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"))


@pytest.mark.parametrize("text", ["The answer is B if we assume x > 0.\n", "Answer: B...\n", "Answer: B... I think.\n",
                                  "Answer: B. (15)\n", "Answer: B. (This is the only one.)\n", "Answer: B\u2026\n",
                                  "The answer is B when x = 2.5.\n", "Answer: B.\n"])
def test_a_letter_under_a_condition_or_trailing_off_alone_is_that_choice(text):
    assert judged("multiple_choice", text, "B")
    assert not judged("multiple_choice", text, "C")
    assert_stops_only_where_the_verdict_is_known("multiple_choice", text, ("B", "C"))
