"""Content hashes: a problem, a file, a model folder, a model's parameters, a tokenizer, an oracle callable.

A leaf (no ptsfast imports): the problem loader derives ids from :func:`problem_hash`, and the run's identity
(:mod:`ptsfast.pipeline.identity`) is built from these hashes.

How large files are hashed (the honest version): every file up to 8 MiB (config, tokenizer, index files) is
hashed whole; larger files (the weights) are hashed by their size plus the bytes of their first and last MiB and
64 evenly spaced 64 KiB samples (about 6 MiB read per file, so a 60 GB checkpoint costs well under a second). Any
re-save of different weights (training changes every tensor) changes the sampled bytes; an edit confined to
bytes between the samples would not be seen. A model given in memory without a folder is hashed from its
parameters the same way (shape, dtype and a strided sample of each tensor's values).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

WHOLE_FILE_LIMIT = 8 << 20
_EDGE, _SAMPLES, _SAMPLE = 1 << 20, 64, 64 << 10
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _h(*parts: Any) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p if isinstance(p, bytes) else repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def problem_hash(problem: Any) -> str:
    """Content hash of a problem: question, answer, tests, choices, provided solution and its own system prompt
    (not its id)."""
    fields = {k: getattr(problem, k, None) for k in ("question", "answer", "tests", "choices", "solution")}
    if fields["choices"] is not None:
        fields["choices"] = list(fields["choices"])
    system = (getattr(problem, "meta", None) or {}).get("system_prompt")
    if system is not None:  # only when there is one: other problems keep the hash they had
        fields["system_prompt"] = system
    return _h(json.dumps(fields, sort_keys=True, ensure_ascii=False))


def file_hash(path: Path) -> str:
    """The whole file up to 8 MiB; larger files: size + first/last MiB + 64 evenly spaced 64 KiB samples."""
    size = path.stat().st_size
    h = hashlib.blake2b(digest_size=16)
    h.update(str(size).encode())
    with open(path, "rb") as f:
        if size <= WHOLE_FILE_LIMIT:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        else:
            offsets = [0, *(_EDGE + k * (size - 2 * _EDGE) // _SAMPLES for k in range(_SAMPLES)), size - _EDGE]
            for off in offsets:
                f.seek(off)
                h.update(f.read(_EDGE if off in (0, size - _EDGE) else _SAMPLE))
    return h.hexdigest()


_DOC_SUFFIXES = (".md", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf")
_DOC_STEMS = ("license", "licence", "notice", "copying", "readme", "use_policy")


def is_doc_file(name: str) -> bool:
    """A model card, licence or picture in a model folder (``README.md``, ``LICENSE``, ``*.md``, ``*.png``): read by
    people, never by the model's or tokenizer's loaders, so no part of what the model computes."""
    low = name.lower()
    return low.endswith(_DOC_SUFFIXES) or low.split(".")[0].split("-")[0] in _DOC_STEMS


def folder_files(folder: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """``{name: file_hash}`` of every regular, non-hidden file directly in ``folder``, but those named in
    ``exclude``."""
    return {p.name: file_hash(p) for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".") and p.name not in exclude}


def folder_hash(folder: Path, exclude: tuple[str, ...] = (), files: Mapping[str, str] | None = None) -> str:
    """Hash of every regular, non-hidden file directly in ``folder`` (name + :func:`file_hash`), but those named in
    ``exclude`` (a run's own files when ``--out`` is the model folder: they change with every problem); or of
    ``files``, as :func:`folder_files` gives them, when given."""
    files = folder_files(folder, exclude) if files is None else files
    return _h(sorted(files.items()))


def parameters_hash(model: Any) -> str:
    """Shapes, dtypes and a strided sample (up to 4096 values) of every parameter and buffer, plus the config."""
    import torch

    h = hashlib.blake2b(digest_size=16)
    cfg = getattr(model, "config", None)
    if cfg is not None and hasattr(cfg, "to_dict"):
        d = {k: v for k, v in cfg.to_dict().items()
             if k not in ("_name_or_path", "name_or_path", "transformers_version", "torch_dtype", "dtype")}
        h.update(json.dumps(d, sort_keys=True, default=str).encode())
    state = model.state_dict() if hasattr(model, "state_dict") else {}
    for name, t in sorted(state.items()):
        h.update(f"{name}:{tuple(t.shape)}:{t.dtype}".encode())
        if t.is_meta:  # offloaded: its values are not in memory (shape and dtype only)
            continue
        flat = t.detach().reshape(-1)
        step = max(1, flat.numel() // 4096)
        h.update(flat[::step].to("cpu", torch.float64).numpy().tobytes())
    return h.hexdigest()


def tokenizer_identity(tokenizer: Any) -> str:
    """Hash of the vocabulary, special tokens and chat template (what turns problems into prompt ids)."""
    try:
        vocab = sorted(tokenizer.get_vocab().items())
    except Exception:  # noqa: BLE001 - tokenizers without a vocabulary view
        vocab = []
    special = getattr(tokenizer, "all_special_tokens", None)
    return _h(type(tokenizer).__name__, vocab, special, getattr(tokenizer, "chat_template", None))


def callable_identity(fn: Any) -> dict:
    """``{"name", "hash"}`` of an oracle callable: module + qualname, and a hash of its source and code,
    defaults and closure values (memory addresses removed), so two different lambdas differ across processes."""
    import functools

    if isinstance(fn, functools.partial):
        inner = callable_identity(fn.func)
        return {"name": f"partial({inner['name']})", "hash": _h(inner["hash"], _clean(fn.args), _clean(fn.keywords))}
    target = fn if inspect.isfunction(fn) or inspect.ismethod(fn) else type(fn)
    name = f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', type(target).__name__)}"
    func = getattr(fn, "__func__", fn)
    parts: list[Any] = [name]
    if inspect.isfunction(func):
        parts += [_source(func), _code(func.__code__), _clean(func.__defaults__), _clean(func.__kwdefaults__),
                  [_clean(c.cell_contents) for c in (func.__closure__ or ()) if _cell_ok(c)]]
    else:  # a callable object: its class's __call__ and its attributes
        call = getattr(type(fn), "__call__", None)
        parts += [_source(call), _code(getattr(call, "__code__", None)), _clean(getattr(fn, "__dict__", None))]
    return {"name": name, "hash": _h(*parts)}


def _cell_ok(cell) -> bool:
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _code(code: Any) -> Any:
    if code is None:
        return None
    consts = tuple(_code(c) if inspect.iscode(c) else _clean(c) for c in code.co_consts)
    return (code.co_code, consts, code.co_names)


def _clean(v: Any) -> str:
    if inspect.isfunction(v):
        return callable_identity(v)["hash"]
    if isinstance(v, Mapping):
        return repr(sorted((str(k), _clean(x)) for k, x in v.items()))
    return _ADDRESS.sub("", repr(v))
