"""``ptsfast demo`` with its oracle slowed to a code verdict's time: judged inside the decode loop or in the background.

The demo's oracle (``last_number``) sleeps ``DELAY`` seconds before each verdict (0.1 s: what a sandboxed code
verdict takes). A sleep holds no core, as judging on a GPU machine holds none of the decode's, so the run shows what
moving verdicts off the decode loop saves where they do not compete with it. ``inline`` keeps every verdict in the
loop (as the run layer keeps them on a CPU engine), ``background`` moves them to background threads as it does
on a GPU, ``plain`` is the demo with its fast oracle. The records of the three are the same.

    OMP_NUM_THREADS=2 python benchmarks/scripts/slow_oracle_demo.py inline /tmp/inline
    OMP_NUM_THREADS=2 python benchmarks/scripts/slow_oracle_demo.py background /tmp/background
"""

import dataclasses
import sys
import time

import ptsfast.problems.oracles as oracles
from ptsfast import cli
from ptsfast.pipeline.loop import FedCall

DELAY = 0.1


def main(mode: str, out: str) -> None:
    if mode not in ("inline", "background", "plain"):
        raise SystemExit("mode: inline, background or plain")
    spec = oracles.ORACLES["last_number"]

    def slow(text, problem):
        time.sleep(DELAY)
        return spec.judge(text, problem)

    if mode != "plain":
        oracles.ORACLES["last_number"] = dataclasses.replace(spec, judge=slow)
    if mode == "inline":
        FedCall.BACKGROUND_AFTER = float("inf")
    else:  # on the CPU too: the sleep holds no core, as on a GPU machine
        FedCall.BACKGROUND_ON_CPU = True
    start = time.perf_counter()
    cli.main(["demo", "--out", out, "--quiet"])
    print(f"{mode}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(*sys.argv[1:3])
