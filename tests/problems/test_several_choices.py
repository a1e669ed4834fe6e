"""JEEBench's ``MCQ(multiple)`` questions: the gold names several letters ("ABD"), and an answer is right when it
states exactly those (JEEBench's grader scores the set). The judge raised on every answer naming one letter
("reference answer 'ABD' is neither a letter A-E nor one of its choices") and read ``Answer: A, B and D`` as a
hedge; the early stop cut ``Answer: A`` before the rest of the list."""

import json

import pytest

from ptsfast.problems.loading import FieldMap, load_problems
from ptsfast.problems.oracles import oracle_by_name, stops_early

QUESTION = "Which statements are correct?\n(A) x\n(B) y\n(C) z\n(D) w"


@pytest.fixture(scope="module")
def problems(tmp_path_factory):
    path = tmp_path_factory.mktemp("jee") / "jeebench.jsonl"
    rows = [{"description": "JEE Adv 2016 Paper 1", "index": 1, "subject": "phy", "type": "MCQ(multiple)",
             "question": QUESTION, "gold": "ABD"},
            {"description": "JEE Adv 2016 Paper 1", "index": 2, "subject": "phy", "type": "MCQ",
             "question": QUESTION, "gold": "B"}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    several, one = load_problems(path, FieldMap(answer="gold")).problems
    return several, one


@pytest.mark.parametrize("text,ok", [
    ("Answer: A, B and D", True), ("The answer is \\boxed{ABD}", True), ("\\boxed{A, B, D}", True),
    ("So the correct options are (A), (B) and (D).", True), ("**Answer:** ABD", True), ("Answer: BAD.", True),
    ("\\boxed{\\text{A, B, D}}", True), ("Answer: A, B, D\n\nLet me double-check: yes.", True),
    ("Answer: B", False), ("Answer: A, B", False), ("Answer: ABCD", False), ("Answer: A, B or D", False),
    ("\\boxed{AB}", False), ("Answer: A, B, D. Hmm, actually the answer is A, B.", False), ("I am not sure.", False),
])
def test_several_letters_are_right_only_all_of_them(problems, text, ok):
    several, _ = problems
    assert oracle_by_name("multiple_choice")(text, several) is ok


def test_one_letter_is_judged_as_before_and_only_several_stop_late(problems):
    several, one = problems
    judge = oracle_by_name("multiple_choice")
    assert judge("Answer: B", one) and not judge("Answer: A, B and D", one) and not judge("Answer: C", one)
    assert stops_early("multiple_choice", one) and not stops_early("multiple_choice", several)
