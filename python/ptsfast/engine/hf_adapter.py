"""Runs a Hugging Face causal LM on ptsfast's paged KV cache through transformers' own interfaces.

transformers lets a model's attention be replaced by name (``AttentionInterface``) and its mask
construction likewise (``AttentionMaskInterface``). ptsfast registers an attention function that
writes each layer's new K/V into the paged cache and attends over it, and a mask function that builds
nothing (the attention knows the layout from its metadata). The layers, norms, rotary embeddings and
MLPs stay Hugging Face's, so every supported architecture runs unmodified.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from transformers import AttentionInterface, PreTrainedModel
from transformers.masking_utils import AttentionMaskInterface

from ptsfast.kernels.cascade_attention import CascadePlan, cascade_decode_attention
from ptsfast.kernels.paged_attention import paged_decode_attention
from ptsfast.kernels.prefill_attention import prefill_attention, prefill_chunk_attention

ATTN_NAME = "ptsfast"
SUPPORTED_MODEL_TYPES = (
    "llama", "qwen2", "qwen3", "mistral", "phi3",  # the first five; Phi-4 is phi3
    "qwen2_moe", "qwen3_moe", "mixtral", "phimoe",  # mixtures of experts: the MLP differs, not the attention
    "gemma", "gemma3_text", "gemma3", "olmo", "olmo2", "olmo3", "smollm3", "exaone4", "cohere", "cohere2",
    "granite", "granitemoe", "phi", "starcoder2", "glm", "glm4", "ernie4_5", "seed_oss", "apertus", "arcee",
)
"""Decoder-only models whose layers attend only through transformers' attention function (sliding-window, NoPE
and q/k-normed layers included) and keep no other state between tokens, each checked against Hugging Face by
``tests/engine/test_engine_equivalence.py``. Hybrids with recurrent or convolutional layers (their state would
need a cache of its own), attention sinks (gpt_oss) and latent attention (deepseek_v3) are not among them. ``gemma3``
(Gemma 3 4B-27B) is an image-text model: ptsfast runs its text model on text."""


@dataclass(frozen=True)
class AttentionMetadata:
    """Everything a layer needs to read/write the paged cache for one forward; built once per step.

    kv_cache: ``[layers, 2, num_blocks, block_size, Hkv, D]``. slot_mapping ``[T]``: cache slot of each
    new token. Prefill: ``cu_seqlens`` delimits packed sequences that attend only to themselves.
    Decode: one token per row, attending to its first ``context_lens[b]`` cached tokens through
    ``block_tables``; ``slots`` is the per-row gather index and ``cascade`` an optional shared-prefix plan;
    ``max_len`` bounds every row's context (the attention needs it without a sync: a CUDA graph's steps fix it).
    Chunked prefill: one sequence's tokens from position ``past_len`` on, attending to its first ``past_len``
    cached tokens through ``past_table`` (its block ids) and to themselves.
    """

    kv_cache: torch.Tensor
    slot_mapping: torch.Tensor
    cu_seqlens: list[int] | None = None
    block_tables: torch.Tensor | None = None
    context_lens: torch.Tensor | None = None
    slots: torch.Tensor | None = None
    cascade: CascadePlan | None = None
    max_len: int | None = None
    past_len: int = 0
    past_table: torch.Tensor | None = None

    @property
    def is_prefill(self) -> bool:
        return self.cu_seqlens is not None


def _ptsfast_attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0,
                       sliding_window=None, ptsfast_meta: AttentionMetadata | None = None, **kwargs):
    if ptsfast_meta is None:
        raise RuntimeError("this model uses ptsfast attention; run it through ptsfast's engine, or call "
                           "model.set_attn_implementation('sdpa') to use it on its own again")
    meta = ptsfast_meta
    # HF layout [1, H, T, D] -> token-major [T, H, D]
    q, k, v = (x[0].transpose(0, 1) for x in (query, key, value))
    cache = meta.kv_cache[module.layer_idx]
    Hkv, D = cache.shape[-2], cache.shape[-1]
    k_cache, v_cache = cache[0], cache[1]
    k_cache.view(-1, Hkv, D).index_copy_(0, meta.slot_mapping, k.to(cache.dtype))
    v_cache.view(-1, Hkv, D).index_copy_(0, meta.slot_mapping, v.to(cache.dtype))
    if meta.is_prefill and meta.past_len:
        out = prefill_chunk_attention(q, k, v, k_cache, v_cache, meta.past_table, meta.past_len, scaling,
                                      sliding_window)
    elif meta.is_prefill:
        out = prefill_attention(q, k, v, meta.cu_seqlens, scaling, sliding_window)
    elif meta.cascade is not None and sliding_window is None:
        out = cascade_decode_attention(q, k_cache, v_cache, meta.cascade, scaling)
    else:  # Triton on CUDA, the C++ op on CPU (block tables read in the kernel), else the torch gather
        out = paged_decode_attention(q, k_cache, v_cache, meta.block_tables, meta.context_lens, scaling,
                                     sliding_window, slots=meta.slots, max_len=meta.max_len)
    return out.unsqueeze(0), None


def _no_mask(*args, **kwargs):
    return None


AttentionInterface.register(ATTN_NAME, _ptsfast_attention)
AttentionMaskInterface.register(ATTN_NAME, _no_mask)


@contextlib.contextmanager
def lent(model):
    """Lends a caller's model to the engine and gives it back as it was: its attention implementation and its
    train/eval mode (the engine sets ptsfast attention and eval mode, with which the model no longer runs on its
    own, and dropout stays off), so that ``mine()`` and then training in one process work."""
    state = model_state(model)
    try:
        yield model
    finally:
        give_back(model, state)


def model_state(model) -> tuple:
    """What the engine changes on a model: its train/eval mode and attention implementation (see :func:`give_back`)."""
    return getattr(model, "training", None), getattr(getattr(model, "config", None), "_attn_implementation", None)


def give_back(model, state: tuple) -> None:
    """Puts back what :func:`model_state` read (ptsfast attention set by someone else before is kept)."""
    training, attn = state
    if attn not in (None, ATTN_NAME) and getattr(model.config, "_attn_implementation", None) == ATTN_NAME:
        model.set_attn_implementation(attn)
    if training is not None:
        model.train(training)


class UnsupportedModelError(ValueError):
    pass


@dataclass(frozen=True)
class KVGeometry:
    num_layers: int
    num_kv_heads: int
    head_dim: int

    @classmethod
    def of(cls, text) -> "KVGeometry":
        """The KV cache's shape per token of a (text) model config: read before a model loads too (the CLI sizes
        the pool a run asks for against the memory it has), so both readings are one."""
        head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
        return cls(int(text.num_hidden_layers), int(getattr(text, "num_key_value_heads", None)
                                                   or text.num_attention_heads), int(head_dim))

    def token_bytes(self, itemsize: int) -> int:
        """KV cache bytes one token takes over all layers (keys and values), at ``itemsize`` bytes an element."""
        return self.num_layers * 2 * self.num_kv_heads * self.head_dim * itemsize


def _rope_types(config) -> dict[str, dict]:
    """``{rope_type: parameters}`` of a config (transformers 5 ``rope_parameters``, older ``rope_scaling``)."""
    rope = getattr(config, "rope_parameters", None) or getattr(config, "rope_scaling", None) or {}
    if not isinstance(rope, dict):
        return {}
    layers = [v for v in rope.values() if isinstance(v, dict)] or [rope]  # per-layer-type parameters
    return {str(p.get("rope_type", p.get("type", "default"))): p for p in layers}


def _context_limit(config, model_type: str) -> tuple[int | None, str]:
    """The longest sequence the engine may run, and why it is shorter than the model's own limit.

    LongRoPE (Phi-3.5/Phi-4-mini) and dynamic NTK RoPE pick their frequencies from the largest
    position in a forward pass, so in a packed batch a short sequence would be rotated like the longest
    one. Below ``original_max_position_embeddings`` the frequencies never change, so the engine runs
    such models there, where results equal the model run on each sequence alone.
    """
    limit = getattr(config, "max_position_embeddings", None)
    for rope_type, params in _rope_types(config).items():
        if rope_type == "longrope" or "dynamic" in rope_type:
            original = params.get("original_max_position_embeddings") or getattr(
                config, "original_max_position_embeddings", None)
            if rope_type != "longrope" and original is None:
                original = limit  # dynamic NTK scales beyond max_position_embeddings
            if not isinstance(original, int) or original < 2:
                raise UnsupportedModelError(
                    f"{model_type}: {rope_type} RoPE without original_max_position_embeddings; its frequencies "
                    "depend on the longest sequence of each batch, which ptsfast cannot run correctly")
            if limit is None or original < limit:
                return original, (f"; {rope_type} RoPE changes its frequencies beyond original_max_position_embeddings="
                                  f"{original}, so ptsfast runs this model within that many tokens")
    return limit, ""


def _logit_multiplier(config) -> float:
    """What the model multiplies its lm_head's output by: Granite divides by ``logits_scaling``, Cohere multiplies
    by ``logit_scale``. Without a bias, ``lm_head(h) * m == lm_head(h * m)``, so the hidden states carry it."""
    multiplier = 1.0
    scaling = getattr(config, "logits_scaling", None)
    if scaling is not None:
        multiplier /= float(scaling)
    scale = getattr(config, "logit_scale", None)
    if scale is not None:
        multiplier *= float(scale)
    return multiplier


class HFAdapter:
    """Wraps a ``*ForCausalLM`` so it computes hidden states on ptsfast's cache and scores rows with its lm_head.

    The model is switched to ptsfast attention (``config._attn_implementation``); the engine owns it
    from then on.
    """

    def __init__(self, model: PreTrainedModel):
        config = model.config
        model_type = getattr(config, "model_type", type(model).__name__)
        if model_type not in SUPPORTED_MODEL_TYPES:
            raise UnsupportedModelError(
                f"model type {model_type!r} ({type(model).__name__}) is not supported by ptsfast yet; supported: "
                f"{', '.join(SUPPORTED_MODEL_TYPES)}. Models with the same decoder layout can be added to "
                "SUPPORTED_MODEL_TYPES after checking tests/engine/test_engine_equivalence.py passes for them."
            )
        text = config.get_text_config() if hasattr(config, "get_text_config") else config
        for attr in ("final_logit_softcapping", "attn_logit_softcapping"):
            if getattr(config, attr, None) or getattr(text, attr, None):
                raise UnsupportedModelError(f"{model_type}: {attr} is not supported by ptsfast's attention/scoring")
        self.text_config = text
        """The text model's config (an image-text model's text part; the config itself otherwise)."""
        self.model = model.eval()
        self.base = getattr(model, model.base_model_prefix)
        self.lm_head = model.get_output_embeddings()
        if not isinstance(self.lm_head, torch.nn.Linear):
            raise UnsupportedModelError(f"{model_type}: expected a Linear lm_head, got {type(self.lm_head).__name__}")
        self.geometry = KVGeometry.of(text)
        self.vocab_size = model.get_input_embeddings().num_embeddings
        self.max_positions, self.context_note = _context_limit(text, model_type)
        self.logit_multiplier = _logit_multiplier(text)
        if self.logit_multiplier != 1.0 and self.lm_head.bias is not None:
            raise UnsupportedModelError(f"{model_type}: a logit scale with a biased lm_head is not supported")
        model.set_attn_implementation(ATTN_NAME)

    @property
    def device(self) -> torch.device:
        return self.lm_head.weight.device

    @property
    def dtype(self) -> torch.dtype:
        return self.lm_head.weight.dtype

    @torch.inference_mode()
    def hidden_states(self, input_ids: torch.Tensor, positions: torch.Tensor, meta: AttentionMetadata) -> torch.Tensor:
        """Final (normed) hidden states ``[T, d]`` for packed tokens ``[T]`` at ``positions [T]``, times the model's
        logit scale if it has one (so every scoring and sampling path gets the model's logits from the lm_head)."""
        out = self.base(input_ids=input_ids[None], position_ids=positions[None], use_cache=False, ptsfast_meta=meta)
        hidden = out.last_hidden_state[0]
        return hidden if self.logit_multiplier == 1.0 else hidden * self.logit_multiplier

    @torch.inference_mode()
    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """fp32 logits ``[B, V]`` for a few rows (sampling); scoring many rows uses fused_logprobs instead."""
        return self.lm_head(hidden).float()
