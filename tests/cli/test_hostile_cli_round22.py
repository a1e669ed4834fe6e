"""Hostile command lines, round 22: the steering export's progress in a log file; SIGTERM after a finished run."""

import json
import sys

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import FAST, MINE, one_line_error, write_problems


def test_the_steering_exports_progress_is_plain_lines_in_a_log_file(tmp_path, monkeypatch):
    """`ptsfast export --format steering 2> export.log`: tqdm drew its hidden-state bar there as carriage-return
    frames (mining already wrote plain lines where standard error is no terminal). One line a while, one at the end."""
    import torch

    from ptsfast.outputs.steering import hidden_states_at
    from tiny_models import tiny_model

    model = tiny_model("llama", seed=3)
    log = tmp_path / "export.log"
    with open(log, "w", encoding="utf-8") as f:
        monkeypatch.setattr(sys, "stderr", f)
        states = hidden_states_at(model, 0, [[5, 6, 7], [8, 9], [10, 11, 12]], [[2], [1], [0, 2]], progress=True)
    assert [tuple(s.shape)[0] for s in states] == [1, 1, 2] and all(s.dtype == torch.float32 for s in states)
    text = log.read_bytes().decode()  # read_text would turn each carriage return into a line end
    assert "\r" not in text, repr(text)
    assert text.splitlines()[-1].startswith("hidden states 3/3 "), text
