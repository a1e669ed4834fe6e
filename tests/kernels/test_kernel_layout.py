"""The kernels package's structure: an acyclic import graph, Triton modules that never import a dispatcher,
and the shared Triton launch-size rules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import ptsfast.kernels
from ptsfast.kernels._launch import dot_precision, dot_rows, split_range

KERNELS = Path(ptsfast.kernels.__file__).parent
# modules every other kernels module may import: they import no dispatcher themselves
LEAVES = {"_dispatch", "_launch", "_ext", "triton._attention", "types"}


def _name(path: Path) -> str:
    """A kernels module's name below ``ptsfast.kernels``: ``sampling``, ``triton.sampling``, ``triton``."""
    parts = path.relative_to(KERNELS).with_suffix("").parts
    return ".".join(parts[:-1]) if parts[-1] == "__init__" and len(parts) > 1 else ".".join(parts)


def _is_triton(module: str) -> bool:
    return module == "triton" or module.startswith("triton.")


def _imports() -> dict[str, set[str]]:
    """kernels module -> the kernels modules it imports, at module level or inside functions."""
    paths = sorted(KERNELS.rglob("*.py"))
    modules = {_name(p) for p in paths}
    graph = {}
    for path in paths:
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            deps |= {n.removeprefix("ptsfast.kernels.") for n in names if n.startswith("ptsfast.kernels.")} & modules
        graph[_name(path)] = deps - {_name(path)}
    return graph


def test_graph_covers_every_module():
    graph = _imports()
    assert {"__init__", "sampling", "triton.sampling", "triton.cascade_attention", "types"} <= set(graph)
    assert all(dep in graph for deps in graph.values() for dep in deps)


def test_kernels_import_graph_is_acyclic():
    graph = _imports()
    done, active = set(), []

    def visit(module):
        if module in active:
            pytest.fail("import cycle: " + " -> ".join(active[active.index(module):] + [module]))
        if module in done:
            return
        active.append(module)
        for dep in sorted(graph[module]):
            visit(dep)
        active.pop()
        done.add(module)

    for module in graph:
        visit(module)


def test_triton_modules_and_leaves_import_no_dispatcher():
    graph = _imports()
    for module, deps in graph.items():
        if module in LEAVES or _is_triton(module):
            allowed = LEAVES | {m for m in graph if _is_triton(m)}
            assert deps <= allowed, f"{module} imports {sorted(deps - allowed)}"
        if module in LEAVES:
            assert not {d for d in deps if _is_triton(d) and d not in LEAVES}, f"leaf {module} imports a Triton module"


def test_every_module_imports_first_in_a_fresh_interpreter():
    """Triton modules before their dispatchers: the order in which a leftover cycle would fail."""
    pytest.importorskip("triton")
    order = sorted(_imports(), key=lambda m: (not _is_triton(m), m))
    code = "import importlib\n" + "".join(f"importlib.import_module('ptsfast.kernels.{m}')\n"
                                          for m in order if m != "__init__")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]


@pytest.mark.parametrize("block", [1, 16, 64])
def test_split_range_covers_the_range_in_whole_tiles_with_no_empty_split(block):
    assert split_range(0, block, 4) == (0, block)
    for length in range(1, 300, 7):
        tiles = -(-length // block)
        for wanted in range(0, 12):
            n, per = split_range(length, block, wanted)
            assert per % block == 0 and 1 <= n <= max(1, min(wanted, tiles))
            assert (n - 1) * per < length <= n * per  # the last split is not empty, none is missing


def test_dot_rows_is_a_power_of_two_between_16_and_64():
    assert [dot_rows(r) for r in (0, 1, 16, 17, 33, 64, 65, 500)] == [16, 16, 16, 32, 64, 64, 64, 64]


def test_fp32_dots_follow_torchs_matmul_precision():
    """IEEE fp32 by default (what HF's fp32 matmuls do: tf32 put fp32 log-probs 0.01 nats off on an H200), tf32 only
    where the user allowed it for torch's own matmuls; half-precision operands use the tensor cores either way."""
    before = torch.get_float32_matmul_precision()
    try:
        torch.set_float32_matmul_precision("highest")
        assert dot_precision(torch.float32) == "ieee"
        assert dot_precision(torch.bfloat16) == dot_precision(torch.float16) == "tf32"
        for allowed in ("high", "medium"):
            torch.set_float32_matmul_precision(allowed)
            assert dot_precision(torch.float32) == "tf32"
    finally:
        torch.set_float32_matmul_precision(before)
