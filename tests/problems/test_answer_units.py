"""A reference written with its unit in plain text ("180 km") loads as its number, so an answer stating that number
in another unit (\\boxed{180 m}) passed it: the loader keeps the unit in the problem's meta and the answer oracles
compare the amount where both units are known."""

import pytest

from ptsfast.problems.loading import ANSWER_UNIT_KEY, load_problems
from ptsfast.problems.oracles import make_judge


def _problem(answer: str):
    return load_problems([{"question": "How far is it?", "answer": answer}]).problems[0]


@pytest.mark.parametrize("answer, number, unit", [
    ("180 km", "180", "km"), ("3.5 hours", "3.5", "hours"), ("12 元", "12", "元"), ("5 cm^2", "5", "cm^2"),
    ("180", "180", None), ("(1/3)", "1/3", None), ("9 (apples)", "9", None),
])
def test_the_loader_keeps_a_plain_text_unit_beside_the_number(answer, number, unit):
    p = _problem(answer)
    assert p.answer == number and p.meta.get(ANSWER_UNIT_KEY) == unit


@pytest.mark.parametrize("oracle", ["boxed", "normalized"])
@pytest.mark.parametrize("text, right", [
    (r"\boxed{180 m}", False), (r"\boxed{180\text{ m}}", False), (r"\boxed{180 miles}", False),  # passed before
    (r"\boxed{180 km}", True), (r"\boxed{180\text{ km}}", True), (r"\boxed{180 kilometers}", True),
    (r"\boxed{180}", True), (r"\boxed{180000 m}", True), (r"\boxed{0.18 km}", False),
])
def test_an_amount_in_another_unit_is_compared_as_an_amount(oracle, text, right):
    judge = make_judge(oracle, 10.0)
    assert judge(text, _problem("180 km")).success is right
    assert judge(text, _problem("180")).success is (text != r"\boxed{180000 m}" and text != r"\boxed{0.18 km}")


def test_a_stated_answer_in_another_unit_fails_under_normalized():
    judge = make_judge("normalized", 10.0)
    assert judge("The answer is 180 km.", _problem("180 km")).success
    assert not judge("The answer is 180 m.", _problem("180 km")).success  # passed before
    assert not judge("180 m", _problem("180 km")).success


def test_units_the_oracles_do_not_know_are_read_as_before():
    judge = make_judge("boxed", 10.0)
    assert judge(r"\boxed{12 元}", _problem("12 元")).success and judge(r"\boxed{12}", _problem("12 元")).success
    assert judge(r"\boxed{5 cm^2}", _problem("5 cm^2")).success
