"""The thought-anchors run: ``ptsfast.find_anchors`` -- problems in, the importance of every sentence out.

For each problem a solution is sampled (or the given one is used) and judged; the solution is prefilled once
and split into sentences that are token spans of it (:func:`ptsfast.mining.anchors.split_sentences`), so every
resample is a fork of that one sequence at a sentence boundary: no prefix is re-encoded or recomputed. Each
trajectory's :class:`~ptsfast.mining.anchors.AnchorSearch` asks for rollouts in looks; all trajectories of a
batch of problems share one fed engine call (a finished look of one trajectory starts its next at once), and a
finished problem is written through the run writer (append-only, resumable, fingerprinted like ``mine``).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import accumulate
from pathlib import Path

from ptsfast.engine import FinishReason, KVPoolFull, Rollout, RolloutEngine, RolloutRequest, lent
from ptsfast.mining.anchors import (
    AnchorConfig,
    AnchorOutcome,
    AnchorSearch,
    Contexts,
    SentenceImportance,
    first_sentence,
    first_sentence_ended,
    same_facts,
    same_numbers,
    similar,
    split_sentences,
)
from ptsfast.mining.seeds import stable_seed
from ptsfast.outputs.rundir import (ANCHOR_FILES, PROBLEMS, SENTENCES, _jsonable, named_by, problem_record,
                                   token_texts)
from ptsfast.pipeline.identity import model_path
from ptsfast.pipeline.loop import FedCall, RunCounters, Work, trajectory_budget
from ptsfast.pipeline.options import MineOptions
from ptsfast.pipeline.probes import (
    JUDGE_THREADS,
    OracleStops,
    TextSoFar,
    check_every,
    decodes_bytes,
    joined_is_whole,  # noqa: F401 - re-exported: its import path before it moved to probes
    judged_decoder,
    judged_texts,
    trace_marker_ids,
)
from ptsfast.pipeline.records import committed, oracle_fields
from ptsfast.pipeline.run import (OpenRun, check_ids_embedded, check_mine_args, judging, open_run, prepare_problems,
                                  progress_bar)
from ptsfast.problems.loading import Problem

__all__ = ["AnchorOptions", "EmbeddingSimilarity", "find_anchors"]

log = logging.getLogger(__name__)

MAX_ALTERNATIVES = 5
"""Distinct different first sentences kept per sentence as examples (codelion's ``alternatives_tested``)."""


@dataclass(frozen=True)
class AnchorOptions:
    """A thought-anchors run: how solutions and rollouts are sampled and judged (``run``: the same options as
    ``mine``; its ``mining`` search settings are not used), and how sentence importance is estimated."""

    run: MineOptions = field(default_factory=MineOptions)
    anchors: AnchorConfig = field(default_factory=AnchorConfig)
    embedding_model: str | None = None
    """Local folder of a sentence-embedding model (mean-pooled, cosine >= ``anchors.similarity_threshold`` is
    similar) instead of token overlap; never downloaded."""

    def __post_init__(self) -> None:
        if not isinstance(self.run, MineOptions) or not isinstance(self.anchors, AnchorConfig):
            raise TypeError("AnchorOptions(run=MineOptions(...), anchors=AnchorConfig(...))")
        if self.embedding_model is not None and not isinstance(self.embedding_model, (str, os.PathLike)):
            raise TypeError(f"embedding_model (--embedding-model) must be a folder path, got "
                            f"{type(self.embedding_model).__name__} {self.embedding_model!r}")
        if isinstance(self.embedding_model, str) and not self.embedding_model.strip():  # '' is the current folder
            raise ValueError("embedding_model (--embedding-model) is empty: give the folder of a saved Hugging Face "
                             "encoder, or leave it out for token overlap")
        if self.embedding_model is not None and not Path(self.embedding_model).expanduser().is_dir():
            raise ValueError(f"embedding_model (--embedding-model) {self.embedding_model!r} is not a local folder; "
                             f"pass the folder of a saved Hugging Face encoder (ptsfast never downloads one)")


class EmbeddingSimilarity:
    """Similar when the cosine of the mean-pooled last hidden states of a local encoder reaches ``threshold`` (up to
    float rounding: a sentence is similar to itself at threshold 1) and, with ``numbers_must_match``, the numbers are
    the same, with ``facts_must_match`` the claims (as for token overlap, :func:`~ptsfast.mining.anchors.similar`)."""

    def __init__(self, folder: str, threshold: float, device: str = "cpu", numbers_must_match: bool = True,
                 facts_must_match: bool = True):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            self.model = AutoModel.from_pretrained(folder, local_files_only=True).to(device).eval()
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ValueError(f"embedding_model (--embedding-model) {str(folder)!r} could not be loaded as a Hugging "
                             f"Face encoder ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); pass the "
                             f"folder of a saved encoder (its config, weights and tokenizer)") from e
        self.threshold, self.device, self.numbers_must_match = threshold, device, numbers_must_match
        self.facts_must_match = facts_must_match
        self._cache: dict[str, object] = {}

    CACHE = 4096
    """Embeddings kept (the originals are asked again and again; nearly every regenerated sentence is new, and a
    cache of them all grew by a vector per rollout for the whole run)."""

    def embed(self, text: str):
        if text not in self._cache:
            if len(self._cache) >= self.CACHE:
                del self._cache[next(iter(self._cache))]  # the oldest
            with self.torch.inference_mode():
                enc = self.tokenizer(text or " ", return_tensors="pt", truncation=True).to(self.device)
                h = self.model(**enc).last_hidden_state[0]
                mask = enc["attention_mask"][0].unsqueeze(-1).to(h.dtype)
                v = (h * mask).sum(0) / mask.sum()
                self._cache[text] = v / v.norm().clamp_min(1e-12)
        else:
            self._cache[text] = self._cache.pop(text)  # recently used: kept
        return self._cache[text]

    def __call__(self, a: str, b: str) -> bool:
        if self.numbers_must_match and not same_numbers(a, b):
            return False
        if self.facts_must_match and not same_facts(a, b):
            return False
        return float(self.embed(a) @ self.embed(b)) >= self.threshold - 1e-6


@dataclass
class _Trajectory:
    """One solution under estimation: where it lives in the engine and what its sentences are."""

    key: str
    problem: object  # PreparedProblem-like: id, prompt_ids, problem
    prompt_ids: tuple[int, ...]
    solution_ids: tuple[int, ...]
    text: str
    correct: bool | None
    finish_reason: str
    oracle_error: str | None
    tokens: list[str]
    spans: list[tuple[int, int]]
    search: AnchorSearch
    seq_id: int | None = None
    alternatives: dict[int, list[str]] = field(default_factory=dict)  # different regenerated sentences, a few each
    pending: int = 0
    rollouts: int = 0
    tokens_generated: int = 0
    cut: dict[int, int] = field(default_factory=dict)  # boundary -> its rollouts that ran out of --max-new-tokens
    unfinished: dict[int, int] = field(default_factory=dict)  # boundary -> resamples cut in their first sentence
    _sentences: dict[int, str] = field(default_factory=dict)
    _before: dict[int, str] = field(default_factory=dict)
    _answered: dict[int, tuple[bool, str | None]] = field(default_factory=dict)
    _contexts: Contexts | None = None
    _offsets: list[int] = field(default_factory=list)
    _lead: int | None = None  # the characters the tokens' texts joined open with before the text (-1: not the text)

    def sentence(self, k: int) -> str:
        """Sentence ``k`` as its resamples' first sentences are read (:func:`first_sentence` after the same text): with
        its terminator when the next sentence's first token holds it ("Yes" + ". Then" is "Yes.": read as "Yes", an
        identical resample's "Yes." counted as different)."""
        if k not in self._sentences:
            a, end = self.spans[k][0], self.spans[min(k + 1, len(self.spans) - 1)][1] + 8  # the next sentence too
            self._sentences[k] = first_sentence("".join(self.tokens[a:end]), self.before(k))
        return self._sentences[k]

    def before(self, k: int) -> str:
        """The solution's text before boundary ``k`` as its resamples are split after (:func:`context_before`: the
        last 1,000 tokens of it were cut blindly, so inside a long code block the sentences after it read as one)."""
        if k not in self._before:
            if self._contexts is None:  # the text's code and math found once, not once per boundary
                self._contexts = Contexts("".join(self.tokens))
                self._offsets = list(accumulate((len(t) for t in self.tokens), initial=0))
            self._before[k] = self._contexts.before(self._offsets[self.boundary(k)])
        return self._before[k]

    def unended(self, k: int) -> int | None:
        """Tokens of sentence ``k`` where it is the last of a solution the budget cut inside it (None otherwise):
        its resamples are read as far as it goes (compared whole, one that wrote the same words and ended the
        sentence was different from the piece)."""
        if k != len(self.spans) - 1 or self.finish_reason != FinishReason.LENGTH.value:
            return None
        a, e = self.spans[k]
        return None if first_sentence_ended("".join(self.tokens[a:e]), self.before(k)) else e - a

    def contexts(self, start: int, end: int) -> dict:
        """Where the text before and after the tokens ``[start, end)`` lies in the trajectory's text (problems.jsonl
        holds it once): ``text_start``/``text_end``, its characters before and from there. Written out, the text
        before and after every sentence made sentences.jsonl grow with the square of the trace (104 MB for a
        15,000-token trace of 1,000 sentences). The tokens' texts joined may open with a space that the text, decoded
        alone, drops; where they differ otherwise, the contexts are written out as before."""
        if self._offsets == []:
            self._offsets = list(accumulate((len(x) for x in self.tokens), initial=0))
        if self._lead is None:
            joined = "".join(self.tokens)
            lead = len(joined) - len(self.text)
            self._lead = lead if lead >= 0 and joined[lead:] == self.text and not joined[:lead].strip() else -1
        if self._lead >= 0:
            return {"text_start": max(0, self._offsets[start] - self._lead),
                    "text_end": max(0, self._offsets[end] - self._lead)}
        return {"prefix_context": "".join(self.tokens[:start]), "suffix_context": "".join(self.tokens[end:])}

    def boundary(self, k: int) -> int:
        """Solution tokens kept before sentence ``k`` (``k = n``: the whole solution)."""
        return self.spans[k][0] if k < len(self.spans) else len(self.solution_ids)


@dataclass
class AnchorStats(RunCounters):
    sentences: int = 0
    anchors: int = 0


def anchor_mode(options: AnchorOptions) -> dict:
    """What identifies a thought-anchors run in place of the search's settings (a resume must match it)."""
    return {"mode": "anchors", "anchors": asdict(options.anchors),
            "similarity": "embedding" if options.embedding_model else "token_overlap"}


@named_by(python=True)  # a run folder's refusals name out_dir= / overwrite=True (the CLI's, said first, win)
def find_anchors(model, tokenizer, problems: Sequence[Problem], out_dir: str | os.PathLike,
                 options: AnchorOptions = AnchorOptions(), *, model_name: str = "", overwrite: bool = False,
                 oracle: Callable | None = None, progress: bool = True, dataset_id: str | None = None) -> dict:
    """Estimates the importance of every sentence of each problem's solutions into ``out_dir`` (``sentences.jsonl``,
    ``problems.jsonl``); returns the run summary. Rerunning resumes; ``oracle`` overrides ``options.run.oracle``."""
    problems = check_mine_args(model, tokenizer, problems, out_dir, options, oracle, model_name, kind=AnchorOptions,
                               overwrite=overwrite, progress=progress, dataset_id=dataset_id)
    o = options.run
    model_name = model_path(model_name or getattr(model, "name_or_path", "") or type(model).__name__)
    mode = anchor_mode(options)
    inputs = {}
    if options.embedding_model:
        from ptsfast.pipeline.identity import input_folder_hash

        inputs["embedding_model"] = input_folder_hash(Path(options.embedding_model).expanduser())
    a = options.anchors
    # an encoder that does not load is refused before the run folder records it
    similarity = (EmbeddingSimilarity(options.embedding_model, a.similarity_threshold,
                                      numbers_must_match=a.numbers_must_match, facts_must_match=a.facts_must_match)
                  if options.embedding_model else
                  (lambda x, y: similar(x, y, a.similarity_threshold, a.numbers_must_match, a.facts_must_match)))
    with lent(model):
        # with overwrite, made before the run's folder is emptied (as mine does): an engine the device refuses (a KV
        # cache larger than its memory) discarded the finished problems for nothing; else made only for work
        engine = RolloutEngine(model, tokenizer, o.engine) if overwrite and problems else None
        with open_run(model, tokenizer, problems, out_dir, o, model_name=model_name, overwrite=overwrite,
                      oracle=oracle, dataset_id=dataset_id, mode=mode, inputs=inputs,
                      data_files=ANCHOR_FILES, room=lambda n: n + 1) as run:
            stats, skipped = _run(model, tokenizer, run.todo(problems), options, similarity, run, progress, engine)
            stats.seconds = time.perf_counter() - run.start
            return run.finish(stats.as_dict(), skipped)


def _run(model, tokenizer, todo, options: AnchorOptions, similarity, run: OpenRun, progress,
         engine: RolloutEngine | None = None):
    o = options.run
    encoded, skipped = prepare_problems(todo, tokenizer, o)
    check_ids_embedded(model, encoded)
    stats = AnchorStats()
    if not encoded:
        return stats, skipped
    engine = engine or RolloutEngine(model, tokenizer, o.engine)
    # each problem judged as its own prompt says (a template may open a <think> trace for some rows only)
    judges = {False: judging(tokenizer, encoded, o, run.oracle, think_open=False)}
    if any(p.think_open for p in encoded):
        judges[True] = judging(tokenizer, encoded, o, run.oracle, think_open=True)
    meta = {**run.meta, "anchors": asdict(options.anchors), "similarity": run.settings["similarity"]}
    bar = progress_bar(len(encoded), progress)

    def on_problem(problem, trajectories: list[_Trajectory], why: str | None) -> None:
        if why:
            skipped.append(why)
        sentences, summary = _records(problem, trajectories, meta, why)
        stats.problems += 1
        stats.anchors += sum(r["is_anchor"] for r in sentences)
        if committed(why):  # not a skip a rerun retries (one the KV pool could not hold: a larger one mines it)
            run.write_records(problem.problem.id, {SENTENCES: sentences, PROBLEMS: [summary]})
        bar.update(1)
        bar.set_postfix_str(f"rollouts={stats.rollouts} anchors={stats.anchors}")

    call = _AnchorRun(engine, tokenizer, judges, similarity, options, stats, on_problem)
    try:
        call.run(encoded)
    finally:
        call.close()
        bar.close()
    return stats, skipped


@dataclass
class _Flight:
    """A problem in flight: its trajectories, how many are still estimated, the engine sequences it holds."""

    problem: object
    trajectories: list[_Trajectory] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    searching: int = 0
    seq_ids: list[int] = field(default_factory=list)


class _AnchorRun(FedCall):
    """The engine side, one fed engine call for the whole run: up to ``problems_per_batch`` problems in flight; a
    problem's solutions are sampled (or given), judged, split and prefilled, each trajectory's looks run as soon as
    its previous look is back, and a problem whose trajectories are all estimated is written and replaced at once.
    Records do not depend on the schedule: a trajectory's seeds depend only on its own counts."""

    def __init__(self, engine: RolloutEngine, tokenizer, judges: dict[bool, tuple[Callable, OracleStops]], similarity,
                 options, stats, on_problem):
        super().__init__(engine, options.run.problems_per_batch)  # waiting: (problem, solutions) to prefill
        self.tokenizer, self.judges = tokenizer, judges
        self.similarity, self.options, self.o, self.stats = similarity, options, options.run, stats
        self.on_problem = on_problem
        # special tokens have no text in the sentences, but those a trace's markers are written with ("[/THINK]"), which
        # the oracle reads too: without them "So x = 5.[/THINK]The answer is 5." was one sentence across the trace's end
        self.special = ((frozenset(getattr(tokenizer, "all_special_ids", ()) or ()) | engine.eos_ids)
                        - trace_marker_ids(tokenizer))
        self._judges = ThreadPoolExecutor(JUDGE_THREADS, thread_name_prefix="ptsfast-anchors-judge")

    def judge(self, p) -> Callable:
        """The judge of prepared problem ``p``: answers read after the trace where its prompt opens one."""
        return self.judges[bool(p.think_open)][0]

    def stops(self, p) -> OracleStops:
        return self.judges[bool(p.think_open)][1]

    # ------------------------------------------------------------------ schedule
    def run(self, problems) -> None:
        self.queue.extend(problems)
        self.feed()

    def close(self) -> None:
        """Stops the background verdicts and releases what problems still hold (after an error)."""
        self.close_jobs()
        self._judges.shutdown(wait=False, cancel_futures=True)
        self.release_held()

    def _resume(self, p, solutions) -> list[Work]:
        return self._prepare(p, solutions)

    def _drop(self, p, why) -> None:
        """A problem the KV pool cannot hold even alone: skipped, its judged solutions dropped, as mine skips it."""
        self.in_flight.pop(p.problem.id, None)
        log.warning("skipped %s", why)
        self.on_problem(p, [], why)

    # ------------------------------------------------------------------ a problem
    def _start(self, p) -> list[Work]:
        """The given solution, or ``trajectories_per_problem`` samples (KVPoolFull: nothing started)."""
        # room for a rollout of --max-new-tokens (and the position it starts from) from the solution's end
        budget, why = trajectory_budget(self.engine.max_positions, self.o.max_new_tokens, self.o.max_new_tokens + 1, p)
        if why:  # over_context's reason names the sizes
            return self._prepare(p, [], why)
        if p.solution_ids is not None:
            return self._prepare(p, [(tuple(p.solution_ids), FinishReason.EOS)])
        n = self.o.trajectories_per_problem
        (seq,) = self.engine.prefill([list(p.prompt_ids)], reserve_tokens=n * (len(p.prompt_ids) + budget))
        self.in_flight[p.problem.id] = _Flight(p, seq_ids=[seq.seq_id])
        request = RolloutRequest(seq.seq_id, len(p.prompt_ids), n, budget,
                                 self.o.sampling(self.o.trajectory_seed(p.problem.id)),
                                 stop_strings=self.stops(p).stop_strings,
                                 stop_fn=self.stops(p).stop_fn(self.tokenizer, (), p.problem))

        def sampled(rollouts: list[Rollout]) -> list[Work]:
            flight = self.in_flight[p.problem.id]
            self.engine.release([seq.seq_id])
            flight.seq_ids.remove(seq.seq_id)
            sols = [(tuple(r.tokens), r.finish_reason) for r in rollouts]
            try:
                return self._prepare(p, sols)
            except KVPoolFull:
                self.waiting.append((p, sols))
                return []
        return [(request, sampled)]

    def _trajectory(self, p, n: int, solution: tuple[int, ...], reason: FinishReason) -> _Trajectory | str:
        key = f"{p.problem.id}#{n}"
        text = judged_texts(self.tokenizer, [solution])[0]
        ok, err = self.judge(p)(text, p.problem)
        # an oracle error is no verdict: read as a failure, the last sentence's p(with) was an exact 0
        correct = None if reason is FinishReason.LENGTH or err is not None else ok
        if err is not None and reason is not FinishReason.LENGTH:
            log.warning("trajectory %s: the oracle erred on the solution (%s): its last sentence has no p(with) and "
                        "no importance; fix the oracle or its --oracle-timeout and rerun the problem", key, err)
        texts = ["" if t in self.special else s
                 for t, s in zip(solution, token_texts(self.tokenizer, solution, prefix=p.prompt_ids))]
        if not "".join(texts).strip():
            return (f"problem {p.problem.id}: trajectory {key} has no text ("
                    + ("the given solution holds only special tokens" if p.solution_ids is not None else
                       "the model stopped at once") + "); nothing to split")
        spans = split_sentences(texts)
        short = [k for k, (a, _) in enumerate(spans) if len(solution) - a > self.o.max_new_tokens]
        if short:  # their forks judge cut text: p falls where the budget cannot reach the answer
            log.warning("trajectory %s: its solution runs %d tokens, but rollouts get --max-new-tokens %d: forks "
                        "before %d of its %d sentences cannot write a rest as long as the solution's, so p there is "
                        "the chance to finish within %d tokens and the sentences where the budget starts to reach the "
                        "end look important; raise --max-new-tokens to about %d", key, len(solution),
                        self.o.max_new_tokens, len(short), len(spans), self.o.max_new_tokens, len(solution))
        search = AnchorSearch(len(spans), self.options.anchors, final=None if correct is None else float(correct),
                              sample_end=reason is FinishReason.LENGTH or err is None)
        return _Trajectory(key, p, tuple(p.prompt_ids), solution, text, correct, reason.value, err, texts, spans,
                           search)

    def _prepare(self, p, solutions, why: str | None = None) -> list[Work]:
        """Judges and splits the solutions, prefills them (one forward, KVPoolFull: later) and starts their looks
        (``why``: the reason there are none)."""
        flight = self.in_flight.setdefault(p.problem.id, _Flight(p))
        if not flight.trajectories and not flight.why:
            for n, (sol, reason) in enumerate(solutions):
                t = self._trajectory(p, n, sol, reason)
                (flight.why if isinstance(t, str) else flight.trajectories).append(t)
            if not solutions:
                flight.why.append(why or f"problem {p.problem.id}: no solution to split")
        live = flight.trajectories
        if not live:
            self._finish(p.problem.id)
            return []
        seqs = self.engine.prefill([list(t.prompt_ids) + list(t.solution_ids) for t in live],
                                   reserve_tokens=self.o.max_new_tokens + 1)
        flight.seq_ids += [s.seq_id for s in seqs]
        flight.searching = len(live)
        work: list[Work] = []
        for t, s in zip(live, seqs):
            t.seq_id = s.seq_id
            work += self._look(t)
        return work

    def _look(self, t: _Trajectory) -> list[Work]:
        """The trajectory's next look as engine work; when it has none, the trajectory is done."""
        work = [(self._request(t, k, n), lambda ros, k=k: self._looked(t, k, ros)) for k, n in t.search.requests()]
        t.pending = len(work)
        if not work:
            flight = self.in_flight[t.problem.problem.id]
            flight.searching -= 1
            if flight.searching == 0:
                self._finish(t.problem.problem.id)
        return work

    def _finish(self, problem_id: str) -> None:
        flight = self.in_flight.pop(problem_id)
        if flight.seq_ids:
            self.engine.release(flight.seq_ids)
        self.stats.trajectories += len(flight.trajectories)
        self.stats.sentences += sum(len(t.spans) for t in flight.trajectories)
        self.on_problem(flight.problem, flight.trajectories, "; ".join(flight.why) or None)

    def _request(self, t: _Trajectory, k: int, n: int) -> RolloutRequest:
        b = t.boundary(k)
        seed = stable_seed(self.o.seed, "anchors", t.key, k, t.search.pools[k].trials)
        return RolloutRequest(t.seq_id, len(t.prompt_ids) + b, n, self.o.max_new_tokens, self.o.sampling(seed),
                              stop_strings=self.stops(t.problem).stop_strings,
                              stop_fn=self.stops(t.problem).stop_fn(self.tokenizer, t.solution_ids[:b],
                                                                     t.problem.problem, self.o.max_new_tokens))

    def _looked(self, t: _Trajectory, k: int, rollouts: list[Rollout]) -> list[Work]:
        """Rollouts forked at boundary ``k`` are back: judged (:meth:`later`), their first sentence compared with
        sentence ``k``. The text before the fork is decoded once for the look (:class:`TextSoFar`): decoding it
        with every rollout cost 1.6 / 4.9 / 8.0 ms a rollout after 2k / 8k / 15k tokens (SmolLM2's tokenizer),
        the joined text 0.1 ms; it is judged only where it is the text decoded at once (:func:`joined_is_whole`)."""
        b = t.boundary(k)
        so_far = functools.cache(lambda: TextSoFar(self.tokenizer, t.solution_ids[:b]))
        # (joined_is_whole, the tokenizer asked first: else no head is decoded for nothing)
        if decodes_bytes(self.tokenizer) and so_far().split_at_a_character():
            texts = [so_far().joined(r.tokens) for r in rollouts]
            texts = [so_far().whole(r.tokens) if x is None else x for x, r in zip(texts, rollouts)]
        else:
            head = list(t.solution_ids[:b])
            texts = judged_texts(self.tokenizer, [head + list(r.tokens) for r in rollouts])
        problem, judge = t.problem.problem, self.judge(t.problem)
        return self.later(lambda: list(self._judges.map(lambda text: judge(text, problem), texts)),
                          lambda verdicts: self._judged(t, k, rollouts, verdicts, so_far))

    def _judged(self, t: _Trajectory, k: int, rollouts: list[Rollout], verdicts: list,
                so_far: Callable[[], TextSoFar] | None = None) -> list[Work]:
        original = t.sentence(k) if k < len(t.spans) else None
        b = t.boundary(k)
        before = t.before(k)  # split after the solution's text, as the solution was
        piece = t.unended(k)
        outcomes = []
        # the text before the fork decoded once for the look's stopped resamples (whole at each step, a 2,000-token
        # trace cost 10 ms a resample)
        so_far = so_far or functools.cache(lambda: TextSoFar(self.tokenizer, t.solution_ids[:b]))
        for r, (ok, err) in zip(rollouts, verdicts):
            self.stats.oracle_errors += err is not None
            same = None
            tokens = self._as_stopped(t, b, r, so_far) if original is not None else r.tokens
            after = self._text_after(t, b, tokens) if original is not None else ""
            ended = (original is not None and r.finish_reason is not FinishReason.EOS
                     and first_sentence_ended(after, before))
            reached = piece is not None and len(tokens) >= piece  # as far as the cut sentence went
            # stopped at an answer inside its first sentence: the solution's own, complete before the fork (the
            # resample wrote nothing: neither similar nor different), or one the sentence may hold too
            answered = (self._answered(t, k) if original is not None and r.finish_reason is FinishReason.STOP
                        and not ended and not reached else (False, None))
            if original is not None and not answered[0] and (r.finish_reason is not FinishReason.LENGTH or ended
                                                             or reached):
                regenerated = first_sentence(after, before)
                compared = original, regenerated
                if reached:  # the solution's last sentence is a piece: the resample's as many tokens of it (less the
                    # first bytes of a character they cut, as the piece is read)
                    head = self._text_after(t, b, tokens[:piece]).rstrip("\ufffd")
                    compared = original, first_sentence(head, before)
                elif answered[1] is not None:  # read as far as the sentence's own answer
                    compared = answered[1], regenerated
                same = bool(self.similarity(*compared))
                seen = t.alternatives.setdefault(k, [])
                if not same and regenerated and regenerated not in seen and len(seen) < MAX_ALTERNATIVES:
                    seen.append(regenerated)
            elif original is not None:  # cut inside its first sentence, or stopped after the solution's answer
                t.unfinished[k] = t.unfinished.get(k, 0) + 1
            outcomes.append(AnchorOutcome(bool(ok) and err is None, same))
        t.search.add(k, outcomes)
        t.cut[k] = t.cut.get(k, 0) + sum(r.finish_reason is FinishReason.LENGTH for r in rollouts)
        t.rollouts += len(rollouts)
        t.tokens_generated += sum(len(r.tokens) for r in rollouts)
        self.stats.rollouts += len(rollouts)
        self.stats.tokens += sum(len(r.tokens) for r in rollouts)
        t.pending -= 1
        return self._look(t) if t.pending == 0 else []

    def _as_stopped(self, t: _Trajectory, b: int, r: Rollout,
                    head: Callable[[], TextSoFar] | None = None) -> tuple[int, ...]:
        """The tokens of a rollout forked after ``b`` solution tokens up to where its answer first completes, as a check
        at every token stops it. The check runs every :func:`~ptsfast.pipeline.probes.check_every` tokens after a long
        trace (at every token, it can cost more than a GPU's decode step), so a rollout stops up to that many tokens
        late, and its first sentence, read with the words after its answer, was compared with the sentence read up to
        the answer ("There are $\\boxed{6}$ ways" against "There are $\\boxed{6}"): different. The check is
        prefix-monotone. ``head`` gives the text before the fork decoded once (:class:`TextSoFar`, made for the
        rollouts of one look): each step decodes the rollout's tokens, not the trace, and the text decoded at once is
        read where the answer completes only, as the rollouts' ``stop_fn`` reads it."""
        check, tokens = self.stops(t.problem).complete(t.problem.problem), tuple(r.tokens)
        n = len(tokens)
        if r.finish_reason is not FinishReason.STOP or check is None or n <= 1:
            return tokens
        text = head() if head is not None else TextSoFar(self.tokenizer, t.solution_ids[:b])

        def whole(j: int) -> bool:
            return bool(check(text.whole(tokens[:j])))

        def quick(j: int) -> bool:  # the stop_fn's first reading: its parts' texts joined
            joined = text.joined(tokens[:j])
            return whole(j) if joined is None else bool(check(joined))

        def first(complete: Callable[[int], bool]) -> int | None:
            """The fewest tokens that ``complete`` takes to be complete, None if all of them are not."""
            if not complete(n):  # stopped by a stop string
                return None
            lo = max(0, n - check_every(b + n))  # the check before the last one was not complete
            if lo and complete(lo):
                lo = 0
            hi = n
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if complete(mid) else (mid, hi)
            return hi
        hi = first(quick)
        if hi is not None and not whole(hi):  # the text decoded at once says otherwise there: read as the stop_fn
            hi = first(lambda j: quick(j) and whole(j))
        return tokens if hi is None else tokens[:hi]

    def _answered(self, t: _Trajectory, k: int) -> tuple[bool, str | None]:
        """``(whether the solution's answer is complete before sentence k, the sentence read up to where the answer
        completes inside it or None)``, as the oracle's early stop reads them. A resample that wrote the sentence's
        words holds "There are $\\boxed{6}" when the oracle stops it ("There are $\\boxed{6}$ ways to choose.":
        compared whole, every such resample counted as different); one forked after the answer stops at its first
        token and wrote no sentence (counted as a different one, the token listed as an alternative)."""
        if k not in t._answered:
            check, (a, e) = self.stops(t.problem).complete(t.problem.problem), t.spans[k]

            def complete(j: int) -> bool:  # as the rollouts' stop_fn reads it
                return bool(check(judged_texts(self.tokenizer, [t.solution_ids[:j]])[0]))
            done, cut = check is not None and complete(a), None
            if check is not None and not done and complete(e):
                lo, hi = a, e  # the answer completes after token lo, by token hi (prefix-monotone)
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    lo, hi = (lo, mid) if complete(mid) else (mid, hi)
                cut = first_sentence("".join(t.tokens[a:hi]), t.before(k)) if hi < e else None
            t._answered[k] = done, cut
        return t._answered[k]

    def _text_after(self, t: _Trajectory, b: int, tokens) -> str:
        """The text rollout ``tokens`` add after the first ``b`` solution tokens, decoded after a few tokens of
        context (alone, a SentencePiece tokenizer drops the first token's leading space: "x." + "Then")."""
        ctx = (list(t.prompt_ids) + list(t.solution_ids[:b]))[-8:]
        # a trace's markers kept, as in the solution's sentences
        head, full = self._decoded([ctx, ctx + list(tokens)])
        return full[len(head):] if full.startswith(head) else self._decoded([list(tokens)])[0]

    @functools.cached_property
    def _decoded(self) -> Callable[[Sequence[Sequence[int]]], list[str]]:
        """:func:`judged_texts` of the run's tokenizer, without batch_decode's check of every id where it can (a
        resample's text after 300 tokens: 0.18 -> 0.15 ms)."""
        return judged_decoder(self.tokenizer)


def _records(problem, trajectories: list[_Trajectory], meta: dict, why: str | None):
    """``(sentences.jsonl lines, problems.jsonl summary)`` of one finished problem."""
    sentences, summaries = [], []
    # how the oracle read the text (after </think> where the prompt opened a trace) and what of the problem it read:
    # a re-estimate from the records must judge so too (as pivots.jsonl and a mining run's problems.jsonl say)
    meta = {**meta, "think_open": bool(problem.think_open)}
    for t in trajectories:
        results = t.search.results(t.spans)
        n_anchor = 0
        for r in results:
            sentences.append(sentence_record(r, t, meta))
            n_anchor += r.is_anchor
        bounds = t.search.boundary_estimates()
        estimates = [{"position": t.boundary(k), **_jsonable(e)} for k, e in enumerate(bounds) if e is not None]
        summaries.append({
            "key": t.key, "kept": True, "correct": t.correct,
            "source": "given" if t.problem.solution_ids is not None else "sampled", "text": t.text,
            "finish_reason": t.finish_reason, "oracle_error": t.oracle_error,
            "solution_ids": list(t.solution_ids), "tokens": t.tokens, "p0": estimates[0] if bounds[0] else None,
            "estimates": estimates, "rollouts": t.rollouts, "cut_rollouts": sum(t.cut.values()),
            "n_sentences": len(t.spans), "n_anchors": n_anchor,
            "sentences": [{"index": r.index, "start": r.start, "end": r.end, "is_anchor": r.is_anchor,
                           "counterfactual_importance": r.counterfactual.value if r.counterfactual else None,
                           "counterfactual_lo": r.counterfactual.lo if r.counterfactual else None,
                           "counterfactual_hi": r.counterfactual.hi if r.counterfactual else None,
                           "resampling_importance": r.resampling.value if r.resampling else None}
                          for r in results]})
    summary = problem_record(problem.problem, summaries, problem.prompt_ids,
                             extra={"skipped": why, "n_sentences": sum(len(t.spans) for t in trajectories),
                                    "n_anchors": sum(s["n_anchors"] for s in summaries),
                                    **oracle_fields(problem.problem), **meta})
    return sentences, summary


def sentence_record(r: SentenceImportance, t: _Trajectory, meta: dict) -> dict:
    """A sentences.jsonl line: the sentence, its token span, every estimate with its interval, the run settings."""
    d = _jsonable(r)
    cf, rs = d["counterfactual"], d["resampling"]
    rec = {"problem_id": str(t.problem.problem.id), "trajectory": t.key, "sentence_id": r.index,
           "sentence": t.sentence(r.index), "start": r.start, "end": r.end, "prompt_len": len(t.prompt_ids),
           **t.contexts(r.start, r.end), "alternatives": t.alternatives.get(r.index, []),
           "n_sentences": len(t.spans),
           "sentence_ids": list(t.solution_ids[r.start:r.end]),
           "p_with": d["p_with"], "p_resampled": d["p_resampled"], "p_different": d["p_different"],
           "p_similar": d["p_similar"],
           "counterfactual_importance": cf["value"] if cf else None,
           "counterfactual_lo": cf["lo"] if cf else None, "counterfactual_hi": cf["hi"] if cf else None,
           "resampling_importance": rs["value"] if rs else None,
           "resampling_lo": rs["lo"] if rs else None, "resampling_hi": rs["hi"] if rs else None,
           "is_anchor": r.is_anchor, "stop": r.stop.value, "solution_correct": t.correct,
           "cut_resamples": t.cut.get(r.index, 0), "unfinished_resamples": t.unfinished.get(r.index, 0)}
    rec.update(meta)
    return rec
