"""Exports of round 11: records another tool rewrote as ptsfast's own errors advise, the Python API given the wrong
kind of argument, and tokens that are part of a character."""

import json
import logging
import shutil

import pytest
from cli_errors import one_line_error
from tiny_models import mine_tiny_pivot_run, tiny_pivot_model, tiny_tokenizer

from ptsfast.cli import main as cli
from ptsfast.outputs.export import export


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round11") / "run"
    mine_tiny_pivot_run(out)
    return out


def edited_copy(run, tmp_path, line, **fields):
    """A copy of ``run`` whose pivots.jsonl line ``line`` (0-based) has ``fields`` set, as another tool writes it."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    lines = (edited / "pivots.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[line])
    rec.update(fields)
    lines[line] = json.dumps(rec) + "\n"
    (edited / "pivots.jsonl").write_text("".join(lines), encoding="utf-8")
    return edited, rec


def codelion_filter(records, min_prob_delta):
    """codelion/pts TokenStorage.filter's test of a record's Δp (``abs(token.get('prob_delta', 0))``)."""
    return [r for r in records if abs(r.get("prob_delta", 0)) >= min_prob_delta]


def test_a_pivot_whose_p_was_written_null_is_left_out_of_the_codelion_exports_not_a_traceback(run, tmp_path, caplog):
    """An unknown p is null in ptsfast's records (the NaN refusal says to write null there). The pts and steering
    exports computed prob_delta as p_after - p_before: a pivot with a null p ended them in 'unsupported operand
    type(s) for -: NoneType and float', naming neither the file nor the pivot; a null prob_delta written instead
    would end codelion's own filter (abs(None)). Such a pivot measured nothing: it is left out, said once."""
    edited, rec = edited_copy(run, tmp_path, 1, p_after=None, delta=None)
    n_pivots = len((run / "pivots.jsonl").read_text(encoding="utf-8").splitlines())
    out = tmp_path / "pivotal_tokens.jsonl"
    with caplog.at_level(logging.WARNING):
        assert cli(["export", "--run", str(edited), "--format", "pts", "--out", str(out)]) == 0
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == n_pivots - 1
    assert (rec["problem_id"], rec["position"]) not in {(r["problem_id"], r["position"]) for r in recs}
    assert all(isinstance(r[k], float) for r in recs for k in ("prob_before", "prob_after", "prob_delta"))
    assert codelion_filter(recs, 0.0) == recs
    assert any("left out 1 of" in m and "p_after" in m for m in caplog.messages), caplog.messages
    steering = tmp_path / "steering.jsonl"
    n = export(edited, steering, fmt="steering", model=(tiny_pivot_model(), tiny_tokenizer()), layer=0)
    assert n == n_pivots - 1


def test_a_pivot_whose_p_is_no_number_is_named_with_its_file(run, tmp_path, capsys):
    """A p rewritten as a string ("0.5", as a spreadsheet saves it) ended the pts export in a TypeError traceback."""
    edited, rec = edited_copy(run, tmp_path, 0, p_before="0.5")
    out = tmp_path / "pivotal_tokens.jsonl"
    assert cli(["export", "--run", str(edited), "--format", "pts", "--out", str(out)]) == 2
    one_line_error(capsys, "pivots.jsonl", "p_before", "'0.5'", repr(rec["problem_id"]), "not a number")
    assert not out.exists()
