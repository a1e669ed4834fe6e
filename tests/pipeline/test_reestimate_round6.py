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
