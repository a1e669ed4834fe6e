"""Dataset rows as real datasets publish them, round 18: s1 traces decoded without special tokens, and more code and
math shapes (OpenCodeReasoning, open-r1/codeforces, TACO, MBPP, LiveCodeBench, CodeContests, OlympiadBench, GPQA)."""

import pytest

from helpers.rows import load
from ptsfast.problems.oracles import make_judge

MATH = make_judge("math", 10.0)
QUESTION = "What is 2 + 2? Give a number."


@pytest.mark.parametrize("solution", ["think\nMaybe \\boxed{5}? No.\nanswer\nAnswer: 4",
                                      "think\nMaybe \\boxed{5}? No, 2 + 2 is 4.\nanswer\nSo $\\boxed{4}$."])
def test_an_s1_trace_decoded_without_special_tokens_is_read_after_its_thinking(tmp_path, solution):
    # s1's <|im_start|>think ... <|im_start|>answer saved with the special tokens skipped: the box tried while
    # thinking was the reference, 5 judged right and 4 wrong
    p, = load(tmp_path, [{"problem": QUESTION, "solution": solution}], oracle="math").problems
    assert MATH("So the answer is \\boxed{4}.", p).success
    assert not MATH("So the answer is \\boxed{5}.", p).success


def test_an_s1_trace_decoded_without_special_tokens_cut_in_its_thinking_is_refused(tmp_path):
    r = load(tmp_path, [{"problem": QUESTION, "solution": "think\nMaybe \\boxed{5}? No."}], oracle="math")
    assert not r.problems and "never closes" in r.skipped[0]


def test_the_words_think_and_answer_in_a_solutions_prose_are_prose(tmp_path):
    solution = "We think about it.\nanswer\nSo $\\boxed{4}$."
    p, = load(tmp_path, [{"problem": QUESTION, "solution": solution}], oracle="math").problems
    assert MATH("\\boxed{4}", p).success
