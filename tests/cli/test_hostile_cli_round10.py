"""Hostile command lines, round 10: run folders, resume and overwrite. A finished run is never lost to a run that
cannot start, and what cannot run is refused before any folder is emptied, naming the numbers."""

import json
from types import SimpleNamespace

import pytest

from ptsfast.cli import main as cli

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--quiet"]


def one_line_error(capsys, *words):
    err = [line for line in capsys.readouterr().err.strip().splitlines() if not line.startswith("Loading weights")]
    assert len(err) == 1 and err[0].startswith("ptsfast: error:") and all(w in err[0] for w in words), err
    return err[0]


@pytest.fixture()
def problems(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"id": f"q{i}", "question": f"w5 w9 w{11 + i}", "answer": "1"}) + "\n"
                         for i in range(2)))
    return f


def test_anchors_overwrite_with_an_engine_the_device_refuses_keeps_the_finished_run(model_dir, problems, tmp_path,
                                                                                    capsys):
    """`anchors --overwrite --kv-cache-gb 10000` emptied the finished run, then the engine refused the KV cache: the
    finished problems were lost for a run that never started (mine was fixed; anchors made its engine later)."""
    out = tmp_path / "run"
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST,
            "--batch-rollouts", "2", "--max-rollouts", "2"]
    assert cli(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"}
    capsys.readouterr()
    assert cli([*argv, "--overwrite", "--seed", "3", "--kv-cache-gb", "10000"]) == 2
    one_line_error(capsys, "--kv-cache-gb 10000")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"} == before
