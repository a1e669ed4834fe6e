"""Where does cascade attention beat plain paged decode on CPU? (min of 9; threads: ``--threads``).

Both run as the engine dispatches them: cascade through its ``cpp`` path when the extension is built (ATen's fused
attention per group prefix + the C++ op for the suffixes; ``--cascade torch`` forces the torch path), plain paged
decode through the C++ op (``--paged torch`` forces the torch path).

Shapes of SmolLM2-135M (Hq=9, Hkv=3, D=64), fp32, block size 16: one group of N rows sharing a P-token
prefix, each with S own tokens. The crossovers set the CPU thresholds in ``cascade_attention``: ``CPU_CPP_*``
against the C++ op, ``CPU_MIN_*`` against the torch path (``--paged torch --threads 1``).
Run: ``.venv/bin/python benchmarks/scripts/cascade_crossover.py`` (the engine's default thread count); results:
``benchmarks/results/cpu_cascade_crossover_fused.txt`` (earlier: ``cpu_cascade_crossover*.txt``, the torch cascade
path).
"""

import argparse

import torch

from ptsfast.engine.bench import best_time
from ptsfast.kernels.cascade_attention import CascadePlan, cascade_backend, cascade_decode_attention
from ptsfast.kernels.paged_attention import gather_slots, paged_decode_attention, paged_decode_backend


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--paged", choices=("dispatched", "torch"), default="dispatched")
    parser.add_argument("--cascade", choices=("dispatched", "torch"), default="dispatched")
    parser.add_argument("--prefixes", default="64,128,256,512,1024,2048,4096")
    parser.add_argument("--groups", default="2,4,8,16,32,128")
    parser.add_argument("--suffixes", default="16,128")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    backend = None if args.paged == "dispatched" else "torch"
    cascade = None if args.cascade == "dispatched" else "torch"
    print(f"threads {args.threads}, plain paged decode: {paged_decode_backend(torch.device('cpu'), backend)}, "
          f"cascade: {cascade_backend('cpu', cascade)}")
    bs, Hq, Hkv, D = 16, 9, 3, 64
    ints = lambda x: [int(v) for v in x.split(",")]  # noqa: E731
    for P in ints(args.prefixes):
        for N in ints(args.groups):
            for S in ints(args.suffixes):
                pb, sb = -(-P // bs), -(-S // bs)
                nb = pb + N * sb + 1
                k, v, q = torch.randn(nb, bs, Hkv, D), torch.randn(nb, bs, Hkv, D), torch.randn(N, Hq, D)
                ptab = torch.arange(pb, dtype=torch.int32)[None]
                stab = (pb + torch.arange(N * sb, dtype=torch.int32)).view(N, sb)
                plan = CascadePlan(ptab, torch.tensor([P], dtype=torch.int32), torch.zeros(N, dtype=torch.int32),
                                   stab, torch.full((N,), S, dtype=torch.int32))
                full = torch.cat([ptab.expand(N, -1), stab], 1)
                lens = torch.full((N,), P + S)
                slots = gather_slots(full, P + S, bs)
                tc = best_time(lambda: cascade_decode_attention(q, k, v, plan, 0.125, backend=cascade), 9, warmup=1)
                tp = best_time(lambda: paged_decode_attention(q, k, v, full, lens, 0.125, slots=slots,
                                                              backend=backend), 9, warmup=1)
                print(f"P={P:5d} N={N:3d} S={S:4d} saved={(N - 1) * P:7d} cascade={tc * 1e3:7.3f}ms "
                      f"paged={tp * 1e3:7.3f}ms speedup={tp / tc:5.2f}")


if __name__ == "__main__":
    main()
