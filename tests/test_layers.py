"""The package's import graph: no cycles, every import points down the layers of docs/design.md §2, the search
imports nothing outside itself, and every module says on its first line what it is for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ptsfast

PACKAGE = Path(ptsfast.__file__).parent

# Top to bottom. A module may import modules of its own package (acyclically) and of lower layers only.
LAYERS = [
    ("ptsfast.cli", "ptsfast.demo.measure"),  # the commands, and the tool that measured the demo's problems
    ("ptsfast.pipeline",),  # the run: problems in, records out
    ("ptsfast.outputs",),  # run directory, records, exports, report
    ("ptsfast.models",),  # model loading (the demo model included)
    ("ptsfast.demo",),  # what the demo is: its model's names, problems and settings
    ("ptsfast.problems",),  # loading, prompts, oracles, sandbox, content hashes
    ("ptsfast.mining", "ptsfast.engine"),  # the search (no torch) and the rollout engine, side by side
    ("ptsfast.kernels",),  # one dispatcher per op, its backends
    ("ptsfast._C",),  # the compiled extension (csrc/)
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("ptsfast", *path.relative_to(PACKAGE).with_suffix("").parts)
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str:
    """The module an imported name lives in (``ptsfast.kernels.sampling.sample`` -> ``ptsfast.kernels.sampling``)."""
    while name not in MODULES and name != "ptsfast._C" and "." in name:
        name = name.rpartition(".")[0]
    return name


def _imports(path: Path) -> set[str]:
    """ptsfast modules imported by a file, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {_resolve(n) for n in names if n == "ptsfast" or n.startswith("ptsfast.")}
    return found


GRAPH = {module: _imports(path) - {module} for module, path in MODULES.items()}


def _layer(module: str) -> tuple[int, str] | None:
    """(rank, the layer's package) of a module, by its longest matching prefix; the root facade has none."""
    best = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[1])):
                best = (rank, prefix)
    return best


def test_every_module_has_a_layer():
    assert [m for m in MODULES if m != "ptsfast" and _layer(m) is None] == []


def test_imports_point_down_the_layers():
    wrong = []
    for module, deps in GRAPH.items():
        here = _layer(module)
        for dep in deps:
            there = _layer(dep)
            if here is None or there is None or there[1] == here[1]:
                continue  # the lazy root facade, or within one package
            if there[0] <= here[0]:  # a layer above, or a neighbour at the same height
                wrong.append(f"{module} imports {dep}")
    assert wrong == []


def test_the_import_graph_has_no_cycle():
    done, active = set(), []

    def visit(module):
        if module in active:
            pytest.fail("import cycle: " + " -> ".join(active[active.index(module):] + [module]))
        if module in done:
            return
        active.append(module)
        for dep in sorted(GRAPH.get(module, ())):
            visit(dep)
        active.pop()
        done.add(module)

    for module in GRAPH:
        visit(module)


def test_the_search_imports_nothing_outside_itself():
    """Torch-free and engine-free: any estimator (a user's service, a simulation) can drive it."""
    outside = {f"{m} imports {d}" for m, deps in GRAPH.items() if m.startswith("ptsfast.mining")
               for d in deps if not d.startswith("ptsfast.mining")}
    assert outside == set()
    for module, path in MODULES.items():
        if module.startswith("ptsfast.mining"):
            roots = {a.name.split(".")[0] for node in ast.walk(ast.parse(path.read_text()))
                     if isinstance(node, ast.Import) for a in node.names}
            roots |= {node.module.split(".")[0] for node in ast.walk(ast.parse(path.read_text()))
                      if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
            assert not roots & {"torch", "triton", "transformers"}, module


def test_every_module_says_what_it_is_for():
    missing = [m for m, path in MODULES.items() if not (ast.get_docstring(ast.parse(path.read_text())) or "").strip()]
    assert missing == []


def test_the_package_root_lists_its_public_api():
    """Training repos import from the package root: every name in ``__all__`` resolves, and ``dir()`` shows them
    before they are imported (they load lazily)."""
    assert set(ptsfast.__all__) <= set(dir(ptsfast))
    for name in ptsfast.__all__:
        assert getattr(ptsfast, name) is not None


def test_lines_fit_120_columns():
    """The project's one layout rule for code (characters, not bytes: a Δ or a CJK string counts once each)."""
    root = Path(__file__).resolve().parent.parent
    long = [f"{path.relative_to(root)}:{n}" for folder in ("python", "tests", "benchmarks")
            for path in sorted((root / folder).rglob("*.py"))
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if len(line) > 120]
    assert long == []
