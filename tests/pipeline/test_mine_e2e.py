"""End to end on a tiny model: mine -> export -> report, a crash mid-run and a resume, and the CLI."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from tiny_models import tiny_model, tiny_tokenizer

from ptsfast.cli import main as cli

HERE = Path(__file__).resolve().parents[1] / "helpers"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def run_script(model_dir, out, wait=True):
    cmd = [sys.executable, str(HERE / "mine_script.py"), str(model_dir), str(out)]
    if wait:
        subprocess.run(cmd, check=True, env=ENV, capture_output=True, timeout=600)
        return None
    return subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def lines(path):
    return Path(path).read_text().splitlines()


def test_killed_run_resumes_to_the_same_records(model_dir, tmp_path, capsys):
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"
    proc = run_script(model_dir, crashed, wait=False)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        done = crashed / "done.jsonl"
        if done.exists() and len(lines(done)) >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed; make it longer"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 2 <= len(lines(crashed / "done.jsonl")) < 4
    run_script(model_dir, crashed)  # resume
    run_script(model_dir, clean)  # uninterrupted, same seed
    for name in ("pivots.jsonl", "pairs.jsonl", "problems.jsonl"):
        assert lines(crashed / name) == lines(clean / name), name
    assert len(lines(clean / "problems.jsonl")) == 4
    pivots = [json.loads(line) for line in lines(clean / "pivots.jsonl")]
    pairs = [json.loads(line) for line in lines(clean / "pairs.jsonl")]
    assert pivots, "the tiny setup is tuned to produce pivots"
    tok = tiny_tokenizer()
    for p in pivots:  # where p(success) jumps: the first "w7", or a stop before any (the solution fails there)
        if p["token"].strip() == "w7":  # its text after the prefix: " w7" (the word-level vocabulary joins by spaces)
            assert p["direction"] == "raises" and p["delta"] >= 0.2
        else:
            assert p["token"].strip() == "</s>" and p["direction"] == "lowers"
            assert p["p_after"] == 0 <= p["delta"] + p["p_before"]
        assert tok.decode([p["token_id"]]) == p["token"].strip()
    assert any(p["token"].strip() == "w7" for p in pivots)
    for pair in pairs:
        assert pair["chosen"].strip() == "w7" and pair["rejected"].strip() != "w7" and pair["prompt"]
        assert tok(pair["prompt"] + pair["chosen"], add_special_tokens=False)["input_ids"] == \
            pair["prompt_ids"] + pair["chosen_ids"]
        assert pair["p_chosen"] - pair["p_rejected"] >= 0.2

    out = tmp_path / "dpo.jsonl"
    assert cli(["export", "--run", str(clean), "--out", str(out)]) == 0
    exported = [json.loads(line) for line in lines(out)]
    assert [list(r)[:3] for r in exported] == [["prompt", "chosen", "rejected"]] * len(pairs)
    capsys.readouterr()
    assert cli(["report", "--run", str(clean)]) == 0
    assert capsys.readouterr().out.strip() == f"ptsfast: wrote {clean / 'report.html'} and {clean / 'report.png'}"
    html = (clean / "report.html").read_text()
    assert "w7" in html and "<html" in html.lower()


def test_cli_mine_with_bad_rows_and_errors(model_dir, tmp_path, capsys):
    numeric = tmp_path / "numeric-model"
    shutil.copytree(model_dir, numeric)
    tiny_tokenizer(prefix="").save_pretrained(numeric)  # numbers as words, so a numeric oracle can judge
    model_dir = numeric
    problems = tmp_path / "problems.jsonl"
    problems.write_text("\n".join([
        json.dumps({"id": "a", "question": "5 9 12 40", "answer": "7"}),
        "{not json",
        json.dumps({"id": "b", "answer": "3"}),  # missing question
        json.dumps({"id": "c", "question": "8 3 4", "answer": "11"}),
    ]) + "\n")
    out = tmp_path / "run"
    args = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--oracle",
            "last_number", "--no-chat-template", "--no-filter", "--max-new-tokens", "8", "--max-rollouts", "16",
            "--quiet"]
    assert cli(args) == 0
    printed = capsys.readouterr().out
    assert "ptsfast summary" in printed and "problems_skipped" in printed
    assert len(lines(out / "problems.jsonl")) == 2
    summary = json.loads((out / "summary.json").read_text())
    assert summary["problems"] == 2 and summary["rollouts"] > 0
    assert cli(args) == 0  # rerun: everything done already, nothing duplicated
    assert len(lines(out / "problems.jsonl")) == 2
    # a different config into the same folder is refused with a clear message
    assert cli(args[:-1] + ["--seed", "1", "--quiet"]) == 2
    assert "ptsfast: error:" in capsys.readouterr().err
    assert cli(["mine", "--model", str(tmp_path / "nope"), "--problems", str(problems), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and len(err.strip().splitlines()) == 1


def test_problems_whose_solutions_are_empty_are_reported_not_lost(tmp_path):
    """A model that stops at once: every problem is still written (with the reason), none hangs the run."""
    from ptsfast.problems.loading import Problem
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions, mine

    model = tiny_model("llama", seed=1)
    with torch.no_grad():  # always emit EOS (id 2) first
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[2] = 1e4
    problems = [Problem(f"e{i}", f"w{5 + i} w9") for i in range(3)]
    summary = mine(model, tiny_tokenizer(), problems, tmp_path, MineOptions(
        trajectories_per_problem=2, use_chat_template=False, max_new_tokens=4, engine=EngineConfig(num_blocks=64)),
        oracle=lambda text, p: False, progress=False)
    assert summary["problems"] == 3 and summary["pivots"] == 0
    records = [json.loads(line) for line in lines(tmp_path / "problems.jsonl")]
    assert [r["problem_id"] for r in records] == ["e0", "e1", "e2"]
    assert all("empty" in r["skipped"] for r in records)
