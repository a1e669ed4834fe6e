"""Hostile command lines and run folders, round 8: truncated, edited, symlinked and foreign run files, --out at
places a user's files live, and odd numbers for every numeric flag; each one line naming the problem, and no file
of the user's lost."""

import json
import logging
import re
import shutil

import pytest
from tiny_models import mine_tiny_pivot_run

from ptsfast.cli import build_parser
from ptsfast.cli import main as cli


def _help(command: str) -> str:
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    return " ".join(sub.format_help().split())


def test_tests_field_help_names_every_tests_column_loading_tries():
    from ptsfast.problems.code_tests import TEST_COMPANIONS, TEST_KEYS

    text = _help("mine")
    names = {*TEST_KEYS, *(c for cs in TEST_COMPANIONS.values() for c in cs)}
    words = set(re.findall(r"\w+", text))
    assert sorted(names - words) == []


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    """A finished run with pivots and pairs of three problems (the tiny model is tuned to make them)."""
    out = tmp_path_factory.mktemp("mined") / "run"
    summary = mine_tiny_pivot_run(out)
    assert summary["pivots"] >= 2 and summary["pairs"] >= 1, "the tiny setup is tuned to produce pivots and pairs"
    return out


@pytest.fixture()
def run(mined, tmp_path):
    shutil.copytree(mined, tmp_path / "run")
    return tmp_path / "run"


def cut_mid_line(path, last_problem: str):
    """``path`` cut inside the last line (a crash, a full disk, a careless editor): that line is the last
    problem's, which the run committed."""
    data = path.read_bytes()
    assert json.loads(data.splitlines()[-1])["problem_id"] == last_problem
    path.write_bytes(data[:-40])


def jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("fmt, field", [("pts", "query"), ("trl", "metadata")])
def test_an_export_of_a_run_whose_problems_file_was_cut_names_the_file(run, tmp_path, caplog, fmt, field):
    """The export wrote the cut problem's records with a null question (codelion's query, the DPO metadata's
    original_query) without a word, where a cut pairs or pivots file is named."""
    last = jsonl(run / "problems.jsonl")[-1]["problem_id"]
    cut_mid_line(run / "problems.jsonl", last)
    out = tmp_path / "x.jsonl"
    with caplog.at_level(logging.WARNING):
        assert cli(["export", "--run", str(run), "--format", fmt, "--out", str(out), "--quiet"]) == 0
    assert f"{run / 'problems.jsonl'} holds 2 of the 3 records its run committed" in caplog.text
    assert "no question" in caplog.text and "restore the file" in caplog.text
    recs = jsonl(out)
    lost = [r for r in recs if (r.get("dataset_item_id") or r.get("problem_id")) == last]
    value = (lambda r: r["query"]) if fmt == "pts" else (lambda r: r["metadata"]["original_query"])
    assert all(value(r) is None for r in lost) and all(value(r) for r in recs if r not in lost)


@pytest.mark.parametrize("name", ["problems.jsonl", "pivots.jsonl"])
def test_a_report_of_a_run_whose_records_file_was_cut_names_the_file(run, tmp_path, caplog, name):
    """The report left out the cut file's committed records without a word (the export of the same run says so)."""
    recs = jsonl(run / name)
    cut_mid_line(run / name, recs[-1]["problem_id"])
    with caplog.at_level(logging.WARNING):
        assert cli(["report", "--run", str(run), "--out", str(tmp_path / "r.html")]) == 0
    assert f"{run / name} holds {len(recs) - 1} of the {len(recs)} records its run committed" in caplog.text
    assert "not in the report" in caplog.text


@pytest.mark.parametrize("out", ["/", "."])
def test_a_report_out_of_the_root_or_the_current_folder_is_named_as_a_folder(run, tmp_path, capsys, monkeypatch, out):
    """`report --out /` or `--out .` said "PosixPath('/') has an empty name" (the plot's name is the page's)."""
    monkeypatch.chdir(tmp_path)
    assert cli(["report", "--run", str(run), "--out", out]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"ptsfast: error: --out {out} is a folder") and "report.html" in err and "\n" not in err


@pytest.mark.parametrize("command", ["mine", "anchors"])
@pytest.mark.parametrize("flags, named", [(["--oracle-timeout", "1e10"], "--oracle-timeout"),
                                          (["--top-k", str(2 ** 63)], "--top-k")])
def test_numbers_too_large_for_the_waits_and_the_sampler_are_refused_before_any_work(command, flags, named, tmp_path,
                                                                                      capsys):
    """A huge --oracle-timeout ended the run in an OverflowError traceback at its first verdict, and a top-k of
    2**63 or more in "Overflow when unpacking long long", each after the model loaded and the run folder was made."""
    problems = tmp_path / "p.jsonl"
    problems.write_text(json.dumps({"id": "q", "question": "w5 w9", "answer": "1"}) + "\n")
    out = tmp_path / "out"
    assert cli([command, "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(out),
                *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ptsfast: error:") and named in err and "\n" not in err and "no-model" not in err
    assert not out.exists()
