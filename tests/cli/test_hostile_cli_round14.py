"""Hostile command lines, round 14: a config file given to --config (the dataset's config name), --trajectories past
any KV pool the machine could hold; each refused in one line naming the problem and the way out, before the model
loads."""

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


@pytest.mark.parametrize("value", ["0", "-1", "2.5", ""])
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


@pytest.mark.parametrize("value", ["1", "4,2"])
def test_omp_num_threads_counts_are_taken(value, monkeypatch):
    """A count, or OpenMP's list of counts per nesting level, passes the check."""
    from ptsfast.cli import _check_thread_counts

    monkeypatch.setenv("OMP_NUM_THREADS", value)
    _check_thread_counts()
