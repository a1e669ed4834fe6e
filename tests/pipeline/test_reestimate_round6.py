"""Re-estimates of round 6: a run's pivots re-estimated at the contexts its records hold."""

from dataclasses import replace

import pytest
from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.types import FilterConfig, MiningConfig
from ptsfast.pipeline import MineOptions, mine
from ptsfast.pipeline.recheck import recheck_run, run_solutions
from ptsfast.problems.loading import Problem

PROBLEMS = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(2)]


def dated(day: int) -> str:
    """A chat template that writes the day's date into every prompt, as Llama 3.2's does (strftime_now): the day is
    a word of the tiny vocabulary here."""
    return ("w50 w" + str(day) + " {% for m in messages %}{{ m['content'] }}{% endfor %}"
            "{% if add_generation_prompt %} w60{% endif %}")


OPTIONS = MineOptions(max_new_tokens=12, trajectories_per_problem=2, chat_template=dated(20),
                      mining=MiningConfig(filter=FilterConfig(enabled=False)),
                      engine=EngineConfig(num_blocks=256, block_size=8))


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    out = tmp_path_factory.mktemp("reestimate6") / "run"
    mine(tiny_pivot_model(), tiny_tokenizer(), PROBLEMS, out, OPTIONS, oracle=first_of_w7_w9, progress=False)
    return out


def test_a_run_whose_template_writes_the_date_is_re_estimated_on_another_day(mined):
    """A chat template that writes today's date (Llama 3.2's strftime_now) encodes the run's questions otherwise on
    any later day: the re-estimate re-encoded each prompt and refused every problem ('its prompt under these
    options is not the run's; pass the run's options'), which the user cannot pass. The run's problems.jsonl holds
    each prompt's ids and whether it opened a think trace: the fresh rollouts start from those."""
    tok = tiny_tokenizer()
    later = replace(OPTIONS, chat_template=dated(21))
    solutions = run_solutions(mined, PROBLEMS, tok, later)
    assert solutions == run_solutions(mined, PROBLEMS, tok, OPTIONS)
    assert {s.prompt_ids[:2] for s in solutions.values()} == {tuple(tok("w50 w20")["input_ids"])}
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    rows = recheck_run(engine, tok, mined, PROBLEMS, later, 4, oracle=first_of_w7_w9)
    assert rows and all(r.fresh for r in rows)
    engine.check_no_leaks()


@pytest.mark.parametrize("name, field, value", [
    ("pivots.jsonl", "position", "8"),  # TypeError: '<=' not supported between 'int' and 'str'
    ("pivots.jsonl", "p_before", "0.5"),  # TypeError in the reported Δp
    ("pairs.jsonl", "rejected_ids", 7),  # TypeError: 'int' object is not subscriptable
])
def test_recheck_of_a_record_rewritten_with_a_field_of_another_type_names_it(mined, tmp_path, name, field, value):
    """A record saved back by a spreadsheet or a script ("8" for 8) ended the re-estimate in a TypeError deep in
    fresh_estimates or in a row's Δp, naming neither file nor record; the exports name it (source.check_record)."""
    import json
    import shutil

    edited = tmp_path / "edited"
    shutil.copytree(mined, edited)
    lines = (edited / name).read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[0]) | {field: value}
    lines[0] = json.dumps(rec) + "\n"
    (edited / name).write_text("".join(lines), encoding="utf-8")
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    with pytest.raises(ValueError) as e:
        recheck_run(engine, tok, edited, PROBLEMS, OPTIONS, 4, oracle=first_of_w7_w9)
    msg = str(e.value)
    assert name in msg and f"{field} {value!r}" in msg and repr(rec["problem_id"]) in msg, msg
    engine.check_no_leaks()


@pytest.mark.parametrize("edit, shown", [
    (lambda r: r["trajectories"][0].update(correct="true"), "has trajectories"),  # float('true'): a ValueError
    (lambda r: r.update(prompt_ids=str(r["prompt_ids"])), "has prompt_ids '["),  # the engine prefilled characters
])
def test_recheck_of_a_problem_rewritten_with_a_field_of_another_type_names_it(mined, tmp_path, edit, shown):
    """A problems.jsonl line saved back by another tool (a verdict "true", the prompt ids as the text of a list)
    ended the re-estimate in a ValueError or TypeError deep in the rollouts, naming neither file nor problem."""
    import json
    import shutil

    edited = tmp_path / "edited"
    shutil.copytree(mined, edited)
    lines = (edited / "problems.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[0])
    edit(rec)
    lines[0] = json.dumps(rec) + "\n"
    (edited / "problems.jsonl").write_text("".join(lines), encoding="utf-8")
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    with pytest.raises(ValueError) as e:
        recheck_run(engine, tok, edited, PROBLEMS, OPTIONS, 4, oracle=first_of_w7_w9)
    msg = str(e.value)
    assert "problems.jsonl" in msg and shown in msg and repr(rec["problem_id"]) in msg, msg
    engine.check_no_leaks()


def test_recheck_given_other_problems_under_the_runs_ids_is_refused(mined):
    """Since 0dd7ce7 the fresh rollouts start from the prompt ids the run recorded, not from re-encoded questions,
    so problems under the run's ids that are not its own (another dataset's, another answer) were no longer told
    apart by their prompts: each rollout would be judged against another answer. They are refused by question and
    answer, as problems.jsonl holds them."""
    tok = tiny_tokenizer()
    other = [replace(PROBLEMS[0], answer="w9"), *PROBLEMS[1:]]
    with pytest.raises(ValueError, match="problem p0: its question or answer is not the run's"):
        run_solutions(mined, other, tok, OPTIONS)
    with pytest.raises(ValueError, match="problem p1: its question or answer is not the run's"):
        run_solutions(mined, [PROBLEMS[0], replace(PROBLEMS[1], question="w5 w6")], tok, OPTIONS)
    assert run_solutions(mined, PROBLEMS, tok, OPTIONS)
