"""References written with a plain-text unit ("180 km", "5 cm^2", "12 元") or as Ape210K's fractions ("(1/3)") load
as their number; an answer that states the unit the same way must still pass (it passed when the reference kept
its unit), and a hedge or another number must still fail."""

import json

import pytest

from ptsfast.problems import oracles
from ptsfast.problems.loading import load_problems


def _loaded(tmp_path, answer):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"question": "How far?", "answer": answer}) + "\n", encoding="utf-8")
    (problem,) = load_problems(f).problems
    return problem


@pytest.mark.parametrize("reference, answer", [
    ("180 km", r"\boxed{180 km}"), ("5 cm^2", r"\boxed{5 cm^2}"), ("12 元", r"\boxed{12 元}"),
    ("(1/3)", r"\boxed{(1/3)}"), ("180 km", r"$\boxed{180 km}$"), ("3.5 hours", r"\boxed{3.5 hours}"),
])
def test_a_box_stating_the_references_unit_in_plain_text_passes(tmp_path, reference, answer):
    problem = _loaded(tmp_path, reference)
    assert oracles.boxed_oracle(f"So the distance is {answer}.", problem)


@pytest.mark.parametrize("answer", ["180 km", "The answer is 180 km.", r"\boxed{180 km}", "<answer>180 km</answer>"])
def test_a_short_answer_stating_the_unit_passes_the_normalized_oracle(tmp_path, answer):
    assert oracles.normalized_oracle(answer, _loaded(tmp_path, "180 km"))


@pytest.mark.parametrize("answer", [
    r"\boxed{181 km}", r"\boxed{180 km or 190 km}", r"\boxed{180 or 190 km}", r"\boxed{180 km, 190 km}",
    r"\boxed{180 km} or \boxed{190 km}", r"\boxed{180 x}", r"\boxed{180 thousand}", r"\boxed{180 and 190}",
])
def test_another_number_a_hedge_or_a_name_still_fails(tmp_path, answer):
    problem = _loaded(tmp_path, "180 km")
    assert not oracles.boxed_oracle(answer, problem)
    assert not oracles.normalized_oracle(answer.replace(r"\boxed{", "").replace("}", ""), problem)
