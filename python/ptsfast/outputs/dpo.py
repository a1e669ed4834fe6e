"""Train TRL's ``DPOTrainer`` on exactly the mined pairs: prompt = the query's token ids, chosen and rejected =
one token each, nothing appended.

TRL's own dataset preparation cannot be told to keep given token ids: it re-tokenises ``prompt + chosen`` from
text and appends EOS to every completion (checked in TRL 0.29 to 1.16), so a pivot pair would train as
``[pivot, EOS]`` vs ``[alt, EOS]`` and also push EOS right after the pivot. :class:`PivotDPOTrainer` replaces
that one step: it hands TRL's collator the exported ``prompt_ids``/``chosen_ids``/``rejected_ids`` as they are.
Everything else (losses, reference model, PEFT, logging) is TRL's.

Usage (``pairs.jsonl`` from ``ptsfast export --run RUN --out pairs.jsonl``)::

    from ptsfast.outputs.dpo import PivotDPOTrainer, load_pairs
    trainer = PivotDPOTrainer(model=model, args=DPOConfig(output_dir="dpo"), train_dataset=load_pairs("pairs.jsonl"),
                              processing_class=tokenizer)
    trainer.train()
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MIN_TRL = (0, 29)
ID_COLUMNS = ("prompt_ids", "chosen_ids", "rejected_ids")
_KEEP = ("prompt", "chosen", "rejected", *ID_COLUMNS, "problem_id", "position", "direction", "delta", "model")

try:
    import trl
    from trl import DPOTrainer
except ImportError as e:  # one line that names the fix
    raise ImportError(f"ptsfast.outputs.dpo trains with TRL, which is not installed ({e}); run: "
                      f"pip install 'trl>=0.29'") from None


def _version(v: str) -> tuple[int, int]:
    parts = []
    for p in v.split(".")[:2]:
        digits = "".join(c for c in p if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)  # type: ignore[return-value]


if _version(trl.__version__) < MIN_TRL:
    raise ImportError(f"ptsfast.outputs.dpo needs trl>=0.29 (its DPO collator reads "
                      f"prompt_ids/chosen_ids/rejected_ids); trl {trl.__version__} is installed: "
                      f"pip install -U 'trl>=0.29'")


def load_pairs(path: str | os.PathLike):
    """A ``datasets.Dataset`` of ptsfast DPO pairs from an export (``--format trl``/``jsonl`` file or ``hf``
    folder) or a run folder (its ``pairs.jsonl``); keeps the text, the token ids and a few pair fields."""
    import datasets

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_pairs takes the path of an export or a run folder, got {type(path).__name__}; a "
                        f"datasets.Dataset of pairs goes to PivotDPOTrainer(train_dataset=...) as it is")
    from ptsfast.outputs.rundir import PAIRS
    from ptsfast.outputs.source import (TRL_FIELDS, check_one_kind, check_readable, check_record, is_run_dir,
                                        open_source)

    check_readable(path)  # a fifo waited for a writer for ever
    p = Path(path).expanduser()
    if p.is_dir() and (p / PAIRS).is_file():
        p = p / PAIRS
    elif p.is_dir() and is_run_dir(p):  # else "neither a ptsfast run folder nor a datasets folder"
        what = ("a `ptsfast anchors` run: its sentences.jsonl holds thought anchors, which make no DPO pairs (export "
                "them with --format thought_anchors)" if (p / "sentences.jsonl").exists() else
                f"a ptsfast run without {PAIRS} (restore it from a copy of the run)")
        raise ValueError(f"{p} is {what}; DPO pairs come from `ptsfast mine`")
    if p.is_file() and p.name == PAIRS and is_run_dir(p.parent):
        # a run still being mined ends in a problem being written (a torn last line): the pairs it committed, read
        # as the exports read them (a pair whose sides were swapped by hand trained the opposite preference, one
        # copied twice twice, one of a refuted pivot as if it held, another run's under this one's name)
        from ptsfast.outputs.export import run_records
        from ptsfast.outputs.rundir import warn_if_being_mined
        from ptsfast.outputs.source import filter_records

        mined = run_records(open_source(p, PAIRS), "pairs", "pairs", packed=False)
        rows = filter_records(mined)  # a refuted pivot's pairs are left out, as every export leaves them out
        warn_if_being_mined(p.parent, "the dataset")
        if mined and not rows:
            raise ValueError(f"{p.parent} holds {len(mined)} pairs, all of pivots refuted on fresh rollouts (their "
                             f"confirmed in pivots.jsonl): none is a pair to train on - mine more problems into it")
    elif p.is_dir():
        try:
            ds = datasets.load_from_disk(str(p))
        except Exception as e:  # noqa: BLE001 - re-raised with the fix
            if (p / "state.json").is_file() or (p / "ptsfast_export.json").is_file():  # one, damaged or cut short
                raise ValueError(f"{p} is a datasets folder that does not load ({type(e).__name__}: {e}): it was "
                                 f"cut short or damaged (copied while it was written?) - export it again "
                                 f"(ptsfast export --run RUN --format hf --out {p})") from None
            raise ValueError(f"{p} is neither a ptsfast run folder nor a datasets folder ({e}); pass the file "
                             f"written by `ptsfast export --run RUN --out pairs.jsonl`") from None
        rows: list[Mapping[str, Any]] = ds.to_list()
    elif p.is_file():
        rows = []
        n, fix = 0, ("pass the file written by `ptsfast export --run RUN --out pairs.jsonl` (or that file gzip-, "
                     "bz2- or xz-compressed)")
        with _open_text(p) as f:
            try:
                for n, line in enumerate(f, 1):
                    if line.strip():
                        rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                if not (rows and not line.endswith("\n")):
                    raise ValueError(f"{p} line {n} is not JSON ({e.msg}); {fix}") from None
                # a last line cut short, as the export reads one: a file copied while it was written
                log.warning("%s line %d is cut short (no newline, not JSON: the file was copied while it was "
                            "written?): left out", p, n)
            except (UnicodeDecodeError, OSError, EOFError) as e:  # bytes of another kind, or a cut archive
                raise ValueError(f"{p} line {n + 1} is not UTF-8 JSON text ({e}); {fix}") from None
    else:
        raise FileNotFoundError(f"{p} does not exist; export the pairs first: ptsfast export --run RUN --out {p}")
    if not rows:
        if p.name == PAIRS and is_run_dir(p.parent) and _pairs_off(p.parent):  # as the export says it
            raise ValueError(f"{p.parent} holds no pairs: it was mined with --no-pairs-enabled (pivots only); mine "
                             f"again with pairs on to train on pairs")
        if p.name == PAIRS and is_run_dir(p.parent):  # no export filtered it: the run found none (yet)
            from ptsfast.outputs.rundir import finished_problems

            raise ValueError(f"{p.parent} holds no pairs: the run found none in the {finished_problems(p.parent)} "
                             f"problems it finished - mine more problems into it")
        raise ValueError(f"{p} holds no pairs; mine more problems or loosen the export filters")
    _check_columns(rows[0], str(p))
    keep = [k for k in _KEEP if k in rows[0]]
    rows = [{k: r.get(k) for k in keep} for r in rows]
    if not p.is_dir():  # a pair another tool rewrote (a position "8", ids "x") is named as the exports name it; its
        for r in rows:  # text may be TRL's conversational messages: the ids are what is trained
            check_record({k: v for k, v in r.items() if k not in TRL_FIELDS}, "pairs", p, need=())
    # then Arrow, one type a column: a field of two kinds (a model 5 among names) failed in pyarrow's words
    check_one_kind(rows, p, "a datasets.Dataset (Arrow)", "restore the file")
    return datasets.Dataset.from_list(rows)


def _pairs_off(run_dir: Path) -> bool:
    """Whether a run was mined with pairs off, as its run.json says."""
    from ptsfast.outputs.rundir import PAIRS
    from ptsfast.outputs.source import open_source

    try:
        config = open_source(run_dir, PAIRS).info.get("config") or {}
    except (OSError, ValueError):
        return False
    return (((config.get("mining") or {}).get("pairs") or {}).get("enabled", True)) is False


def _open_text(path: Path):
    """A JSONL file as text; one compressed after the export (``.gz``, ``.bz2``, ``.xz``, as the export advises)
    unpacked on the fly."""
    import bz2
    import gzip
    import lzma

    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(path.suffix.lower(), open)
    return opener(path, "rt", encoding="utf-8")


def _check_columns(first: Mapping[str, Any], where: str) -> None:
    missing = [c for c in ID_COLUMNS if c not in first]
    if missing:
        what = "a text-only DPO file (codelion/pts or other)" if {"prompt", "chosen", "rejected"} <= set(first) \
            else "not a DPO pairs file"
        raise ValueError(f"{where} is {what}: it has no {'/'.join(missing)}, so the exact mined token ids are "
                         f"unknown; export the run with `ptsfast export --run RUN --out pairs.jsonl`")


def _check_ids(row: Mapping[str, Any], tokenizer, vocab: int) -> None:
    """Refuses a pair mined with another model: an id beyond the vocabulary (``vocab``: the model's embedding rows
    where known, else the tokenizer's size), or
    prompt ids that decode to other words than the export wrote (which leaves out a BOS the tokenizer adds itself:
    TRL adds it back; the spaces are not compared, which another transformers release decodes otherwise)."""
    from ptsfast.outputs.source import words

    where = f"pair {row.get('problem_id')!r} at position {row.get('position')}"
    for col in ID_COLUMNS:  # else max() of nothing, or a str compared with an int; a negative id fails in training
        v = row[col]
        if isinstance(v, (str, bytes)) or not isinstance(v, Sequence) or not v or not all(
                isinstance(t, int) and not isinstance(t, bool) and t >= 0 for t in v):
            raise ValueError(f"{where}: {col} must be a non-empty list of token ids (ints >= 0), got {v!r:.60}; "
                             f"load the pairs with load_pairs(path)")
    top = max(max(row["prompt_ids"]), max(row["chosen_ids"]), max(row["rejected_ids"]))
    if top >= vocab:
        raise ValueError(f"{where} uses token id {top} but the model has {vocab} tokens: it was mined with "
                         f"another model ({row.get('model')!r}); train the model that mined the pairs")
    if not isinstance(row.get("prompt"), str):  # none, or TRL's conversational messages: the ids alone are checked
        return
    ids, bos = list(row["prompt_ids"]), getattr(tokenizer, "bos_token_id", None)
    texts = [tokenizer.decode(ids, skip_special_tokens=False)]
    if bos is not None and ids[:1] == [bos]:
        texts.append(tokenizer.decode(ids[1:], skip_special_tokens=False))
    if words(row["prompt"]) not in {words(t) for t in texts}:
        raise ValueError(f"the tokenizer decodes the prompt_ids of {where} to other text than was mined "
                         f"({texts[-1][-40:]!r} vs {row['prompt'][-40:]!r}): it comes from another model "
                         f"({row.get('model')!r}); train the model that mined the pairs")


def prepare_pairs(dataset, tokenizer, max_length: int | None = None, truncation_mode: str = "keep_start",
                  vocab: int | None = None, name: str = "train"):
    """The dataset TRL's preference collator reads: ``prompt_ids``, ``chosen_ids``, ``rejected_ids`` exactly as
    exported (no re-tokenisation, no EOS). Checks the ids against ``tokenizer`` and ``vocab``, the model's embedding
    rows (default: the tokenizer's size; a model may have more, as Qwen's do, and sample one of them); with
    ``max_length`` (TRL's ``keep_start`` truncation) drops pairs whose prompt leaves no room for the completion, as
    TRL does, naming the max_length that keeps them (``name``: the dataset's, train or eval)."""
    cols = dataset.column_names if hasattr(dataset, "column_names") and dataset.column_names else \
        list(next(iter(dataset), {}).keys())
    _check_columns(dict.fromkeys(cols), "the training dataset")
    vocab = len(tokenizer) if vocab is None else vocab
    longest = 0  # the longest pair (prompt and its longer side): the max_length that keeps every pair whole
    for row in dataset:
        _check_ids(row, tokenizer, vocab)
        longest = max(longest, len(row["prompt_ids"]) + max(len(row["chosen_ids"]), len(row["rejected_ids"])))
    dataset = dataset.select_columns(list(ID_COLUMNS)) if hasattr(dataset, "select_columns") else dataset
    if max_length is not None and truncation_mode == "keep_start":
        n0 = len(dataset) if hasattr(dataset, "__len__") else None
        dataset = dataset.filter(lambda ex: len(ex["prompt_ids"]) < max_length)
        keep = (f"pass DPOConfig(max_length={longest}) or more (or None) to keep them all: the longest pair, prompt "
                f"and side, is {longest} tokens (TRL's default is 1024; a pivot deep in a reasoning trace has a prompt "
                f"of thousands)")
        if n0 and not len(dataset):  # else train() failed in torch's words: 'num_samples ... got num_samples=0'
            raise ValueError(f"all {n0} pairs of the {name} dataset have a prompt of at least max_length="
                             f"{max_length} tokens, which TRL drops: nothing is left to train on - {keep}")
        if n0 is not None and len(dataset) < n0:
            log.warning("dropped %d of %d pairs of the %s dataset whose prompt is at least max_length=%d tokens: %s",
                        n0 - len(dataset), n0, name, max_length, keep)
    elif max_length is not None:
        log.warning("truncation_mode=%r cuts the start of long prompts: those pairs train on a shorter query than "
                    "was mined", truncation_mode)
    return dataset


class PivotDPOTrainer(DPOTrainer):
    """TRL's ``DPOTrainer`` that trains on the exported token ids as they are (see the module doc).

    Takes the same arguments as ``trl.DPOTrainer``; ``train_dataset``/``eval_dataset`` must hold ptsfast pairs
    (``load_pairs``).
    """

    def __init__(self, model=None, *args, **kwargs):
        # the ids a pair may hold are the model's embedding rows (TRL's _prepare_dataset runs before self.model is
        # set); a model given by name is loaded by TRL, and the tokenizer's size bounds them
        try:  # a model that does not say (NotImplementedError from transformers' base class) is bounded as by name
            rows = getattr(getattr(model, "get_input_embeddings", lambda: None)(), "num_embeddings", None)
        except (NotImplementedError, AttributeError):
            rows = None
        self._ptsfast_vocab = rows if isinstance(rows, int) else None
        super().__init__(model, *args, **kwargs)

    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):  # TRL's hook, same signature
        tokenizer = getattr(processing_class, "tokenizer", processing_class)
        return prepare_pairs(dataset, tokenizer, args.max_length, getattr(args, "truncation_mode", "keep_start"),
                             vocab=getattr(self, "_ptsfast_vocab", None), name=dataset_name)
