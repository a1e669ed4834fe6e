"""Exports of round 21: re-estimates of records merged from two runs, and what the pts and hf exports hold."""

import json

import pytest
from test_exports_round19 import _edited_copy, _recheck
from tiny_models import mine_tiny_pivot_run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round21") / "run"
    mine_tiny_pivot_run(out)
    return out


@pytest.mark.parametrize("name", ["pivots.jsonl", "pairs.jsonl"])
def test_a_re_estimate_of_records_merged_from_a_run_judged_by_another_oracle_is_refused(run, tmp_path, name):
    """A re-estimate compared the oracle with the first record's alone (and a function given was taken at its word):
    records merged by hand from a run judged by another oracle had their fresh rollouts judged by one their run never
    used. A resume with another oracle is refused, so two oracles in a run are refused, naming both."""
    edited = _edited_copy(run, tmp_path / "run", name, lambda r: r.update(oracle="boxed"))
    with pytest.raises(ValueError, match=r"judged by two oracles \(.*merged by hand") as e:
        _recheck(edited)
    assert "'boxed'" in str(e.value) and "'callable:first_of_w7_w9'" in str(e.value), e.value


def test_a_re_estimate_takes_one_oracle_under_its_two_names(run, tmp_path):
    """'math' is the boxed oracle's other name: records naming it either way were judged alike."""
    from ptsfast.pipeline.recheck import _check_one_oracle

    _check_one_oracle(tmp_path, [{"oracle": "math", "problem_id": "a"}, {"oracle": "boxed", "problem_id": "b"}])
    recs = [json.loads(line) for line in (run / "pivots.jsonl").read_text(encoding="utf-8").splitlines()]
    _check_one_oracle(run, recs)
