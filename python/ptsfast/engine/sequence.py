"""The engine's public request/result types and its per-rollout state. No torch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class SamplingParams:
    """How rollouts sample. ``temperature=0`` is greedy; ``top_k<=0`` and ``top_p=1`` disable filters.

    Noise depends only on ``seed``, the child's index in its request and the step, so results are
    reproducible however requests are batched.
    """

    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int = 0

    def __post_init__(self):
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must lie in (0, 1], got {self.top_p}")


@dataclass(frozen=True)
class RolloutRequest:
    """Sample ``n`` continuations of registered sequence ``seq_id`` after its first ``position`` tokens.

    ``forced`` tokens are appended to the prefix before sampling starts (e.g. an alternative next
    token); they are not part of the result's ``tokens`` and do not count towards
    ``max_new_tokens``. ``stop_token_ids=None`` means the model's EOS tokens; ``ignore_eos`` disables
    them. ``stop_strings`` need an engine built with a tokenizer. ``stop_fn(tokens)`` is called with the
    tokens generated so far after each step and ends the rollout (reason ``stop``) when it returns True,
    e.g. once an oracle can already decide.
    """

    seq_id: int
    position: int
    n: int
    max_new_tokens: int
    sampling: SamplingParams = SamplingParams()
    stop_token_ids: tuple[int, ...] | None = None
    stop_strings: tuple[str, ...] = ()
    forced: tuple[int, ...] = ()
    ignore_eos: bool = False
    stop_fn: Callable[[list[int]], bool] | None = None


class FinishReason(str, Enum):
    EOS = "eos"  # a stop token (EOS or one of stop_token_ids) was sampled; it is included in tokens
    STOP = "stop"  # a stop string appeared in the decoded text
    LENGTH = "length"  # max_new_tokens reached


@dataclass(frozen=True)
class Rollout:
    """One sampled continuation: its tokens, the model log-prob of each, and why it ended."""

    tokens: tuple[int, ...]
    logprobs: tuple[float, ...]
    finish_reason: FinishReason


@dataclass(frozen=True)
class PrefilledSequence:
    """A registered sequence: ``logprobs[k] = log p(tokens[k + 1] | tokens[: k + 1])``."""

    seq_id: int
    num_tokens: int
    logprobs: tuple[float, ...]


@dataclass(eq=False)
class RolloutState:
    """Mutable state of one running rollout (internal)."""

    request_index: int
    child_index: int
    seq_id: int
    position: int  # prefix length kept from the parent
    max_new_tokens: int
    stop_ids: frozenset[int]
    seed: int
    forced: tuple[int, ...]
    reserved_blocks: int = 0
    block_table: list[int] = field(default_factory=list)
    num_cached: int = 0  # tokens whose K/V are in the cache (prefix + fed tokens)
    pending: int | None = None  # last chosen token, not yet fed to the model
    step: int = 0  # tokens chosen so far (forced + sampled)
    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    finish_reason: FinishReason | None = None

    def result(self) -> Rollout:
        assert self.finish_reason is not None
        return Rollout(tuple(self.tokens), tuple(self.logprobs), self.finish_reason)
