"""Hostile command lines and run folders as a crash or a careless hand leaves them: each one line naming the problem
and the way out, and no finished work lost or misreported."""

import json
import shutil

import pytest
from tiny_models import mine_tiny_pivot_run

from ptsfast.cli import main as cli
from helpers.cli_errors import one_line_error

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--max-rollouts", "8",
        "--key-max-rollouts", "8", "--no-filter", "--quiet"]


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    """A finished run with pivots and pairs (the tiny model is tuned to make them)."""
    out = tmp_path_factory.mktemp("mined") / "run"
    summary = mine_tiny_pivot_run(out)
    assert summary["pivots"] >= 2, "the tiny setup is tuned to produce pivots"
    return out


@pytest.fixture()
def run(mined, tmp_path):
    shutil.copytree(mined, tmp_path / "run")
    return tmp_path / "run"


@pytest.mark.parametrize("name", ["pivots.jsonl", "pairs.jsonl", "problems.jsonl"])
def test_a_committed_record_duplicated_by_hand_is_named_not_exported_twice(run, tmp_path, capsys, name):
    """The first N lines (N from the last marker) were read as the run's records: a duplicated one was exported
    twice and the last record dropped, without a word; the report showed it twice."""
    lines = (run / name).read_text().splitlines(keepends=True)
    (run / name).write_text("".join(lines[:1] + lines))
    kind = ["--kind", "pivots"] if name == "pivots.jsonl" else []
    if name != "problems.jsonl":
        assert cli(["export", "--run", str(run), "--format", "jsonl", *kind, "--out", str(tmp_path / "x.jsonl")]) == 2
        one_line_error(capsys, str(run / name), "duplicated by hand", "restore the file")
        assert not (tmp_path / "x.jsonl").exists()
    if name != "pairs.jsonl":  # the report reads no pairs
        assert cli(["report", "--run", str(run), "--out", str(tmp_path / "r.html")]) == 2
        one_line_error(capsys, str(run / name), "more records than its run committed")
        assert not (tmp_path / "r.html").exists()


@pytest.fixture()
def cli_run(model_dir, tmp_path):
    """A finished tiny run mined by the command line (so the same command resumes it)."""
    problems = tmp_path / "p.jsonl"
    problems.write_text("".join(json.dumps({"id": f"q{i}", "question": f"w5 w9 w{11 + i}", "answer": "1"}) + "\n"
                                for i in range(2)))
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"), *FAST]
    assert cli(argv) == 0
    return tmp_path / "run", argv


@pytest.mark.parametrize("version,words", [(7, ["run format 7", "knows format 1"]),
                                           ('"1"', ["damaged", "format_version"])])
def test_a_run_json_of_a_newer_format_is_neither_resumed_nor_exported(cli_run, tmp_path, capsys, version, words):
    """A run of a newer format (or a version that is no number) was resumed and exported as if it were this one's:
    records of two formats in one run, fields read with other meanings."""
    run, argv = cli_run
    info = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**info, "format_version": json.loads(str(version))}))
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    capsys.readouterr()
    assert cli(argv) == 2
    one_line_error(capsys, str(run / "run.json"), *words)
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before
    assert cli(["export", "--run", str(run), "--format", "jsonl", "--kind", "pivots", "--out",
                str(tmp_path / "x.jsonl")]) == 2
    one_line_error(capsys, str(run / "run.json"), *words)
    assert not (tmp_path / "x.jsonl").exists()


@pytest.mark.parametrize("command", ["mine", "anchors"])
def test_problems_from_a_pipe_are_refused_naming_it_not_an_unknown_format(command, tmp_path, capsys):
    """`--problems <(cmd)` or a fifo was read as a file of unknown format ('' for /dev/fd/63), or as JSON that
    'could not be found'; a resume reads the problems again, which a pipe cannot give."""
    import os

    fifo = tmp_path / "problems.jsonl"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    assert cli([command, "--model", str(tmp_path / "no-model"), "--problems", str(fifo), "--out", str(out)]) == 2
    assert "no-model" not in one_line_error(capsys, f"--problems {fifo}", "pipe", "save them to a file")
    assert not out.exists()


@pytest.mark.parametrize("command", ["mine", "anchors"])
def test_a_chat_template_file_that_is_not_text_names_the_file_and_flag(command, tmp_path, capsys):
    """A binary or Latin-1 template file ended in "'utf-8' codec can't decode byte 0xff in position 0", naming
    neither the file nor the flag."""
    template = tmp_path / "chat.jinja"
    template.write_bytes(b"\xff\xfe{{ messages }}")
    out = tmp_path / "out"
    assert cli([command, "--model", str(tmp_path / "no-model"), "--problems", str(tmp_path / "p.jsonl"), "--out",
                str(out), "--chat-template", str(template)]) == 2
    one_line_error(capsys, "--chat-template", str(template), "not UTF-8")
    assert not out.exists()


def test_an_output_name_near_the_systems_limit_is_written_not_refused_for_its_temporary_file(run, tmp_path, capsys):
    """80 CJK characters (240 bytes) is a name the system takes; the temporary file beside it (".name.XXXX.tmp")
    was not, and the export or report failed with 'File name too long' naming a path nobody typed."""
    name = "数" * 80
    assert cli(["export", "--run", str(run), "--out", str(tmp_path / f"{name}.jsonl")]) == 0
    assert cli(["export", "--run", str(run), "--format", "hf", "--out", str(tmp_path / f"{name}.hf")]) == 0
    assert cli(["export", "--run", str(run), "--format", "hf", "--out", str(tmp_path / f"{name}.hf")]) == 0  # again
    assert cli(["report", "--run", str(run), "--out", str(tmp_path / f"{name}.html")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["run", f"{name}.jsonl", f"{name}.hf", f"{name}.html",
                                                                 f"{name}.png"])  # no temporary file left


def test_a_report_of_a_run_file_names_the_run_folder(run, tmp_path, capsys):
    """`report --run run/pivots.jsonl` said 'run/pivots.jsonl/problems.jsonl not found': a path inside a file."""
    assert cli(["report", "--run", str(run / "pivots.jsonl"), "--out", str(tmp_path / "r.html")]) == 2
    err = one_line_error(capsys, f"--run {run / 'pivots.jsonl'} is a file", f"pass its folder, {run}")
    assert "pivots.jsonl/" not in err and not (tmp_path / "r.html").exists()


def test_an_output_name_too_long_for_the_file_system_is_named_with_its_flag_before_any_work(run, tmp_path, capsys):
    """A name over 255 bytes failed with a bare '[Errno 36] File name too long' repeating it whole, for a run only
    once the model had loaded."""
    long = "a" * 300
    for argv in (["mine", "--model", str(tmp_path / "no-model"), "--problems", str(tmp_path / "p.jsonl"),
                  "--out", str(tmp_path / long)],
                 ["export", "--run", str(run), "--out", str(tmp_path / long)],
                 ["report", "--run", str(run), "--out", str(tmp_path / long)],
                 ["simulate", "--json", str(tmp_path / long)]):
        assert cli(argv) == 2
        err = one_line_error(capsys, "--json" if argv[0] == "simulate" else "--out", "300 bytes", "shorter name")
        assert long not in err and "no-model" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
