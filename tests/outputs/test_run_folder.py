"""What a run folder trusts: only a ``run.json`` of ptsfast's shape is a run (to resume or to discard), a damaged
one is one clear error naming the file, and a resume names what changed beside the settings (ids, dataset,
ptsfast version)."""

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from ptsfast.outputs.rundir import DONE, PIVOTS, PROBLEMS, RUN, RunDirError, RunWriter, write_atomic


def snapshot(d):
    return {p.name: p.read_bytes() for p in sorted(Path(d).iterdir()) if p.is_file()}


def finished(d, **kw):
    with RunWriter(d, {"seed": 1}, **kw) as w:
        w.write_problem("a", [{"problem_id": "a", "k": 1}], [], {}, content="h-a")
        w.write_problem("b", [], [], {}, content="h-b")
    return d


def test_overwrite_never_deletes_a_folder_whose_run_json_is_another_tools(tmp_path):
    files = {RUN: '{"tool": "someone else", "lr": 0.1}\n', "summary.json": '{"accuracy": 0.93}\n',
             "report.html": "<html>mine</html>", PROBLEMS: '{"question": "precious"}\n', "notes.txt": "notes"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    for overwrite in (False, True):
        with pytest.raises(RunDirError, match=r"run.json is not a ptsfast run's.*another tool") as e:
            RunWriter(tmp_path, {f"k{i}": i for i in range(60)}, overwrite=overwrite)
        assert "was unset" not in str(e.value) and len(str(e.value).replace(str(tmp_path), "")) < 200
        assert snapshot(tmp_path) == {n: t.encode() for n, t in sorted(files.items())}


@pytest.mark.parametrize("text, words", [("[]\n", "not a ptsfast run's"), ('"x"\n', "not a ptsfast run's"),
                                         (b"\xff\xfe{}", "not UTF-8"), ("", "damaged"),
                                         ({"config": [1]}, "config is a JSON list"),
                                         ({"inputs": [1]}, "inputs is a JSON list")])
@pytest.mark.parametrize("overwrite", [False, True])
def test_a_damaged_run_json_is_one_error_naming_it_and_nothing_changes(tmp_path, text, words, overwrite):
    d = finished(tmp_path / "run")
    if isinstance(text, dict):
        text = json.dumps({**json.loads((d / RUN).read_text()), **text})
    (d / RUN).write_bytes(text if isinstance(text, bytes) else text.encode())
    before = snapshot(d)
    with pytest.raises(RunDirError, match=rf"{d / RUN} .*{words}"):
        RunWriter(d, {"seed": 1}, overwrite=overwrite)
    assert snapshot(d) == before


def test_a_marker_with_damaged_line_counts_is_an_error_naming_done_jsonl(tmp_path):
    d = finished(tmp_path)
    lines = (d / DONE).read_text().splitlines()
    lines[-1] = json.dumps({**json.loads(lines[-1]), "lines": "x"})
    (d / DONE).write_text("\n".join(lines) + "\n")
    before = snapshot(d)
    with pytest.raises(RunDirError, match=rf"{DONE} line 2 is damaged"):
        RunWriter(d, {"seed": 1})
    assert snapshot(d) == before


def test_an_interrupted_overwrite_is_finished_by_the_same_command(tmp_path, monkeypatch):
    d = finished(tmp_path)
    unlink = Path.unlink

    def killed_at_done(self, *a, **kw):
        if self.name == DONE:
            raise KeyboardInterrupt
        return unlink(self, *a, **kw)

    monkeypatch.setattr(Path, "unlink", killed_at_done)
    with pytest.raises(KeyboardInterrupt):
        RunWriter(d, {"seed": 2}, overwrite=True)
    monkeypatch.setattr(Path, "unlink", unlink)
    assert (d / RUN).is_file()  # deleted last: the folder is still a run
    with RunWriter(d, {"seed": 2}, overwrite=True) as w:
        assert not w.done
    assert (d / PIVOTS).read_bytes() == b"" and json.loads((d / RUN).read_text())["config"] == {"seed": 2}


def test_the_same_problems_under_other_ids_are_refused_not_mined_again(tmp_path):
    d = finished(tmp_path)
    with RunWriter(d, {"seed": 1}) as w:
        with pytest.raises(RunDirError, match=r"holds problem 'a', which is 'x1' now \(and 1 more\).*--id-field"):
            w.check_problems({"x1": "h-a", "x2": "h-b"})
        w.check_problems({"a": "h-a", "b": "h-b", "c": "h-a"})  # a duplicate row beside its done twin is no move
        w.check_problems({"b": "h-b", "new": "h-new"})  # fewer problems (--limit) and new ones


def test_a_resume_with_another_dataset_is_named_and_each_problem_records_its_own(tmp_path, caplog):
    d = tmp_path / "run"
    with RunWriter(d, {"seed": 1}, info={"dataset": "first.jsonl"}) as w:
        w.write_problem("a", [], [], {})
    with caplog.at_level(logging.WARNING), RunWriter(d, {"seed": 1}, info={"dataset": "second.jsonl"}) as w:
        w.write_problem("b", [], [], {})
    assert "mined from first.jsonl, with problems from second.jsonl" in caplog.text
    assert json.loads((d / RUN).read_text())["dataset"] == "first.jsonl"
    assert [json.loads(x)["dataset"] for x in (d / PROBLEMS).read_text().splitlines()] == ["first.jsonl",
                                                                                          "second.jsonl"]


def test_a_resume_by_another_ptsfast_is_named(tmp_path, caplog):
    from ptsfast.outputs.rundir import ptsfast_build

    d = finished(tmp_path)
    assert json.loads((d / RUN).read_text())["ptsfast"] == ptsfast_build()
    with caplog.at_level(logging.WARNING), RunWriter(d, {"seed": 1}):
        pass
    assert "ptsfast" not in caplog.text
    info = json.loads((d / RUN).read_text())
    for old in ("0.0.1", None):
        info["ptsfast"] = old
        (d / RUN).write_text(json.dumps(info))
        caplog.clear()
        with caplog.at_level(logging.WARNING), RunWriter(d, {"seed": 1}):
            pass
        assert f"mined by ptsfast {old or '(version not recorded)'}, with ptsfast {ptsfast_build()}" in caplog.text
        assert len(caplog.records) == 1


def test_a_refusal_lists_at_most_five_settings(tmp_path):
    with RunWriter(tmp_path, {f"k{i}": i for i in range(40)}):
        pass
    with pytest.raises(RunDirError) as e:
        RunWriter(tmp_path, {f"k{i}": i + 1 for i in range(40)})
    assert str(e.value).count(" was ") == 5 and "and 35 more" in str(e.value)


def test_atomically_written_files_get_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "summary.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "summary.json").stat().st_mode) == 0o644


def test_a_run_json_that_cannot_be_written_leaves_no_temporary_file(tmp_path, monkeypatch):
    import errno

    from ptsfast.outputs import rundir

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rundir.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        RunWriter(tmp_path / "run", {"seed": 1})
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == []  # an empty run.json.tmp was left behind
    monkeypatch.undo()
    with RunWriter(tmp_path / "run", {"seed": 1}) as w:
        w.write_problem("a", [], [], {})
    assert json.loads((tmp_path / "run" / RUN).read_text())["config"] == {"seed": 1}


@pytest.mark.parametrize("name,overwrite", [(PIVOTS, False), ("summary.json", False), (".lock", False),
                                            (DONE, True), ("report.png", True)])
def test_a_folder_where_the_run_writes_is_one_error_naming_it_and_nothing_changes(tmp_path, name, overwrite):
    """It was a bare '[Errno 21] Is a directory' (summary.json's after the whole run, --overwrite's unlink halfway
    through discarding a run); a pipe there hung the run on opening it."""
    d = finished(tmp_path / "run")
    if (d / name).exists():
        (d / name).rename(d / "moved")
    (d / name).mkdir()
    (d / name / "keep.txt").write_text("mine")
    before = snapshot(d)
    with pytest.raises(RunDirError, match=rf"^{d / name} is a folder, where .*{name}; move it out of the run folder"):
        RunWriter(d, {"seed": 1}, overwrite=overwrite)
    assert snapshot(d) == before and (d / name / "keep.txt").read_text() == "mine"
    os.mkfifo(d / "fifo")
    (d / name / "keep.txt").unlink()
    (d / name).rmdir()
    (d / name).symlink_to(d / "fifo")
    with pytest.raises(RunDirError, match=rf"{d / name} is not a regular file \(a device, pipe or socket\)"):
        RunWriter(d, {"seed": 1}, overwrite=overwrite)
