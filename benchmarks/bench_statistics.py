"""Statistics of the search: ptsfast vs exact PTS and vs fixed N=64, on five hard synthetic populations, three
seeds each, in one run.

    pytest benchmarks/bench_statistics.py --benchmark-only -s      (the full table, several minutes on 2 cores)
    ptsfast simulate                                               (the same table from the command line)

For iteration, ``PTSFAST_STAT_POPULATIONS=hard,cap`` and ``PTSFAST_STAT_SEEDS=0`` run a subset (the results files
say which populations and seeds they hold).

No model: each trajectory has a synthetic model with a known p-curve under a token budget (see
``ptsfast.mining.simulate``), so every method is scored against exact PTS on the true curve, and every reported
number (pivots' Δp, pairs' margins) against the truth; writes ``benchmarks/results/statistics.md`` and ``.json``.
The harness itself is tested (fast, in CI) by ``tests/mining/test_simulation.py``.
"""

from __future__ import annotations

import json
import os

import pytest

from ptsfast.mining.simulate import GOALS, POPULATIONS, benchmark as run_benchmark, check_goals, format_table

COMMAND = "pytest benchmarks/bench_statistics.py --benchmark-only -s"
SEEDS = tuple(int(s) for s in os.environ.get("PTSFAST_STAT_SEEDS", "0,1,2").split(",") if s.strip())
POPS = [p for p in os.environ.get("PTSFAST_STAT_POPULATIONS", ",".join(POPULATIONS)).split(",") if p.strip()]


@pytest.mark.benchmark(group="statistics")
def test_statistics_table(benchmark):
    scores = benchmark.pedantic(lambda: run_benchmark(POPS, SEEDS), rounds=1, iterations=1)
    lines = [format_table(scores), "", GOALS]
    for pop in POPS:
        by_name = {s.name: s for s in scores if s.population == pop}
        lines += [f"  {pop:<7} {'met ' if ok else 'MISS'}  {g}: {m}"
                  for g, ok, m in check_goals(by_name["ptsfast defaults"], by_name["fixed N=64"])]
    report = "\n".join(lines)
    print("\n" + report)
    sizes = {name: POPULATIONS[name].n for name in POPS}
    benchmark.extra_info.update(command=COMMAND, seeds=SEEDS, sizes=sizes, scores=[s.as_dict() for s in scores])
    os.makedirs("benchmarks/results", exist_ok=True)
    with open("benchmarks/results/statistics.md", "w") as f:
        f.write(f"`{COMMAND}` (populations {sizes} trajectories per seed, seeds {list(SEEDS)}, gap 0.2; "
                f"seeds pooled per row)\n\n{report}\n")
    with open("benchmarks/results/statistics.json", "w") as f:
        json.dump({"command": COMMAND, "seeds": SEEDS, "sizes": sizes, "gap": 0.2,
                   "scores": [s.as_dict() for s in scores]}, f, indent=2)
    # what the defaults must hold everywhere (the recall and rollout goals are reported, see the README)
    for s in scores:
        if s.name == "ptsfast defaults":
            assert s.confirmed_below_gap == 0 and s.low_share <= 0.03, report
