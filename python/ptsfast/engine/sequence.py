"""The engine's public request/result types and its per-rollout state. No torch."""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Sequence
from itertools import islice
from dataclasses import dataclass, field
from enum import Enum


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def check_sampler(p, name: Callable[[str], str]) -> None:
    """Raises ``ValueError``/``TypeError`` when ``p``'s temperature, top_k, top_p or min_p cannot drive the sampler;
    ``name(field)`` is how the message names the field (``MineOptions`` names its CLI flag too)."""
    if not _is_real(p.temperature) or not math.isfinite(p.temperature) or p.temperature < 0:
        raise ValueError(f"{name('temperature')} must be a finite number >= 0 (0 = greedy), got {p.temperature!r}")
    if not _is_int(p.top_k):
        raise TypeError(f"{name('top_k')} must be an int (0 or -1 disables it), got {p.top_k!r}")
    if p.top_k < -1:  # 0 is Hugging Face's "off", -1 vLLM's; anything lower is a typo, not a sampler
        raise ValueError(f"{name('top_k')} must be >= 1, or 0 or -1 to disable it, got {p.top_k!r}")
    if p.top_k >= 1 << 63:  # the sampler holds it in a 64-bit int ("Overflow when unpacking long long" mid-run)
        raise ValueError(f"{name('top_k')} must be below 2**63 (one past the vocabulary keeps every token), "
                         f"got {p.top_k!r}")
    if not _is_real(p.top_p) or not 0 < p.top_p <= 1:
        raise ValueError(f"{name('top_p')} must lie in (0, 1], got {p.top_p!r}")
    if not _is_real(p.min_p) or not 0 <= p.min_p <= 1:
        raise ValueError(f"{name('min_p')} must lie in [0, 1] (0 disables it), got {p.min_p!r}")


def check_sampling(p, where: str = "SamplingParams") -> None:
    """Raises ``ValueError``/``TypeError`` naming the field when ``p`` cannot drive the sampler."""
    check_sampler(p, lambda f: f"{where}.{f}")
    if not _is_int(p.seed):
        raise TypeError(f"{where}.seed must be an int, got {p.seed!r}")
    if not 0 <= p.seed < 1 << 64:  # the noise is a function of the seed mod 2**64: larger seeds would collide
        raise ValueError(f"{where}.seed must be an int in [0, 2**64), got {p.seed!r}")


class TokensView(Sequence):
    """The tokens a rollout has generated, as a ``stop_fn`` sees them: a read-only snapshot made in O(1).

    It reads the engine's own list, which only grows, up to the length it had when made, so a ``stop_fn`` can
    neither change the rollout nor see a kept view grow. It works as a tuple of ints would: ``len``, indexing,
    slicing and ``+`` give lists, ``==`` compares with lists and tuples, and tokenizers' ``decode`` takes it.
    """

    __slots__ = ("_tokens", "_n")
    __hash__ = None  # equal to a list, so unhashable as a list is

    def __init__(self, tokens: list[int]):
        self._tokens, self._n = tokens, len(tokens)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            r = range(self._n)[i]
            return self._tokens[r.start:r.stop] if r.step == 1 else [self._tokens[k] for k in r]
        k = operator.index(i)  # a float or a str is refused as a list refuses it
        if not -self._n <= k < self._n:
            raise IndexError("token index out of range")
        return self._tokens[k % self._n]

    def __iter__(self):
        return islice(self._tokens, self._n)

    def __eq__(self, other) -> bool:
        if not isinstance(other, (list, tuple, TokensView)):
            return NotImplemented
        return len(other) == self._n and self._tokens[:self._n] == list(other)

    def __add__(self, other) -> list[int]:
        return self._tokens[:self._n] + list(other) if isinstance(other, (list, tuple, TokensView)) else NotImplemented

    def __radd__(self, other) -> list[int]:
        return list(other) + self._tokens[:self._n] if isinstance(other, (list, tuple)) else NotImplemented

    def __repr__(self) -> str:
        return f"TokensView({list(self)!r})"


@dataclass(frozen=True)
class SamplingParams:
    """How rollouts sample. ``temperature=0`` is greedy (so is one below 1e-30, its limit); ``top_k`` 0 or -1,
    ``top_p=1`` and ``min_p=0`` disable filters, which apply in Hugging Face's order (temperature, top-k, top-p,
    min-p).

    Noise depends only on ``seed``, the child's index in its request and the step, so results are
    reproducible however requests are batched.
    """

    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int = 0
    min_p: float = 0.0  # last, so SamplingParams(t, k, p, seed) keeps its meaning

    def __post_init__(self):
        for name in ("temperature", "top_k", "top_p", "seed", "min_p"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Number) and getattr(v, "ndim", None) == 0 and hasattr(v, "item"):
                object.__setattr__(self, name, v.item())  # a 0-d tensor or array: its number, as RolloutRequest's
        check_sampling(self)
        if type(self.seed) is not int:  # a numpy int: the engine's seed arithmetic needs Python's own
            object.__setattr__(self, "seed", int(self.seed))


@dataclass(frozen=True)
class RolloutRequest:
    """Sample ``n`` continuations of registered sequence ``seq_id`` after its first ``position`` tokens.

    ``forced`` tokens are appended to the prefix before sampling starts (e.g. an alternative next
    token); they are not part of the result's ``tokens`` and do not count towards
    ``max_new_tokens``. ``stop_token_ids=None`` means the model's EOS tokens; ``ignore_eos`` disables
    them. ``stop_strings`` need an engine built with a tokenizer. ``stop_fn(tokens)`` is called with the
    tokens generated so far after each step and ends the rollout (reason ``stop``) when it returns True (a bool:
    another answer is refused), e.g. once an oracle can already decide. ``tokens`` is a read-only
    :class:`TokensView` made in O(1) (no copy per step): it reads as a tuple of ints (``len``, indexing, slices,
    ``==`` with lists, ``head + tokens``, ``tokenizer.decode(tokens)``), cannot change the rollout, and a kept
    one does not grow; ``list(tokens)`` copies it. A rollout also ends (reason ``length``)
    when the sequence reaches the model's context, so ``max_new_tokens`` is an upper bound.
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
    stop_fn: Callable[[Sequence[int]], bool] | None = None

    def __post_init__(self):
        """Tensors and arrays of ids become what the engine reads (ints, tuples); the engine checks the values."""
        for name in ("seq_id", "position", "n", "max_new_tokens"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) and hasattr(v, "__index__"):  # a numpy int or a 0-d int tensor
                try:
                    object.__setattr__(self, name, v.__index__())
                except TypeError:  # a float tensor, or one of many values: the engine names it
                    pass
        for name in ("forced", "stop_token_ids", "stop_strings"):
            v = getattr(self, name)
            if v is None or isinstance(v, (str, bytes, tuple)):  # a str: refused by the engine, naming the request
                continue
            what = "strings" if name == "stop_strings" else "token ids"
            items = v.tolist() if hasattr(v, "tolist") else v
            if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
                raise TypeError(f"RolloutRequest.{name} must be a tuple of {what}, got {type(v).__name__} {v!r}"
                                f"{' (write (x,) for one)' if name != 'stop_strings' else ''}")
            object.__setattr__(self, name, tuple(items))


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
    stop_context: tuple[int, ...] = ()  # prefix tail that stop strings may start in (forced tokens are checked)
    stop_context_text: str = ""  # its decoded text
    block_table: list[int] = field(default_factory=list)
    num_cached: int = 0  # tokens whose K/V are in the cache (prefix + fed tokens)
    pending: int | None = None  # last chosen token, not yet fed to the model
    step: int = 0  # tokens chosen so far (forced + sampled)
    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    finish_reason: FinishReason | None = None

    @property
    def chosen(self) -> list[int]:
        """Every token chosen so far, forced ones first; all but the last (``pending``) have K/V in the cache."""
        return list(self.forced[:self.step]) + self.tokens

    def evict(self) -> None:
        """Forgets its cache (the scheduler preempted it and took its blocks back) but keeps the tokens it chose:
        re-admitted, it writes their K/V again in one prefill and goes on from where it stopped."""
        self.block_table, self.num_cached = [], 0

    def result(self) -> Rollout:
        assert self.finish_reason is not None
        return Rollout(tuple(self.tokens), tuple(self.logprobs), self.finish_reason)
