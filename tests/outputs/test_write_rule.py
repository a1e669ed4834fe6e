"""The one write rule: no command deletes or overwrites anything it did not create (a run's files, an input, a
folder holding either), with or without --force / --overwrite; inputs and outputs are compared by real path."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ptsfast.cli import main as cli

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--max-rollouts", "8",
        "--key-max-rollouts", "8", "--no-filter", "--quiet"]
ROWS = [{"id": f"p{i}", "question": f"w{5 + i} w9 w{11 + i}", "answer": "1"} for i in range(2)]


def snapshot(d):
    return {p.relative_to(d): p.read_bytes() for p in sorted(Path(d).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def mined(model_dir, tmp_path_factory):
    """A finished run in ``work/run`` next to its problem file ``work/problems.jsonl``."""
    work = tmp_path_factory.mktemp("work")
    problems = work / "problems.jsonl"
    problems.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(work / "run"),
                *FAST]) == 0
    return work


@pytest.fixture()
def work(mined, tmp_path):
    shutil.copytree(mined, tmp_path / "w")
    return tmp_path / "w"


def one_line_error(capsys, *words):
    err = [line for line in capsys.readouterr().err.strip().splitlines() if not line.startswith("Loading weights")]
    assert len(err) == 1 and err[0].startswith("ptsfast: error:") and all(w in err[0] for w in words), err
    return err[0]


def test_export_force_never_replaces_a_folder_holding_the_run(work, capsys, monkeypatch):
    before = snapshot(work)
    for out in (work, "."):
        monkeypatch.chdir(work)
        assert cli(["export", "--run", str(work / "run"), "--format", "hf", "--force", "--out", str(out)]) == 2
        one_line_error(capsys, "holds the run")
        assert snapshot(work) == before


def test_export_force_never_replaces_data_it_did_not_export(work, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    hf = ["export", "--run", str(work / "run"), "--format", "hf", "--out", str(folder)]
    for extra in ([], ["--force"]):
        assert cli(hf + extra) == 2
        one_line_error(capsys, "did not export", "with or without --force")
        assert (folder / "notes.txt").read_text() == "keep me"
    out = tmp_path / "export"
    assert cli(["export", "--run", str(work / "run"), "--format", "hf", "--out", str(out)]) == 0
    (out / "notes.txt").write_text("added later")  # a file the user put into an export folder makes it theirs
    assert cli(["export", "--run", str(work / "run"), "--format", "hf", "--force", "--out", str(out)]) == 2
    assert (out / "notes.txt").exists()


def test_mine_never_writes_over_its_input_file(model_dir, work, capsys, monkeypatch):
    monkeypatch.chdir(work)  # problems.jsonl is here; `--out .` would write the run's problems.jsonl over it
    before = (work / "problems.jsonl").read_bytes()
    for extra in ([], ["--overwrite"]):
        assert cli(["mine", "--model", str(model_dir), "--problems", "problems.jsonl", "--out", ".", *FAST,
                    *extra]) == 2
        line = one_line_error(capsys, "over the input")
        assert "--overwrite" not in line
    # through a symlink: the run folder's problems.jsonl is a link to the input
    out = work / "linked"
    out.mkdir()
    os.symlink(work / "problems.jsonl", out / "problems.jsonl")
    assert cli(["mine", "--model", str(model_dir), "--problems", "problems.jsonl", "--out", str(out), *FAST,
                "--overwrite"]) == 2
    one_line_error(capsys, "over the input")
    # a run's own records given back as its problems, with --overwrite
    assert cli(["mine", "--model", str(model_dir), "--problems", str(work / "run" / "problems.jsonl"), "--out",
                str(work / "run"), *FAST, "--overwrite"]) == 2
    one_line_error(capsys, "over the input")
    assert (work / "problems.jsonl").read_bytes() == before


def test_overwrite_discards_only_a_run_never_files_no_run_wrote(model_dir, work, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"mine": 1}')  # someone's file with a name a run writes
    for extra in ([], ["--overwrite"]):
        assert cli(["mine", "--model", str(model_dir), "--problems", str(work / "problems.jsonl"), "--out", str(out),
                    *FAST, *extra]) == 2
        one_line_error(capsys, "summary.json", "never deletes or overwrites")
    assert (out / "summary.json").read_text() == '{"mine": 1}'


def test_report_never_writes_over_a_run_file_and_writes_beside_its_html(work, tmp_path, capsys):
    run = work / "run"
    before = snapshot(run)
    assert cli(["report", "--run", str(run), "--out", str(run / "pairs.jsonl")]) == 2
    one_line_error(capsys, "pairs.jsonl")
    other = tmp_path / "notes.html"
    other.write_text("<html>my notes</html>")
    assert cli(["report", "--run", str(run), "--out", str(other)]) == 2
    assert other.read_text() == "<html>my notes</html>"
    capsys.readouterr()
    out = tmp_path / "elsewhere" / "r.html"
    assert cli(["report", "--run", str(run), "--out", str(out)]) == 0
    assert snapshot(run) == before  # nothing written into the run (it may be read-only)
    assert out.exists() and (not (run / "report.png").exists())
    assert cli(["report", "--run", str(run), "--out", str(out)]) == 0  # an earlier report is replaced


def test_resume_never_truncates_a_file_it_did_not_write(model_dir, work, capsys):
    run = work / "run"
    pairs = run / "pairs.jsonl"
    foreign = b"<!DOCTYPE html><html>" + b"x" * (pairs.stat().st_size + 500) + b"</html>\n"
    pairs.write_bytes(foreign)
    assert cli(["mine", "--model", str(model_dir), "--problems", str(work / "problems.jsonl"), "--out", str(run),
                *FAST]) == 2
    one_line_error(capsys, "pairs.jsonl was changed")
    assert pairs.read_bytes() == foreign


def test_exports_get_the_users_umask(work, tmp_path):
    old = os.umask(0o022)
    try:
        assert cli(["export", "--run", str(work / "run"), "--out", str(tmp_path / "p.jsonl")]) == 0
        assert cli(["export", "--run", str(work / "run"), "--format", "hf", "--out", str(tmp_path / "hf")]) == 0
    finally:
        os.umask(old)
    assert (tmp_path / "p.jsonl").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "hf").stat().st_mode & 0o777 == 0o755


def test_simulate_json_never_overwrites_another_file(work, capsys):
    before = (work / "problems.jsonl").read_bytes()
    assert cli(["simulate", "--json", str(work / "problems.jsonl"), "--quiet"]) == 2
    one_line_error(capsys, "--json", "not an earlier")
    assert (work / "problems.jsonl").read_bytes() == before


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, where no one can create a file")
def test_an_output_no_file_can_be_created_in_is_refused_before_any_work(model_dir, work, capsys):
    """Permission bits say yes to root on a read-only or virtual file system (/proc here): each command tries
    to create a file where it will write, before its work, so minutes of simulation or a model load are not lost
    to the last write."""
    run = str(work / "run")
    before = snapshot(work)
    for argv, flag in ((["export", "--run", run, "--out", "/proc/ptsfast-x/pairs.jsonl"], "--out"),
                       (["export", "--run", run, "--format", "hf", "--out", "/proc/ptsfast-x"], "--out"),
                       (["report", "--run", run, "--out", "/proc/ptsfast-x.html"], "--out"),
                       (["simulate", "--json", "/proc/ptsfast-x.json", "--quiet"], "--json"),
                       (["mine", "--model", str(work / "no-model"), "--problems", str(work / "problems.jsonl"),
                         "--out", "/proc/ptsfast-x", *FAST], "--out")):
        assert cli(argv) == 2
        one_line_error(capsys, f"{flag} /proc/ptsfast-x", "cannot write in /proc", "pass a path you can write to")
    assert snapshot(work) == before


@pytest.mark.parametrize("value", ["nan", "-0.1", "inf"])
def test_export_refuses_a_min_delta_that_is_not_a_size(work, tmp_path, capsys, value):
    """The filter drops a record when |Δp| < min_delta, never true for NaN: NaN kept every record silently."""
    out = tmp_path / "pairs.jsonl"
    assert cli(["export", "--run", str(work / "run"), "--out", str(out), "--min-delta", value]) == 2
    one_line_error(capsys, "(--min-delta)", "use a number >= 0")
    assert not out.exists()


def test_a_link_to_an_earlier_export_keeps_the_link(work, tmp_path):
    run = work / "run"
    target, link = tmp_path / "exports" / "pairs.jsonl", tmp_path / "latest.jsonl"
    target.parent.mkdir()
    assert cli(["export", "--run", str(run), "--out", str(target)]) == 0
    link.symlink_to(target)
    assert cli(["export", "--run", str(run), "--out", str(link)]) == 0
    assert os.path.islink(link) and link.resolve() == target.resolve()
    html = tmp_path / "report.html"
    assert cli(["report", "--run", str(run), "--out", str(html)]) == 0
    page_link = tmp_path / "page.html"
    page_link.symlink_to(html)
    assert cli(["report", "--run", str(run), "--out", str(page_link)]) == 0
    assert os.path.islink(page_link) and page_link.resolve() == html.resolve()


def exported_pair(pid):
    return {"prompt": "Q", "chosen": "a", "rejected": "b", "prompt_ids": [1], "chosen_ids": [2], "rejected_ids": [3],
            "problem_id": pid}


def test_export_replaces_only_a_file_that_is_wholly_an_earlier_export_of_this_run(work, tmp_path, capsys):
    export = ["export", "--run", str(work / "run"), "--out"]
    curated = tmp_path / "all_pairs.jsonl"  # pairs of this run and another, and a line written by hand
    text = "".join(json.dumps(r) + "\n" for r in (exported_pair("p0"), exported_pair("other-run"),
                                                  {"prompt": "my own", "chosen": "a", "rejected": "b"}))
    curated.write_text(text)
    for extra in ([], ["--force"]):
        assert cli(export + [str(curated), *extra]) == 2
        one_line_error(capsys, "did not export")
    assert curated.read_text() == text
    others = tmp_path / "others.jsonl"  # wholly an export, but of other runs: --force replaces it
    others.write_text(json.dumps(exported_pair("other-run")) + "\n")
    assert cli(export + [str(others)]) == 2
    one_line_error(capsys, "not this run's", "--force")
    assert cli(export + [str(others), "--force"]) == 0
    ours = tmp_path / "ours.jsonl"  # an earlier export of this run: a re-export replaces it
    ours.write_text(json.dumps(exported_pair("p0")) + "\n")
    assert cli(export + [str(ours)]) == 0


def test_report_never_writes_into_another_run_nor_its_page_over_its_plot(work, tmp_path, capsys):
    run, other = work / "run", tmp_path / "other"
    shutil.copytree(run, other)
    (other / "pairs.jsonl").write_bytes(b"")  # a run not yet past its first problem: its files may be empty
    before = snapshot(other)
    for name in ("pairs.jsonl", "report.html", "notes.html"):
        assert cli(["report", "--run", str(run), "--out", str(other / name)]) == 2
        one_line_error(capsys, "another run's folder")
    assert snapshot(other) == before
    assert cli(["report", "--run", str(run), "--out", str(tmp_path / "r.png")]) == 2
    one_line_error(capsys, "same file", ".html")
    assert not (tmp_path / "r.png").exists()


def test_a_file_in_the_way_of_the_reports_plot_is_named_as_the_plot_beside_the_page(work, tmp_path, capsys):
    """It was named as '--out <the .png>', a path the user never typed (with no --out, or --out r.html); now as the
    page's plot, with --out as the way out (a folder there was told to take report.html inside it)."""
    run = work / "run"
    (run / "report.png").write_text("my notes")
    assert cli(["report", "--run", str(run)]) == 2
    err = one_line_error(capsys, f"the report's plot {run / 'report.png'} (beside the page, {run / 'report.html'})",
                         "is not a plot ptsfast wrote", "move it away, or give --out another name")
    assert "--out " + str(run / "report.png") not in err
    (tmp_path / "r.png").mkdir()
    assert cli(["report", "--run", str(run), "--out", str(tmp_path / "r.html")]) == 2
    err = one_line_error(capsys, f"the report's plot {tmp_path / 'r.png'}", "is a folder; move it away")
    assert "r.png/report.html" not in err
    assert (run / "report.png").read_text() == "my notes" and not (tmp_path / "r.html").exists()


def test_report_shows_a_problem_id_as_text_not_mathtext(work, tmp_path):
    run = work / "run"
    for name in ("problems.jsonl", "pivots.jsonl", "pairs.jsonl"):
        lines = [json.loads(x) for x in (run / name).read_text().splitlines()]
        (run / name).write_text("".join(json.dumps({**r, "problem_id": "$\\foo$"}) + "\n" for r in lines))
    assert cli(["report", "--run", str(run), "--out", str(tmp_path / "r.html")]) == 0
    assert "$\\foo$" in (tmp_path / "r.html").read_text()


def loose_pivots(d, n):
    """A records file of ``n`` pivots (what an export reads besides a run folder)."""
    d.mkdir(exist_ok=True)
    (d / "pv.jsonl").write_text("".join(json.dumps({"problem_id": f"p{i}", "position": i, "direction": "raises"})
                                        + "\n" for i in range(n)))
    return str(d / "pv.jsonl")


def test_export_out_paths_that_are_no_file(tmp_path, capfd, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export = ["export", "--run", loose_pivots(tmp_path / "in", 3), "--format", "jsonl", "--kind", "pivots", "--out"]
    assert cli(export + ["-"]) == 0  # standard output, as for other tools: no file named '-'
    out, err = capfd.readouterr()
    assert not (tmp_path / "-").exists() and "wrote 3 pivots to standard output" in err
    assert [json.loads(line)["problem_id"] for line in out.splitlines()] == ["p0", "p1", "p2"]
    assert cli(export + [""]) == 2
    assert "--out is empty" in capfd.readouterr().err
    (tmp_path / "dangling.jsonl").symlink_to(tmp_path / "missing" / "p.jsonl")
    assert cli(export + ["dangling.jsonl"]) == 2
    err = capfd.readouterr().err
    assert "whose folder does not exist" in err and ".tmp" not in err and not (tmp_path / "missing").exists()


@pytest.mark.parametrize("argv", [["export", "--format", "jsonl", "--kind", "pivots"], ["export", "--format", "pts"],
                                  ["report"]])
def test_a_one_file_out_ending_with_a_slash_is_refused_not_written_as_a_file(work, argv, capfd):
    out = work / "new"
    assert cli([*argv, "--run", str(work / "run"), "--out", f"{out}{os.sep}"]) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"ends with '{os.sep}', a folder path" in err[0] and f"such as {out}{os.sep}" in err[0]
    assert not os.path.lexists(out) and not os.path.lexists(out.with_suffix(".png"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_one_line_with_the_way_out(tmp_path, capfd):
    run = loose_pivots(tmp_path / "in", 3)
    assert cli(["export", "--run", run, "--format", "jsonl", "--kind", "pivots", "--out", "/dev/full"]) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device (writing /dev/full)" in err[0], err
    assert err[0].endswith("free some space (or choose another --out), then rerun the same command")


def test_a_reader_that_leaves_early_ends_the_export_quietly(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "ptsfast.cli", "export", "--run", loose_pivots(tmp_path, 2000),
                             "--format", "jsonl", "--kind", "pivots", "--out", "-"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)  # under older code '-' was a file made here
    proc.stdout.close()  # `| head -c 0`: gone before the records come
    err = proc.stderr.read().decode()
    assert proc.wait() == 141 and "Broken pipe" not in err and "Traceback" not in err, err


def test_sigterm_mid_export_leaves_no_temporary_file(work, tmp_path):
    out = tmp_path / "out" / "p.jsonl"
    out.parent.mkdir()
    script = textwrap.dedent(f"""
        import os, signal, sys
        import ptsfast.outputs.export as ex
        ex.as_user_file = lambda *a, **k: os.kill(os.getpid(), signal.SIGTERM)  # between the write and the rename
        from ptsfast.cli import main
        sys.exit(main(["export", "--run", {str(work / "run")!r}, "--out", {str(out)!r}]))
    """)
    rc = subprocess.run([sys.executable, "-c", script], capture_output=True).returncode
    assert rc == 130 and os.listdir(out.parent) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_standard_output_is_named_as_such(tmp_path):
    import subprocess
    import sys

    run = loose_pivots(tmp_path / "in", 300)
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "ptsfast.cli", "export", "--run", run, "--format", "jsonl",
                              "--kind", "pivots", "--out", "-"], stdout=full, stderr=subprocess.PIPE, text=True)
    assert res.returncode == 2 and "(writing standard output)" in res.stderr, res.stderr  # was "(writing -)"
