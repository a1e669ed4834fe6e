"""Cascade decode attention on every backend vs a float64 oracle and vs plain paged decode on the
equivalent block tables; merge_state on its own; plan/input checks; the dispatch heuristic."""

from __future__ import annotations

import pytest
import torch
from kernel_utils import TOL, cpu_backends, gpu, poison, rel_err  # noqa: F401

from ptsfast.kernels._dispatch import HAS_EXT
from ptsfast.kernels.cascade_attention import (
    IMPLEMENTED, CascadePlan, _cpp_ready, cascade_decode_attention, merge_state, should_use_cascade,
)
from ptsfast.kernels.paged_attention import paged_decode_attention_torch

# an extension built before the cpp path existed lacks its op: the dispatcher then never picks it (rebuild to test it)
BACKENDS = [b for b in cpu_backends(IMPLEMENTED) if b != "cpp" or _cpp_ready()]


def _build(prefix_lens, groups, suffix_lens, bs, num_blocks, seed, device="cpu"):
    """A plan over randomly placed blocks, plus each row's explicit slot list (the oracle's view)."""
    g = torch.Generator().manual_seed(seed)
    free = iter(torch.randperm(num_blocks, generator=g).tolist())
    ptabs = [[next(free) for _ in range(-(-p // bs))] for p in prefix_lens]
    stabs = [[next(free) for _ in range(-(-s // bs))] for s in suffix_lens]
    wp, ws = max(1, *map(len, ptabs)), max(1, *map(len, stabs))
    i32 = dict(dtype=torch.int32, device=device)
    plan = CascadePlan(torch.tensor([t + [-1] * (wp - len(t)) for t in ptabs], **i32),
                       torch.tensor(prefix_lens, **i32), torch.tensor(groups, **i32),
                       torch.tensor([t + [-1] * (ws - len(t)) for t in stabs], **i32),
                       torch.tensor(suffix_lens, **i32))
    slots = [[ptabs[gr][i // bs] * bs + i % bs for i in range(prefix_lens[gr])]
             + [stabs[b][i // bs] * bs + i % bs for i in range(suffix_lens[b])] for b, gr in enumerate(groups)]
    return plan, slots, ptabs, stabs


def _oracle(q, k_cache, v_cache, slots, scale):
    Hkv, D = k_cache.shape[2:]
    rep = q.shape[1] // Hkv
    kf, vf = k_cache.reshape(-1, Hkv, D).double().cpu(), v_cache.reshape(-1, Hkv, D).double().cpu()
    out = []
    for b, sl in enumerate(slots):
        k, v = kf[sl].repeat_interleave(rep, 1), vf[sl].repeat_interleave(rep, 1)
        s = torch.einsum("hd,lhd->hl", q[b].double().cpu(), k) * scale
        out.append(torch.einsum("hl,lhd->hd", s.softmax(-1), v))
    return torch.stack(out)


def _data(B, Hq, Hkv, D, bs, num_blocks, dtype, seed, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    mk = lambda *s: torch.randn(*s, generator=g).to(dtype).to(device)  # noqa: E731
    return mk(B, Hq, D), mk(num_blocks, bs, Hkv, D), mk(num_blocks, bs, Hkv, D)


# (prefix_lens per group, group of each row, suffix_lens per row): empty suffix, empty prefix,
# prefix shorter than a block, lengths not multiples of the block size, a group with no rows
LAYOUTS = [
    ([37, 0, 5], [0, 0, 1, 2, 0, 2], [3, 0, 1, 17, 40, 0]),
    ([64], [0, 0, 0], [1, 16, 33]),
    ([3, 50, 21], [1, 1, 0, 1, 0], [0, 2, 9, 0, 1]),
]
HEADS = [(4, 2, 16, 16), (7, 1, 32, 32), (6, 3, 64, 16), (8, 8, 32, 32), (2, 1, 128, 16)]  # Hq, Hkv, D, bs


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("heads", HEADS)
@pytest.mark.parametrize("layout", range(len(LAYOUTS)))
def test_matches_float64(backend, dtype, heads, layout, poison):  # noqa: F811
    Hq, Hkv, D, bs = heads
    prefix_lens, groups, suffix_lens = LAYOUTS[layout]
    plan, slots, _, _ = _build(prefix_lens, groups, suffix_lens, bs, 64, seed=layout)
    q, k, v = _data(len(groups), Hq, Hkv, D, bs, 64, dtype, seed=layout + D)
    out = cascade_decode_attention(q, k, v, plan, D**-0.5, backend=backend)
    assert out.shape == q.shape and out.dtype == q.dtype
    tol = TOL[dtype]
    assert rel_err(out, _oracle(q, k, v, slots, D**-0.5)) <= tol


@pytest.mark.parametrize("backend", BACKENDS)
def test_equals_paged_decode_on_equivalent_tables(backend):
    """Prefix of whole blocks: each row's table = group prefix blocks + own blocks."""
    bs, Hq, Hkv, D = 16, 6, 2, 32
    prefix_lens, groups, suffix_lens = [32, 48], [0, 1, 0, 1, 1], [5, 1, 16, 30, 0]
    plan, _, ptabs, stabs = _build(prefix_lens, groups, suffix_lens, bs, 40, seed=9)
    q, k, v = _data(len(groups), Hq, Hkv, D, bs, 40, torch.float32, seed=9)
    tables = [ptabs[g] + stabs[b] for b, g in enumerate(groups)]
    width = max(map(len, tables))
    table_t = torch.tensor([t + [0] * (width - len(t)) for t in tables], dtype=torch.int32)
    lens = torch.tensor([prefix_lens[g] + suffix_lens[b] for b, g in enumerate(groups)])
    ref = paged_decode_attention_torch(q, k, v, table_t, lens, 0.2)
    out = cascade_decode_attention(q, k, v, plan, 0.2, backend=backend)
    assert rel_err(out, ref) <= TOL[torch.float32]


@pytest.mark.skipif("triton" not in BACKENDS, reason="Triton interpreter unavailable")
@pytest.mark.parametrize("splits", [(1, 1), (3, 2), (7, 4)])
def test_triton_key_splits(splits, poison):  # noqa: F811
    from ptsfast.kernels.triton.cascade_attention import cascade_decode_attention_triton

    prefix_lens, groups, suffix_lens = [100, 7], [0, 1, 0, 0], [35, 3, 0, 18]
    plan, slots, _, _ = _build(prefix_lens, groups, suffix_lens, 16, 32, seed=4)
    q, k, v = _data(4, 4, 2, 16, 16, 32, torch.float32, seed=4)
    out = cascade_decode_attention_triton(q, k, v, plan, 0.3, prefix_splits=splits[0], suffix_splits=splits[1])
    assert rel_err(out, _oracle(q, k, v, slots, 0.3)) <= TOL[torch.float32]


@pytest.mark.skipif("cpp" not in BACKENDS, reason="C++ extension not built")
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_cpp_path_splits_long_prefixes_across_threads(threads, poison):  # noqa: F811
    """With several threads the cpp path cuts a long prefix into equal key chunks (768 = 3 x 256 splits three
    ways, 770 only two, 300 not at all) and merges them by log-sum-exp: the same attention as the oracle."""
    prefix_lens, groups, suffix_lens = [768, 770, 300], [0, 1, 0, 2, 1, 0], [5, 1, 16, 30, 0, 17]
    plan, slots, _, _ = _build(prefix_lens, groups, suffix_lens, 16, 150, seed=threads)
    q, k, v = _data(len(groups), 9, 3, 64, 16, 150, torch.float32, seed=threads)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        out = cascade_decode_attention(q, k, v, plan, 0.125, backend="cpp")
    finally:
        torch.set_num_threads(before)
    assert rel_err(out, _oracle(q, k, v, slots, 0.125)) <= TOL[torch.float32]


@pytest.mark.parametrize("backend", BACKENDS)
def test_merge_state(backend, poison):  # noqa: F811
    g = torch.Generator().manual_seed(0)
    R, H, D, La, Lb = 5, 3, 8, 7, 4
    q = torch.randn(R, H, D, generator=g, dtype=torch.float64)
    ka, va = (torch.randn(R, La, D, generator=g, dtype=torch.float64),
              torch.randn(R, La, D, generator=g, dtype=torch.float64))
    kb, vb = (torch.randn(R, Lb, D, generator=g, dtype=torch.float64),
              torch.randn(R, Lb, D, generator=g, dtype=torch.float64))

    def part(k, v):
        s = torch.einsum("rhd,rld->rhl", q, k)
        return torch.einsum("rhl,rld->rhd", s.softmax(-1), v), torch.logsumexp(s, -1)

    (oa, la), (ob, lb) = part(ka, va), part(kb, vb)
    full_o, full_l = part(torch.cat([ka, kb], 1), torch.cat([va, vb], 1))
    o, lse = merge_state(oa.float(), la.float(), ob.float(), lb.float(), backend=backend)
    assert rel_err(o, full_o) <= 1e-6 and rel_err(lse, full_l) <= 1e-6
    # an empty part (lse = -inf) is ignored even when its o is NaN; both empty -> o = 0, lse = -inf
    lb_empty = lb.float().clone()
    lb_empty[0] = float("-inf")
    ob_nan = ob.float().clone()
    ob_nan[0] = float("nan")
    la_empty = la.float().clone()
    la_empty[0, 1] = float("-inf")
    o, lse = merge_state(oa.float(), la_empty, ob_nan, lb_empty, backend=backend)
    assert torch.allclose(o[0, 0].double(), oa[0, 0], atol=1e-6) and lse[0, 0] == la.float()[0, 0]
    assert torch.equal(o[0, 1], torch.zeros(D)) and lse[0, 1] == float("-inf")
    assert rel_err(o[1:], full_o[1:]) <= 1e-6


def test_input_checks():
    plan, _, _, _ = _build([20], [0, 0], [3, 4], 16, 8, seed=0)
    q, k, v = _data(2, 4, 2, 16, 16, 8, torch.float32, seed=0)
    run = lambda *a, **kw: cascade_decode_attention(*a, **kw)  # noqa: E731
    with pytest.raises(ValueError, match="multiple of KV heads"):
        run(q[:, :3], k, v, plan, 0.1)
    with pytest.raises(ValueError, match="head dim"):
        run(q[..., :8], k, v, plan, 0.1)
    with pytest.raises(ValueError, match="dtypes"):
        run(q, k.half(), v, plan, 0.1)
    with pytest.raises(ValueError, match="query rows"):
        run(q[:1], k, v, plan, 0.1)
    i32 = lambda x: torch.tensor(x, dtype=torch.int32)  # noqa: E731
    bad = CascadePlan(plan.prefix_block_tables, plan.prefix_lens, i32([0, 1]), plan.suffix_block_tables,
                      plan.suffix_lens)
    with pytest.raises(ValueError, match="query_group"):
        run(q, k, v, bad, 0.1)
    bad = CascadePlan(plan.prefix_block_tables, i32([0]), plan.query_group, plan.suffix_block_tables, i32([0, 2]))
    with pytest.raises(ValueError, match="at least one token"):
        run(q, k, v, bad, 0.1)
    bad = CascadePlan(plan.prefix_block_tables, i32([40]), plan.query_group, plan.suffix_block_tables, plan.suffix_lens)
    with pytest.raises(ValueError, match="needs 3 blocks"):
        run(q, k, v, bad, 0.1)
    bad = CascadePlan(plan.prefix_block_tables + 100, plan.prefix_lens, plan.query_group, plan.suffix_block_tables,
                      plan.suffix_lens)
    with pytest.raises(ValueError, match="outside"):
        run(q, k, v, bad, 0.1)
    with pytest.raises(ValueError, match="CascadePlan"):
        run(q, k, v, object(), 0.1)


def test_should_use_cascade():
    for device in ("cpu", "cuda"):
        assert not should_use_cascade(4096, 1, 10, device)
        assert not should_use_cascade(0, 64, 10, device)
        assert should_use_cascade(2048, 64, 16, device)
        assert not should_use_cascade(64, 2, 16, device)
        assert not should_use_cascade(512, 2, 4096, device)  # long suffixes: little to share


def test_should_use_cascade_on_cpu_follows_the_plain_path_it_replaces(monkeypatch):
    """The CPU crossover depends on what plain paged decode runs: the torch gather loses to cascade early,
    the C++ op (reads in place) only on long prefixes shared by big groups with short suffixes."""
    monkeypatch.setenv("PTSFAST_BACKEND_PAGED_DECODE_ATTENTION", "torch")
    assert should_use_cascade(1024, 2, 16, "cpu") and not should_use_cascade(128, 4, 16, "cpu")
    assert should_use_cascade(150, 16, 20, "cpu")  # the demo's groups
    if not HAS_EXT:
        return
    monkeypatch.setenv("PTSFAST_BACKEND_PAGED_DECODE_ATTENTION", "cpp")
    monkeypatch.setenv("PTSFAST_BACKEND_CASCADE_DECODE_ATTENTION", "torch")  # the torch cascade against the C++ op
    assert not should_use_cascade(150, 16, 20, "cpu") and not should_use_cascade(1024, 32, 16, "cpu")
    assert not should_use_cascade(512, 128, 16, "cpu")  # measured 0.86x
    assert not should_use_cascade(1024, 128, 128, "cpu")  # ratio 8.5: measured 0.67x
    assert should_use_cascade(1024, 128, 16, "cpu") and should_use_cascade(2048, 32, 16, "cpu")
    if "cpp" not in BACKENDS:
        return
    monkeypatch.setenv("PTSFAST_BACKEND_CASCADE_DECODE_ATTENTION", "cpp")  # the fused cpp path: suffixes cost alike
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert should_use_cascade(2048, 16, 128, "cpu") and should_use_cascade(1024, 16, 1024, "cpu")  # 1.3-1.5x
    assert not should_use_cascade(512, 16, 16, "cpu") and not should_use_cascade(128, 128, 16, "cpu")  # 1.0x, 0.8x
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)  # the plain op splits evenly: twice the saving
    assert should_use_cascade(2048, 16, 16, "cpu") and should_use_cascade(4096, 8, 128, "cpu")  # 1.1-1.2x
    assert not should_use_cascade(2048, 8, 16, "cpu") and not should_use_cascade(512, 32, 16, "cpu")  # 0.9x, 0.8x
    assert not should_use_cascade(256, 128, 16, "cpu")  # 1.0-1.2x: too short a prefix to count on
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)  # not measured: the C++ op's rule
    assert not should_use_cascade(2048, 16, 16, "cpu") and should_use_cascade(2048, 32, 16, "cpu")


@pytest.mark.gpu
@gpu
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
@pytest.mark.parametrize("heads", [(14, 2, 64, 16), (32, 8, 128, 16), (28, 4, 128, 32), (24, 3, 128, 16)])
def test_gpu_triton(dtype, heads, poison):  # noqa: F811
    Hq, Hkv, D, bs = heads
    groups = [i % 3 for i in range(70)]
    plan, slots, _, _ = _build([1500, 513, 7], groups, [(i * 37) % 200 for i in range(70)], bs, 4096, seed=1,
                               device="cuda")
    q, k, v = _data(70, Hq, Hkv, D, bs, 4096, dtype, seed=1, device="cuda")
    out = cascade_decode_attention(q, k, v, plan, D**-0.5)
    assert rel_err(out.cpu(), _oracle(q, k, v, slots, D**-0.5)) <= TOL[dtype]
