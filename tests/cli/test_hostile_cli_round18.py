"""Hostile command lines, round 18: `--pairs-min-count 1000000000000` was taken, and a run that found a pivot then
asked the engine for that many forced rollouts of an alternative in one request."""

import pytest

from ptsfast.cli import main as cli
from ptsfast.mining.pairs import top_up_needs
from ptsfast.mining.types import Estimate, PairConfig
from helpers.cli_errors import ANCHORS, FAST, MINE, no_model_load, one_line_error, write_problems


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


def test_an_interruption_while_the_commands_import_is_said_in_one_line(tmp_path, capsys, monkeypatch):
    """A Ctrl-C in the first half second, while the commands' modules import to build the parser, ended in a
    KeyboardInterrupt traceback: the signals were taken only once the command line was read. Now one line says
    nothing was written, and the process's own handler is back afterwards."""
    import os
    import signal

    import ptsfast.cli

    build = ptsfast.cli.build_parser

    def interrupted_build():
        os.kill(os.getpid(), signal.SIGINT)  # delivered here, as a Ctrl-C during the imports is
        return build()

    monkeypatch.setattr(ptsfast.cli, "build_parser", interrupted_build)
    before = signal.getsignal(signal.SIGINT)
    try:
        rc = cli(["export", "--run", str(tmp_path / "run"), "--out", str(tmp_path / "e.jsonl")])
    except KeyboardInterrupt:
        pytest.fail("the interruption ended in a traceback")
    assert rc == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["ptsfast: interrupted before the command began; nothing was written - rerun the command"]
    assert signal.getsignal(signal.SIGINT) is before
    assert not (tmp_path / "e.jsonl").exists()


def test_every_flag_with_a_default_names_it_in_its_help():
    """`--help` is where a user looks up what a flag does when left out: --oracle-timeout (30 s), --id-field (id),
    --workers and --cpus-per-worker (1), export's --format (trl) and --min-delta (0) named none. Every flag of every
    command whose default is a value says it, as the value the parser holds (the demo's system prompt, a sentence,
    is named in words)."""
    import argparse
    import re

    from ptsfast.cli import _commands, build_parser

    unsaid = []
    for name, parser in _commands(build_parser()).items():
        for action in parser._actions:
            value = parser._defaults.get(action.dest, action.default)
            if value is None or value is False or value == argparse.SUPPRESS or isinstance(value, (list, dict)):
                continue
            if name == "demo" and action.dest == "system_prompt":
                assert "demo default its own system prompt" in action.help
                continue
            shown = {str(value), f"{value:g}"} if isinstance(value, float) else {str(value)}
            if not any(re.search(rf"default:? {re.escape(s)}(?![\w.])", action.help or "") for s in shown):
                unsaid.append(f"{name} {action.option_strings[0]} (default {value!r})")
    assert not unsaid, unsaid


@pytest.mark.parametrize("command", ["mine", "anchors", "export"])
def test_a_run_folder_given_as_the_model_is_named(command, model_dir, tmp_path, capsys, monkeypatch):
    """`--model RUN` (the flags swapped, or the run's folder for its model's) failed in transformers' words,
    'Unrecognized model in run. Should have a `model_type` key in its config.json', of a folder without one. Now
    refused before any model loads, as a run folder, naming the model that run was mined with."""
    run = tmp_path / "run"
    problems = write_problems(tmp_path)
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(run), "--device", "cpu",
                *FAST, *MINE]) in (0, 1)
    capsys.readouterr()
    no_model_load(monkeypatch)
    if command == "export":
        argv = ["export", "--run", str(run), "--format", "steering", "--out", str(tmp_path / "s.jsonl")]
    else:
        argv = [command, "--problems", str(problems), "--out", str(tmp_path / "new"), "--device", "cpu", *FAST,
                *(MINE if command == "mine" else ANCHORS)]
    assert cli([*argv, "--model", str(run)]) == 2
    one_line_error(capsys, f"--model {run}", "ptsfast run folder", "not a model", str(model_dir.resolve()))
    assert not (tmp_path / "new").exists() and not (tmp_path / "s.jsonl").exists()
