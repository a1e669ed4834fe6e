"""Export of a thought-anchors run as codelion/pts ``ThoughtAnchor`` records (``--format thought_anchors``).

Each record has codelion's ``ThoughtAnchor.to_dict()`` fields, in its order and with its meanings, so codelion's
``ThoughtAnchor.from_dict``, its ``export --format thought_anchors`` and its analysis scripts read the file; then
ptsfast's own fields (counts, intervals, the token span). What ptsfast measures differently or not at all:

* ``prob_without_sentence``: codelion averages p over up to two regenerated sentences that an embedding model
  calls different; ptsfast's is p(different): every resample forked before the sentence whose regenerated
  first sentence differs from it, counted (``p_different`` has the counts and interval). With no different
  resample it falls back to p(resampled), as codelion falls back to the prefix without the sentence
  (``prob_without_source`` says which).
* ``alternatives_tested``: examples of the different regenerated first sentences (at most five), not a list of
  every one whose p was averaged.
* ``sentence_embedding``, ``alternatives_embeddings``, ``causal_dependencies``, ``causal_dependents``,
  ``logical_relationship``, ``failure_mode``, ``error_type``, ``correction_suggestion``, ``verification_*``,
  ``arithmetic_errors``, ``attention_*``, ``sentence_category``, ``dependency_sentences``: not computed
  (codelion fills them by keyword rules, an embedding model or attention hooks); written as codelion's own
  defaults (empty lists, None) so readers find every key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from ptsfast.mining.stats import reaches
from ptsfast.outputs.rundir import PROBLEMS, SENTENCES, read_jsonl

THOUGHT_ANCHOR_FIELDS = (
    "model_id", "query", "sentence", "sentence_id", "prefix_context", "prob_with_sentence", "prob_without_sentence",
    "prob_delta", "task_type", "suffix_context", "full_reasoning_trace", "sentence_embedding",
    "alternatives_embeddings", "causal_dependencies", "causal_dependents", "logical_relationship", "failure_mode",
    "error_type", "correction_suggestion", "verification_score", "verification_method", "arithmetic_errors",
    "attention_entropy", "attention_focus_score", "importance_score", "is_positive", "sentence_category",
    "alternatives_tested", "dependency_sentences", "dataset_id", "dataset_item_id", "timestamp")
"""codelion/pts ``ThoughtAnchor.to_dict()`` fields, in its order."""

NOT_COMPUTED = {"sentence_embedding": [], "alternatives_embeddings": [], "causal_dependencies": [],
                "causal_dependents": [], "logical_relationship": None, "failure_mode": None, "error_type": None,
                "correction_suggestion": None, "verification_score": None, "verification_method": None,
                "arithmetic_errors": [], "attention_entropy": None, "attention_focus_score": None,
                "sentence_category": None, "dependency_sentences": []}
"""codelion's fields ptsfast does not compute, with codelion's defaults."""

# prompt_len and think_open: what a re-estimate from the ids needs beside the sampler (the oracle judges the text
# after the prompt, after </think> where the prompt opened a trace), as a pts record of a pivot carries them
_PTSFAST_FIELDS = ("problem_id", "trajectory", "start", "end", "prompt_len", "prefix_ids", "sentence_ids", "p_with",
                   "p_resampled", "p_different", "p_similar", "counterfactual_importance", "counterfactual_lo",
                   "counterfactual_hi", "resampling_importance", "resampling_lo", "resampling_hi", "is_anchor", "stop",
                   "n_sentences", "solution_correct", "cut_resamples", "unfinished_resamples", "oracle", "think_open",
                   "seed", "sampler", "anchors", "similarity")


def thought_anchor_record(sentence: Mapping, *, query: str | None, trace: str | None, task_type: str,
                          model_id: str | None, dataset_id: str | None, timestamp: str,
                          problem: Mapping | None = None) -> dict:
    """One codelion ``ThoughtAnchor`` record for a ``sentences.jsonl`` line, ptsfast's fields after codelion's;
    ``problem``, the line's problems.jsonl record, gives its ``prefix_ids`` where the line does not repeat them."""
    p_with = sentence["p_with"].get("p")
    without, source, delta = _without(sentence)
    prefix, suffix = contexts(sentence, trace)
    rec = {
        "model_id": model_id, "query": query, "sentence": sentence["sentence"], "sentence_id": sentence["sentence_id"],
        "prefix_context": prefix, "prob_with_sentence": p_with,
        "prob_without_sentence": without, "prob_delta": delta, "task_type": task_type,
        "suffix_context": suffix, "full_reasoning_trace": trace or "",
        **NOT_COMPUTED,
        "importance_score": None if delta is None else abs(delta), "is_positive": delta is not None and delta > 0,
        "alternatives_tested": list(sentence.get("alternatives") or []), "dataset_id": dataset_id,
        "dataset_item_id": str(sentence["problem_id"]), "timestamp": timestamp,
    }
    rec = {k: rec[k] for k in THOUGHT_ANCHOR_FIELDS}
    rec["prob_without_source"] = source
    rec.update({k: sentence.get(k) for k in _PTSFAST_FIELDS})
    rec["prefix_ids"] = prefix_ids(sentence, problem)
    return rec


def trajectory_of(sentence: Mapping, problem: Mapping | None) -> Mapping | None:
    """The problems.jsonl trajectory a sentences.jsonl line belongs to (its ``trajectory`` key), None if not held."""
    return next((t for t in (problem or {}).get("trajectories") or []
                 if isinstance(t, Mapping) and str(t.get("key")) == str(sentence.get("trajectory"))), None)


def prefix_ids(sentence: Mapping, problem: Mapping | None) -> list[int] | None:
    """The token ids before a sentence, prompt included: where its resamples fork (p(resampled) is re-estimated from
    them, p(with) from them and ``sentence_ids``). A line that repeats them (``prefix_ids``, as ptsfast wrote each
    line until the file grew with the square of the trace: 48 MB for one 15,000-token, 1,000-sentence trajectory)
    gives them; else its problem's ``prompt_ids`` and its trajectory's ``solution_ids`` up to its ``start``, which
    problems.jsonl holds once. None where neither is known (a trajectory no problems.jsonl beside it holds)."""
    if sentence.get("prefix_ids") is not None:
        return [int(t) for t in sentence["prefix_ids"]]
    t, start = trajectory_of(sentence, problem), sentence.get("start")
    prompt = (problem or {}).get("prompt_ids")
    if t is None or not isinstance(prompt, list) or not isinstance(t.get("solution_ids"), list):
        return None
    solution = t["solution_ids"]
    if not isinstance(start, int) or isinstance(start, bool) or not 0 <= start <= len(solution):
        raise ValueError(f"sentence {sentence.get('sentence_id')!r} of problem {sentence.get('problem_id')!r}: start "
                         f"{start!r} is no place in its trajectory's {len(solution)} solution tokens: the file was "
                         f"edited or belongs to another run's problems.jsonl; read the folder `ptsfast anchors --out` "
                         f"wrote, unedited")
    if "prompt_len" in sentence and sentence["prompt_len"] != len(prompt):
        raise ValueError(f"sentence {sentence.get('sentence_id')!r} of problem {sentence.get('problem_id')!r}: its "
                         f"prompt_len {sentence['prompt_len']!r} is not its problem's {len(prompt)} prompt tokens: "
                         f"the problems.jsonl beside it is another run's; read the folder `ptsfast anchors --out` "
                         f"wrote, unedited")
    return [int(x) for x in prompt] + [int(x) for x in solution[:start]]


def read_sentences(run_dir: str | os.PathLike) -> Iterator[dict]:
    """The lines of an anchors run's sentences.jsonl, each with its ``prefix_ids`` (from problems.jsonl where the
    line does not repeat them; see :func:`prefix_ids`): what a re-estimate from the records reads, for files of any
    ptsfast."""
    run = Path(run_dir)
    problems = {str(r.get("problem_id")): r for r in read_jsonl(run / PROBLEMS)}
    for line in read_jsonl(run / SENTENCES):
        yield {**line, "prefix_ids": prefix_ids(line, problems.get(str(line.get("problem_id"))))}


def contexts(sentence: Mapping, trace: str | None) -> tuple[str, str]:
    """``(the text before the sentence, the text after it)``: a sentences.jsonl line gives them as places in its
    trajectory's text (``trace``, problems.jsonl's ``text``), ``text_start`` and ``text_end``, or, written by an
    older ptsfast or where the tokens' texts are not that text, whole (``prefix_context``, ``suffix_context``).
    Places without their trace are an error, not empty contexts: codelion's readers would take those as written."""
    if "prefix_context" in sentence or "suffix_context" in sentence:
        return sentence.get("prefix_context") or "", sentence.get("suffix_context") or ""
    a, b = sentence.get("text_start"), sentence.get("text_end")
    if a is None and b is None:  # a line that gives neither: none known
        return "", ""
    where = f"sentence {sentence.get('sentence_id')!r} of problem {sentence.get('problem_id')!r}"
    if not isinstance(trace, str):
        raise ValueError(f"{where} gives its place in its trajectory's text (text_start, text_end), which the run's "
                         f"problems.jsonl holds, and no problems.jsonl beside the sentences holds that trajectory: "
                         f"export the folder `ptsfast anchors --out` wrote, with its problems.jsonl")
    if not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= len(trace) for x in (a, b)) or a > b:
        raise ValueError(f"{where}: text_start {a!r} and text_end {b!r} are not a span of its trajectory's text "
                         f"({len(trace)} characters): the file was edited or belongs to another run's problems.jsonl; "
                         f"export the folder `ptsfast anchors --out` wrote, unedited")
    return trace[:a], trace[b:]


def _without(sentence: Mapping) -> tuple[float | None, str, float | None]:
    """``(prob_without_sentence, its source, prob_delta)``: p(different), or p(resampled) when no resample differed."""
    p_with = sentence["p_with"].get("p")
    different = sentence.get("p_different") or {}
    if different.get("trials"):
        without, source = different.get("p"), "different"
    else:
        without, source = sentence["p_resampled"].get("p"), "resampled"
    return without, source, None if p_with is None or without is None else p_with - without


def keep(sentence: Mapping, kind: str, direction: str | None, min_delta: float) -> bool:
    """Whether an export keeps a sentence: anchors only (``kind='anchors'``) or every sentence (``'sentences'``),
    of the direction asked, with ``|importance| >= min_delta``; both read the ``prob_delta`` the record reports
    (a sentence no resample differed from was dropped by the counterfactual importance it lacks, though its record
    shows a ``prob_delta`` and ``importance_score``)."""
    value = _without(sentence)[2]
    if kind == "anchors" and not sentence.get("is_anchor"):
        return False
    if direction in ("raises", "lowers") and (value is None or (value > 0) != (direction == "raises")):
        return False
    # at min_delta as the counts mean it: 1.0 - 48/60 is 0.2 but computes as 0.1999...
    return min_delta <= 0 or (value is not None and reaches(abs(value), min_delta))


def measured(sentence: Mapping) -> bool:
    """Whether a sentence's ``prob_delta`` is known: a p(with) or p(without) no rollout measured (p null) gives a
    null one, and codelion's readers compare and sort ``importance_score`` as a number."""
    return _without(sentence)[2] is not None
