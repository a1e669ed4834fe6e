"""Exports of round 21: re-estimates of records merged from two runs, and what the pts and hf exports hold."""

import json

import pytest
from test_exports_round19 import _edited_copy, _recheck
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.export import export


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


def _held_whole(m):
    """The pts and hf exports as they held their records before: every context id a Python int, every pts record
    made before the first was written, the hf dataset made by ``Dataset.from_list`` of them all."""
    import datasets

    from ptsfast.outputs import export as exp
    from ptsfast.outputs import source as src

    write = exp._write_jsonl
    m.setattr(exp, "read_records", lambda source, schema, packed=False: src.read_records(source, schema))
    m.setattr(exp, "_write_jsonl", lambda out, recs, ascii_only=False: write(out, list(recs), ascii_only))

    def from_list(records):
        fields = dict.fromkeys(k for r in records for k in r)
        return datasets.Dataset.from_list([{k: r.get(k) for k in fields} for r in records])

    m.setattr(exp, "_dataset", from_list)


def _same_export(new, old):
    import os

    if new.is_dir():
        assert sorted(os.listdir(new)) == sorted(os.listdir(old))
        for f in sorted(os.listdir(old)):
            assert (new / f).read_bytes() == (old / f).read_bytes(), f
    else:
        assert new.read_bytes() == old.read_bytes()


@pytest.fixture(scope="module")
def many(run, tmp_path_factory):
    from test_exports_round18 import _many_pivots_run
    from test_exports_round19 import _big_ids

    folder = tmp_path_factory.mktemp("round21-many") / "many"
    return _big_ids(_many_pivots_run(run, folder, problems=4, prompt_len=50, solution_len=600, per=10))


@pytest.mark.parametrize("fmt, kind", [("pts", None), ("hf", "pairs"), ("hf", "pivots")])
def test_the_pts_and_hf_exports_write_what_they_wrote_with_the_records_held_whole(run, many, tmp_path, monkeypatch,
                                                                                  fmt, kind):
    """The pts export makes each record as it is written and the hf export hands Arrow the context ids packed, as
    the trl and jsonl exports hold them: the same bytes (the hf folder's every file) as with the records held
    whole, of the tiny run and of one with ids above 100,000."""
    for name, src in (("tiny", run), ("many", many)):
        new, old = tmp_path / f"{name}-new", tmp_path / f"{name}-old"
        assert export(src, new, fmt=fmt, kind=kind) > 0
        with monkeypatch.context() as m:
            _held_whole(m)
            export(src, old, fmt=fmt, kind=kind)
        _same_export(new, old)


def test_an_hf_export_of_ids_held_as_read_beside_packed_ones_writes_them_all(run, tmp_path, monkeypatch):
    """A record whose ids could not be packed (one beyond 64 bits is kept as the list read) beside packed ones: the
    column is made of lists, as before, and every record's ids are written."""
    import datasets

    from ptsfast.outputs import export as exp
    from ptsfast.outputs import source as src

    def one_unpacked(source, schema, packed=False):
        recs = src.read_records(source, schema, packed=packed)
        recs[0]["prompt_ids"] = list(recs[0]["prompt_ids"])
        return recs

    monkeypatch.setattr(exp, "read_records", one_unpacked)
    n = export(run, tmp_path / "hf", fmt="hf", kind="pairs")
    want = [json.loads(line)["prompt_ids"] for line in (run / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert n == len(want) and datasets.load_from_disk(str(tmp_path / "hf"))["prompt_ids"] == want


@pytest.mark.parametrize("fmt, kind, bound", [("pts", None, 0.75), ("hf", "pairs", 0.6), ("hf", "pivots", 0.6)])
def test_the_pts_and_hf_exports_hold_no_context_id_as_a_python_int(many, tmp_path, monkeypatch, fmt, kind, bound):
    """Measured on 1,000 pivots after ~2,100 tokens each (ids above 100,000), peak RSS above the loaded modules:
    pts 152 MB, hf pairs 237, hf pivots 227 - every context id a Python int (~36 bytes), and every pts record made
    before the first was written. Now 67, 159 and 166 MB (the rest of hf's is the datasets library's fingerprint of
    the table, as before). Here: Python's memory at the pts export's peak, and what the hf export holds as it makes
    the dataset, the records held whole and now."""
    import tracemalloc

    from ptsfast.outputs import export as exp

    peaks = {}
    for how in ("whole", "packed"):
        with monkeypatch.context() as m:
            if how == "whole":
                _held_whole(m)
            export(many, tmp_path / f"warm-{how}", fmt=fmt, kind=kind)
            make, held = exp._dataset, []

            def dataset(records):
                held.append(tracemalloc.get_traced_memory()[0])
                return make(records)

            m.setattr(exp, "_dataset", dataset)
            tracemalloc.start()
            try:
                assert export(many, tmp_path / how, fmt=fmt, kind=kind) == 80
                peaks[how] = held[0] if fmt == "hf" else tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    _same_export(tmp_path / "packed", tmp_path / "whole")
    assert peaks["packed"] < bound * peaks["whole"], peaks  # 0.63, 0.51 and 0.49 measured
