"""Hostile command lines, round 16: an export or report written into the model's folder (it changed the folder's
fingerprint, and the run never resumed); `export --run` of a fifo (it hung for ever) or a device (0 records, exit
0), and of a run whose record file or run.json is a fifo (hung); a second SIGTERM while the first one's cleanup ran
(a traceback, or an earlier hf export left under a temporary name)."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import FAST, MINE, one_line_error, write_problems


@pytest.fixture()
def own_model(model_dir, tmp_path):
    """A copy of the tiny model folder for this test alone (a test that fails may write into it)."""
    import shutil

    return shutil.copytree(model_dir, tmp_path / "model")


@pytest.fixture()
def mined(own_model, tmp_path, capsys):
    """A finished tiny run and the command that mined it."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(own_model), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    return out, argv


def _in_subprocess(script: str, timeout: float = 120):
    """Runs ``script`` in a fresh interpreter (a command that hangs fails the test by its timeout, not the suite)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("command", ["export", "report", "export hf"])
def test_an_output_in_the_model_folder_is_refused_and_the_run_still_resumes(command, mined, own_model, capsys):
    """`export --run RUN --out MODEL/trl.jsonl` (or `report --out MODEL/r.html`): the new file became part of the
    model folder's fingerprint, and every later resume of the run was refused as 'made from other inputs: files of
    the model folder: added trl.jsonl'. A datasets folder (--format hf) is no file of the fingerprint: written."""
    out, argv = mined
    target = own_model / ("r.html" if command == "report" else "hf" if command == "export hf" else "trl.jsonl")
    cmd = ["report", "--run", str(out), "--out", str(target)] if command == "report" else \
        ["export", "--run", str(out), "--out", str(target), *(["--format", "hf"] if command == "export hf" else [])]
    if command == "export hf":
        assert cli(cmd) == 0
        capsys.readouterr()
    else:
        assert cli(cmd) == 2
        one_line_error(capsys, f"--out {target}", "the model folder", "fingerprint", "outside it")
        assert not target.exists()
    assert cli(argv) == 0, capsys.readouterr().err  # the resume: nothing to do, not refused


def test_an_output_in_another_model_folder_is_refused(mined, own_model, tmp_path, capsys):
    """A folder holding a config and weights is a model's (another run's, an --embedding-model's) even where this
    run was mined with another: an export there broke that model's runs the same way. Its model card or an image
    beside it is no part of the fingerprint, and the run's own file names are left out of it."""
    import shutil

    out, _ = mined
    other = tmp_path / "other-model"
    shutil.copytree(own_model, other)
    assert cli(["export", "--run", str(out), "--out", str(other / "pairs-trl.jsonl")]) == 2
    one_line_error(capsys, "the model folder", "fingerprint")
    assert cli(["report", "--run", str(out), "--out", str(other / "report.html")]) == 0  # report.html is left out
    assert cli(["simulate", "--json", str(other / "scores.json"), "--populations", "nope"]) == 2
    one_line_error(capsys, "--json", "the model folder")


def test_export_of_a_device_run_is_refused(tmp_path, capsys):
    """`export --run /dev/null` wrote an empty export and exited 0, as if the run had no pairs."""
    out = tmp_path / "x.jsonl"
    assert cli(["export", "--run", os.devnull, "--out", str(out)]) == 2
    one_line_error(capsys, f"--run {os.devnull}", "a pipe or device", "run folder")
    assert not out.exists()


def test_export_of_a_fifo_run_is_refused_at_once(tmp_path):
    """`export --run FIFO` (a `<(...)` or a named pipe) waited for a writer for ever."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    res = _in_subprocess(f"""
        import sys
        from ptsfast.cli import main
        sys.exit(main(["export", "--run", {str(fifo)!r}, "--out", {str(tmp_path / "x.jsonl")!r}]))
    """, timeout=60)
    assert res.returncode == 2 and "a pipe or device" in res.stderr, res


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("name", ["pairs.jsonl", "run.json"])
def test_a_run_file_that_is_a_fifo_is_refused_at_once(command, name, mined, tmp_path):
    """A run whose pairs.jsonl (or run.json) is a fifo: export hung reading it (and exported a run without its
    run.json, unchecked, where that was the fifo); the report hung on run.json."""
    out, _ = mined
    (out / name).unlink()
    os.mkfifo(out / name)
    dest = tmp_path / ("r.html" if command == "report" else "x.jsonl")
    res = _in_subprocess(f"""
        import sys
        from ptsfast.cli import main
        sys.exit(main([{command!r}, "--run", {str(out)!r}, "--out", {str(dest)!r}]))
    """, timeout=60)
    assert res.returncode == 2 and f"{name} is a pipe or device" in res.stderr, res
    assert "Traceback" not in res.stderr and not dest.exists(), res.stderr


def _twice(argv, patch: str) -> str:
    """A script running ``argv`` where ``patch`` sends the signals."""
    head = """
        import os, signal, sys
        from ptsfast.outputs import rundir
        import ptsfast.cli as cli
        def term():
            os.kill(os.getpid(), signal.SIGTERM)
    """
    return textwrap.dedent(head) + textwrap.dedent(patch) + f"sys.exit(cli.main({argv!r}))\n"


def test_a_second_sigterm_during_cleanup_keeps_the_run_and_says_it_once(model_dir, tmp_path):
    """SIGTERM once a problem was written, then SIGTERM again as the interruption is said (a scheduler's second
    signal, a user's second kill): it ended in a KeyboardInterrupt traceback. Now the line is said once, the run
    keeps its finished problems and its lock is free (a rerun finishes it)."""
    problems, out = write_problems(tmp_path, 3), tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--device", "cpu",
            *FAST, *MINE, "--problems-per-batch", "1"]
    patch = """
        write, said = rundir.RunWriter.write_records, cli._after_interrupt
        def written(self, *a, **k):
            write(self, *a, **k)
            term()
        def saying(a):
            term()
            return said(a)
        rundir.RunWriter.write_records, cli._after_interrupt = written, saying
    """
    res = _in_subprocess(_twice(argv, patch), timeout=300)
    assert res.returncode == 130 and res.stderr.count("interrupted; finished problems are saved") == 1, res
    assert "Traceback" not in res.stderr, res.stderr
    assert 1 <= len((out / "done.jsonl").read_text().splitlines()) < 3
    assert cli(argv) == 0
    assert len((out / "done.jsonl").read_text().splitlines()) == 3


def test_a_second_sigterm_while_an_export_puts_back_the_earlier_one_keeps_it(mined, tmp_path):
    """An hf export over an earlier one moves the earlier folder aside, then the new one in; SIGTERM between the two,
    and SIGTERM again while the earlier folder was put back, left it under a hidden temporary name, --out gone."""
    out, _ = mined
    dest = tmp_path / "hf"
    argv = ["export", "--run", str(out), "--out", str(dest), "--format", "hf"]
    assert cli(argv) == 0
    before = sorted(p.name for p in dest.iterdir())
    patch = """
        replace, calls = os.replace, []
        def replacing(src, dst):
            calls.append(src)
            if len(calls) in (2, 3):  # the new folder moved in, then the earlier one put back
                term()
            return replace(src, dst)
        os.replace = replacing
    """
    res = _in_subprocess(_twice(argv, patch))
    assert res.returncode == 130 and "Traceback" not in res.stderr, res
    assert sorted(p.name for p in dest.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert json.loads((dest / "ptsfast_export.json").read_text())["kind"] == "pairs"


def test_an_export_through_a_link_into_the_model_folder_is_refused(mined, own_model, tmp_path, capsys):
    """`--out pairs.jsonl` where pairs.jsonl is a link to MODEL/trl.jsonl: the export is written where the link
    points, into the model folder, past the check of the path as given."""
    out, argv = mined
    link = tmp_path / "pairs-link.jsonl"
    link.symlink_to(own_model / "trl.jsonl")
    assert cli(["export", "--run", str(out), "--out", str(link)]) == 2
    one_line_error(capsys, f"--out {link}", "the link's target", "the model folder")
    assert not (own_model / "trl.jsonl").exists()
    assert cli(argv) == 0


@pytest.mark.parametrize("name", ["pairs.jsonl", "scores.json"])
def test_simulate_never_writes_its_scores_into_a_run(name, mined, capsys):
    """`simulate --json RUN/pairs.jsonl` where the run has found no pair yet (an empty file): the scores replaced it,
    and the run's resume was refused as a changed file; another name joined the run's files."""
    out, argv = mined
    before = (out / "pairs.jsonl").read_bytes()
    assert cli(["simulate", "--json", str(out / name), "--populations", "hard", "--seeds", "0", "--scale", "0.01",
                "--quiet"]) == 2
    one_line_error(capsys, f"--json {out / name}", "in the run folder", "outside it")
    assert (out / "pairs.jsonl").read_bytes() == before and not (out / "scores.json").exists()
    assert cli(argv) == 0


@pytest.mark.parametrize("command", ["mine", "anchors", "anchors --embedding-model", "export"])
def test_a_model_folder_holding_a_fifo_is_refused_at_once(command, mined, own_model, tmp_path):
    """A model folder whose config.json is a fifo: the command hung for ever reading it (its config is read before
    the model loads, to size the KV pool), as did an encoder's or an export's --model."""
    import shutil

    out, _ = mined
    good = shutil.copytree(own_model, tmp_path / "good")
    (own_model / "config.json").unlink()
    os.mkfifo(own_model / "config.json")
    dest = str(tmp_path / "new")
    if command == "export":
        argv = ["export", "--run", str(out), "--out", dest, "--format", "pts", "--model", str(own_model)]
    else:
        encoder = command.endswith("--embedding-model")
        argv = [command.split()[0], "--model", str(good if encoder else own_model), "--problems",
                str(write_problems(tmp_path)), "--out", dest, "--device", "cpu", *FAST,
                *(MINE if command == "mine" else []), *(["--embedding-model", str(own_model)] if encoder else [])]
    res = _in_subprocess(f"""
        import sys
        from ptsfast.cli import main
        sys.exit(main({argv!r}))
    """, timeout=60)
    assert res.returncode == 2 and "config.json in it is a pipe or device" in res.stderr, res
    assert "Traceback" not in res.stderr and not os.path.exists(dest), res.stderr


@pytest.mark.parametrize("run_exists", [True, False])
def test_a_closed_stderr_never_sends_ptsfast_lines_into_stdout(run_exists, mined, tmp_path):
    """`ptsfast export --run RUN --out - 2>&-`: with standard error closed, Python has no sys.stderr and
    print(file=None) writes to standard output, so 'ptsfast: wrote N pairs to standard output' (or the error) was
    appended to the JSONL stream a reader was taking as records."""
    out, _ = mined
    run = str(out if run_exists else tmp_path / "missing")
    res = subprocess.run(["sh", "-c", f'exec "$0" -c "$1" 2>&-', sys.executable,
                          f"import sys; from ptsfast.cli import main; sys.exit(main(['export', '--run', {run!r}, "
                          f"'--out', '-']))"], capture_output=True, text=True, timeout=60)
    assert res.returncode == (0 if run_exists else 2), res
    assert all(json.loads(line) for line in res.stdout.splitlines()), res.stdout


@pytest.mark.parametrize("command", ["mine", "export", "--version"])
def test_a_deleted_current_folder_is_named(command, mined, own_model, tmp_path):
    """A shell still in a folder that was deleted (a run folder removed from another terminal): `mine`, even with
    absolute paths, ended in 'Intel oneMKL FATAL ERROR: Cannot load libtorch_cpu.so' as torch loaded, and `export
    --out x.jsonl` in a bare '[Errno 2] No such file or directory'."""
    out, argv = mined
    argv = [*argv[:argv.index("--out") + 1], str(tmp_path / "new"), *argv[argv.index("--out") + 2:]] \
        if command == "mine" else ["export", "--run", str(out), "--out", "x.jsonl"] if command == "export" else \
        ["--version"]
    gone = tmp_path / "gone"
    gone.mkdir()
    script = f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); from ptsfast.cli import main; " \
             f"sys.exit(main({argv!r}))"
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
    assert res.returncode == 2 and "the current folder no longer exists" in res.stderr, res
    assert "cd to a folder" in res.stderr and not (tmp_path / "new").exists()


@pytest.mark.parametrize("command", ["mine", "export", "report", "simulate"])
def test_an_output_under_a_link_to_nothing_is_named(command, mined, tmp_path, capsys):
    """`--out LINK/run` where LINK is a link to a folder that was removed: every command failed with a bare
    '[Errno 17] File exists: LINK' (mine once its model had loaded)."""
    out, argv = mined
    link = tmp_path / "gone-link"
    link.symlink_to(tmp_path / "removed")
    flag, path = ("--json", link / "s.json") if command == "simulate" else ("--out", link / "x")
    argv = {"mine": [*argv[:argv.index("--out") + 1], str(path), *argv[argv.index("--out") + 2:]],
            "export": ["export", "--run", str(out), "--out", str(path)],
            "report": ["report", "--run", str(out), "--out", str(path) + ".html"],
            "simulate": ["simulate", "--json", str(path), "--populations", "hard", "--seeds", "0", "--scale", "0.01",
                         "--quiet"]}[command]
    assert cli(argv) == 2
    one_line_error(capsys, f"{link} is a link to", "which does not exist", "create that folder")
    assert not (tmp_path / "removed").exists()


def test_a_problems_folder_holding_a_fifo_is_refused_at_once(model_dir, tmp_path):
    """A datasets folder whose data/test.jsonl is a fifo beside data/train.jsonl: the loader read it and the command
    hung for ever."""
    folder = tmp_path / "dataset"
    (folder / "data").mkdir(parents=True)
    write_problems(tmp_path).rename(folder / "data" / "train.jsonl")
    os.mkfifo(folder / "data" / "test.jsonl")
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(folder), "--out", str(out), "--device", "cpu", *FAST,
            *MINE]
    res = _in_subprocess(f"""
        import sys
        from ptsfast.cli import main
        sys.exit(main({argv!r}))
    """, timeout=60)
    assert res.returncode == 2 and "data/test.jsonl in it is a pipe or device" in res.stderr, res
    assert not out.exists()


def test_an_interruption_before_the_run_began_says_nothing_was_written(model_dir, tmp_path, capsys, monkeypatch):
    """Ctrl-C while the model loaded, before the run's folder was made: 'finished problems are saved - rerun the
    same command to resume', of a run that had none."""
    import ptsfast.models

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(ptsfast.models, "load_model", interrupted)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    assert cli(argv) == 130
    err = capsys.readouterr().err
    assert "interrupted; the run had not started, nothing was written" in err and "saved" not in err, err
    assert not out.exists()


@pytest.mark.parametrize("flag", ["--model", "--problems", "--embedding-model", "--run"])
def test_an_input_name_too_long_for_the_file_system_is_named_with_its_flag(flag, model_dir, tmp_path, capsys):
    """`--model <300 letters>` (or --problems, --embedding-model, export's --run): a bare '[Errno 36] File name too
    long: ...' repeating the path whole, naming no flag."""
    long = str(tmp_path / ("a" * 300))
    if flag == "--run":
        argv = ["export", "--run", long, "--out", str(tmp_path / "x.jsonl")]
    else:
        paths = {"--model": str(model_dir), "--problems": str(write_problems(tmp_path)), flag: long}
        argv = ["anchors", *[x for kv in paths.items() for x in kv], "--out", str(tmp_path / "run"), "--device", "cpu",
                *FAST]
    assert cli(argv) == 2
    one_line_error(capsys, f"{flag} {long[:40]}", "300 bytes", "nothing has it")
