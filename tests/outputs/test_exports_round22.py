"""Exports of round 22: records of two runs merged by hand (another sampler, oracle or seed), damaged and byte-counting
done markers, and the run folder's words for Python API callers."""

import contextlib
import json

import pytest
from test_exports_round19 import _edited_copy
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.export import export
from ptsfast.outputs.source import ExportError


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round22") / "run"
    mine_tiny_pivot_run(out)
    return out


def _sampled(**changed):
    return lambda r: r.update(sampler={**r["sampler"], **changed})


@pytest.mark.parametrize("fmt, kind, name", [("trl", None, "pairs.jsonl"), ("jsonl", "pivots", "pivots.jsonl"),
                                             ("hf", "pairs", "pairs.jsonl"), ("pts", None, "pivots.jsonl")])
def test_an_export_of_records_of_two_runs_sampled_two_ways_is_refused(run, tmp_path, fmt, kind, name):
    """A run's records merged by hand with another run's, sampled with another top-k, were each exported under this
    run's run_id without a word (a resume with another sampler is refused, so a run holds one): the export named
    the other run's records as this one's, and its write rule took them for this run's."""
    edited = _edited_copy(run, tmp_path / "run", name, _sampled(top_k=5))
    with pytest.raises(ExportError, match=r"made two ways \(top_k (5 or 0|0 or 5); .*merged by hand"):
        export(edited, tmp_path / "out", fmt=fmt, kind=kind)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("edit, said", [
    (lambda r: r.update(oracle="boxed"), r"oracle '(boxed|callable:first_of_w7_w9)'"),
    (lambda r: r.update(seed=7), r"seed (7 or 0|0 or 7)")])
def test_an_export_of_records_of_two_runs_judged_or_seeded_two_ways_is_refused(run, tmp_path, edit, said):
    """The same for records of a run judged by another oracle, or mined with another seed (a resume refuses both)."""
    edited = _edited_copy(run, tmp_path / "run", "pivots.jsonl", edit)
    with pytest.raises(ExportError, match=rf"made two ways \({said}.*merged by hand"):
        export(edited, tmp_path / "out.jsonl", fmt="jsonl", kind="pivots")


@pytest.mark.parametrize("fmt, kind, name", [("trl", None, "pivots.jsonl"), ("hf", "pairs", "pivots.jsonl"),
                                             ("pts", None, "pairs.jsonl")])
def test_an_export_of_one_runs_file_beside_anothers_sampled_otherwise_is_refused(run, tmp_path, fmt, kind, name):
    """Every record of one file sampled otherwise than the other file's (a pairs.jsonl copied beside another run's
    pivots.jsonl, each file of one sampler): the pairs export reads their pivots' confirmation, the pts export its
    pivots' pairs, from the other run, all under this run's run_id."""
    import shutil

    shutil.copytree(run, tmp_path / "run")
    path = tmp_path / "run" / name
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for r in recs:
        _sampled(temperature=0.7)(r)
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    with pytest.raises(ExportError, match=r"made two ways \(temperature (0.7 or 1.0|1.0 or 0.7); .*merged by hand"):
        export(tmp_path / "run", tmp_path / "out", fmt=fmt, kind=kind)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("changed", [{"top_k": -1}, {"temperature": 1}])
def test_an_export_takes_a_top_k_off_of_minus_one_and_a_temperature_of_1_for_one_sampler(run, tmp_path, changed):
    """An earlier ptsfast recorded a top-k turned off as -1 (now 0), and the Python API a temperature of 1 (the
    command line 1.0): a run resumed since holds both, one sampler, and is exported."""
    edited = _edited_copy(run, tmp_path / "run", "pivots.jsonl", _sampled(**changed))
    assert export(edited, tmp_path / "out.jsonl", fmt="jsonl", kind="pivots") > 0
    recs = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({r["run_id"] for r in recs}) == 1


# ----------------------------------------------------------------------------- the run folder's words for its caller

def test_a_run_folder_refusal_names_the_python_apis_arguments_for_its_callers(tmp_path):
    """A resume refused for another setting said '(--out DIR-2), or pass --overwrite' to a Python API caller, who
    wrote out_dir= and overwrite=True: within named_by(python=True) the message names those; the command line (and
    a caller that said nothing) keeps its flags, and the first to say wins (the command line calls the API)."""
    from ptsfast.outputs.rundir import RunDirError, RunWriter, check_resume, named_by

    folder = tmp_path / "run"
    RunWriter(folder, {"seed": 1}).close()
    with named_by(python=True), pytest.raises(RunDirError) as e:
        check_resume(folder, {"seed": 2})
    said = str(e.value)
    assert f"(out_dir={str(tmp_path / 'run-2')!r})" in said and "pass overwrite=True" in said, said
    assert "--out" not in said and "--overwrite" not in said, said
    for said_first in (True, False):
        with contextlib.ExitStack() as stack:
            if said_first:
                stack.enter_context(named_by(python=False))
            with named_by(python=True) if said_first else contextlib.nullcontext(), pytest.raises(RunDirError) as e:
                check_resume(folder, {"seed": 2})
        assert f"(--out {tmp_path / 'run-2'})" in str(e.value) and "pass --overwrite" in str(e.value), e.value


def test_an_export_takes_the_boxed_oracle_under_its_two_names_for_one(run, tmp_path):
    """'math' is the boxed oracle's other name: records naming it either way were judged alike, one run."""
    import shutil

    shutil.copytree(run, tmp_path / "run")
    path = tmp_path / "run" / "pivots.jsonl"
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for n, r in enumerate(recs):
        r["oracle"] = "math" if n == 0 else "boxed"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    info["config"]["oracle"] = "math"  # as the records say (run.json's is compared with them too)
    (tmp_path / "run" / "run.json").write_text(json.dumps(info), encoding="utf-8")
    assert export(tmp_path / "run", tmp_path / "out.jsonl", fmt="jsonl", kind="pivots") == len(recs)


# ----------------------------------------------------------------------------- a damaged done marker

@pytest.mark.parametrize("fmt, kind", [("jsonl", "pivots"), ("trl", None), ("pts", None)])
@pytest.mark.parametrize("line", ["{garbage\n", "[]\n"])
def test_an_export_of_a_run_whose_done_marker_is_damaged_is_refused(run, tmp_path, fmt, kind, line):
    """A done.jsonl with a complete line that is no marker (damaged, edited by hand) was read as counting no line:
    every record of the files was exported, those of a problem the run was still writing (after its last marker,
    which a resume truncates and mines again) too, without a word. A resume refuses such a file, so does the
    export, naming the line."""
    import shutil

    shutil.copytree(run, tmp_path / "run")
    done = tmp_path / "run" / "done.jsonl"
    lines = done.read_text(encoding="utf-8").splitlines(True)
    done.write_text(line + "".join(lines[1:]), encoding="utf-8")
    pivots = tmp_path / "run" / "pivots.jsonl"
    half = json.loads(pivots.read_text(encoding="utf-8").splitlines()[0]) | {"problem_id": "being-written"}
    with open(pivots, "a", encoding="utf-8") as f:
        f.write(json.dumps(half) + "\n")
    with pytest.raises(ExportError, match=r"done.jsonl line 1 is no done marker .*restore the file"):
        export(tmp_path / "run", tmp_path / "out.jsonl", fmt=fmt, kind=kind)
    assert not (tmp_path / "out.jsonl").exists()


def test_an_export_of_a_run_whose_last_marker_is_being_written_reads_the_markers_before_it(run, tmp_path):
    """A marker without its newline is one being written (or torn by a crash): not a damaged one."""
    import shutil

    shutil.copytree(run, tmp_path / "run")
    done = tmp_path / "run" / "done.jsonl"
    with open(done, "a", encoding="utf-8") as f:
        f.write('{"problem_id": "p9", "li')
    assert export(tmp_path / "run", tmp_path / "out.jsonl", fmt="jsonl", kind="pivots") > 0


def _markers_of_bytes_alone(folder):
    """done.jsonl as an earlier ptsfast wrote it: each marker counts its files' bytes, not their lines."""
    done = folder / "done.jsonl"
    marks = [json.loads(line) for line in done.read_text(encoding="utf-8").splitlines()]
    done.write_text("".join(json.dumps({k: v for k, v in m.items() if k != "lines"}) + "\n" for m in marks),
                    encoding="utf-8")


@pytest.mark.parametrize("fmt, kind, name", [("jsonl", "pivots", "pivots.jsonl"), ("trl", None, "pairs.jsonl"),
                                             ("pts", None, "pivots.jsonl")])
def test_an_export_of_a_run_of_byte_counting_markers_leaves_out_a_problem_being_written(run, tmp_path, fmt, kind,
                                                                                         name):
    """A run whose markers count bytes alone (an earlier ptsfast's), stopped while it wrote a problem, had that
    problem's records (which a resume truncates and mines again) exported as finished: its markers were read as
    counting nothing. The bytes they count are the records committed."""
    import shutil

    shutil.copytree(run, tmp_path / "run")
    _markers_of_bytes_alone(tmp_path / "run")
    path = tmp_path / "run" / name
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    whole = export(tmp_path / "run", tmp_path / "whole.jsonl", fmt=fmt, kind=kind)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(first | {"problem_id": "being-written", "trajectory": "being-written#0"}) + "\n")
    assert export(tmp_path / "run", tmp_path / "out.jsonl", fmt=fmt, kind=kind) == whole
    assert "being-written" not in (tmp_path / "out.jsonl").read_text(encoding="utf-8")


def test_an_export_of_a_cut_file_of_byte_counting_markers_says_so_and_keeps_what_is_left(run, tmp_path, caplog):
    import shutil

    shutil.copytree(run, tmp_path / "run")
    _markers_of_bytes_alone(tmp_path / "run")
    path = tmp_path / "run" / "pivots.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    assert export(tmp_path / "run", tmp_path / "out.jsonl", fmt="jsonl", kind="pivots") == len(lines) - 1
    assert "is shorter" in caplog.text and "cut or edited" in caplog.text, caplog.text


def test_a_thought_anchors_export_of_sentences_of_two_runs_sampled_two_ways_is_refused(tmp_path):
    """The thought_anchors export names each sentence as its run's too: sentences merged by hand from a run sampled
    with another top-k were exported under this run's run_id."""
    from tiny_models import tiny_anchors_run

    run = tiny_anchors_run(tmp_path / "made")
    assert export(run, tmp_path / "one.jsonl", fmt="thought_anchors", kind="sentences") > 0
    import shutil

    edited = tmp_path / "run"
    shutil.copytree(run, edited)
    first = json.loads((edited / "sentences.jsonl").read_text(encoding="utf-8").splitlines()[0])
    other = first | {"problem_id": "b0", "trajectory": "b0#0"}
    _sampled(top_k=5)(other)
    text = "".join(json.dumps(r) + "\n" for r in (first, other))
    (edited / "sentences.jsonl").write_text(text, encoding="utf-8")
    done = edited / "done.jsonl"
    marks = [json.loads(line) for line in done.read_text(encoding="utf-8").splitlines()]
    marks[-1]["lines"]["sentences.jsonl"], marks[-1]["sizes"]["sentences.jsonl"] = 2, len(text.encode())
    done.write_text("".join(json.dumps(m) + "\n" for m in marks), encoding="utf-8")
    with pytest.raises(ExportError, match=r"made two ways \(top_k (5 or 0|0 or 5); .*merged by hand"):
        export(edited, tmp_path / "out.jsonl", fmt="thought_anchors", kind="sentences")
