"""Exports of round 23: a pair's confirmation is its pivot's, records files replaced whole by another run's,
load_pairs of a run folder read as the exports read it, problems.jsonl not the records', the hf fingerprint, and
exports that keep none of a run's records."""

import json
import re
import shutil

import pytest
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.export import export
from ptsfast.outputs.source import ExportError


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round23") / "run"
    mine_tiny_pivot_run(out)
    return out


@pytest.fixture(scope="module")
def many(run, tmp_path_factory):
    """A run of 80 pivots and pairs after ~650 tokens each, ids above 100,000."""
    from test_exports_round18 import _many_pivots_run
    from test_exports_round19 import _big_ids

    folder = tmp_path_factory.mktemp("round23-many") / "many"
    return _big_ids(_many_pivots_run(run, folder, problems=4, prompt_len=50, solution_len=600, per=10))


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path, recs):
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")


def _exported(path):
    if path.is_dir():
        import datasets

        return datasets.load_from_disk(str(path)).to_list()
    return _lines(path)


def _recheck(run_dir, temperature=1.0, budget=None):
    """recheck_run of a run :func:`mine_tiny_pivot_run` mined, with its model and problems, at ``temperature``
    (and the rollouts' own ``budget``, where given)."""
    from test_exports_round16 import _recheck as recheck
    from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import EstimatorConfig, FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem

    if temperature == 1.0 and budget is None:
        return recheck(run_dir)
    problems = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(3)]
    mining = MiningConfig(filter=FilterConfig(enabled=False), estimator=EstimatorConfig(rollout_budget=budget))
    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                          temperature=temperature, mining=mining, engine=EngineConfig(num_blocks=256, block_size=8))
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=256, block_size=8))
    return recheck_run(engine, tok, run_dir, problems, options, 4, oracle=first_of_w7_w9)


# ----------------------------------------------------------------------------- a pair's confirmation is its pivot's

def _pair_says_confirmed_its_pivot(state):
    """A copy of the run whose first pair carries confirmed 'confirmed' of its own, its pivot ``state``."""
    def edit(folder):
        pairs = _lines(folder / "pairs.jsonl")
        pairs[0]["confirmed"] = "confirmed"
        _write(folder / "pairs.jsonl", pairs)
        key = (pairs[0]["trajectory"], pairs[0]["position"])
        pivots = _lines(folder / "pivots.jsonl")
        for pv in pivots:
            if (pv["trajectory"], pv["position"]) == key:
                pv["confirmed"] = state
        _write(folder / "pivots.jsonl", pivots)
        return key
    return edit


@pytest.mark.parametrize("fmt, kind", [("trl", None), ("jsonl", "pairs"), ("hf", "pairs")])
@pytest.mark.parametrize("state", ["refuted", False])
def test_a_pair_whose_pivot_was_refuted_is_left_out_whatever_its_own_confirmed_says(run, tmp_path, fmt, kind, state,
                                                                                    caplog):
    """A pair record carrying a confirmed field of its own (another tool wrote it) was exported by it, not by its
    pivot's verdict: the pair of a refuted pivot went into the training file as if it held."""
    shutil.copytree(run, tmp_path / "run")
    key = _pair_says_confirmed_its_pivot(state)(tmp_path / "run")
    n = len(_lines(run / "pairs.jsonl"))
    assert export(tmp_path / "run", tmp_path / "out", fmt=fmt, kind=kind) == n - 1
    assert key not in {(r["trajectory"], r["position"]) for r in _exported(tmp_path / "out")}
    assert "other than their pivot's" in caplog.text


def test_a_pair_whose_pivot_is_undecided_is_no_confirmed_pair_whatever_its_own_field_says(run, tmp_path):
    shutil.copytree(run, tmp_path / "run")
    key = _pair_says_confirmed_its_pivot("undecided")(tmp_path / "run")
    export(tmp_path / "run", tmp_path / "out.jsonl", fmt="jsonl", confirmed_only=True)
    out = _exported(tmp_path / "out.jsonl")
    assert key not in {(r["trajectory"], r["position"]) for r in out}
    assert all(r["confirmed"] == "confirmed" for r in out)


def test_a_pair_agreeing_with_its_pivot_is_exported_without_a_word(run, tmp_path, caplog):
    """An earlier export's pairs carry their pivot's confirmed: read beside the run's pivots, they agree."""
    shutil.copytree(run, tmp_path / "run")
    states = {(pv["trajectory"], pv["position"]): pv["confirmed"] for pv in _lines(run / "pivots.jsonl")}
    pairs = _lines(tmp_path / "run" / "pairs.jsonl")
    for pr in pairs:
        pr["confirmed"] = {"confirmed": True}.get(states[(pr["trajectory"], pr["position"])],
                                                  states[(pr["trajectory"], pr["position"])])
    _write(tmp_path / "run" / "pairs.jsonl", pairs)
    assert export(tmp_path / "run", tmp_path / "out.jsonl", fmt="jsonl") == len(pairs)
    assert "other than their pivot's" not in caplog.text


# ----------------------------------------------------------------------------- records files replaced whole

def _replaced(run, folder, names, **changed):
    """A copy of ``run`` whose files ``names`` are another run's: every record sampled or made with ``changed``."""
    shutil.copytree(run, folder)
    for name in names:
        recs = _lines(folder / name)
        for r in recs:
            sampler = {k: v for k, v in changed.items() if k not in ("seed", "oracle")}
            r["sampler"] = {**r["sampler"], **sampler}
            r.update({k: v for k, v in changed.items() if k in ("seed", "oracle")})
        _write(folder / name, recs)
    return folder


@pytest.mark.parametrize("fmt, kind", [("trl", None), ("jsonl", "pivots"), ("hf", "pairs"), ("pts", None)])
@pytest.mark.parametrize("changed, said", [({"temperature": 0.5}, r"temperature 0.5 \(run.json's 1.0\)"),
                                           ({"top_k": 5}, r"top_k 5 \(run.json's 0\)"),
                                           ({"seed": 3}, r"seed 3 \(run.json's 0\)")])
def test_an_export_of_records_files_replaced_by_another_runs_is_refused(run, tmp_path, fmt, kind, changed, said):
    """Both records files replaced by another run's (one sampler throughout, so no two ways among them) were exported
    under this run's run_id: the write rule, and whoever read run.json for their settings, took them for this run's."""
    edited = _replaced(run, tmp_path / "run", ["pivots.jsonl", "pairs.jsonl"], **changed)
    with pytest.raises(ExportError, match=rf"made otherwise than its run.json says \({said}\).*another run's"):
        export(edited, tmp_path / "out", fmt=fmt, kind=kind)
    assert not (tmp_path / "out").exists()


def test_a_re_estimate_of_records_files_replaced_by_another_runs_is_refused(run, tmp_path):
    """The re-estimate compared its options with the records alone: given the replaced records' temperature, it
    drew at that one, as if it were the run's (run.json's says otherwise)."""
    edited = _replaced(run, tmp_path / "run", ["pivots.jsonl", "pairs.jsonl"], temperature=0.5)
    with pytest.raises(ValueError, match=r"made otherwise than its run.json says \(temperature 0.5 \(run.json's "
                                         r"1.0\)\)"):
        _recheck(edited, temperature=0.5)


def test_a_thought_anchors_export_of_a_sentences_file_replaced_by_another_runs_is_refused(tmp_path):
    from tiny_models import tiny_anchors_run

    folder = tiny_anchors_run(tmp_path / "run")
    recs = _lines(folder / "sentences.jsonl")
    for r in recs:
        r["sampler"] = {**r["sampler"], "top_p": 0.9}
    _write(folder / "sentences.jsonl", recs)
    with pytest.raises(ExportError, match=r"top_p 0.9 \(run.json's 1.0\)"):
        export(folder, tmp_path / "out.jsonl", fmt="thought_anchors")


@pytest.mark.parametrize("dropped", [("temperature", "top_k", "top_p", "max_new_tokens", "seed", "oracle"),
                                     ("min_p",), ("mining",)])
def test_a_run_json_of_an_earlier_ptsfast_lacking_settings_still_exports(run, tmp_path, dropped):
    """A run.json that records fewer settings (an earlier ptsfast's) compares what it holds, and refuses nothing
    else."""
    shutil.copytree(run, tmp_path / "run")
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    for k in dropped:
        info["config"].pop(k, None)
    (tmp_path / "run" / "run.json").write_text(json.dumps(info), encoding="utf-8")
    assert export(tmp_path / "run", tmp_path / "out.jsonl", fmt="jsonl", kind="pivots") > 0


@pytest.mark.parametrize("changed", [{"top_k": -1}, {"temperature": 1}])
def test_run_json_and_records_compare_as_one_run_reads_them(run, tmp_path, changed):
    """A top-k of -1 in run.json (an earlier ptsfast's off) and a temperature written 1 are the records' 0 and 1.0."""
    shutil.copytree(run, tmp_path / "run")
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    info["config"].update(changed)
    (tmp_path / "run" / "run.json").write_text(json.dumps(info), encoding="utf-8")
    assert export(tmp_path / "run", tmp_path / "out.jsonl") > 0


def test_records_that_set_the_rollouts_budget_apart_compare_with_run_json(run, tmp_path):
    """A run whose Python API set the rollouts' budget apart records it in run.json and in each record; records
    of an earlier ptsfast did not name it, and are not refused for it."""
    shutil.copytree(run, tmp_path / "run")
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    info["config"]["mining"]["estimator"]["rollout_budget"] = 20
    (tmp_path / "run" / "run.json").write_text(json.dumps(info), encoding="utf-8")
    assert export(tmp_path / "run", tmp_path / "out.jsonl") > 0  # the records name none: an earlier ptsfast's
    edited = _replaced(run, tmp_path / "run2", ["pivots.jsonl", "pairs.jsonl"], rollout_max_new_tokens=30)
    with pytest.raises(ExportError, match=r"rollout_max_new_tokens 30 \(run.json's None\)"):
        export(edited, tmp_path / "out2.jsonl")


# ----------------------------------------------------------------------------- load_pairs of a run folder

def _refuted(folder, n=1):
    """The first ``n`` pivots of a copy of the run refuted."""
    pivots = _lines(folder / "pivots.jsonl")
    for pv in pivots[:n]:
        pv["confirmed"] = "refuted"
    _write(folder / "pivots.jsonl", pivots)
    return {(pv["trajectory"], pv["position"]) for pv in pivots[:n]}


@pytest.mark.parametrize("edit, said", [("swapped", r"is not its pivot's in pivots.jsonl: .*swapped"),
                                        ("copied", r"twice, records 1 and 2"),
                                        ("replaced", r"made otherwise than its run.json says \(temperature 0.5")])
def test_load_pairs_of_a_run_folder_edited_by_hand_is_refused_as_the_exports_refuse_it(run, tmp_path, edit, said):
    """load_pairs of a run folder read its pairs.jsonl with none of the exports' checks: a pair whose sides were
    swapped by hand trained the opposite preference, one copied over another twice, another run's records as this
    run's."""
    pytest.importorskip("trl")
    from test_exports_round19 import _copied_over, _swap_sides

    from ptsfast.outputs.dpo import load_pairs

    folder = tmp_path / "run"
    if edit == "swapped":
        shutil.copytree(run, folder)
        pairs = _lines(folder / "pairs.jsonl")
        _swap_sides(pairs[0])
        _write(folder / "pairs.jsonl", pairs)
    elif edit == "copied":
        _copied_over(run, folder, "pairs.jsonl")
    else:
        _replaced(run, folder, ["pivots.jsonl", "pairs.jsonl"], temperature=0.5)
    with pytest.raises(ValueError, match=said):
        load_pairs(folder)


def test_load_pairs_of_a_run_folder_leaves_out_the_pairs_of_refuted_pivots(run, tmp_path):
    """load_pairs trained on every pair of pairs.jsonl, a refuted pivot's too, which no export holds."""
    pytest.importorskip("trl")
    from ptsfast.outputs.dpo import load_pairs

    shutil.copytree(run, tmp_path / "run")
    gone = _refuted(tmp_path / "run")
    rows = load_pairs(tmp_path / "run").to_list()
    n = len(_lines(run / "pairs.jsonl"))
    assert len(rows) == n - 1 == export(tmp_path / "run", tmp_path / "out.jsonl")
    kept = {(r["problem_id"], r["position"]) for r in rows}
    assert {(k.split("#")[0], i) for k, i in gone}.isdisjoint(kept)
    assert len(load_pairs(run)) == n  # the run as mined: every pair


def test_load_pairs_of_a_run_whose_pivots_were_all_refuted_says_so(run, tmp_path):
    pytest.importorskip("trl")
    from ptsfast.outputs.dpo import load_pairs

    shutil.copytree(run, tmp_path / "run")
    _refuted(tmp_path / "run", n=len(_lines(run / "pivots.jsonl")))
    with pytest.raises(ValueError, match=rf"holds {len(_lines(run / 'pairs.jsonl'))} pairs, all of pivots refuted"):
        load_pairs(tmp_path / "run")


def test_a_re_estimate_draws_with_the_rollouts_budget_run_json_names_where_the_records_name_none(run, tmp_path):
    """Records of an earlier ptsfast named no rollout budget set apart from max_new_tokens (run.json's config holds
    it): the re-estimate compared its options with the records alone and drew with max_new_tokens's budget, not the
    run's, without a word."""
    shutil.copytree(run, tmp_path / "run")
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    info["config"]["mining"]["estimator"]["rollout_budget"] = 20
    (tmp_path / "run" / "run.json").write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(ValueError, match=r"options not the run's: rollout_max_new_tokens None \(the run's 20\)"):
        _recheck(tmp_path / "run")
    assert _recheck(tmp_path / "run", budget=20)


# ----------------------------------------------------------------------------- the hf export's fingerprint

@pytest.mark.parametrize("kind", ["pairs", "pivots"])
def test_an_hf_export_hashes_its_table_as_it_pickles_it_and_writes_the_same_bytes(many, tmp_path, monkeypatch, kind):
    """datasets fingerprints a new dataset by pickling its whole table into one bytes object (~30 MB of the hf
    export's peak for 1,000 pairs after ~2,100 tokens); the export hashes the pickle as it is written: no such
    object is made, and every file written (state.json's fingerprint included) is the same."""
    import contextlib

    import datasets.fingerprint as fingerprint
    from test_exports_round21 import _same_export

    from ptsfast.outputs import export as exp

    whole, sizes = fingerprint.dumps, {"new": [], "old": []}
    for how in ("new", "old"):
        with monkeypatch.context() as m:
            m.setattr(fingerprint, "dumps", lambda value: sizes[how].append(len(b := whole(value))) or b)
            if how == "old":
                m.setattr(exp, "_fingerprint_streamed", contextlib.nullcontext)
            assert export(many, tmp_path / how, fmt="hf", kind=kind) > 0
    assert max(sizes["new"]) * 20 < max(sizes["old"]), sizes
    _same_export(tmp_path / "new", tmp_path / "old")


# ----------------------------------------------------------------------------- problems.jsonl not the records'

def _other_prompt(folder):
    problems = _lines(folder / "problems.jsonl")
    problems[0]["prompt_ids"] = [5] + problems[0]["prompt_ids"][1:]
    _write(folder / "problems.jsonl", problems)
    return problems[0]["problem_id"]


@pytest.mark.parametrize("fmt", ["trl", "pts"])
def test_an_export_of_a_run_whose_problems_prompt_is_not_its_records_says_so(run, tmp_path, fmt, caplog):
    """A problems.jsonl line whose prompt ids do not begin its records' context ids (edited, or another run's) was
    taken for another run's problem beside a loose file: in a run folder its records were exported with question
    and reference answer null (codelion's query, the DPO metadata's original_query, the answer a re-judge reads),
    without a word."""
    shutil.copytree(run, tmp_path / "run")
    pid = _other_prompt(tmp_path / "run")
    assert export(tmp_path / "run", tmp_path / "out.jsonl", fmt=fmt) > 0
    assert f"problems.jsonl: the prompt ids of problems ['{pid}'] (1) do not begin" in caplog.text, caplog.text
    assert "restore the run's files" in caplog.text
    caplog.clear()
    export(run, tmp_path / "out.jsonl", fmt=fmt)
    assert "do not begin" not in caplog.text


def test_a_loose_file_beside_another_runs_problems_is_exported_without_their_questions(run, tmp_path, caplog):
    """Beside a loose records file (a folder of the user's), a problems.jsonl of other prompts is another run's."""
    loose = tmp_path / "loose"
    loose.mkdir()
    for name in ("pairs.jsonl", "pivots.jsonl", "problems.jsonl"):
        shutil.copy(run / name, loose / name)
    pid = _other_prompt(loose)
    assert export(loose / "pairs.jsonl", tmp_path / "out.jsonl") == len(_lines(run / "pairs.jsonl"))
    recs = _lines(tmp_path / "out.jsonl")
    assert {r["metadata"]["original_query"] is None for r in recs if r["problem_id"] == pid} == {True}
    assert all(r["metadata"]["original_query"] for r in recs if r["problem_id"] != pid)
    assert "do not begin" not in caplog.text


# ----------------------------------------------------------------------------- none exported, and why

@pytest.mark.parametrize("fmt, kind", [("trl", None), ("jsonl", "pivots"), ("hf", "pairs"), ("pts", None)])
@pytest.mark.parametrize("state, confirmed_only, said", [
    ("refuted", False, r"none of the 5 (pairs|pivots) of .* is exported: 5 refuted on fresh rollouts"),
    ("undecided", True, r"none of the 5 (pairs|pivots) of .* is exported: 5 not confirmed \(--confirmed-only")])
def test_an_export_that_keeps_none_of_a_runs_records_says_why(run, tmp_path, caplog, fmt, kind, state,
                                                             confirmed_only, said):
    """A run whose pivots were all refuted (or, with --confirmed-only, all undecided) exported 0 records and
    exited 0 without a reason: the export says which verdicts left them out."""
    shutil.copytree(run, tmp_path / "run")
    pivots = _lines(tmp_path / "run" / "pivots.jsonl")
    assert len(pivots) == 5
    for pv in pivots:
        pv["confirmed"] = state
    _write(tmp_path / "run" / "pivots.jsonl", pivots)
    assert export(tmp_path / "run", tmp_path / "out", fmt=fmt, kind=kind, confirmed_only=confirmed_only) == 0
    assert len(re.findall(said, caplog.text)) == 1, caplog.text
    caplog.clear()
    assert export(run, tmp_path / "out", fmt=fmt, kind=kind) == 5
    assert "none of the" not in caplog.text


# ----------------------------------------------------------------------------- the report

@pytest.mark.parametrize("how", ["replaced", "merged"])
def test_a_report_of_pivots_of_another_run_than_its_run_json_is_refused(run, tmp_path, how):
    """The report drew another run's pivots (a pivots.jsonl replaced whole, or merged from two runs) as this run's,
    under its run.json, as the exports no longer do."""
    from ptsfast.outputs.report import write_report

    folder = _replaced(run, tmp_path / "run", ["pivots.jsonl"], temperature=0.5)
    if how == "merged":
        pivots = _lines(folder / "pivots.jsonl")
        pivots[1:] = _lines(run / "pivots.jsonl")[1:]
        _write(folder / "pivots.jsonl", pivots)
    said = r"made otherwise than its run.json says" if how == "replaced" else r"made two ways \(temperature"
    with pytest.raises(ValueError, match=said):
        write_report(folder, tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()
    write_report(run, tmp_path / "ok.html")


# ----------------------------------------------------------------------------- text_exact under two more tokenizers

def _byte_fallback():
    """A Llama 2-style SentencePiece BPE with byte fallback: a character outside its vocabulary is one <0xNN> token a
    byte, each decoding to U+FFFD alone."""
    from test_exports_round8 import CORPUS, INST
    from tokenizers import Tokenizer, decoders, models, normalizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tk.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    tk.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                    decoders.Strip(" ", 1, 0)])
    specials = ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"] + [f"<0x{b:02X}>" for b in range(256)]
    tk.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=420, special_tokens=specials))
    tk.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                  pad_token="<unk>")
    tok.chat_template = "{{ bos_token }}" + INST
    return tok


def _prefix_space():
    """A byte-level BPE that adds a prefix space to every text it tokenises (GPT-2's add_prefix_space=True)."""
    from test_exports_round8 import CORPUS
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tk.decoder = decoders.ByteLevel()
    tk.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"],
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=tk, eos_token="<|endoftext|>", pad_token="<|endoftext|>")


@pytest.mark.parametrize("make", [_byte_fallback, _prefix_space])
def test_text_exact_is_what_trl_makes_of_pairs_under_byte_fallback_and_prefix_space_tokenizers(make, tmp_path):
    """The installed TRL's text path against text_exact at every cut of accented, CJK, emoji and whitespace texts
    (and after a random token), for a tokenizer whose characters outside its vocabulary are byte tokens and one
    that adds a prefix space: wherever a pair says its text is exact, TRL gives back the mined ids; nowhere else."""
    pytest.importorskip("trl")
    import random

    from test_exports_round9 import trl_prepared

    from ptsfast.outputs.rundir import pair_record

    tok = make()
    rng, est = random.Random(0), {"p": 0.5, "successes": 4, "trials": 8, "lo": 0.2, "hi": 0.8, "exact": False}
    rows = []
    texts = ("Tom has 3 apples and buys 5 more.", "héllo wörld 日本", "a  b\n\n c \t d  ", " leading", "x😀y")
    for text in texts:
        ids = tok(text)["input_ids"]
        for cut in range(1, len(ids)):
            for prefix, chosen in ((ids[:cut], ids[cut]), (ids[:cut] + [rng.randrange(3, len(tok))], ids[cut])):
                rejected = rng.choice([t for t in range(3, len(tok)) if t != chosen])
                rows.append(pair_record({"key": "k", "problem_id": "q", "position": 0, "prefix_ids": prefix,
                                         "chosen_id": chosen, "rejected_id": rejected, "chosen": est,
                                         "rejected": est, "direction": "raises"}, tok, {"model": "m"}))
    eos = [tok.eos_token_id]
    for r, g in zip(rows, trl_prepared(rows, tok, tmp_path)):
        want = (r["prompt_ids"], r["chosen_ids"] + eos, r["rejected_ids"] + eos)
        assert r["text_exact"] is (g == want), (r["prompt"][-20:], r["chosen"], r["rejected"], g, want)
    assert 0 < sum(r["text_exact"] for r in rows) < len(rows)
