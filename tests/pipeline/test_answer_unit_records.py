"""A reference written with its unit in plain text ("180 km") loads as 180 with its unit in the problem's meta; the
run's problems.jsonl carries that unit beside the answer, so a re-estimate or an exported record judges the amount
as the run did (without it, \\boxed{180 m} passed a record re-judged from its export)."""

import json

from tiny_models import first_of_w7_w9, tiny_anchors_run, tiny_pivot_model, tiny_tokenizer

from ptsfast.pipeline.records import oracle_fields
from ptsfast.problems.loading import ANSWER_UNIT_KEY, Problem, load_problems


def test_oracle_fields_carry_the_answer_unit():
    p = load_problems([{"question": "How far?", "answer": "180 km"}]).problems[0]
    assert oracle_fields(p) == {"answer_unit": "km"}
    assert oracle_fields(load_problems([{"question": "How far?", "answer": "180"}]).problems[0]) == {}


def test_a_mined_run_writes_the_unit_in_problems_jsonl(tmp_path):
    from ptsfast.engine import EngineConfig
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions, mine

    problem = Problem("p0", "w3 w16 w29", "180", meta={ANSWER_UNIT_KEY: "km"})
    options = MineOptions(max_new_tokens=8, trajectories_per_problem=1, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=128, block_size=8))
    mine(tiny_pivot_model(), tiny_tokenizer(), [problem], tmp_path / "run", options, oracle=first_of_w7_w9,
         progress=False)
    line = json.loads((tmp_path / "run" / "problems.jsonl").read_text().splitlines()[0])
    assert line["answer"] == "180" and line["answer_unit"] == "km"


def test_an_anchors_run_of_a_reference_without_a_unit_writes_none(tmp_path):
    run = tiny_anchors_run(tmp_path / "run", answer="180")  # no unit: none written
    assert "answer_unit" not in json.loads((run / "problems.jsonl").read_text())
