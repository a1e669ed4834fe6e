"""codelion/pts compatible records: a ptsfast pivot as a ``pivotal_tokens.jsonl`` record (the ``pts`` export).

The record has codelion/pts's fields with its meanings (``model_id, query, pivot_context, pivot_token,
pivot_token_id, prob_before, prob_after, prob_delta, is_positive, task_type, dataset_id, dataset_item_id,
timestamp``); ptsfast's extra fields are added after them, none of codelion's is renamed.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from typing import Any

from ptsfast.demo import is_demo_model
from ptsfast.outputs.source import ExportError, RunSource, judged_fields, run_model, words
from ptsfast.problems.oracles import task_type

PTS_FIELDS = ("model_id", "query", "pivot_context", "pivot_token", "pivot_token_id", "prob_before", "prob_after",
              "prob_delta", "is_positive", "task_type", "dataset_id", "dataset_item_id", "timestamp")
"""codelion/pts ``PivotalToken.to_dict()`` fields, in its order."""


def timestamp(created: Any) -> str:
    """codelion's timestamp format (``%Y-%m-%dT%H:%M:%S``) of the run's start (UTC): run.json's ISO time, or a
    POSIX time another tool wrote there; now where it holds neither."""
    try:
        if isinstance(created, (int, float)) and not isinstance(created, bool):
            t = _dt.datetime.fromtimestamp(created, _dt.timezone.utc)
        else:
            t = _dt.datetime.fromisoformat(created) if isinstance(created, str) and created else None
    except (ValueError, OverflowError, OSError):
        t = None
    t = t or _dt.datetime.now(_dt.timezone.utc)
    if t.tzinfo is not None:
        t = t.astimezone(_dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def context_fields(tokenizer, prefix_ids) -> dict:
    """A pivot's context as codelion/pts's readers and TRL read ``pivot_context``: they tokenise it with the
    tokenizer's special tokens. Where the tokenizer adds none, ``prefix_text`` is that text (``{}``); else
    ``context_text_exact`` says whether that tokenisation gives back ``prefix_ids``, and ``context_text`` is the text
    without the BOS the tokenizer adds itself, where the prefix starts with it (a Llama, Mistral or Gemma chat
    template writes it too: kept, they see two)."""
    ids = [int(t) for t in prefix_ids]
    added = list(tokenizer("a")["input_ids"])
    if added == list(tokenizer("a", add_special_tokens=False)["input_ids"]):
        return {}
    bos = getattr(tokenizer, "bos_token_id", None)
    own = bos is not None and ids[:1] == [bos] and added[:1] == [bos]
    text = tokenizer.decode(ids[1:] if own else ids, skip_special_tokens=False)
    return {**({"context_text": text} if own else {}), "context_text_exact": list(tokenizer(text)["input_ids"]) == ids}


def token_fields(tokenizer, pivot: Mapping) -> dict:
    """Whether a pivot's token text, read after its context as codelion's readers and TRL read ``pivot_context +
    pivot_token``, tokenises back to the context's ids and the token's (``token_text_exact``): a token that is part
    of a character has no text of its own (its record shows U+FFFD), and one the model sampled apart from the
    tokenizer's own merge (" app" "les") is read as another token."""
    ids = [int(t) for t in pivot["prefix_ids"]]
    fields = pivot if "context_text_exact" in pivot else {**pivot, **context_fields(tokenizer, ids)}
    context = fields.get("context_text", fields.get("prefix_text"))
    if context is None:
        context = tokenizer.decode(ids, skip_special_tokens=False)
    read = list(tokenizer(context + pivot["token"])["input_ids"])
    return {"token_text_exact": read == ids + [int(pivot["token_id"])]}


def _token_exact(pivot: Mapping, problem: Mapping, tokenizer) -> bool | None:
    """:func:`token_fields` with the tokenizer the export has, else as the run recorded it; of a run that recorded
    neither, only a token that is part of a character is known (its solution's token text is empty): else None."""
    if tokenizer is not None:
        return token_fields(tokenizer, pivot)["token_text_exact"]
    if isinstance(pivot.get("token_text_exact"), bool):
        return pivot["token_text_exact"]
    key = json.dumps(pivot.get("trajectory"))
    trajectory = next((t for t in problem.get("trajectories") or []
                       if isinstance(t, dict) and json.dumps(t.get("key")) == key), {})
    tokens, i = trajectory.get("tokens"), pivot["position"]
    return False if isinstance(tokens, list) and i < len(tokens) and tokens[i] == "" else None


def _context(pivot: Mapping, tokenizer) -> tuple[str, bool | None]:
    """``(pivot_context, pivot_context_exact)``: the text that codelion's readers and TRL tokenise back to
    ``prefix_ids`` (:func:`context_fields`; computed here for a run that did not record it, given its tokenizer)."""
    ids = [int(t) for t in pivot["prefix_ids"]]
    if tokenizer is not None and "context_text_exact" not in pivot:
        pivot = {**pivot, **context_fields(tokenizer, ids)}
    text = pivot.get("context_text", pivot.get("prefix_text"))
    if text is None:
        if tokenizer is None:
            raise ExportError(f"pivot of problem {pivot.get('problem_id')!r} has no prefix_text (a run mined before "
                              f"it was recorded); pass --model with the run's model so its tokenizer can decode the "
                              f"context")
        text = tokenizer.decode(ids, skip_special_tokens=False)
    if "context_text_exact" in pivot:
        return text, pivot["context_text_exact"]
    exact = pivot.get("prefix_text_exact")
    if exact is None and tokenizer is not None:
        exact = list(tokenizer(text, add_special_tokens=False)["input_ids"]) == ids
    return text, exact


def pts_record(pivot: Mapping, source: RunSource, pair: Mapping | None = None, tokenizer=None) -> dict:
    """A codelion/pts ``pivotal_tokens.jsonl`` record for a ptsfast pivot, ptsfast's extra fields after it."""
    problem = source.problem_of(pivot)
    before, after = pivot["p_before"], pivot["p_after"]
    delta = after - before
    if tokenizer is not None and "context_text_exact" not in pivot:  # tokenised once, read by each check below
        pivot = {**pivot, **context_fields(tokenizer, pivot["prefix_ids"])}
    context, exact = _context(pivot, tokenizer)
    token_exact = _token_exact(pivot, problem, tokenizer)
    rec = {
        "model_id": pivot.get("model") or source.model_name(),
        "query": problem.get("question"),
        "pivot_context": context,
        "pivot_token": pivot["token"],
        "pivot_token_id": int(pivot["token_id"]),
        "prob_before": before,
        "prob_after": after,
        "prob_delta": delta,
        "is_positive": delta > 0,
        "task_type": task_type(pivot.get("oracle") or (source.info.get("config") or {}).get("oracle")),
        "dataset_id": problem.get("dataset") or source.info.get("dataset"),  # a resume may add another's
        "dataset_item_id": str(pivot["problem_id"]),
        "timestamp": timestamp(source.created()),
        # ptsfast's additions
        "problem_id": str(pivot["problem_id"]),
        "trajectory": pivot.get("trajectory"),
        "position": pivot["position"],
        "pivot_context_ids": list(pivot["prefix_ids"]),
        "pivot_context_exact": exact,
        "pivot_token_exact": _both(exact, token_exact),
        "direction": pivot["direction"],
        "before": pivot.get("before"),
        "after": pivot.get("after"),
        "confirmed": pivot.get("confirmed"),
        "oracle": pivot.get("oracle"),
        **judged_fields(problem),
        "seed": pivot.get("seed"),
        "sampler": pivot.get("sampler"),
    }
    alt_is_rejected = pair is not None and pair["chosen_ids"] == [rec["pivot_token_id"]]
    if pair is not None and alt_is_rejected == rec["is_positive"]:
        # codelion's storage names the pair's other token rejected_token, whichever side it is on, and its DPO
        # export orients the pair by prob_delta's sign: an undecided pivot whose fresh report has the other sign
        # than its direction would be trained the other way round, so it gets no rejected_token
        rec["rejected_token"] = pair["rejected"] if alt_is_rejected else pair["chosen"]
        rec["rejected_token_id"] = (pair["rejected_ids"] if alt_is_rejected else pair["chosen_ids"])[0]
        # codelion's event-schema DPO export reads a positive pivot's other side as rejected_token with its
        # rejected_prob, a negative one's as chosen_token with its chosen_prob: without them it skipped every
        # lowering pivot's pair and called the raising ones' unmeasured (counterpart_verified false)
        if alt_is_rejected:
            rec["rejected_prob"] = pair.get("p_rejected")
        else:
            rec.update(chosen_token=rec["rejected_token"], chosen_token_id=rec["rejected_token_id"],
                       chosen_prob=pair.get("p_chosen"))
        rec["pair_text_exact"] = _pair_exact(rec, pair, tokenizer, token_exact)
    return rec


def _both(a: bool | None, b: bool | None) -> bool | None:
    """Two exactness flags together: false where either is, unknown (None) where neither is false and one is."""
    return False if a is False or b is False else None if a is None or b is None else True


def _pair_exact(rec: Mapping, pair: Mapping, tokenizer, token_exact: bool | None = None) -> bool | None:
    """Whether codelion's DPO pair of a record (``pivot_context`` then ``pivot_token`` or ``rejected_token``), which
    TRL tokenises as text, gives back the mined ids: the context may, and its text with a token not (the model
    sampled " app" "les", TRL reads " apples"). The trl pair's ``text_exact`` where its prompt is this context.
    ``token_exact``: the pivot token's side, where :func:`token_fields` tokenised it already (a context of thousands
    of tokens takes ~10 ms a tokenisation)."""
    if tokenizer is None:
        return pair.get("text_exact") if pair.get("prompt") == rec["pivot_context"] else None
    ids = list(rec["pivot_context_ids"])
    sides = [(rec["rejected_token"], rec["rejected_token_id"])]
    if token_exact is None:
        sides.append((rec["pivot_token"], rec["pivot_token_id"]))
    return bool(rec["pivot_context_exact"]) and token_exact is not False and all(
        list(tokenizer(rec["pivot_context"] + text)["input_ids"]) == ids + [tok] for text, tok in sides)


def check_tokenizer(pivots: list[Mapping], tokenizer, source: RunSource) -> None:
    """Refuses another model's tokenizer for a run's pivots: contexts that it decodes to other text than the run
    recorded (its first few: a tokenizer of as many other words), or, where the run recorded none, an id beyond its
    vocabulary (a model's own may sample one past its tokenizer's: then the texts agree). The records it would
    write decode an older run's contexts and say whether codelion's pairs tokenise back, both wrong."""
    fix = f"pass the model the run was mined with (--model; the run used {source.model_name()!r})"
    recorded = [p for p in pivots if isinstance(p.get("prefix_text"), str)][:8]
    decoded = [tokenizer.decode([int(t) for t in p["prefix_ids"]], skip_special_tokens=False) for p in recorded]
    if recorded and all(words(d) != words(p["prefix_text"]) for d, p in zip(decoded, recorded)):
        raise ExportError(f"the tokenizer decodes the contexts of {source.file} to other text than the run recorded "
                          f"({decoded[0][-30:]!r}, not {recorded[0]['prefix_text'][-30:]!r}): it is another model's; "
                          f"{fix}")
    vocab = len(tokenizer)
    top = max((int(t) for p in pivots for t in [*p["prefix_ids"], p["token_id"]]), default=-1)
    if not recorded and top >= vocab:
        raise ExportError(f"token id {top} of {source.file} is outside the tokenizer's {vocab} tokens: it is another "
                          f"model's; {fix}")


def tokenizer_for(source: RunSource, model: Any):
    """The tokenizer of ``model`` (a path, or a loaded ``(model, tokenizer)``), else of the run's model."""
    if isinstance(model, tuple):
        return model[1]
    from ptsfast.models import demo_model_dir, load_tokenizer

    name = model or source.model_name()
    if not name:
        raise ExportError(f"{source.file} does not say which model mined it; pass --model")
    if is_demo_model(name):
        name = demo_model_dir()
    with run_model(source, model):
        return load_tokenizer(name)
