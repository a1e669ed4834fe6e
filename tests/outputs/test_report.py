"""HTML/PNG report from a run directory written by the real RunWriter."""

import base64
import json
import re

import pytest

from ptsfast.outputs.rundir import RunWriter
from ptsfast.outputs.report import _step_p, write_report

EVIL = "<script>alert('x')</script>"


def _est(p, s, n, lo, hi, exact=False):
    return {"p": p, "successes": s, "trials": n, "lo": lo, "hi": hi, "exact": exact}


def make_run(d, with_pivots=True):
    tokens = ["Tom", " has", " 3", " +", " 5", " =", " 8", " ", EVIL, " apples", "."]
    estimates = [{"position": 0, **_est(0.5, 8, 16, 0.3, 0.7)}, {"position": 3, **_est(0.45, 9, 20, 0.25, 0.65)},
                 {"position": 4, **_est(0.9, 18, 20, 0.7, 0.97)}, {"position": 11, **_est(1.0, 1, 1, 1, 1, True)}]
    traj = {"key": ["q1", 0], "kept": True, "correct": True, "solution_ids": list(range(11)), "tokens": tokens,
            "p0": estimates[0], "estimates": estimates, "rollouts": 56, "n_pivots": 1}
    pivots = [{"problem_id": "q1", "trajectory": ["q1", 0], "position": 3, "token": " +", "token_id": 3,
               "p_before": 0.45, "p_after": 0.9, "delta": 0.45, "direction": "raises",
               "before": estimates[1], "after": estimates[2], "confirmed": None}] if with_pivots else []
    plain = {"key": ["q2", 0], "kept": False, "correct": False, "solution_ids": [1, 2], "tokens": ["a", "b"],
             "p0": _est(0.05, 1, 20, 0, 0.2), "estimates": [{"position": 0, **_est(0.05, 1, 20, 0, 0.2)}]}
    with RunWriter(d, {"x": 1}) as w:
        w.write_problem("q1", pivots, [], {"question": f"What is 3+5? {EVIL}", "answer": "8", "trajectories": [traj]})
        w.write_problem("q2", [], [], {"question": "Q2 & more", "answer": "1", "trajectories": [plain]})
    return d


def test_report_html_and_png(tmp_path):
    run = make_run(tmp_path / "run")
    html_path, png_path = write_report(run)
    page = html_path.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page      # model text escaped
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "Q2 &amp; more" in page
    # the pivot token is boxed, with its estimates in the tooltip
    m = re.search(r"<span class='t pv raises'[^>]*title='([^']*)'>( \+)</span>", page)
    assert m and "0.45 [0.25, 0.65] (9/20)" in m.group(1) and "0.90 [0.70, 0.97] (18/20)" in m.group(1)
    # colours follow p after each token: token 4 (" +", p(4)=0.9) is green-ish, token 3 (p(3)=0.45) not
    spans = re.findall(r"<span class='t[^']*' style='background:hsl\((\d+),", page)
    assert [int(h) for h in spans[:5]] == [60, 60, 54, 108, 108]
    imgs = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(imgs) == 2 and all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in imgs)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "filtered out" in page and "1 pivots" in page


def test_report_limits_and_missing_run(tmp_path):
    run = make_run(tmp_path / "run")
    html_path, _ = write_report(run, out_html=tmp_path / "r.html", out_png=tmp_path / "r.png", max_trajectories=1)
    page = html_path.read_text()
    assert "showing 1 of 2 trajectories" in page and "q1" in page and "Q2 &amp; more" not in page
    with pytest.raises(FileNotFoundError, match="problems.jsonl not found"):
        write_report(tmp_path / "nothing")
    own = tmp_path / "data"  # a user's own problems file is no run: the report was empty
    own.mkdir()
    (own / "problems.jsonl").write_text(json.dumps({"question": "q", "answer": "1"}) + "\n")
    with pytest.raises(FileNotFoundError, match="run.json not found: .* is not a folder `ptsfast mine` wrote"):
        write_report(own)


def test_a_hand_edited_record_is_one_line_naming_it(tmp_path):
    run = make_run(tmp_path / "run")
    pivots = run / "pivots.jsonl"
    rec = json.loads(pivots.read_text())
    del rec["problem_id"]
    pivots.write_text(json.dumps(rec) + "\n")
    with pytest.raises(ValueError, match=r"pivots.jsonl: record 1 lacks \['problem_id'\] .*restore it"):
        write_report(run)  # was a KeyError traceback


def test_step_p_carries_last_probe_forward():
    est = [{"position": 0, "p": 0.5}, {"position": 2, "p": 0.1}, {"position": 5, "p": 1.0}]
    assert _step_p(est, 5) == [0.5, 0.1, 0.1, 0.1, 1.0]
    assert _step_p([], 2) == [None, None]


def test_a_report_is_never_written_to_a_device_or_a_pipe(tmp_path):
    """``--out /dev/null`` would put the plot at /dev/null.png (a new file in /dev when run as root)."""
    import os

    run = make_run(tmp_path / "run")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for out in ("/dev/null", fifo):
        with pytest.raises(ValueError, match="is not a regular file"):
            write_report(run, out_html=out)
    assert not os.path.exists("/dev/null.png") and not (tmp_path / "pipe.png").exists()


def test_report_shows_committed_pivots_leaves_out_refuted_ones_and_keeps_others_files(tmp_path):
    run = make_run(tmp_path / "run")
    with RunWriter(run, {"x": 1}) as w:  # a refuted pivot of a third problem
        pv = {"problem_id": "q3", "trajectory": ["q3", 0], "position": 0, "confirmed": "refuted"}
        w.write_problem("q3", [pv], [], {"question": "q3", "trajectories": []})
    with open(run / "pivots.jsonl", "a") as f:  # a crash while the records of a fourth were written
        f.write(json.dumps({"problem_id": "q4", "trajectory": ["q4", 0], "position": 0}) + "\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "r.html.tmp").write_text("someone's file")
    page = write_report(run, out_html=tmp_path / "out" / "r.html")[0].read_text()
    assert "3 problems, 2 trajectories, 1 pivots (1 refuted by fresh rollouts, not shown)" in page
    assert (tmp_path / "out" / "r.html.tmp").read_text() == "someone's file"
