"""Report of a run: p(success) along each solution, with pivots highlighted (and, for a ``ptsfast anchors`` run,
the importance of each sentence under the p-curve, which is then known at the sentence boundaries).

Reads ``problems.jsonl`` and ``pivots.jsonl`` of an output directory and writes one self-contained
HTML page (inline CSS, plots embedded as base64 PNG; no scripts, no network) plus ``report.png``
(the p-curves of the trajectories with the most pivots). Every piece of text from the run is
HTML-escaped: solutions are model output and may contain markup.

Positions: ``p(i)`` is p(success) after ``i`` solution tokens (``p(0)``: the prompt alone); the
token ``t_{i+1}`` moves p from ``p(i)`` to ``p(i+1)``, and a pivot at position ``i`` is that token.
Between probed positions p is drawn as a step (the bisection stopped there because p barely moved).
"""

from __future__ import annotations

import base64
import html
import io as _io
import json
import logging
import math
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Mapping, Sequence

from ptsfast.outputs.rundir import (PIVOTS, PROBLEMS, REPORT_HEAD, REPORT_MARKER, RUN, RunDirError, check_format,
                                    check_writable, is_ptsfast_report, is_stream, warn_if_being_mined,
                                    write_atomic_together)
from ptsfast.outputs.source import (RunSource, check_not_discarded, check_one_run, check_readable, check_record,
                                    committed_records, path_arg)

log = logging.getLogger(__name__)

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.4em} h2{font-size:1.1em;margin-top:2em;border-bottom:1px solid #ddd}
.q{background:#f6f6f6;padding:.5em;white-space:pre-wrap}
.sol{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;line-height:1.9;white-space:pre-wrap;
     border:1px solid #ddd;padding:.6em}
.t{border-radius:2px} .bidi{unicode-bidi:isolate}
.pv{outline:2px solid #000;font-weight:bold}
.pv.raises{outline-color:#0a7d00} .pv.lowers{outline-color:#c00000}
.meta{color:#555;font-size:.9em}
.part{color:#999}
table{border-collapse:collapse;font-size:.9em} td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
.legend span{display:inline-block;width:2.2em;text-align:center;font-size:.8em}
img{max-width:100%}
"""


_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Unicode's explicit direction marks, embeddings, overrides and isolates: a token holding one is isolated on the
page, so its effect ends with it (the solution's tokens read in their order, pivots where they are); text in a
right-to-left script without them flows as it would."""


def _colour(p: float | None) -> str:
    """Background for p(success): red (0) -> yellow -> green (1); grey when unknown."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "#e8e8e8"
    return f"hsl({120 * max(0.0, min(1.0, p)):.0f},75%,80%)"


def _fmt_est(e: Mapping | None) -> str:
    """An estimate as the page shows it: p, its interval where both ends are known (another tool may write an
    unknown end null, as the records allow), and its counts."""
    if not e or e.get("p") is None:
        return "?"
    if e.get("exact"):
        return f"{e['p']:.2f} (exact)"
    lo, hi = e.get("lo"), e.get("hi")
    interval = f" [{lo:.2f}, {hi:.2f}]" if lo is not None and hi is not None else ""
    return f"{e['p']:.2f}{interval} ({e.get('successes')}/{e.get('trials')})"


def _step_p(estimates: Sequence[Mapping], n_tokens: int) -> list[float | None]:
    """p after each token (index k -> p(k+1)), carried forward from the last probed position."""
    known = {int(e["position"]): e.get("p") for e in estimates if e.get("p") is not None}
    out, cur = [], known.get(0)
    for k in range(n_tokens):
        cur = known.get(k + 1, cur)
        out.append(cur)
    return out


def _plot(ax, traj: Mapping, pivots: Sequence[Mapping], title: str) -> None:
    est = sorted(traj.get("estimates") or [], key=lambda e: e["position"])
    est = [e for e in est if e.get("p") is not None]
    L = len(traj.get("solution_ids") or [])
    if est:
        xs = [e["position"] for e in est]
        ps = [e["p"] for e in est]
        ax.step(xs, ps, where="post", color="#1f77b4", lw=1.2, label="p(success)")
        # clamp: interval ends can sit a rounding error inside the point estimate (e.g. Wilson at p=0)
        lo = [max(0.0, e["p"] - (e.get("lo") if e.get("lo") is not None else e["p"])) for e in est]
        hi = [max(0.0, (e.get("hi") if e.get("hi") is not None else e["p"]) - e["p"]) for e in est]
        ax.errorbar(xs, ps, yerr=[lo, hi], fmt="o", ms=3, color="#1f77b4", ecolor="#9ecae1", capsize=2)
    for pv in pivots:
        x = pv["position"] + 1
        c = "#0a7d00" if pv.get("direction") == "raises" else "#c00000"
        ax.axvline(x, color=c, alpha=.35, lw=1)
        if pv.get("p_after") is not None:  # unknown (null, or left out by another tool): its line alone
            ax.plot([x], [pv["p_after"]], marker="^" if pv.get("direction") == "raises" else "v", color=c, ms=9)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlim(-0.5, max(L, 1) + 0.5)
    ax.set_xlabel("solution tokens emitted (position)")
    ax.set_ylabel("p(success)")
    ax.set_title(title, fontsize=9, parse_math=False)  # a problem id is text, "$x$" too
    ax.grid(alpha=.3)


def _plot_sentences(ax, traj: Mapping) -> None:
    """Counterfactual importance of each sentence as a bar over its token span (anchors dark), with its interval."""
    for s in traj.get("sentences") or []:
        v = s.get("counterfactual_importance")
        if v is None:
            continue
        a, b = s["start"], s["end"]
        c = ("#0a7d00" if v > 0 else "#c00000") if s.get("is_anchor") else "#bbbbbb"
        ax.bar(a, v, width=b - a, align="edge", color=c, alpha=.8, edgecolor="white")
        if s.get("counterfactual_lo") is not None and s.get("counterfactual_hi") is not None:  # both ends known
            mid = (a + b) / 2
            ax.errorbar([mid], [v], yerr=[[v - s["counterfactual_lo"]], [s["counterfactual_hi"] - v]], fmt="none",
                        ecolor="#555", capsize=2, lw=.8)
    ax.axhline(0, color="#888", lw=.6)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("solution tokens emitted (position); bars: sentences")
    ax.set_ylabel("importance")
    ax.grid(alpha=.3)


def _sentences_table(traj: Mapping) -> str:
    e = html.escape
    tokens = traj.get("tokens") or []

    def fmt(x):
        return "?" if x is None else f"{x:+.2f}"
    rows = []
    for k, s in enumerate(traj.get("sentences") or []):
        text = "".join(tokens[s["start"]:s["end"]]).strip()
        lo, hi = s.get("counterfactual_lo"), s.get("counterfactual_hi")
        iv = f" [{lo:+.2f}, {hi:+.2f}]" if lo is not None and hi is not None else ""  # an end unknown: none shown
        style = " style='font-weight:bold'" if s.get("is_anchor") else ""
        rows.append(f"<tr{style}><td>{e(str(s.get('index', k)))}</td><td style='text-align:left'>{e(text[:200])}</td>"
                    f"<td>{e(fmt(s.get('counterfactual_importance')) + iv)}</td>"
                    f"<td>{e(fmt(s.get('resampling_importance')))}</td>"
                    f"<td>{'yes' if s.get('is_anchor') else ''}</td></tr>")
    return ("<table><tr><th>#</th><th>sentence</th><th>counterfactual importance</th><th>resampling importance</th>"
            f"<th>anchor</th></tr>{''.join(rows)}</table>")


def _png(fig) -> bytes:
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": REPORT_MARKER})
    return buf.getvalue()


def check_report_outputs(run_dir: Path, outs: Sequence[Path]) -> None:
    """The one write rule for a report: never over a file of the run or anything it did not write (by real path)."""
    from ptsfast.outputs.rundir import RUN_FILES
    from ptsfast.outputs.source import is_run_dir

    own = {os.path.realpath(run_dir / n): n for n in RUN_FILES if not n.startswith("report.")}
    # the page over it: a mine running there held its lock on the old file, and a second one took the new one
    own[os.path.realpath(run_dir / ".lock")] = "lock file, which keeps two runs from writing it at once,"
    if len({os.path.realpath(out) for out in outs}) < len(outs):
        raise ValueError(f"--out {outs[0]}: the page and its plot would be the same file; give the page an .html "
                         f"path (its plot goes beside it as .png)")
    for i, out in enumerate(outs):
        real = os.path.realpath(out)
        # the plot is no path the user typed: named as the page's, the way out through --out
        what, fix = (f"--out {out}", None) if i == 0 else (
            f"the report's plot {out} (beside the page, {outs[0]})",
            "move it away, or give --out another name (the plot is written beside the page, as .png)")
        if real in own:
            raise ValueError(f"{what} is the run's {own[real]}; a report never writes over a run's files - "
                             + (fix or f"choose another path (e.g. {run_dir / 'report.html'})"))
        folder = Path(real).parent
        if folder != Path(os.path.realpath(run_dir)) and is_run_dir(folder):
            raise ValueError(f"--out {out} is in another run's folder ({folder}); a report never writes into "
                             f"another run - choose another path (e.g. {run_dir / 'report.html'})")
        if os.path.isdir(real):
            raise ValueError(f"{what} is a folder; "
                             + (fix or f"give the report's file path (e.g. {Path(out) / 'report.html'})"))
        if is_stream(out):  # /dev/null: its plot would land at /dev/null.png, and the page replace the device
            raise ValueError(f"{what} is not a regular file (a device, pipe or socket); the report is an HTML "
                             f"file with a PNG beside it - "
                             + (fix or f"give a file path (e.g. {run_dir / 'report.html'})"))
        if os.path.lexists(real) and os.path.getsize(real) and not is_ptsfast_report(Path(real), run_dir):
            raise ValueError(f"{what}: {real} exists and is not {'a report' if i == 0 else 'a plot'} ptsfast wrote; "
                             f"a report never replaces it - {fix or 'choose another path'}")


_RUN_FOLDER = "the run folder `ptsfast mine` (or `ptsfast anchors`) wrote"


def load_run(run_dir: str | os.PathLike) -> tuple[list[dict], dict[tuple[str, Any], list[dict]], int]:
    """``(problems, pivots by (problem_id, trajectory key), refuted pivots left out)`` from an output directory: the
    records its done markers committed (a crashed run's last problem is still being written, and a resume truncates
    it), as ``ptsfast export`` reads them; pivots the confirmation refuted are no pivots."""
    d = Path(path_arg("load_run", "run_dir", run_dir, _RUN_FOLDER)).expanduser()
    if d.is_file():  # a run's records file: named as "<file>/problems.jsonl not found"
        from ptsfast.outputs.source import is_run_dir

        where = f"its folder, {d.parent}" if is_run_dir(d.parent) else "the folder `ptsfast mine --out` wrote"
        raise ValueError(f"--run {run_dir} is a file; a report reads a run's folder - pass {where}")
    if not (d / PROBLEMS).exists():
        raise FileNotFoundError(f"{d / PROBLEMS} not found; pass the output directory of `ptsfast mine`")
    if not (d / RUN).exists():  # a folder holding a user's own problems.jsonl gave an empty report
        raise FileNotFoundError(f"{d / RUN} not found: {d} is not a folder `ptsfast mine` wrote; pass the output "
                                f"directory of `ptsfast mine`")
    try:  # a run an interrupted --overwrite was discarding is no run (the report needs nothing else of run.json)
        info = json.loads((d / RUN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = None
    if isinstance(info, dict):
        check_not_discarded(info, d)
        if isinstance(info.get("format_version"), int):  # a newer ptsfast's records may mean other things
            try:
                check_format(info, d / RUN, "report it with that ptsfast (or a later one)")
            except RunDirError as e:
                raise ValueError(str(e)) from None

    def records(name: str, need: tuple[str, ...]) -> list[dict]:
        recs = committed_records(RunSource(d / name, d), "are not in the report") if (d / name).exists() else []
        for n, rec in enumerate(recs, 1):  # a hand-edited file ended the report in a KeyError traceback
            missing = [k for k in need if k not in rec]
            if missing:
                raise ValueError(f"{d / name}: record {n} lacks {missing} (the file was edited, or is not ptsfast's); "
                                 f"restore it or mine the run again")
            if name == PIVOTS:  # a position "8" or a p "0.3" ended the report in a TypeError
                check_record(rec, "pivots", d / name, need=())
            else:
                _check_problem(rec, d / name)
        return recs
    problems = records(PROBLEMS, ("problem_id",))
    by_traj: dict[tuple[str, Any], list[dict]] = defaultdict(list)
    refuted = 0
    pivots = records(PIVOTS, ("problem_id", "position"))
    # one run's, as its run.json says (records merged from two runs, or replaced by another's, drawn as this run's)
    check_one_run(pivots, d / PIVOTS, info if isinstance(info, dict) else None)
    for pv in pivots:
        if pv.get("confirmed") in ("refuted", False):  # runs before the three states wrote false, as exports read it
            refuted += 1
            continue
        by_traj[(str(pv["problem_id"]), _key(pv.get("trajectory")))].append(pv)
    return problems, by_traj, refuted


def _key(k: Any) -> str:
    """A trajectory key as pivots and problems are matched by it: any JSON value (a list, an object) as its text."""
    return json.dumps(k)


def _number(v: Any) -> bool:
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _estimate(v: Any) -> bool:
    return v is None or (isinstance(v, dict) and all(_number(v.get(k)) for k in ("p", "lo", "hi")))


_TRAJECTORY = {
    "solution_ids": (lambda v: isinstance(v, list) and all(map(_int, v)), "a list of token ids (ints >= 0)"),
    "tokens": (lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v), "a list of token texts"),
    "p0": (_estimate, "an estimate ({p, lo, hi}: numbers or null) or null"),
    "estimates": (lambda v: isinstance(v, list) and all(isinstance(e, dict) and _int(e.get("position"))
                                                        and _estimate(e) for e in v),
                  "a list of estimates, each with its position (an int >= 0) and p, lo, hi (numbers or null)"),
    "sentences": (lambda v: isinstance(v, list) and all(
        isinstance(x, dict) and _int(x.get("start")) and _int(x.get("end")) and all(_number(x.get(k)) for k in (
            "counterfactual_importance", "counterfactual_lo", "counterfactual_hi", "resampling_importance"))
        for x in v), "a list of sentences, each with its start and end (ints >= 0) and importances (numbers or null)"),
}
"""What the report reads of a problems.jsonl trajectory (a field left out is shown as unknown)."""


def _check_problem(rec: Mapping, path: Path) -> None:
    """Refuses a problems.jsonl record whose trajectories another tool rewrote with values of another type (an
    estimate's p "0.3", a position "8", trajectories a text), naming the file, the problem and the field: the page
    ended in a TypeError or AttributeError traceback."""
    trajectories = rec.get("trajectories")
    if trajectories is not None and not (isinstance(trajectories, list) and
                                         all(isinstance(t, dict) for t in trajectories)):
        fields = [("trajectories", trajectories, "a list of trajectories (JSON objects)")]
    else:
        fields = [(f"trajectories[{n}].{k}", t[k], what) for n, t in enumerate(trajectories or [])
                  for k, (test, what) in _TRAJECTORY.items() if t.get(k) is not None and not test(t[k])]
    if fields:
        field, value, what = fields[0]
        raise ValueError(f"{path}: the problem {rec.get('problem_id')!r} has {field} {value!r:.60}, not {what}: "
                         f"another tool rewrote the record - restore the file")


def write_report(run_dir: str | os.PathLike, out_html: str | os.PathLike | None = None,
                 out_png: str | os.PathLike | None = None, max_trajectories: int = 200, max_plots: int = 6,
                 title: str = "ptsfast report") -> tuple[Path, Path | None]:
    """Write the HTML report (and the summary PNG, beside the HTML unless ``out_png`` says where); returns their
    paths. Neither may replace a file of the run or a file that is not an earlier ptsfast report.

    ``max_trajectories`` bounds the page size (trajectories with pivots first). The summary
    PNG holds the ``max_plots`` trajectories with the most pivots; each trajectory shown on the page
    gets its own embedded plot.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    run_dir = Path(path_arg("write_report", "run_dir", run_dir, _RUN_FOLDER)).expanduser()
    for name, n in (("max_trajectories", max_trajectories), ("max_plots", max_plots)):
        # -1 meant as 'no limit' sliced from the end: the page left a trajectory out; a str failed in slicing
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"write_report({name}={n!r}): {name} takes a count, an int >= 0")
    takes = "the report's file path (.html, its plot .png), or None"
    out_html = None if out_html is None else path_arg("write_report", "out_html", out_html, takes)
    out_png = None if out_png is None else path_arg("write_report", "out_png", out_png, takes)
    out_html = Path(out_html).expanduser() if out_html else run_dir / "report.html"
    if out_png is None and os.path.isdir(out_html):  # '/' and '.' have no name to give the plot: said as any folder
        raise ValueError(f"--out {out_html} is a folder; give the report's file path (e.g. "
                         f"{out_html / 'report.html'})")
    out_png = Path(out_png).expanduser() if out_png else out_html.with_suffix(".png")  # never into the run unasked
    check_readable(run_dir)  # a fifo's run.json waited for a writer for ever
    problems, pivots, refuted = load_run(run_dir)
    check_report_outputs(run_dir, [out_html, out_png])
    warn_if_being_mined(run_dir, "the report")
    for out in (out_html, out_png):
        check_writable(out)

    items = []  # (n_pivots, problem, traj, pivots)
    for prob in problems:
        for traj in prob.get("trajectories") or []:
            pvs = sorted(pivots.get((str(prob["problem_id"]), _key(traj.get("key"))), []), key=lambda p: p["position"])
            items.append((len(pvs), prob, traj, pvs))
    order = sorted(range(len(items)), key=lambda i: (-items[i][0], i))
    shown = sorted(order[:max_trajectories])

    n_piv = sum(n for n, *_ in items)
    # pivots of a problem or trajectory problems.jsonl does not hold (a copy of it cut short, a line deleted) have no
    # solution to be shown on: counted apart, as the refuted ones are, not among the pivots the page shows
    orphans = sum(len(v) for v in pivots.values()) - n_piv
    if orphans:
        log.warning("%d pivots of %s belong to trajectories that %s does not hold (the file was cut or edited): "
                    "not shown", orphans, run_dir / PIVOTS, run_dir / PROBLEMS)
    parts = [f"{REPORT_HEAD}{html.escape(title)}</title><meta name='generator' content='{REPORT_MARKER}'>"
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p class='meta'>{len(problems)} problems, {len(items)} trajectories, {n_piv} pivots"
             f"{f' ({refuted} refuted by fresh rollouts, not shown)' if refuted else ''}"
             f"{f' ({orphans} more of trajectories missing from {PROBLEMS}, not shown)' if orphans else ''}. "
             f"Tokens are coloured by the estimated p(success) after them; pivots are boxed "
             f"(green: raises p, red: lowers p). Hover a token for its estimates.</p>",
             "<p class='legend'>" + "".join(f"<span style='background:{_colour(v / 10)}'>{v / 10:.1f}</span>"
                                             for v in range(11)) + "</p>"]
    if len(items) > len(shown):
        parts.append(f"<p class='meta'>showing {len(shown)} of {len(items)} trajectories (most pivots first kept)</p>")

    png_path, files = None, []
    top = [items[i] for i in order[:max_plots] if items[i][2].get("estimates")]
    if top:
        cols = min(2, len(top))
        rows = math.ceil(len(top) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 3 * rows), squeeze=False)
        try:
            for ax, (_, prob, traj, pvs) in zip(axes.flat, top):
                _plot(ax, traj, pvs, f"{prob['problem_id']} / {traj.get('key')} ({len(pvs)} pivots)")
            for ax in list(axes.flat)[len(top):]:
                ax.axis("off")
            fig.tight_layout()
            files.append((out_png, _png(fig)))
        finally:
            plt.close(fig)
        png_path = out_png

    for i in shown:
        _, prob, traj, pvs = items[i]
        parts.append(_trajectory_html(prob, traj, pvs, plt))
    parts.append("</body></html>\n")
    files.insert(0, (out_html, "".join(parts)))
    for out, _ in files:
        out.parent.mkdir(parents=True, exist_ok=True)
    # the page and its plot together or neither (over the file a link names, keeping the link): a disk that filled
    # up after the plot left a new plot beside the old page
    write_atomic_together(files)
    if png_path is None and os.path.lexists(out_png) and is_ptsfast_report(out_png, run_dir):
        # an earlier report's plot (checked as ptsfast's above) beside a page that has none: another run state's
        os.unlink(os.path.realpath(out_png))
        log.info("report: removed the earlier report's plot %s (this report has none)", out_png)
    log.info("report: %s (%d trajectories)%s", out_html, len(shown), f", plot {png_path}" if png_path else "")
    return out_html, png_path


def _trajectory_html(prob: Mapping, traj: Mapping, pvs: Sequence[Mapping], plt) -> str:
    e = html.escape
    tokens = traj.get("tokens") or [str(t) for t in traj.get("solution_ids") or []]
    est = traj.get("estimates") or []
    by_pos = {int(x["position"]): x for x in est}
    ps = _step_p(est, len(tokens))
    pv_at = {int(p["position"]): p for p in pvs}
    spans = []
    for k, tok in enumerate(tokens):
        pv = pv_at.get(k)
        # a token that is part of a character adds no text (the token completing it shows it): a dot, else its
        # span, a pivot's box too, is empty and cannot be seen or hovered
        name = repr(tok) if tok else "(part of a character, shown with the token that completes it)"
        if pv is not None:
            tip = (f"pivot t{k + 1} {name} ({pv.get('direction')}): p before {_fmt_est(pv.get('before'))} -> "
                   f"after {_fmt_est(pv.get('after'))}")
            if pv.get("confirmed") is not None:
                tip += f"; confirmed: {pv['confirmed']}"
            cls = f"t pv {'raises' if pv.get('direction') == 'raises' else 'lowers'}"
        else:
            tip = f"t{k + 1} {name}: p after " + (_fmt_est(by_pos[k + 1]) if k + 1 in by_pos else
                                                    (f"~{ps[k]:.2f} (carried)" if ps[k] is not None else "?"))
            cls = "t"
        if _BIDI_CONTROLS.search(tok):  # a right-to-left override in model output reversed the tokens after it
            cls += " bidi"
        spans.append(f"<span class='{cls}{'' if tok else ' part'}' style='background:{_colour(ps[k])}' "
                     f"title='{e(tip, quote=True)}'>{e(tok) if tok else '&middot;'}</span>")
    if traj.get("sentences"):  # a thought-anchors run: the sentence curve under the p-curve, same positions
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 4.6), sharex=True)
        _plot(ax, traj, pvs, f"{prob.get('problem_id')} / {traj.get('key')}")
        _plot_sentences(ax2, traj)
    else:
        fig, ax = plt.subplots(figsize=(9, 2.6))
        _plot(ax, traj, pvs, f"{prob.get('problem_id')} / {traj.get('key')}")
    img = base64.b64encode(_png(fig)).decode()
    plt.close(fig)
    rows = "".join(f"<tr><td>{p['position']}</td><td style='text-align:left'>{e(repr(p.get('token', '')))}</td>"
                   f"<td>{e(str(p.get('direction')))}</td><td>{e(_fmt_est(p.get('before')))}</td>"
                   f"<td>{e(_fmt_est(p.get('after')))}</td></tr>" for p in pvs)
    table = ("<table><tr><th>pos</th><th>token</th><th>direction</th><th>p before</th><th>p after</th></tr>"
             f"{rows}</table>") if pvs else "<p class='meta'>no pivots</p>"
    if traj.get("sentences"):
        table = _sentences_table(traj) + (table if pvs else "")
    correct = traj.get("correct")
    p0 = _fmt_est(traj.get("p0"))
    return (f"<h2>{e(str(prob.get('problem_id')))} &middot; trajectory {e(str(traj.get('key')))}</h2>"
            f"<div class='q'>{e(str(prob.get('question', '')))}</div>"
            f"<p class='meta'>reference answer: {e(str(prob.get('answer')))} &middot; solution correct: "
            f"{e(str(correct))} &middot; p(0) = {e(p0)} &middot; {len(tokens)} tokens &middot; "
            f"{e(str(traj.get('rollouts', 0)))} rollouts{'' if traj.get('kept', True) else ' &middot; filtered out'}"
            f"</p><div class='sol'>{''.join(spans)}</div>"
            f"<img alt='p(success) along the solution' src='data:image/png;base64,{img}'>{table}")
