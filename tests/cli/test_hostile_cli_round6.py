"""Hostile command lines: conflicting size flags, '-' where no stream can be written or read, empty values that were
dropped without a word, and standard output closed: each one line naming the flag, before any work."""

import json
import os

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import one_line_error

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--max-rollouts", "8",
        "--key-max-rollouts", "8", "--no-filter", "--quiet"]


@pytest.fixture()
def problems(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"id": "a", "question": "w5 w9 w11", "answer": "1"}) + "\n")
    return f


@pytest.fixture(scope="module")
def run(model_dir, tmp_path_factory):
    """A finished tiny run."""
    work = tmp_path_factory.mktemp("work")
    (work / "p.jsonl").write_text(json.dumps({"id": "a", "question": "w5 w9 w11", "answer": "1"}) + "\n")
    assert cli(["mine", "--model", str(model_dir), "--problems", str(work / "p.jsonl"), "--out", str(work / "run"),
                *FAST]) == 0
    return work / "run"


def test_kv_cache_gb_with_engine_num_blocks_is_refused_not_dropped(problems, tmp_path, capsys):
    """The block count sized the pool and --kv-cache-gb was dropped: a problem too large for it was told to raise
    --kv-cache-gb, which changed nothing."""
    out = tmp_path / "out"
    assert cli(["mine", "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(out),
                "--engine-num-blocks", "1", "--kv-cache-gb", "4"]) == 2
    assert "no-model" not in one_line_error(capsys, "--kv-cache-gb 4", "--engine-num-blocks 1", "drop one")
    assert not out.exists()


@pytest.mark.parametrize("command", ["mine", "anchors"])
def test_a_run_out_of_dash_is_refused_not_made_a_folder_named_dash(command, problems, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli([command, "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", "-"]) == 2
    assert "no-model" not in one_line_error(capsys, "--out -", "folder", "ptsfast export --out -")
    assert not (tmp_path / "-").exists()


def test_problems_from_dash_name_standard_input(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli(["mine", "--model", str(tmp_path / "no-model"), "--problems", "-", "--out", "run"]) == 2
    one_line_error(capsys, "--problems -", "standard input", "save them to a file")
    assert not (tmp_path / "run").exists()


def test_a_report_out_of_dash_is_refused_not_written_as_files_named_dash(run, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli(["report", "--run", str(run), "--out", "-"]) == 2
    one_line_error(capsys, "--out -", "HTML file", str(run / "report.html"))
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.png").exists()


@pytest.mark.parametrize("flags,named", [
    (["--chat-template", ""], "chat_template (--chat-template)"),
    (["--embedding-model", ""], "embedding_model (--embedding-model) is empty"),
])
def test_empty_values_that_were_dropped_are_refused_before_the_model_loads(flags, named, problems, tmp_path, capsys):
    """'' read as unset: the tokenizer's chat template, or token overlap, was used in their place."""
    out = tmp_path / "out"
    command = "anchors" if flags[0] == "--embedding-model" else "mine"
    assert cli([command, "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(out),
                *flags]) == 2
    assert "no-model" not in one_line_error(capsys, named)
    assert not out.exists()


def test_simulate_json_empty_is_refused_before_the_benchmark(capsys, monkeypatch):
    """The scores of a minutes-long benchmark were not written, without a word."""
    import ptsfast.mining.simulate as simulate

    monkeypatch.setattr(simulate, "benchmark", lambda *a, **k: pytest.fail("the benchmark ran"))
    assert cli(["simulate", "--json", ""]) == 2
    one_line_error(capsys, "--json is empty")


def test_export_to_a_closed_standard_output_is_one_line(run, tmp_path, capsys, monkeypatch):
    """Started with standard output closed (``>&-``), Python's sys.stdout is None: an AttributeError traceback."""
    monkeypatch.setattr("sys.stdout", None)
    assert cli(["export", "--run", str(run), "--out", "-", "--format", "jsonl", "--kind", "pivots"]) == 2
    one_line_error(capsys, "--out -", "standard output is closed")


@pytest.mark.parametrize("fmt", ["trl", "jsonl", "pts"])
def test_an_export_to_a_compressed_name_is_refused_not_written_as_plain_text(fmt, run, tmp_path, capsys):
    """Plain JSONL under a .gz name: datasets' json loader (and gunzip) failed on the file."""
    out = tmp_path / "pairs.jsonl.gz"
    kind = ["--kind", "pivots"] if fmt == "jsonl" else []
    assert cli(["export", "--run", str(run), "--out", str(out), "--format", fmt, *kind]) == 2
    one_line_error(capsys, f"--out {out}", "plain JSONL", "drop .gz")
    assert not out.exists()


def test_quiet_turns_off_the_libraries_progress_bars_too(monkeypatch):
    """--quiet left transformers' "Loading weights" bar on stderr."""
    import transformers.utils.logging as hf_logging

    from ptsfast import cli as module

    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    hf_logging.enable_progress_bar()
    try:
        module._quiet_libraries()
        assert not hf_logging.is_progress_bar_enabled()
        assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"  # for what is imported later (datasets, the hub)
    finally:
        hf_logging.enable_progress_bar()


def test_a_run_file_replaced_by_a_folder_is_one_line_with_the_way_out(tmp_path, capsys):
    run = tmp_path / "run"
    (run / "problems.jsonl").mkdir(parents=True)
    (run / "run.json").write_text("{}")
    assert cli(["report", "--run", str(run)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Is a directory" in err[0] and "move that folder away" in err[0], err  # was errno only


@pytest.mark.parametrize("device", ["", "gpu"])
def test_an_unknown_device_is_quoted(tmp_path, capsys, device):
    problems = tmp_path / "p.jsonl"
    problems.write_text(json.dumps({"id": "a", "question": "q", "answer": "1"}) + "\n")
    assert cli(["mine", "--model", str(tmp_path), "--problems", str(problems), "--out", str(tmp_path / "run"),
                "--device", device]) == 2
    assert f"--device {device!r}: use cpu or cuda" in capsys.readouterr().err  # '' printed as "--device :"


@pytest.mark.parametrize("scale", ["1e9", "inf", "0", "-1", "nan"])
def test_simulate_scale_out_of_range_is_refused_before_the_benchmark(scale, capsys, monkeypatch):
    """`--scale 1e9` drew populations until memory ran out, without a word."""
    import ptsfast.mining.simulate as simulate

    monkeypatch.setattr(simulate, "benchmark", lambda *a, **k: pytest.fail("the benchmark ran"))
    monkeypatch.setattr(simulate, "population", lambda *a, **k: pytest.fail("a population was drawn"))
    assert cli(["simulate", "--scale", scale]) == 2
    one_line_error(capsys, "--scale", "use a factor in (0, 1000]")
