"""Hostile command lines, round 17: `report --out r` wrote the page as `r` (no browser opens it as HTML) beside
`r.png`; `--out` of a name with a newline in it (a two-line paste) made that folder and mined into it; a
resume from another folder recorded its problems under another spelling of the same --problems file."""

import json

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import ANCHORS, FAST, MINE, no_model_load, one_line_error, write_problems


@pytest.fixture()
def mined(model_dir, tmp_path, capsys):
    """A finished tiny run."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    return out


@pytest.mark.parametrize("name", ["r", ".r"])
def test_a_report_path_without_a_suffix_is_refused(name, mined, tmp_path, capsys):
    """`report --out r` wrote the page as a file named `r` (and its plot as r.png): opened, it showed as text, and
    `r` may as well have meant a folder. Refused, naming both ways out; a page path with a suffix is written."""
    target = tmp_path / name
    assert cli(["report", "--run", str(mined), "--out", str(target)]) == 2
    one_line_error(capsys, f"--out {target}", "no suffix", f"{target}.html", "report.html")
    assert not target.exists() and not (tmp_path / f"{name}.png").exists()
    assert cli(["report", "--run", str(mined), "--out", f"{target}.html"]) == 0
    assert (tmp_path / f"{name}.html").is_file()


def test_a_resume_from_another_folder_names_the_same_dataset(model_dir, tmp_path, capsys, monkeypatch):
    """Mined as `--problems p.jsonl` from its folder, then resumed (one problem more) from a subfolder as
    `--problems ../p.jsonl`: the first records named dataset 'p.jsonl', the new ones '../p.jsonl', and an export
    split one dataset in two. Every record and run.json now name the file by its resolved path."""
    problems = write_problems(tmp_path, n=1)
    monkeypatch.chdir(tmp_path)
    argv = ["mine", "--model", str(model_dir), "--out", str(tmp_path / "run"), "--device", "cpu", *FAST, *MINE]
    assert cli([*argv, "--problems", "p.jsonl"]) == 0
    write_problems(tmp_path, n=2)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert cli([*argv, "--problems", "../p.jsonl"]) == 0
    capsys.readouterr()
    records = [json.loads(line) for line in (tmp_path / "run" / "problems.jsonl").read_text().splitlines()]
    assert [r["problem_id"] for r in records] == ["q0", "q1"]
    assert {r["dataset"] for r in records} == {str(problems.resolve())}
    assert json.loads((tmp_path / "run" / "run.json").read_text())["dataset"] == str(problems.resolve())


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
@pytest.mark.parametrize("name, folder", [("run\nx", "run\nx"), ("a\tb/run", "a\tb")])
def test_a_new_output_folder_with_a_control_character_is_refused(command, flags, name, folder, model_dir, tmp_path,
                                                                  capsys, monkeypatch):
    """`--out "$OUT"` with OUT holding two lines made a folder named 'run<newline>x', mined into it, and printed its
    name over two lines: no one types it again to resume. Refused before the model loads, naming the folder."""
    no_model_load(monkeypatch)
    out = tmp_path / name
    argv = [command, "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *flags]
    assert cli(argv) == 2
    one_line_error(capsys, repr(folder), "control character", "one-line name")
    assert not (tmp_path / folder).exists()
