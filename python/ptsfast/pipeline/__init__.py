"""The run layer: problems in, pivots and DPO pairs out (``ptsfast.mine``); see :mod:`ptsfast.pipeline.run`.

Names are imported lazily, so the options (``MineOptions``: what a driver or a config file builds) load without
torch; the run itself (``mine`` and the rest) loads the engine.
"""

from __future__ import annotations

import importlib

_OPTIONS = ("MineOptions", "record_meta", "run_settings", "validate_options")
__all__ = ["MineOptions", "OpenRun", "OracleFailed", "PreparedProblem", "ProblemResult", "RunStats", "mine",
           "mine_prepared", "open_run", "prepare_problems", "problem_hashes", "problem_records", "record_meta",
           "run_problems", "run_settings", "validate_options", "write_summary"]
_RUN = (*(n for n in __all__ if n not in _OPTIONS), "opens_think", "progress_bar")


def __getattr__(name: str):
    if name in _OPTIONS or name in _RUN:
        module = "ptsfast.pipeline.options" if name in _OPTIONS else "ptsfast.pipeline.run"
        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module 'ptsfast.pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_OPTIONS) | set(_RUN))
