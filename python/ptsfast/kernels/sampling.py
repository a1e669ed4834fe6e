"""Sampling with temperature / top-k / top-p from counter-based noise, returning each token's log-prob.

Noise is a pure function of ``(seed, step, token id)`` (a 32-bit integer hash), so a rollout's tokens
depend only on its seed and the model, never on how rollouts were batched, and every backend draws
exactly the same tokens. Sampling is Gumbel-max over the filtered, temperature-scaled logits, which
draws exactly from the filtered softmax. Temperature 0 means greedy. The returned log-prob is the
*model's* ``log_softmax(logits)[token]`` (before temperature and filtering), which is what PTS scores.
"""

from __future__ import annotations

import torch

from ptsfast.kernels._dispatch import check, choose_backend

IMPLEMENTED = ("triton", "torch")
_M32 = 0xFFFFFFFF


def mix32(x: torch.Tensor) -> torch.Tensor:
    """murmur3's 32-bit finaliser on int64 tensors holding uint32 values."""
    x = x ^ (x >> 16)
    x = (x * 0x85EBCA6B) & _M32
    x = x ^ (x >> 13)
    x = (x * 0xC2B2AE35) & _M32
    return x ^ (x >> 16)


def row_keys(seeds: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
    """One uint32 key per row from an int64 seed and the row's step counter."""
    lo, hi = seeds & _M32, (seeds >> 32) & _M32
    return mix32(((lo ^ mix32((hi + 0x9E3779B9) & _M32)) + steps * 0x632BE5AB) & _M32)


NOISE_BITS = 23  # uniforms take 2^23 values, every one exactly representable in fp32 and inside (0, 1)


def uniform_from_bits(bits: torch.Tensor) -> torch.Tensor:
    """fp32 uniforms from uint32 hash values (held in int64): ``u = ((bits >> 9) + 0.5) * 2^-23``.

    Why 23 bits: in [0.5, 1) fp32 has a spacing of 2^-24, so ``(k + 0.5) * 2^-23`` is exact for every
    k < 2^23; the extremes are 2^-24 and 1 - 2^-24, strictly inside (0, 1). With 24 bits the largest
    value, 1 - 2^-25, rounds to 1.0 and the Gumbel noise becomes +inf.
    """
    return ((bits >> (32 - NOISE_BITS)).to(torch.float32) + 0.5) * (1.0 / (1 << NOISE_BITS))


def gumbel_from_bits(bits: torch.Tensor) -> torch.Tensor:
    """Standard Gumbel noise ``-log(-log(u))``; finite for every uint32 (range about [-2.8, 16.6])."""
    return -torch.log(-torch.log(uniform_from_bits(bits)))


def noise_bits(keys: torch.Tensor, vocab: int) -> torch.Tensor:
    """``[B, V]`` uint32 hash values (int64) of ``(row key, token id)``: the whole source of randomness."""
    v = torch.arange(vocab, device=keys.device, dtype=torch.int64)
    return mix32(keys[:, None] ^ ((v * 0x9E3779B1) & _M32)[None, :])


def uniform_noise(keys: torch.Tensor, vocab: int) -> torch.Tensor:
    """``[B, V]`` uniforms strictly inside (0, 1) from row keys (see ``uniform_from_bits``)."""
    return uniform_from_bits(noise_bits(keys, vocab))


def filter_logits(logits: torch.Tensor, temperature: torch.Tensor, top_k: torch.Tensor, top_p: torch.Tensor) -> torch.Tensor:
    """fp32 ``logits / T`` with tokens outside top-k / top-p set to -inf (HF's order: T, top-k, top-p).

    top_k <= 0 and top_p >= 1 disable the filters. Rows with T == 0 are left unscaled (greedy).
    """
    scaled = logits.float() / torch.where(temperature > 0, temperature, 1.0)[:, None]
    need_k = bool((top_k > 0).any())
    need_p = bool((top_p < 1).any())
    if not (need_k or need_p):
        return scaled
    sorted_vals, order = scaled.sort(dim=-1, descending=True)
    rank = torch.arange(scaled.shape[1], device=scaled.device)[None, :]
    drop = torch.zeros_like(sorted_vals, dtype=torch.bool)
    if need_k:
        drop |= (top_k[:, None] > 0) & (rank >= top_k[:, None])
    if need_p:
        probs = torch.softmax(sorted_vals.masked_fill(drop, float("-inf")), dim=-1)
        mass_before = probs.cumsum(-1) - probs
        # only rows that ask for top-p: with top_p == 1 the fp32 cumsum can reach 1.0 before the tail
        drop |= (top_p[:, None] < 1) & (mass_before >= top_p[:, None]) & (rank > 0)
    return scaled.scatter(1, order, sorted_vals.masked_fill(drop, float("-inf")))


def perturbed_logits(logits, temperature, top_k, top_p, seeds, steps) -> torch.Tensor:
    """Filtered scaled logits plus Gumbel noise (none on greedy rows): the argmax is the draw.

    A filtered token stays exactly -inf whatever its noise, so no NaN can reach the argmax.
    """
    filtered = filter_logits(logits, temperature, top_k, top_p)
    gumbel = gumbel_from_bits(noise_bits(row_keys(seeds, steps), logits.shape[1]))
    noisy = torch.where(temperature[:, None] > 0, filtered + gumbel, filtered)
    return noisy.masked_fill(filtered == float("-inf"), float("-inf"))


def sample_reference(logits, temperature, top_k, top_p, seeds, steps) -> tuple[torch.Tensor, torch.Tensor]:
    """The spec; see ``sample``."""
    tokens = perturbed_logits(logits, temperature, top_k, top_p, seeds, steps).argmax(dim=-1)
    logprobs = torch.log_softmax(logits.float(), dim=-1).gather(1, tokens[:, None]).squeeze(1)
    return tokens, logprobs


def sample(
    logits: torch.Tensor, temperature: torch.Tensor, top_k: torch.Tensor, top_p: torch.Tensor,
    seeds: torch.Tensor, steps: torch.Tensor, *, backend: str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draws one token per row of ``logits [B, V]``.

    Per-row parameters, all ``[B]``: temperature (fp32, 0 = greedy), top_k (int64, <= 0 = off),
    top_p (fp32 in (0, 1], 1 = off), seeds (int64) and steps (int64 counters; the pair selects the
    noise). Returns ``(tokens int64 [B], model log-probs fp32 [B])``.
    """
    name = "sample"
    check(logits.dim() == 2 and logits.shape[1] > 0, name, f"logits must be [B, V], got {tuple(logits.shape)}")
    B = logits.shape[0]
    for label, t, dtype in (("temperature", temperature, torch.float32), ("top_k", top_k, torch.int64),
                            ("top_p", top_p, torch.float32), ("seeds", seeds, torch.int64), ("steps", steps, torch.int64)):
        check(t.shape == (B,) and t.dtype == dtype and t.device == logits.device, name,
              f"{label} must be {dtype} [B={B}] on {logits.device}, got {t.dtype} {tuple(t.shape)} on {t.device}")
    check(bool((temperature >= 0).all()), name, "temperature must be >= 0")
    check(bool(((top_p > 0) & (top_p <= 1)).all()), name, "top_p must lie in (0, 1]")
    chosen = choose_backend(name, logits.device, IMPLEMENTED, backend)
    if chosen == "triton":
        from ptsfast.kernels.triton_sampling import sample_triton

        return sample_triton(logits, temperature, top_k, top_p, seeds, steps)
    return sample_reference(logits, temperature, top_k, top_p, seeds, steps)
