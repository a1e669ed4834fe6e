"""Exports of round 10: what a user's filters and another tool's edits of a run's records give an export."""

import json

import pytest
from cli_errors import one_line_error
from tiny_models import mine_tiny_pivot_run, tiny_anchors_run

from ptsfast.cli import main as cli


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round10") / "run"
    mine_tiny_pivot_run(out)
    return out


@pytest.mark.parametrize("fmt", ["trl", "pts", "thought_anchors"])
def test_a_min_delta_above_one_is_refused_not_an_empty_export(run, tmp_path, capsys, fmt):
    """A Δp is a difference of two probabilities, at most 1: --min-delta 20 (meant as percent) wrote 0 records and
    exited 0, as if the run held no pivot that large."""
    out = tmp_path / "out.jsonl"
    assert cli(["export", "--run", str(run), "--format", fmt, "--out", str(out), "--min-delta", "20"]) == 2
    one_line_error(capsys, "(--min-delta)=20", "<= 1")
    assert not out.exists()
    assert cli(["export", "--run", str(run), "--out", str(out), "--min-delta", "1", "--quiet"]) == 0  # Δp of 1


@pytest.mark.parametrize("fmt", ["trl", "pts", "jsonl"])
def test_a_nan_written_into_a_record_by_another_tool_is_named_with_its_file_and_line(run, tmp_path, capsys, fmt):
    """Python's json.dumps writes a float('nan') as NaN, which json.loads reads back: a pivots.jsonl rewritten by a
    user's script with one ended every export in 'Out of range float values are not JSON compliant', naming
    neither the file nor the record."""
    edited = tmp_path / "edited"
    edited.mkdir()
    for f in run.iterdir():
        (edited / f.name).write_bytes(f.read_bytes())
    lines = (edited / "pivots.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[1])
    rec["p_after"] = float("nan")
    lines[1] = json.dumps(rec, sort_keys=True) + "\n"
    (edited / "pivots.jsonl").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    kind = ["--kind", "pivots"] if fmt == "jsonl" else []
    assert cli(["export", "--run", str(edited), "--format", fmt, *kind, "--out", str(out)]) == 2
    one_line_error(capsys, "pivots.jsonl line 2", "NaN", "null")
    assert not out.exists()


def test_a_pts_context_tokenised_as_codelion_and_trl_do_gives_the_mined_ids_with_one_bos(tmp_path):
    """A Llama 2 / Mistral / Llama 3 / Gemma chat template writes the BOS its tokenizer also adds itself.
    codelion's DPO export hands pivot_context to TRL as the prompt, and its steering export and rejected-token
    search call tokenizer(pivot_context): each adds the BOS again. The pts export's pivot_context kept the
    template's BOS, so they saw [BOS, BOS, ...], a context the model never mined, while pivot_context_exact said
    true (it tokenised without special tokens, as no reader of the file does)."""
    pytest.importorskip("trl")
    from test_exports_round8 import INST, sentencepiece_like, tiny_run

    from ptsfast.outputs.export import export

    tok = sentencepiece_like("{{ bos_token }}" + INST)
    run, _ = tiny_run(tmp_path, tok)
    out = tmp_path / "pivotal_tokens.jsonl"
    assert export(run, out, fmt="pts") >= 1
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for rec in recs:
        ids = rec["pivot_context_ids"]
        assert ids[:1] == [tok.bos_token_id] and ids[1:2] != [tok.bos_token_id]
        assert rec["pivot_context_exact"] is (tok(rec["pivot_context"])["input_ids"] == ids)
    assert any(r["pivot_context_exact"] for r in recs)  # the others: the model sampled a non-canonical tokenisation
    for rec in recs:  # codelion's DPO pair, as TRL tokenises it: the mined context, then the token
        if rec.get("rejected_token") is not None and rec["pivot_context_exact"]:
            assert tok(rec["pivot_context"] + rec["pivot_token"])["input_ids"] == \
                rec["pivot_context_ids"] + [rec["pivot_token_id"]]


def test_a_pts_context_mined_without_the_bos_its_tokenizer_adds_is_not_called_exact(tmp_path):
    """A chat template without the BOS (a user's --chat-template) on a tokenizer that adds one: codelion's
    readers and TRL tokenise pivot_context into a BOS the model never saw when it mined the pivot, as a trl pair's
    text_exact says, but pivot_context_exact said true."""
    pytest.importorskip("trl")
    from test_exports_round8 import INST, sentencepiece_like, tiny_run

    from ptsfast.outputs.export import export

    tok = sentencepiece_like(INST)
    run, _ = tiny_run(tmp_path, tok)
    out = tmp_path / "pivotal_tokens.jsonl"
    assert export(run, out, fmt="pts") >= 1
    for line in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert rec["pivot_context_ids"][:1] != [tok.bos_token_id]
        assert tok(rec["pivot_context"])["input_ids"][:1] == [tok.bos_token_id]  # one the model never saw
        assert rec["pivot_context_exact"] is False


def test_codelion_records_read_back_whole_in_any_locale(run, tmp_path):
    """codelion/pts writes its files with json.dumps' ASCII escapes and reads them with open(path) in the
    locale's encoding. The pts export wrote UTF-8: on a machine whose locale is not UTF-8 (Windows' cp1252) a
    question "What is 3 × 5?" came back from codelion's reader as "What is 3 Ã— 5?", and some characters failed
    its load."""
    from ptsfast.outputs.export import export

    edited = tmp_path / "edited"
    edited.mkdir()
    for f in run.iterdir():
        (edited / f.name).write_bytes(f.read_bytes())
    rows = [json.loads(line) for line in (edited / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    for r in rows:
        r["question"] = f"What is 3 × 5? ({r['problem_id']}, 答え)"
    (edited / "problems.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                                   for r in rows), encoding="utf-8")
    out = tmp_path / "pivotal_tokens.jsonl"
    assert export(edited, out, fmt="pts") >= 1
    for line in out.read_text(encoding="cp1252").splitlines():  # codelion's TokenStorage.load on Windows
        rec = json.loads(line)
        assert rec["query"] == f"What is 3 × 5? ({rec['problem_id']}, 答え)"


def no_pairs_run(out):
    """A run mined with pairs off (--no-pairs-enabled): pivots only."""
    from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig
    from ptsfast.mining.types import FilterConfig, MiningConfig, PairConfig
    from ptsfast.pipeline import MineOptions, mine
    from ptsfast.problems.loading import Problem

    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False), pairs=PairConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    summary = mine(tiny_pivot_model(), tiny_tokenizer(), [Problem("p0", "w3 w16 w29 w42 w55 w68")], out, options,
                   oracle=first_of_w7_w9, progress=False)
    assert summary["pivots"] and not summary["pairs"]
    return out


@pytest.mark.parametrize("make, said", [(no_pairs_run, "--no-pairs-enabled"), (tiny_anchors_run, "ptsfast anchors")])
def test_load_pairs_of_a_run_that_holds_no_pairs_says_why(tmp_path, make, said):
    """load_pairs of an anchors run's folder said it was 'neither a ptsfast run folder nor a datasets folder', and
    of a run mined with pairs off 'mine more problems or loosen the export filters': neither helps."""
    pytest.importorskip("trl")
    from ptsfast.outputs.dpo import load_pairs

    run = make(tmp_path / "run")
    with pytest.raises(ValueError) as e:
        load_pairs(run)
    assert said in str(e.value) and "neither" not in str(e.value) and "loosen" not in str(e.value), e.value


@pytest.mark.parametrize("dataset", ['[{"problem_id": "p0", "question": "Q?", "answer": "1"}]\n',
                                     '{"problem_id": "p0", "question": "What is 2+2?", "answer": "4"}\n'])
def test_pairs_copied_beside_a_users_own_problems_file_export_without_reading_it(run, tmp_path, dataset):
    """A pairs.jsonl copied out of its run into a folder that holds the user's own problems.jsonl (a dataset file,
    as `ptsfast mine --problems` reads them): the export read that file as the run's problems, and failed on a JSON
    array ('line 1 is a JSON list, not a record'), or gave each pair the question of the user's row of the same
    id as its original_query."""
    from ptsfast.outputs.export import export

    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "pairs.jsonl").write_bytes((run / "pairs.jsonl").read_bytes())
    (folder / "problems.jsonl").write_text(dataset, encoding="utf-8")
    out = tmp_path / "dpo.jsonl"
    assert export(folder / "pairs.jsonl", out) >= 1
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(r["metadata"]["original_query"] is None for r in recs)


def test_a_pts_record_says_whether_codelions_dpo_pair_of_it_tokenises_back_to_the_mined_ids(tmp_path):
    """The model may sample " app" "les" where the tokenizer writes " apples": the context "... app" tokenises back
    to its ids alone (pivot_context_exact true), but codelion's DPO export pairs it with "les", and TRL tokenises
    "... apples" as one token: another pair. The trl pair says so (text_exact false); the pts record, whose
    rejected_token hands codelion that pair, said nothing a user could filter on."""
    from tiny_models import byte_level_bpe

    from ptsfast.mining.types import EstimateSummary, PairRecord, PivotRecord
    from ptsfast.outputs.export import export
    from ptsfast.outputs.rundir import RunWriter, pair_record, pivot_record

    tok = byte_level_bpe()
    prompt = tok("<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n")["input_ids"]
    app, les, s3 = (tok.convert_tokens_to_ids(t) for t in ("Ġapp", "les", "Ġ3"))
    solution = tok("Tom has")["input_ids"] + [s3, app, les]
    assert tok("Tom has 3 apples")["input_ids"] != solution  # " apples" is one token
    est = [EstimateSummary(p, int(16 * p), 16, max(0.0, p - 0.2), min(1.0, p + 0.2), False) for p in (0.3, 0.9)]
    run = {"model": "tiny", "oracle": "gsm8k"}
    pivots, pairs = [], []
    alts = {len(solution) - 3: tok.convert_tokens_to_ids("Ġ5"), len(solution) - 1: tok.convert_tokens_to_ids("s")}
    for i, alt in alts.items():
        pivots.append(pivot_record(PivotRecord("p#0", "p", i, solution[i], est[0], est[1], "raises", "confirmed"),
                                   tok, prompt, solution, run))
        pairs.append(pair_record(PairRecord("p#0", "p", i, tuple(prompt + solution[:i]), solution[i], alt, est[1],
                                            est[0], "raises"), tok, run))
    with RunWriter(tmp_path / "run", {"model": "tiny"}) as w:
        w.write_problem("p", pivots, pairs, {"question": "What is 2+3?"})
    out = tmp_path / "pivotal_tokens.jsonl"
    assert export(tmp_path / "run", out, fmt="pts") == 2
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(r["pivot_context_exact"] and r["rejected_token"] is not None for r in recs)
    for r in recs:  # codelion's DPO pair (a positive prob_delta: pivot chosen), as TRL tokenises it
        ids = r["pivot_context_ids"]
        trl = [tok(r["pivot_context"] + t)["input_ids"] for t in (r["pivot_token"], r["rejected_token"])]
        assert r["pair_text_exact"] is (trl == [ids + [r["pivot_token_id"]], ids + [r["rejected_token_id"]]])
    assert [r["pair_text_exact"] for r in recs] == [True, False]


@pytest.mark.parametrize("fmt", ["trl", "pts"])
def test_an_anchors_runs_sentences_file_is_named_as_what_it_is(tmp_path, capsys, fmt):
    """`export --run RUN/sentences.jsonl` of an anchors run (not --format thought_anchors) said ptsfast's own
    sentences file 'is not ptsfast output'."""
    run = tiny_anchors_run(tmp_path / "run")
    assert cli(["export", "--run", str(run / "sentences.jsonl"), "--format", fmt, "--out",
                str(tmp_path / "out.jsonl")]) == 2
    err = one_line_error(capsys, "ptsfast anchors", "--format thought_anchors")
    assert "not ptsfast output" not in err


@pytest.mark.parametrize("name", ["run.json", "summary.json", "done.jsonl"])
def test_a_runs_settings_summary_or_markers_file_given_as_the_run_names_the_run_folder(run, tmp_path, capsys, name):
    """`export --run RUN/run.json` (a shell's completion) said the run's own settings 'line 1 is not JSON', and its
    done.jsonl 'is not ptsfast output'."""
    assert cli(["export", "--run", str(run / name), "--out", str(tmp_path / "out.jsonl")]) == 2
    err = one_line_error(capsys, f"pass the run folder {run}")
    assert "not JSON" not in err and "not ptsfast output" not in err


@pytest.mark.parametrize("name", ["pivots.jsonl", "pairs.jsonl"])
def test_a_mining_runs_records_given_to_the_thought_anchors_format_name_the_formats_that_export_them(run, tmp_path,
                                                                                                    capsys, name):
    """`export --format thought_anchors --run RUN/pivots.jsonl` of a mining run said only that it is no sentences
    file and to pass 'the folder it wrote', the anchors command's, which the user does not have."""
    assert cli(["export", "--run", str(run / name), "--format", "thought_anchors", "--out",
                str(tmp_path / "out.jsonl")]) == 2
    one_line_error(capsys, "`ptsfast mine` run's records", "--format pts", "--format trl")


def test_pairs_beside_another_runs_pivots_take_no_confirmation_or_delta_from_them(run, tmp_path, capsys):
    """A pairs.jsonl copied out of its run into a folder holding another run's pivots.jsonl (problem ids, trajectory
    keys and positions of one dataset coincide): each pair took the confirmation and the Δp of whatever pivot had its
    key, and a pair of a confirmed pivot was dropped as refuted, or kept by --confirmed-only, on the other run's
    word. A pivot is a pair's only where its context ids are the pair's prompt ids."""
    from ptsfast.outputs.export import export

    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "pairs.jsonl").write_bytes((run / "pairs.jsonl").read_bytes())
    others = []
    for line in (run / "pivots.jsonl").read_text(encoding="utf-8").splitlines():
        pv = json.loads(line)  # the other run's pivot at the same place: another context, refuted
        others.append(pv | {"prefix_ids": pv["prefix_ids"][:-1] + [pv["prefix_ids"][-1] + 1], "confirmed": "refuted"})
    (folder / "pivots.jsonl").write_text("".join(json.dumps(pv) + "\n" for pv in others), encoding="utf-8")
    n_pairs = len((run / "pairs.jsonl").read_text(encoding="utf-8").splitlines())
    out = tmp_path / "dpo.jsonl"
    assert export(folder / "pairs.jsonl", out) == n_pairs
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(r["metadata"]["prob_delta"] is None and r.get("confirmed") is None for r in recs)
    assert cli(["export", "--run", str(folder / "pairs.jsonl"), "--out", str(out), "--confirmed-only"]) == 2
    one_line_error(capsys, "--confirmed-only", f"{n_pairs} of {n_pairs} pairs", "have no pivot")
