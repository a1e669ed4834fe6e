"""codelion/pts steering vectors (the ``steering`` export): forward passes to the hidden state behind each pivot.

A record holds the hidden state that predicts the pivot token (the output of decoder layer ``layer`` at the last
token of ``pivot_context``) and its kind's mean (``cluster_vector``). One forward pass per trajectory computes
the states of all of its pivots, and stops after the chosen layer.
"""

from __future__ import annotations

import json
import logging
import operator
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ptsfast.demo import DEMO_MODEL_NAME, is_demo_model
from ptsfast.outputs.codelion import pts_record
from ptsfast.outputs.progress import progress_bar
from ptsfast.outputs.source import ExportError, RunSource, run_model

log = logging.getLogger(__name__)

STEERING_FIELDS = ("query", "pivot_context", "pivot_token", "pivot_token_id", "prob_before", "prob_after",
                   "prob_delta", "model_id", "task_type", "steering_vector", "cluster_id", "reasoning_pattern",
                   "cluster_vector", "steering_layer")
"""codelion/pts steering-export fields, in its order."""

# pivot kind -> (cluster_id, reasoning_pattern) of the steering export
KINDS = {"raises": (0, "raises_success"), "lowers": (1, "lowers_success")}


def decoder_layers(model) -> Sequence:
    """The model's list of decoder layers (``model.layers`` and the usual alternatives; an image-text model's
    text layers, ``model.language_model.layers``, as Gemma 3 4B-27B checkpoints hold them)."""
    for path in ("model.layers", "model.language_model.layers", "model.decoder.layers", "transformer.h",
                 "gpt_neox.layers", "layers"):
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
    chosen layer (later layers and the LM head are never computed), in inference mode (dropout off), and the model
    is left in the mode it was given in.
    """
    import torch

    layers = decoder_layers(model)
    check_layer(len(layers), layer)
    captured: list = []

    def hook(_module, _args, output):
        captured.append(output[0] if isinstance(output, tuple) else output)
        raise _Stop

    device = next(model.parameters()).device
    handle = layers[layer].register_forward_hook(hook)
    out = []
    training = model.training
    model.eval()  # a model handed over in training mode kept its dropout on: each vector a random draw
    bar = progress_bar(len(sequences), progress, desc="hidden states", unit="trajectory")
    try:
        with torch.inference_mode():
            for seq, pos in zip(sequences, positions):
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
                bar.update(1)
    finally:
        bar.close()
        handle.remove()
        model.train(training)
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
    check_layer(n_layers, layer)
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
            if not bool(torch.isfinite(h[j]).all()):  # else the JSON writer's 'Out of range float values'
                dtype = next(model.parameters()).dtype
                raise ExportError(f"the output of layer {layer} for the pivot of problem {pivots[k]['problem_id']!r} "
                                  f"at position {pivots[k]['position']} is not finite (inf or nan) with the model in "
                                  f"{str(dtype).replace('torch.', '')}: its activations overflowed - pass --dtype "
                                  f"float32 (or bfloat16), or another --layer")
    # one list a kind, shared by its records: each record's own copy was as big as its steering vector
    kind_mean = {kind: torch.stack([vectors[k] for k, p in enumerate(pivots) if p["direction"] == kind]).mean(0)
                 .tolist() for kind in KINDS if any(p["direction"] == kind for p in pivots)}
    sizes = {kind: sum(p["direction"] == kind for p in pivots) for kind in kind_mean}

    def record(k: int) -> dict:
        p = pivots[k]
        base = pts_record(p, source, tokenizer=tokenizer)
        cluster_id, pattern = KINDS[p["direction"]]
        rec = {name: base[name] for name in STEERING_FIELDS if name in base}
        rec.update({"steering_vector": vectors[k].tolist(), "cluster_id": cluster_id, "reasoning_pattern": pattern,
                    "cluster_vector": kind_mean[p["direction"]], "steering_layer": layer})
        rec = {name: rec[name] for name in STEERING_FIELDS}
        rec.update({"is_positive": base["is_positive"], "cluster_size": sizes[p["direction"]],
                    **{k2: base[k2] for k2 in ("dataset_id", "dataset_item_id", "timestamp", "problem_id",
                                               "trajectory", "position", "direction", "pivot_context_ids",
                                               "pivot_context_exact", "pivot_token_exact")}})
        return rec

    return Built(len(pivots), record)


class Built(Sequence):
    """Records made as they are read, each once a read: a steering record holds its vector as a list of floats
    (~180 KB for a hidden size of 2,048), so the export writes each as it is made instead of holding them all (4,000
    pivots held 0.7 GB beside the run's records)."""

    def __init__(self, n: int, make: Callable[[int], dict]):
        self._n, self._make = n, make

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._make(i) for i in range(*k.indices(self._n))]
        k = operator.index(k)
        if not -self._n <= k < self._n:
            raise IndexError(f"record {k} of {self._n}")
        return self._make(k % self._n)

    def __iter__(self) -> Iterator[dict]:
        return (self._make(k) for k in range(self._n))


def check_layer(n_layers: int, layer: int | None) -> None:
    """Refuses a layer index the model does not have, naming the range (negative counts from the end)."""
    if layer is not None and not -n_layers <= layer < n_layers:
        raise ExportError(f"layer {layer} is out of range: the model has {n_layers} decoder layers; pass --layer "
                          f"between 0 and {n_layers - 1}")


def layer_arg(layer: Any) -> int | None:
    """``layer`` as an int: any integer an index takes (numpy's and torch's, as a sweep over np.arange gives them,
    were refused as no int); a bool, a float or a str is refused."""
    if layer is None:
        return None
    try:
        if isinstance(layer, bool):
            raise TypeError
        return operator.index(layer)
    except TypeError:
        raise ExportError(f"layer (--layer) must be an int, got {type(layer).__name__} {layer!r}") from None


def model_for(source: RunSource, model: Any, device: str | None, dtype: str | None, layer: int | None):
    """``(model, tokenizer)``: a loaded pair as given, or loaded from ``model``/the run's model (local only).
    ``layer`` is checked against the model's config before any weight is loaded."""
    layer = layer_arg(layer)
    if isinstance(model, tuple):
        if device is not None or dtype is not None:
            raise ExportError(f"device={device!r} / dtype={dtype!r} were given with a loaded (model, tokenizer): "
                              f"the export uses that model as it is; move or cast it yourself, or pass its folder")
        return model
    from ptsfast.models import demo_model_dir, load_model

    name = model or source.model_name()
    if not name:
        raise ExportError(f"{source.file} does not say which model mined it; pass --model")
    if is_demo_model(name):
        name = DEMO_MODEL_NAME
    try:
        from transformers import AutoConfig

        cfg = AutoConfig.from_pretrained(str(demo_model_dir() if name == DEMO_MODEL_NAME else name),
                                         local_files_only=True)
        n = getattr(cfg.get_text_config(), "num_hidden_layers", None)
    except Exception:  # noqa: BLE001 - load_model below reports a missing model with its own message
        n = None
    if isinstance(n, int):
        check_layer(n, layer)
    if name != DEMO_MODEL_NAME:
        warn_if_folder_changed(source, name)
    import torch

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    with run_model(source, model):
        return load_model(name, dtype=dtype or "float32", device=device)


def warn_if_folder_changed(source: RunSource, folder: Any) -> None:
    """Warns where the run's model folder holds other files than when it was mined (run.json's ``inputs``: a
    checkpoint saved over it since): the steering vectors are the states of the weights there now, not of the model
    that found the pivots."""
    from pathlib import Path

    from ptsfast.problems.hashing import file_hash

    inputs = source.info.get("inputs")
    files = inputs.get("model_files") if isinstance(inputs, dict) else None
    path = Path(str(folder)).expanduser()
    if not isinstance(files, dict) or not files or not path.is_dir() or str(path.resolve()) != inputs.get(
            "model_path"):
        return
    changed = sorted(n for n, h in files.items() if not (path / n).is_file() or file_hash(path / n) != h)
    if changed:
        log.warning("the model folder %s holds other files than when %s was mined (%s%s changed since): the steering "
                    "vectors are the states of the weights there now, not of the model that found the pivots - "
                    "restore the folder, or pass the model the run was mined with (--model)", path,
                    source.run_dir or source.file, ", ".join(changed[:5]), " ..." if len(changed) > 5 else "")
