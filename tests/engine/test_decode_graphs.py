"""CUDA-graph decode steps (``engine/decode_graphs.py``) on a CPU: the padded static step a graph replays, run
without the graph. It equals the eager step on the real rows through every attention backend (the Triton paged
kernel with the bucket's fixed key range among them), writes no cache slot but the rows' new ones and the scratch
block's, reads no value on the host (a capture would fail on one), and serves whole rollouts through changing
buckets with the eager engine's results. The captures themselves run on a GPU (``test_engine_equivalence``)."""

from __future__ import annotations

import logging

import pytest
import torch
import transformers.masking_utils
from test_engine_syncs import HostReads
from tiny_models import random_tokens, tiny_model

import ptsfast.kernels.triton.paged_attention as triton_paged
from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams
from ptsfast.engine.decode_graphs import DecodeGraphs, bucket_rows, bucket_width, unsupported
from ptsfast.kernels._dispatch import backend_available

BS = 8


def _step(engine, lengths: list[int]):
    """One row per sequence of each length, decoding the token after it (its table grows a block when full)."""
    seqs = engine.prefill([random_tokens(n, seed=n) for n in lengths])
    tables = [engine._seqs[s.seq_id].table + (engine.blocks.allocate(1) if n % BS == 0 else [])
              for s, n in zip(seqs, lengths)]
    tokens = [int(t) for t in torch.randint(3, 90, (len(lengths),), generator=torch.Generator().manual_seed(1))]
    return tokens, list(lengths), tables


def _slot_mask(engine, tables, positions) -> torch.Tensor:
    """Every cache slot except the rows' new ones and the scratch block's."""
    keep = torch.ones(engine.runner.kv_cache.shape[2] * BS, dtype=torch.bool)
    keep[[t[p // BS] * BS + p % BS for t, p in zip(tables, positions)]] = False
    keep[engine.runner.scratch_block * BS:] = False
    return keep


@pytest.mark.parametrize("backend", ["cpp", "torch", "triton"])
@pytest.mark.parametrize("arch", ["llama-gqa", "qwen3", "gemma3_text"])  # Gemma 3: a sliding-window layer
def test_static_step_equals_the_eager_step_and_writes_only_its_slots(arch, backend, monkeypatch):
    if not backend_available(backend, torch.device("cpu")):
        pytest.skip(f"{backend} cannot run on this CPU")
    monkeypatch.setenv("PTSFAST_BACKEND_PAGED_DECODE_ATTENTION", backend)
    engine = RolloutEngine(tiny_model(arch, seed=4), config=EngineConfig(num_blocks=96, block_size=BS,
                                                                         cascade="never"))
    tokens, positions, tables = _step(engine, [5, 16, 33, 7, 48])  # 5 rows -> bucket 8, 7 blocks -> width 8
    runner = engine.runner
    expected = runner.decode(tokens, positions, tables)
    cache = runner.kv_cache.clone()
    graphs = DecodeGraphs(runner, max_rows=16, capture=False)
    hidden = graphs.decode(tokens, positions, tables, eager=None)
    torch.testing.assert_close(hidden, expected, atol=2e-5, rtol=2e-5)
    assert graphs.replays == 1 and list(graphs._buckets) == [(8, 8)]
    keep = _slot_mask(engine, tables, positions)
    flat = lambda c: c.view(*c.shape[:2], -1, *c.shape[-2:])[:, :, keep]  # noqa: E731
    assert torch.equal(flat(runner.kv_cache), flat(cache))  # no other slot written, padding rows included
    pool = slice(0, runner.scratch_block)  # the new slots hold the same K/V as the eager step wrote
    torch.testing.assert_close(runner.kv_cache[:, :, pool], cache[:, :, pool], atol=2e-5, rtol=2e-5)


def test_the_static_step_reads_no_value_on_the_host(monkeypatch):
    """What a capture records: the forward on the bucket's buffers through the GPU's attention path (the Triton
    launcher, its kernels stubbed out here) must not wait for a tensor's value. Hugging Face skips its one read
    (packed-sequence detection) while a stream is capturing: that is stood in for as well."""
    if not backend_available("triton", torch.device("cpu")):
        pytest.skip("the Triton interpreter is not available")
    monkeypatch.setenv("PTSFAST_BACKEND_PAGED_DECODE_ATTENTION", "triton")
    monkeypatch.setattr(transformers.masking_utils, "is_tracing", lambda *a, **k: True)
    monkeypatch.setattr(triton_paged, "launch_partials", lambda *a, **k: None)
    monkeypatch.setattr(triton_paged, "merge_states_triton",
                        lambda o, lse, dtype, with_lse: (torch.zeros(o.shape[1], o.shape[2], dtype=dtype), None))
    engine = RolloutEngine(tiny_model("llama-gqa", seed=4), config=EngineConfig(num_blocks=96, block_size=BS))
    tokens, positions, tables = _step(engine, [5, 16, 33])
    graphs = DecodeGraphs(engine.runner, max_rows=16, capture=False)
    static = graphs._static(4, 8)
    graphs._fill(static, tokens, positions, tables)
    with HostReads() as reads:
        graphs._forward(static)
    assert reads.calls == []


@pytest.mark.parametrize("max_running", [16, 12])
def test_rollouts_through_the_static_step_equal_the_eager_engines(max_running):
    """Rows finish at different lengths and forks join, so steps move between row and width buckets (and above
    the largest power of two when ``max_running`` is not one); every token and log-prob is the eager engine's."""
    requests = lambda seq: [RolloutRequest(seq.seq_id, p, 3, new, SamplingParams(temperature=1.0, seed=p),  # noqa: E731
                                           stop_token_ids=()) for p, new in ((4, 3), (20, 9), (37, 14), (38, 5))]
    outs = []
    for static in (False, True):
        engine = RolloutEngine(tiny_model("llama-gqa", seed=6), config=EngineConfig(
            num_blocks=128, block_size=BS, max_running=max_running, cascade="never"))
        if static:
            engine.runner.graphs = DecodeGraphs(engine.runner, max_rows=max_running, capture=False)
        (seq,) = engine.prefill([random_tokens(40, seed=2)])
        outs.append(engine.rollout(requests(seq)))
        engine.release([seq.seq_id])
        engine.check_no_leaks()
    graphs = engine.runner.graphs
    assert graphs.replays > 0 and len(graphs._buckets) >= 3
    for eager, replayed in zip(*outs):
        assert [list(r.tokens) for r in replayed] == [list(r.tokens) for r in eager]
        for a, b in zip(replayed, eager):
            assert a.logprobs == pytest.approx(b.logprobs, abs=1e-4)


def test_buckets():
    assert [bucket_rows(n, 256) for n in (1, 2, 3, 5, 64, 65, 200, 256)] == [1, 2, 4, 8, 64, 128, 256, 256]
    assert [bucket_rows(n, 12) for n in (5, 9, 12)] == [8, 12, 12]
    assert [bucket_width(b) for b in (1, 4, 5, 8, 9, 136)] == [4, 4, 8, 8, 16, 256]


@pytest.mark.parametrize("arch,overrides,why", [
    ("llama-gqa", {}, "CUDA device"), ("qwen3_moe", {}, "mixture of experts"), ("mixtral", {}, "mixture of experts"),
    ("gemma3_text", {}, "CUDA device"), ("mistral", {"sliding_window": 8}, "CUDA device")])
def test_models_a_graph_cannot_hold_are_named(arch, overrides, why):
    engine = RolloutEngine(tiny_model(arch, **overrides), config=EngineConfig(num_blocks=16, block_size=BS))
    assert why in unsupported(engine.adapter)


def test_asking_for_graphs_on_a_cpu_warns_and_decodes_eagerly(caplog):
    with caplog.at_level(logging.WARNING, logger="ptsfast"):
        engine = RolloutEngine(tiny_model("llama-gqa"), config=EngineConfig(num_blocks=32, block_size=BS,
                                                                           cuda_graphs=True))
    assert engine.runner.graphs is None and "CUDA graphs off" in caplog.text and "CUDA device" in caplog.text
    (seq,) = engine.prefill([random_tokens(9, seed=1)])
    (out,) = engine.rollout([RolloutRequest(seq.seq_id, 9, 2, 4, SamplingParams(temperature=0.0), stop_token_ids=())])
    assert [len(r.tokens) for r in out] == [4, 4]
    with pytest.raises(ValueError, match="cuda_graphs"):
        EngineConfig(cuda_graphs=1)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_captured_graphs_serve_rollouts_like_the_eager_engine_on_gpu(dtype):
    """Real captures: every bucket's first replay passes its check against the eager step, graphs stay on through
    changing buckets, and the rollouts are the eager engine's (fp32: the same tokens; bf16, where the cascade and
    the paged kernel round differently: the same lengths and log-probs close to the eager engine's)."""
    requests = lambda seq: [RolloutRequest(seq.seq_id, p, 5, new, SamplingParams(temperature=1.0, seed=p),  # noqa: E731
                                           stop_token_ids=()) for p, new in ((4, 3), (20, 9), (37, 14), (38, 5))]
    outs, engines = [], []
    for graphs in (False, True):
        model = tiny_model("llama-gqa", seed=6).to(device="cuda", dtype=dtype)
        engine = RolloutEngine(model, config=EngineConfig(num_blocks=128, block_size=BS, max_running=24,
                                                          cascade="never", cuda_graphs=graphs))
        (seq,) = engine.prefill([random_tokens(40, seed=2)])
        outs.append(engine.rollout(requests(seq)))
        engine.release([seq.seq_id])
        engine.check_no_leaks()
        engines.append(engine)
    graphs = engines[1].runner.graphs
    assert graphs.enabled and graphs.replays > 0 and len(graphs._buckets) >= 3
    assert all(s.checked for s in graphs._buckets.values())
    for eager, replayed in zip(*outs):
        assert [len(r.tokens) for r in replayed] == [len(r.tokens) for r in eager]
        if dtype == torch.float32:
            assert [list(r.tokens) for r in replayed] == [list(r.tokens) for r in eager]
            for a, b in zip(replayed, eager):
                assert a.logprobs == pytest.approx(b.logprobs, abs=1e-3)
        else:
            assert all(all(-1e4 < lp <= 0 for lp in r.logprobs) for r in replayed)
