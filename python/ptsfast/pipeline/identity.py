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

import functools
import os
from pathlib import Path
from typing import Any

from ptsfast.problems.hashing import (callable_identity, folder_files, folder_hash, is_doc_file, parameters_hash,
                                      tokenizer_identity)
from ptsfast.problems.oracles import canonical_oracle_name


def model_path(model_name: str) -> str:
    """An existing folder as its resolved absolute path (``./m`` and ``/abs/m`` are one model), else as given."""
    p = Path(str(model_name)).expanduser()
    return str(p.resolve()) if p.is_dir() else str(model_name)


def model_identity(model: Any) -> dict:
    """``{"path", "weights"}``: the model's folder (resolved) and a hash of its files, or of its parameters
    when it was not loaded from a folder (:mod:`ptsfast.problems.hashing` says what is read); from a folder, also
    ``files`` (each file's hash, so that a resume names the files that changed) and ``legacy`` (the hash earlier
    ptsfast recorded, every file counted)."""
    name = getattr(model, "name_or_path", "") or getattr(getattr(model, "config", None), "_name_or_path", "")
    folder = Path(str(name)).expanduser() if name else None
    if folder is not None and folder.is_dir() and any(folder.glob("config.json")):
        return {"path": str(folder.resolve()), **_folder_identity(folder)}
    return {"path": str(name) or None, "weights": "parameters:" + parameters_hash(model)}


def _folder_identity(folder: Path) -> dict:
    """A model folder's fingerprint without its model card, licence and pictures (a README.md added to the folder
    refused the resume of its runs as "model weights/config changed"); ``legacy``: with them, as runs recorded it
    before, so that those runs still resume."""
    stamp = tuple((p.name, st.st_size, st.st_mtime_ns) for p in sorted(folder.iterdir())
                  if p.is_file() and (st := p.stat()))
    return dict(_hashed_folder(str(folder), stamp))


@functools.lru_cache(maxsize=4)
def _hashed_folder(folder: str, stamp: tuple) -> tuple:
    """:func:`_folder_identity` once per folder as it is on disk (``stamp``): the run's inputs and their legacy
    value are read of the one hashing (a large checkpoint's files are sampled, not read twice)."""
    every = folder_files(Path(folder), RUN_OUTPUT_FILES)
    files = {k: v for k, v in every.items() if not is_doc_file(k)}
    return (("weights", "files:" + folder_hash(Path(folder), files=files)), ("files", files),
            ("legacy", "files:" + folder_hash(Path(folder), files=every)))


RUN_OUTPUT_FILES = ("run.json", "done.jsonl", "pivots.jsonl", "pairs.jsonl", "problems.jsonl", "sentences.jsonl",
                    "summary.json", "report.html", "report.png", "run.json.tmp")
"""What a run writes in its folder: not part of a model folder's fingerprint when ``--out`` is that folder, and no
file the command line refuses to write into a model folder (the fingerprint leaves it out)."""


def input_folder_hash(folder: Path) -> str:
    """The fingerprint of an input folder a run may be written into too (``anchors --out`` the folder of its
    ``--embedding-model``): its files but the run's own, which were hashed with it, so that the run's first problem
    changed the encoder's fingerprint and the run never resumed ('made from other inputs')."""
    return folder_hash(Path(folder), exclude=RUN_OUTPUT_FILES)


def _dtype(model: Any) -> str | None:
    try:
        return str(next(iter(model.parameters())).dtype).replace("torch.", "")
    except (AttributeError, StopIteration, TypeError):
        return None


def folder_inputs(model: str | os.PathLike) -> dict:
    """The inputs of a model folder known before it loads (its files' fingerprint), as :func:`run_inputs` records
    them; ``{}`` for a name that is no folder."""
    folder = Path(str(model)).expanduser()
    if not folder.is_dir():
        return {}
    ident = _folder_identity(folder.resolve())
    return {"model_path": str(folder.resolve()), "model_weights": ident["weights"], "model_files": ident["files"]}


def legacy_inputs(inputs: dict) -> dict:
    """The values of ``inputs`` as an earlier ptsfast recorded them, where they differ (a model folder's fingerprint
    with its README.md): a run recorded with them is of the same inputs and resumes."""
    if not inputs.get("model_files") or not inputs.get("model_path"):
        return {}
    folder = Path(inputs["model_path"])
    ident = _folder_identity(folder) if folder.is_dir() else {}
    return {"model_weights": ident["legacy"]} if ident.get("legacy") not in (None, inputs["model_weights"]) else {}


def cached_folder(name: str | None) -> Path | None:
    """The snapshot folder of the local Hugging Face cache a model name (``org/name``) loads from; None for a name
    that is a folder, or not in the cache."""
    if not isinstance(name, str) or not name or Path(name).expanduser().is_dir():
        return None
    try:
        from huggingface_hub import try_to_load_from_cache

        config = try_to_load_from_cache(name, "config.json")
    except Exception:  # noqa: BLE001 - no hub library, or no repository name: nothing cached
        return None
    return Path(config).parent if isinstance(config, str) else None


def snapshot_weights(model: Any, model_name: str | None) -> str | None:
    """The files' fingerprint of the cache's snapshot folder a model loaded by its cache name (``org/name``) came
    from, which a run records beside its parameters' (:func:`weights_as_recorded`); None for any other model."""
    name = getattr(model, "name_or_path", None)
    if isinstance(model, (str, os.PathLike)) or not model_name or name != model_name:
        return None
    folder = cached_folder(model_name)
    return _folder_identity(folder.resolve())["weights"] if folder is not None else None


def weights_as_recorded(recorded: Any, model: Any, inputs: dict, snapshot: Any = None) -> dict:
    """``{"model_weights": ...}``: this model's fingerprint of the kind ``recorded`` (a run's) is, where this run's is
    of the other kind, else ``{}``. A model named by its cache name (``org/name``) is fingerprinted by its parameters
    (it has no folder path) and by its snapshot folder by the folder's files, so the run of one refused the resume
    of the other, same weights, as 'made from other inputs', advising --overwrite. ``snapshot``: the run's
    :func:`snapshot_weights`, what a folder given in place of a loaded model (a Ray run's) is compared with."""
    now = inputs.get("model_weights")
    if not isinstance(recorded, str) or not isinstance(now, str) or recorded.split(":")[0] == now.split(":")[0]:
        return {}
    if recorded.startswith("parameters:") and model is not None and not isinstance(model, (str, os.PathLike)):
        return {"model_weights": "parameters:" + parameters_hash(model)}
    if recorded.startswith("parameters:"):  # a folder, by its files: the same as the snapshot the run loaded
        same = isinstance(snapshot, str) and snapshot in (now, legacy_inputs(inputs).get("model_weights"))
        return {"model_weights": recorded} if same else {}
    folder = cached_folder(inputs.get("model_path")) if recorded.startswith("files:") else None
    if folder is None:
        return {}
    ident = _folder_identity(folder.resolve())
    return {"model_weights": recorded if recorded in (ident["weights"], ident["legacy"]) else ident["weights"]}


def run_inputs(model: Any, tokenizer: Any, oracle: Any) -> dict:
    """What ``run.json`` records under ``inputs``: model folder + weights hash, tokenizer hash, oracle identity."""
    if not isinstance(model, (str, os.PathLike)):
        ident = model_identity(model)
    elif Path(str(model)).expanduser().is_dir():
        ident = {"path": model_path(str(model)), **_folder_identity(Path(model_path(str(model))))}
    else:
        ident = {"path": model_path(str(model)), "weights": None}
    out = {"model_path": ident["path"], "model_weights": ident["weights"]}
    if "files" in ident:  # each file's hash: a resume names the files that changed
        out["model_files"] = ident["files"]
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
