"""Hostile command lines, round 12: a KV cache past the machine's memory, --overwrite beside the user's own files,
...; each refused in one line naming the problem and the way out, before the model loads, and no work lost."""

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import one_line_error, write_problems

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--quiet"]
MINE = ["--max-rollouts", "8", "--key-max-rollouts", "8", "--no-filter"]
ANCHORS = ["--batch-rollouts", "2", "--max-rollouts", "2"]


@pytest.fixture()
def problems(tmp_path):
    return write_problems(tmp_path)


def no_model_load(monkeypatch):
    import ptsfast.models

    monkeypatch.setattr(ptsfast.models, "load_model", lambda *a, **k: pytest.fail("the model loaded"))
    monkeypatch.setattr(ptsfast.models, "load_demo_model", lambda *a, **k: pytest.fail("the model loaded"))


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS), ("demo", [])])
@pytest.mark.parametrize("gb", ["1e6", "1e300"])
def test_a_kv_cache_past_the_machines_memory_is_refused_before_the_model_loads(command, flags, gb, model_dir,
                                                                              problems, tmp_path, capsys,
                                                                              monkeypatch):
    """--kv-cache-gb 1e6 was refused by the engine once the model had loaded and the run's folder was made; 1e300,
    whose bytes overflow a float, ended there in 'cannot convert float NaN to integer'."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    given = [] if command == "demo" else ["--model", str(model_dir), "--problems", str(problems)]
    fast = ["--quiet"] if command == "demo" else FAST
    argv = [command, *given, "--out", str(out), "--device", "cpu", *fast, *flags, "--kv-cache-gb", gb]
    assert cli(argv) == 2
    one_line_error(capsys, f"--kv-cache-gb {float(gb):g}", "GB of memory available on cpu", "lower it")
    assert not out.exists()
