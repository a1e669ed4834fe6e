"""sample(): exact token equality across backends under fixed seeds, and frequencies vs the exact
filtered softmax over thousands of draws (filtered / zero-probability tokens never drawn)."""

from __future__ import annotations

import math

import pytest
import torch
from kernel_utils import cpu_backends, gpu, poison  # noqa: F401

from ptsfast.kernels.sampling import (
    IMPLEMENTED,
    NOISE_BITS,
    filter_candidates,
    filter_logits,
    gumbel_from_bits,
    mix32,
    perturbed_logits,
    row_keys,
    sample,
    sample_torch,
    uniform_from_bits,
)

BACKENDS = cpu_backends(IMPLEMENTED)


def _params(B, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    temperature = torch.rand(B, generator=g) + 0.3
    temperature[: B // 8] = 0  # greedy rows
    top_k = torch.zeros(B, dtype=torch.int64)
    top_k[B // 4: B // 2] = torch.randint(1, 40, (B // 2 - B // 4,), generator=g)
    top_p = torch.ones(B)
    top_p[3 * B // 8: 3 * B // 4] = torch.rand(3 * B // 4 - 3 * B // 8, generator=g) * 0.9 + 0.05
    seeds = torch.randint(0, 2**62, (B,), generator=g)
    steps = torch.randint(0, 10_000, (B,), generator=g)
    return [x.to(device) for x in (temperature, top_k, top_p, seeds, steps)]


def _min_p(B, seed=0, device="cpu"):
    """Per-row min-p for _params' rows: off on a third, else from 1e-4 to 0.5, and 1 (only the top token) on
    one row; it falls on greedy, top-k, top-p and unfiltered rows alike."""
    g = torch.Generator().manual_seed(seed + 99)
    min_p = 10 ** (torch.rand(B, generator=g) * 3.7 - 4)
    min_p[::3] = 0
    min_p[B // 2] = 1.0
    return min_p.to(device)


def _hf_warped(logits: torch.Tensor, temperature: float, top_k: int, top_p: float, min_p: float = 0.0) -> torch.Tensor:
    """One row through Hugging Face's own warpers, in generate()'s order (temperature, top-k, top-p, min-p)."""
    from transformers.generation.logits_process import (
        MinPLogitsWarper,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    x = logits[None]
    if temperature > 0:
        x = TemperatureLogitsWarper(temperature)(None, x)
    if top_k > 0:
        x = TopKLogitsWarper(top_k)(None, x)
    if top_p < 1:
        x = TopPLogitsWarper(top_p)(None, x)
    if min_p > 0:
        x = MinPLogitsWarper(min_p)(None, x)
    return x[0]


def _exact_probs(logits, temperature, top_k, top_p, min_p=0.0) -> torch.Tensor:
    """float64 distribution of one draw: the softmax of HF's warped logits (one-hot when greedy)."""
    if temperature == 0:
        probs = torch.zeros(len(logits), dtype=torch.float64)
        probs[logits.argmax()] = 1
        return probs
    return torch.softmax(_hf_warped(logits.double(), temperature, top_k, top_p, min_p), 0)


@pytest.mark.parametrize("B,V", [(64, 1000), (40, 517), (9, 4099)])
def test_candidate_draws_equal_full_vocabulary_gumbel_max(B, V):
    """The reference draws noise only for filtered rows' candidates; its tokens must be those of the plain
    full-vocabulary Gumbel-max over the filtered logits, row for row (greedy, top-k, top-p, unfiltered)."""
    g = torch.Generator().manual_seed(V)
    logits = torch.randn(B, V, generator=g) * 3
    params = _params(B, seed=B)
    tokens, _ = sample_torch(logits, *params)
    assert torch.equal(tokens, perturbed_logits(logits, *params).argmax(dim=-1))


@pytest.mark.parametrize("B,V", [(64, 1000), (40, 517)])
def test_min_p_draws_equal_full_vocabulary_gumbel_max(B, V):
    g = torch.Generator().manual_seed(V + 3)
    logits = torch.randn(B, V, generator=g) * 3
    params = _params(B, seed=B + 3)
    min_p = _min_p(B, seed=B)
    tokens, _ = sample_torch(logits, *params, min_p=min_p)
    assert torch.equal(tokens, perturbed_logits(logits, *params, min_p=min_p).argmax(dim=-1))
    # min_p = 0 everywhere is min_p off
    assert torch.equal(sample_torch(logits, *params, min_p=torch.zeros(B))[0], sample_torch(logits, *params)[0])


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_min_p_kept_set_equals_hf_warpers(dtype):
    """min-p after temperature, top-k and top-p, as HF's MinPLogitsWarper in generate()'s order: per row the
    tokens ptsfast may draw are exactly those HF keeps (min-p alone and on top of the other filters)."""
    B, V = 96, 3000
    g = torch.Generator().manual_seed(12)
    logits = (torch.randn(B, V, generator=g) * 2.5).to(dtype)
    temperature, top_k, top_p, _, _ = _params(B, seed=6)
    top_k[::5] = torch.randint(1, 60, (len(top_k[::5]),), generator=g)
    min_p = _min_p(B, seed=6)
    ours = torch.isfinite(filter_logits(logits, temperature, top_k, top_p, min_p))
    cut = 0
    for i in range(B):
        t = float(temperature[i])
        if t == 0:
            continue  # greedy rows draw the top token whatever the filters
        ref = torch.isfinite(_hf_warped(logits[i].float(), t, int(top_k[i]), float(top_p[i]), float(min_p[i])))
        where = f"row {i}: T={t} k={int(top_k[i])} p={float(top_p[i])} min_p={float(min_p[i])}"
        if dtype == torch.bfloat16 and top_p[i] < 1:  # ties at top-p's boundary: see the test below
            assert not bool((ref & ~ours[i]).any()), where
        else:
            assert torch.equal(ours[i], ref), where
        without = torch.isfinite(_hf_warped(logits[i].float(), t, int(top_k[i]), float(top_p[i])))
        cut += int(without.sum() - ref.sum())
    assert cut > 1000  # min-p removed tokens the other filters kept


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_kept_set_equals_hf_warpers(dtype):
    """Per row, the tokens ptsfast may draw are exactly those HF's warpers keep. bf16 logits have many
    exact ties: at the top-k boundary HF keeps them all (so do we); at the top-p boundary HF keeps the
    tied tokens that its sort happens to place last, ptsfast keeps all of them (the only difference)."""
    B, V = 96, 3000
    g = torch.Generator().manual_seed(11)
    logits = (torch.randn(B, V, generator=g) * 2.5).to(dtype)
    temperature, top_k, top_p, _, _ = _params(B, seed=5)
    top_k[::5] = torch.randint(1, 60, (len(top_k[::5]),), generator=g)  # top-k and top-p together too
    ours = torch.isfinite(filter_logits(logits, temperature, top_k, top_p))
    for i in range(B):
        t = float(temperature[i])
        warped = _hf_warped(logits[i].float(), t, int(top_k[i]), float(top_p[i]))
        ref = torch.isfinite(warped)
        where = f"row {i}: T={t} k={int(top_k[i])} p={float(top_p[i])}"
        if dtype == torch.float32 or top_p[i] == 1:
            assert torch.equal(ours[i], ref), where
        else:
            extra = ours[i] & ~ref
            assert not bool((ref & ~ours[i]).any()), where
            assert bool((warped[ref].min() == logits[i].float()[extra] / t).all()), where


@pytest.mark.skipif("triton" not in BACKENDS, reason="Triton interpreter unavailable")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("B,V,splits", [(64, 1000, None), (40, 517, 3), (8, 2053, 2)])
def test_triton_tokens_equal_reference(dtype, B, V, splits, poison):  # noqa: F811
    from ptsfast.kernels.triton.sampling import sample_triton

    g = torch.Generator().manual_seed(B * V)
    logits = (torch.randn(B, V, generator=g) * 3).to(dtype)
    params = _params(B, seed=V)
    temperature, top_k, top_p, seeds, steps = params
    cutoff = filter_candidates(logits, temperature, top_k, top_p).cutoff
    tokens, logprobs = sample_triton(logits, temperature, cutoff, row_keys(seeds, steps), num_splits=splits,
                                     block_v=128)
    ref_tokens, _ = sample_torch(logits, *params)
    assert torch.equal(tokens, ref_tokens)
    exact = torch.log_softmax(logits.double(), -1).gather(1, tokens[:, None]).squeeze(1)
    assert torch.isfinite(logprobs).all()
    assert (logprobs.double() - exact).abs().max() <= 1e-5 * max(1.0, exact.abs().max().item())


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "torch"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("B,V", [(64, 1000), (33, 4099), (3, 1)])
def test_min_p_tokens_equal_reference(backend, dtype, B, V, poison):  # noqa: F811
    """Every backend draws the reference's tokens under min-p: the C++ one cuts in its own loop, the
    Triton and CUDA kernels take filter_candidates' cutoff. Rows with min-p alone, with top-k, top-p or
    both, a min-p of 1 and tiny ones; also through the engine's call (host width, no validation)."""
    from ptsfast.kernels.sampling import candidate_width

    g = torch.Generator().manual_seed(B * V + 5)
    logits = (torch.randn(B, V, generator=g) * 3).to(dtype)
    params = _params(B, seed=V + 5)
    params[1][: B // 3] = torch.randint(1, 3 * V // 2 + 2, (B // 3,), generator=g)
    min_p = _min_p(B, seed=V)
    ref_tokens, _ = sample_torch(logits, *params, min_p=min_p)
    tokens, logprobs = sample(logits, *params, backend=backend, min_p=min_p)
    assert torch.equal(tokens, ref_tokens)
    assert torch.isfinite(logprobs).all()
    width = candidate_width(params[1].tolist(), params[2].tolist(), V)
    fast = sample(logits, *params, backend=backend, validate=False, width=width, min_p=min_p)[0]
    assert torch.equal(fast, ref_tokens)
    # min-p alone on every row (no candidate width at all): still cut
    free = (params[0], torch.zeros(B, dtype=torch.int64), torch.ones(B), params[3], params[4])
    assert torch.equal(sample(logits, *free, backend=backend, validate=False, width=0, min_p=min_p)[0],
                       sample_torch(logits, *free, min_p=min_p)[0])


@pytest.mark.skipif("cpp" not in BACKENDS, reason="C++ extension not built")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("B,V", [(64, 1000), (40, 517), (8, 2053), (33, 4099), (3, 1)])
def test_cpp_tokens_equal_reference(dtype, B, V, poison):  # noqa: F811
    """The C++ backend runs csrc/sampling_math.h, the code of the CUDA kernels: token for token equal to
    the torch reference (odd vocabularies cross the 256-token tiles that the GPU's threads mirror)."""
    g = torch.Generator().manual_seed(B * V + 1)
    logits = (torch.randn(B, V, generator=g) * 3).to(dtype)
    logits[B // 2, : V // 2] = float("-inf")  # a row whose first tiles are all masked
    params = _params(B, seed=V + 1)
    params[1][: B // 3] = torch.randint(1, 3 * V // 2 + 2, (B // 3,), generator=g)  # top-k, also k >= V
    tokens, logprobs = sample(logits, *params, backend="cpp")
    ref_tokens, ref_logprobs = sample_torch(logits, *params)
    assert torch.equal(tokens, ref_tokens)
    exact = torch.log_softmax(logits.double(), -1).gather(1, tokens[:, None]).squeeze(1)
    assert torch.isfinite(logprobs).all()
    assert (logprobs.double() - exact).abs().max() <= 1e-5 * max(1.0, exact.abs().max().item())
    # a strided view of the logits (rows of a larger buffer) draws the same tokens
    wide = torch.zeros(B, V + 7, dtype=dtype)
    wide[:, :V] = logits
    assert torch.equal(sample(wide[:, :V], *params, backend="cpp")[0], ref_tokens)



def _tie_heavy(B, V, seed):
    """Logits on a coarse grid (many exact ties, also at the k-th value and past a top-k selection) and
    mixed rows: greedy, top-k alone, top-p alone, both, k > V, unfiltered."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randint(-6, 7, (B, V), generator=g).float() * 0.5
    temperature = torch.rand(B, generator=g) * 1.2 + 0.3
    temperature[::7] = 0
    top_k = torch.randint(1, 12, (B,), generator=g)
    top_k[1::5] = 0  # top-p alone (or unfiltered where top_p == 1)
    top_k[2::9] = V + 5  # more than the vocabulary
    top_p = torch.rand(B, generator=g) * 0.9 + 0.05
    top_p[::3] = 1
    seeds = torch.randint(0, 2**62, (B,), generator=g)
    steps = torch.randint(0, 10_000, (B,), generator=g)
    return logits, [temperature, top_k, top_p, seeds, steps]


@pytest.mark.parametrize("B,V,seed", [(48, 64, 0), (40, 257, 1), (24, 1000, 2)])
def test_ties_at_the_kth_value_every_backend_equals_full_vocabulary_draw(B, V, seed):
    """Ties at the k-th value (kept, every one, as HF's TopKLogitsWarper) also past the selection of the
    k+1 largest; top_k > V; top_k = 0 with top_p < 1; mixed rows: every backend draws the tokens of the
    plain full-vocabulary Gumbel-max over the filtered logits, and keeps HF's top-k set."""
    logits, params = _tie_heavy(B, V, seed)
    expected = perturbed_logits(logits, *params).argmax(dim=-1)
    for backend in BACKENDS:
        tokens, logprobs = sample(logits, *params, backend=backend)
        assert torch.equal(tokens, expected), backend
        exact = torch.log_softmax(logits.double(), -1).gather(1, tokens[:, None]).squeeze(1)
        assert (logprobs.double() - exact).abs().max() <= 1e-5 * max(1.0, exact.abs().max().item()), backend
    kept = torch.isfinite(filter_logits(logits, *params[:3]))
    for i in range(B):
        t, k, p = float(params[0][i]), int(params[1][i]), float(params[2][i])
        if p == 1:  # top-k alone: exactly HF's kept set (top-p ties differ, see test_kept_set_equals_hf_warpers)
            assert torch.equal(kept[i], torch.isfinite(_hf_warped(logits[i], t, min(k, V), 1.0))), i


def test_ties_past_the_selection_count_in_top_p_mass():
    """Many tokens tie with the k-th value outside the k+1 selected: top-p renormalises over all of them.
    Row: 2 at 3.0, 40 at 0.0; top-k 3 keeps all 42; with top-p 0.6 the 0.0 tokens hold 40/(40 + 2e^3) = 0.499
    > 1 - 0.6 of the mass, so the cutoff stays at 0.0 and all 40 remain drawable (counting only the two
    ties inside the selection, they would hold 2/42 and be dropped)."""
    logits = torch.full((1, 42), 0.0)
    logits[0, :2] = 3.0
    args = (torch.ones(1), torch.tensor([3]), torch.tensor([0.6]))
    kept = torch.isfinite(filter_logits(logits, *args))
    assert bool(kept.all())
    draws = 400
    params = [a.expand(draws).contiguous() for a in args] + [torch.arange(draws), torch.zeros(draws, dtype=torch.int64)]
    for backend in BACKENDS:
        tokens, _ = sample(logits.expand(draws, 42).contiguous(), *params, backend=backend)
        assert int((tokens >= 2).sum()) > 100, backend  # the tied tokens are drawn (expected ~200)


@pytest.mark.parametrize("backend", BACKENDS)
def test_host_width_and_no_validation_draw_the_same_tokens(backend):
    """``width=candidate_width(...)`` of the host values and ``validate=False`` (the engine's call) give
    the tokens of the plain call; a wrong width is refused when validating."""
    from ptsfast.kernels.sampling import candidate_width

    logits, params = _tie_heavy(32, 300, 5)
    width = candidate_width(params[1].tolist(), params[2].tolist(), 300)
    assert width == 300  # a row filters by top-p alone
    plain = sample(logits, *params, backend=backend)
    fast = sample(logits, *params, backend=backend, validate=False, width=width)
    assert torch.equal(plain[0], fast[0]) and torch.equal(plain[1], fast[1])
    params[1][params[1] <= 0] = 4  # every row has a top-k now: width is max(k) + 1, clamped to V
    assert candidate_width(params[1].tolist(), params[2].tolist(), 300) == 300  # a row asks for k = V + 5
    params[1] = params[1].clamp_max(9)
    width = candidate_width(params[1].tolist(), params[2].tolist(), 300)
    assert width == 10
    assert torch.equal(sample(logits, *params, backend=backend, validate=False, width=width)[0],
                       sample(logits, *params, backend=backend)[0])
    with pytest.raises(ValueError, match="width"):
        sample(logits, *params, backend=backend, width=width + 1)

CASES = [  # temperature, top_k, top_p, min_p
    (1.0, 0, 1.0, 0.0),
    (0.7, 5, 1.0, 0.0),
    (1.3, 0, 0.8, 0.0),
    (1.0, 8, 0.6, 0.0),
    (0.0, 0, 1.0, 0.0),
    (1.2, 0, 1.0, 0.05),
    (0.9, 10, 0.9, 0.1),
]


# The interpreter runs ~2 ms per program: Triton gets two cases with fewer draws here; its tokens are
# also shown equal to the reference's draw for draw above, which carries the 6000-draw statistics.
FREQ = ([("torch", c, 6000) for c in CASES] + [("cpp", c, 6000) for c in CASES]
        + [("triton", c, 400) for c in (CASES[0], CASES[3], CASES[6])])


@pytest.mark.parametrize("backend,case,draws", [f for f in FREQ if f[0] in BACKENDS])
def test_frequencies_match_filtered_softmax(backend, case, draws):
    temperature, top_k, top_p, min_p = case
    V = 24
    g = torch.Generator().manual_seed(7)
    row = torch.randn(V, generator=g) * 1.5
    row[5] = float("-inf")  # a token the model never emits
    logits = row.expand(draws, V).contiguous()
    params = (torch.full((draws,), temperature), torch.full((draws,), top_k, dtype=torch.int64),
              torch.full((draws,), top_p), torch.full((draws,), 1234, dtype=torch.int64),
              torch.arange(draws, dtype=torch.int64))
    tokens, logprobs = sample(logits, *params, backend=backend, min_p=torch.full((draws,), min_p) if min_p else None)
    probs = _exact_probs(row, temperature, top_k, top_p, min_p)
    counts = torch.bincount(tokens, minlength=V).double()
    assert counts[probs == 0].sum() == 0, "a filtered or zero-probability token was drawn"
    expected = probs * draws
    support = expected > 0
    chi2 = float(((counts[support] - expected[support]) ** 2 / expected[support]).sum())
    df = max(int(support.sum()) - 1, 1)
    assert chi2 <= df + 6 * math.sqrt(2 * df) + 10, f"chi2={chi2:.1f} for df={df}"
    assert torch.allclose(logprobs.double(), torch.log_softmax(row.double(), 0)[tokens], atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rows_independent_of_batching(backend):
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(24, 300, generator=g)
    params = _params(24, seed=2)
    tokens, _ = sample(logits, *params, backend=backend)
    perm = torch.randperm(24, generator=g)
    tokens_p, _ = sample(logits[perm], *[p[perm] for p in params], backend=backend)
    assert torch.equal(tokens[perm], tokens_p)
    again, _ = sample(logits, *params, backend=backend)
    assert torch.equal(tokens, again)


def test_input_checks():
    logits = torch.randn(3, 10)
    t, k, p, s, st = _params(3)
    with pytest.raises(ValueError, match="temperature"):
        sample(logits, t.double(), k, p, s, st)
    with pytest.raises(ValueError, match="top_k"):
        sample(logits, t, k.int(), p, s, st)
    with pytest.raises(ValueError, match=">= 0"):
        sample(logits, -t - 1, k, p, s, st)
    with pytest.raises(ValueError, match="top_p"):
        sample(logits, t, k, torch.zeros(3), s, st)
    with pytest.raises(ValueError, match="logits"):
        sample(logits[0], t, k, p, s, st)
    for bad in (torch.full((3,), 1.5), torch.full((3,), -0.1), torch.full((3,), float("nan"))):
        with pytest.raises(ValueError, match=r"min_p must lie in \[0, 1\]"):
            sample(logits, t, k, p, s, st, min_p=bad)
    with pytest.raises(ValueError, match="min_p must be torch.float32"):
        sample(logits, t, k, p, s, st, min_p=torch.zeros(3, dtype=torch.float64))


# --- boundaries: the noise is a pure function of 32 hash bits, so its extremes can be checked exactly ---

_M32 = 0xFFFFFFFF
_INV = {c: pow(c, -1, 1 << 32) for c in (0x85EBCA6B, 0xC2B2AE35)}


def _unmix32(x: int) -> int:
    """Inverse of murmur3's finaliser ``mix32`` (each step is a bijection on uint32)."""
    x ^= x >> 16
    x = (x * _INV[0xC2B2AE35]) & _M32
    x ^= (x >> 13) ^ (x >> 26)
    x = (x * _INV[0x85EBCA6B]) & _M32
    return x ^ (x >> 16)


def _seed_with_bits(token: int, bits: int) -> int:
    """A seed whose step-0 noise for ``token`` comes from exactly the hash value ``bits``."""
    key = _unmix32(bits) ^ ((token * 0x9E3779B1) & _M32)
    return _unmix32(key) ^ int(mix32(torch.tensor(0x9E3779B9)))  # row_keys(seed, 0) with seed < 2^32


def test_every_uniform_is_strictly_inside_unit_interval():
    """All 2^23 distinct noise values, exhaustively: exact extremes, no 0 or 1, finite Gumbel noise."""
    k = torch.arange(1 << NOISE_BITS, dtype=torch.int64)
    for low in (0, (1 << (32 - NOISE_BITS)) - 1):  # the dropped low bits must not matter
        bits = (k << (32 - NOISE_BITS)) | low
        u = uniform_from_bits(bits)
        assert u.dtype == torch.float32
        assert float(u.min()) == 2.0**-24 and float(u.max()) == 1 - 2.0**-24
        assert bool((u > 0).all()) and bool((u < 1).all())
        assert torch.unique(u).numel() == 1 << NOISE_BITS  # every step representable: no two values merge
        g = gumbel_from_bits(bits)
        assert bool(torch.isfinite(g).all())
        assert -3 < float(g.min()) and float(g.max()) < 17


def test_seed_injection_hits_the_extreme_bits():
    for token, bits in ((0, 0), (7, _M32), (1234, 0xDEADBEEF)):
        keys = row_keys(torch.tensor([_seed_with_bits(token, bits)]), torch.tensor([0]))
        got = mix32(keys ^ ((token * 0x9E3779B1) & _M32))
        assert int(got) == bits


def _extreme_rows(V: int, dtype):
    """Rows where the largest possible noise (all hash bits set) lands on a token of probability 0:
    a -inf logit, a token outside top-k, a token outside top-p. Plus a row where it lands on a kept
    token of a flat support: that token must win (finite noise, no +inf ties)."""
    g = torch.Generator().manual_seed(V)
    logits = torch.randn(4, V, generator=g) * 2
    victim = [V - 1, 3, 5, 2]
    logits[0, victim[0]] = float("-inf")
    logits[1, victim[1]] = logits[1].min() - 1  # outside top-k 10
    logits[2, victim[2]] = logits[2].min() - 1  # outside top-p 0.5
    logits[3, :8] = 10.0  # flat support of 8 tokens, the rest filtered by top-k 8
    logits[3, 8:] = 0.0
    temperature = torch.ones(4)
    top_k = torch.tensor([0, 10, 0, 8])
    top_p = torch.tensor([1.0, 1.0, 0.5, 1.0])
    seeds = torch.tensor([_seed_with_bits(v, _M32) for v in victim])
    return logits.to(dtype), (temperature, top_k, top_p, seeds, torch.zeros(4, dtype=torch.int64)), victim


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("backend", BACKENDS)
def test_extreme_noise_never_draws_outside_support(backend, dtype):
    logits, params, victim = _extreme_rows(300, dtype)
    noisy = perturbed_logits(logits, *params)
    assert not bool(noisy.isnan().any()), "NaN reached the argmax"
    tokens, logprobs = sample(logits, *params, backend=backend)
    assert tokens[:3].tolist() != victim[:3] and all(t != v for t, v in zip(tokens[:3].tolist(), victim))
    keep = torch.isfinite(filter_logits(logits, *params[:3]))
    assert bool(keep[torch.arange(4), tokens].all())
    assert tokens[3] == victim[3]  # the largest noise on a flat support wins outright
    assert bool(torch.isfinite(logprobs).all())


@pytest.mark.slow
def test_million_draws_never_leave_a_small_support():
    """2^20 draws over a 512-token vocabulary whose support is 4 tokens: zero draws outside it.
    (With 24-bit noise about V / 2^24 of rows drew a random token: ~32 expected here.)"""
    V, support, draws, chunk = 512, torch.tensor([3, 100, 101, 511]), 1 << 20, 1 << 15
    row = torch.full((V,), float("-inf"))
    row[support] = torch.tensor([0.5, 0.0, -1.0, 1.5])
    allowed = torch.isfinite(row)
    counts = torch.zeros(V, dtype=torch.int64)
    for start in range(0, draws, chunk):
        logits = row.expand(chunk, V)
        tokens, _ = sample(logits, torch.full((chunk,), 0.8), torch.zeros(chunk, dtype=torch.int64),
                           torch.ones(chunk), torch.full((chunk,), 99, dtype=torch.int64),
                           torch.arange(start, start + chunk), backend="torch")
        counts += torch.bincount(tokens, minlength=V)
    assert int(counts[~allowed].sum()) == 0
    probs = torch.softmax(row.double() / 0.8, 0)[support]
    assert torch.allclose(counts[support].double() / draws, probs, atol=3e-3)


def test_top_p_one_keeps_the_tail_beside_top_p_rows():
    """A row with top_p == 1 must keep every token even when the fp32 cumulative mass reaches 1.0
    early, also when other rows of the batch use top-p (the rule is applied per row)."""
    V = 4000
    logits = -30.0 - torch.arange(V, dtype=torch.float32)[None, :].repeat(3, 1) * 1e-3  # a long tail, no ties
    logits[:, 0] = 0.0
    logits[2] = torch.randn(V)
    temperature, top_k = torch.ones(3), torch.tensor([0, 50, 0])
    top_p = torch.tensor([1.0, 1.0, 0.7])
    kept = torch.isfinite(filter_logits(logits, temperature, top_k, top_p)).sum(1)
    assert kept[0] == V and kept[1] == 50 and 0 < kept[2] < V
    for backend in set(BACKENDS) - {"torch"}:
        tokens, _ = sample(logits, temperature, top_k, top_p, torch.arange(3), torch.zeros(3, dtype=torch.int64),
                           backend=backend)
        assert torch.equal(tokens, sample_torch(logits, temperature, top_k, top_p, torch.arange(3),
                                                    torch.zeros(3, dtype=torch.int64))[0])


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_gpu_triton_equals_reference(dtype, poison):  # noqa: F811
    g = torch.Generator().manual_seed(0)
    logits = (torch.randn(256, 151936, generator=g) * 3).to(dtype).cuda()
    params = _params(256, device="cuda")
    tokens, logprobs = sample(logits, *params, backend="triton")
    ref_tokens, ref_lp = sample_torch(logits, *params)
    assert (tokens == ref_tokens).float().mean() >= 0.995  # libdevice vs torch log: 1-ulp near-ties only
    assert torch.allclose(logprobs, ref_lp, atol=1e-4)
    min_p = _min_p(256, device="cuda")
    with_min_p = sample(logits, *params, backend="triton", min_p=min_p)[0]
    assert (with_min_p == sample_torch(logits, *params, min_p=min_p)[0]).float().mean() >= 0.995


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("B,V", [(256, 151936), (3, 151936), (64, 1000)])
def test_gpu_cuda_equals_reference(dtype, B, V, poison):  # noqa: F811
    from ptsfast.kernels._dispatch import backend_available

    if not backend_available("cuda", torch.device("cuda")):
        pytest.skip("extension built without CUDA")
    g = torch.Generator().manual_seed(B)
    logits = (torch.randn(B, V, generator=g) * 3).to(dtype).cuda()
    params = _params(B, device="cuda")
    tokens, logprobs = sample(logits, *params, backend="cuda")
    ref_tokens, ref_lp = sample_torch(logits, *params)
    min_p = _min_p(B, device="cuda")
    with_min_p = sample(logits, *params, backend="cuda", min_p=min_p)[0]
    assert (with_min_p == sample_torch(logits, *params, min_p=min_p)[0]).float().mean() >= 0.995
    assert (tokens == ref_tokens).float().mean() >= 0.995  # CUDA vs torch log: 1-ulp near-ties only
    assert torch.allclose(logprobs, ref_lp, atol=1e-4)
    cpu_tokens, _ = sample(logits.cpu(), *[p.cpu() for p in params], backend="cpp")
    assert (tokens.cpu() == cpu_tokens).float().mean() >= 0.995  # the same sampling_math.h on both


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_gpu_cuda_extreme_noise(dtype):
    logits, params, victim = _extreme_rows(300, dtype)
    tokens, logprobs = sample(logits.cuda(), *[p.cuda() for p in params], backend="cuda")
    keep = torch.isfinite(filter_logits(logits, *params[:3]))
    assert bool(keep[torch.arange(4), tokens.cpu()].all()) and int(tokens[3]) == victim[3]
    assert bool(torch.isfinite(logprobs).all())
