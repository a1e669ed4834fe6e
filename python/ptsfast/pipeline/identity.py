"""Fingerprints of a run's inputs: what a resume must match besides the config.

A run directory may only be resumed with the inputs it was made from. ``run.json`` stores
:func:`run_inputs` (model, tokenizer, oracle) and every done marker stores the content hash of its
problem (:func:`~ptsfast.problems.hashing.problem_hash`), so a resume refuses, naming the difference,
new weights saved at the same path, another tokenizer, another oracle callable, or a problem whose id
was reused for other content; the same inputs under another spelling of the path (``./m`` vs
``/abs/m``) resume.

The hashes themselves (what is read of a model folder, of weights in memory) are
:mod:`ptsfast.problems.hashing`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ptsfast.problems.hashing import callable_identity, folder_hash, parameters_hash, tokenizer_identity
from ptsfast.problems.oracles import canonical_oracle_name


def model_path(model_name: str) -> str:
    """An existing folder as its resolved absolute path (``./m`` and ``/abs/m`` are one model), else as given."""
    p = Path(str(model_name)).expanduser()
    return str(p.resolve()) if p.is_dir() else str(model_name)


def model_identity(model: Any) -> dict:
    """``{"path", "weights"}``: the model's folder (resolved) and a hash of its files, or of its parameters
    when it was not loaded from a folder (:mod:`ptsfast.problems.hashing` says what is read)."""
    name = getattr(model, "name_or_path", "") or getattr(getattr(model, "config", None), "_name_or_path", "")
    folder = Path(str(name)).expanduser() if name else None
    if folder is not None and folder.is_dir() and any(folder.glob("config.json")):
        return {"path": str(folder.resolve()), "weights": "files:" + folder_hash(folder, _RUN_FILES)}
    return {"path": str(name) or None, "weights": "parameters:" + parameters_hash(model)}


_RUN_FILES = ("run.json", "done.jsonl", "pivots.jsonl", "pairs.jsonl", "problems.jsonl", "sentences.jsonl",
              "summary.json", "report.html", "report.png", "run.json.tmp")
"""What a run writes in its folder: not part of a model folder's fingerprint when ``--out`` is that folder."""


def _dtype(model: Any) -> str | None:
    try:
        return str(next(iter(model.parameters())).dtype).replace("torch.", "")
    except (AttributeError, StopIteration, TypeError):
        return None


def run_inputs(model: Any, tokenizer: Any, oracle: Any) -> dict:
    """What ``run.json`` records under ``inputs``: model folder + weights hash, tokenizer hash, oracle identity."""
    ident = model_identity(model) if not isinstance(model, (str, os.PathLike)) else \
        {"path": model_path(str(model)), "weights": "files:" + folder_hash(Path(model_path(str(model))), _RUN_FILES)
         if Path(str(model)).expanduser().is_dir() else None}
    out = {"model_path": ident["path"], "model_weights": ident["weights"]}
    dtype = _dtype(model)
    if dtype is not None:  # the same weights in another precision give other results
        out["dtype"] = dtype
    if tokenizer is not None:
        out["tokenizer"] = tokenizer_identity(tokenizer)
    if callable(oracle):
        c = callable_identity(oracle)
        out["oracle"] = f"callable:{c['name']}#{c['hash']}"
    else:
        out["oracle"] = canonical_oracle_name(oracle)
    return out
