"""Re-estimates of round 5: ptsfast's own re-estimate (pipeline/recheck.py) given a run it cannot read whole."""

import pytest
from tiny_models import first_of_w7_w9, mine_tiny_pivot_run, tiny_pivot_model, tiny_tokenizer

from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.types import FilterConfig, MiningConfig
from ptsfast.pipeline import MineOptions
from ptsfast.pipeline.recheck import recheck_run, run_solutions
from ptsfast.problems.loading import Problem

# mine_tiny_pivot_run's problems and options
PROBLEMS = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(3)]
OPTIONS = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                      mining=MiningConfig(filter=FilterConfig(enabled=False)),
                      engine=EngineConfig(num_blocks=256, block_size=8))


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    out = tmp_path_factory.mktemp("reestimate5") / "run"
    mine_tiny_pivot_run(out)
    return out


@pytest.mark.parametrize("where", ["pivots.jsonl", "missing", "empty folder"])
def test_recheck_of_what_is_no_run_folder_says_so_not_zero_rows(mined, tmp_path, where):
    """recheck_run and run_solutions read <run_dir>/pivots.jsonl and the like: given a run's pivots.jsonl (the
    file, not its folder), a mistyped folder or an empty one, every file was 'not there' and the re-estimate
    returned no rows, as if the run held no pivot, nothing said."""
    run_dir = {"pivots.jsonl": mined / "pivots.jsonl", "missing": tmp_path / "nope", "empty folder": tmp_path}[where]
    tok = tiny_tokenizer()
    with pytest.raises((ValueError, FileNotFoundError)) as e:
        recheck_run(None, tok, run_dir, PROBLEMS, OPTIONS, 4, oracle=first_of_w7_w9)
    fix = f"its folder, {mined}" if where == "pivots.jsonl" else "ptsfast mine"
    assert str(run_dir) in str(e.value) and fix in str(e.value), str(e.value)
    with pytest.raises((ValueError, FileNotFoundError)):
        run_solutions(run_dir, PROBLEMS, tok, OPTIONS)


def test_recheck_given_other_problems_than_the_runs_names_the_missing_ones(mined):
    """Problems that are not the run's (another dataset, a --limit'ed reload, ids typed as ints) left the run's
    pivots without a solution: recheck_run failed with KeyError 'point Point(key=...): no solution ... among the 0
    given', naming neither the problems nor the fix."""
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    with pytest.raises(ValueError) as e:
        recheck_run(engine, tok, mined, PROBLEMS[:1], OPTIONS, 4, oracle=first_of_w7_w9)
    msg = str(e.value)
    assert "not among the 1 problems given" in msg and "'p1'" in msg and "run's problems" in msg, msg
    engine.check_no_leaks()


@pytest.mark.parametrize("change, words", [
    (dict(temperature=0.7), ["temperature 0.7", "the run's 1.0"]),
    (dict(max_new_tokens=20), ["max_new_tokens 20", "the run's 12"]),
    (dict(top_p=0.9, top_k=20), ["top_k 20", "top_p 0.9"]),
    (dict(mining=MiningConfig(filter=FilterConfig(enabled=False), gap=0.3)), ["gap 0.3", "the run's 0.2"]),
])
def test_recheck_with_other_options_than_the_runs_is_refused_not_drawn_on_another_sampler(mined, change, words):
    """recheck_run's options 'must be the run's', and nothing checked them: options with another temperature,
    token budget or top-k/top-p drew the fresh rollouts from another distribution than the run's, and another gap
    held each pivot to another rule, all as if they were the run's (the real-model check's PTSFAST_CHECK_RUN said
    so in its docs). Every record names its sampler, and run.json the gap."""
    from dataclasses import replace

    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    with pytest.raises(ValueError) as e:
        recheck_run(engine, tok, mined, PROBLEMS, replace(OPTIONS, **change), 4, oracle=first_of_w7_w9)
    assert all(w in str(e.value) for w in words) and "run's options" in str(e.value), str(e.value)
    rows = recheck_run(engine, tok, mined, iter(PROBLEMS), OPTIONS, 4, oracle=first_of_w7_w9)  # the run's own
    assert rows and all(r.fresh for r in rows)
    engine.check_no_leaks()


@pytest.mark.parametrize("oracle", [None, "math"])
def test_recheck_by_another_oracle_than_the_runs_is_refused_not_judged_otherwise(mined, oracle):
    """A run judged by the user's own oracle (callable:first_of_w7_w9, as its records say), re-estimated without
    it: recheck_run judged every fresh rollout by options.oracle (gsm8k, the default) or the oracle named, and
    held or refuted the run's pivots by p's of another question, nothing said."""
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    with pytest.raises(ValueError) as e:
        recheck_run(engine, tok, mined, PROBLEMS, OPTIONS, 4, oracle=oracle)
    msg = str(e.value)
    assert "first_of_w7_w9" in msg and "oracle=" in msg and (oracle or OPTIONS.oracle) in msg, msg
    engine.check_no_leaks()
