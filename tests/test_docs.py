"""README, docs/design.md and --help stay true: every `ptsfast ...` command line in README parses with the real CLI
parser, every flag README names in backticks exists on some subcommand (and on the one it follows), every subcommand's
--help runs, the Python names and repository paths the docs give exist, README's Layout names every module, the
subcommand lists and design §2's layers are the code's, cited design sections exist, and README's knob defaults and
Statistics table are the configs' and benchmarks/results/statistics.md's."""

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
    # flags of other programs that README quotes (pip, pytest, ray, hf, codelion/pts)
    foreign = {"--no-build-isolation", "--no-deps", "--benchmark-only", "--head", "--address", "--force-reinstall",
               "--local-dir", "--find-rejected-tokens"}
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
         "temperature": "--temperature=0.5", "top_k": "--top-k=7", "top_p": "--top-p=0.9", "min_p": "--min-p=0.05",
         "seed": "--seed=11",
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


# --- README and docs/design.md against the code: names, paths, layout, defaults and the numbers they cite ---

ROOT = Path(__file__).resolve().parents[1]
DESIGN = (ROOT / "docs" / "design.md").read_text()
DOCS = {"README.md": README, "docs/design.md": DESIGN}


def _resolve(dotted: str):
    """The object a dotted ``ptsfast...`` name names: its longest importable module, then attributes."""
    import importlib

    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_every_python_name_in_the_docs_exists(doc):
    """`ptsfast.X` names a public name of the package root (ptsfast.__all__); `ptsfast.a.b.X` imports."""
    import ptsfast

    names = set(re.findall(r"\bptsfast(?:\.[A-Za-z_]\w*)+", DOCS[doc]))
    assert names, doc
    missing = []
    for name in sorted(names):
        top = name.split(".")[1]
        if top not in [*ptsfast.__all__, "__all__"] and not (ROOT / "python" / "ptsfast" / top).exists() and \
                not (ROOT / "python" / "ptsfast" / f"{top}.py").exists():
            missing.append(f"{name} (ptsfast.{top} is not exported from the package root)")
            continue
        try:
            _resolve(name)
        except (ImportError, AttributeError) as e:
            missing.append(f"{name} ({e})")
    assert missing == []


_PATH = re.compile(r"(?<![\w/.-])((?:benchmarks|csrc|python/ptsfast|tests|docs|\.ci)/[\w./<>*-]*[\w*>])")


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_every_repository_path_in_the_docs_exists(doc):
    """benchmarks/..., csrc/..., python/ptsfast/..., tests/..., docs/... named in the docs exist (templates such as
    `csrc/cuda/<op>.cu` and globs apart)."""
    paths = {p for p in _PATH.findall(DOCS[doc]) if "<" not in p and "*" not in p}
    assert len(paths) >= 3 or doc != "README.md"
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []


def _layout_block() -> str:
    section = README.split("\n## Layout", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```\n(.*?)```", section, re.S).group(1)


def test_readme_layout_names_every_module():
    """README's Layout lists every module of the package (a module added or renamed shows up there too)."""
    block = _layout_block()
    package = ROOT / "python" / "ptsfast"
    unnamed = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        if not re.search(rf"(?<![\w]){re.escape(path.stem)}(?![\w])", block):
            unnamed.append(str(path.relative_to(package)))
    for path in sorted((ROOT / "csrc").glob("*.*")):
        if path.stem not in block:
            unnamed.append(f"csrc/{path.name}")
    assert unnamed == [], "README's Layout does not name these"


def test_subcommand_lists_match_the_parser():
    """`ptsfast mine | anchors | ...` in README's Layout and design §2's diagram, and design §5's CLI item."""
    subs = set(_subparsers(build_parser()))
    for doc, text in DOCS.items():
        line = re.search(r"ptsfast (\w+(?: \| \w+)+)", text)
        assert line, doc
        assert set(line.group(1).split(" | ")) == subs, doc
    cli_item = DESIGN.split("- CLI `ptsfast`:", 1)[1].split("\n- ", 1)[0]
    assert set(re.findall(r"`(\w+)`", cli_item)) == subs


def test_design_layer_diagram_is_the_checked_layering():
    """design §2's diagram lists, top to bottom, the layers tests/test_layers.py enforces."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_layers", ROOT / "tests" / "test_layers.py")
    layers_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layers_module)
    checked = [p.split(".")[1] for layer in layers_module.LAYERS for p in layer
               if p.count(".") == 1 and not p.endswith("._C")]
    section = DESIGN.split("## 2. Layers", 1)[1].split("## 3.", 1)[0]
    diagram = re.search(r"```\n(.*?)```", section, re.S).group(1)
    drawn = [m.group(1) for m in re.finditer(r"^(\w+)\s", diagram, re.M)]
    assert drawn == checked


def test_design_sections_cited_exist():
    """Every "design §N" / "design.md §N" in the repository's code and docs names a section design.md has."""
    sections = set(re.findall(r"^## (\d+)\. ", DESIGN, re.M))
    cited = {}
    for path in [*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md"), *(ROOT / "python").rglob("*.py"),
                 *(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py"), *(ROOT / "csrc").rglob("*.*")]:
        for n in re.findall(r"design(?:\.md)? §(\d+)", path.read_text(errors="replace")):
            cited.setdefault(n, str(path.relative_to(ROOT)))
    assert cited
    assert {n: where for n, where in cited.items() if n not in sections} == {}


def test_readme_knob_table_defaults_are_the_configs():
    """The `knob` (default) cells of README's table of EstimatorConfig / PairConfig knobs."""
    from ptsfast.mining import EstimatorConfig, PairConfig

    table = README.split("| knob (default) | trade |", 1)[1].split("\n\n", 1)[0]
    checked = 0
    for row in table.splitlines()[2:]:
        first = row.split(" | ")[0]
        config = PairConfig() if "`PairConfig`" in first else EstimatorConfig()
        for name, value in re.findall(r"`(\w+)` \(([^)]*)\)", first):
            if not hasattr(config, name):
                continue
            actual = getattr(config, name)
            if value in ("on", "off"):
                assert actual is (value == "on"), name
            elif re.fullmatch(r"[\d.]+", value):
                assert actual == float(value), f"{name}: README says {value}, the config {actual}"
            else:
                continue
            checked += 1
    assert checked >= 20


def test_readme_anchor_defaults_are_the_config():
    from ptsfast.mining.anchors import AnchorConfig

    c = AnchorConfig()
    for text in (f"`--similarity-threshold` {c.similarity_threshold:g}", f"`--confidence` {c.confidence:g}",
                 f"`--batch-rollouts` ({c.batch_size})", f"`--threshold` ({c.threshold:g}",
                 f"`--max-rollouts` ({c.max_rollouts})"):
        assert text in README


def _table(text: str, header: str) -> dict[tuple[str, str], list[str]]:
    start = text.index(header)
    rows = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip().replace("**", "") for c in line.strip("|").split("|")]
        rows[(cells[0], cells[1])] = cells
    return rows


def test_readme_statistics_table_is_the_results_file():
    """README's Statistics table against benchmarks/results/statistics.md, the run it cites."""
    results = (ROOT / "benchmarks" / "results" / "statistics.md").read_text()
    ours = _table(README, "| population | method | recall ≥0.30 (min seed)")
    theirs = _table(results, "| population | method ")
    first_line = results[results.index("| population | method "):].splitlines()[0]
    header = [c.strip() for c in first_line.strip("|").split("|")]
    col = {name: header.index(name) for name in header}
    assert len(ours) == 10
    for key, cells in ours.items():
        row = theirs[key]
        recall = f"{row[col['recall ≥0.30']]} ({row[col['min/seed']]})"
        assert cells[2] == recall, key
        accept = f"{row[col['accept/seg 0.10–0.15']]} / {row[col['accept/seg 0.15–0.20']]}"
        assert cells[3] == accept, key
        states = row[col["confirmed/refuted/undecided"]].replace("/", " / ").replace(" (none)", " reported")
        assert cells[4] == states, key
        assert cells[5] == row[col["true <0.15"]], key
        assert cells[6] == row[col["holds on 128 fresh: confirmed / undecided"]].removesuffix(" / -"), key
        rollouts = row[col["rollouts/traj"]]
        if row[col["pair rollouts/traj"]] != "0":
            rollouts += f" (+{row[col['pair rollouts/traj']]})"
        assert cells[9] == rollouts, key


def _inline_commands() -> list[tuple[str, str]]:
    """(doc, command) for every `ptsfast <sub> ...` in inline code or a shell block of the docs."""
    out = []
    for doc, text in DOCS.items():
        for span in re.findall(r"`(ptsfast [a-z]+[^`]*)`", text):
            out.append((doc, span))
    return out + [("README.md", line) for line in _command_lines()]


def test_every_flag_given_to_a_subcommand_is_its_own():
    """A flag written after `ptsfast <sub>` (inline or in a shell block) is one of that subcommand's."""
    subs = _subparsers(build_parser())
    wrong = []
    for doc, command in _inline_commands():
        words = command.split()
        if len(words) < 2 or words[1] not in subs:
            continue
        known = {opt for a in subs[words[1]]._actions for opt in a.option_strings}
        wrong += [f"{doc}: `{command}`: {w.split('=')[0]}" for w in words[2:]
                  if w.startswith("--") and w.split("=")[0] not in known]
    assert wrong == []
