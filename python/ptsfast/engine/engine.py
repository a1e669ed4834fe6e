"""RolloutEngine: prefill a sequence once, then fork many sampled rollouts from any of its prefixes.

Usage::

    engine = RolloutEngine(model, tokenizer)
    (seq,) = engine.prefill([prompt_ids + solution_ids])      # one forward; per-token log-probs
    out = engine.rollout([RolloutRequest(seq.seq_id, position=len(prompt_ids) + 5, n=32, max_new_tokens=64)])
    engine.release([seq.seq_id])

Every request of a ``rollout`` call is decoded together with continuous batching under the KV block
budget. The first token of each child is sampled from the hidden state stored at prefill, so forking
costs no forward pass and, at most, one block copy.

Every call is all-or-nothing: all its inputs are checked before anything is queued or allocated,
and if anything fails part-way (a raising ``stop_fn``, Ctrl-C in the progress callback, an error in
the model) the call's rollouts and KV blocks are released before the exception propagates, so the
engine stays usable. Rollouts take KV blocks as they write; when the pool runs dry the newest are
preempted and later write their chosen tokens' K/V again in one prefill (``Scheduler``). A rollout whose
worst case could not fit once the call's other rollouts are done (blocks of registered sequences
excluded) is refused up front, so a call never stalls.

A ``rollout`` call can also be fed while it runs: ``on_done`` hears of each finished request and may
register sequences and return more requests, so a caller whose next requests depend on earlier
results (the search) keeps the decode batch full.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from ptsfast.engine.hf_adapter import HFAdapter, give_back, model_state
from ptsfast.engine.block_manager import BlockManager
from ptsfast.engine.config import EngineConfig
from ptsfast.engine.model_runner import ModelRunner
from ptsfast.engine.scheduler import Scheduler
from ptsfast.engine.sequence import (
    FinishReason,
    PrefilledSequence,
    Rollout,
    RolloutRequest,
    RolloutState,
    SamplingParams,
    TokensView,
    _is_int,
    check_sampling,
)
from ptsfast.kernels import fused_logprobs, sample
from ptsfast.kernels.sampling import candidate_width

log = logging.getLogger(__name__)
_M64 = (1 << 64) - 1
_ON_DONE = "rollout:on_done"  # the engine state while rollout() runs its on_done callback
_GREEDY_BELOW = 1e-30  # a temperature this small samples greedily: logits / T would overflow float32 (NaN rows)


def child_seed(seed: int, child: int) -> int:
    """splitmix64 of (seed, child) folded to a non-negative int64: independent noise per child."""
    z = (seed * 0x9E3779B97F4A7C15 + (child + 1) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return (z ^ (z >> 31)) & ((1 << 63) - 1)


def _as_list(x, what: str) -> list:
    """``x`` as a list (tensors and arrays through ``tolist()``); strings and non-iterables are refused."""
    if hasattr(x, "tolist"):
        x = x.tolist()
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{what}, got a value of type {type(x).__name__}")
    try:
        return list(x)
    except TypeError:
        raise TypeError(f"{what}, got {type(x).__name__}") from None


def _stop_verdict(r, request_index: int) -> bool:
    """A ``stop_fn``'s answer: a bool (numpy's too); another value is refused, not read by truthiness ("no" would
    end the rollout)."""
    if type(r) is bool:
        return r
    if type(r).__module__ == "numpy" and type(r).__name__ in ("bool_", "bool"):
        return bool(r)
    shown = repr(r) if len(repr(r)) <= 60 else repr(r)[:57] + "..."
    raise TypeError(f"request {request_index}: stop_fn returned {shown} ({type(r).__name__}), not a bool; return "
                    f"True to end the rollout there, False to go on")


class KVPoolFull(RuntimeError):
    """The KV pool cannot take these sequences now: retry once rollouts or sequences have returned blocks."""


OnDone = Callable[[int, list[Rollout]], "Sequence[RolloutRequest] | None"]
"""``on_done(index, rollouts)`` of :meth:`RolloutEngine.rollout`: a request finished; more requests to run."""
Poll = Callable[[bool], "Sequence[RolloutRequest] | None"]
"""``poll(wait)`` of :meth:`RolloutEngine.rollout`: requests that became ready elsewhere (``wait``: nothing is left
to decode, so it may block until there are some; none then ends the call)."""


@dataclass(eq=False)
class _Registered:
    tokens: list[int]
    table: list[int]
    hidden: torch.Tensor  # [L, d] final hidden states: row k predicts token k + 1


def available_memory(device: torch.device) -> float | None:
    """Bytes ``device`` can still give: free CUDA memory, or the host's available memory (``MemAvailable``, within
    the memory limit of this process's cgroup, v1 or v2, where one is set); None where unknown."""
    if device.type == "cuda":
        return float(torch.cuda.mem_get_info(device)[0])
    if device.type != "cpu":
        return None
    found = []

    def read(path: str) -> str:
        with open(path) as f:
            return f.read().strip()

    try:
        found += [float(line.split()[1]) * 1024 for line in read("/proc/meminfo").splitlines()
                  if line.startswith("MemAvailable:")]
        groups = read("/proc/self/cgroup").splitlines()
    except (OSError, ValueError, IndexError):
        groups = []
    for line in groups:  # "0::/path" (v2) or "4:memory:/path" (v1)
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        v2 = controllers == ""
        if not v2 and "memory" not in controllers.split(","):
            continue
        root = os.path.join("/sys/fs/cgroup", "" if v2 else "memory", path.lstrip("/"))
        limit_file, used_file = ("memory.max", "memory.current") if v2 else ("memory.limit_in_bytes",
                                                                            "memory.usage_in_bytes")
        try:
            limit, used = read(os.path.join(root, limit_file)), float(read(os.path.join(root, used_file)))
            if limit != "max" and float(limit) < 1 << 60:  # v1 writes "no limit" as a huge number
                found.append(float(limit) - used)
        except (OSError, ValueError):
            continue
    return min(found) if found else None


def eos_token_ids(model) -> frozenset[int]:
    """The token ids that end a rollout unless a request names its own: the model's ``generation_config`` EOS (one id
    or a list, as ``generate`` stops on them), else its config's (a composite image-text config's text part)."""
    gen = getattr(model, "generation_config", None)
    eos = getattr(gen, "eos_token_id", None) if gen is not None else None
    if eos is None:
        config = getattr(model, "config", None)
        text = config.get_text_config() if hasattr(config, "get_text_config") else config
        eos = getattr(text, "eos_token_id", None)
    return frozenset([eos] if isinstance(eos, int) else (eos or []))


def default_kv_bytes(cuda: bool, available: float | None) -> float:
    """The KV pool's size where none is given: 60% of a GPU's free memory; on a CPU 2 GB, at most half of what is
    available (a small machine keeps room for the rest). The engine sizes its pool so, and the CLI's checks before
    the model loads bound it so."""
    if cuda:
        return 0.6 * available
    return 2e9 if available is None else min(2e9, 0.5 * available)


def check_weights_loaded(model) -> None:
    """A model whose weights are on the meta device (built under ``init_empty_weights`` or ``torch.device("meta")``,
    or offloaded by accelerate) failed deep in torch at the first prefill (a run's once its folder was made, an engine's
    once built); refused up front, naming the way to load it."""
    tensors = getattr(model, "parameters", None), getattr(model, "buffers", None)
    if not all(callable(t) for t in tensors):
        return
    meta = [t for get in tensors for t in get() if getattr(t, "is_meta", False)]
    if not meta:
        return
    offloaded = any(hasattr(m, "_hf_hook") for m in model.modules()) if hasattr(model, "modules") else False
    how = ("is offloaded (accelerate's device_map or cpu_offload left them there)" if offloaded else
           "has no weights (made under init_empty_weights or torch.device('meta'))")
    raise ValueError(f"model {how}: {len(meta)} of its tensors are on the meta device; ptsfast needs every weight in "
                     f"memory on one device - load it with ptsfast.models.load_model(path), or with "
                     f"from_pretrained(path) onto one device that holds it all")


class RolloutEngine:
    """Prefills sequences once and forks sampled rollouts from any of their prefixes (see the module docstring).

    ``model``: a loaded Hugging Face causal LM, which the engine keeps in ptsfast attention and eval mode;
    ``tokenizer``: needed only for ``stop_strings``. One thread calls an engine at a time.
    """

    def __init__(self, model, tokenizer=None, config: EngineConfig = EngineConfig()):
        if not isinstance(config, EngineConfig):
            raise TypeError(f"config must be a ptsfast.EngineConfig, got {type(config).__name__}")
        if not isinstance(model, torch.nn.Module) and isinstance(tokenizer, torch.nn.Module):
            raise TypeError(f"model and tokenizer are given the other way round (a {type(model).__name__} as the "
                            f"model, a {type(tokenizer).__name__} as its tokenizer): the model comes first, then its "
                            f"tokenizer")
        if not isinstance(model, torch.nn.Module) or not hasattr(model, "config"):  # a path would fail in the adapter
            raise TypeError(f"model must be a loaded Hugging Face causal LM (ptsfast.models.load_model(path) loads "
                            f"one), got {type(model).__name__}")
        if tokenizer is not None and not callable(getattr(tokenizer, "decode", None)):  # stop strings decode
            raise TypeError(f"tokenizer must be a Hugging Face tokenizer (with decode) or None, "
                            f"got {type(tokenizer).__name__}")
        check_weights_loaded(model)
        state = model_state(model)
        try:  # a model the engine refuses (its KV pool too large for the device, ...) is given back as it was
            self._setup(model, tokenizer, config)
        except BaseException:
            give_back(model, state)
            raise

    def _setup(self, model, tokenizer, config: EngineConfig) -> None:
        self.adapter = HFAdapter(model)
        self.tokenizer = tokenizer
        self.config = config
        g = self.adapter.geometry
        block_bytes = g.token_bytes(self.adapter.dtype.itemsize) * config.block_size
        available = available_memory(self.adapter.device)
        num_blocks = config.num_blocks or max(1, int(self._kv_budget_bytes(available) // block_bytes))
        self._check_pool_fits(num_blocks * block_bytes, available)
        self.blocks = BlockManager(num_blocks, config.block_size)
        self.runner = ModelRunner(self.adapter, num_blocks, config.block_size, cascade=config.cascade,
                                  cuda_graphs=config.cuda_graphs, max_rows=config.max_running)
        self.scheduler = Scheduler(self.blocks, config.max_running)
        self._seqs: dict[int, _Registered] = {}
        self._next_id = 0
        self._busy: str | None = None  # the call in progress (see _call)
        self._lock = threading.Lock()  # held by the thread whose call is in progress
        self._owner: int | None = None
        self.eos_ids: frozenset[int] = eos_token_ids(model)
        log.info("ptsfast engine: %d KV blocks of %d tokens (%.2f GB)", num_blocks, config.block_size,
                 num_blocks * block_bytes / 1e9)

    def _kv_budget_bytes(self, available: float | None) -> float:
        """``available``: :func:`available_memory` of the engine's device (free memory, on CUDA)."""
        if self.config.kv_cache_gb is not None:
            return self.config.kv_cache_gb * 1e9
        return default_kv_bytes(self.adapter.device.type == "cuda", available)

    def _check_pool_fits(self, pool_bytes: int, available: float | None) -> None:
        """Refuses a KV pool larger than the device's available memory before allocating it: zero-filling it would
        fail deep in torch, or on a host that overcommits get the process killed."""
        if available is None or pool_bytes <= available:
            return
        c = self.config
        if c.num_blocks:
            given = f"--engine-num-blocks / EngineConfig.num_blocks={c.num_blocks}"
        elif c.kv_cache_gb is not None:
            given = f"--kv-cache-gb {c.kv_cache_gb:g} (EngineConfig.kv_cache_gb)"
        else:  # the budget holds no block: the one block the pool keeps is past the memory
            given = f"--engine-block-size / EngineConfig.block_size={c.block_size}"
        raise ValueError(f"{given} asks for a KV cache of {pool_bytes / 1e9:.3g} GB, more than the "
                         f"{available / 1e9:.3g} GB of memory available on {self.adapter.device}; lower it, or leave "
                         f"it unset for the default (2 GB on a CPU, at most half the memory left; 60% of free GPU "
                         f"memory)")

    @property
    def max_positions(self) -> int | None:
        """Longest sequence (prompt + solution + rollout) the engine runs for this model, if bounded."""
        return self.adapter.max_positions

    @property
    def vocab_size(self) -> int:
        """Number of token ids the model embeds (valid ids are ``[0, vocab_size)``)."""
        return self.adapter.vocab_size

    @contextmanager
    def _call(self, what: str) -> Iterator[None]:
        """One public call at a time; only ``rollout``'s ``on_done`` may ``prefill`` and ``release`` inside it."""
        me = threading.get_ident()
        if self._owner != me and not self._lock.acquire(blocking=False):  # a call of another thread runs
            raise RuntimeError(f"engine.{what}() called while another thread's engine call runs; an engine serves one "
                               "thread at a time: serialise the calls (a lock) or make one engine per thread")
        outer = self._busy
        if outer is None:
            self._owner = me
        elif not (outer == _ON_DONE and what in ("prefill", "release")):
            shown = "rollout" if outer == _ON_DONE else outer
            raise RuntimeError(f"engine.{what}() called while engine.{shown}() is running (e.g. from a stop_fn "
                               "or progress callback); the engine is not re-entrant (on_done may prefill and release)")
        self._busy = what
        try:
            yield
        finally:
            self._busy = outer
            if outer is None:
                self._owner = None
                self._lock.release()

    # ----------------------------------------------------------------------------------- sequences
    @torch.inference_mode()
    def prefill(self, sequences: Sequence[Sequence[int]], reserve_tokens: int = 0) -> list[PrefilledSequence]:
        """Registers token sequences: one packed forward writes their K/V, returns per-token log-probs.

        ``reserve_tokens``: room a rollout of that many tokens must still find afterwards (the caller's next
        requests); :class:`KVPoolFull` otherwise, as when the pool cannot take the sequences now.
        All or nothing: on any error no sequence of this call stays registered and no block is held.
        """
        with self._call("prefill"):
            seqs = self._check_sequences(sequences)
            if not _is_int(reserve_tokens) or reserve_tokens < 0:
                raise ValueError(f"reserve_tokens must be an int >= 0 (tokens a rollout must still find room for), "
                                 f"got {reserve_tokens!r}")
            need = sum(self.blocks.blocks_for(len(s)) for s in seqs)
            self._check_room(len(seqs), need, reserve_tokens)
            results: list[PrefilledSequence] = []
            pending: list[list[int]] = []  # tables allocated but not registered yet
            try:
                for batch in self._prefill_batches(seqs):
                    for s in batch:
                        pending.append(self.blocks.allocate(self.blocks.blocks_for(len(s))))
                    hidden = self.runner.prefill(batch, pending, max_tokens=self.config.max_prefill_tokens)
                    lm = self.adapter.lm_head
                    start = 0
                    for tokens, table in zip(batch, list(pending)):
                        h = hidden[start:start + len(tokens)]
                        start += len(tokens)
                        targets = torch.tensor(tokens[1:], device=h.device)
                        lp = fused_logprobs(h[:-1], lm.weight, targets, bias=lm.bias).logprobs
                        seq_id = self._next_id
                        self._next_id += 1
                        self._seqs[seq_id] = _Registered(tokens, table, h.clone())
                        pending.remove(table)
                        results.append(PrefilledSequence(seq_id, len(tokens), tuple(lp.tolist())))
                    pending = []
            except BaseException:
                for table in pending:
                    self.blocks.free(table)
                for r in results:
                    self.blocks.free(self._seqs.pop(r.seq_id).table)
                raise
            return results

    def _check_room(self, count: int, need: int, reserve_tokens: int) -> None:
        """Raises :class:`KVPoolFull` unless ``need`` blocks can be registered now and still leave room for
        every queued rollout and for one more rollout of ``reserve_tokens`` tokens."""
        sched, bs = self.scheduler, self.blocks.block_size
        reserve = self.blocks.blocks_for(reserve_tokens) + 1 if reserve_tokens else 0  # + a boundary copy
        # every queued or running rollout must still fit once it is the oldest (the newer ones preempted)
        live = max((sched.worst_case_blocks(w) for w in (*sched.waiting, *sched.running)), default=0)
        if need + reserve > sched.available or need + max(live, reserve) > sched.capacity():
            raise KVPoolFull(f"KV pool too small to register {count} sequences now ({need} blocks of {bs} tokens "
                             f"needed{f' + {reserve} kept for rollouts' if reserve else ''}, {sched.available} free); "
                             "release sequences, wait for running rollouts, or raise kv_cache_gb")

    def _check_sequences(self, sequences) -> list[list[int]]:
        items = _as_list(sequences, "sequences must be a list of token-id lists")
        vocab, limit = self.vocab_size, self.max_positions
        seqs = []
        for i, s in enumerate(items):
            s = _as_list(s, f"sequence {i} must be a list of token ids")
            bad = next((k for k, t in enumerate(s) if not _is_int(t) or not 0 <= t < vocab), None)
            if bad is not None:
                raise ValueError(f"sequence {i}, token {bad}: {s[bad]!r} is not a token id in [0, {vocab}) "
                                 f"(the model's vocabulary)")
            if len(s) < 2:
                raise ValueError(f"sequence {i} has {len(s)} tokens; need at least 2 (a prompt and one more token)")
            if limit and len(s) > limit:
                raise ValueError(f"sequence {i} has {len(s)} tokens, more than the model's context ({limit}"
                                 f"{self.adapter.context_note}); shorten the prompt or solution")
            seqs.append([int(t) for t in s])
        return seqs

    def _prefill_batches(self, seqs: list[list[int]]):
        batch, total = [], 0
        for s in seqs:
            if batch and total + len(s) > self.config.max_prefill_tokens:
                yield batch
                batch, total = [], 0
            batch.append(s)
            total += len(s)
        if batch:
            yield batch

    def release(self, seq_ids: Sequence[int]) -> None:
        """Frees registered sequences (blocks still shared by running rollouts stay until those finish).

        All or nothing: an unknown or repeated id raises before anything is freed.
        """
        with self._call("release"):
            ids = _as_list(seq_ids, "seq_ids must be a list of sequence ids (release([seq.seq_id]) for one)")
            for i in ids:
                if not _is_int(i) or i not in self._seqs:
                    raise KeyError(f"sequence {i!r} is not registered (already released?)")
            if len(set(ids)) != len(ids):
                raise KeyError(f"sequence ids repeated in release(): {sorted(i for i in set(ids) if ids.count(i) > 1)}")
            for i in ids:
                self.blocks.free(self._seqs.pop(i).table)

    # ------------------------------------------------------------------------------------ rollouts
    @torch.inference_mode()
    def rollout(self, requests: Sequence[RolloutRequest], progress: Callable[[int], None] | None = None,
                on_done: OnDone | None = None, poll: Poll | None = None) -> list[list[Rollout]]:
        """Runs every request's ``n`` rollouts; returns, per request, its rollouts in child order.

        ``progress(k)`` is called after each decode step with the number of tokens it produced.
        ``on_done(index, rollouts)`` is called as soon as request ``index``'s rollouts have all finished; the
        requests it returns join this call with the next indices, in order (it may ``prefill`` the sequences
        they fork from, and ``release`` sequences, first; a :class:`KVPoolFull` there means: try later).
        ``poll(wait)`` feeds requests that become ready outside ``on_done`` (work finished in the background, such
        as slow verdicts): it is called after each step with ``wait=False`` and, when nothing is left to decode,
        with ``wait=True``, where it may block until it has requests; what it returns joins the call like
        ``on_done``'s requests, and nothing returned to ``wait=True`` ends the call.
        All or nothing: invalid requests raise before anything runs; if the call fails part-way (an invalid
        request from ``on_done`` or ``poll`` included) its rollouts and their KV blocks are released and the
        exception propagates.
        """
        with self._call("rollout"):
            requests = _as_list(requests, "requests must be a list of RolloutRequest (rollout([request]) for one)")
            for name, fn in (("progress", progress), ("on_done", on_done), ("poll", poll)):
                if fn is not None and not callable(fn):  # else found only once the decoding has begun
                    raise TypeError(f"{name} must be a callable or None, got {type(fn).__name__}")
            states = self._states(requests)
            results: list[list[Rollout | None]] = [[None] * r.n for r in requests]
            left = [r.n for r in requests]  # unfinished rollouts per request
            self.scheduler.add(states)  # raises before queueing anything when a rollout can never fit

            def join(more, source: str) -> bool:
                """Queues the requests a callback returned; whether there were any."""
                if not more:  # None, or an empty list
                    return False
                if isinstance(more, (RolloutRequest, str, bytes, dict)) or not hasattr(more, "__iter__"):
                    one = " (return [request] for one)" if isinstance(more, RolloutRequest) else ""
                    raise TypeError(f"{source} must return a list of RolloutRequest (or None for none), got "
                                    f"{type(more).__name__}{one}")
                more = list(more)
                if more:
                    self.scheduler.add(self._states(more, first_index=len(requests)))
                    requests.extend(more)
                    results.extend([None] * r.n for r in more)
                    left.extend(r.n for r in more)
                return bool(more)

            def callback(fn, *args):
                self._busy = _ON_DONE
                try:
                    return fn(*args)
                finally:
                    self._busy = "rollout"

            try:
                while True:
                    if self.scheduler.idle():
                        if poll is None or not join(callback(poll, True), "poll"):
                            break
                        continue
                    finished = self._step(requests, results, left, progress)
                    for ri in finished if on_done is not None else ():
                        # a copy: an on_done that sorts or clears its list must not change what the call returns
                        join(callback(on_done, ri, list(results[ri])), "on_done")
                    if poll is not None:
                        join(callback(poll, False), "poll")
            except BaseException:
                self.scheduler.abort()
                raise
            return results  # type: ignore[return-value]

    def _check_request(self, ri: int, r) -> _Registered:
        if not isinstance(r, RolloutRequest):
            raise TypeError(f"request {ri} must be a RolloutRequest, got {type(r).__name__}")
        if not _is_int(r.seq_id):  # a float 0.0 beside a registered sequence 0 is a type error, not an unknown id
            raise TypeError(f"request {ri}: seq_id must be an int (a PrefilledSequence's seq_id), got "
                            f"{type(r.seq_id).__name__} {r.seq_id!r}")
        reg = self._seqs.get(r.seq_id)
        if reg is None:
            raise KeyError(f"request {ri}: sequence {r.seq_id!r} is not registered; call prefill() first")
        if not _is_int(r.position) or not 1 <= r.position <= len(reg.tokens):
            raise ValueError(f"request {ri}: position {r.position!r} outside [1, {len(reg.tokens)}] "
                             f"(sequence {r.seq_id} has {len(reg.tokens)} tokens)")
        if not _is_int(r.n) or r.n < 1:
            raise ValueError(f"request {ri}: n must be an int >= 1, got {r.n!r}")
        if not _is_int(r.max_new_tokens) or r.max_new_tokens < 1:
            raise ValueError(f"request {ri}: max_new_tokens must be an int >= 1, got {r.max_new_tokens!r}")
        if not isinstance(r.sampling, SamplingParams):
            raise TypeError(f"request {ri}: sampling must be a SamplingParams, got {type(r.sampling).__name__}")
        check_sampling(r.sampling, f"request {ri}: sampling")
        vocab = self.vocab_size
        if isinstance(r.forced, (str, bytes)) or not all(_is_int(t) and 0 <= t < vocab for t in r.forced):
            raise ValueError(f"request {ri}: forced must be token ids in [0, {vocab}), got {r.forced!r}")
        if r.stop_token_ids is not None and (isinstance(r.stop_token_ids, (str, bytes))
                                             or not all(_is_int(t) and t >= 0 for t in r.stop_token_ids)):
            raise ValueError(f"request {ri}: stop_token_ids must be token ids, got {r.stop_token_ids!r}")
        if isinstance(r.stop_strings, (str, bytes)) or not all(isinstance(x, str) and x for x in r.stop_strings):
            raise ValueError(f"request {ri}: stop_strings must be a tuple of non-empty strings, got "
                             f"{r.stop_strings!r}")
        if r.stop_strings and self.tokenizer is None:
            raise ValueError(f"request {ri}: stop_strings need an engine built with a tokenizer")
        if r.ignore_eos not in (True, False):  # "no" would read as True
            raise TypeError(f"request {ri}: ignore_eos must be True or False, got {r.ignore_eos!r}")
        if r.stop_fn is not None and not callable(r.stop_fn):
            raise TypeError(f"request {ri}: stop_fn must be callable, got {type(r.stop_fn).__name__}")
        limit = self.max_positions
        if limit and r.position + len(r.forced) >= limit:
            raise ValueError(f"request {ri}: position {r.position} + {len(r.forced)} forced tokens leave no room in "
                             f"the model's context ({limit}{self.adapter.context_note})")
        return reg

    def _states(self, requests: Sequence[RolloutRequest], first_index: int = 0) -> list[RolloutState]:
        """Checks every request, then builds the rollout states (nothing is queued here)."""
        regs = [self._check_request(ri, r) for ri, r in enumerate(requests, first_index)]
        states = []
        window = self.config.stop_string_window
        for ri, (r, reg) in enumerate(zip(requests, regs), first_index):
            stop = set(r.stop_token_ids) if r.stop_token_ids is not None else set(self.eos_ids)
            if r.ignore_eos:
                stop -= self.eos_ids
            max_new = r.max_new_tokens
            if self.max_positions:  # the sequence ends at the model's context
                max_new = min(max_new, self.max_positions - r.position - len(r.forced))
            context, context_text = (), ""
            if r.stop_strings:  # a stop string may start in the prefix and end in the forced or sampled tokens
                context = tuple(reg.tokens[:r.position][-window:])
                context_text = self.tokenizer.decode(list(context), skip_special_tokens=False)
            for c in range(r.n):
                states.append(RolloutState(ri, c, r.seq_id, r.position, max_new, frozenset(stop),
                                           child_seed(r.sampling.seed, c), tuple(r.forced), context, context_text))
        return states

    def _step(self, requests, results, left, progress) -> list[int]:
        """One decode step of every running rollout; returns the requests it finished."""
        sched = self.scheduler
        preempted = sched.preemptions
        new = sched.admit()
        if not new and not sched.running:  # admission checks make this a bug, not a user error
            raise RuntimeError("scheduler stalled: nothing running and nothing admissible (a ptsfast bug)")
        copies = [pair for s in new for pair in sched.fork(s, self._seqs[s.seq_id].table)]
        self.runner.copy_blocks(copies)
        resumed = [s for s in new if s.step]  # preempted earlier: their chosen tokens' K/V are written again
        for s in resumed:
            chosen = s.chosen
            if len(chosen) > 1:
                self.runner.extend(chosen[:-1], s.block_table, s.position, self.config.max_prefill_tokens)
            s.num_cached, s.pending = s.position + len(chosen) - 1, chosen[-1]
        if resumed:  # they decode their pending token with the running rows; the rest start from the parent
            new = [s for s in new if not s.step]

        # oldest first: a rollout that finds the pool dry preempts the newest (rows not visited yet, or rows admitted
        # above), never an older one, so the rows left to visit are those still in the list
        decoding, i = [], 0
        while i < len(sched.running):
            s = sched.running[i]
            if s.pending is not None and sched.grow(s, s.num_cached + 1):
                decoding.append(s)
            i += 1
        if sched.preemptions != preempted:
            live = set(sched.running)
            new = [s for s in new if s in live]
        hidden_parts = []
        if decoding:
            hidden_parts.append(self.runner.decode([s.pending for s in decoding], [s.num_cached for s in decoding],
                                                   [s.block_table for s in decoding],
                                                   [(s.seq_id, s.position // self.blocks.block_size)
                                                    for s in decoding]))
            for s in decoding:
                s.num_cached += 1
                s.pending = None
        if new:
            hidden_parts.append(torch.stack([self._seqs[s.seq_id].hidden[s.position - 1] for s in new]))
        rows = decoding + new
        finished: list[int] = []
        tokens, logprobs = self._choose(rows, requests, torch.cat(hidden_parts))
        for s, tok, lp in zip(rows, tokens, logprobs):
            self._advance(s, tok, lp, requests[s.request_index])
            if s.finish_reason is not None:
                sched.finish(s)
                results[s.request_index][s.child_index] = s.result()
                left[s.request_index] -= 1
                if not left[s.request_index]:
                    finished.append(s.request_index)
        if progress is not None:
            progress(len(rows))
        return finished

    def _choose(self, rows: list[RolloutState], requests, hidden: torch.Tensor) -> tuple[list[int], list[float]]:
        """Samples one token per row (or takes its forced token) with the model's log-prob of it.

        One device->host copy per step (the tokens and log-probs together): the sampling parameters were
        checked per request on the host, so the sampler skips its value checks and gets its candidate
        width from host values, and forced tokens are written into the result on the device.
        """
        logits = self.adapter.logits(hidden)
        dev = logits.device
        params = [requests[s.request_index].sampling for s in rows]
        top_k, top_p = [p.top_k for p in params], [p.top_p for p in params]
        min_p = [p.min_p for p in params] if any(p.min_p > 0 for p in params) else None
        tokens, logprobs = sample(
            logits,
            torch.tensor([p.temperature if p.temperature >= _GREEDY_BELOW else 0.0 for p in params],
                         dtype=torch.float32, device=dev),
            torch.tensor(top_k, dtype=torch.int64, device=dev),
            torch.tensor(top_p, dtype=torch.float32, device=dev),
            torch.tensor([s.seed for s in rows], dtype=torch.int64, device=dev),
            torch.tensor([s.step for s in rows], dtype=torch.int64, device=dev),
            validate=False, width=candidate_width(top_k, top_p, logits.shape[1]),
            min_p=None if min_p is None else torch.tensor(min_p, dtype=torch.float32, device=dev),
        )
        logprobs = logprobs.double()  # float32 and the logits' dtype both convert exactly
        forced = [(i, s.forced[s.step]) for i, s in enumerate(rows) if s.step < len(s.forced)]
        if forced:
            idx = torch.tensor([i for i, _ in forced], device=dev)
            tok = torch.tensor([t for _, t in forced], device=dev)
            lp = logits[idx, tok] - torch.logsumexp(logits[idx], dim=-1)
            tokens = tokens.index_put((idx,), tok)
            logprobs = logprobs.index_put((idx,), lp.double())
        # token ids < 2**53 are exact in float64: one transfer for both
        chosen, logprobs = torch.stack([tokens.double(), logprobs]).tolist()
        return [int(t) for t in chosen], logprobs

    def _advance(self, s: RolloutState, token: int, logprob: float, request: RolloutRequest) -> None:
        """Takes the chosen token and decides whether the rollout ends. A forced token runs the same stop checks
        as a sampled one (a forced EOS, or a forced token that completes a stop string or the answer, ends the
        rollout at once, as it would have had the model sampled it), but it is not part of ``tokens``."""
        s.step += 1
        s.pending = token
        forced = s.step <= len(s.forced)
        if not forced:
            s.tokens.append(token)
            s.logprobs.append(logprob)
        if token in s.stop_ids:
            s.finish_reason = FinishReason.EOS
        elif request.stop_strings and self._hit_stop_string(s, request.stop_strings):
            s.finish_reason = FinishReason.STOP
        elif request.stop_fn is not None and (not forced or s.step == len(s.forced)) and \
                _stop_verdict(request.stop_fn(TokensView(s.tokens)), s.request_index):
            s.finish_reason = FinishReason.STOP
        elif not forced and len(s.tokens) >= s.max_new_tokens:
            s.finish_reason = FinishReason.LENGTH

    def _hit_stop_string(self, s: RolloutState, stops: tuple[str, ...]) -> bool:
        """Whether a stop string ends in the generated text; it may start in the prefix tail (the text
        before the fork point), but one lying wholly in the prefix does not count."""
        window = self.config.stop_string_window
        written = list(s.forced[:s.step]) + s.tokens  # forced tokens are checked like sampled ones
        if s.stop_context and len(written) <= window:
            text = self.tokenizer.decode(list(s.stop_context) + written, skip_special_tokens=False)
            head = s.stop_context_text
            boundary = len(head) if text.startswith(head) else len(os.path.commonprefix([head, text]))
        else:
            text = self.tokenizer.decode(written[-window:], skip_special_tokens=False)
            boundary = 0
        return any(text.find(stop, max(0, boundary - len(stop) + 1)) >= 0 for stop in stops)

    # -------------------------------------------------------------------------------------- checks
    def check_no_leaks(self) -> None:
        """Raises if any block is still held once every sequence is released and no rollout runs."""
        if self._seqs or not self.scheduler.idle() or self._busy is not None:
            raise RuntimeError("release all sequences before checking for leaks")
        self.blocks.check_whole()
