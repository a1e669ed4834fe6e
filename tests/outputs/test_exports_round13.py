"""Exports of round 13: odd runs in the report, steering records' exactness, resumed and filtered exports."""

import importlib.util
import json
import re
import shutil

import pytest
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.report import write_report


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round13") / "run"
    mine_tiny_pivot_run(out)
    return out


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_reports_pivot_count_leaves_out_pivots_of_trajectories_its_problems_file_lost(run, tmp_path, caplog):
    """A run whose problems.jsonl lost its last line (a copy cut short) has pivots with no solution to show them
    on: the page's header counted them among the pivots it shows ('2 problems, 4 trajectories, 9 pivots', of
    which the page boxed 6)."""
    cut = tmp_path / "cut"
    shutil.copytree(run, cut)
    lines = (cut / "problems.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lost = json.loads(lines[-1])["problem_id"]
    (cut / "problems.jsonl").write_text("".join(lines[:-1]), encoding="utf-8")
    pivots = [p for p in records(cut / "pivots.jsonl") if p.get("confirmed") not in ("refuted", False)]
    kept = sum(str(p["problem_id"]) != str(lost) for p in pivots)
    assert kept < len(pivots), "the run's last problem has pivots"
    page, _ = write_report(cut, tmp_path / "report.html")
    text = page.read_text(encoding="utf-8")
    head = re.search(r"(\d+) problems, (\d+) trajectories, (\d+) pivots(.*?)\. Tokens", text)
    assert head and int(head.group(3)) == kept, head and head.group(0)
    assert f"{len(pivots) - kept} more of trajectories missing from problems.jsonl" in head.group(4)
    assert text.count("class='t pv ") == kept
    assert "belong to trajectories that" in caplog.text


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "older-run"])
def test_a_steering_record_says_whether_its_context_and_token_text_are_what_was_mined(tmp_path, recorded):
    """A steering record carries codelion's pivot_context and pivot_token, which optillm's steering matches in the
    text it generates: a pivot at the first byte of "é" has pivot_token U+FFFD, a text the model never wrote. The
    pts record of it says pivot_token_exact false; the steering record of the same pivot said nothing."""
    from test_exports_round12 import half_character_run
    from tiny_models import tiny_model

    from ptsfast.outputs.export import export

    tok = half_character_run(tmp_path / "run", recorded)
    model = tiny_model("llama", vocab_size=len(tok))
    pts, steering = tmp_path / "pts.jsonl", tmp_path / "steering.jsonl"
    assert export(tmp_path / "run", pts, fmt="pts", model=(model, tok)) == 2
    assert export(tmp_path / "run", steering, fmt="steering", model=(model, tok), layer=0) == 2
    for a, b in zip(records(pts), records(steering)):
        assert b["pivot_token"] == a["pivot_token"]
        assert (b["pivot_context_exact"], b["pivot_token_exact"]) == (a["pivot_context_exact"], a["pivot_token_exact"])
    assert [r["pivot_token_exact"] for r in records(steering)] == [True, False]


def edited_copy(run, tmp_path, name, line, edit):
    """A copy of ``run`` whose ``name`` line ``line`` (0-based) is changed by ``edit``, as another tool writes it."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    lines = (edited / name).read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[line])
    edit(rec)
    lines[line] = json.dumps(rec) + "\n"
    (edited / name).write_text("".join(lines), encoding="utf-8")
    return edited, rec


@pytest.mark.parametrize("name, kind, edit, field", [
    ("pairs.jsonl", "pairs", lambda r: r.update(seed="x"), "seed"),  # ArrowTypeError: Expected bytes, got a 'int'
    ("pairs.jsonl", "pairs", lambda r: r.update(prompt_len=[]), "prompt_len"),  # cannot mix list and non-list
    ("pairs.jsonl", "pairs", lambda r: r["sampler"].update(temperature="1.0"), "sampler.temperature"),
    ("pivots.jsonl", "pivots", lambda r: r.update(think_open="false"), "think_open"),
])
def test_an_hf_export_of_a_record_rewritten_with_another_type_names_the_field(run, tmp_path, name, kind, edit,
                                                                            field):
    """The hf format writes Arrow, one type a column: a field another tool rewrote in one record (a seed "x", a
    temperature "1.0") ended the export in pyarrow's ArrowTypeError or ArrowInvalid, naming no file, field or
    record."""
    from ptsfast.outputs.export import export
    from ptsfast.outputs.source import ExportError

    edited, rec = edited_copy(run, tmp_path, name, 0, edit)
    out = tmp_path / "hf"
    with pytest.raises(ExportError) as e:
        export(edited, out, fmt="hf", kind=kind)
    msg = str(e.value)
    assert name in msg and f"the field {field} holds" in msg and repr(rec["problem_id"]) in msg, msg
    assert not out.exists()
    assert export(run, out, fmt="hf", kind=kind) > 0


def drop(rec, *path):
    """``rec`` with the field at ``path`` (keys and list indices) deleted."""
    for k in path[:-1]:
        rec = rec[k]
    del rec[path[-1]]


def set_null(rec, *path):
    for k in path[:-1]:
        rec = rec[k]
    rec[path[-1]] = None


@pytest.mark.parametrize("name, edit", [
    ("pivots.jsonl", lambda r: set_null(r, "before", "lo")),  # unsupported format string passed to NoneType
    ("pivots.jsonl", lambda r: set_null(r, "after", "hi")),
    ("pivots.jsonl", lambda r: drop(r, "p_after")),  # KeyError: 'p_after'
    ("problems.jsonl", lambda r: set_null(r, "trajectories", 0, "p0", "hi")),
])
def test_a_report_of_an_estimate_whose_interval_or_p_after_another_tool_left_unknown(run, tmp_path, name, edit):
    """The records allow an estimate's lo or hi to be null (unknown: check_record takes it), and the report reads
    a pivot without its p_after: the page ended in a TypeError or KeyError traceback. It shows p without the
    interval, and the pivot's line without its marker."""
    edited, rec = edited_copy(run, tmp_path, name, 0, edit)
    page, _ = write_report(edited, tmp_path / "report.html")
    text = page.read_text(encoding="utf-8")
    assert f"{rec['problem_id']} &middot; trajectory" in text


def put(rec, path, value):
    for k in path[:-1]:
        rec = rec[k]
    rec[path[-1]] = value


@pytest.mark.parametrize("path, value, shown", [
    (("trajectories",), "x", "trajectories 'x'"),  # AttributeError: 'str' object has no attribute 'get'
    (("trajectories", 0, "estimates"), 5, "trajectories[0].estimates 5"),  # 'int' object is not iterable
    (("trajectories", 0, "estimates", 0, "position"), "8", "trajectories[0].estimates"),  # '<' not supported
    (("trajectories", 0, "estimates", 0, "p"), "0.3", "trajectories[0].estimates"),  # unsupported operand
    (("trajectories", 0, "p0"), 0.5, "trajectories[0].p0 0.5"),  # 'float' object has no attribute 'get'
    (("trajectories", 0, "p0", "hi"), [], "trajectories[0].p0"),  # unsupported format string passed to list
])
def test_a_report_of_a_problem_rewritten_with_a_field_of_another_type_names_it(run, tmp_path, capsys, path, value,
                                                                             shown):
    """The report read a problems.jsonl trajectory's estimates, p0 and tokens as ptsfast writes them: a record
    another tool rewrote ended the page in a TypeError or AttributeError traceback naming no file or problem."""
    from cli_errors import one_line_error

    from ptsfast.cli import main as cli

    edited, rec = edited_copy(run, tmp_path, "problems.jsonl", 0, lambda r: put(r, path, value))
    out = tmp_path / "report.html"
    assert cli(["report", "--run", str(edited), "--out", str(out)]) == 2
    one_line_error(capsys, "problems.jsonl", repr(rec["problem_id"]), shown, "another tool rewrote")
    assert not out.exists()


def test_a_report_of_a_pivot_whose_trajectory_key_another_tool_wrote_as_an_object(run, tmp_path):
    """A trajectory key is matched as JSON text: one rewritten as an object ended the page in 'unhashable type:
    dict'; that pivot now matches no trajectory, and is counted apart."""
    edited, _ = edited_copy(run, tmp_path, "pivots.jsonl", 0, lambda r: r.update(trajectory={}))
    page, _ = write_report(edited, tmp_path / "report.html")
    assert "1 more of trajectories missing from problems.jsonl" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("field, value, shown", [
    ("position", "8", "has position '8', not a position"),  # ArrowInvalid: Could not convert '8' with type str
    ("delta", "0.3", "has delta '0.3', not a number"),
    ("chosen_ids", "x", "has chosen_ids 'x', not a non-empty list"),  # cannot mix list and non-list
    ("model", 5, "the field model holds a text"),  # ArrowTypeError: Expected bytes, got a 'int' object
])
def test_load_pairs_of_a_pair_another_tool_rewrote_names_it(run, tmp_path, field, value, shown):
    """load_pairs built its datasets.Dataset from the records as they were: a pair saved back by another tool (a
    position "8", a model 5) ended in pyarrow's ArrowInvalid or ArrowTypeError naming no file, pair or field."""
    pytest.importorskip("trl")
    from ptsfast.outputs.dpo import load_pairs

    edited, rec = edited_copy(run, tmp_path, "pairs.jsonl", 1, lambda r: r.update({field: value}))
    for where in (edited, edited / "pairs.jsonl"):
        with pytest.raises(ValueError) as e:
            load_pairs(where)
        msg = str(e.value)
        assert "pairs.jsonl" in msg and shown in msg and "another tool rewrote" in msg, msg
    assert len(load_pairs(run)) == len(records(run / "pairs.jsonl"))


@pytest.fixture(scope="module")
def anchors(tmp_path_factory):
    from tiny_models import tiny_anchors_run

    return tiny_anchors_run(tmp_path_factory.mktemp("round13a") / "run", answer="w7")


@pytest.mark.parametrize("edit", [
    lambda r: r.update(p_with={}),  # KeyError: 'p'
    lambda r: r["p_resampled"].pop("p"),
    lambda r: (r["p_different"].pop("p"), r["p_different"].update(trials=4)),
], ids=["p_with-empty", "p_resampled-without-p", "p_different-without-p"])
def test_a_sentence_whose_estimate_lost_its_p_is_left_out_of_the_thought_anchors_export(anchors, tmp_path, caplog,
                                                                                         edit):
    """An estimate another tool wrote without its p (an empty object, check_record takes it: p unknown) ended the
    thought_anchors export in KeyError: 'p'. It measured nothing known, as a p written null: left out, said."""
    from ptsfast.outputs.export import export

    edited, _ = edited_copy(anchors, tmp_path, "sentences.jsonl", 0, edit)
    out = tmp_path / "ta.jsonl"
    assert export(edited, out, fmt="thought_anchors", kind="sentences") == len(records(anchors / "sentences.jsonl")) - 1
    assert "left out 1 of" in caplog.text


def test_a_sentence_whose_alternatives_another_tool_rewrote_is_named(anchors, tmp_path, capsys):
    """A sentence's alternatives written as a number ended the thought_anchors export in TypeError: 'int' object is
    not iterable."""
    from cli_errors import one_line_error

    from ptsfast.cli import main as cli

    edited, rec = edited_copy(anchors, tmp_path, "sentences.jsonl", 0, lambda r: r.update(alternatives=5))
    out = tmp_path / "ta.jsonl"
    assert cli(["export", "--run", str(edited), "--format", "thought_anchors", "--out", str(out)]) == 2
    one_line_error(capsys, "sentences.jsonl", "has alternatives 5", repr(rec["problem_id"]), "another tool rewrote")
    assert not out.exists()


@pytest.mark.parametrize("fmt, which", [("thought_anchors", "anchors"), ("pts", "run"), ("trl", "run")])
@pytest.mark.parametrize("value", ["x", 5])
def test_an_export_of_a_problem_whose_trajectories_another_tool_rewrote_names_it(run, anchors, tmp_path, capsys,
                                                                                 fmt, which, value):
    """The exports read problems.jsonl for each record's question, answer and trace: its trajectories rewritten as
    a text or a number ended the thought_anchors export in AttributeError: 'str' object has no attribute 'get'
    (TypeError: 'int' object is not iterable), and the pts and trl exports wrote their records as if it were
    whole."""
    from cli_errors import one_line_error

    from ptsfast.cli import main as cli

    src = anchors if which == "anchors" else run
    edited, rec = edited_copy(src, tmp_path, "problems.jsonl", 0, lambda r: r.update(trajectories=value))
    out = tmp_path / "out.jsonl"
    kind = ["--kind", "sentences"] if fmt == "thought_anchors" else []
    assert cli(["export", "--run", str(edited), "--format", fmt, "--out", str(out), *kind]) == 2
    one_line_error(capsys, "problems.jsonl", f"has trajectories {value!r}", repr(rec["problem_id"]),
                   "another tool rewrote")
    assert not out.exists()


def test_the_python_api_refuses_a_run_an_interrupted_overwrite_was_discarding(run, tmp_path):
    """`ptsfast export` and `ptsfast report` refuse a run whose run.json says an --overwrite was discarding it (half
    deleted, no run); export(), write_report() and load_pairs() read what was left of it as the run."""
    from ptsfast.outputs.export import export

    half = tmp_path / "half"
    shutil.copytree(run, half)
    info = json.loads((half / "run.json").read_text(encoding="utf-8"))
    (half / "run.json").write_text(json.dumps({**info, "discarding": True}), encoding="utf-8")
    calls = [lambda: export(half, tmp_path / "pairs.jsonl"), lambda: export(half, tmp_path / "p.jsonl", fmt="pts"),
             lambda: write_report(half, tmp_path / "report.html")]
    if importlib.util.find_spec("trl") is not None:
        from ptsfast.outputs.dpo import load_pairs

        calls.append(lambda: load_pairs(half))
    for call in calls:
        with pytest.raises(ValueError, match="an --overwrite was discarding this run"):
            call()
    assert not [p for p in tmp_path.iterdir() if p.name != "half"]


@pytest.mark.parametrize("edit", [
    lambda r: r.update(counterfactual_importance=0.3, counterfactual_lo=0.1, counterfactual_hi=None),
    lambda r: r.pop("index"),  # KeyError: 'index'
], ids=["one-end-unknown", "no-index"])
def test_a_report_of_an_anchors_sentence_with_an_interval_end_unknown_or_no_index(anchors, tmp_path, edit):
    """An anchors run's sentence with counterfactual_lo known and counterfactual_hi null (another tool's record)
    ended the page in 'unsupported format string passed to NoneType'; one without its index in KeyError. The
    interval is shown only with both ends, and a sentence without its index by its place."""
    edited, _ = edited_copy(anchors, tmp_path, "problems.jsonl", 0,
                            lambda r: edit(r["trajectories"][0]["sentences"][0]))
    page, _ = write_report(edited, tmp_path / "report.html")
    assert "<th>counterfactual importance</th>" in page.read_text(encoding="utf-8")


def test_write_report_never_replaces_the_runs_lock_file(run, tmp_path):
    """``write_report(run, run/.lock)`` from Python: the page would replace the lock file a mine running there holds
    (a second mine could then take the new one); only the command line refused it."""
    copy = shutil.copytree(run, tmp_path / "run")
    (copy / ".lock").write_text("")
    inode = (copy / ".lock").stat().st_ino
    with pytest.raises(ValueError, match="the run's lock file"):
        write_report(copy, copy / ".lock")
    assert (copy / ".lock").stat().st_ino == inode and not (copy / ".lock.png").exists()


def test_a_report_of_a_run_of_a_newer_format_is_refused(run, tmp_path):
    """Exports and resumes refused a run.json of a newer format; the report read its records as this format's."""
    copy = shutil.copytree(run, tmp_path / "run")
    info = json.loads((copy / "run.json").read_text())
    (copy / "run.json").write_text(json.dumps({**info, "format_version": 7}))
    with pytest.raises(ValueError, match="run format 7.*knows format 1 at most - report it with that ptsfast"):
        write_report(copy, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()
