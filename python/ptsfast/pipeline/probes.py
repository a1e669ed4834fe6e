"""The search's probes run on the engine and judged by an oracle.

A :class:`ProbeRunner` turns a :class:`~ptsfast.mining.ProbeRequest` into an engine request and the engine's
rollouts into :class:`~ptsfast.mining.RolloutOutcome` verdicts. The text an oracle judges is the solution
prefix, any forced tokens and the rollout, decoded together from token ids (never re-encoded).
:class:`EngineSampler` is the same as a round-based :class:`~ptsfast.mining.RolloutSampler` for
:func:`~ptsfast.mining.find_pivots`; a mining run feeds probes to the engine as they come instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from ptsfast.engine import Rollout, RolloutEngine, RolloutRequest
from ptsfast.mining.estimator import common_prefix
from ptsfast.mining.types import ProbeRequest, RolloutOutcome
from ptsfast.problems.loading import TRACE_MARKERS
from ptsfast.problems.oracles import Judge, answer_complete, stop_strings, stops_early
from ptsfast.pipeline.options import MineOptions


def _find_special_ids(tokenizer) -> tuple[frozenset[int], frozenset[int]]:
    """``(special ids the judged text drops, special ids it keeps)``: kept are those a trace marker is written
    with (Magistral's ``[THINK]``, gpt-oss' ``<|channel|>``), whose text the oracles look for."""
    pieces = [m for pair in TRACE_MARKERS for m in pair]
    special = set(getattr(tokenizer, "all_special_ids", ()) or ())
    special |= {i for i, t in (getattr(tokenizer, "added_tokens_decoder", None) or {}).items()
                if getattr(t, "special", False)}
    to_text = getattr(tokenizer, "convert_ids_to_tokens", None)
    keep = set()
    for i in special if to_text is not None else ():
        text = to_text(i)
        if isinstance(text, str) and len(text) >= 3 and any(text in m for m in pieces):
            keep.add(i)
    return frozenset(special - keep), frozenset(keep)


_cached_special_ids = lru_cache(maxsize=16)(_find_special_ids)


def _special_ids(tokenizer) -> tuple[frozenset[int], frozenset[int]]:
    try:
        return _cached_special_ids(tokenizer)
    except TypeError:  # a tokenizer that cannot be hashed: found anew
        return _find_special_ids(tokenizer)


def trace_marker_ids(tokenizer) -> frozenset[int]:
    """The special ids whose text the judged text keeps: those a reasoning trace's markers are written with."""
    return _special_ids(tokenizer)[1]


def judged_texts(tokenizer, seqs: Sequence[Sequence[int]]) -> list[str]:
    """The texts an oracle judges: token ids decoded without special tokens (EOS, pad, chat markers), except those
    that write a reasoning trace's markers. Decoding them all away left ``[THINK]...[/THINK]`` (special tokens in
    Magistral's tokenizer) or gpt-oss' channels as bare thinking: a box tried while thinking was judged the answer,
    and where the prompt opens the trace no rollout ever closed it, so every one failed."""
    drop, keep = _special_ids(tokenizer)
    skip = not keep
    seqs = [list(s) for s in seqs] if skip else [[t for t in s if t not in drop] for s in seqs]
    if hasattr(tokenizer, "batch_decode"):  # a stand-in tokenizer may have either
        return tokenizer.batch_decode(seqs, skip_special_tokens=skip)
    return [tokenizer.decode(s, skip_special_tokens=skip) for s in seqs]


def judged_decoder(tokenizer) -> Callable[[Sequence[Sequence[int]]], list[str]]:
    """:func:`judged_texts` of ``tokenizer`` as a function of the sequences, made once for many calls: for a tokenizer
    that decodes its tokens' bytes joined (:func:`decodes_bytes`: transformers' own ``batch_decode``, which checks the
    type of every id and then calls its backend's ``decode``), the backend's decode of each sequence. The check cost
    0.85 us an id, 80% of a look's decoding (64 resamples of 300 tokens after a 7,500-token trace: 0.41-0.45 ms a
    resample, 0.15 ms without it); the texts are the same."""
    if not decodes_bytes(tokenizer):
        return lambda seqs: judged_texts(tokenizer, seqs)
    drop, keep = _special_ids(tokenizer)
    skip, decode = not keep, tokenizer.backend_tokenizer.decode

    def texts(seqs: Sequence[Sequence[int]]) -> list[str]:
        try:
            return [decode(list(s) if skip else [t for t in s if t not in drop], skip_special_tokens=skip)
                    for s in seqs]
        except TypeError:  # ids the backend does not take (a tensor's): converted as batch_decode converts them
            return judged_texts(tokenizer, seqs)
    return texts


@dataclass(frozen=True)
class OracleStops:
    """When a rollout may end before its budget without changing its verdict (derived from the oracle)."""

    stop_strings: tuple[str, ...] = ()
    answer_complete: Callable[[str], bool] | None = None
    """Whether the solution text so far already decides the verdict (``oracles.answer_complete``)."""
    oracle: object = None
    """The oracle's name, which says whether a problem's rollouts may stop at ``answer_complete``."""
    think_open: bool = False

    @classmethod
    def of(cls, oracle, think_open: bool = False) -> "OracleStops":
        """``oracle``: a built-in name or a callable (which stops at EOS only); ``think_open``: the prompts
        open a ``<think>`` trace, so an answer counts only after its ``</think>``."""
        if callable(oracle):
            return cls()
        check = (lambda text: answer_complete(oracle, text, think_open)) if stops_early(oracle) else None
        return cls(stop_strings(oracle), check, oracle, think_open)  # no check where it never fires

    def complete(self, problem) -> Callable[[str], bool] | None:
        """``answer_complete`` for ``problem``'s rollouts (None: they run to a stop string, EOS or the budget)."""
        if self.answer_complete is None or (self.oracle is not None and problem is not None and
                                            not stops_early(self.oracle, problem)):
            return None  # (a check given without an oracle's name is its maker's: kept for every problem)
        if self.oracle is None or problem is None:
            return self.answer_complete
        oracle, think_open = self.oracle, self.think_open
        return lambda text: answer_complete(oracle, text, think_open, problem)  # the code oracle's entry point

    def stop_fn(self, tokenizer, head: Sequence[int], problem=None, budget: int | None = None):
        """An engine ``stop_fn``: whether ``head + generated``, decoded as the oracle judges it, holds a complete
        answer. With the rollouts' ``budget`` (their ``max_new_tokens``) given, a rollout after a long head is
        checked every :func:`check_every` tokens, at its first and at its last: a later stop holds the same answer
        (the check is prefix-monotone), so no verdict changes. Without it every token is checked (a solution, whose
        text ends where the answer does)."""
        check = self.complete(problem)
        if check is None:
            return None
        text = TextSoFar(tokenizer, head)

        def stop(generated: Sequence[int]) -> bool:
            n = len(generated)
            if budget is not None and 1 < n < budget and n % check_every(len(text.head) + n):
                return False
            joined = text.joined(generated)
            if joined is None:
                return check(text.whole(generated))
            # a True is read again on the text decoded at once: a tokenizer that decodes otherwise than by the
            # parts' texts can delay a stop, never make one
            return check(joined) and check(text.whole(generated))
        return stop


STOP_CHECK_SPAN = 512
"""Tokens of text a rollout's answer check may cost per step: after a prefix of L tokens a rollout is checked every
``1 + L // 512`` tokens. Every token cost 0.8 / 1.8 / 2.3 ms of ``boxed``'s check and 7 / 24 / 69 ms of
``multiple_choice``'s after 1k / 4k / 16k tokens (a loaded 2-core machine), per rollout and step: more than the
model's decode step on a GPU. A stop comes at most ``L // 512`` tokens late."""


def check_every(tokens: int) -> int:
    """Steps between two answer checks of a rollout whose text has ``tokens`` tokens (1 up to 511)."""
    return 1 + tokens // STOP_CHECK_SPAN


class TextSoFar:
    """``judged_texts(tokenizer, [head + generated])[0]`` at the cost of the generated tokens, for a stop check at
    every step: the head is decoded once up to a split a few tokens before its end (one where decoding the two parts
    apart gives the whole text), the rest with a few tokens of context before it at each call. Decoding the whole
    head at every step of every rollout cost 1.4 / 2.9 / 13 ms after 1k / 4k / 16k tokens (SmolLM2's tokenizer,
    a loaded 2-core machine)."""

    TAIL = 16
    """Head tokens decoded again with the generated ones: a character or a tokenizer's clean-up spans a few."""
    CONTEXT = 8
    """Tokens decoded before that tail and cut off: alone, a SentencePiece tokenizer drops a first space."""

    def __init__(self, tokenizer, head: Sequence[int]):
        self.tokenizer = tokenizer
        self.head = list(head)
        self._texts = judged_decoder(tokenizer)
        self._split: tuple[str, str, list[int]] | None = None
        end = len(self.head) - self.TAIL
        if end <= self.CONTEXT + 64:  # a short head costs little to decode whole
            return
        whole = self._texts([self.head])[0]
        for k in range(end, end - 4, -1):  # a split inside a character (or a clean-up's pair) is tried elsewhere
            context = self.head[k - self.CONTEXT:k]
            fixed, context_text = self._texts([self.head[:k], context])
            split = (fixed, context_text, context + self.head[k:])
            # a context that decodes to no text cuts off no first space (a SentencePiece decoder drops the text's)
            if context_text.strip() and self._joined(split, ()) == whole:
                self._split = split
                return

    def _joined(self, split: tuple[str, str, list[int]], generated: Sequence[int]) -> str | None:
        fixed, context_text, rest = split
        text = self._texts([rest + list(generated)])[0]
        return fixed + text[len(context_text):] if text.startswith(context_text) else None

    def joined(self, generated: Sequence[int]) -> str | None:
        """The text from the head's decoded part and the rest decoded now (None: the head has no split, or the
        rest's context decodes otherwise with these tokens after it)."""
        return self._joined(self._split, generated) if self._split is not None else None

    def whole(self, generated: Sequence[int]) -> str:
        """The text decoded at once."""
        return self._texts([self.head + list(generated)])[0]

    def split_at_a_character(self) -> bool:
        """Whether the head has a split and both its decoded parts (the fixed text and the context the rest is decoded
        after) are whole characters, holding no replacement character: what comes after such a part decodes alone as
        it does after it, for a tokenizer that decodes its tokens' bytes joined (:func:`joined_is_whole`)."""
        if self._split is None:
            return False
        fixed, context_text, _ = self._split
        return "\ufffd" not in fixed and "\ufffd" not in context_text


_DECODERS = ("transformers.tokenization_utils_base", "transformers.tokenization_utils_fast",
             "transformers.tokenization_utils_tokenizers")


def decodes_bytes(tokenizer) -> bool:
    """Whether ``tokenizer`` decodes ids as the UTF-8 of its tokens' bytes joined (a byte-level BPE's fast decoder,
    transformers' own decode, no clean-up of spaces): its text is then the texts of two parts joined wherever the
    first part's bytes are whole characters."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or type(backend.decoder).__name__ != "ByteLevel":
        return False
    if getattr(tokenizer, "clean_up_tokenization_spaces", True) is not False:
        return False
    for name in ("decode", "batch_decode", "_decode"):
        owner = next((c for c in type(tokenizer).__mro__ if name in vars(c)), None)
        if owner is None or owner.__module__ not in _DECODERS:  # a decode of the tokenizer's own
            return False
    return True


def joined_is_whole(tokenizer, text: TextSoFar) -> bool:
    """Whether ``text.joined(generated)`` is, for any ``generated``, the text decoded at once (which an oracle's
    verdict must read): ``tokenizer`` decodes its tokens' bytes joined (:func:`decodes_bytes`) and the head's split is
    at whole characters (:meth:`TextSoFar.split_at_a_character`). Any other tokenizer, or a part holding a
    replacement character, is read whole."""
    return decodes_bytes(tokenizer) and text.split_at_a_character()


@dataclass(frozen=True)
class TrajectoryContext:
    """Where a trajectory lives in the engine and what its rollouts are judged against."""

    seq_id: int
    prompt_len: int
    solution_ids: tuple[int, ...]
    problem: object
    think_open: bool = False  # its prompt opens a <think> trace: judged and stopped by the ``think`` pair


_TIMEOUTS = ("oracle timed out", "oracle raised CodeTimeout")
"""How a timeout's oracle error begins: the rollout's own doing as often as the oracle's (code that loops)."""


def oracle_failed(error: str | None) -> bool:
    """Whether a verdict's ``error`` says the oracle gave no verdict of its own (it raised, or returned no bool); a
    timeout is left out: code that loops times out under a working oracle."""
    return error is not None and not error.startswith(_TIMEOUTS)


class OracleFailed(RuntimeError):
    """Every verdict of a problem was an oracle error: an oracle that always raises (a bug, a missing dependency) or
    returns no bool. Written as done, such a problem held nothing found, and a rerun with the oracle fixed skipped
    it; so the run stops at the first one, its finished problems kept."""

    def __init__(self, problem_id: str, verdicts: int, error: str | None, rerun: str):
        self.problem_id, self.verdicts, self.error, self.rerun = problem_id, verdicts, error, rerun
        super().__init__(f"problem {problem_id}: every one of its {verdicts} verdicts was an oracle error ({error}); "
                         f"the run stopped rather than write it as done with nothing found - fix the oracle (or what "
                         f"it needs; a problem it can never judge: leave that one out), then {rerun}")

    def __reduce__(self):  # rebuilt from its parts where it is unpickled (a Ray worker's, on the driver)
        return type(self), (self.problem_id, self.verdicts, self.error, self.rerun)


JUDGE_THREADS = 4
"""Threads judging one batch of rollouts: verdicts that run code wait on their sandbox's process (16 code verdicts:
1.7x faster in 4 threads than one after another on 2 cores)."""


class ProbeRunner:
    """Engine requests for probes, and verdicts for their rollouts; counts rollouts and tokens."""

    def __init__(self, tokenizer, judge: Judge, options: MineOptions, stops: OracleStops = OracleStops(),
                 contexts: dict[Hashable, TrajectoryContext] | None = None, judge_threads: int = JUDGE_THREADS,
                 think: tuple[Judge, OracleStops] | None = None):
        """``judge``/``stops`` serve prompts that open no ``<think>`` trace, ``think`` those that do."""
        self.tokenizer = tokenizer
        self.judge = judge
        self.options = options
        self.stops = stops
        self.think = think
        self.contexts = contexts if contexts is not None else {}
        self._pool = ThreadPoolExecutor(judge_threads) if judge_threads > 1 else None
        self._budget = options.search_config().estimator.rollout_budget  # where the search counts a rollout
        self.rollouts = 0
        self.tokens = 0
        self._failures: dict[Hashable, list] = {}  # problem id: [verdicts, oracle failures, the first failure]
        self._failures_lock = threading.Lock()  # verdicts may be judged in several threads

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def drop_queued(self) -> None:
        """Drops the verdicts queued on the judge's threads and not started (after an error or an interrupt, nobody
        waits for them); :meth:`close` then waits only for those running."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def oracle_failures(self, problem_id: Hashable) -> tuple[int, int, str | None]:
        """``(verdicts, oracle failures among them, the first failure)`` of a problem's rollouts judged so far
        (:func:`oracle_failed`), forgotten once read."""
        with self._failures_lock:
            judged, failed, first = self._failures.pop(problem_id, (0, 0, None))
        return judged, failed, first

    def _count(self, args: Sequence[tuple[str, object, Judge]], verdicts: Sequence) -> None:
        with self._failures_lock:
            for (_, problem, _), (_, err) in zip(args, verdicts):
                tally = self._failures.setdefault(getattr(problem, "id", None), [0, 0, None])
                tally[0] += 1
                if oracle_failed(err):
                    tally[1] += 1
                    tally[2] = tally[2] or err

    def _head(self, r: ProbeRequest) -> list[int]:
        """The solution text a probe's rollouts continue: kept prefix + forced tokens."""
        return list(self.contexts[r.key].solution_ids[: r.position]) + list(r.forced)

    def judging(self, think_open: bool) -> tuple[Judge, OracleStops]:
        """The judge and stops of a prompt that does (or does not) open a ``<think>`` trace."""
        if not think_open:
            return self.judge, self.stops
        if self.think is None:
            raise ValueError("a prompt opens a <think> trace but the run has no judge for such prompts (think=)")
        return self.think

    def request(self, r: ProbeRequest) -> RolloutRequest:
        ctx = self.contexts[r.key]
        stops = self.judging(ctx.think_open)[1]
        return RolloutRequest(ctx.seq_id, ctx.prompt_len + r.position, r.n,
                              r.max_new_tokens or self.options.max_new_tokens,
                              self.options.sampling(r.seed), stop_strings=stops.stop_strings,
                              forced=tuple(r.forced),
                              stop_fn=stops.stop_fn(self.tokenizer, self._head(r), ctx.problem,
                                                    r.max_new_tokens or self.options.max_new_tokens))

    def outcomes(self, requests: Sequence[ProbeRequest],
                 rollouts: Sequence[Sequence[Rollout]]) -> list[list[RolloutOutcome]]:
        """Verdicts of each request's rollouts (and of their cuts at the budget, see ``_cuts``), judged together."""
        return self.judgement(requests, rollouts)()

    def judgement(self, requests: Sequence[ProbeRequest],
                  rollouts: Sequence[Sequence[Rollout]]) -> Callable[[], list[list[RolloutOutcome]]]:
        """:meth:`outcomes` in two parts: the rollouts are counted and their texts decoded here, in the caller's
        thread (the tokenizer serves the engine's stop checks too); the call returned judges them and may run in
        any thread (it reads nothing that changes)."""
        jobs, cuts = [], []
        for r, ros in zip(requests, rollouts):
            ctx, head = self.contexts[r.key], self._head(r)
            judge = self.judging(ctx.think_open)[0]
            for ro in ros:
                jobs.append((head + list(ro.tokens), ctx.problem, judge))
                cuts.append(self._cuts(r, ctx, ro.tokens))
                jobs += [(head + list(ro.tokens[: self._budget + t]), ctx.problem, judge)
                         for t in range(cuts[-1])]
            self.rollouts += len(ros)
            self.tokens += sum(len(ro.tokens) for ro in ros)
        texts = judged_texts(self.tokenizer, [ids for ids, _, _ in jobs])
        args = [(text, p, judge) for text, (_, p, judge) in zip(texts, jobs)]
        rollouts = [list(ros) for ros in rollouts]

        def judged() -> list[list[RolloutOutcome]]:
            verdicts = self.verdicts(args)
            out, k, c = [], 0, 0
            for ros in rollouts:
                outs = []
                for ro in ros:
                    (ok, err), extra = verdicts[k], verdicts[k + 1:k + 1 + cuts[c]]
                    outs.append(RolloutOutcome(ro.tokens, bool(ok), err,
                                               tuple(bool(v) and e is None for v, e in extra)))
                    k, c = k + 1 + cuts[c], c + 1
                out.append(outs)
            return out
        return judged

    def verdicts(self, args: Sequence[tuple[str, object, Judge]]) -> list:
        """``judge(text, problem)`` of each ``(text, problem, judge)``, on the judge's threads when there are
        several."""
        if self._pool is not None and len(args) > 1:
            verdicts = list(self._pool.map(lambda a: a[2](a[0], a[1]), args))
        else:
            verdicts = [judge(text, p) for text, p, judge in args]
        self._count(args, verdicts)
        return verdicts

    def _cuts(self, r: ProbeRequest, ctx: TrajectoryContext, tokens: Sequence[int]) -> int:
        """How many cut verdicts a rollout needs (``RolloutOutcome.cut_success``): one per solution
        position it can be counted at, and its alternative, where it ran past the budget from there."""
        budget = self._budget
        extra = (r.max_new_tokens or budget) - budget
        if r.forced or extra <= 0 or len(tokens) <= budget:
            return 0
        k = common_prefix(tuple(tokens), tuple(ctx.solution_ids), r.position)
        return min(k + 2, extra + 1, len(tokens) - budget)


class EngineSampler(ProbeRunner):
    """A round-based :class:`~ptsfast.mining.RolloutSampler`: every probe of a round in one engine call."""

    def __init__(self, engine: RolloutEngine, tokenizer, judge: Judge, options: MineOptions,
                 contexts: dict[Hashable, TrajectoryContext], stops: OracleStops = OracleStops(),
                 progress: Callable[[int], None] | None = None, think: tuple[Judge, OracleStops] | None = None):
        super().__init__(tokenizer, judge, options, stops, contexts, think=think)
        self.engine = engine
        self.progress = progress

    def __call__(self, requests: Sequence[ProbeRequest]) -> list[list[RolloutOutcome]]:
        results = self.engine.rollout([self.request(r) for r in requests], progress=self.progress)
        return self.outcomes(requests, results)
