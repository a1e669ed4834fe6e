"""Exports of round 19: a run folder's exports written from several machines (a shared file system), hand-edited
runs, and what each export format holds in memory."""

import json
import logging
import os
import socket
import subprocess
import sys

import pytest
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.export import export
from ptsfast.outputs.source import ExportError


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round19") / "run"
    mine_tiny_pivot_run(out)
    return out


def _hidden(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


KILLED_ON = """
import os, signal, socket, sys
import datasets
from ptsfast.outputs.export import export

src, out, when, host = sys.argv[1:]
socket.gethostname = lambda: host
real_replace, real_save = os.replace, datasets.Dataset.save_to_disk

def replace(a, b):
    real_replace(a, b)
    if when == "between" and ".old-" in os.fspath(b):
        os.kill(os.getpid(), signal.SIGKILL)

def save_to_disk(self, path, **kw):
    real_save(self, path, **kw)
    if when == "writing":
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace
datasets.Dataset.save_to_disk = save_to_disk
export(src, out, fmt="hf", force=True)
"""


def _killed_export_on(host, src, out, when):
    """An hf export of ``src`` to ``out`` on the machine ``host`` (its name as the process sees it), killed with
    SIGKILL while 'writing' its new folder, or 'between' its two renames."""
    done = subprocess.run([sys.executable, "-c", KILLED_ON, str(src), str(out.resolve()), when, host],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr[-3000:]


def test_a_temporary_of_an_export_on_another_machine_is_kept_and_this_machines_removed(run, tmp_path, caplog):
    """On a file system that several machines share, an export's temporary was known by its process id alone,
    tested on this machine: another machine's export writing now (its process id is none here) had its temporary
    removed under it. The temporary names its machine now: another machine's is kept, and said; this machine's, of
    a dead process, is removed as before."""
    out = tmp_path / "out"
    n = export(run, out, fmt="hf")
    _killed_export_on("other-node-7", run, out, "writing")
    _killed_export_on(socket.gethostname(), run, out, "writing")
    theirs = [h for h in _hidden(tmp_path) if "@other-node-7-" in h]
    assert len(theirs) == 1 and len(_hidden(tmp_path)) == 2, os.listdir(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert export(run, out, fmt="hf") == n
    assert _hidden(tmp_path) == theirs, os.listdir(tmp_path)
    assert "kept" in caplog.text and "other-node-7" in caplog.text and "removed" in caplog.text, caplog.text


def test_a_jsonl_temporary_of_another_machine_whose_process_id_is_dead_here_is_kept(run, tmp_path, caplog):
    """The same for a one-file export: '.<name>.<pid>@<machine>-XXXXXXXX.tmp' of another machine is kept whatever
    its process id is here; one of an earlier ptsfast, which names no machine, is taken as this machine's."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    theirs, older = f".pairs.jsonl.{dead.pid}@gpu-12.cluster-abcdefgh.tmp", f".pairs.jsonl.{dead.pid}-abcdefgh.tmp"
    for name in (theirs, older):
        (tmp_path / name).write_text('{"prompt": "half', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert export(run, tmp_path / "pairs.jsonl") > 0
    assert _hidden(tmp_path) == [theirs] and "gpu-12.cluster" in caplog.text, caplog.text


def test_an_earlier_hf_export_another_machine_set_aside_is_not_moved_back_under_it(run, tmp_path, caplog):
    """Between its two renames an hf export holds the earlier export under a hidden name: an export from another
    machine then moved it back (its process id was dead here), so the running export's rename failed, or took the
    path over the earlier one; where it was killed there, the earlier one was put back for it. Another machine's is
    not this machine's to test: the export is refused, naming the hidden folder and what to do."""
    out = tmp_path / "out"
    n = export(run, out, fmt="hf")
    _killed_export_on("other-node-7", run, out, "between")
    olds = [h for h in _hidden(tmp_path) if ".old-" in h]
    assert not out.exists() and len(olds) == 1, os.listdir(tmp_path)
    aside = tmp_path / olds[0]
    with pytest.raises(ExportError) as e:
        export(run, out, fmt="hf")
    msg = str(e.value)
    assert "other-node-7" in msg and aside.name in msg and "move" in msg, msg
    assert not out.exists() and aside.is_dir()
    os.replace(aside, out)  # what the message says to do
    assert export(run, out, fmt="hf") == n and not [h for h in _hidden(tmp_path) if ".old-" in h]


def test_an_earlier_hf_export_this_machine_set_aside_is_still_moved_back(run, tmp_path, caplog):
    """This machine's, of a dead process, is moved back as before (the name carries the machine now)."""
    out = tmp_path / "out"
    n = export(run, out, fmt="hf")
    _killed_export_on(socket.gethostname(), run, out, "between")
    assert not out.exists()
    with caplog.at_level(logging.WARNING):
        assert export(run, tmp_path / "other.jsonl") > 0  # another path's export leaves it
        assert export(run, out, fmt="hf") == n
    assert "moved the earlier hf export" in caplog.text and _hidden(tmp_path) == [], caplog.text
    assert json.loads((out / "ptsfast_export.json").read_text(encoding="utf-8"))["kind"] == "pairs"
