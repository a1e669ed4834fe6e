"""Paged decode attention (rows outside cascade groups) and varlen causal prefill: the Triton kernels
under the interpreter vs the torch references and float64 oracles (random non-contiguous block tables,
GQA, key splits, packed sequences of odd lengths), and the engine driven through both kernels."""

from __future__ import annotations

import pytest
import torch
from kernel_utils import TOL, cpu_backends, gpu, poison, rel_err  # noqa: F401

from ptsfast.kernels._dispatch import backend_available, choose_backend
from ptsfast.kernels.paged_attention import IMPLEMENTED as DECODE_IMPLEMENTED
from ptsfast.kernels.paged_attention import paged_decode_attention, paged_decode_attention_torch
from ptsfast.kernels.prefill_attention import (IMPLEMENTED, prefill_attention, prefill_attention_torch,
                                               prefill_chunk_attention)

BACKENDS = cpu_backends(IMPLEMENTED)  # prefill
DECODE_BACKENDS = cpu_backends(DECODE_IMPLEMENTED)
HAS_CPP = backend_available("cpp", torch.device("cpu"))


def _case(lens, Hq, Hkv, D, bs, dtype, seed, device="cpu"):
    """Rows of the given context lengths on randomly placed blocks (tables padded with 0, like the runner)."""
    g = torch.Generator().manual_seed(seed)
    need = [-(-n // bs) for n in lens]
    num_blocks = sum(need) + 3
    free = iter(torch.randperm(num_blocks, generator=g).tolist())
    tables = [[next(free) for _ in range(k)] for k in need]
    width = max(need)
    block_tables = torch.tensor([t + [0] * (width - len(t)) for t in tables], dtype=torch.int32)
    mk = lambda *s: torch.randn(*s, generator=g).to(dtype)  # noqa: E731
    q, k, v = mk(len(lens), Hq, D), mk(num_blocks, bs, Hkv, D), mk(num_blocks, bs, Hkv, D)
    return [x.to(device) for x in (q, k, v, block_tables, torch.tensor(lens))], tables


def _oracle(q, k_cache, v_cache, tables, lens, scale, window=None):
    bs, Hkv, D = k_cache.shape[1:]
    rep = q.shape[1] // Hkv
    out = []
    for b, (t, n) in enumerate(zip(tables, lens)):
        first = 0 if window is None else max(0, n - window)
        slots = torch.tensor([t[i // bs] * bs + i % bs for i in range(first, n)])
        k = k_cache.reshape(-1, Hkv, D)[slots].double().cpu().repeat_interleave(rep, 1)
        v = v_cache.reshape(-1, Hkv, D)[slots].double().cpu().repeat_interleave(rep, 1)
        s = torch.einsum("hd,lhd->hl", q[b].double().cpu(), k) * scale
        out.append(torch.einsum("hl,lhd->hd", s.softmax(-1), v))
    return torch.stack(out)


LENS = [[1, 17, 40, 3], [64, 5], [33]]
HEADS = [(4, 2, 16, 16), (6, 1, 32, 8), (8, 8, 64, 16), (3, 3, 24, 16)]  # Hq, Hkv, D, block_size


@pytest.mark.parametrize("backend", DECODE_BACKENDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("heads", HEADS)
@pytest.mark.parametrize("lens", range(len(LENS)))
def test_matches_float64(backend, dtype, heads, lens, poison):  # noqa: F811
    Hq, Hkv, D, bs = heads
    (q, k, v, bt, cl), tables = _case(LENS[lens], Hq, Hkv, D, bs, dtype, seed=lens * 10 + Hq)
    scale = D**-0.5
    out = paged_decode_attention(q, k, v, bt, cl, scale, backend=backend)
    assert out.shape == q.shape and out.dtype == q.dtype
    tol = TOL[dtype]
    assert rel_err(out, _oracle(q, k, v, tables, LENS[lens], scale)) <= tol


@pytest.mark.skipif("triton" not in BACKENDS, reason="Triton interpreter unavailable")
@pytest.mark.parametrize("splits,block_n", [(1, 16), (3, 16), (7, 32)])
@pytest.mark.parametrize("window", [None, 1, 20, 500])
def test_triton_key_splits_equal_reference(splits, block_n, window, poison):  # noqa: F811
    """Key splits (several of them wholly before a short window's keys, or past a short row), sliding windows of
    one key, of fewer keys than a split and than a tile, and wider than every row."""
    from ptsfast.kernels.triton.paged_attention import paged_decode_attention_triton

    lens = [70, 1, 33, 16]
    (q, k, v, bt, cl), tables = _case(lens, 4, 2, 32, 16, torch.float32, seed=3)
    out = paged_decode_attention_triton(q, k, v, bt, cl, 0.2, window=window, splits=splits, block_n=block_n)
    assert rel_err(out, paged_decode_attention_torch(q, k, v, bt, cl, 0.2, window)) <= TOL[torch.float32]
    assert rel_err(out, _oracle(q, k, v, tables, lens, 0.2, window)) <= TOL[torch.float32]
    fixed = paged_decode_attention_triton(q, k, v, bt, cl, 0.2, 4 * 70, window=window)  # a CUDA graph's key range
    assert rel_err(fixed, out) <= TOL[torch.float32]


def test_cpu_dispatch_and_input_checks():
    (q, k, v, bt, cl), _ = _case([40, 9], 4, 2, 16, 16, torch.float32, seed=1)
    auto = choose_backend("paged_decode_attention", q.device, DECODE_IMPLEMENTED)
    assert auto == ("cpp" if HAS_CPP else "torch")
    ref = paged_decode_attention_torch(q, k, v, bt, cl, 0.25, sliding_window=8)
    assert torch.equal(paged_decode_attention(q, k, v, bt, cl, 0.25, sliding_window=8, backend="torch"), ref)
    assert rel_err(paged_decode_attention(q, k, v, bt, cl, 0.25, sliding_window=8), ref) <= TOL[torch.float32]
    with pytest.raises(ValueError, match="not implemented"):
        prefill_attention(q.new_zeros(4, 4, 16), k[0, :4], v[0, :4], [0, 4], 0.25, backend="cpp")
    with pytest.raises(ValueError, match="block_tables"):
        paged_decode_attention(q, k, v, bt[:1], cl, 0.25)
    with pytest.raises(ValueError, match="KV heads"):
        paged_decode_attention(q[:, :3], k, v, bt, cl, 0.25)


CPP_HEADS = [(3, 3, 64, 16), (9, 3, 64, 16), (8, 2, 80, 16), (12, 3, 128, 16), (6, 2, 36, 8), (4, 1, 96, 1)]
CPP_LENS = [1, 15, 16, 17, 33, 100, 2]  # 1 token, partial / exactly full / one-token last blocks, > block size
cpp = pytest.mark.skipif(not HAS_CPP, reason="C++ extension not built")


@cpp
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("heads", CPP_HEADS)
@pytest.mark.parametrize("window", [None, 1, 5, 40])
def test_cpp_matches_float64_and_reference(dtype, heads, window, poison):  # noqa: F811
    """The C++ op reads K/V in place through shuffled block tables: GQA ratios 1/3/4/4, head dims
    64/80/128 and 36 (not a multiple of the vector width), block sizes 16/8/1, sliding windows."""
    Hq, Hkv, D, bs = heads
    (q, k, v, bt, cl), tables = _case(CPP_LENS, Hq, Hkv, D, bs, dtype, seed=Hq * 100 + D + (window or 0))
    scale = D**-0.5
    out = paged_decode_attention(q, k, v, bt, cl, scale, window, backend="cpp")
    assert out.shape == q.shape and out.dtype == q.dtype
    assert rel_err(out, _oracle(q, k, v, tables, CPP_LENS, scale, window)) <= TOL[dtype]
    ref = paged_decode_attention_torch(q, k, v, bt, cl, scale, window)
    assert rel_err(out, ref) <= 2 * TOL[dtype]
    for max_isa in (0, 1):  # the loop built without AVX-512 / without AVX2, as on machines lacking them
        narrower = torch.ops.ptsfast.paged_decode_attention(q, k, v, bt, cl, scale, window, max_isa=max_isa)
        assert rel_err(narrower, ref) <= 2 * TOL[dtype]


@cpp
def test_cpp_reads_strided_cache_views_and_int64_tables(poison):  # noqa: F811
    """The engine's caches are views of one [layers, 2, blocks, block_size, Hkv, D] tensor."""
    (q, k, v, bt, cl), tables = _case([5, 40, 16], 6, 2, 32, 16, torch.float32, seed=7)
    kv = torch.stack([torch.zeros_like(k), k, v, torch.zeros_like(v)]).view(2, 2, *k.shape)
    k_view, v_view = kv[0, 1], kv[1, 0]
    assert not k_view.is_contiguous() or k_view.data_ptr() != k.data_ptr()
    out = paged_decode_attention(q, k_view, v_view, bt.long(), cl.int(), 0.3, backend="cpp")
    assert rel_err(out, _oracle(q, k, v, tables, [5, 40, 16], 0.3)) <= TOL[torch.float32]
    q_strided = q.transpose(0, 1).contiguous().transpose(0, 1)  # the adapter's [Hq, B, D]-major layout
    assert torch.equal(paged_decode_attention(q_strided, k, v, bt, cl, 0.3, backend="cpp"),
                       paged_decode_attention(q, k, v, bt, cl, 0.3, backend="cpp"))


@cpp
@pytest.mark.skipif(HAS_CPP and not hasattr(torch.ops.ptsfast, "paged_decode_attention_lse"),
                    reason="extension built before paged_decode_attention_lse: rebuild it")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("heads", [(9, 3, 64, 16), (6, 2, 36, 8)])
def test_cpp_lse_variant_returns_the_log_sum_exp_and_takes_empty_rows(dtype, heads, poison):  # noqa: F811
    """``paged_decode_attention_lse`` (cascade's suffix part on CPU): the same output as the plain op, the
    log-sum-exp of each (row, head)'s scaled scores against float64, and o = 0, lse = -inf for empty rows."""
    Hq, Hkv, D, bs = heads
    lens = [0, 1, 17, 0, 40]
    (q, k, v, bt, cl), tables = _case([max(n, 1) for n in lens], Hq, Hkv, D, bs, dtype, seed=D)
    cl = torch.tensor(lens)
    scale = D**-0.5
    for max_isa in (0, 1, 2):
        out, lse = torch.ops.ptsfast.paged_decode_attention_lse(q, k, v, bt, cl, scale, max_isa=max_isa)
        assert out.dtype == q.dtype and lse.dtype == torch.float32 and lse.shape == (len(lens), Hq)
        full = [b for b, n in enumerate(lens) if n]
        plain = torch.ops.ptsfast.paged_decode_attention(q[full], k, v, bt[full], cl[full], scale, None,
                                                         max_isa=max_isa)
        assert torch.equal(out[full], plain)
        assert rel_err(out[full], _oracle(q[full], k, v, [tables[b] for b in full], cl[full].tolist(),
                                          scale)) <= TOL[dtype]
        rep = Hq // Hkv
        for b in full:
            slots = torch.tensor([tables[b][i // bs] * bs + i % bs for i in range(lens[b])])
            kf = k.reshape(-1, Hkv, D)[slots].double().repeat_interleave(rep, 1)
            ref = torch.logsumexp(torch.einsum("hd,lhd->hl", q[b].double(), kf) * scale, -1)
            assert (lse[b].double() - ref).abs().max() <= 1e-5 * max(1.0, ref.abs().max())
        for b in (0, 3):
            assert torch.equal(out[b].float(), torch.zeros(Hq, D)) and bool((lse[b] == float("-inf")).all())


@cpp
def test_cpp_rejects_lengths_and_blocks_outside_the_cache():
    (q, k, v, bt, cl), _ = _case([5, 40], 4, 2, 16, 16, torch.float32, seed=2)
    op = torch.ops.ptsfast.paged_decode_attention
    with pytest.raises(RuntimeError, match="context_lens"):
        op(q, k, v, bt, torch.tensor([0, 40]), 0.25, None)
    with pytest.raises(RuntimeError, match="context_lens"):
        op(q, k, v, bt, torch.tensor([5, 16 * bt.shape[1] + 1]), 0.25, None)
    bad = bt.clone()
    bad[1, 1] = k.shape[0]
    with pytest.raises(RuntimeError, match="not a block of the cache"):
        op(q, k, v, bad, cl, 0.25, None)
    assert op(q, k, v, bad, cl, 0.25, 8).isfinite().all()  # a window that skips the bad block reads none of it
    with pytest.raises(RuntimeError, match="sliding_window"):
        op(q, k, v, bt, cl, 0.25, 0)
    assert op(q[:0], k, v, bt[:0], cl[:0], 0.25, None).shape == (0, 4, 16)
    if not hasattr(torch.ops.ptsfast, "paged_decode_attention_lse"):  # an extension built before it
        return
    lse_op = torch.ops.ptsfast.paged_decode_attention_lse  # takes empty rows, nothing past the table
    with pytest.raises(RuntimeError, match="context_lens"):
        lse_op(q, k, v, bt, torch.tensor([-1, 40]), 0.25)
    with pytest.raises(RuntimeError, match="not a block of the cache"):
        lse_op(q, k, v, bad, cl, 0.25)


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_gpu_triton_prefill(dtype, poison):  # noqa: F811
    cu = [0, 1, 700, 2748, 2877]
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(cu[-1], h, 128, generator=g).to(dtype).cuda() for h in (32, 8, 8))
    out = prefill_attention(q, k, v, cu, 128**-0.5)
    ref = prefill_attention_torch(q, k, v, cu, 128**-0.5)
    assert rel_err(out.float(), ref.float()) <= TOL[dtype]


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize("window", [None, 512])
def test_gpu_triton(dtype, window, poison):  # noqa: F811
    lens = [1, 700, 2048, 129] * 8
    (q, k, v, bt, cl), tables = _case(lens, 32, 8, 128, 16, dtype, seed=0, device="cuda")
    out = paged_decode_attention(q, k, v, bt, cl, 128**-0.5, window)
    ref = paged_decode_attention_torch(q, k, v, bt, cl, 128**-0.5, window)
    assert rel_err(out.float(), ref.float()) <= TOL[dtype]


def _prefill_oracle(q, k, v, cu, scale):
    rep = q.shape[1] // k.shape[1]
    out = []
    for a, b in zip(cu[:-1], cu[1:]):
        qs = q[a:b].double()
        ks, vs = (x[a:b].double().repeat_interleave(rep, 1) for x in (k, v))
        s = torch.einsum("thd,lhd->htl", qs, ks) * scale
        s = s.masked_fill(torch.ones(b - a, b - a, dtype=torch.bool).triu(1), float("-inf"))
        out.append(torch.einsum("htl,lhd->thd", s.softmax(-1), vs))
    return torch.cat(out)


SEQS = [[1, 17, 40, 3], [33], [16, 16, 5], [300, 7]]  # 300: several tiles of the fused CPU kernel


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("heads", HEADS)
@pytest.mark.parametrize("seqs", range(len(SEQS)))
def test_prefill_matches_float64(backend, dtype, heads, seqs, poison):  # noqa: F811
    Hq, Hkv, D, _ = heads
    lens = SEQS[seqs]
    cu = [0]
    for n in lens:
        cu.append(cu[-1] + n)
    g = torch.Generator().manual_seed(seqs * 7 + Hq)
    q = torch.randn(Hq, cu[-1], D, generator=g).to(dtype).transpose(0, 1)  # the adapter's strided layout
    k, v = (torch.randn(cu[-1], Hkv, D, generator=g).to(dtype) for _ in range(2))
    out = prefill_attention(q, k, v, cu, D**-0.5, backend=backend)
    assert out.shape == q.shape and out.dtype == dtype
    tol = TOL[dtype]
    assert rel_err(out, _prefill_oracle(q, k, v, cu, D**-0.5)) <= tol


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("heads", HEADS)
@pytest.mark.parametrize("past,chunk,window", [(1, 7, None), (21, 16, None), (40, 3, 5), (64, 30, 17)])
def test_prefill_chunk_matches_float64(dtype, heads, past, chunk, window, poison):  # noqa: F811
    """A chunk of one sequence at positions [past, past + chunk): its past read through a shuffled block table
    (past not a multiple of the block size, tables wider than needed), a sliding window reaching into the past."""
    Hq, Hkv, D, bs = heads
    total = past + chunk
    g = torch.Generator().manual_seed(past * 31 + chunk + Hq)
    q_all = torch.randn(Hq, total, D, generator=g).to(dtype).transpose(0, 1)
    k_all, v_all = (torch.randn(total, Hkv, D, generator=g).to(dtype) for _ in range(2))
    nblk = -(-past // bs) + 2
    table = torch.randperm(nblk + 3, generator=g)[:nblk]
    k_cache, v_cache = (torch.randn(nblk + 3, bs, Hkv, D, generator=g).to(dtype) for _ in range(2))
    for t in range(past):  # the past's K/V where the table says
        k_cache[table[t // bs], t % bs], v_cache[table[t // bs], t % bs] = k_all[t], v_all[t]
    out = prefill_chunk_attention(q_all[past:], k_all[past:], v_all[past:], k_cache, v_cache, table, past, D**-0.5,
                                  window)
    assert out.shape == (chunk, Hq, D) and out.dtype == dtype
    rep = Hq // Hkv
    s = torch.einsum("thd,lhd->htl", q_all.double(), k_all.double().repeat_interleave(rep, 1)) * D**-0.5
    pos = torch.arange(total)
    allowed = pos[None, :] <= pos[:, None]
    if window is not None:
        allowed &= pos[None, :] > pos[:, None] - window
    ref = torch.einsum("htl,lhd->thd", s.masked_fill(~allowed, float("-inf")).softmax(-1),
                       v_all.double().repeat_interleave(rep, 1))[past:]
    assert rel_err(out, ref) <= TOL[dtype]
    with pytest.raises(ValueError, match="cannot hold a past"):
        prefill_chunk_attention(q_all[past:], k_all[past:], v_all[past:], k_cache, v_cache, table[:0], past, 0.1)


@pytest.mark.skipif("triton" not in BACKENDS, reason="Triton interpreter unavailable")
@pytest.mark.parametrize("block_m,block_n", [(16, 32), (32, 16)])
def test_triton_prefill_tiles_equal_reference(block_m, block_n, poison):  # noqa: F811
    from ptsfast.kernels.triton.prefill_attention import prefill_attention_triton

    cu = [0, 50, 51, 90]
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(90, h, 32, generator=g) for h in (4, 2, 2))
    out = prefill_attention_triton(q, k, v, cu, 0.2, block_m=block_m, block_n=block_n)
    assert rel_err(out, prefill_attention_torch(q, k, v, cu, 0.2)) <= TOL[torch.float32]


@pytest.mark.skipif("triton" not in BACKENDS, reason="Triton interpreter unavailable")
def test_engine_decode_through_the_triton_kernel_matches_hf(monkeypatch):
    """The engine's prefill and non-cascade decode through the Triton kernels (forced here; automatic on
    CUDA): greedy rollouts equal Hugging Face generate's on a GQA model."""
    import copy

    from tiny_models import random_tokens, tiny_model

    from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams

    monkeypatch.setenv("PTSFAST_BACKEND_PAGED_DECODE_ATTENTION", "triton")
    monkeypatch.setenv("PTSFAST_BACKEND_PREFILL_ATTENTION", "triton")
    calls = []
    import ptsfast.kernels.triton.paged_attention as tpa
    import ptsfast.kernels.triton.prefill_attention as tpf

    for mod, fn in ((tpa, "paged_decode_attention_triton"), (tpf, "prefill_attention_triton")):
        real = getattr(mod, fn)
        monkeypatch.setattr(mod, fn, lambda *a, _real=real, _fn=fn, **k: calls.append(_fn) or _real(*a, **k))
    model = tiny_model("llama-gqa")
    reference = copy.deepcopy(model)
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=48, block_size=8, cascade="never"))
    tokens = random_tokens(21, seed=3)
    (seq,) = engine.prefill([tokens])
    positions = (5, 16, 21)
    results = engine.rollout([RolloutRequest(seq.seq_id, p, n=1, max_new_tokens=6,
                                             sampling=SamplingParams(temperature=0.0), stop_token_ids=())
                              for p in positions])
    assert set(calls) == {"paged_decode_attention_triton", "prefill_attention_triton"}, set(calls)
    for p, (r,) in zip(positions, results):
        with torch.no_grad():
            out = reference.generate(torch.tensor([tokens[:p]]), do_sample=False, max_new_tokens=6,
                                     eos_token_id=None, pad_token_id=0)
        assert list(r.tokens) == out[0, p:].tolist(), f"prefix {p}"
    engine.release([seq.seq_id])


def _engine_rollouts(model, tokens, positions, sampling, max_new_tokens):
    from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest

    engine = RolloutEngine(model, config=EngineConfig(num_blocks=64, block_size=8, cascade="never"))
    (seq,) = engine.prefill([tokens])
    results = engine.rollout([RolloutRequest(seq.seq_id, p, n=2, max_new_tokens=max_new_tokens, sampling=sampling,
                                             stop_token_ids=()) for p in positions])
    engine.release([seq.seq_id])
    engine.check_no_leaks()
    return [[(list(r.tokens), list(r.logprobs)) for r in rs] for rs in results]


@cpp
@pytest.mark.parametrize("arch,overrides", [("llama-gqa", {}), ("mistral", {"sliding_window": 6})],
                         ids=["llama-gqa", "mistral-window6"])
def test_engine_rollouts_equal_with_cpp_and_torch_decode(arch, overrides, monkeypatch):
    """Greedy and seeded sampled rollouts of the engine are the same tokens (log-probs within 1e-4) whether
    decode attention runs the C++ op (the CPU default) or the torch reference."""
    import ptsfast.kernels.paged_attention as pa
    from ptsfast.engine import SamplingParams
    from tiny_models import random_tokens, tiny_model

    reference_calls = []
    real = pa.paged_decode_attention_torch
    monkeypatch.setattr(pa, "paged_decode_attention_torch",
                        lambda *a, **k: reference_calls.append(1) or real(*a, **k))
    model = tiny_model(arch, **overrides)
    tokens = random_tokens(27, seed=5)
    positions = (1, 8, 9, 20, 27)  # block boundaries (bs=8), mid-block, the whole prompt
    outs = {}
    for backend in ("cpp", "torch"):
        monkeypatch.setenv("PTSFAST_BACKEND_PAGED_DECODE_ATTENTION", backend)
        reference_calls.clear()
        outs[backend] = [_engine_rollouts(model, tokens, positions, s, 12)
                         for s in (SamplingParams(temperature=0.0), SamplingParams(temperature=1.0, seed=11))]
        assert bool(reference_calls) == (backend == "torch"), backend
    for cpp_run, torch_run in zip(outs["cpp"], outs["torch"]):
        for cpp_rs, torch_rs in zip(cpp_run, torch_run):
            for (ct, cl), (tt, tl) in zip(cpp_rs, torch_rs):
                assert ct == tt
                torch.testing.assert_close(torch.tensor(cl), torch.tensor(tl), atol=1e-4, rtol=0)


@cpp
def test_cpp_output_does_not_depend_on_the_thread_count():
    """Tasks (row, KV head) are independent: splitting them over threads changes no bit."""
    (q, k, v, bt, cl), _ = _case([200, 3, 77, 16, 120, 1, 64, 33], 9, 3, 64, 16, torch.float32, seed=4)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = paged_decode_attention(q, k, v, bt, cl, 0.125, backend="cpp")
        torch.set_num_threads(2)
        two = paged_decode_attention(q, k, v, bt, cl, 0.125, backend="cpp")
    finally:
        torch.set_num_threads(before)
    assert torch.equal(one, two)
