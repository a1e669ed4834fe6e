"""README's plot of the long-trace benchmark: the cost of the same rollouts against the trace length they fork from.

Reads result files of ``benchmarks/bench_long_trace.py`` and draws, per trace length, ptsfast's wall and CPU
seconds from the first and every Hugging Face side (wall and CPU) measured in any of them on the same device and
thread count (the others are left out: their seconds are not comparable), and prints the fitted growth (a
least-squares line through ptsfast's points: seconds = fixed + per-token x length, so the reader sees how much of
the bill the prefix length is).

    python benchmarks/scripts/plot_long_trace.py docs/long_trace_cost.png \
        benchmarks/results/long_trace_16x16x128_cpu.json
"""

from __future__ import annotations

import json
import sys


def fit(lengths: list[int], seconds: list[float]) -> tuple[float, float]:
    """Least-squares (fixed, per-token) of seconds = fixed + per-token x length."""
    n = len(lengths)
    mx, my = sum(lengths) / n, sum(seconds) / n
    sxx = sum((x - mx) ** 2 for x in lengths)
    slope = sum((x - mx) * (y - my) for x, y in zip(lengths, seconds)) / sxx if sxx else 0.0
    return my - slope * mx, slope


def main(dst: str, src: str, *more: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = json.load(open(src))
    rows = sorted(result["rows"], key=lambda r: r["length"])
    for extra in more:  # HF sides measured in other runs join the row of their length
        other = json.load(open(extra))
        if other.get("device") != result.get("device"):  # another thread count: its seconds are not comparable
            print(f"{extra}: measured on {other.get('device')}, not {result.get('device')}; left out")
            continue
        for r in other["rows"]:
            for row in rows:
                if row["length"] == r["length"]:
                    row.update({k: v for k, v in r.items() if k.startswith(("hf_", "speedup_", "cpu_speedup_"))})
    lengths = [r["length"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    ax.plot(lengths, [r["ptsfast_s"] for r in rows], "o-", label="ptsfast (wall)")
    ax.plot(lengths, [r["ptsfast_cpu_s"] for r in rows], "o--", alpha=0.6, label="ptsfast (CPU time)")
    for side, label, marker in (("hf_generate", "HF generate per prefix", "s"),
                                ("hf_cb", "HF continuous batching", "^")):
        for clock, suffix, fill in (("wall", "_s", "full"), ("CPU time", "_cpu_s", "none")):
            name = side + suffix
            pts = [(r["length"], r[name]) for r in rows if name in r]
            if pts:
                ax.plot(*zip(*pts), marker, markersize=8, fillstyle=fill, label=f"{label} ({clock})")
                for x, y in pts:
                    ax.annotate(f"{y:.0f} s", (x, y), textcoords="offset points", xytext=(8, -4), fontsize=8)
    for r in rows:
        ax.annotate(f"{r['ptsfast_s']:.0f} s", (r["length"], r["ptsfast_s"]), textcoords="offset points",
                    xytext=(-10, 8), fontsize=8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(lengths, [f"{x:,}" for x in lengths])
    ax.set_xlabel("trace length the rollouts fork from (tokens)")
    ax.set_ylabel("seconds (log)")
    ax.set_title(result.get("workload", "").split(",")[0] + f" ({result.get('device', '')})", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(dst)
    for key, clock in (("ptsfast_s", "wall"), ("ptsfast_cpu_s", "CPU")):
        fixed, per_token = fit(lengths, [r[key] for r in rows])
        print(f"ptsfast {clock} ~ {fixed:.1f} s + {per_token * 1000:.1f} s per 1,000 tokens of trace; against the "
              "shortest: " + ", ".join(f"{r['length']}: {r[key] / rows[0][key]:.2f}x" for r in rows))

if __name__ == "__main__":
    main(*sys.argv[1:])
