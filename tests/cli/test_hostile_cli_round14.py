"""Hostile command lines, round 14: a settings file given to --config (the dataset's config name), --trajectories
past any KV pool the machine could hold, OMP_NUM_THREADS set to no thread count, a path flag given twice with two
values, a KV pool too small for any problem (before the model loads; after it, in one line, for anchors' long
prompt), and the flag named to raise where --engine-num-blocks sizes the pool; each refused in one line naming the
problem and the way out."""

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import FAST, MINE, no_model_load, one_line_error, write_problems


@pytest.fixture()
def problems(tmp_path):
    return write_problems(tmp_path)


@pytest.mark.parametrize("name", ["cfg.yaml", "settings.TOML", "run.json"])
def test_a_config_file_given_to_config_says_ptsfast_reads_none(name, model_dir, problems, tmp_path, capsys,
                                                                 monkeypatch):
    """`--config cfg.yaml` (the alias of --dataset-config, a dataset's configuration name such as gsm8k's 'main')
    was refused as a dataset config on a local file: nothing said ptsfast reads no settings file."""
    no_model_load(monkeypatch)
    (tmp_path / name).write_text("gap: 0.3\n")
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE,
            "--config", str(tmp_path / name)]
    assert cli(argv) == 2
    one_line_error(capsys, "--config", name, "no settings file", "flags")
    assert not out.exists()


def test_trajectories_past_any_kv_pool_are_refused_before_the_model_loads(model_dir, problems, tmp_path, capsys,
                                                                           monkeypatch):
    """`--trajectories 100000000` needs more KV cache for one problem's solutions than the machine has: every
    problem was skipped as 'too large for the KV cache', only once the model had loaded and the folder was made."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *MINE, "--trajectories", "100000000"]
    assert cli(argv) == 2
    one_line_error(capsys, "--trajectories 100000000", "GB of memory available on cpu", "lower")
    assert not out.exists()


def test_many_trajectories_that_fit_still_mine(model_dir, problems, tmp_path):
    """The check counts only what the KV cache must hold: a run of several trajectories mines."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *MINE, "--trajectories", "3"]
    assert cli(argv) == 0
    assert (out / "done.jsonl").read_text().count("\n") == 2


@pytest.mark.parametrize("value", ["0", "-1", "2.5"])
def test_omp_num_threads_that_is_no_thread_count_is_refused(value, model_dir, problems, tmp_path, capsys,
                                                            monkeypatch):
    """`OMP_NUM_THREADS=0 ptsfast mine ...`: OpenMP printed only 'Invalid value for environment variable' as torch
    loaded, and the run went on with a count the user did not set."""
    no_model_load(monkeypatch)
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 2
    one_line_error(capsys, f"OMP_NUM_THREADS={value!r}", "not a thread count", "unset it")
    assert not out.exists()


@pytest.mark.parametrize("value", ["1", "4,2", "", " "])
def test_omp_num_threads_counts_are_taken(value, monkeypatch):
    """A count, or OpenMP's list of counts per nesting level, passes the check; so does an empty value (unset)."""
    from ptsfast.cli import _check_thread_counts

    monkeypatch.setenv("OMP_NUM_THREADS", value)
    _check_thread_counts()


@pytest.mark.parametrize("flag", ["--problems", "--out"])
def test_a_path_flag_given_twice_with_two_values_is_refused(flag, model_dir, problems, tmp_path, capsys,
                                                            monkeypatch):
    """`--problems a.jsonl ... --problems b.jsonl` mined b alone (the last value, without a word: a user meaning
    both lost a's problems), and `--out run ... --out run2` wrote a run the user did not name first."""
    no_model_load(monkeypatch)
    (tmp_path / "more.jsonl").write_text(problems.read_text())
    first, second = (str(problems), str(tmp_path / "more.jsonl")) if flag == "--problems" else \
        (str(tmp_path / "a"), str(tmp_path / "b"))
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "a"), *FAST, *MINE,
            flag, second]
    assert cli(argv) == 2
    one_line_error(capsys, flag, first, second, f"give {flag} once")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_export_out_given_twice_is_refused_and_the_same_value_twice_runs(tmp_path, capsys):
    """`export --out a.jsonl --out b.jsonl` wrote b alone; the same path twice is one value."""
    from helpers.tiny_models import tiny_anchors_run

    run = tmp_path / "run"
    tiny_anchors_run(run)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert cli(["export", "--run", str(run), "--out", str(a), "--out", str(b),
                "--format", "thought_anchors"]) == 2
    one_line_error(capsys, "--out", str(a), str(b), "once")
    assert not a.exists() and not b.exists()
    assert cli(["export", "--run", str(run), "--out", str(a), "--out", str(a),
                "--format", "thought_anchors"]) == 0
    assert a.exists()


@pytest.mark.parametrize("flags", [["--kv-cache-gb", "1e-9"], ["--engine-num-blocks", "2"]])
def test_a_kv_pool_too_small_for_any_problem_is_refused_before_the_model_loads(flags, model_dir, problems, tmp_path,
                                                                               capsys, monkeypatch):
    """`--kv-cache-gb 1e-9` (a pool of one block) or `--engine-num-blocks 2`: no problem's prompt, solutions and a
    rollout fit, so every problem was skipped as 'too large for the KV cache', once the model had loaded and the
    run's folder was made."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *MINE, *flags]
    assert cli(argv) == 2
    one_line_error(capsys, flags[0], "of 16 tokens", "no problem fits", "raise")
    assert not out.exists()


def test_anchors_whose_pool_cannot_hold_a_problem_fail_in_one_line(model_dir, tmp_path, capsys):
    """`anchors --kv-cache-gb 7e-5` (four blocks of the tiny model's) on a problem whose prompt takes three: a
    RuntimeError traceback ('the KV cache cannot hold one problem'), its way out at the end of it. Since round 15
    the problem is skipped, as mine skips it, and a run that mined nothing says so in one line."""
    argv = ["anchors", "--model", str(model_dir), "--problems", str(_long_problem(tmp_path)), "--out",
            str(tmp_path / "run"), "--device", "cpu", *FAST, "--batch-rollouts", "2", "--max-rollouts", "2",
            "--kv-cache-gb", "7e-5"]
    assert cli(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "1 too large for the KV cache" in err and "raise --kv-cache-gb" in err, err


def _long_problem(tmp_path):
    """A problem whose prompt takes three KV blocks of 16 tokens."""
    import json

    problems = tmp_path / "long.jsonl"
    problems.write_text(json.dumps({"id": "long", "question": " ".join(f"w{5 + i % 20}" for i in range(40)),
                                    "answer": "1"}) + "\n")
    return problems


def test_a_problem_past_a_pool_of_engine_num_blocks_says_to_raise_that_flag(model_dir, tmp_path, capsys):
    """`mine --engine-num-blocks 4` skipped a problem too large for it saying 'raise --kv-cache-gb', a flag the
    engine does not read once the number of blocks is given."""
    argv = ["mine", "--model", str(model_dir), "--problems", str(_long_problem(tmp_path)), "--out",
            str(tmp_path / "run"), "--device", "cpu", *FAST, *MINE, "--engine-num-blocks", "4"]
    assert cli(argv) == 1
    err = capsys.readouterr().err
    assert "raise --engine-num-blocks" in err and "--kv-cache-gb" not in err, err
    why = (tmp_path / "run" / "summary.json").read_text()
    assert "the KV cache cannot hold it even alone" in why and "raise --engine-num-blocks" in why, why
    assert "--kv-cache-gb" not in why, why


def test_anchors_on_a_kv_pool_too_small_for_any_problem_is_refused_before_the_model_loads(model_dir, problems,
                                                                                        tmp_path, capsys,
                                                                                        monkeypatch):
    """`anchors --kv-cache-gb 1e-9` (one block): no problem fits, found only once the model had loaded."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, "--batch-rollouts", "2", "--max-rollouts", "2", "--kv-cache-gb", "1e-9"]
    assert cli(argv) == 2
    one_line_error(capsys, "--kv-cache-gb 1e-09", "of 16 tokens", "no problem fits", "raise")
    assert not out.exists()
