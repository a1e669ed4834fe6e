"""Dataset rows as real datasets publish them, round 17: worked solutions written by Marco-o1 (``<Thought>``),
Reflection (``<thinking>``) and s1 (``<|im_start|>think``) take their reference answer after the thoughts."""

import pytest

from helpers.rows import load
from ptsfast.problems.oracles import make_judge

MATH = make_judge("math", 10.0)
QUESTION = "What is 2 + 2? Give a number."


@pytest.mark.parametrize("solution", [
    "<Thought>\nMaybe \\boxed{5}? No, 2 + 2 is 4.\n</Thought>\n<Output>\nThe answer is 4\n</Output>",
    "<thinking>\nTry \\boxed{5}.\n<reflection>\nWrong: it is 4.\n</reflection>\n</thinking>\n<output>\n"
    "The answer is 4.\n</output>",
    "<|im_start|>think\nMaybe \\boxed{5}? No.\n<|im_start|>answer\nAnswer: 4<|im_end|>",
])
def test_a_solution_in_a_models_own_thought_tags_is_read_after_its_thoughts(tmp_path, solution):
    # the box tried while thinking was taken for the reference: 5 judged right, 4 wrong
    p, = load(tmp_path, [{"problem": QUESTION, "solution": solution}], oracle="math").problems
    assert p.answer == "4"
    assert MATH("So the answer is \\boxed{4}.", p).success
    assert not MATH("So the answer is \\boxed{5}.", p).success


@pytest.mark.parametrize("solution", ["<Thought>\nMaybe \\boxed{5}.", "<|im_start|>think\nMaybe \\boxed{5}."])
def test_a_solution_cut_off_in_its_thoughts_is_refused(tmp_path, solution):
    r = load(tmp_path, [{"problem": QUESTION, "solution": solution}], oracle="math")
    assert not r.problems and "never closes" in r.skipped[0]


def test_thought_tags_inside_a_solution_are_prose(tmp_path):
    # only a solution opening with the tag is a trace: elsewhere the tag is the solution's own text
    solution = "We write <thinking> tags as HTML.\nThe answer is 4"
    p, = load(tmp_path, [{"problem": QUESTION, "solution": solution}], oracle="math").problems
    assert p.answer == "4"


@pytest.mark.parametrize("inside", [True, False])
def test_a_fifo_among_the_problems_is_refused_not_waited_on(tmp_path, inside):
    # load_problems on a datasets folder holding a fifo (data/test.jsonl) waited for a writer for ever
    import json
    import os
    import signal

    from ptsfast.problems.loading import DataError, load_problems

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text(json.dumps({"question": QUESTION, "answer": "4"}) + "\n")
    os.mkfifo(tmp_path / "data" / "test.jsonl")

    def hung(*_):
        raise TimeoutError("load_problems waited on the fifo")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        with pytest.raises(DataError, match="test.jsonl.*pipe or device"):
            load_problems(tmp_path if inside else tmp_path / "data" / "test.jsonl")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_jeebench_rows_take_their_gold_column_as_the_reference(tmp_path):
    # JEEBench's reference is 'gold' beside its 'type': every row was refused as missing 'answer'
    rows = [{"description": "JEE Adv 2016 Paper 1", "index": 1, "subject": "math", "type": "Integer",
             "question": "How many primes are below 10?", "gold": "4"},
            {"description": "JEE Adv 2017 Paper 2", "index": 2, "subject": "phy", "type": "Numeric",
             "question": "What is g in m/s^2, to two decimals?", "gold": "9.81"}]
    r = load(tmp_path, rows, oracle="math")
    assert [p.answer for p in r.problems] == ["4", "9.81"] and not r.skipped
    assert MATH("So \\boxed{4}.", r.problems[0]).success and not MATH("So \\boxed{5}.", r.problems[0]).success


def test_a_gold_column_without_jeebench_types_is_not_taken(tmp_path):
    r = load(tmp_path, [{"question": "How many primes are below 10?", "gold": "4"}], oracle="math")
    assert not r.problems and "missing field 'answer'" in r.skipped[0]
