"""ptsfast: fast, statistically sound Pivotal Token Search for Hugging Face causal LMs.

Top-level names (imported lazily, so ``ptsfast.mining`` stays torch-free):

* ``ptsfast.mine(model, tokenizer, problems, out_dir, options)``: problems in, pivots and DPO pairs out.
* ``ptsfast.mine_ray(model_path, problems, out_dir, options, RayOptions(workers=N))``: the same on Ray workers.
* ``ptsfast.find_anchors(model, tokenizer, problems, out_dir, AnchorOptions(...))``: thought anchors, the importance
  of each sentence of a solution (counterfactual and resampling, with intervals).
* ``ptsfast.search(solution_ids, p, gap=0.2)``: the bisection with any p(prefix) function.
* ``ptsfast.find_pivots(trajectories, sampler, config)``: the search driven by your own rollout sampler.
* ``ptsfast.RolloutEngine`` / ``RolloutRequest`` / ``SamplingParams``: prefill once, fork rollouts anywhere.
* ``ptsfast.problems.oracles``: answer checkers (GSM8K, boxed, numbers, multiple choice, sandboxed code).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "mine": ("ptsfast.pipeline.run", "mine"),
    "MineOptions": ("ptsfast.pipeline.options", "MineOptions"),
    "mine_ray": ("ptsfast.pipeline.ray", "mine_ray"),
    "RayOptions": ("ptsfast.pipeline.ray", "RayOptions"),
    "find_anchors": ("ptsfast.pipeline.anchors", "find_anchors"),
    "AnchorOptions": ("ptsfast.pipeline.anchors", "AnchorOptions"),
    "AnchorConfig": ("ptsfast.mining.anchors", "AnchorConfig"),
    "search": ("ptsfast.mining", "search"),
    "find_pivots": ("ptsfast.mining", "find_pivots"),
    "MiningConfig": ("ptsfast.mining", "MiningConfig"),
    "RolloutEngine": ("ptsfast.engine", "RolloutEngine"),
    "EngineConfig": ("ptsfast.engine", "EngineConfig"),
    "RolloutRequest": ("ptsfast.engine", "RolloutRequest"),
    "SamplingParams": ("ptsfast.engine", "SamplingParams"),
    "Problem": ("ptsfast.problems.loading", "Problem"),
    "load_problems": ("ptsfast.problems.loading", "load_problems"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'ptsfast' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The lazy names too, so completion and ``dir(ptsfast)`` show the public API before it is imported."""
    return sorted(set(globals()) | set(_LAZY))
