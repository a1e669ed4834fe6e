"""Hostile command lines, round 13: numbers written as -inf or -1e-3 and values starting with '-', KV pools past the
machine's memory, an --overwrite stopped while it cleared the old run, a plot of the user's own beside a run, a
sandbox cgroup that cannot be used, a resume reading another column, list flags given twice, --out named as a data
file or a device; each refused in one line naming the problem and the way out, before the model loads, and no
finished work lost."""

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import ANCHORS, FAST, MINE, no_model_load, one_line_error, write_problems

@pytest.fixture()
def problems(tmp_path):
    return write_problems(tmp_path)


@pytest.mark.parametrize("flag, value, words", [("--gap", "-inf", ["--gap", "-inf", "(0, 1)"]),
                                                ("--gap", "-1e-3", ["--gap", "-0.001", "(0, 1)"]),
                                                ("--temperature", "-1e-3", ["temperature", "-0.001"]),
                                                ("--kv-cache-gb", "-Infinity", ["kv_cache_gb", "-inf"]),
                                                ("--min-p", "-nan", ["min_p", "nan"])])
def test_a_negative_number_in_exponent_or_infinite_form_is_a_value(flag, value, words, model_dir, problems,
                                                                   tmp_path, capsys, monkeypatch):
    """`--gap -inf` or `--temperature -1e-3` was read as a flag: 'expected one argument' and the whole usage, naming
    neither the value nor its rule (argparse takes only -1 and -.5 for numbers)."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli([*argv, flag, value]) == 2
    one_line_error(capsys, *words)
    assert not out.exists()


@pytest.mark.parametrize("flag, value, words", [
    ("--engine-num-blocks", "100000000000", ["--engine-num-blocks / EngineConfig.num_blocks=100000000000",
                                               "blocks of 16 tokens"]),
    ("--engine-block-size", "1000000000", ["--engine-block-size 1000000000", "one block of that many tokens"])])
def test_a_kv_pool_past_the_machines_memory_is_refused_before_the_model_loads(flag, value, words, model_dir, problems,
                                                                             tmp_path, capsys, monkeypatch):
    """--engine-num-blocks 1e11 (1.6 PB of KV cache for the tiny model), or --engine-block-size 1e9 (a pool holds one
    block at least: 1 TB), was refused by the engine only once the model had loaded and the run's folder was made."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *MINE, flag, value]
    assert cli(argv) == 2
    one_line_error(capsys, *words, "GB of memory available on cpu", "lower it")
    assert not out.exists()


@pytest.mark.parametrize("flags", [["--engine-num-blocks", "64"], ["--engine-block-size", "32"]])
def test_a_kv_pool_the_machine_holds_mines(flags, model_dir, problems, tmp_path, capsys):
    """The check sizes the pool as the engine does: a pool that fits mines."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *MINE, *flags]
    assert cli(argv) == 0
    assert (out / "done.jsonl").read_text().count("\n") == 2


@pytest.mark.parametrize("flag, value", [("--confirm", "-1"), ("--estimator-key-length", "0")])
def test_a_value_a_rule_of_several_fields_refuses_is_named_with_its_flag(flag, value, model_dir, problems, tmp_path,
                                                                         capsys, monkeypatch):
    """`--confirm -1` was told 'reuse_window (--estimator-reuse-window), confirm_rollouts (--confirm) and
    confirm_report_rollouts (...) must be >= 0': three flags, two of them never typed, and no value."""
    no_model_load(monkeypatch)
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"), *FAST,
            *MINE, flag, value]
    assert cli(argv) == 2
    assert one_line_error(capsys).startswith(f"ptsfast: error: {flag} {value}: ")


def records(out):
    return {n: (out / n).read_text() for n in ("done.jsonl", "pivots.jsonl", "pairs.jsonl", "problems.jsonl")}


@pytest.mark.parametrize("stop_at, seed", [("pivots.jsonl", "0"), ("pivots.jsonl", "1"), ("run.json", "1")])
def test_an_overwrite_stopped_while_it_clears_the_old_run_is_finished_by_the_next_run(stop_at, seed, model_dir,
                                                                                       problems, tmp_path, capsys,
                                                                                       monkeypatch):
    """Ctrl-C in --overwrite's clearing, once done.jsonl was gone, left the old run's records without markers: the
    rerun the message asked for (without --overwrite) was refused as 'markers lost or edited... restore done.jsonl',
    a file ptsfast itself had deleted. The next run finishes the discard and mines what a fresh folder gets."""
    import pathlib

    base = ["mine", "--model", str(model_dir), "--problems", str(problems), *FAST, *MINE]
    fresh, out = tmp_path / "fresh", tmp_path / "run"
    assert cli([*base, "--out", str(fresh), "--seed", seed]) == 0
    assert cli([*base, "--out", str(out), "--seed", "0"]) == 0
    unlink = pathlib.Path.unlink

    def interrupted(self, missing_ok=False):
        if self.name == stop_at and self.parent == out:
            raise KeyboardInterrupt
        return unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(pathlib.Path, "unlink", interrupted)
    assert cli([*base, "--out", str(out), "--seed", seed, "--overwrite"]) == 130
    monkeypatch.setattr(pathlib.Path, "unlink", unlink)
    assert "rerun it without --overwrite" in capsys.readouterr().err
    assert cli([*base, "--out", str(out), "--seed", seed]) == 0
    assert records(out) == records(fresh)


MATPLOTLIB_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x19tEXtSoftware\x00Matplotlib version3.8.0, https://matplotlib.org/"
"""The head of a PNG that Matplotlib wrote (any user's plot), without ptsfast's marker."""


def test_a_matplotlib_plot_of_the_users_own_named_report_png_is_kept(model_dir, problems, tmp_path, capsys):
    """A report.png the user made with Matplotlib in the run's folder was taken for a plot of a report from before
    the marker (those were Matplotlib's too): --overwrite deleted it and `ptsfast report` replaced it. An old plot
    is one beside an old report's page."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    (out / "report.png").write_bytes(MATPLOTLIB_PNG + b" my own plot")
    assert cli(["report", "--run", str(out)]) == 2
    one_line_error(capsys, str(out / "report.png"), "not a plot ptsfast wrote")
    assert cli([*argv, "--overwrite", "--seed", "1"]) == 0
    assert (out / "report.png").read_bytes() == MATPLOTLIB_PNG + b" my own plot"


def test_an_old_reports_page_and_plot_go_with_their_run(model_dir, problems, tmp_path):
    """A report from before the marker (its page's head and legend, Matplotlib's plot) is still the run's."""
    from ptsfast.outputs.rundir import REPORT_HEAD

    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    (out / "report.html").write_text(f"{REPORT_HEAD}run</title></head><body><p class='legend'>p</p></body></html>")
    (out / "report.png").write_bytes(MATPLOTLIB_PNG)
    assert cli([*argv, "--overwrite", "--seed", "1"]) == 0
    assert not (out / "report.html").exists() and not (out / "report.png").exists()


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_a_sandbox_cgroup_variable_that_names_no_usable_cgroup_is_refused_before_the_model_loads(command, flags,
                                                                                                 model_dir, tmp_path,
                                                                                                 capsys, monkeypatch):
    """PTSFAST_SANDBOX_CGROUP set to a folder that is no delegated cgroup (a typo, a cgroup never made) was dropped
    without a word: the sandboxes ran with no memory cgroup, their memory all together unbounded, though the user
    had asked for one."""
    import json

    from ptsfast.problems import sandbox

    problems = tmp_path / "code.jsonl"
    problems.write_text(json.dumps({"id": "c1", "question": "w5 w9", "tests": "assert f(1) == 1",
                                    "entry_point": "f"}) + "\n")
    monkeypatch.setattr(sandbox, "_cgroup", None)  # probed afresh, with the variable
    monkeypatch.setenv("PTSFAST_SANDBOX_CGROUP", str(tmp_path / "no-such-cgroup"))
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    fast = [f for f in FAST if f not in ("--oracle", "exact")]
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *fast, *flags,
            "--oracle", "code"]
    assert cli(argv) == 2
    one_line_error(capsys, f"PTSFAST_SANDBOX_CGROUP={tmp_path / 'no-such-cgroup'}", "not a directory", "unset it")
    assert not out.exists()


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
@pytest.mark.parametrize("field, flag, was, now", [("answer", "--answer-field", "1", "2"),
                                                   ("question", "--question-field", "w5 w9 w11", "w6 w11")])
def test_a_resume_reading_another_column_names_the_column_not_reused_ids(command, flags, field, flag, was, now,
                                                                         model_dir, tmp_path, capsys, monkeypatch):
    """A resume given another --answer-field (or --question-field) read other content under the run's ids, and was
    told 'these are other problems under reused ids - give them unique ids': the ids were right, the column not."""
    import json

    problems = tmp_path / "p.jsonl"
    problems.write_text("".join(json.dumps({"id": f"q{i}", "question": f"w5 w9 w{11 + i}", "answer": "1", "ans2": "2",
                                            "q2": f"w6 w{11 + i}"}) + "\n" for i in range(2)))
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli(argv) == 0
    capsys.readouterr()
    no_model_load(monkeypatch)
    assert cli([*argv, flag, "ans2" if field == "answer" else "q2"]) == 2
    err = one_line_error(capsys, f"'q0' was mined with the {field} {was!r}", f"is {now!r} now", flag)
    assert "reused ids" not in err


@pytest.mark.parametrize("command", ["mine", "anchors"])
def test_tests_field_given_twice_runs_both_columns(command):
    """`--tests-field test_list --tests-field challenge_test_list` kept the second column only: the first one's tests
    were never run, and solutions failing them were judged correct."""
    from ptsfast.cli import build_parser, field_map

    a = build_parser().parse_args([command, "--model", "m", "--problems", "p.jsonl", "--out", "o", "--oracle", "code",
                                   "--tests-field", "test_list", "--tests-field", "challenge_test_list"])
    assert field_map(a).tests == ("test_list", "challenge_test_list")


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS), ("demo", [])])
def test_a_new_out_named_as_a_data_file_is_refused_naming_a_folder(command, flags, model_dir, problems, tmp_path,
                                                                    capsys, monkeypatch):
    """`--out pairs.jsonl` (codelion/pts' --output takes a file) made a folder named pairs.jsonl, and the pairs the
    user meant to train on were pairs.jsonl/pairs.jsonl, beside the run's other files."""
    no_model_load(monkeypatch)
    out = tmp_path / "pairs.jsonl"
    given = [] if command == "demo" else ["--model", str(model_dir), "--problems", str(problems)]
    fast = ["--quiet"] if command == "demo" else FAST
    assert cli([command, *given, "--out", str(out), *fast, *flags]) == 2
    one_line_error(capsys, f"--out {out}: names a file", f"--out {tmp_path / 'pairs'}", "ptsfast export")
    assert not out.exists()


@pytest.mark.parametrize("slash", [False, True])
def test_an_out_folder_named_as_a_data_file_that_exists_or_ends_with_a_slash_is_used(slash, model_dir, problems,
                                                                                      tmp_path, capsys):
    """A folder that exists is used as it is named (a run made before this check resumes); so is a new one written
    as a folder ('run.json/')."""
    out = tmp_path / "run.json"
    if not slash:
        out.mkdir()
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out) + "/" * slash, *FAST,
            *MINE]
    assert cli(argv) == 0
    assert (out / "done.jsonl").read_text().count("\n") == 2


@pytest.mark.parametrize("flag, value, fix", [("--problems", "-p.jsonl", "write --problems=-p.jsonl, or ./-p.jsonl"),
                                              ("--question-field", "-q", "write --question-field=-q")])
def test_a_value_starting_with_a_dash_names_the_way_to_give_it(flag, value, fix, model_dir, problems, tmp_path,
                                                               capsys):
    """`--problems -p.jsonl` (a file whose name starts with '-') or `--question-field -q` was read as a flag: argparse
    said only 'expected one argument', naming neither the value nor how to give it."""
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"), *FAST,
            *MINE, flag, value]
    with pytest.raises(SystemExit) as e:
        cli(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{flag} {value}: a value starting with '-' is read as a flag" in err and fix in err, err
    assert ("./-q" in err) is False


def test_a_mistyped_flag_after_a_flag_is_not_taken_for_its_value(model_dir, problems, tmp_path, capsys):
    """`--question-field --answer-feild x`: the value was forgotten and the next flag mistyped; it is not offered as
    the value (--question-field=--answer-feild), argparse names the flag that lacks one."""
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"), *FAST,
            *MINE, "--question-field", "--answer-feild", "x"]
    with pytest.raises(SystemExit):
        cli(argv)
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--question-field" in err and "expected one argument" in err and "=--answer-feild" not in err, err


def test_simulate_lists_given_twice_are_one_list(capsys, monkeypatch):
    """`simulate --populations hard --populations cancel --seeds 0 --seeds 1` ran cancel on seed 1 only: each list
    given again replaced the one before, whose items never ran."""
    import ptsfast.mining.simulate

    ran = {}

    def benchmark(populations, seeds, gap, rows, scale, progress=None):
        ran.update(populations=populations, seeds=seeds, rows=rows)
        raise KeyboardInterrupt

    monkeypatch.setattr(ptsfast.mining.simulate, "benchmark", benchmark)
    assert cli(["simulate", "--populations", "hard", "--populations", "cancel", "--seeds", "0", "--seeds", "1",
                "--rows", "fixed N=64", "--rows", "ptsfast defaults"]) == 130
    assert ran == {"populations": ["hard", "cancel"], "seeds": [0, 1], "rows": ["fixed N=64", "ptsfast defaults"]}
    assert cli(["simulate"]) == 130  # none given: the defaults
    assert ran["seeds"] == [0, 1, 2] and ran["rows"] == ["ptsfast defaults", "fixed N=64"]


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_an_out_that_is_a_device_or_a_pipe_is_named_so(command, flags, kind, model_dir, problems, tmp_path, capsys):
    """`--out /dev/null` (or a fifo) was refused as 'is a file, not a folder': no file was there."""
    import os

    out = "/dev/null" if kind == "device" else str(tmp_path / "fifo")
    if kind == "fifo":
        os.mkfifo(out)
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", out, *FAST, *flags]
    assert cli(argv) == 2
    err = one_line_error(capsys, f"--out {out}: is a device, pipe or socket, not a folder", "pass a folder path")
    assert "a file" not in err


@pytest.mark.parametrize("command", [["report"], ["export", "--out", "x.jsonl"]])
def test_a_run_an_interrupted_overwrite_was_discarding_is_not_read(command, model_dir, problems, tmp_path, capsys,
                                                                   monkeypatch):
    """A run an --overwrite stopped while clearing: `report` drew the discarded problems (problems.jsonl was still
    there), and `export` read what was left of them."""
    import pathlib

    out = tmp_path / "run"
    base = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(base) == 0
    unlink = pathlib.Path.unlink

    def interrupted(self, missing_ok=False):
        if self.name == "pairs.jsonl" and self.parent == out:
            raise KeyboardInterrupt
        return unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(pathlib.Path, "unlink", interrupted)
    assert cli([*base, "--overwrite", "--seed", "1"]) == 130
    monkeypatch.setattr(pathlib.Path, "unlink", unlink)
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert cli([command[0], "--run", str(out), *command[1:]]) == 2
    one_line_error(capsys, f"--run {out}: an --overwrite was discarding this run", "rerun that mine")
    assert not (out / "report.html").exists() and not (tmp_path / "x.jsonl").exists()
