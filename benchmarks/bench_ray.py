"""Mining throughput on Ray: problems per second with 1 and 2 workers (one CPU thread each), same work.

A ~22M-parameter random Llama (``ptsfast.engine.bench.random_llama``, vocabulary of words ``w<k>``) and an
oracle that is right about half the time, so every estimate runs to its rollout cap: the same seed
gives both runs exactly the same rollouts, so the ratio measures the workers, not the work. Worker
start-up (importing torch, loading the model) is left out: throughput counts from the moment the
first worker is ready (a worker that starts later counts as idle, so the 2-worker rate errs low). On a
shared machine the wall-clock ratio depends on what else runs; the workers' CPU seconds per problem
do not, and give the per-worker throughput to expect from a worker that has its core to itself.

    pytest benchmarks/bench_ray.py --benchmark-only -s
"""

from __future__ import annotations

import json
import os
import sys

import pytest
import ray

from ptsfast.engine.bench import environment, random_llama
from ptsfast.problems.loading import Problem
from ptsfast.pipeline.ray import RayOptions, mine_ray
from ptsfast.engine import EngineConfig
from ptsfast.mining.types import EstimatorConfig, FilterConfig, MiningConfig, PairConfig
from ptsfast.pipeline import MineOptions

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])

VOCAB = 4096
PROBLEMS = [Problem(f"q{i}", " ".join(f"w{3 + (i * 37 + k * 11) % (VOCAB - 3)}" for k in range(24)))
            for i in range(12)]
OPTIONS = MineOptions(max_new_tokens=24, use_chat_template=False, problems_per_batch=1,
                      mining=MiningConfig(estimator=EstimatorConfig(batch_size=8, max_rollouts=16),
                                          filter=FilterConfig(enabled=False), pairs=PairConfig(enabled=False)),
                      engine=EngineConfig(num_blocks=1024, block_size=16))


def odd_last_word(text: str, problem) -> bool:
    words = text.split()
    return bool(words) and int(words[-1][1:] or 0) % 2 == 1


def model_folder(path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    random_llama(vocab=VOCAB).save_pretrained(path)
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, **{f"w{k}": k for k in range(3, VOCAB)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")
    tok = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")
    tok.save_pretrained(path)
    return path


@pytest.mark.benchmark(group="ray")
def test_problems_per_second_with_1_and_2_workers(benchmark, tmp_path):
    model = model_folder(tmp_path / "model")
    ray.init(address="local", num_cpus=2, include_dashboard=False)
    runs = {}
    try:
        def run(workers):
            out = tmp_path / f"w{workers}-{len(runs)}"
            s = mine_ray(model, PROBLEMS, out, OPTIONS, RayOptions(workers=workers, cpus_per_worker=1),
                         oracle=odd_last_word, progress=False)
            runs[workers] = s
            return s

        run(1)
        benchmark.pedantic(run, args=(2,), rounds=1, iterations=1)
    finally:
        ray.shutdown()
    mining_s = {w: s["wall_seconds"] - s["first_worker_seconds"] for w, s in runs.items()}
    rate = {w: s["problems"] / mining_s[w] for w, s in runs.items()}
    assert runs[1]["rollouts"] == runs[2]["rollouts"] and runs[1]["tokens"] == runs[2]["tokens"]
    result = {
        **environment("cpu"),
        "command": "pytest benchmarks/bench_ray.py --benchmark-only -s",
        "workload": f"{len(PROBLEMS)} problems, ~22M-parameter random Llama (vocab {VOCAB}), fp32, 1 torch thread per "
                    f"worker, no filter, 16 rollouts cap per estimate, 24 new tokens; "
                    f"{runs[1]['rollouts']} rollouts, {runs[1]['tokens']} tokens per run",
        "loadavg_1min_at_end": os.getloadavg()[0],
        **{f"workers_{w}": {"problems_per_s": rate[w], "wall_s": s["wall_seconds"], "mining_s": mining_s[w],
                            "startup_s": s["startup_seconds"], "rollouts_per_s": s["rollouts"] / mining_s[w],
                            "worker_cpu_s": s["worker_cpu_seconds"],
                            "problems_per_worker_cpu_s": s["problems"] / s["worker_cpu_seconds"]}
           for w, s in runs.items()},
        "ratio_2_vs_1": rate[2] / rate[1],
    }
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs("benchmarks/results", exist_ok=True)
    with open("benchmarks/results/ray_cpu.json", "w") as f:
        json.dump(result, f, indent=2)
