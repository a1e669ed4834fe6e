"""Hostile command lines and API calls, round 25: a broken oracle (one that always raises or returns no verdict)
stops the run instead of writing every problem as done with nothing found; numpy and 0-d tensor counts in
EngineConfig."""

import json

import numpy as np
import pytest
import torch

import ptsfast
from helpers.cli_errors import FAST, MINE, write_problems
from ptsfast.cli import main as cli


def _rows(n=2):
    return ptsfast.load_problems([{"id": f"a{i}", "question": f"w5 w9 w{11 + i}", "answer": "1"}
                                  for i in range(n)]).problems


def _options(**kw):
    return ptsfast.MineOptions(oracle="exact", max_new_tokens=4, use_chat_template=False,
                               engine=ptsfast.EngineConfig(num_blocks=64), **kw)  # a small KV pool: fast to make


def _done(out):
    done = out / "done.jsonl"
    return [json.loads(line)["problem_id"] for line in done.read_text().splitlines()] if done.exists() else []


_BROKEN = {"on": True}


def _checker(text, problem):
    """A checker whose dependency is missing until the test installs it."""
    if _BROKEN["on"]:
        raise ModuleNotFoundError("No module named 'sympy_checker'")
    return text.strip().endswith("w1")


def _no_verdict(text, problem):
    return "yes" if _BROKEN["on"] else False


@pytest.mark.parametrize("oracle, words", [(_checker, "ModuleNotFoundError"), (_no_verdict, "not a bool")])
def test_an_oracle_failing_at_every_verdict_stops_the_run_and_the_fixed_rerun_mines(oracle, words, tmp_path):
    """An oracle that always raised (a missing dependency) or returned no bool let mine() finish: every problem was
    written as done with no pivot, only log warnings said why, and the rerun with the oracle fixed skipped them all.
    The run stops at the first such problem, naming the oracle's error and the way out; the fixed rerun mines them."""
    from tiny_models import tiny_model, tiny_tokenizer

    from ptsfast.pipeline.probes import OracleFailed

    out = tmp_path / "run"
    _BROKEN["on"] = True
    try:
        with pytest.raises(OracleFailed) as e:
            ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), out, _options(), oracle=oracle,
                         progress=False)
    finally:
        _BROKEN["on"] = False
    assert all(w in str(e.value) for w in (words, "oracle error", "fix the oracle", "out_dir")), e.value
    assert "--" not in str(e.value), e.value
    assert _done(out) == []
    summary = ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), out, _options(), oracle=oracle,
                           progress=False)
    assert sorted(_done(out)) == ["a0", "a1"] and summary["oracle_errors"] == 0, summary


def test_a_few_oracle_errors_among_verdicts_are_counted_not_a_stop(tmp_path):
    """Only a problem without one verdict of the oracle's own stops the run: some errors among real verdicts (a
    checker failing on odd texts) are counted in oracle_errors, as before."""
    from tiny_models import tiny_model, tiny_tokenizer

    calls = []

    def sometimes(text, problem):
        calls.append(1)
        if len(calls) % 3 == 0:
            raise ValueError("cannot parse")
        return False

    summary = ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), tmp_path / "run",
                           _options(trajectories_per_problem=3), oracle=sometimes, progress=False)
    assert sorted(_done(tmp_path / "run")) == ["a0", "a1"] and summary["oracle_errors"] > 0, summary


def test_the_command_line_stops_on_a_broken_oracle_and_resumes_once_it_is_fixed(tmp_path, model_dir, capsys):
    """`ptsfast mine --oracle <registered checker>` whose checker always raised exited 0 with every problem done and
    nothing found. It ends with one error line naming the oracle's error and the command to rerun; rerun once the
    checker works, it mines every problem."""
    from ptsfast.problems.oracles import ORACLES, register_oracle

    register_oracle("round25_checker", _checker)
    out = tmp_path / "cli"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path, 2)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE, "--oracle", "round25_checker"]
    _BROKEN["on"] = True
    try:
        assert cli(argv) == 2
        err = capsys.readouterr().err
        assert all(w in err for w in ("ptsfast: error:", "ModuleNotFoundError", "rerun the same command")), err
        assert "out_dir" not in err and _done(out) == [], err
        _BROKEN["on"] = False
        assert cli(argv) == 0
        assert sorted(_done(out)) == ["q0", "q1"]
    finally:
        _BROKEN["on"] = False
        ORACLES.pop("round25_checker", None)


@pytest.mark.parametrize("count", [np.int32(8), np.int64(8), torch.tensor(8)])
def test_engine_config_takes_numpy_and_tensor_counts_as_mine_options_does(count):
    """`EngineConfig(max_running=np.int32(8))` was refused ('must be an int >= 1, got np.int32(8)') while
    MineOptions took numpy numbers (`seed=np.int64(3)`); they are Python ints now, and the checks stay."""
    config = ptsfast.EngineConfig(max_running=count, num_blocks=count, block_size=count, kv_cache_gb=np.float32(0.5))
    assert (config.max_running, config.num_blocks, config.block_size) == (8, 8, 8)
    assert all(type(v) is int for v in (config.max_running, config.num_blocks, config.block_size))
    assert type(config.kv_cache_gb) is float and config.kv_cache_gb == 0.5
    assert json.dumps(config.__dict__)  # recorded and compared as JSON


@pytest.mark.parametrize("bad", [np.float64(8.5), torch.tensor(0), np.bool_(True), torch.tensor([8])])
def test_engine_config_still_refuses_numpy_values_that_are_no_count(bad):
    with pytest.raises(ValueError, match="EngineConfig.max_running must be an int >= 1"):
        ptsfast.EngineConfig(max_running=bad)


def test_the_caller_is_read_through_public_names():
    """`python_caller()` read rundir's private `_PYTHON_CALLER`, and the run's close reached into ProbeRunner's
    private `_pool`; both are public now (behaviour unchanged)."""
    import threading

    from ptsfast.outputs.rundir import PYTHON_CALLER, named_by
    from ptsfast.pipeline.options import python_caller
    from ptsfast.pipeline.probes import ProbeRunner

    assert PYTHON_CALLER.get() is None and not python_caller()
    with named_by(python=True):
        assert PYTHON_CALLER.get() is True and python_caller()

    release = threading.Event()
    runner = ProbeRunner(None, lambda text, problem: (release.wait(5), None), _options(), judge_threads=2)
    running = [runner._pool.submit(release.wait, 5) for _ in range(2)]
    queued = runner._pool.submit(release.wait, 5)
    runner.drop_queued()  # the queued verdict is dropped; the running ones finish
    release.set()
    runner.close()
    assert queued.cancelled() and all(f.result() for f in running)


class _RayChecker:
    """A checker that raises on every verdict while its marker file is missing (a dependency not installed yet)."""

    def __init__(self, installed):
        self.installed = str(installed)

    def __call__(self, text, problem):
        import os

        if not os.path.exists(self.installed):
            raise ModuleNotFoundError("No module named 'sympy_checker'")
        return text.strip().endswith("w1")


def test_on_ray_a_broken_oracle_stops_the_run_instead_of_writing_problems_failed(model_dir, tmp_path):
    """On Ray a worker's problem judged only by oracle errors was retried max_attempts times, then written as failed,
    so the rerun with the oracle fixed skipped it; the run stops at it as in one process, and the rerun mines it."""
    import sys

    ray = pytest.importorskip("ray", reason="the Ray runner needs ray")
    from ptsfast.pipeline.probes import OracleFailed
    from ptsfast.pipeline.ray import RayOptions, mine_ray

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    installed = tmp_path / "installed"
    problems = ptsfast.load_problems([{"id": "a0", "question": "w5 w9 w11", "answer": "1"}]).problems
    run = lambda: mine_ray(model_dir, problems, tmp_path / "run", _options(),  # noqa: E731
                           RayOptions(workers=1, max_attempts=2), oracle=_RayChecker(installed), progress=False)
    ray.init(address="local", num_cpus=1, include_dashboard=False)
    try:
        with pytest.raises(OracleFailed) as e:
            run()
        assert "ModuleNotFoundError" in str(e.value) and "out_dir" in str(e.value), e.value
        assert _done(tmp_path / "run") == []
        installed.write_text("")
        summary = run()
        assert _done(tmp_path / "run") == ["a0"] and summary["problems_failed"] == 0, summary
    finally:
        ray.shutdown()


def test_a_stop_before_any_problem_finished_says_overwrite_discards_nothing(tmp_path):
    """An oracle fixed by editing its code is another oracle, which the run's folder refuses ('made from other
    inputs'); where the broken oracle let no problem finish, the stop says overwrite=True discards nothing."""
    from tiny_models import tiny_model, tiny_tokenizer

    from ptsfast.pipeline.probes import OracleFailed

    def check(text, problem):
        raise KeyError("answer")

    out = tmp_path / "run"
    with pytest.raises(OracleFailed) as e:
        ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), out, _options(), oracle=check, progress=False)
    assert "overwrite=True" in str(e.value) and "discards nothing" in str(e.value), e.value

    def check(text, problem):  # noqa: F811 - the fixed oracle, as edited in a notebook
        return text.strip().endswith("w1")

    ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), out, _options(), oracle=check, progress=False,
                 overwrite=True)
    assert sorted(_done(out)) == ["a0", "a1"]


def test_an_oracle_that_breaks_midway_keeps_the_problems_it_judged(tmp_path):
    """A judge that goes down after the first problem: that problem is kept, the stop names the one it could not
    judge, and the rerun once it is back mines only the rest."""
    from tiny_models import tiny_model, tiny_tokenizer

    from ptsfast.pipeline.probes import OracleFailed

    def judge(text, problem):
        if problem.id != "a0" and _BROKEN["on"]:
            raise ConnectionError("judge service unreachable")
        return False

    out = tmp_path / "run"
    _BROKEN["on"] = True
    try:
        with pytest.raises(OracleFailed) as e:
            ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(3), out, _options(problems_per_batch=1),
                         oracle=judge, progress=False)
    finally:
        _BROKEN["on"] = False
    assert e.value.problem_id == "a1" and "ConnectionError" in str(e.value) and "kept" in str(e.value), e.value
    assert _done(out) == ["a0"]
    summary = ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(3), out, _options(problems_per_batch=1),
                           oracle=judge, progress=False)
    assert sorted(_done(out)) == ["a0", "a1", "a2"] and summary["problems_already_done"] == 1, summary


def test_the_stop_is_caught_by_its_public_name_and_names_the_way_past_a_problem_it_cannot_judge():
    """A caller catching the stop had to import it from the probes module, and a problem the oracle can never judge
    (a row its checker cannot read) stopped every rerun with no word of leaving it out."""
    import ptsfast.pipeline
    from ptsfast.pipeline.probes import OracleFailed

    assert ptsfast.pipeline.OracleFailed is OracleFailed
    assert "leave that one out" in str(OracleFailed("a", 3, "oracle raised KeyError: 'x'", "rerun"))
