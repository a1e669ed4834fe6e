"""Exports of round 10: what a user's filters and another tool's edits of a run's records give an export."""

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
