"""What the hostile-CLI rounds check of a refusal, and the small problem files they run on."""

import json


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
