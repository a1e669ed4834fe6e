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


# ----------------------------------------------------------------------------- every DPO export through TRL's own path

@pytest.fixture(scope="module", params=["llama2-style", "chatml", "bos-added-by-tokenizer-only"])
def chat_run(request, tmp_path_factory):
    pytest.importorskip("trl")
    from test_exports_round8 import TOKENIZERS, tiny_run

    tok = TOKENIZERS[request.param]()
    run, model = tiny_run(tmp_path_factory.mktemp(request.param), tok)
    return request.param, tok, run, model


def _trl_prepared(tok, model, rows, tmp_path):
    """TRL's own preparation of text pairs (DPOTrainer's: the prompt once, no chat template, the EOS appended)."""
    import copy

    import datasets
    from test_exports_round8 import dpo_args
    from trl import DPOTrainer
    from trl.data_utils import is_conversational

    assert rows and not any(is_conversational(r) for r in rows)
    ds = datasets.Dataset.from_list(rows)
    return DPOTrainer(model=model, ref_model=copy.deepcopy(model), args=dpo_args(tmp_path, len(rows)),
                      train_dataset=ds, processing_class=tok).train_dataset


def _read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_jsonl_and_text_only_exports_train_in_trl_as_their_text_exact_says(chat_run, tmp_path):
    """The jsonl export of pairs (the run's records, every field) and the trl export of the text alone go to plain
    DPOTrainer as they are: its own tokenisation gives the mined ids (one BOS) wherever a pair says its text is
    exact, and the text-only export holds no pair that does not."""
    name, tok, run, model = chat_run
    mined = {(r["trajectory"], r["position"]): r for r in _read(run / "pairs.jsonl")}
    eos = [tok.eos_token_id]
    export(run, tmp_path / "all.jsonl", fmt="jsonl", kind="pairs")
    export(run, tmp_path / "text.jsonl", keep_fields=False)
    rows = _read(tmp_path / "all.jsonl")
    for r, p in zip(rows, _trl_prepared(tok, model, rows, tmp_path / "a")):
        want = (r["prompt_ids"], r["chosen_ids"] + eos, r["rejected_ids"] + eos)
        assert r["text_exact"] is ((p["prompt_ids"], p["chosen_ids"], p["rejected_ids"]) == want), (name, r)
    text = _read(tmp_path / "text.jsonl")
    exact = [r for r in mined.values() if r["text_exact"]]
    assert len(text) == len(exact)
    if not text:
        return
    by_text = {(r["prompt"], r["chosen"], r["rejected"]): r for r in exact}
    for r, p in zip(text, _trl_prepared(tok, model, text, tmp_path / "t")):
        m = by_text[(r["prompt"], r["chosen"], r["rejected"])]
        assert (p["prompt_ids"], p["chosen_ids"], p["rejected_ids"]) == (m["prompt_ids"], m["chosen_ids"] + eos,
                                                                          m["rejected_ids"] + eos), (name, r)


@pytest.mark.parametrize("given", [False, True])
def test_codelions_dpo_pairs_of_a_pts_export_train_in_trl_as_pair_text_exact_says(chat_run, tmp_path, given):
    """codelion/pts's DPO export makes a pair of a pivotal_tokens record: prompt its pivot_context, chosen its
    pivot_token and rejected its rejected_token where prob_delta > 0, the other way round where it is negative (a
    record without rejected_token, or with one that reads as its pivot_token, makes none). TRL's own tokenisation of
    those pairs gives the mined ids wherever the record's pair_text_exact says so, as the run recorded it or as the
    export tokenises it with the tokenizer given."""
    name, tok, run, model = chat_run
    export(run, tmp_path / "pts.jsonl", fmt="pts", model=(model, tok) if given else None)
    recs = [r for r in _read(tmp_path / "pts.jsonl")
            if r.get("rejected_token") is not None and r["rejected_token"] != r["pivot_token"]]
    if not recs:
        pytest.skip(f"{name}: no pivot of this run has a pair codelion's export keeps")
    rows, want = [], []
    eos = [tok.eos_token_id]
    for r in recs:
        up = r["prob_delta"] > 0
        chosen, rejected = ((r["pivot_token"], r["rejected_token"]) if up else (r["rejected_token"], r["pivot_token"]))
        ids = ((r["pivot_token_id"], r["rejected_token_id"]) if up else (r["rejected_token_id"], r["pivot_token_id"]))
        rows.append({"prompt": r["pivot_context"], "chosen": chosen, "rejected": rejected})
        want.append((r["pivot_context_ids"], [ids[0]] + eos, [ids[1]] + eos))
    for r, row, w, p in zip(recs, rows, want, _trl_prepared(tok, model, rows, tmp_path)):
        got = (p["prompt_ids"], p["chosen_ids"], p["rejected_ids"])
        assert r["pair_text_exact"] is not None, r
        assert r["pair_text_exact"] is (got == w), (name, row, got, w)
        assert r["pivot_context_exact"] is (p["prompt_ids"] == w[0]) or not r["pivot_context_exact"], (name, row)


# ----------------------------------------------------------------------------- a re-estimate of a run resumed since

def _top_k_off_as_before(rec):
    rec["sampler"] = {**rec["sampler"], "top_k": -1}


@pytest.mark.parametrize("name", ["pivots.jsonl", "pairs.jsonl"])
def test_a_re_estimate_reads_a_top_k_off_recorded_as_minus_one_as_off(run, tmp_path, name):
    """An earlier ptsfast recorded a top-k turned off as -1 (now 0, as generate reads it): a run begun with it and
    resumed since holds both, one sampler, and its re-estimate was refused as records of two runs merged by hand
    ('sampled two ways (top_k -1 or 0)'); a run whose records all say -1 was refused as re-estimated with other
    options ('top_k 0 (the run's -1)'). Both are top-k off."""
    assert _recheck(_edited_copy(run, tmp_path / "one", name, _top_k_off_as_before))

    import shutil

    shutil.copytree(run, tmp_path / "all")
    for f in ("pivots.jsonl", "pairs.jsonl"):
        recs = [json.loads(line) for line in (tmp_path / "all" / f).read_text(encoding="utf-8").splitlines()]
        for r in recs:
            _top_k_off_as_before(r)
        (tmp_path / "all" / f).write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    assert _recheck(tmp_path / "all")


def test_a_re_estimate_still_refuses_records_sampled_with_another_top_k(run, tmp_path):
    edited = _edited_copy(run, tmp_path / "run", "pivots.jsonl",
                          lambda r: r.update(sampler={**r["sampler"], "top_k": 5}))
    with pytest.raises(ValueError, match=r"sampled two ways \(top_k (5 or 0|0 or 5);"):
        _recheck(edited)


def test_a_re_estimate_takes_a_temperature_of_1_and_of_1_0_for_one(run, tmp_path):
    """A run begun through the Python API with temperature=1 and resumed from the command line (1.0) holds both, one
    sampler (a resume compares them as numbers): its records were keyed by their JSON text and refused as sampled
    two ways with no setting named."""
    assert _recheck(_edited_copy(run, tmp_path / "run", "pivots.jsonl",
                                 lambda r: r.update(sampler={**r["sampler"], "temperature": 1})))
