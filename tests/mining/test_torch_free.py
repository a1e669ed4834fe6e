"""The search layer is pure algorithm: it imports with torch made unimportable, so any estimator (a user's
inference service, a simulation) can drive it without the engine."""

import subprocess
import sys
from pathlib import Path

import ptsfast.mining

# every module of the search package (a new one cannot bring torch in unnoticed), and the seed function
PURE = ["ptsfast.mining", "ptsfast.mining.seeds",
        *sorted(f"ptsfast.mining.{f.stem}" for f in Path(ptsfast.mining.__file__).parent.glob("*.py")
                if f.stem != "__init__")]

SCRIPT = """
import sys
class BlockTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is blocked in this test")
sys.meta_path.insert(0, BlockTorch())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
assert "torch" not in sys.modules
print("ok")
"""


def test_search_layer_imports_without_torch():
    res = subprocess.run([sys.executable, "-c", SCRIPT, *PURE], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]


def test_cli_parser_and_engine_bookkeeping_load_without_torch():
    """`ptsfast <cmd> --help` builds every flag (the generated config flags included) without loading torch, and
    the engine's block manager, scheduler and request types stay torch-free as the design says."""
    script = SCRIPT.replace('print("ok")', 'from ptsfast.cli import build_parser\nbuild_parser()\n'
                            'assert "torch" not in sys.modules\nprint("ok")')
    modules = ["ptsfast.engine", "ptsfast.engine.config", "ptsfast.engine.sequence", "ptsfast.engine.block_manager",
               "ptsfast.engine.scheduler", "ptsfast.cli"]
    res = subprocess.run([sys.executable, "-c", script, *modules], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]
