"""README and --help stay true: every `ptsfast ...` command line in README parses with the real CLI parser,
every flag README names in backticks exists on some subcommand, and every subcommand's --help runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ptsfast.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _command_lines() -> list[str]:
    """`ptsfast <sub> ...` lines of README's shell blocks, with comments and the install prefix removed."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if "ptsfast " in line:
                lines.append(line[line.index("ptsfast "):])
    return lines


def _subparsers(parser):
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return action.choices


def test_readme_has_command_lines():
    assert len(_command_lines()) >= 5


@pytest.mark.parametrize("line", _command_lines())
def test_readme_command_lines_parse(line):
    argv = shlex.split(line)[1:]
    args = build_parser().parse_args(argv)  # argparse exits (SystemExit) on an unknown flag or command
    assert callable(args.func)


def test_every_flag_named_in_readme_exists():
    flags = set(re.findall(r"`[^`]*?(--[a-z][a-z0-9-]+)", README))
    parser = build_parser()
    known = {opt for sub in [parser, *_subparsers(parser).values()] for a in sub._actions for opt in a.option_strings}
    # flags of other programs that README quotes (pip, pytest, ray)
    foreign = {"--no-build-isolation", "--no-deps", "--benchmark-only", "--head", "--address", "--force-reinstall"}
    assert flags - known - foreign == set(), "README names flags no ptsfast command has"


@pytest.mark.parametrize("sub", sorted(_subparsers(build_parser())))
def test_every_subcommand_help_runs(sub, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([sub, "--help"])
    assert exit_.value.code == 0
    assert "usage: ptsfast " + sub in capsys.readouterr().out
