"""Hostile command lines, round 9: flags that were validated and then dropped, sizes past what the command can run,
and environment variables read only once the model had loaded; each one line naming the problem and the way out,
before any expensive work, and no finished work lost."""

import json

import pytest

from ptsfast.cli import main as cli

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--max-rollouts", "8",
        "--key-max-rollouts", "8", "--no-filter", "--quiet"]


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


def test_bench_runs_its_model_in_the_dtype_given(capsys, monkeypatch):
    """`bench --dtype float16` was checked and then dropped: the random Llama ran in float32, and the scores did not
    say in which dtype they were measured."""
    import ptsfast.engine.bench as bench

    made = {}
    real = bench.random_llama

    def spy(device, **kw):
        made.update(kw)
        return real(device, **kw, layers=1, hidden=64, heads=2, kv_heads=1, intermediate=64, vocab=128)

    monkeypatch.setattr(bench, "random_llama", spy)
    assert cli(["bench", "--device", "cpu", "--dtype", "bf16", "--prefix", "4", "--n", "2", "--new-tokens", "2",
                "--repeat", "1"]) == 0
    import torch

    assert made.get("dtype") is torch.bfloat16
    assert json.loads(capsys.readouterr().out)["dtype"] == "bfloat16"


@pytest.mark.parametrize("flags", [["--prefix", "100000000"], ["--prefix", "8000", "--new-tokens", "500"]])
def test_bench_past_its_models_context_is_refused_before_the_benchmark(flags, capsys, monkeypatch):
    """`bench --prefix 100000000` drew a hundred million prefix tokens and prefilled them, running until killed, on a
    model of 8,192 positions."""
    import ptsfast.engine.bench as bench

    monkeypatch.setattr(bench.RolloutComparison, "__init__", lambda *a, **k: pytest.fail("the benchmark ran"))
    assert cli(["bench", "--device", "cpu", "--n", "2", "--repeat", "1", *flags]) == 2
    one_line_error(capsys, "8192", "--prefix", "--new-tokens")
