"""Statistics of the search: ptsfast vs exact PTS and vs fixed-N estimators, on a hard synthetic population.

    pytest benchmarks/bench_statistics.py --benchmark-only -s      (the full table, about 2 minutes)
    ptsfast simulate                                               (the same table from the command line)

No model: each trajectory has a synthetic model with a known p-curve under a token budget (see
``ptsfast.mining.simulate``), so every method is scored against exact PTS on the true curve, in one run on
one population; writes ``benchmarks/results/statistics.md`` and ``.json``. The harness itself is tested
(fast, in CI) by ``tests/mining/test_simulation.py``.
"""

from __future__ import annotations

import json
import os

import pytest

from ptsfast.mining.simulate import GOALS, benchmark as run_benchmark, check_goals, format_table, variants

COMMAND = "pytest benchmarks/bench_statistics.py --benchmark-only -s"


@pytest.mark.benchmark(group="statistics")
def test_statistics_table(benchmark):
    n, budget, gap, seed = 600, 512, 0.2, 0
    rows = variants(budget, gap, seed)
    scores = benchmark.pedantic(lambda: run_benchmark(n, seed, budget, gap, rows, max_len=min(500, budget)),
                                rounds=1, iterations=1)
    table = format_table(scores, gap)
    by_name = {s.name: s for s in scores}
    goals = check_goals(by_name["ptsfast defaults"], by_name["fixed N=32"])
    report = "\n".join([table, "", GOALS] + [f"  {'met ' if ok else 'MISS'}  {g}: {m}" for g, ok, m in goals])
    print("\n" + report)
    benchmark.extra_info.update(command=COMMAND, trajectories=n, budget=budget,
                                scores=[s.as_dict() for s in scores])
    os.makedirs("benchmarks/results", exist_ok=True)
    with open("benchmarks/results/statistics.md", "w") as f:
        f.write(f"`{COMMAND}` ({n} trajectories, budget {budget} tokens, gap {gap}, seed {seed})\n\n{report}\n")
    with open("benchmarks/results/statistics.json", "w") as f:
        json.dump({"command": COMMAND, "trajectories": n, "budget": budget, "gap": gap, "seed": seed,
                   "scores": [s.as_dict() for s in scores]}, f, indent=2)
    # the goals the defaults are built to meet (the rollout budget is reported, see the README)
    met = {g: ok for g, ok, _ in goals}
    assert all(ok for g, ok in met.items() if not g.startswith("rollouts")), report
