"""Exports of round 10: what a user's filters and another tool's edits of a run's records give an export."""

import json

import pytest
from cli_errors import one_line_error
from tiny_models import mine_tiny_pivot_run

from ptsfast.cli import main as cli


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round10") / "run"
    mine_tiny_pivot_run(out)
    return out


@pytest.mark.parametrize("fmt", ["trl", "pts", "thought_anchors"])
def test_a_min_delta_above_one_is_refused_not_an_empty_export(run, tmp_path, capsys, fmt):
    """A Δp is a difference of two probabilities, at most 1: --min-delta 20 (meant as percent) wrote 0 records and
    exited 0, as if the run held no pivot that large."""
    out = tmp_path / "out.jsonl"
    assert cli(["export", "--run", str(run), "--format", fmt, "--out", str(out), "--min-delta", "20"]) == 2
    one_line_error(capsys, "(--min-delta)=20", "<= 1")
    assert not out.exists()
    assert cli(["export", "--run", str(run), "--out", str(out), "--min-delta", "1", "--quiet"]) == 0  # Δp of 1


@pytest.mark.parametrize("fmt", ["trl", "pts", "jsonl"])
def test_a_nan_written_into_a_record_by_another_tool_is_named_with_its_file_and_line(run, tmp_path, capsys, fmt):
    """Python's json.dumps writes a float('nan') as NaN, which json.loads reads back: a pivots.jsonl rewritten by a
    user's script with one ended every export in 'Out of range float values are not JSON compliant', naming
    neither the file nor the record."""
    edited = tmp_path / "edited"
    edited.mkdir()
    for f in run.iterdir():
        (edited / f.name).write_bytes(f.read_bytes())
    lines = (edited / "pivots.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[1])
    rec["p_after"] = float("nan")
    lines[1] = json.dumps(rec, sort_keys=True) + "\n"
    (edited / "pivots.jsonl").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    kind = ["--kind", "pivots"] if fmt == "jsonl" else []
    assert cli(["export", "--run", str(edited), "--format", fmt, *kind, "--out", str(out)]) == 2
    one_line_error(capsys, "pivots.jsonl line 2", "NaN", "null")
    assert not out.exists()
