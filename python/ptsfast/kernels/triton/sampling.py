"""Triton sampling: one streaming pass over each row's logits (Gumbel-max), same noise as the reference.

Why: at every decode step the engine samples B rows over a 150k vocabulary; the reference builds
several fp32 ``[B, V]`` temporaries (scaled logits, noise, log-softmax). Here a row is read once:
each ``BLOCK_V`` tile updates an online log-sum-exp of the raw logits (for the model log-prob of the
drawn token) and a running argmax of ``logits / T + Gumbel(u)`` where ``u`` comes from the same
counter-based murmur3 hash of ``(row key, token id)`` as ``sampling.noise_bits`` /
``sampling.uniform_from_bits``, computed on uint32.
So the tokens equal the reference's bit for bit, up to 1-ulp differences of ``log`` between libraries,
which only matter for exact near-ties.

Top-k / top-p cannot be decided in one pass over an unsorted row. The dispatcher finds each filtering
row's *cutoff* (the smallest kept scaled logit) with ``sampling.filter_candidates``, the rule the
reference uses (Hugging Face's warpers: top-k by selection, ties at the k-th value kept, top-p within
what top-k kept), and the kernel keeps tokens with ``logits / T >= cutoff``: the same kept set.

``sampling.sample`` passes both to the launcher, so this module never imports its dispatcher.

grid = (rows, vocab splits) then a tiny combine kernel (one program per row). Splits give the GPU
enough programs when B is small.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl
from triton.language.extra import libdevice

from ptsfast.kernels._launch import interpreted, split_range, splits_to_fill


@triton.jit
def _mix32(x):
    x = x ^ (x >> 16)
    x = x * 0x85EBCA6B
    x = x ^ (x >> 13)
    x = x * 0xC2B2AE35
    return x ^ (x >> 16)


@triton.jit
def _sample_partial_kernel(
    logits_ptr, stride_b, temp_ptr, cutoff_ptr, key_ptr,
    best_v_out, best_i_out, best_x_out, m_out, s_out,
    V, span, num_splits,
    BLOCK_V: tl.constexpr, PRECISE_LOG: tl.constexpr,
):
    row = tl.program_id(0)
    split = tl.program_id(1)
    temp = tl.load(temp_ptr + row)
    t_div = tl.where(temp > 0, temp, 1.0)
    cutoff = tl.load(cutoff_ptr + row)
    key = tl.load(key_ptr + row).to(tl.uint32)
    base = logits_ptr + row.to(tl.int64) * stride_b
    v_begin = split * span
    v_end = tl.minimum(v_begin + span, V)

    m_i = float("-inf")
    s_i = 0.0
    best_v = float("-inf")
    best_i = -1
    best_x = float("-inf")
    for v0 in range(v_begin, v_end, BLOCK_V):
        cols = v0 + tl.arange(0, BLOCK_V)
        ok = cols < v_end
        x = tl.load(base + cols, mask=ok, other=float("-inf")).to(tl.float32)
        # online log-sum-exp of the raw logits (the model's log-prob, before temperature / filters)
        m_new = tl.maximum(m_i, tl.max(x, 0))
        m_safe = tl.where(m_new == float("-inf"), 0.0, m_new)
        s_i = s_i * tl.exp(m_i - m_safe) + tl.sum(tl.exp(x - m_safe), 0)
        m_i = m_new
        scaled = tl.math.div_rn(x, t_div)  # IEEE division, like torch
        filtered = tl.where(scaled >= cutoff, scaled, float("-inf"))
        if temp > 0:
            bits = _mix32(key ^ (cols.to(tl.uint32) * 0x9E3779B1))
            # sampling.uniform_from_bits: 23 bits + half a step, strictly inside (0, 1) in fp32
            u = ((bits >> 9).to(tl.float32) + 0.5) * 1.1920928955078125e-07  # 2^-23
            if PRECISE_LOG:
                g = -libdevice.log(-libdevice.log(u))
            else:
                g = -tl.log(-tl.log(u))
            # a filtered token stays -inf whatever its noise: no NaN ever reaches the argmax
            noisy = tl.where(filtered == float("-inf"), float("-inf"), filtered + g)
        else:
            noisy = filtered
        noisy = tl.where(ok, noisy, float("-inf"))
        tile_best = tl.max(noisy, 0)
        tile_arg = tl.argmax(noisy, 0, tie_break_left=True)
        if tile_best > best_v:  # strict: the first maximum wins, like torch.argmax
            best_v = tile_best
            best_i = v0 + tile_arg
            best_x = tl.sum(tl.where(tl.arange(0, BLOCK_V) == tile_arg, x, 0.0), 0)
    out = row.to(tl.int64) * num_splits + split
    tl.store(best_v_out + out, best_v)
    tl.store(best_i_out + out, best_i)
    tl.store(best_x_out + out, best_x)
    tl.store(m_out + out, m_i)
    tl.store(s_out + out, s_i)


@triton.jit
def _sample_combine_kernel(
    best_v_ptr, best_i_ptr, best_x_ptr, m_ptr, s_ptr, tokens_out, logprobs_out, num_splits,
    SPLITS_P: tl.constexpr,
):
    row = tl.program_id(0)
    idx = tl.arange(0, SPLITS_P)
    ok = idx < num_splits
    off = row.to(tl.int64) * num_splits + idx
    bv = tl.load(best_v_ptr + off, mask=ok, other=float("-inf"))
    bi = tl.load(best_i_ptr + off, mask=ok, other=-1)
    bx = tl.load(best_x_ptr + off, mask=ok, other=float("-inf"))
    m = tl.load(m_ptr + off, mask=ok, other=float("-inf"))
    s = tl.load(s_ptr + off, mask=ok, other=0.0)
    win = tl.argmax(bv, 0, tie_break_left=True)  # lower split = lower token ids: first maximum wins
    sel = idx == win
    token = tl.sum(tl.where(sel, bi, 0), 0)
    x_tok = tl.sum(tl.where(sel, bx, 0.0), 0)
    big = tl.max(m, 0)
    big_safe = tl.where(big == float("-inf"), 0.0, big)
    lse = big_safe + tl.log(tl.sum(s * tl.exp(m - big_safe), 0))
    token = tl.where(token < 0, 0, token)  # an all -inf row: torch.argmax returns 0
    tl.store(tokens_out + row, token.to(tl.int64))
    tl.store(logprobs_out + row, x_tok - lse)


def sample_triton(logits, temperature, cutoff, keys, *, num_splits: int | None = None,
                  block_v: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Triton backend of ``sampling.sample`` (inputs checked there). logits ``[B, V]`` (any float
    dtype), temperature ``[B]``, the rows' ``cutoff`` (``sampling.filter_candidates``) and noise ``keys``
    (``sampling.row_keys``); returns ``(tokens int64 [B], model log-probs fp32 [B])``."""
    B, V = logits.shape
    dev = logits.device
    if logits.stride(1) != 1:
        logits = logits.contiguous()
    tokens = torch.empty(B, dtype=torch.int64, device=dev)
    logprobs = torch.empty(B, dtype=torch.float32, device=dev)
    if B == 0:
        return tokens, logprobs
    interp = interpreted(dev)
    BLOCK_V = block_v or (256 if interp else 2048)
    wanted = num_splits if num_splits is not None else splits_to_fill(dev, B)
    num_splits, span = split_range(V, BLOCK_V, wanted)  # vocab splits of whole BLOCK_V tiles, none empty
    f32 = dict(dtype=torch.float32, device=dev)
    best_v = torch.empty(B, num_splits, **f32)
    best_i = torch.empty(B, num_splits, dtype=torch.int64, device=dev)
    best_x = torch.empty(B, num_splits, **f32)
    m = torch.empty(B, num_splits, **f32)
    s = torch.empty(B, num_splits, **f32)
    _sample_partial_kernel[(B, num_splits)](
        logits, logits.stride(0), temperature, cutoff, keys,
        best_v, best_i, best_x, m, s,
        V, span, num_splits,
        BLOCK_V=BLOCK_V, PRECISE_LOG=not interp, num_warps=8 if BLOCK_V >= 2048 else 4,
        enable_fp_fusion=False,  # no FMA contraction: keep the noise and scaling bit-identical to torch
    )
    _sample_combine_kernel[(B,)](best_v, best_i, best_x, m, s, tokens, logprobs, num_splits,
                                 SPLITS_P=triton.next_power_of_2(num_splits), num_warps=1)
    return tokens, logprobs
