"""Hostile command lines, round 22: the steering export's progress in a log file; SIGTERM after a finished run; a run
on a read-only disk."""

import json
import os
import sys
from pathlib import Path

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


def test_a_sigterm_after_the_run_is_complete_does_not_fail_the_job(model_dir, tmp_path):
    """A job scheduler's SIGTERM (or a closed terminal's SIGHUP) once the summary was printed, while the interpreter
    exits (a second or more with torch loaded): the process was killed by it, exit 143 (129), so the scheduler and
    scripts read a complete run as a failed one. The command's own status stands: the run is complete."""
    import signal
    import subprocess

    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path, 2)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    # unbuffered (CI's PYTHONUNBUFFERED=1): the summary's line reaches the scheduler before the command returns, so
    # the signals are let go of before it is printed (sent at once on it, it failed 1 run in CI's)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "ptsfast.cli", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stdout:
        if line.startswith("ptsfast summary"):
            proc.send_signal(signal.SIGTERM)
            break
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 0, (proc.returncode, err)
    assert json.loads((out / "summary.json").read_text())["problems"] == 2
    assert "Traceback" not in err and "interrupted" not in err, err


def test_a_run_on_a_read_only_disk_is_resumed_by_a_copy_not_started_over(model_dir, tmp_path, capsys, monkeypatch):
    """A finished part of a run in a folder that can no longer be written (its disk remounted read-only, a
    snapshot): the resume was refused with 'pass a path you can write to', which starts the run over elsewhere, its
    finished problems left behind. The way out says the run keeps them: make the folder writable, or copy it."""
    import errno
    import tempfile

    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path, 2)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    assert cli([*argv, "--limit", "1"]) == 0
    capsys.readouterr()
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    real = tempfile.TemporaryFile

    def read_only(*args, dir=None, **kw):
        if dir is not None and Path(dir) == out:
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    assert cli(argv) == 2
    one_line_error(capsys, f"--out {out}: cannot write in it (Read-only file system)", "keeps its finished problems",
                   "rerun the same command to resume", "copy the folder", "--out set to the copy")
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
