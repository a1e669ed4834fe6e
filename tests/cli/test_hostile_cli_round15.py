"""Hostile command lines, round 15: an anchors run whose KV pool cannot hold one of its problems (a long prompt, a
long given solution), which stopped the whole run where mine skips that problem and goes on; --trajectories past
the default KV pool (found once the model had loaded); SIGHUP mid-run (it ended the process without a word); a
misspelt PTSFAST_ variable (ignored without a word); rollout counts of 1e12 (the run hung once a pivot was found); a
path under an unknown user's ~ (a traceback); a report of a pipe or device (read as a folder lacking a file); a
resume in another dtype, an --embedding-model that cannot load (both refused once the model had loaded); a report
written over the run's lock file."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import ANCHORS, FAST, MINE, no_model_load, one_line_error, write_problems

SMALL_POOL = ["--kv-cache-gb", "9e-5"]
"""Five KV blocks of the tiny model's: a three-word problem fits, a forty-word prompt does not."""


def _rows(tmp_path, rows):
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return f


def _long(n=40):
    return " ".join(f"w{5 + i % 20}" for i in range(n))


def _ids(out, name="problems.jsonl"):
    return sorted(json.loads(line)["problem_id"] for line in (out / name).read_text().splitlines())


def test_anchors_skip_a_problem_the_kv_pool_cannot_hold_and_mine_the_others(model_dir, tmp_path, capsys):
    """`anchors --kv-cache-gb 9e-5` on three problems, the second a forty-word prompt that needs more blocks than the
    pool has: the run stopped there ('the KV cache cannot hold one problem'), the third never run; now that problem is
    skipped as mine skips it (not written: a rerun with a larger pool mines it) and the run goes on."""
    problems = _rows(tmp_path, [{"id": "q0", "question": "w5 w9 w11", "answer": "1"},
                                {"id": "long", "question": _long(), "answer": "1"},
                                {"id": "q1", "question": "w5 w9 w12", "answer": "1"}])
    out = tmp_path / "run"
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *ANCHORS]
    assert cli([*argv, *SMALL_POOL]) == 0
    assert _ids(out) == ["q0", "q1"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped_by_reason"] == {"too large for the KV cache": 1}, summary
    why = summary["skipped"][0]["message"]
    assert "problem long" in why and "raise --kv-cache-gb" in why, why
    sentences = (out / "sentences.jsonl").read_text()
    assert cli([*argv, *SMALL_POOL]) == 1  # the same pool: skipped again (nothing mined), nothing else redone
    assert _ids(out) == ["q0", "q1"] and (out / "sentences.jsonl").read_text() == sentences
    capsys.readouterr()
    assert cli(argv) == 0  # the default pool: the skipped problem is mined
    assert _ids(out) == ["long", "q0", "q1"]


def test_anchors_skip_a_problem_whose_sampled_solutions_the_kv_pool_cannot_hold(model_dir, tmp_path, capsys):
    """`anchors --kv-cache-gb 9e-5 --max-new-tokens 30`: a short prompt's solutions are sampled, then their prefill
    and its rollouts' room do not fit the pool even alone (the problem waited for room no other problem held): the
    run stopped in one line; now that problem is skipped and a rerun skips it again, writing nothing for it."""
    problems = _rows(tmp_path, [{"id": "q0", "question": "w5 w9 w11", "answer": "1"}])
    out = tmp_path / "run"
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *ANCHORS, "--max-new-tokens", "30", *SMALL_POOL]
    for _ in range(2):
        assert cli(argv) == 1
        err = capsys.readouterr().err
        assert "ptsfast: error" not in err and "1 too large for the KV cache" in err, err
        assert (out / "problems.jsonl").read_text() == ""


def test_anchors_skip_a_given_solution_the_kv_pool_cannot_hold(model_dir, tmp_path, capsys):
    """A given solution of forty words (`--solution-field`) that the pool cannot prefill even alone, beside short
    ones: the run stopped in one line; now that problem is skipped and the others are estimated."""
    problems = _rows(tmp_path, [{"id": "q0", "question": "w5 w9", "answer": "1", "sol": "w7 w8"},
                                {"id": "long", "question": "w5 w9", "answer": "1", "sol": _long()},
                                {"id": "q1", "question": "w5 w10", "answer": "1", "sol": "w7 w9"}])
    out = tmp_path / "run"
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *ANCHORS, "--solution-field", "sol", "--kv-cache-gb", "7e-5"]
    assert cli(argv) == 0, capsys.readouterr().err
    assert _ids(out) == ["q0", "q1"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped_by_reason"] == {"too large for the KV cache": 1}, summary


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_trajectories_past_the_default_kv_pool_are_refused_before_the_model_loads(command, flags, model_dir,
                                                                                  tmp_path, capsys, monkeypatch):
    """`--trajectories 1000000` on a CPU: their solutions fit the machine's memory (the check of round 14) but not the
    default pool of 2 GB at most, so every problem was skipped as too large for the KV cache once the model had
    loaded and the run's folder was made."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *flags, "--trajectories", "1000000"]
    assert cli(argv) == 2
    one_line_error(capsys, "the default KV pool", "1000000 solutions", "no problem fits", "lower --trajectories")
    assert not out.exists()


def test_sighup_mid_run_says_what_was_kept_and_the_run_resumes(model_dir, tmp_path):
    """SIGHUP (the terminal or SSH session closed) once a problem was written: the process ended at once, without a
    word; now it unwinds as SIGTERM and Ctrl-C do (exit 130, 'interrupted', the lock released) and a rerun finishes
    the run."""
    problems, out = write_problems(tmp_path, 3), tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *MINE, "--problems-per-batch", "1"]
    script = textwrap.dedent(f"""
        import os, signal, sys
        from ptsfast.outputs import rundir
        write = rundir.RunWriter.write_records
        def hung_up(self, *a, **k):
            write(self, *a, **k)
            os.kill(os.getpid(), signal.SIGHUP)
        rundir.RunWriter.write_records = hung_up
        from ptsfast.cli import main
        sys.exit(main({argv!r}))
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert res.returncode == 130 and "interrupted; finished problems are saved" in res.stderr, res
    assert "Traceback" not in res.stderr, res.stderr
    assert 1 <= len((out / "done.jsonl").read_text().splitlines()) < 3
    assert cli(argv) == 0
    assert len((out / "done.jsonl").read_text().splitlines()) == 3


@pytest.mark.parametrize("var, meant", [("PTSFAST_CACHE_DIR", "PTSFAST_CACHE"), ("PTSFAST_BACKENDS", "PTSFAST_BACKEND"),
                                        ("PTSFAST_SANDBOX_CGROUPS", "PTSFAST_SANDBOX_CGROUP")])
def test_a_misspelt_ptsfast_variable_is_warned_of(var, meant, tmp_path, caplog, monkeypatch):
    """`PTSFAST_CACHE_DIR=...` (or PTSFAST_BACKENDS, PTSFAST_SANDBOX_CGROUPS) was ignored without a word, and the run
    went on with the default the user meant to change; a variable of the build's or benchmarks' (PTSFAST_CUDA)
    passes."""
    monkeypatch.setenv(var, str(tmp_path))
    monkeypatch.setenv("PTSFAST_CUDA", "OFF")
    monkeypatch.setenv("PTSFAST_BENCH_DTYPE", "float32")
    assert cli(["report", "--run", str(tmp_path / "missing")]) == 2
    err = caplog.text
    assert f"{var} is not one ptsfast reads" in err and f"did you mean {meant}?" in err, err
    assert "PTSFAST_CUDA" not in err and "PTSFAST_BENCH" not in err, err


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_max_new_tokens_past_any_pool_and_context_names_the_context(command, flags, model_dir, tmp_path, capsys,
                                                                     monkeypatch):
    """`--max-new-tokens 1000000000000`: past the context of 512 and past any pool; the pool's check (made before the
    context's) said a problem takes 62500000007 blocks 'of its 1 solution of up to 1 tokens', naming no context."""
    no_model_load(monkeypatch)
    argv = [command, "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out",
            str(tmp_path / "run"), "--device", "cpu", *FAST, *flags, "--max-new-tokens", "1000000000000"]
    assert cli(argv) == 2
    one_line_error(capsys, "--max-new-tokens 1000000000000", "over the model's context of 512", "or less")


@pytest.mark.parametrize("command, flags, given", [
    ("mine", MINE, ["--confirm", "1000000000000"]),
    ("mine", MINE, ["--estimator-fixed-rollouts", "1000000000000"]),
    ("mine", MINE, ["--estimator-confirm-report-rollouts", "1000000000000"]),
    ("mine", MINE, ["--pairs-fresh-rollouts", "1000000000000", "--pairs-fresh-max-rollouts", "1000000000000"]),
    ("anchors", [], ["--batch-rollouts", "1000000000000", "--max-rollouts", "1000000000000"])])
def test_absurd_rollout_counts_are_refused_before_the_model_loads(command, flags, given, model_dir, tmp_path, capsys,
                                                                   monkeypatch):
    """`--confirm 1000000000000` (or a first batch of as many rollouts): taken, the model loaded and the run mined
    until a pivot was confirmed, then hung building one engine request of that many rollouts. A cap as large
    (`--max-rollouts`) is reached by batches that grow with the rollouts run, and is left to the run."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *flags, *given]
    assert cli(argv) == 2
    one_line_error(capsys, f"{given[0]} 1000000000000", "memory available", "lower it")
    assert not out.exists()


@pytest.mark.parametrize("which", ["mine --out", "mine --problems", "export --run", "export --out", "report --run"])
def test_a_path_of_an_unknown_users_home_is_named(which, model_dir, tmp_path, capsys, monkeypatch):
    """`--out ~nouser/run` (a shell leaves the ~ of a user it does not know as it is): a RuntimeError traceback,
    'Could not determine home directory'."""
    no_model_load(monkeypatch)
    command, flag = which.split()
    odd = "~ptsfast-no-such-user/x"
    if command == "mine":
        paths = {"--problems": str(write_problems(tmp_path)), "--out": str(tmp_path / "run"), flag: odd}
        argv = ["mine", "--model", str(model_dir), *[x for kv in paths.items() for x in kv], *FAST, *MINE]
    else:
        paths = {"--run": str(tmp_path), "--out": str(tmp_path / "x.html"), flag: odd}
        argv = [command, *[x for kv in paths.items() for x in kv]]
    assert cli(argv) == 2
    one_line_error(capsys, f"{flag} {odd}", "no user 'ptsfast-no-such-user'", "full path")


def test_report_on_a_pipe_or_device_names_it(tmp_path, capsys):
    """`report --run /dev/null` (or a fifo) said '/dev/null/problems.jsonl not found', as if a folder lacked a file."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for run in (str(fifo), os.devnull):
        assert cli(["report", "--run", run, "--out", str(tmp_path / "r.html")]) == 2
        one_line_error(capsys, f"--run {run}: a pipe or device, not a folder", "--out folder")


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_a_resume_in_another_dtype_is_refused_before_the_model_loads(command, flags, model_dir, tmp_path, capsys,
                                                                      monkeypatch):
    """A run mined in float32 (a CPU's default) resumed with `--dtype bfloat16` (or on a GPU, whose default it is):
    refused as made from other inputs only once the model had loaded (minutes for a large one)."""
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *flags]
    assert cli(argv) == 0
    capsys.readouterr()
    no_model_load(monkeypatch)
    assert cli([*argv, "--dtype", "bf16"]) == 2
    one_line_error(capsys, "dtype", "was 'float32', now 'bfloat16'")


@pytest.mark.parametrize("what", ["empty", "no weights"])
def test_an_embedding_model_that_cannot_load_is_refused_before_the_model_loads(what, model_dir, tmp_path, capsys,
                                                                                monkeypatch):
    """`anchors --embedding-model FOLDER` of an empty folder, or of a config and tokenizer without weights: refused
    only once the run's model had loaded, when the encoder was."""
    import shutil

    encoder = tmp_path / "encoder"
    encoder.mkdir()
    if what == "no weights":
        for f in model_dir.glob("*.json"):
            shutil.copy(f, encoder)
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = ["anchors", "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *ANCHORS, "--embedding-model", str(encoder)]
    assert cli(argv) == 2
    one_line_error(capsys, f"--embedding-model {encoder}", "could not be loaded", "saved encoder")
    assert not out.exists()


def test_a_report_never_replaces_the_runs_lock_file(model_dir, tmp_path, capsys):
    """`report --run RUN --out RUN/.lock`: the page replaced the run's lock file (and its plot went beside it), so a
    mine running there held its lock on a file no longer in the folder, and a second mine could take the new one."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    lock = (out / ".lock").stat()
    assert cli(["report", "--run", str(out), "--out", str(out / ".lock")]) == 2
    one_line_error(capsys, "the run's lock file", "report.html")
    assert (out / ".lock").stat().st_ino == lock.st_ino and not (out / ".lock.png").exists()
