"""Answer oracles against answers as models write them and references as datasets store them (round 11).

Each verdict follows the dataset's own grader where it reads a spelling alike; a hedge (two answers offered) names
none, and the early stop never decides before the verdict is settled.
"""

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, make_judge, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def boxed(text, ref):
    return oracle_by_name("boxed")(text, P(ref))


def gsm(text, ref):
    return oracle_by_name("gsm8k")(text, P(ref))


def mc(text, ref, choices=None):
    return oracle_by_name("multiple_choice")(text, P(ref, choices))


GRANITE = ("Here is my thought process:\nMaybe {tried}? Let me check again.\n\nHere is my response:\n{said}",
           "Here's my thought process:\n{tried} at first.\nHere's my response:\n{said}")


@pytest.mark.parametrize("reply", GRANITE)
@pytest.mark.parametrize("oracle,right,wrong,ref", [
    ("boxed", "So the answer is \\boxed{13}.", "\\boxed{12}", "13"),
    ("gsm8k", "The total is 13.\n#### 13", "#### 12", "13"),
    ("multiple_choice", "Answer: B", "Answer: A", "B"),
])
def test_granite_thought_process_is_thinking_and_its_response_the_answer(reply, oracle, right, wrong, ref):
    """Granite 3.2 with thinking on writes "Here is my thought process:" ... "Here is my response:" in plain words
    (no tags): the answer it tried while thinking was judged (\\boxed{12} passed where it answered 13, and the right
    13 failed), and a rollout stopped early on it. Its thought process is a trace, its response the answer."""
    judge = make_judge(oracle, None)
    assert judge(reply.format(tried=wrong, said=right), P(ref)).success
    assert not judge(reply.format(tried=right, said=wrong), P(ref)).success
    cut = reply.format(tried=right, said="")
    cut = cut[:cut.index("Here", 5)]
    assert not judge(cut, P(ref)).success and not answer_complete(oracle, cut)


def test_granite_words_elsewhere_open_no_trace():
    judge = make_judge("boxed", None)
    assert judge("Let me think. Here is my thought process: 2 + 3 = 5, so \\boxed{5}.", P("5")).success
