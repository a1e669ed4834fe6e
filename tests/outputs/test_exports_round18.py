"""Exports of round 18: what an export that was killed (kill -9: no cleanup runs) leaves beside its path, and what
the next export to that path does with it."""

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.export import export
from ptsfast.outputs.source import ExportError


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round18") / "run"
    mine_tiny_pivot_run(out)
    return out


def _other_run(run, folder):
    """A copy of ``run`` as a run mined with another gap: another run, whose export replaces this one's only with
    --force."""
    shutil.copytree(run, folder)
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    info["config"]["mining"]["gap"] = 0.3
    (folder / "run.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return folder


KILLED = """
import os, signal, sys
import datasets
from ptsfast.outputs.export import export

src, out, when = sys.argv[1:]
real_replace, real_save = os.replace, datasets.Dataset.save_to_disk

def replace(a, b):
    real_replace(a, b)
    if (when == "between" and ".old-" in os.fspath(b)) or (when == "after" and os.fspath(b) == out):
        os.kill(os.getpid(), signal.SIGKILL)

def save_to_disk(self, path, **kw):
    real_save(self, path, **kw)
    if when == "writing":
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace
datasets.Dataset.save_to_disk = save_to_disk
export(src, out, fmt="hf", force=True)
"""


def _killed_export(src, out, when):
    """An hf export of ``src`` to ``out`` killed with SIGKILL ``when``: 'between' its two renames (the earlier export
    set aside, the new one not yet in place), 'after' them (before the set-aside one is removed), or while
    'writing' the new one."""
    done = subprocess.run([sys.executable, "-c", KILLED, str(src), str(out.resolve()), when], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -9, done.stderr[-3000:]


def _hidden(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


def test_an_hf_export_killed_between_its_renames_has_the_earlier_export_moved_back_by_the_next(run, tmp_path,
                                                                                              caplog):
    """Killed between its two renames, an hf export left the finished earlier export under '.<name>.old-<pid>' and
    no folder at the path: the next export, of another run and without --force, wrote there as at a new path, and
    the earlier export stayed hidden for good. The next export moves it back, says so, and the write rule holds
    (another run's export is refused without --force); the half-written one is removed."""
    out = tmp_path / "out"
    n = export(run, out, fmt="hf")
    before = sorted(os.listdir(out))
    _killed_export(run, out, "between")
    assert not out.exists() and any(".old-" in h for h in _hidden(tmp_path)), os.listdir(tmp_path)
    other = _other_run(run, tmp_path / "other")
    with caplog.at_level(logging.WARNING), pytest.raises(ExportError, match="not this run's.*--force"):
        export(other, out, fmt="hf")
    assert "moved the earlier hf export" in caplog.text and "killed" in caplog.text, caplog.text
    assert sorted(os.listdir(out)) == before and _hidden(tmp_path) == []
    import datasets

    assert len(datasets.load_from_disk(str(out))) == n
    assert export(run, out, fmt="hf") == n and _hidden(tmp_path) == []


@pytest.mark.parametrize("when", ["after", "writing"])
def test_what_a_killed_hf_export_left_beside_its_path_is_removed_by_the_next(run, tmp_path, caplog, when):
    """Killed after its second rename, an hf export left the earlier export it replaced under '.<name>.old-<pid>';
    killed while writing, its half-written folder ('.<name>.XXXXXXXX.tmp', as big as the dataset): both stayed
    beside the path for good. The next export to the path removes them and says so; the finished export stays."""
    out = tmp_path / "out"
    n = export(run, out, fmt="hf")
    _killed_export(run, out, when)
    assert out.is_dir() and len(_hidden(tmp_path)) == 1, os.listdir(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert export(run, tmp_path / "b.jsonl") == n  # another path: what was left at this one is not its own
    assert len(_hidden(tmp_path)) == 1 and "removed" not in caplog.text
    with caplog.at_level(logging.WARNING):
        assert export(run, out, fmt="hf") == n
    assert "removed" in caplog.text and "killed" in caplog.text, caplog.text
    assert _hidden(tmp_path) == []


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_half_written_jsonl_export_of_a_dead_process_is_removed_and_a_running_ones_kept(run, tmp_path, caplog):
    """A JSONL export killed while writing left its temporary file beside the path; one of a process that still
    runs (an export writing to the same path now) is another export's and is kept, and so is a folder of that name
    holding files an export does not write."""
    out = tmp_path / "pairs.jsonl"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead, running = f".pairs.jsonl.{_dead_pid()}-abcdefgh.tmp", f".pairs.jsonl.{live.pid}-abcdefgh.tmp"
        for name in (dead, running):
            (tmp_path / name).write_text('{"prompt": "half', encoding="utf-8")
        theirs = tmp_path / f".out.old-{_dead_pid()}"
        theirs.mkdir()
        (theirs / "notes.txt").write_text("mine", encoding="utf-8")
        with caplog.at_level(logging.WARNING):
            assert export(run, out) > 0
            export(run, tmp_path / "out", fmt="hf")
        assert _hidden(tmp_path) == sorted([running, theirs.name]), os.listdir(tmp_path)
        assert "not an hf export" in caplog.text and (theirs / "notes.txt").read_text(encoding="utf-8") == "mine"
    finally:
        live.kill()
        live.wait()
