"""The engine's limits (no torch: the CLI lists these fields without loading the engine)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """KV pool and batching limits. ``kv_cache_gb=None``: 2 GB on CPU (at most half the memory available), 60% of
    free memory on CUDA; a pool larger than the device has available is refused when the engine is made."""

    block_size: int = 16
    """Tokens per KV block (the unit of copy-on-write when a rollout forks mid-block)."""
    kv_cache_gb: float | None = None
    num_blocks: int | None = None
    """KV blocks in the pool (overrides kv_cache_gb)."""
    max_running: int = 256
    """Most rollouts decoded together in one step."""
    max_prefill_tokens: int = 8192
    """Most tokens in one prefill forward: sequences are packed up to it, a longer one runs in chunks of it."""
    stop_string_window: int = 16
    """Tokens decoded from a rollout's tail to look for stop strings."""
    cascade: str = "auto"
    """Shared-prefix attention: auto (when it pays off), always or never."""
    cuda_graphs: bool = False
    """Replay decode steps from CUDA graphs (a CUDA device, a dense model without sliding windows): a step then costs
    the host one launch instead of every layer's; such steps attend without the cascade."""

    def __post_init__(self) -> None:
        for name in ("block_size", "max_running", "max_prefill_tokens", "stop_string_window", "num_blocks",
                     "kv_cache_gb"):  # a numpy scalar or 0-d tensor as its Python value, as MineOptions takes them
            v = getattr(self, name)
            if not isinstance(v, (int, float, str)) and getattr(v, "ndim", None) == 0 and hasattr(v, "item"):
                object.__setattr__(self, name, v.item())
        for name in ("block_size", "max_running", "max_prefill_tokens", "stop_string_window", "num_blocks"):
            v = getattr(self, name)
            if name == "num_blocks" and v is None:
                continue
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"EngineConfig.{name} must be an int >= 1, got {v!r}")
        if self.cascade not in ("auto", "always", "never"):  # the runner would refuse it once the run has begun
            raise ValueError(f"EngineConfig.cascade must be 'auto', 'always' or 'never', got {self.cascade!r}")
        if not isinstance(self.cuda_graphs, bool):
            raise ValueError(f"EngineConfig.cuda_graphs must be True or False, got {self.cuda_graphs!r}")
        kv = self.kv_cache_gb
        if kv is not None and (isinstance(kv, bool) or not isinstance(kv, (int, float)) or not 0 < kv < float("inf")):
            raise ValueError(f"EngineConfig.kv_cache_gb must be a number of GB > 0 (or None for the "
                             f"default), got {kv!r}")
