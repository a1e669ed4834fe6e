"""The ``trl`` export: DPO pairs for TRL, ``prompt``/``chosen``/``rejected`` first, then the exact token ids.

After the text come the token ids (``prompt_ids``, ``chosen_ids``, ``rejected_ids``), codelion/pts's DPO
``metadata`` and every other pair field. Train on it with :class:`ptsfast.outputs.dpo.PivotDPOTrainer`, which
feeds TRL those ids as they are (TRL's own preparation re-tokenises the text and appends EOS to each completion).
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable, Mapping

from ptsfast.outputs.source import TRL_FIELDS, RunSource, judged_fields
from ptsfast.problems.oracles import task_type

log = logging.getLogger(__name__)

TRL_MAX_LENGTH = 1024
"""TRL's DPOConfig default ``max_length`` (TRL 1.16; a test compares it with the installed TRL's): its DPOTrainer
drops a pair whose prompt has at least that many tokens."""


def trl_record(pair: Mapping, pivot: Mapping | None, source: RunSource, keep_fields: bool = True) -> dict:
    """A pair as TRL reads it: the text fields first, then codelion's ``metadata`` and (unless ``keep_fields``
    is False) every other field of the pair, and what the oracle reads of its problem (its answer: a pair exported
    alone is re-judged from it)."""
    text = {k: pair[k] for k in TRL_FIELDS}
    if not keep_fields:
        return text
    return text | {"metadata": dpo_metadata(pair, pivot, source)} | {k: v for k, v in pair.items()
                                                                     if k not in TRL_FIELDS} \
        | judged_fields(source.problem_of(pair))


def dpo_metadata(pair: Mapping, pivot: Mapping | None, source: RunSource) -> dict:
    """codelion/pts's DPO ``metadata``: original query, |Δp| of the pivot, task type."""
    problem = source.problem_of(pair)
    delta = None
    if pivot is not None and pivot.get("p_after") is not None and pivot.get("p_before") is not None:
        delta = abs(pivot["p_after"] - pivot["p_before"])
    return {"original_query": problem.get("question"), "prob_delta": delta,
            "task_type": task_type(pair.get("oracle") or (source.info.get("config") or {}).get("oracle"))}


def warn_long_prompts(pairs: Iterable[Mapping]) -> None:
    """Says how many pairs TRL's DPOConfig default drops from training, and the max_length that keeps them:
    DPOTrainer drops a pair whose prompt fills max_length without a word, and a pivot deep in a reasoning trace has
    a prompt of thousands of tokens (PivotDPOTrainer says so too, as it trains)."""
    sizes = [(len(p["prompt_ids"]), len(p["prompt_ids"]) + max(len(p["chosen_ids"]), len(p["rejected_ids"])))
             for p in pairs if all(isinstance(p.get(k), (list, array)) for k in ("prompt_ids", "chosen_ids",
                                                                                   "rejected_ids"))]
    long = sum(prompt >= TRL_MAX_LENGTH for prompt, _ in sizes)
    if long:
        log.warning("%d of %d pairs have a prompt of at least %d tokens, TRL's DPOConfig default max_length, which "
                    "DPOTrainer drops from training without a word - train with DPOConfig(max_length=%d) or more (or "
                    "None): the longest pair, prompt and side, is that many tokens", long, len(sizes),
                    TRL_MAX_LENGTH, max(whole for _, whole in sizes))
