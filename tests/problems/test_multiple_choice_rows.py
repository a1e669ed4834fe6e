"""Multiple-choice rows in their datasets' shapes: the model sees the lettered choices, and the reference becomes
the letter the multiple-choice oracle compares (MMLU's 0-based index, ARC's own labels, MMLU-Pro's ten letters)."""

import json

from ptsfast.problems.loading import FieldMap, load_problems
from ptsfast.problems.oracles import oracle_by_name

ROWS = [
    {"question": "Which is 3?", "subject": "math", "choices": ["0", "1", "2", "3"], "answer": 3},  # MMLU
    {"question_id": 71, "question": "Which is 8?", "options": [str(i) for i in range(10)], "answer": "I",
     "answer_index": 8},  # MMLU-Pro
    {"id": "Mercury_1", "question": "What is red?", "answerKey": "2",
     "choices": {"text": ["sky", "blood", "grass", "snow"], "label": ["1", "2", "3", "4"]}},  # ARC, numeric labels
    {"id": "arc2", "question": "What is white?", "answerKey": "C",
     "choices": {"text": ["sky", "blood", "snow"], "label": ["A", "B", "C"]}},  # ARC, letters
    {"question": "Two plus two?\nA) 3\nB) 4", "options": ["A)3", "B)4"], "answer": "B"},  # AQuA: listed already
]


def load(tmp_path, rows, fields=FieldMap(auto_detect=True)):
    path = tmp_path / "mc.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return load_problems(str(path), fields)


def test_the_model_sees_the_choices_and_the_reference_is_their_letter(tmp_path):
    """Choices were kept on the problem but never shown (the prompt was the bare question: no letter to name), an
    MMLU index 3 was the reference "3", an ARC label "2" a choice's text that no letter matched."""
    got = []
    for rows in (ROWS[:1], ROWS[1:2], ROWS[2:4], ROWS[4:]):  # one dataset a file
        res = load(tmp_path, rows)
        assert not res.skipped, res.skipped
        got += res.problems
    mmlu, pro, arc_num, arc_abc, aqua = got
    assert mmlu.question == "Which is 3?\n\nA. 0\nB. 1\nC. 2\nD. 3" and mmlu.answer == "D"
    assert pro.question.endswith("\nI. 8\nJ. 9") and pro.answer == "I"
    assert arc_num.question.endswith("\nA. sky\nB. blood\nC. grass\nD. snow") and arc_num.answer == "B"
    assert arc_abc.answer == "C" and aqua.question == ROWS[4]["question"] and aqua.answer == "B"
    mc = oracle_by_name("multiple_choice")
    for p, right, wrong in ((mmlu, "D", "C"), (pro, "I", "H"), (arc_num, "B", "A"), (arc_abc, "C", "B")):
        assert mc(f"The answer is ({right}).", p) and not mc(f"The answer is ({wrong}).", p), p.id


def test_an_answer_that_is_no_index_or_label_stays_as_given(tmp_path):
    """A value with a choices column (an index out of range, a text) is not turned into a letter."""
    rows = [{"question": "2 + 3?", "choices": ["5", "6"], "answer": 5},
            {"question": "Pick", "choices": ["x", "y"], "answer": "y"}]
    a, b = load(tmp_path, rows).problems
    assert a.answer == "5" and b.answer == "y"
    assert oracle_by_name("multiple_choice")("Answer: B", b)


def test_code_rows_keep_their_question(tmp_path):
    """A code row's ``options`` are not choices to list under its question."""
    rows = [{"question": "Write f.", "options": ["fast", "slow"], "tests": "assert f() == 1"}]
    res = load(tmp_path, rows, FieldMap(code=True, require_answer=False, auto_detect=True))
    assert res.problems[0].question == "Write f." and res.problems[0].choices is None


def test_a_choice_whose_text_carries_its_label_unspaced_is_stated_by_its_text():
    """AQuA's options are "C)22" (AGIEval's "(C)22"): the label was stripped only where a space followed it, so "The
    answer is 22." named no choice and failed where C was right."""
    from ptsfast.problems.loading import Problem

    judge = oracle_by_name("multiple_choice")
    aqua = Problem(id="aqua", question="q", answer="C", choices=("A)21", "B)21.5", "C)22", "D)22.5", "E)23"))
    assert judge("The answer is 22.", aqua) and judge("\\boxed{22}", aqua) and judge("Answer: C", aqua)
    assert not judge("The answer is 21.", aqua) and not judge("The answer is 22.5", aqua)
    assert not judge("The answer is 22 or 23.", aqua)
    agieval = Problem(id="ag", question="q", answer="B", choices=("(A)a", "(B)b", "(C)c"))
    assert judge("The answer is b.", agieval) and not judge("The answer is a.", agieval)
