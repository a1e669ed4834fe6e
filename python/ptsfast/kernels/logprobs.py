"""Fused log-probs: ``log_softmax(hidden @ weight.T)[target]`` (+ top-k) without an fp32 ``[N, V]``.

The vocabulary is processed in chunks with an online log-sum-exp, so memory is ``O(N * chunk)``
instead of ``O(N * V)`` (a 4096 x 151936 fp32 logits tensor alone is 2.5 GB).
"""

from __future__ import annotations

import torch

from ptsfast.kernels._dispatch import check, choose_backend, triton_module
from ptsfast.kernels.types import TokenLogprobs

__all__ = ["TokenLogprobs", "fused_logprobs", "fused_logprobs_cpp", "fused_logprobs_torch", "full_logprobs_torch"]

# Triton before CUDA on a GPU: the CUDA kernel (csrc/cuda/logprobs.cu) is written for correctness
# (fp32 dots on CUDA cores, no tensor cores) and is picked only with backend="cuda" until a GPU
# measurement shows it ahead. On CPU the C++ backend comes first (Triton is never automatic there).
IMPLEMENTED = ("triton", "cuda", "cpp", "torch")


def full_logprobs_torch(hidden, weight, targets, bias=None, top_k: int = 0) -> TokenLogprobs:
    """The op as a user would write it, over the full fp32 logits: the definition every backend is tested
    against (in float64), and the benchmark's baseline."""
    logits = (hidden.float() @ weight.float().T) + (0 if bias is None else bias.float())
    lp = torch.log_softmax(logits, dim=-1)
    out = lp.gather(1, targets.long().unsqueeze(1)).squeeze(1)
    if top_k:
        vals, ids = lp.topk(top_k, dim=-1)
        return TokenLogprobs(out, ids, vals)
    return TokenLogprobs(out)


def fused_logprobs_torch(hidden, weight, targets, bias=None, top_k: int = 0, chunk_size: int = 8192) -> TokenLogprobs:
    """Chunked online log-sum-exp in plain torch (the CPU path). Logits are computed in the input
    dtype and accumulated in fp32, like the kernels."""
    N, V = hidden.shape[0], weight.shape[0]
    dev = hidden.device
    running_max = torch.full((N,), float("-inf"), device=dev)
    running_sum = torch.zeros(N, device=dev)
    target_logit = torch.zeros(N, device=dev)
    targets = targets.long()
    best_vals = torch.empty(N, 0, device=dev)
    best_ids = torch.empty(N, 0, dtype=torch.long, device=dev)
    for start in range(0, V, chunk_size):
        end = min(start + chunk_size, V)
        logits = (hidden @ weight[start:end].T).float()
        if bias is not None:
            logits += bias[start:end].float()
        chunk_max = logits.max(dim=1).values
        new_max = torch.maximum(running_max, chunk_max)
        # a row whose logits so far are all -inf (a masked chunk) must not turn into -inf - -inf = NaN
        safe_max = torch.where(new_max == float("-inf"), 0.0, new_max)
        running_sum = running_sum * torch.exp(running_max - safe_max) + torch.exp(logits - safe_max[:, None]).sum(1)
        running_max = new_max
        inside = (targets >= start) & (targets < end)
        idx = (targets - start).clamp(0, end - start - 1)
        target_logit = torch.where(inside, logits.gather(1, idx[:, None]).squeeze(1), target_logit)
        if top_k:
            k = min(top_k, end - start)
            vals, ids = logits.topk(k, dim=1)
            best_vals, order = torch.cat([best_vals, vals], 1).topk(min(top_k, best_vals.shape[1] + k), dim=1)
            best_ids = torch.cat([best_ids, ids + start], 1).gather(1, order)
        del logits
    lse = running_max + torch.log(running_sum)
    if top_k:
        return TokenLogprobs(target_logit - lse, best_ids, best_vals - lse[:, None])
    return TokenLogprobs(target_logit - lse)


def fused_logprobs_cpp(hidden, weight, targets, bias=None, top_k: int = 0, chunk_size: int = 0) -> TokenLogprobs:
    """The compiled op: C++ on CPU tensors (``csrc/logprobs.cpp``), CUDA on GPU tensors (``csrc/cuda/logprobs.cu``),
    both over ``csrc/sampling_math.h``. ``chunk_size`` is the vocabulary chunk of the fp32 logits on CPU and the
    tokens per vocabulary split on CUDA (0 = automatic)."""
    lp, ids, vals = torch.ops.ptsfast.fused_logprobs(hidden, weight, targets.long(), bias, top_k, chunk_size)
    return TokenLogprobs(lp, ids, vals) if top_k else TokenLogprobs(lp)


def fused_logprobs(
    hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, *, bias: torch.Tensor | None = None,
    top_k: int = 0, backend: str | None = None,
) -> TokenLogprobs:
    """log p(targets[i] | row i) for ``hidden [N, d]`` and an lm_head ``weight [V, d]`` (+ ``bias [V]``).

    Returns fp32 results; with ``top_k > 0`` also the k most likely tokens per row.
    """
    name = "fused_logprobs"
    check(hidden.dim() == 2 and weight.dim() == 2 and hidden.shape[1] == weight.shape[1], name,
          f"need hidden [N, d] and weight [V, d], got {tuple(hidden.shape)} and {tuple(weight.shape)}")
    check(targets.shape == (hidden.shape[0],), name,
          f"targets must be [N]={hidden.shape[0]}, got {tuple(targets.shape)}")
    check(hidden.dtype == weight.dtype, name, f"hidden is {hidden.dtype} but weight is {weight.dtype}")
    check(hidden.device == weight.device == targets.device, name, "hidden, weight and targets must share a device")
    check(0 <= top_k <= weight.shape[0], name, f"top_k={top_k} out of range")
    if hidden.shape[0] > 0:
        check(bool((targets >= 0).all()) and bool((targets < weight.shape[0]).all()), name,
              f"targets must lie in [0, {weight.shape[0]})")
    chosen = choose_backend(name, hidden.device, IMPLEMENTED, backend)
    if chosen in ("cuda", "cpp"):
        check(bias is None or (bias.shape == (weight.shape[0],) and bias.dtype == hidden.dtype), name,
              f"bias must be [V={weight.shape[0]}] of dtype {hidden.dtype}")
        return fused_logprobs_cpp(hidden, weight, targets, bias=bias, top_k=top_k)
    if chosen == "triton":
        return triton_module("logprobs").fused_logprobs_triton(hidden, weight, targets, bias=bias, top_k=top_k)
    return fused_logprobs_torch(hidden, weight, targets, bias=bias, top_k=top_k)

