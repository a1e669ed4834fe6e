"""Rollout throughput of ptsfast vs Hugging Face ``generate(num_return_sequences=n)``, and that baseline itself.

Both sample ``n`` continuations of ``new_tokens`` tokens (EOS ignored) from the same prefix with the same
model; ptsfast prefills the prefix once and forks, HF prefills it ``n`` times. Used by ``ptsfast bench``;
:func:`hf_generate` and :func:`hf_continuous_batching` are the HF baselines of the benchmarks in ``benchmarks/``.
"""

from __future__ import annotations

import copy
import os
import platform
import subprocess
import time

import torch

from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams


def random_llama(device: str = "cpu", *, vocab: int = 16384, hidden: int = 384, layers: int = 6, heads: int = 6,
                 kv_heads: int = 2, intermediate: int = 1024, dtype: torch.dtype = torch.float32):
    """A randomly initialised Llama (GQA); the default is ~22M parameters, sized for a CPU comparison."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=vocab, hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
                         num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=8192,
                         eos_token_id=2, bos_token_id=1, pad_token_id=0)
    return LlamaForCausalLM(config).eval().to(device=device, dtype=dtype)


def hf_generate(model, prefix: list[int], n: int, new_tokens: int, *, temperature: float = 1.0, top_k: int = 0,
                top_p: float = 1.0, exact: bool = True, stop_strings=(), tokenizer=None, pad_token_id: int = 0):
    """``n`` rollouts from ``prefix`` the way codelion/pts runs them: one ``generate(num_return_sequences=n)``
    call, the prefix prefilled ``n`` times. ``exact``: every rollout is ``new_tokens`` long (EOS ignored);
    else it may stop at EOS or at one of ``stop_strings`` (which need ``tokenizer``). Returns ``[n, len]``."""
    with torch.inference_mode():
        return model.generate(torch.tensor([list(prefix)], device=model.device), do_sample=True,
                              temperature=temperature, top_k=top_k, top_p=top_p, max_new_tokens=new_tokens,
                              min_new_tokens=new_tokens if exact else None, num_return_sequences=n,
                              stop_strings=list(stop_strings) or None, tokenizer=tokenizer, pad_token_id=pad_token_id)


def hf_continuous_batching(model, prefixes: list[list[int]], n: int, new_tokens: int, *, temperature: float = 1.0,
                           top_k: int = 0, top_p: float = 1.0, eos_token_id: int | None = None,
                           keep: bool = False) -> int:
    """``n`` rollouts of ``new_tokens`` tokens from each prefix through Hugging Face continuous batching
    (``model.generate_batch``); EOS ignored unless ``eos_token_id`` is given (then a rollout may stop early).
    On a GPU HF sizes its paged cache and captures its CUDA graphs itself; ``keep`` keeps that manager for the next
    call (the second of two calls with one workload is HF's steady state; ``destroy_cached_continuous_batching_manager``
    frees it). On a CPU, 64-token pages for every rollout, up to ~8 GB. Returns the tokens generated."""
    from transformers import GenerationConfig

    config = GenerationConfig(do_sample=True, temperature=temperature, top_k=top_k, top_p=top_p,
                              max_new_tokens=new_tokens, num_return_sequences=n, eos_token_id=eos_token_id,
                              pad_token_id=0)
    cb = None if model.device.type == "cuda" else _cpu_continuous_batching_config(model, prefixes, n, new_tokens)
    with torch.inference_mode():
        out = model.generate_batch(inputs=[list(p) for p in prefixes], generation_config=config,
                                   continuous_batching_config=cb, warmup=model.device.type == "cuda",
                                   persistent_manager=keep)
    tokens = sum(len(r.generated_tokens) for r in out.values())
    if n > 1 and len(out) == len(prefixes):
        # transformers 5.17 forks the n - 1 children of each prompt and waits for them, but answers with the parents
        # alone: with EOS ignored each child generated as many tokens as its parent
        if eos_token_id is not None:
            raise RuntimeError("this transformers returns no continuous-batching children; upgrade it (5.25 does)")
        tokens *= n
    return tokens


def _cpu_continuous_batching_config(model, prefixes: list[list[int]], n: int, new_tokens: int):
    """Pages for every rollout's whole sequence (HF may share a prompt's blocks among its n children, or not), but
    no more than ~8 GB of K/V: long prefixes would otherwise ask for more memory than the machine has (HF then
    refuses to start); with fewer pages its scheduler runs fewer rollouts at a time."""
    import inspect

    from transformers.generation.configuration_utils import ContinuousBatchingConfig

    pages = len(prefixes) * n * ((max(map(len, prefixes)) + new_tokens) // 64 + 2)
    c = model.config
    head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
    page_bytes = 64 * c.num_hidden_layers * 2 * getattr(c, "num_key_value_heads", c.num_attention_heads) * head_dim \
        * model.dtype.itemsize
    pages = min(pages, max(int(8e9 // page_bytes), 64))
    # transformers renamed block_size to page_size (5.17 has the first, 5.25 the second)
    size = "page_size" if "page_size" in inspect.signature(ContinuousBatchingConfig).parameters else "block_size"
    return ContinuousBatchingConfig(num_blocks=pages, max_batch_tokens=2048, **{size: 64})


def best_time(fn, repeat: int, *, warmup: int = 0) -> float:
    """The fastest of ``repeat`` timed calls of ``fn`` (after ``warmup`` untimed ones), CUDA synchronised."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeat):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def device_name(device: str) -> str:
    if device.startswith("cuda"):
        return torch.cuda.get_device_name()
    return f"cpu ({platform.machine()}, {torch.get_num_threads()} threads)"


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


class RolloutComparison:
    """Sets up both sides once; ``ptsfast()`` and ``hf()`` each run the full workload."""

    def __init__(self, model, prefix_len: int = 512, n: int = 32, new_tokens: int = 64, engine_config=EngineConfig()):
        self.n, self.new_tokens, self.prefix_len = n, new_tokens, prefix_len
        vocab = model.config.vocab_size
        g = torch.Generator().manual_seed(0)
        self.prefix = torch.randint(3, vocab, (prefix_len,), generator=g).tolist()
        self.hf_model = model
        self.engine = RolloutEngine(copy.deepcopy(model), config=engine_config)

    def ptsfast(self) -> int:
        (seq,) = self.engine.prefill([self.prefix + [self.prefix[-1]]])
        (rollouts,) = self.engine.rollout([RolloutRequest(seq.seq_id, self.prefix_len, self.n, self.new_tokens,
                                                          SamplingParams(temperature=1.0, seed=0), ignore_eos=True)])
        self.engine.release([seq.seq_id])
        return sum(len(r.tokens) for r in rollouts)

    def hf(self) -> int:
        out = hf_generate(self.hf_model, self.prefix, self.n, self.new_tokens)
        return (out.shape[1] - self.prefix_len) * out.shape[0]

    def run(self, repeat: int = 2) -> dict:
        self.ptsfast(), hf_generate(self.hf_model, self.prefix, 2, 2)  # warm-up
        ours, theirs = best_time(self.ptsfast, repeat), best_time(self.hf, repeat)
        tokens = self.n * self.new_tokens
        return {
            "workload": f"n={self.n} x {self.new_tokens} new tokens from a {self.prefix_len}-token prefix",
            "ptsfast_s": ours, "hf_generate_s": theirs,
            "ptsfast_tokens_per_s": tokens / ours, "hf_generate_tokens_per_s": tokens / theirs,
            "speedup_vs_hf_generate": theirs / ours,
        }


def environment(device: str) -> dict:
    return {"device": device_name(device), "commit": git_commit(), "torch": torch.__version__,
            "cpu_count": os.cpu_count()}
