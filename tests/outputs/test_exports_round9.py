"""Exports of round 9: each record a user would train on is the pair that was mined. TRL's own dataset
preparation (``DPOTrainer``'s tokenisation of ``prompt``, ``prompt + chosen`` and ``prompt + rejected``) is the
judge of a pair's text: ``text_exact`` says whether it gives back the mined ids."""

import copy
import json

import pytest
from tiny_models import tiny_model, tiny_tokenizer

pytest.importorskip("trl")

from trl import DPOConfig, DPOTrainer  # noqa: E402

from ptsfast.mining.types import EstimateSummary, PairRecord, PivotRecord  # noqa: E402
from ptsfast.outputs.export import export  # noqa: E402
from ptsfast.outputs.rundir import RunWriter, pair_record, pivot_record  # noqa: E402

STEPS = ["Step 1: add 3 and 5.\n\nStep 2: so the answer is 8.\n\n"] * 20


def gpt2_like():
    """A byte-level BPE with GPT-2's pre-tokenizer (GPT-2, Pythia, Phi-2, OPT), trained in memory: a run of
    whitespace before a word splits off its last character ("\\n" "\\n" "Step"), a run at the end does not."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    tk.train_from_iterator(STEPS, trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=tk, eos_token="<|endoftext|>", pad_token="<|endoftext|>")


def est(p, s, n):
    return EstimateSummary(p, s, n, max(0.0, p - 0.3), min(1.0, p + 0.3), False)


def record(tok, prefix, chosen, rejected):
    pr = PairRecord("p#0", "p", len(prefix), tuple(prefix), chosen, rejected, est(0.9, 9, 10), est(0.1, 1, 10),
                    "raises")
    return pair_record(pr, tok, {"model": "tiny"})


def trl_prepared(rows, tok, tmp_path):
    """What TRL's DPOTrainer trains on for text pairs: (prompt_ids, chosen_ids, rejected_ids) of each row."""
    model = tiny_model("llama", seed=0, vocab_size=len(tok), eos_token_id=tok.eos_token_id,
                       pad_token_id=tok.pad_token_id)
    args = DPOConfig(output_dir=str(tmp_path / "dpo"), max_steps=1, per_device_train_batch_size=1, report_to=[],
                     save_strategy="no", use_cpu=True)
    import datasets

    text = datasets.Dataset.from_list([{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows])
    ds = DPOTrainer(model=model, ref_model=copy.deepcopy(model), args=args, train_dataset=text,
                    processing_class=tok).train_dataset
    return [(p["prompt_ids"], p["chosen_ids"], p["rejected_ids"]) for p in ds]


def mined(r, tok):
    eos = [tok.eos_token_id]
    return r["prompt_ids"], r["chosen_ids"] + eos, r["rejected_ids"] + eos


def test_a_pair_after_a_paragraph_break_is_exact_only_if_trl_gives_its_prompt_back(tmp_path):
    """A new step's first token after "\n\n": the model writes "\n" "\n" "Step", which re-tokenises the same with
    the prompt, but the prompt alone ends in "\n\n" (one token), so TRL's prompt stops before the break and the
    completion is "\n" "\n" "Step": another pair. text_exact said True for it."""
    tok = gpt2_like()
    ids = tok("Step 1: add 3 and 5.\n\nStep 2")["input_ids"]
    k = [tok.decode([t]) for t in ids].index("Step", 1)
    assert [tok.decode([t]) for t in ids[k - 2:k]] == ["\n", "\n"]
    assert tok(tok.decode(ids[:k]))["input_ids"] != ids[:k]  # alone, the break is one token
    other = tok.convert_tokens_to_ids("a")  # "\n" "\n" "a" as well
    rows = [record(tok, ids[:k], ids[k], other), record(tok, ids[:3], ids[3], ids[4])]
    got = trl_prepared(rows, tok, tmp_path)
    for r, g in zip(rows, got):
        assert r["text_exact"] is (g == mined(r, tok)), (r["prompt"], r["chosen"], g, mined(r, tok))
    assert not rows[0]["text_exact"] and rows[1]["text_exact"]


def hand_run(root, pivots):
    """A run of one problem whose pivots (``(token, direction, confirmed, p_before, p_after)`` over a word-level
    tokenizer, each with its pair against w9 or w7) are built by the miner's record builders."""
    tok = tiny_tokenizer()
    prompt = tok("w3 w16 w29", add_special_tokens=False)["input_ids"]
    sol = tok("w40 w41 w42 w43 w44 w45", add_special_tokens=False)["input_ids"]
    run = {"model": "tiny", "oracle": "gsm8k"}
    pvs, prs = [], []
    solution = [p[0] for p in pivots] + sol[len(pivots):]  # pivot i is the solution's token i
    for i, (token, direction, confirmed, before, after) in enumerate(pivots):
        pv = PivotRecord("p#0", "p", i, token, est(before, 10, 20), est(after, 10, 20), direction, confirmed)
        pvs.append(pivot_record(pv, tok, prompt, solution, run))
        alt = 9 if token == 7 else 7
        good, bad = (token, alt) if direction == "raises" else (alt, token)
        prs.append(pair_record(PairRecord("p#0", "p", i, tuple(prompt + solution[:i]), good, bad, est(0.8, 16, 20),
                                          est(0.2, 4, 20), direction), tok, run))
    with RunWriter(root / "run", {"model": "tiny"}) as w:
        w.write_problem("p", pvs, prs, {"question": "What is w3?"})
    return root / "run"


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def codelion_dpo(rec):
    """The pair codelion/pts's `pts export --format dpo` makes of a pivotal_tokens.jsonl record with a
    rejected_token (its rule, as its exporter states it): a positive prob_delta makes the pivot chosen, any other
    makes it rejected."""
    if rec.get("rejected_token") is None:
        return None
    if rec["prob_delta"] > 0:
        return rec["pivot_context"], rec["pivot_token"], rec["rejected_token"]
    return rec["pivot_context"], rec["rejected_token"], rec["pivot_token"]


def test_a_pts_record_never_hands_codelion_the_reverse_of_the_mined_pair(tmp_path, caplog):
    """An undecided pivot may report a Δp of the other sign than its direction (its report batch is fresh). Its
    pts record said is_positive false beside the raising pair's other token as rejected_token, and codelion's DPO
    export made that pair the other way round: chosen the token ptsfast's own pair rejects."""
    run = hand_run(tmp_path, [(7, "raises", "undecided", 0.5, 0.45), (7, "raises", "confirmed", 0.3, 0.8),
                              (9, "lowers", "undecided", 0.4, 0.4), (9, "lowers", "confirmed", 0.7, 0.2),
                              (9, "lowers", "undecided", 0.4, 0.5)])
    assert export(run, tmp_path / "pts.jsonl", fmt="pts") == 5
    assert export(run, tmp_path / "pairs.jsonl") == 5
    mined = {(r["prompt"], r["chosen"], r["rejected"]) for r in read(tmp_path / "pairs.jsonl")}
    pts = read(tmp_path / "pts.jsonl")
    made = [codelion_dpo(r) for r in pts]
    assert all(m is None or m in mined for m in made), (made, mined)
    assert made[1] in mined and made[3] in mined  # a pivot whose report agrees keeps its pair's other token
    assert [r["is_positive"] for r in pts] == [False, True, False, False, True]  # after - before, as codelion's
    assert [m is None for m in made] == [True, False, False, False, True]
    assert "2 pivots (undecided) report a Δp against their direction" in caplog.text


def test_load_pairs_of_a_run_still_being_mined_reads_its_committed_pairs(tmp_path):
    """Training on a run while it mines: its pairs.jsonl ends in a problem still being written (whole lines its
    marker does not count yet, then a torn one). load_pairs(run) failed with 'line 4 is not JSON'; it reads the
    pairs the run committed, as the export does."""
    from ptsfast.outputs.dpo import load_pairs

    run = hand_run(tmp_path, [(7, "raises", "confirmed", 0.3, 0.8), (9, "lowers", "confirmed", 0.7, 0.2)])
    committed = (run / "pairs.jsonl").read_text(encoding="utf-8")
    first = committed.splitlines()[0]
    with open(run / "pairs.jsonl", "a", encoding="utf-8") as f:  # the next problem, cut mid-write
        f.write(first.replace('"problem_id": "p"', '"problem_id": "q"') + "\n" + first[:40])
    rows = load_pairs(run).to_list()
    assert [(r["problem_id"], r["chosen_ids"]) for r in rows] == [("p", [7]), ("p", [7])]


def test_steering_export_of_a_gemma3_checkpoint_reads_its_text_layers(tmp_path):
    """Gemma 3 4B-27B checkpoints are image-text models whose decoder layers sit at model.language_model.layers:
    the run mines with them, but the steering export failed with 'cannot find the decoder layers'."""
    import torch

    from tiny_models import known

    if not known("gemma3"):
        pytest.skip("this transformers has no Gemma 3")
    run = hand_run(tmp_path, [(7, "raises", "confirmed", 0.3, 0.8), (9, "lowers", "confirmed", 0.7, 0.2)])
    model, tok = tiny_model("gemma3"), tiny_tokenizer()
    assert export(run, tmp_path / "steer.jsonl", fmt="steering", model=(model, tok), layer=0) == 2
    pivots = read(run / "pivots.jsonl")
    for rec, pv in zip(read(tmp_path / "steer.jsonl"), pivots):
        with torch.no_grad():
            hs = model(input_ids=torch.tensor([pv["prefix_ids"]]), output_hidden_states=True).hidden_states
        assert rec["steering_layer"] == 0
        torch.testing.assert_close(torch.tensor(rec["steering_vector"]), hs[1][0, -1], rtol=1e-4, atol=1e-5)


def test_a_steering_state_that_overflowed_is_one_line_naming_the_dtype(tmp_path, capsys):
    """A model run in float16 whose hidden states overflow (massive activations): the export ended in 'Out of range
    float values are not JSON compliant' (from the JSON writer); it names the pivot and --dtype."""
    import torch

    from ptsfast.outputs.source import ExportError

    run = hand_run(tmp_path, [(7, "raises", "confirmed", 0.3, 0.8)])
    model, tok = tiny_model("llama"), tiny_tokenizer()
    with torch.no_grad():
        model.model.embed_tokens.weight[7:] = float("inf")
    with pytest.raises(ExportError, match=r"layer 0 .* not finite .*--dtype"):
        export(run, tmp_path / "steer.jsonl", fmt="steering", model=(model, tok), layer=0)
    assert not (tmp_path / "steer.jsonl").exists()


def test_confirmed_only_pairs_whose_pivots_are_not_beside_them_are_an_error_not_an_empty_export(tmp_path, capsys):
    """A pair's confirmation is its pivot's, read from pivots.jsonl beside it: a copy of pairs.jsonl alone with
    --confirmed-only wrote 0 pairs and exit 0."""
    import shutil

    from ptsfast.cli import main as cli

    run = hand_run(tmp_path, [(7, "raises", "confirmed", 0.3, 0.8), (9, "lowers", "undecided", 0.7, 0.2)])
    (tmp_path / "copy").mkdir()
    shutil.copy(run / "pairs.jsonl", tmp_path / "copy" / "pairs.jsonl")
    out = tmp_path / "out.jsonl"
    assert cli(["export", "--run", str(tmp_path / "copy" / "pairs.jsonl"), "--confirmed-only", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--confirmed-only" in err and "pivots.jsonl" in err and not out.exists()
    assert cli(["export", "--run", str(run), "--confirmed-only", "--out", str(out), "--quiet"]) == 0
    assert [r["chosen_ids"] for r in read(out)] == [[7]]


@pytest.mark.parametrize("fmt", ["trl", "pts"])
def test_confirmed_only_of_a_run_mined_without_confirmation_is_an_error_not_an_empty_export(tmp_path, capsys, fmt):
    """A run mined with --confirm 0 has no confirmed pivot (each one's confirmed is null): --confirmed-only wrote 0
    records and exit 0, as if the run held nothing worth training on."""
    from ptsfast.cli import main as cli

    run = hand_run(tmp_path, [(7, "raises", None, 0.3, 0.8), (9, "lowers", None, 0.7, 0.2)])
    out = tmp_path / "out.jsonl"
    assert cli(["export", "--run", str(run), "--format", fmt, "--confirmed-only", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--confirmed-only" in err and "--confirm 0" in err and not out.exists()
    assert cli(["export", "--run", str(run), "--format", fmt, "--out", str(out), "--quiet"]) == 0
    assert len(read(out)) == 2


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_load_pairs_reads_an_export_compressed_afterwards(tmp_path, suffix):
    """The export refuses --out pairs.jsonl.gz and says to compress the file afterwards; load_pairs of that file
    ended in a UnicodeDecodeError traceback."""
    import bz2
    import gzip
    import lzma

    from ptsfast.outputs.dpo import load_pairs

    run = hand_run(tmp_path, [(7, "raises", "confirmed", 0.3, 0.8), (9, "lowers", "confirmed", 0.7, 0.2)])
    plain = tmp_path / "pairs.jsonl"
    assert export(run, plain) == 2
    packed = tmp_path / ("pairs.jsonl" + suffix)
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[suffix]
    with opener(packed, "wb") as f:
        f.write(plain.read_bytes())
    assert load_pairs(packed).to_list() == load_pairs(plain).to_list()
    binary = tmp_path / "image.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match=r"image.jsonl line 1 is not UTF-8 JSON text .*ptsfast export"):
        load_pairs(binary)


@pytest.mark.parametrize("name, said", [("pivots.jsonl", "a run's pivots"), ("problems.jsonl", "a run's problems")])
def test_a_run_file_of_another_kind_is_named_as_what_it_is(tmp_path, capsys, name, said):
    """`export --run RUN/pivots.jsonl` (the trl format reads pairs) said the run's own pivots file 'is not ptsfast
    output'."""
    from ptsfast.cli import main as cli

    run = hand_run(tmp_path, [(7, "raises", "confirmed", 0.3, 0.8)])
    with open(run / "problems.jsonl", "r+", encoding="utf-8") as f:  # a problem record as the miner writes it
        rec = json.loads(f.read()) | {"trajectories": []}
        f.seek(0)
        f.truncate()
        f.write(json.dumps(rec) + "\n")
    assert cli(["export", "--run", str(run / name), "--out", str(tmp_path / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert said in err and "not ptsfast output" not in err


def test_pairs_of_a_run_mined_without_pairs_are_an_error_naming_the_pivot_exports(tmp_path, capsys):
    """A run mined with --no-pairs-enabled has pivots and no pairs: the default (trl) export wrote 0 pairs, exit 0."""
    from ptsfast.cli import main as cli

    with RunWriter(tmp_path / "run", {"model": "tiny", "mining": {"pairs": {"enabled": False}}}) as w:
        w.write_problem("p", [{"problem_id": "p", "position": 1, "direction": "raises", "delta": 0.5}], [], {})
    out = tmp_path / "out.jsonl"
    assert cli(["export", "--run", str(tmp_path / "run"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--no-pairs-enabled" in err and "--kind pivots" in err and not out.exists()
    assert cli(["export", "--run", str(tmp_path / "run"), "--format", "jsonl", "--kind", "pivots", "--out", str(out),
                "--quiet"]) == 0


def test_an_hf_export_keeps_a_field_its_first_record_lacks(tmp_path):
    """datasets' from_list takes its columns from the first record: a run resumed by a later ptsfast (its first
    records without a field the later ones have, think_open here) lost that field in every record of the hf
    export."""
    import datasets

    run = hand_run(tmp_path, [(7, "raises", "confirmed", 0.3, 0.8)])
    recs = read(run / "pairs.jsonl")
    older = {k: v for k, v in recs[0].items() if k != "think_open"}
    newer = dict(recs[0], problem_id="q", think_open=True)
    with RunWriter(tmp_path / "resumed", {"model": "tiny"}) as w:
        w.write_problem("p", [], [older], {})
        w.write_problem("q", [], [newer], {})
    assert export(tmp_path / "resumed", tmp_path / "hf", fmt="hf") == 2
    rows = datasets.load_from_disk(str(tmp_path / "hf")).to_list()
    assert [r.get("think_open") for r in rows] == [None, True]


@pytest.mark.parametrize("fmt", ["jsonl", "pts"])
def test_min_delta_measures_a_pivots_delta_along_its_direction(tmp_path, fmt):
    """An undecided raising pivot whose fresh report fell by 0.25 passed --min-delta 0.2 (|Δp| 0.25) as a pivot
    that raises p by at least 0.2; a pivot's Δp counts along its direction, as a pair's (chosen - rejected) does."""
    run = hand_run(tmp_path, [(7, "raises", "undecided", 0.5, 0.25), (7, "raises", "confirmed", 0.3, 0.6),
                              (9, "lowers", "undecided", 0.4, 0.65), (9, "lowers", "confirmed", 0.7, 0.4)])
    out = tmp_path / "out.jsonl"
    assert export(run, out, fmt=fmt, kind="pivots", min_delta=0.2) == 2
    assert [r["position"] for r in read(out)] == [1, 3]
    assert export(run, out, fmt=fmt, kind="pivots") == 4


def test_a_text_only_trl_export_leaves_out_pairs_whose_text_is_another_pair(tmp_path, caplog):
    """keep_fields=False writes prompt/chosen/rejected alone, for TRL's text path; a pair whose text tokenises to
    other ids (text_exact false: here the chosen side is a lone byte of a character) trained there as another
    pair, and without its text_exact field nothing said so."""
    tok = gpt2_like()
    ids = tok("Step 1: add 3 and 5.")["input_ids"]
    byte = tok.convert_tokens_to_ids("\u00c3")  # 0xC3: the first byte of a two-byte character
    rows = [record(tok, ids[:3], ids[3], ids[4]), record(tok, ids[:3], byte, ids[4])]
    assert [r["text_exact"] for r in rows] == [True, False]
    with RunWriter(tmp_path / "run", {"model": "tiny"}) as w:
        w.write_problem("p", [], rows, {})
    out = tmp_path / "text.jsonl"
    assert export(tmp_path / "run", out, keep_fields=False) == 1
    assert read(out) == [{k: rows[0][k] for k in ("prompt", "chosen", "rejected")}]
    assert "1 of 2 pairs" in caplog.text and "PivotDPOTrainer" in caplog.text
    assert export(tmp_path / "run", tmp_path / "all.jsonl") == 2  # with their ids, PivotDPOTrainer trains both
