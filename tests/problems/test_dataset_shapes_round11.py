"""Rows of public math and multiple-choice datasets as they publish them, round 11, loaded as ``ptsfast mine`` loads
them: the model is asked the whole question (its passage and lettered choices), the reference is the answer the oracle
compares, and a row whose reference cannot be read is refused naming the row, the column and the way out."""

import json

from helpers.rows import load
from ptsfast.problems.oracles import make_judge


MC = make_judge("multiple_choice", 5.0)
BOXED = make_judge("boxed", 5.0)


def assert_judged(problem, right: str, letters: str):
    assert problem.answer == right
    assert MC(f"The answer is ({right}).", problem).success
    assert not any(MC(f"The answer is ({x}).", problem).success for x in letters if x != right)


WINOGRANDE = {"sentence": "Sarah was a much better surgeon than Maria so _ always got the harder cases.",
              "option1": "Sarah", "option2": "Maria", "answer": "1"}


def test_winogrande_rows_list_their_two_options_and_count_the_answer_from_1(tmp_path):
    # WinoGrande's question is 'sentence', its choices 'option1' and 'option2', its answer "1" or "2": the row was
    # refused as missing 'question', and with --question-field sentence the model was asked the sentence without the
    # options, judged against the reference "1" (no letter, no choice: every rollout an oracle error)
    wino, = load(tmp_path, [WINOGRANDE]).problems
    assert wino.question == f"{WINOGRANDE['sentence']}\n\nA. Sarah\nB. Maria"
    assert_judged(wino, "A", "AB")
    second, = load(tmp_path, [{**WINOGRANDE, "answer": "2"}], "--question-field", "sentence").problems
    assert_judged(second, "B", "AB")
    test_split = load(tmp_path, [{**WINOGRANDE, "answer": ""}])  # its test split's rows have no answer
    assert not test_split.problems and test_split.skipped[0].reason == "no answer to judge"
    assert "'answer'" in test_split.skipped[0] and "validation split" in test_split.skipped[0]
