"""The rollout engine: block manager -> scheduler -> model runner, imported in that direction.

Names are imported lazily, so the torch-free parts (``config``, ``sequence``, ``block_manager``,
``scheduler``) load without torch.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "EngineConfig": "ptsfast.engine.config",
    "KVPoolFull": "ptsfast.engine.engine",
    "OnDone": "ptsfast.engine.engine",
    "Poll": "ptsfast.engine.engine",
    "RolloutEngine": "ptsfast.engine.engine",
    "FinishReason": "ptsfast.engine.sequence",
    "PrefilledSequence": "ptsfast.engine.sequence",
    "Rollout": "ptsfast.engine.sequence",
    "RolloutRequest": "ptsfast.engine.sequence",
    "SamplingParams": "ptsfast.engine.sequence",
    "TokensView": "ptsfast.engine.sequence",
    "eos_token_ids": "ptsfast.engine.engine",
    "lent": "ptsfast.engine.hf_adapter",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ptsfast.engine' has no attribute {name!r}")
