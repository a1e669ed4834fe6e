"""Hostile command lines, round 18: `--pairs-min-count 1000000000000` was taken, and a run that found a pivot then
asked the engine for that many forced rollouts of an alternative in one request."""

import pytest

from ptsfast.cli import main as cli
from ptsfast.mining.pairs import top_up_needs
from ptsfast.mining.types import Estimate, PairConfig
from helpers.cli_errors import FAST, MINE, no_model_load, one_line_error, write_problems


def test_an_absurd_pair_minimum_is_refused_before_the_model_loads(model_dir, tmp_path, capsys, monkeypatch):
    """The pair search tops every alternative up to --pairs-min-count samples in one engine request per alternative:
    `--pairs-min-count 1000000000000` loaded the model and mined until a pivot, then hung building a request of
    999999999999 rollouts. Refused before the model loads, as the other one-request counts are."""
    assert top_up_needs({7: Estimate(1, 1)}, PairConfig(min_count=10**12)) == [(7, 10**12 - 1)]  # the request
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE, "--pairs-min-count", "1000000000000"]
    assert cli(argv) == 2
    one_line_error(capsys, "--pairs-min-count 1000000000000", "memory available", "lower it")
    assert not out.exists()
