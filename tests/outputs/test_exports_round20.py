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
