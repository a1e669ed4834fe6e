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


def _full_neighbours(monkeypatch):
    """The records as exports held them before: those beside the exported ones with every field, the exported
    ones' context ids as lists."""
    from ptsfast.outputs import export as exp
    from ptsfast.outputs import source as src
    from ptsfast.outputs.rundir import PAIRS, PIVOTS

    def records(source, path, schema):
        kept = []
        for r in src.read_records_file(path):
            try:
                src.check_record(r, schema, path)
            except ExportError:
                if source.run_dir is not None:
                    raise
                continue
            kept.append(r)
        return kept

    def pivots(source):
        path = (source.run_dir or source.file.parent) / PIVOTS
        if source.file.name == PIVOTS or not path.exists():
            return {}
        return {src.pivot_key(r): r for r in records(source, path, "pivots")}

    def pairs(source):
        path = (source.run_dir or source.file.parent) / PAIRS
        return {src.pivot_key(p): p for p in records(source, path, "mined_pairs")} if path.exists() else {}

    monkeypatch.setattr(exp, "pivots_by_key", pivots)
    monkeypatch.setattr(exp, "pairs_by_pivot", pairs)
    monkeypatch.setattr(exp, "read_records", lambda source, schema, packed=False: src.read_records(source, schema))


def _loose_copy(run, folder):
    """The run's records copied to a folder of their own, with one pivot's context ids another run's (same problem,
    trajectory and position): its pair is not its pivot's."""
    folder.mkdir()
    for name in ("pairs.jsonl", "problems.jsonl"):
        (folder / name).write_bytes((run / name).read_bytes())
    pivots = [json.loads(line) for line in (run / "pivots.jsonl").read_text(encoding="utf-8").splitlines()]
    pivots[0]["prefix_ids"] = pivots[0]["prefix_ids"][:-1] + [pivots[0]["prefix_ids"][-1] + 1]
    pivots[1]["confirmed"] = "refuted"
    (folder / "pivots.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pivots), encoding="utf-8")
    return folder / "pairs.jsonl"


@pytest.mark.parametrize("fmt, kind", [("trl", None), ("jsonl", "pairs"), ("jsonl", "pivots"), ("hf", "pairs"),
                                       ("pts", None)])
def test_records_held_as_digests_and_packed_ids_export_the_same_bytes(run, tmp_path, monkeypatch, fmt, kind):
    """A pair's export looks up each pair's pivot (its confirmation, p before and after) and the pts export each
    pivot's pair, comparing their context ids: the records looked up were held whole, every context id, which
    doubled a pairs export's memory. They are held with a digest of their ids now, and the trl and jsonl exports
    hold the context ids of the records they write packed (8 bytes an id): the same bytes are written, in a run
    folder and for a loose file whose folder holds another run's pivot at a pair's point."""
    loose = _loose_copy(run, tmp_path / "loose")
    for name, src in (("run", run), ("loose", loose if kind == "pairs" or fmt == "trl" else loose.parent /
                                               "pivots.jsonl")):
        new, old = tmp_path / f"{name}-new", tmp_path / f"{name}-old"
        assert export(src, new, fmt=fmt, kind=kind) > 0
        with monkeypatch.context() as m:
            _full_neighbours(m)
            export(src, old, fmt=fmt, kind=kind)
        if fmt == "hf":
            for f in sorted(os.listdir(old)):
                assert (new / f).read_bytes() == (old / f).read_bytes(), f
        else:
            assert new.read_bytes() == old.read_bytes()
    if fmt == "trl":
        recs = [json.loads(line) for line in (tmp_path / "loose-new").read_text(encoding="utf-8").splitlines()]
        assert sum(r["metadata"]["prob_delta"] is None for r in recs) == 1  # the pair whose pivot is another's


def _big_ids(folder):
    """The run's token ids moved above 100,000, as a real vocabulary's are (Python shares the ints below 257)."""
    for name in ("pivots.jsonl", "pairs.jsonl"):
        recs = [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]
        for r in recs:
            for k in ("prefix_ids", "prompt_ids", "chosen_ids", "rejected_ids"):
                if k in r:
                    r[k] = [x + 100_000 for x in r[k]]
            if "token_id" in r:
                r["token_id"] += 100_000
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt, kind, bound", [("trl", None, 0.42), ("jsonl", "pairs", 0.42), ("jsonl", "pivots", 0.6)])
def test_the_trl_and_jsonl_exports_hold_neither_pivots_nor_context_ids_whole(run, tmp_path, monkeypatch, fmt, kind,
                                                                             bound):
    """Measured on 1,000 pivots after ~2,100 tokens each (ids above 100,000), peak RSS above the loaded modules:
    trl 216 MB, jsonl pairs 194, jsonl pivots 97, pts 233, hf 325 - the records written, and for pairs their pivots
    (pts: its pivots' pairs) looked up beside them, every context id a Python int. Now 53, 31, 30, 150 and 229 MB:
    the records looked up are held with a digest of their ids, and the trl and jsonl exports hold the ids of the
    records they write packed. Here: Python's memory at the export's peak, the records held whole and now."""
    import tracemalloc

    from test_exports_round18 import _many_pivots_run

    many = _big_ids(_many_pivots_run(run, tmp_path / "many", problems=4, prompt_len=50, solution_len=600, per=10))
    peaks = {}
    for how in ("whole", "packed"):
        with monkeypatch.context() as m:
            if how == "whole":
                _full_neighbours(m)
            export(many, tmp_path / f"warm-{how}.jsonl", fmt=fmt, kind=kind)
            tracemalloc.start()
            try:
                assert export(many, tmp_path / f"{how}.jsonl", fmt=fmt, kind=kind) == 80
                peaks[how] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    assert (tmp_path / "whole.jsonl").read_bytes() == (tmp_path / "packed.jsonl").read_bytes()
    assert peaks["packed"] < bound * peaks["whole"], peaks  # 0.37, 0.31 and 0.52 measured


def _edited_copy(run, folder, name, edit):
    """A copy of ``run`` whose file ``name`` has its first record edited by ``edit`` (the line count kept)."""
    import shutil

    shutil.copytree(run, folder)
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    edit(rec)
    lines[0] = json.dumps(rec)
    (folder / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


def _swap_sides(rec):
    for a, b in (("chosen", "rejected"), ("chosen_ids", "rejected_ids"), ("p_chosen", "p_rejected"),
                 ("chosen_estimate", "rejected_estimate")):
        rec[a], rec[b] = rec[b], rec[a]
    rec["delta"] = -rec["delta"]


@pytest.mark.parametrize("fmt, edit", [
    ("trl", _swap_sides),
    ("jsonl", _swap_sides),
    ("hf", _swap_sides),
    ("pts", _swap_sides),
    ("trl", lambda r: (_swap_sides(r), r.update(direction={"raises": "lowers", "lowers": "raises"}[r["direction"]]))),
])
def test_a_pair_whose_sides_were_swapped_in_a_run_folder_is_refused_not_exported_the_other_way(run, tmp_path, fmt,
                                                                                               edit):
    """A pair of a run whose chosen and rejected sides were swapped by hand (text, ids and p) was exported as it
    stood: trained on, it teaches the opposite preference (PivotDPOTrainer feeds its ids, TRL its text), and the pts
    export took it for an undecided pivot's pair against its direction. Its pivot names the token the search kept on
    the pivot's side: a pair that disagrees is refused, naming it."""
    edited = _edited_copy(run, tmp_path / "run", "pairs.jsonl", edit)
    first = json.loads((edited / "pairs.jsonl").read_text(encoding="utf-8").splitlines()[0])
    with pytest.raises(ExportError) as e:
        export(edited, tmp_path / "out", fmt=fmt, kind="pairs" if fmt in ("jsonl", "hf") else None)
    msg = str(e.value)
    assert f"problem {first['problem_id']!r}" in msg and f"position {first['position']}" in msg, msg
    assert "swapped" in msg and "restore" in msg, msg
    assert not (tmp_path / "out").exists()


def test_a_pair_beside_a_loose_file_whose_pivot_is_another_runs_is_exported_without_its_confirmation(run, tmp_path):
    """Beside a loose pairs file, a folder of the user's, a pivot at the pair's point with another token is another
    run's: the pair is exported without a pivot (no confirmation, no Δp in the metadata), not refused."""
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "pairs.jsonl").write_bytes((run / "pairs.jsonl").read_bytes())
    pivots = [json.loads(line) for line in (run / "pivots.jsonl").read_text(encoding="utf-8").splitlines()]
    pivots[0]["token_id"] += 1
    (loose / "pivots.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pivots), encoding="utf-8")
    assert export(loose / "pairs.jsonl", tmp_path / "out.jsonl") == len(pivots)
    recs = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["metadata"]["prob_delta"] is None for r in recs] == [True] + [False] * (len(recs) - 1)
    assert "confirmed" not in recs[0] and all("confirmed" in r for r in recs[1:])


def _recheck(run_dir):
    from test_exports_round16 import _recheck as recheck

    return recheck(run_dir)


def _copied_over(run, folder, name):
    """A copy of ``run`` whose file ``name`` has its second record replaced by a copy of its first (the line count
    kept: the run's done markers count the lines)."""
    import shutil

    shutil.copytree(run, folder)
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    lines[1] = lines[0]
    (folder / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["pivots.jsonl", "pairs.jsonl"])
def test_a_record_copied_over_another_is_refused_by_the_exports_and_the_re_estimate(run, tmp_path, name):
    """A run's record copied by hand over another (the line count kept, so its done markers did not tell): the
    export trained on that pair twice and lost the other, the re-estimate reported the point twice. The search makes
    one pivot and one pair a point: a point held twice is refused, naming the file and both records."""
    edited = _copied_over(run, tmp_path / "run", name)
    first = json.loads((edited / name).read_text(encoding="utf-8").splitlines()[0])
    kind = "pairs" if name == "pairs.jsonl" else "pivots"
    with pytest.raises(ExportError) as e:
        export(edited, tmp_path / "out.jsonl", fmt="jsonl", kind=kind)
    msg = str(e.value)
    assert name in msg and "twice, records 1 and 2" in msg and f"position {first['position']}" in msg, msg
    with pytest.raises(ValueError, match=rf"{name} holds the (pivot|pair) of problem .* twice, records 1 and 2"):
        _recheck(edited)


def test_a_re_estimate_of_a_pair_swapped_and_turned_to_the_other_direction_is_refused(run, tmp_path):
    """A pair whose sides were swapped and its direction turned (chosen the alternative, the pivot's token rejected,
    'lowers' where its pivot raises p) passes the check of its ids against the solution's point: it was
    re-estimated and held to the other direction's rule. Its pivot's direction and token are compared now."""
    def turn(r):
        _swap_sides(r)
        r["direction"] = {"raises": "lowers", "lowers": "raises"}[r["direction"]]

    edited = _edited_copy(run, tmp_path / "run", "pairs.jsonl", turn)
    with pytest.raises(ValueError, match=r"pairs.jsonl: the pair of problem .* is not its pivot's.*its direction is"):
        _recheck(edited)


def test_a_record_appended_by_hand_is_not_called_a_problem_the_run_was_writing(run, tmp_path, caplog):
    """A copy of a run's record appended to its file lies after what its done markers committed: it is left out
    (the run's records are whole), but the warning called it 'a problem it was writing when it stopped' and said to
    resume the run to redo it, though its problem was done and a resume redoes nothing. It names the records added
    by hand now, and the problem."""
    import shutil

    shutil.copytree(run, tmp_path / "run")
    pairs = tmp_path / "run" / "pairs.jsonl"
    last = pairs.read_text(encoding="utf-8").splitlines()[-1]
    with open(pairs, "a", encoding="utf-8") as f:
        f.write(last + "\n")
    n = len(pairs.read_text(encoding="utf-8").splitlines()) - 1
    with caplog.at_level(logging.WARNING):
        assert export(tmp_path / "run", tmp_path / "out.jsonl") == n
    text = caplog.text
    assert "added by hand" in text and repr(json.loads(last)["problem_id"]) in text, text
    assert "resume the run" not in text and "was writing" not in text, text


def test_a_re_estimate_of_two_pairs_at_one_point_forces_each_ones_own_alternative(run, tmp_path):
    """Pairs written through the Python API (RunWriter) may give one pivot two alternatives, two pairs at one point:
    each pair's row forced the first pair's alternative (its own was never drawn), and a run's rows were matched to
    their pairs by a scan of every pair each. Each row forces its own pair's alternative now."""
    import shutil

    shutil.copytree(run, tmp_path / "run")
    pairs = tmp_path / "run" / "pairs.jsonl"
    lines = pairs.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    alt = "rejected_ids" if first["direction"] == "raises" else "chosen_ids"
    other = first | {alt: [first[alt][0] + 2]}
    lines.insert(1, json.dumps(other))
    pairs.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    done = tmp_path / "run" / "done.jsonl"  # the run's markers count one more line and its bytes
    marks = [json.loads(line) for line in done.read_text(encoding="utf-8").splitlines()]
    for m in marks:
        if m["lines"]["pairs.jsonl"] >= 1:
            m["lines"]["pairs.jsonl"] += 1
            if "sizes" in m:
                m["sizes"]["pairs.jsonl"] += len(lines[1]) + 1
    done.write_text("".join(json.dumps(m) + "\n" for m in marks), encoding="utf-8")
    rows = [r for r in _recheck(tmp_path / "run") if r.kind == "pair" and r.position == first["position"]
            and r.trajectory == first["trajectory"]]
    side = "rejected" if first["direction"] == "raises" else "chosen"
    assert sorted(r.points[side].forced for r in rows) == [(first[alt][0],), (first[alt][0] + 2,)], rows


def test_confirmed_only_on_a_run_whose_pivot_was_edited_says_to_restore_it_not_to_pass_the_run(run, tmp_path):
    """A run folder whose pivot record was edited (its context ids) leaves its pair without a pivot, and
    --confirmed-only is refused: the message said to 'pass the run folder `ptsfast mine` wrote', which was given.
    It names the edited pivots file and says to restore it now."""
    def edit(r):
        r["prefix_ids"] = r["prefix_ids"][:-1] + [r["prefix_ids"][-1] + 1]

    edited = _edited_copy(run, tmp_path / "run", "pivots.jsonl", edit)
    with pytest.raises(ExportError) as e:
        export(edited, tmp_path / "out.jsonl", confirmed_only=True)
    msg = str(e.value)
    assert "1 of" in msg and "pivots.jsonl" in msg and "restore it" in msg and "pass the run folder" not in msg, msg
