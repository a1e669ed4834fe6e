"""The ``trl`` export: DPO pairs for TRL, ``prompt``/``chosen``/``rejected`` first, then the exact token ids.

After the text come the token ids (``prompt_ids``, ``chosen_ids``, ``rejected_ids``), codelion/pts's DPO
``metadata`` and every other pair field. Train on it with :class:`ptsfast.outputs.dpo.PivotDPOTrainer`, which
feeds TRL those ids as they are (TRL's own preparation re-tokenises the text and appends EOS to each completion).
"""

from __future__ import annotations

from collections.abc import Mapping

from ptsfast.outputs.source import TRL_FIELDS, RunSource, judged_fields
from ptsfast.problems.oracles import task_type


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
