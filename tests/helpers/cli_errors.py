"""What the hostile-CLI rounds check of a refusal, the small problem files they run on, and the flags that keep a
tiny model's run short."""

import json

import pytest

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--quiet"]
"""Flags of a short run on the tiny test model's word-level problems."""
MINE = ["--max-rollouts", "8", "--key-max-rollouts", "8", "--no-filter"]
"""A small search (`mine`)."""
ANCHORS = ["--batch-rollouts", "2", "--max-rollouts", "2"]
"""Few resamples (`anchors`)."""


def one_line_error(capsys, *words):
    """The command failed with exactly one line, ``ptsfast: error: ...``, holding every one of ``words``."""
    err = [line for line in capsys.readouterr().err.strip().splitlines() if not line.startswith("Loading weights")]
    assert len(err) == 1 and err[0].startswith("ptsfast: error:") and all(w in err[0] for w in words), err
    return err[0]


def write_problems(tmp_path, n=2):
    """A problems file of ``n`` rows the tiny test model can take (its vocabulary's words)."""
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"id": f"q{i}", "question": f"w5 w9 w{11 + i}", "answer": "1"}) + "\n"
                         for i in range(n)))
    return f


def no_model_load(monkeypatch):
    """Fails the test if the command loads a model: a refusal must come before that slow work."""
    import ptsfast.models

    monkeypatch.setattr(ptsfast.models, "load_model", lambda *a, **k: pytest.fail("the model loaded"))
    monkeypatch.setattr(ptsfast.models, "load_demo_model", lambda *a, **k: pytest.fail("the model loaded"))
