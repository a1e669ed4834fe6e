"""Exports of round 20: pairs edited by hand in their text alone, and what a re-estimate compares."""

import json

import pytest
from test_exports_round19 import _edited_copy, _recheck
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.export import export
from ptsfast.outputs.source import ExportError


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round20") / "run"
    mine_tiny_pivot_run(out)
    return out


def _swap_text(rec):
    rec["chosen"], rec["rejected"] = rec["rejected"], rec["chosen"]


@pytest.mark.parametrize("fmt, keep_fields", [("trl", True), ("trl", False), ("jsonl", True), ("pts", True)])
def test_a_pair_whose_text_alone_was_swapped_in_a_run_folder_is_refused(run, tmp_path, fmt, keep_fields):
    """A pair whose chosen and rejected text were swapped by hand, its ids left as they were, passed the check of its
    ids against its pivot: TRL's data path (and the text-only export) reads the text, and trained the opposite
    preference. Its pivot's token text is its own side's text: a pair whose text disagrees is refused, naming it."""
    first = json.loads((run / "pairs.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["chosen"] != first["rejected"]
    edited = _edited_copy(run, tmp_path / "run", "pairs.jsonl", _swap_text)
    with pytest.raises(ExportError) as e:
        export(edited, tmp_path / "out", fmt=fmt, kind="pairs" if fmt == "jsonl" else None, keep_fields=keep_fields)
    msg = str(e.value)
    assert f"problem {first['problem_id']!r}" in msg and f"position {first['position']}" in msg, msg
    assert "text" in msg and "restore" in msg, msg
    assert not (tmp_path / "out").exists()


def test_a_re_estimate_of_a_pair_whose_text_alone_was_swapped_is_refused(run, tmp_path):
    edited = _edited_copy(run, tmp_path / "run", "pairs.jsonl", _swap_text)
    with pytest.raises(ValueError, match=r"pairs.jsonl: the pair of problem .* is not its pivot's.*text"):
        _recheck(edited)


def test_the_untouched_run_still_exports_and_re_estimates(run, tmp_path):
    n = sum(1 for _ in (run / "pairs.jsonl").open(encoding="utf-8"))
    assert export(run, tmp_path / "out.jsonl") == n
    assert export(run, tmp_path / "text.jsonl", keep_fields=False) <= n
    _recheck(run)


@pytest.mark.parametrize("name", ["pivots.jsonl", "pairs.jsonl"])
def test_a_re_estimate_of_records_merged_from_two_runs_sampled_otherwise_is_refused(run, tmp_path, name):
    """A re-estimate compared its options with the first record's sampler alone: records merged by hand from a run
    sampled at another temperature were re-estimated at this one's, as if they were its. A resume with another
    sampler is refused, so two samplers in a run are refused, naming both."""
    def other_run(rec):
        rec["sampler"] = {**rec["sampler"], "temperature": rec["sampler"]["temperature"] / 2}

    edited = _edited_copy(run, tmp_path / "run", name, other_run)
    with pytest.raises(ValueError, match=r"sampled two ways \(temperature .* or .*\).* merged by hand"):
        _recheck(edited)


def _with_unit(rec):
    rec["answer_unit"] = "km"


@pytest.mark.parametrize("fmt", ["trl", "pts"])
def test_an_export_carries_the_unit_its_problems_reference_was_written_with(run, tmp_path, fmt):
    """A reference written "180 km" loads as 180, its unit kept beside it (answer_unit), and the answer oracles fail
    "180 m" by it. The exports wrote the answer alone: a record re-judged from its export passed "180 m". Where the
    problem's line holds the unit, every record of that problem carries it, and the others none."""
    edited = _edited_copy(run, tmp_path / "run", "problems.jsonl", _with_unit)
    pid = json.loads((edited / "problems.jsonl").read_text(encoding="utf-8").splitlines()[0])["problem_id"]
    out = tmp_path / "out"
    export(edited, out, fmt=fmt)
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["problem_id"] for r in recs} - {pid}, "the run's first problem holds all its records"
    for r in recs:
        assert r.get("answer_unit") == ("km" if r["problem_id"] == pid else None), r


def test_a_re_estimate_with_problems_whose_unit_is_not_the_runs_is_refused(run, tmp_path):
    """The run's problems.jsonl names the unit its reference was written with; problems given to a re-estimate
    without it (loaded by a release that read "180 km" as 180 alone) judged "180 m" right, as if it were the run's
    judgement. The unit is compared as the tests and choices are."""
    edited = _edited_copy(run, tmp_path / "run", "problems.jsonl", _with_unit)
    with pytest.raises(ValueError, match=r"its answer_unit .* not the run's"):
        _recheck(edited)
