"""Hostile command lines, round 19: `report` of a run whose run.json is damaged (export and resume refuse it); a
hard link to one of a run's own files given as its --problems; a Ctrl-C while the command's module imports; a run
folder moved while it mines; --max-new-tokens past the demo model's context."""

import json
import os

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import FAST, MINE, no_model_load, one_line_error, write_problems


@pytest.fixture()
def mined(model_dir, tmp_path, capsys):
    """A finished tiny run and the command that mined it."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    return out, argv


def _damage(run, text):
    (run / "run.json").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("version, words", [('"1"', "format_version is '1'"), ("0", "format_version is 0"),
                                            ("null", "format_version is None"), ("1.5", "format_version is 1.5")])
def test_a_report_of_a_run_whose_format_version_is_damaged_is_refused(version, words, mined, tmp_path, capsys):
    """run.json's format_version edited to "1", 0, null or 1.5: `export` and a resume refuse the run as damaged, and
    `report` drew it without a word. Refused as they refuse it, writing nothing."""
    run, _ = mined
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    _damage(run, json.dumps({**info, "format_version": json.loads(version)}))
    target = tmp_path / "r.html"
    assert cli(["report", "--run", str(run), "--out", str(target)]) == 2
    one_line_error(capsys, "run.json is damaged", words, "restore it")
    assert not target.exists() and not (tmp_path / "r.png").exists()
    assert cli(["export", "--run", str(run), "--out", str(tmp_path / "e.jsonl")]) == 2  # as the export says it
    one_line_error(capsys, "run.json is damaged", words, "restore it")


@pytest.mark.parametrize("text, words", [("{not json", "run.json is damaged"),
                                         ("[1, 2]", "is not a ptsfast run's"),
                                         ('{"format_version": 1, "config": []}', "its config is a JSON list")])
def test_a_report_of_a_run_whose_run_json_is_not_a_runs_is_refused(text, words, mined, tmp_path, capsys):
    """A run.json that is not JSON, not an object, or whose config is no object: the report drew the records beside
    it as a run's. Refused as an export refuses it."""
    run, _ = mined
    _damage(run, text)
    target = tmp_path / "r.html"
    assert cli(["report", "--run", str(run), "--out", str(target)]) == 2
    one_line_error(capsys, words)
    assert not target.exists()


def test_a_report_of_a_sound_run_is_written(mined, tmp_path, capsys):
    """The check reads run.json only: a sound run is reported, as before."""
    run, _ = mined
    assert cli(["report", "--run", str(run), "--out", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").is_file()


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
@pytest.mark.parametrize("name", ["problems.jsonl", "pairs.jsonl"])
def test_a_hard_link_to_a_runs_own_file_as_its_problems_is_refused(name, overwrite, mined, tmp_path, capsys,
                                                                   monkeypatch):
    """`--problems LINK`, LINK a hard link to the run's own problems.jsonl (`cp -al run backup`, then the backup's
    file given): the inputs were compared with the run's files by real path, which differ, so it passed where a
    symbolic link is refused, and the run mined into the file it read. Refused before the model loads, naming the
    run's file; the run's files are as they were."""
    run, argv = mined
    link = tmp_path / "linked.jsonl"
    os.link(run / name, link)
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    no_model_load(monkeypatch)
    at = argv.index("--problems") + 1
    assert cli([*argv[:at], str(link), *argv[at + 1:], *overwrite]) == 2
    one_line_error(capsys, f"--problems {link}", f"{run / name} of the run in --out", "hard link", "choose another")
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before


_ENTRY = """
import os, signal, sys

class Interrupt:  # a Ctrl-C delivered while ptsfast.cli imports its first module, argparse
    def find_spec(self, name, path=None, target=None):
        if name == "argparse":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Interrupt())
from ptsfast.cli import main
sys.exit(main())
"""


def test_an_interruption_while_the_command_module_imports_is_said_in_one_line(tmp_path):
    """A Ctrl-C in the command's first tenth of a second, while ptsfast.cli itself imported (argparse, json,
    logging...), before main() took the signals: a KeyboardInterrupt traceback through the imports. The command's
    script (named ptsfast, as pip writes it) now ends with the line main says, and status 130."""
    import subprocess
    import sys

    script = tmp_path / "ptsfast"
    script.write_text(_ENTRY, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), "export", "--run", str(tmp_path / "run"), "--out",
                           str(tmp_path / "e.jsonl")], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines() == ["ptsfast: interrupted before the command began; nothing was written "
                                                "- rerun the command"]
    assert done.returncode == 130
    assert not (tmp_path / "e.jsonl").exists()


def test_a_program_importing_the_cli_keeps_its_keyboard_interrupt(tmp_path):
    """Only the command's own start is ended so: a program that imports ptsfast.cli gets its KeyboardInterrupt, as
    from any module, and the handler it had."""
    import subprocess
    import sys

    script = tmp_path / "mytool.py"
    script.write_text(_ENTRY.replace("from ptsfast.cli import main\nsys.exit(main())", """
try:
    import ptsfast.cli
except KeyboardInterrupt:
    print("mine", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "mine True" and done.returncode == 0, done.stderr


@pytest.mark.parametrize("made_again", [False, True])
def test_a_run_folder_moved_while_it_mines_keeps_its_work_and_says_where(made_again, model_dir, tmp_path, capsys,
                                                                          monkeypatch):
    """`mv run old` while `mine --out run` ran: the problems went on into old (through the files held open), and the
    summary, written by path, failed with a bare '[Errno 2] No such file or directory: .../run/.summary.json...tmp',
    or, once a new folder had been made at that name, was written into it (another run's folder, say). Now one line
    says the folder moved and how to finish it; nothing is written at the old name, and the moved run resumes."""
    import ptsfast.pipeline.run as run_module

    out, moved = tmp_path / "run", tmp_path / "old"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path, n=3)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE, "--problems-per-batch", "1"]
    write = run_module.OpenRun.write

    def write_then_move(self, *args, **kwargs):
        write(self, *args, **kwargs)
        if out.exists() and not moved.exists():  # after the first problem
            out.rename(moved)
            if made_again:
                out.mkdir()

    monkeypatch.setattr(run_module.OpenRun, "write", write_then_move)
    assert cli(argv) == 2
    one_line_error(capsys, f"{out}: the run's folder was moved or deleted while it mined",
                   "another folder has that name now" if made_again else "nothing has that name now",
                   "--out at the folder's new place")
    assert list(out.iterdir()) == [] if made_again else not out.exists()
    assert len((moved / "done.jsonl").read_text().splitlines()) == 3  # every problem, in the moved folder
    monkeypatch.undo()
    at = argv.index("--out") + 1
    assert cli([*argv[:at], str(moved), *argv[at + 1:]]) == 0
    assert json.loads((moved / "summary.json").read_text())["problems_already_done"] == 3


@pytest.mark.parametrize("command", ["mine", "anchors", "demo"])
def test_max_new_tokens_past_the_demo_models_context_is_refused_before_it_loads(command, model_dir, tmp_path, capsys,
                                                                                 monkeypatch):
    """`--model demo --max-new-tokens 9000` (or `ptsfast demo --max-new-tokens 9000`), past the demo model's 8192
    positions: the context was read before the model loaded for every model folder but the demo's, so the demo's
    model loaded and the run was refused only then. Its converted folder's config is read as any folder's (here
    the tiny model stands in for it, 512 positions)."""
    import shutil

    from ptsfast.demo import DEMO_MODEL_NAME

    monkeypatch.setenv("PTSFAST_CACHE", str(tmp_path / "cache"))
    shutil.copytree(model_dir, tmp_path / "cache" / DEMO_MODEL_NAME)
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    flags = ["--out", str(out), "--device", "cpu", "--max-new-tokens", "600", "--quiet"]
    if command != "demo":
        flags += ["--model", "demo", "--problems", str(write_problems(tmp_path)), "--no-chat-template", "--oracle",
                  "exact"]
    assert cli([command, *flags]) == 2
    one_line_error(capsys, "--max-new-tokens 600", "the model's context of 512", "or less")
    assert not out.exists()


def test_a_process_the_command_spawns_keeps_its_keyboard_interrupt(tmp_path):
    """A process started by spawn from the command's script imports that script as its __main__ (named
    __mp_main__): it is no start of the command, and keeps Python's own Ctrl-C handling."""
    import subprocess
    import sys

    script = tmp_path / "ptsfast"
    script.write_text("""
import multiprocessing as mp, signal

def child(q):
    import ptsfast.cli
    q.put(signal.getsignal(signal.SIGINT) is signal.default_int_handler)

if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=child, args=(q,))
    p.start()
    print("child", q.get())
    p.join()
""", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.stdout.strip() == "child True", done.stderr
