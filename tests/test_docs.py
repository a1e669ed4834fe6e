"""README and --help stay true: every `ptsfast ...` command line in README parses with the real CLI parser,
every flag README names in backticks exists on some subcommand, and every subcommand's --help runs."""

from __future__ import annotations

import dataclasses
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



def _knobs(obj, prefix=""):
    """Every leaf field of a (nested) config dataclass: ``["mining.estimator.growth", ...]``."""
    out = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        out += _knobs(value, f"{prefix}{f.name}.") if dataclasses.is_dataclass(value) else [f"{prefix}{f.name}"]
    return out


def _get(obj, dotted: str):
    for name in dotted.split("."):
        obj = getattr(obj, name)
    return obj


def _generated_flag(knob: str, default) -> str:
    """``--<section>-<field>`` with a value other than the default."""
    section, name = knob.rsplit(".", 1)
    flag = f"--{section.split('.')[-1]}-{name.replace('_', '-')}"
    if isinstance(default, bool):
        return flag if not default else flag.replace("--", "--no-", 1)
    if isinstance(default, str):
        return f"{flag}={ {'method': 'jeffreys', 'cascade': 'never'}[name] }"
    if isinstance(default, float):
        return f"{flag}={round(default * 0.9, 4) if default else 0.05}"
    return f"{flag}={(default or 1) + 2}"


# the flags with their own names, each with a value other than the default
NAMED = {"oracle": "--oracle=boxed", "oracle_timeout": "--oracle-timeout=7", "trajectories_per_problem":
         "--trajectories=3", "problems_per_batch": "--problems-per-batch=5", "max_new_tokens": "--max-new-tokens=9",
         "temperature": "--temperature=0.5", "top_k": "--top-k=7", "top_p": "--top-p=0.9", "min_p": "--min-p=0.05", "seed": "--seed=11",
         "system_prompt": "--system-prompt=hi", "chat_template": "--chat-template={{ messages }}",
         "use_chat_template": "--no-chat-template", "unsafe_code_oracle": "--unsafe-code-oracle",
         "mining.gap": "--gap=0.3", "mining.split": "--split=tokens",
         "mining.estimator.batch_size": "--batch-rollouts=4",
         "mining.estimator.max_rollouts": "--max-rollouts=24", "mining.estimator.key_max_rollouts":
         "--key-max-rollouts=48", "mining.estimator.accept_confidence": "--accept-confidence=0.9",
         "mining.estimator.confirm_rollouts": "--confirm=5", "mining.filter.enabled": "--no-filter",
         "mining.filter.p_min": "--p-min=0.1", "mining.filter.p_max": "--p-max=0.7",
         "engine.kv_cache_gb": "--kv-cache-gb=1.5"}
# set by the run from another flag: the seed is --seed, the rollouts' token budget --max-new-tokens
DERIVED = {"mining.seed", "mining.estimator.rollout_budget"}


def test_mine_help_lists_every_knob_and_each_flag_reaches_its_field():
    """Each field of MineOptions (the search's and the engine's nested configs included) is set by a flag of
    `ptsfast mine` that its --help lists, and a non-default value given there arrives in that field."""
    from ptsfast.cli import _options
    from ptsfast.pipeline import MineOptions

    defaults = MineOptions()
    help_text = _subparsers(build_parser())["mine"].format_help()
    for knob in _knobs(defaults):
        if knob in DERIVED:
            continue
        flag = NAMED.get(knob) or _generated_flag(knob, _get(defaults, knob))
        assert flag.split("=")[0] in help_text, f"{knob}: `ptsfast mine --help` lists no {flag.split('=')[0]}"
        options = _options(build_parser().parse_args(["mine", "--model", "m", "--problems", "p", "--out", "o", flag]))
        assert _get(options, knob) != _get(defaults, knob), f"{flag} did not reach {knob}"
