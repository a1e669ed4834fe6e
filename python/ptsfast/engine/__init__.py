"""The rollout engine: block manager -> scheduler -> model runner, imported in that direction."""

from ptsfast.engine.engine import EngineConfig, KVPoolFull, OnDone, RolloutEngine
from ptsfast.engine.sequence import FinishReason, PrefilledSequence, Rollout, RolloutRequest, SamplingParams

__all__ = ["EngineConfig", "FinishReason", "KVPoolFull", "OnDone", "PrefilledSequence", "Rollout", "RolloutEngine",
           "RolloutRequest", "SamplingParams"]
