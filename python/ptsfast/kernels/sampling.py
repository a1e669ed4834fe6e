"""Sampling with temperature / top-k / top-p / min-p from counter-based noise, returning each token's log-prob.

Noise is a pure function of ``(seed, step, token id)`` (a 32-bit integer hash), so a rollout's tokens
depend only on its seed and the model, never on how rollouts were batched, and every backend draws
exactly the same tokens. Sampling is Gumbel-max over the filtered, temperature-scaled logits, which
draws exactly from the filtered softmax. Temperature 0 means greedy. The returned log-prob is the
*model's* ``log_softmax(logits)[token]`` (before temperature and filtering), which is what PTS scores.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import torch

from ptsfast.kernels._dispatch import check, choose_backend, triton_module

IMPLEMENTED = ("cuda", "cpp", "triton", "torch")
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


def scale_logits(logits: torch.Tensor, temperature: torch.Tensor) -> torch.Tensor:
    """fp32 ``logits / T``; rows with T == 0 (greedy) are left unscaled."""
    return logits.float() / torch.where(temperature > 0, temperature, 1.0)[:, None]


@dataclass(frozen=True)
class Candidates:
    """Per row, the smallest scaled logit that top-k / top-p / min-p keep (``cutoff``, -inf when unfiltered), and
    the largest scaled logits, descending, -inf where filtered (``values``, token ids ``ids``); ``rows``
    marks the rows whose every kept token is among them (filtered rows, unless tokens outside the
    selection tie with the k-th value and survive top-p), so that noise is drawn for those tokens only."""

    cutoff: torch.Tensor  # [B] fp32
    values: torch.Tensor | None = None  # [B, width] fp32
    ids: torch.Tensor | None = None  # [B, width] int64
    rows: torch.Tensor | None = None  # [B] bool


def _top_p_cutoff(desc: torch.Tensor, top_p: torch.Tensor, tied: torch.Tensor, kth: torch.Tensor) -> torch.Tensor:
    """HF's TopPLogitsWarper on rows of kept values sorted descending (-inf = already filtered): sort
    ascending, drop the tokens whose cumulative probability is <= 1 - top_p, always keep the top token.
    ``tied`` counts further kept tokens outside ``desc`` whose value is ``kth`` (the smallest kept value):
    they come first in ascending order. Cumulative sums run in float64, so no rounding of exp or of the
    summation order (the C++ backend sums sequentially) can move a cutoff short of a 1e-16 coincidence.
    Returns each row's smallest kept value."""
    asc = desc.flip(-1).double()
    top = asc[:, -1:]
    top = torch.where(torch.isfinite(top), top, 0.0)
    before = tied * torch.exp(kth.double()[:, None] - top).squeeze(1)  # mass of the tied tokens outside
    cum = before[:, None] + torch.exp(asc - top).cumsum(-1)
    cum = (cum / cum[:, -1:]).masked_fill(asc == float("-inf"), 0.0)
    dropped = (cum <= (1 - top_p.double())[:, None]).sum(-1).clamp_max(asc.shape[1] - 1)
    return asc.gather(1, dropped[:, None]).squeeze(1).float()


def _min_p_cutoff(top: torch.Tensor, min_p: torch.Tensor) -> torch.Tensor:
    """HF's MinPLogitsWarper as a cutoff on scaled logits: it drops the tokens whose probability is below
    ``min_p`` times the top token's, i.e. those below ``top + log(min_p)`` (-inf where min_p is 0). The sum
    runs in float64 and rounds once, as the C++ backend does it, so both cut at the same value."""
    return (top.double() + torch.log(min_p.double())).float()


def candidate_width(top_k, top_p, vocab: int) -> int:
    """How many of each row's largest logits ``filter_candidates`` selects, from host-side per-row
    parameters (Python numbers): one more than the largest top-k (to see a tie at the k-th value), the
    whole vocabulary when some row filters by top-p alone, 0 when no row filters. top_p is compared as
    the float32 the sampler receives (0.99999999 rounds to 1: no top-p)."""
    width = 0
    for k, p in zip(top_k, array("f", top_p)):
        if k <= 0 and p < 1:
            return vocab
        if k > 0:
            width = max(width, k + 1)
    return min(width, vocab)


def _width_from_tensors(top_k: torch.Tensor, top_p: torch.Tensor, vocab: int) -> int:
    """``candidate_width`` of parameter tensors: one device->host copy (top_p is float32, exact as a double;
    a top_k beyond 2**53 may round, but any k >= vocab gives the whole vocabulary either way)."""
    k, p = torch.stack([top_k.double(), top_p.double()]).tolist()
    return candidate_width([int(x) for x in k], p, vocab)


def _count_at_least(logits: torch.Tensor, temperature: torch.Tensor, kth: torch.Tensor) -> torch.Tensor:
    """Per row, how many scaled logits are >= kth."""
    return (scale_logits(logits, temperature) >= kth[:, None]).sum(-1)


def filter_candidates(logits: torch.Tensor, temperature: torch.Tensor, top_k: torch.Tensor,
                      top_p: torch.Tensor, width: int | None = None, min_p: torch.Tensor | None = None) -> Candidates:
    """Where top-k / top-p / min-p cut each row of ``logits / T``, without sorting the vocabulary when every
    filtering row has a top-k (selection on the raw logits: dividing by T > 0 keeps their order).

    Semantics are Hugging Face's warpers in their order (temperature, then top-k, then top-p, then min-p):
    top-k keeps every token >= the k-th largest value (ties at the boundary included, as
    ``TopKLogitsWarper``), top-p renormalises over what top-k kept, min-p keeps the tokens whose probability is
    at least ``min_p`` times the top token's (a ratio no earlier filter changes, so it is one more cutoff).
    top_k <= 0, top_p >= 1 and min_p = 0 (or ``min_p=None``) disable a filter for that row; min-p needs no
    candidates (only each row's largest value), so ``width`` does not depend on it.

    ``width`` is ``candidate_width`` of the host-side parameters; given, nothing here waits for the
    device (no data-dependent shape, no ``.item()``); None derives it from the tensors (one copy to host)
    and works on the rows that need it where the given-width path does a pass over every row.
    """
    B, V = logits.shape
    sync_free = width is not None
    if width is None:
        width = _width_from_tensors(top_k, top_p, V) if B else 0
    if width == 0:
        cutoff = torch.full((B,), float("-inf"), device=logits.device)
        if min_p is not None:
            # x / T is monotone in x and rounds once: the largest scaled logit is the largest one scaled
            cutoff = _min_p_cutoff(scale_logits(logits.amax(dim=-1, keepdim=True), temperature)[:, 0], min_p)
        return Candidates(cutoff)
    filtered = (top_k > 0) | (top_p < 1)
    k = top_k.clamp(0, V)
    if width < V:
        raw, ids = logits.topk(width, dim=-1, sorted=True)
        values = scale_logits(raw, temperature)
    else:
        values, ids = scale_logits(logits, temperature).sort(dim=-1, descending=True)
    kth = torch.where(k > 0, values.gather(1, (k - 1).clamp_min(0)[:, None]).squeeze(1), float("-inf"))
    kept = values.masked_fill(values < kth[:, None], float("-inf"))
    # tokens outside the selection tied with the k-th value (only when the selection's last one is): top-k
    # keeps them too, so they count in top-p's mass (and are drawable if top-p keeps the k-th value)
    tied = torch.zeros(B, dtype=torch.int64, device=logits.device)
    if width < V:
        ends_tied = values[:, -1] >= kth
        if sync_free:  # every row (a full pass, cheap on a GPU); else only the rows that need it
            past = _count_at_least(logits, temperature, kth) - (values >= kth[:, None]).sum(-1)
            tied = torch.where(ends_tied, past, 0)
        else:
            rows = ends_tied.nonzero().squeeze(1)
            if rows.numel():
                tied[rows] = (_count_at_least(logits[rows], temperature[rows], kth[rows])
                              - (values[rows] >= kth[rows][:, None]).sum(-1))
    c = torch.where(top_p < 1, _top_p_cutoff(kept, top_p, tied, kth), kth)
    cutoff = torch.where(filtered, torch.maximum(c, kth), float("-inf"))
    if min_p is not None:  # values[:, 0] is each row's largest scaled logit, never cut by top-k or top-p
        cutoff = torch.maximum(cutoff, _min_p_cutoff(values[:, 0], min_p))
    kept = kept.masked_fill(kept < cutoff[:, None], float("-inf"))
    return Candidates(cutoff, kept, ids, filtered & ((tied == 0) | (cutoff > kth)))


def filter_logits(logits: torch.Tensor, temperature: torch.Tensor, top_k: torch.Tensor,
                  top_p: torch.Tensor, min_p: torch.Tensor | None = None) -> torch.Tensor:
    """fp32 ``logits / T`` with the tokens top-k / top-p / min-p remove set to -inf (see ``filter_candidates``)."""
    scaled = scale_logits(logits, temperature)
    cutoff = filter_candidates(logits, temperature, top_k, top_p, min_p=min_p).cutoff
    return scaled.masked_fill(scaled < cutoff[:, None], float("-inf"))


def perturbed_logits(logits, temperature, top_k, top_p, seeds, steps, min_p=None) -> torch.Tensor:
    """Filtered scaled logits plus Gumbel noise (none on greedy rows) over the whole vocabulary: the
    argmax is the draw. A filtered token stays exactly -inf whatever its noise, so no NaN can reach
    the argmax. ``sample_torch`` draws the same tokens computing noise for candidates only."""
    filtered = filter_logits(logits, temperature, top_k, top_p, min_p)
    gumbel = gumbel_from_bits(noise_bits(row_keys(seeds, steps), logits.shape[1]))
    noisy = torch.where(temperature[:, None] > 0, filtered + gumbel, filtered)
    return noisy.masked_fill(filtered == float("-inf"), float("-inf"))


def _first_argmax(values: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Per row, the smallest token id among the maxima: torch.argmax's rule over the whole vocabulary."""
    best = values.max(dim=-1, keepdim=True).values
    return torch.where(values == best, ids, torch.iinfo(torch.int64).max).min(dim=-1).values


def sample_torch(logits, temperature, top_k, top_p, seeds, steps, *,
                 width: int | None = None, min_p: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The spec; see ``sample``. Equal, token for token, to ``perturbed_logits(...).argmax(-1)``.

    Why not that one-liner: at V = 49k and B = 256 a full sort and full-vocabulary noise cost more than
    the model's decode step. Here filtered rows draw noise only for their candidates (top-k by
    selection), and only unfiltered sampled rows hash the whole vocabulary.
    """
    B, V = logits.shape
    cand = filter_candidates(logits, temperature, top_k, top_p, width, min_p)
    keys = row_keys(seeds, steps)
    sampled = temperature > 0
    tokens = torch.empty(B, dtype=torch.int64, device=logits.device)
    greedy = (~sampled).nonzero().squeeze(1)
    if greedy.numel():
        tokens[greedy] = logits[greedy].argmax(dim=-1)  # the top token is never filtered
    by_candidates = sampled & cand.rows if cand.rows is not None else torch.zeros_like(sampled)
    full = (sampled & ~by_candidates).nonzero().squeeze(1)
    if full.numel():
        scaled = scale_logits(logits[full], temperature[full])
        noisy = scaled + gumbel_from_bits(noise_bits(keys[full], V))
        filtered = scaled.masked_fill(scaled < cand.cutoff[full][:, None], float("-inf"))
        tokens[full] = noisy.masked_fill(filtered == float("-inf"), float("-inf")).argmax(dim=-1)
    rows = by_candidates.nonzero().squeeze(1)
    if rows.numel():
        values, ids = cand.values[rows], cand.ids[rows]
        bits = mix32(keys[rows][:, None] ^ ((ids * 0x9E3779B1) & _M32))
        noisy = (values + gumbel_from_bits(bits)).masked_fill(values == float("-inf"), float("-inf"))
        tokens[rows] = _first_argmax(noisy, ids)
    logprobs = logits.float().gather(1, tokens[:, None]).squeeze(1) - torch.logsumexp(logits.float(), dim=-1)
    return tokens, logprobs


def sample(
    logits: torch.Tensor, temperature: torch.Tensor, top_k: torch.Tensor, top_p: torch.Tensor,
    seeds: torch.Tensor, steps: torch.Tensor, *, backend: str | None = None, validate: bool = True,
    width: int | None = None, min_p: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draws one token per row of ``logits [B, V]``.

    Per-row parameters, all ``[B]``: temperature (fp32, 0 = greedy), top_k (int64, <= 0 = off),
    top_p (fp32 in (0, 1], 1 = off), seeds (int64) and steps (int64 counters; the pair selects the
    noise); optionally min_p (fp32 in [0, 1], 0 = off; None = off on every row). Returns
    ``(tokens int64 [B], model log-probs fp32 [B])``.

    A caller that has checked the parameter values on the host (as the engine does per request) passes
    ``validate=False`` and ``width=candidate_width(top_ks, top_ps, V)``: then the CUDA and Triton paths
    never wait for the device (shapes and dtypes are still checked; they live on the host).
    """
    name = "sample"
    check(logits.dim() == 2 and logits.shape[1] > 0, name, f"logits must be [B, V], got {tuple(logits.shape)}")
    B = logits.shape[0]
    params = [("temperature", temperature, torch.float32), ("top_k", top_k, torch.int64),
              ("top_p", top_p, torch.float32), ("seeds", seeds, torch.int64), ("steps", steps, torch.int64)]
    for label, t, dtype in params + ([("min_p", min_p, torch.float32)] if min_p is not None else []):
        check(t.shape == (B,) and t.dtype == dtype and t.device == logits.device, name,
              f"{label} must be {dtype} [B={B}] on {logits.device}, got {t.dtype} {tuple(t.shape)} on {t.device}")
    if validate:
        check(bool((temperature >= 0).all()), name, "temperature must be >= 0")
        check(bool(((top_p > 0) & (top_p <= 1)).all()), name, "top_p must lie in (0, 1]")
        check(min_p is None or bool(((min_p >= 0) & (min_p <= 1)).all()), name, "min_p must lie in [0, 1]")
        if width is not None:
            expected = _width_from_tensors(top_k, top_p, logits.shape[1]) if B else 0
            check(width == expected, name, f"width={width} but the parameters need candidate_width = {expected}")
    chosen = choose_backend(name, logits.device, IMPLEMENTED, backend)
    if logits.stride(1) != 1 and chosen in ("cuda", "cpp"):
        logits = logits.contiguous()
    if chosen == "cpp":
        # csrc/sampling.cpp: per row, top-k by selection, top-p within the candidates, noise for them only
        log_min_p = (torch.log(min_p.double()) if min_p is not None
                     else torch.full((B,), float("-inf"), dtype=torch.float64))
        return torch.ops.ptsfast.sample_candidates(logits, temperature.contiguous(), top_k.contiguous(),
                                                   top_p.contiguous(), log_min_p, seeds.contiguous(),
                                                   steps.contiguous())
    if chosen == "cuda":
        # csrc/sampling_math.h: one streaming pass per row with the cutoffs of filter_candidates
        cutoff = filter_candidates(logits, temperature, top_k, top_p, width, min_p).cutoff
        return torch.ops.ptsfast.sample_filtered(logits, temperature.contiguous(), cutoff,
                                                 seeds.contiguous(), steps.contiguous())
    if chosen == "triton":
        cutoff = filter_candidates(logits, temperature, top_k, top_p, width, min_p).cutoff
        return triton_module("sampling").sample_triton(logits, temperature, cutoff, row_keys(seeds, steps))
    return sample_torch(logits, temperature, top_k, top_p, seeds, steps, min_p=min_p)  # reads the device anyway
