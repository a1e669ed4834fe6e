"""Exports of round 12: records rewritten by hand, and texts of a token that are not what the model sampled."""

import json
import shutil

import pytest
from cli_errors import one_line_error
from tiny_models import mine_tiny_pivot_run, tiny_anchors_run

from ptsfast.cli import main as cli


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round12") / "run"
    mine_tiny_pivot_run(out)
    return out


def edited_copy(run, tmp_path, name, line, **fields):
    """A copy of ``run`` whose ``name`` line ``line`` (0-based) has ``fields`` set, as another tool writes it."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    lines = (edited / name).read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[line])
    rec.update(fields)
    lines[line] = json.dumps(rec) + "\n"
    (edited / name).write_text("".join(lines), encoding="utf-8")
    return edited, rec


@pytest.mark.parametrize("name, field, value, fmt, flags", [
    ("pivots.jsonl", "delta", "0.3", "pts", ["--min-delta", "0.1"]),  # TypeError: bad operand for unary -
    ("pivots.jsonl", "token_id", None, "pts", []),  # TypeError in int()
    ("pivots.jsonl", "prefix_ids", "[3, 16]", "pts", []),  # "invalid literal for int() with base 10: '['"
    ("pivots.jsonl", "position", "8", "pts", []),  # written, its pair's rejected_token silently lost
    ("pairs.jsonl", "chosen_ids", 7, "pts", []),  # TypeError: 'int' object is not subscriptable
    ("pairs.jsonl", "p_chosen", "1.0", "hf", []),  # ArrowTypeError: Expected bytes, got a 'float' object
    ("pairs.jsonl", "chosen", None, "trl", []),  # written: a null chosen that TRL's tokenisation fails on
])
def test_a_record_rewritten_with_a_field_of_another_type_is_named_with_its_file(run, tmp_path, capsys, name, field,
                                                                               value, fmt, flags):
    """A record saved back by a spreadsheet or a script ("0.3" for 0.3, null for an id) ended the exports in a
    TypeError or an Arrow error naming neither file nor record, or was written as it was (a string position no
    longer met its pair; a null chosen is no text to train on). It is named, with the field and its value."""
    edited, rec = edited_copy(run, tmp_path, name, 0, **{field: value})
    out = tmp_path / ("out" if fmt == "hf" else "out.jsonl")
    assert cli(["export", "--run", str(edited), "--format", fmt, "--out", str(out), *flags]) == 2
    one_line_error(capsys, name, f"has {field} {value!r}", repr(rec["problem_id"]), "another tool rewrote")
    assert not out.exists()


def test_a_pair_that_lost_a_field_the_pts_export_reads_is_named_not_a_key_error(run, tmp_path, capsys):
    """The pts export reads the pairs file beside the pivots for each pivot's rejected_token: a pair without its
    chosen text ended it in KeyError: 'chosen'."""
    edited, rec = edited_copy(run, tmp_path, "pairs.jsonl", 0)
    lines = (edited / "pairs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    del rec["chosen"]
    lines[0] = json.dumps(rec) + "\n"
    (edited / "pairs.jsonl").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "pivotal_tokens.jsonl"
    assert cli(["export", "--run", str(edited), "--format", "pts", "--out", str(out)]) == 2
    one_line_error(capsys, "pairs.jsonl", "lacks ['chosen']", repr(rec["problem_id"]))
    assert not out.exists()


def half_character_run(folder, recorded: bool):
    """A run of the byte-level BPE whose solution ends in "é", two tokens of one byte each: pivots at its first
    byte (part of a character) and at " 3" before it (a whole token), no pairs. ``recorded``: written through the
    mining writer's records (problem_records); else as a run mined before ``token_text_exact`` was recorded."""
    from types import SimpleNamespace

    from tiny_models import byte_level_bpe

    from ptsfast.mining.types import EstimateSummary, PivotRecord, TrajectoryResult
    from ptsfast.outputs.rundir import RunWriter, pivot_record, problem_record, trajectory_record
    from ptsfast.pipeline.loop import ProblemResult, SampledTrajectory
    from ptsfast.pipeline.records import problem_records
    from ptsfast.problems.loading import Problem

    tok = byte_level_bpe()
    prompt = tok("<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n")["input_ids"]
    solution = tok("Tom has 3")["input_ids"] + tok(" é")["input_ids"]
    assert len(tok(" é")["input_ids"]) == 3 and tok.decode(solution[-2:-1]) == "\ufffd"
    lo, hi = (EstimateSummary(p, int(16 * p), 16, max(0.0, p - 0.2), min(1.0, p + 0.2), False) for p in (0.3, 0.9))
    half, whole = len(solution) - 2, len(solution) - 4
    found = [PivotRecord("p#0", "p", i, solution[i], lo, hi, "raises", "confirmed") for i in (whole, half)]
    assert tok.decode(solution[whole:whole + 1]) == " 3"
    problem = Problem("p", "What is 2+3?")
    if recorded:
        result = ProblemResult(SimpleNamespace(prompt_ids=prompt, problem=problem, solution_ids=None, think_open=False),
                               [SampledTrajectory("p#0", tuple(solution), tok.decode(solution), True, "stop", None)],
                               [TrajectoryResult("p#0", "p", True, lo, pivots=found)])
        pivots, pairs, summary = problem_records(result, tok, {"model": "tiny", "oracle": "gsm8k"})
        assert [pv.get("token_text_exact") for pv in pivots] == [True, False]
    else:
        pivots = [pivot_record(v, tok, prompt, solution, {"model": "tiny", "oracle": "gsm8k"}) for v in found]
        summary = problem_record(problem, [trajectory_record({"key": "p#0", "kept": True}, tok, prompt, solution)],
                                 prompt)
    with RunWriter(folder, {"model": "tiny"}) as w:
        w.write_problem("p", pivots, [], summary)
    return tok


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "older-run"])
def test_a_pts_record_of_a_token_that_is_part_of_a_character_says_its_text_is_not_the_token(tmp_path, recorded):
    """A pivot at the first byte of "é" is written with pivot_token "\\ufffd" (the byte has no text of its own).
    Without a pair its pts record carried no flag saying so (pivot_context_exact is true): codelion's DPO export,
    finding a rejected token for it, trains on U+FFFD's own tokens, another token than was mined. Its records now
    say pivot_token_exact false; a whole token's says true where the run recorded it or the export has the
    tokenizer, and null (unknown) where neither."""
    from ptsfast.outputs.export import export

    tok = half_character_run(tmp_path / "run", recorded)
    for model, name in ((None, "plain"), ((None, tok), "tokenizer")):
        out = tmp_path / f"{name}.jsonl"
        assert export(tmp_path / "run", out, fmt="pts", model=model) == 2
        recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [r["pivot_token"] for r in recs] == [" 3", "\ufffd"]
        assert all(r["pivot_context_exact"] for r in recs)
        for r in recs:  # as codelion's readers and TRL tokenise its pivot_context + pivot_token
            read = tok(r["pivot_context"] + r["pivot_token"])["input_ids"]
            assert (read == r["pivot_context_ids"] + [r["pivot_token_id"]]) is (r["position"] != recs[1]["position"])
        known = recorded or model is not None
        assert [r["pivot_token_exact"] for r in recs] == [True if known else None, False]


def word_tokenizer(clean_up: bool):
    """A word-level tokenizer with punctuation, decoding ' ,' as it is or cleaned up to ',' (``clean_up``), as one
    transformers release decodes a model's ids and another does not."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, ",": 3, ".": 4, **{f"w{k}": k for k in range(5, 40)}}
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tk.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tk.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", bos_token="<s>", eos_token="</s>",
                                   clean_up_tokenization_spaces=clean_up)


def test_training_takes_the_runs_own_tokenizer_that_decodes_spaces_before_punctuation_otherwise(tmp_path):
    """Pairs mined where the tokenizer decoded "w5 w6 , w7 ." and trained where it cleans up the spaces ("w5 w6,
    w7.": transformers' clean_up_tokenization_spaces, set otherwise by another release) were refused by
    PivotDPOTrainer's check as another model's, though the ids are the same model's (the pts export's check compares
    the words since 99b2064). Another model's words are still refused."""
    pytest.importorskip("trl")
    import datasets

    from ptsfast.outputs.dpo import prepare_pairs

    mined, trained = word_tokenizer(False), word_tokenizer(True)
    ids = mined("w5 w6 , w7 .")["input_ids"]
    assert mined.decode(ids) != trained.decode(ids)
    row = {"prompt": mined.decode(ids), "chosen": " w9", "rejected": " w8", "prompt_ids": ids, "chosen_ids": [9],
           "rejected_ids": [8], "problem_id": "p", "position": 2, "model": "tiny"}
    ready = prepare_pairs(datasets.Dataset.from_list([row]), trained)
    assert ready.to_list() == [{"prompt_ids": ids, "chosen_ids": [9], "rejected_ids": [8]}]
    other = datasets.Dataset.from_list([{**row, "prompt": "w5 w6 , w8 ."}])
    with pytest.raises(ValueError, match="another model"):
        prepare_pairs(other, trained)


def test_a_pts_export_says_where_a_pivot_and_its_alternative_read_as_one_text(tmp_path, caplog):
    """The first bytes of "é" and of "中" are two tokens that each read as U+FFFD after a context: a pair of them
    is exported with rejected_token == pivot_token, and codelion's DPO export keeps a pair only where
    rejected_token != pivot_token, so the pair was lost there without a word from either tool."""
    import logging

    from tiny_models import byte_level_bpe

    from ptsfast.mining.types import EstimateSummary, PairRecord, PivotRecord
    from ptsfast.outputs.export import export
    from ptsfast.outputs.rundir import RunWriter, pair_record, pivot_record

    tok = byte_level_bpe()
    prompt = tok("<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n")["input_ids"]
    first_e, first_zh = tok(" é")["input_ids"][1], tok(" 中")["input_ids"][1]
    solution = tok("Tom has")["input_ids"] + tok(" é")["input_ids"]
    i = solution.index(first_e)
    assert first_e != first_zh and tok.decode([first_e]) == tok.decode([first_zh]) == "\ufffd"
    lo, hi = (EstimateSummary(p, int(16 * p), 16, max(0.0, p - 0.2), min(1.0, p + 0.2), False) for p in (0.3, 0.9))
    run = {"model": "tiny", "oracle": "gsm8k"}
    pivot = pivot_record(PivotRecord("p#0", "p", i, first_e, lo, hi, "raises", "confirmed"), tok, prompt, solution,
                         run)
    pair = pair_record(PairRecord("p#0", "p", i, tuple(prompt + solution[:i]), first_e, first_zh, hi, lo, "raises"),
                       tok, run)
    with RunWriter(tmp_path / "run", {"model": "tiny"}) as w:
        w.write_problem("p", [pivot], [pair], {"question": "What is 2+3?"})
    out = tmp_path / "pivotal_tokens.jsonl"
    with caplog.at_level(logging.WARNING):
        assert export(tmp_path / "run", out, fmt="pts") == 1
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert rec["rejected_token"] == rec["pivot_token"] and rec["rejected_token_id"] != rec["pivot_token_id"]
    assert rec["pair_text_exact"] is False
    assert any("1 pivots' rejected_token reads as the same text" in m and "skips" in m for m in caplog.messages), \
        caplog.messages


def test_training_takes_a_token_the_model_has_beyond_its_tokenizers_vocabulary(tmp_path):
    """A model may have more embedding rows than its tokenizer has tokens (Qwen2.5's 151,936 and 151,665) and sample
    one of them; the pts export takes such a run since bcd9fa0. PivotDPOTrainer refused its pairs as another
    model's ('uses token id 100 but the tokenizer has 97 tokens'), though the model trains on the id; an id beyond
    the model's own rows is still refused."""
    pytest.importorskip("trl")
    import datasets
    from tiny_models import tiny_model, tiny_tokenizer
    from trl import DPOConfig

    from ptsfast.outputs.dpo import PivotDPOTrainer

    tok = tiny_tokenizer()
    prompt = [5, 17, 33, 8]
    rows = [{"prompt": tok.decode(prompt), "chosen": "", "rejected": " w9", "prompt_ids": prompt, "chosen_ids": [100],
             "rejected_ids": [9], "problem_id": "q0", "position": 2, "model": "tiny"}]
    args = DPOConfig(output_dir=str(tmp_path / "dpo"), max_steps=1, per_device_train_batch_size=1, report_to=[],
                     save_strategy="no", use_cpu=True)
    assert len(tok) == 97
    trainer = PivotDPOTrainer(model=tiny_model("llama", vocab_size=128), ref_model=tiny_model("llama", vocab_size=128),
                              args=args, train_dataset=datasets.Dataset.from_list(rows), processing_class=tok)
    assert trainer.train_dataset.to_list() == [{"prompt_ids": prompt, "chosen_ids": [100], "rejected_ids": [9]}]
    trainer.train()
    with pytest.raises(ValueError, match="token id 100 but the model has 97 tokens"):
        PivotDPOTrainer(model=tiny_model("llama"), ref_model=tiny_model("llama"), args=args,
                        train_dataset=datasets.Dataset.from_list(rows), processing_class=tok)


@pytest.mark.parametrize("fields, shown", [
    ({"position": "8"}, "has position '8'"),  # TypeError: can only concatenate str (not "int") to str
    ({"position": None}, "has position None"),  # TypeError: unsupported operand type(s) for +
    ({"before": {"p": "0.3", "successes": 1, "trials": 3}}, "has before {'p': '0.3'"),  # Unknown format code 'f'
])
def test_a_report_of_a_pivot_rewritten_with_a_field_of_another_type_names_it(run, tmp_path, capsys, fields, shown):
    """`ptsfast report` of a run whose pivots.jsonl another tool saved back ("8" for 8, a p "0.3") ended in a
    TypeError or ValueError traceback naming neither file nor pivot, as the exports did."""
    edited, rec = edited_copy(run, tmp_path, "pivots.jsonl", 0, **fields)
    out = tmp_path / "report.html"
    assert cli(["report", "--run", str(edited), "--out", str(out)]) == 2
    one_line_error(capsys, "pivots.jsonl", shown, repr(rec["problem_id"]), "another tool rewrote")
    assert not out.exists()


def test_an_exported_record_carries_what_the_oracle_reads_of_its_problem(tmp_path):
    """A pts or trl record carries the ids, sampler, prompt_len and think_open a re-estimate needs, but not the
    reference answer the oracle judges each rollout against (nor a problem's choices or tests): an export shared
    alone (a Hub dataset, as codelion's are) could not be re-judged. It carries them as the run's problems.jsonl
    line gives them (answer null where that line is not at hand)."""
    from ptsfast.mining.types import EstimateSummary, PairRecord, PivotRecord
    from ptsfast.outputs.export import export
    from ptsfast.outputs.rundir import RunWriter, pair_record, pivot_record
    from tiny_models import tiny_tokenizer

    tok = tiny_tokenizer()
    prompt, solution = [5, 17, 33], [8, 7, 9, 12]
    lo, hi = (EstimateSummary(p, int(16 * p), 16, max(0.0, p - 0.2), min(1.0, p + 0.2), False) for p in (0.3, 0.9))
    run = {"model": "tiny", "oracle": "multiple_choice"}
    pivot = pivot_record(PivotRecord("q#0", "q", 1, 7, lo, hi, "raises", "confirmed"), tok, prompt, solution, run)
    pair = pair_record(PairRecord("q#0", "q", 1, tuple(prompt + solution[:1]), 7, 11, hi, lo, "raises"), tok, run)
    problem = {"question": "w5 w17 w33", "answer": "B", "choices": ["w7", "w9"], "prompt_ids": prompt}
    with RunWriter(tmp_path / "run", {"model": "tiny"}) as w:
        w.write_problem("q", [pivot], [pair], problem)
    for fmt in ("pts", "trl"):
        out = tmp_path / f"{fmt}.jsonl"
        assert export(tmp_path / "run", out, fmt=fmt) == 1
        rec = json.loads(out.read_text(encoding="utf-8"))
        assert (rec["answer"], rec["choices"], "tests" in rec) == ("B", ["w7", "w9"], False), fmt
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "pairs.jsonl").write_bytes((tmp_path / "run" / "pairs.jsonl").read_bytes())
    assert export(tmp_path / "loose" / "pairs.jsonl", tmp_path / "loose.jsonl") == 1
    assert json.loads((tmp_path / "loose.jsonl").read_text(encoding="utf-8"))["answer"] is None


def test_a_thought_anchor_record_carries_its_problems_answer(tmp_path):
    """As a pts or trl record: a thought anchor exported alone is re-judged against its problem's answer."""
    from ptsfast.outputs.export import export

    run = tiny_anchors_run(tmp_path / "run", answer="w7")
    out = tmp_path / "anchors.jsonl"
    assert export(run, out, fmt="thought_anchors", kind="sentences") >= 1
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["answer"] for r in recs} == {"w7"}


@pytest.mark.parametrize("fields, shown", [
    ({"p_with": {"p": "0.5", "successes": 1, "trials": 2}}, "has p_with {'p': '0.5'"),  # TypeError: str - float
    ({"p_resampled": None}, "has p_resampled None"),  # TypeError: 'NoneType' object is not subscriptable
    ({"sentence_id": "0"}, "has sentence_id '0'"),  # written as a string where codelion's readers take an int
])
def test_a_sentence_rewritten_with_a_field_of_another_type_is_named_with_its_file(tmp_path, capsys, fields, shown):
    """A thought-anchors run's sentences.jsonl saved back by another tool ended the thought_anchors export in a
    TypeError naming neither file nor sentence, or was written with a string sentence_id, as pivots and pairs did."""
    run = tiny_anchors_run(tmp_path / "run", answer="w7")
    lines = (run / "sentences.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = json.dumps(json.loads(lines[0]) | fields) + "\n"
    (run / "sentences.jsonl").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "anchors.jsonl"
    assert cli(["export", "--run", str(run), "--format", "thought_anchors", "--kind", "sentences", "--out",
                str(out)]) == 2
    one_line_error(capsys, "sentences.jsonl", shown, "'a0'", "another tool rewrote")
    assert not out.exists()


def test_a_loose_pairs_file_beside_the_users_own_pivots_file_exports(run, tmp_path):
    """A pairs.jsonl copied into a folder of the user's that holds a pivots.jsonl of their own (other JSON records)
    exports as it did before the records were checked: that file is not the run's, its records are left out."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "pairs.jsonl").write_bytes((run / "pairs.jsonl").read_bytes())
    (folder / "pivots.jsonl").write_text('{"problem_id": "p0", "position": "eight", "note": "mine"}\n',
                                         encoding="utf-8")
    n = len((run / "pairs.jsonl").read_text(encoding="utf-8").splitlines())
    out = tmp_path / "dpo.jsonl"
    assert cli(["export", "--run", str(folder / "pairs.jsonl"), "--out", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == n


@pytest.mark.parametrize("installed, warned", [("0.28.0", True), ("0.19.1", True), ("0.29.0", False),
                                               ("1.16.0", False)])
def test_a_trl_export_says_where_the_installed_trl_reads_its_text_otherwise(run, tmp_path, caplog, monkeypatch,
                                                                            installed, warned):
    """TRL before 0.29 tokenised a DPO row's prompt, chosen and rejected apart, without the BOS (tokenize_row);
    0.29 and later tokenise prompt + completion whole, the BOS added, which each pair's text_exact follows. With an
    older TRL installed the trl export said nothing, and its exact-looking text pairs trained other ids."""
    import importlib.metadata
    import logging

    from ptsfast.outputs.export import export

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: installed if name == "trl" else real(name))
    with caplog.at_level(logging.WARNING):
        assert export(run, tmp_path / "dpo.jsonl", keep_fields=False) >= 1
    said = [m for m in caplog.messages if f"trl {installed} is installed" in m]
    assert bool(said) is warned and all("text_exact" in m and "trl>=0.29" in m for m in said), caplog.messages


def test_training_pairs_whose_prompt_is_a_list_of_messages_is_checked_by_their_ids(tmp_path):
    """TRL's conversational rows hold the prompt as messages ([{"role": "user", "content": ...}]); such rows with
    the mined ids (a dataset TRL prepared, saved with its ids) ended PivotDPOTrainer's check in an AttributeError
    ('list' object has no attribute 'split'). The ids are checked; a text prompt is still compared."""
    pytest.importorskip("trl")
    import datasets

    from ptsfast.outputs.dpo import prepare_pairs

    tok = word_tokenizer(False)
    ids = tok("w5 w6 w7")["input_ids"]
    row = {"prompt": [{"role": "user", "content": "w5 w6 w7"}], "chosen": [{"role": "assistant", "content": "w9"}],
           "rejected": [{"role": "assistant", "content": "w8"}], "prompt_ids": ids, "chosen_ids": [9],
           "rejected_ids": [8], "problem_id": "p", "position": 2}
    ready = prepare_pairs(datasets.Dataset.from_list([row]), tok)
    assert ready.to_list() == [{"prompt_ids": ids, "chosen_ids": [9], "rejected_ids": [8]}]
    with pytest.raises(ValueError, match="token id 99"):
        prepare_pairs(datasets.Dataset.from_list([{**row, "chosen_ids": [99]}]), tok)


@pytest.mark.parametrize("created, stamp", [(1733500000, "2024-12-06T15:46:40"), ([2024], None), (1e300, None)])
def test_a_run_whose_start_another_tool_wrote_as_a_number_exports(run, tmp_path, created, stamp):
    """run.json's created rewritten as a POSIX time (1733500000, as many tools write a time) ended the pts and
    thought_anchors exports in 'TypeError: fromisoformat: argument must be str'. It is that time; a value that is
    no time gives the export's own, as an unreadable one did."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    info = json.loads((edited / "run.json").read_text(encoding="utf-8"))
    (edited / "run.json").write_text(json.dumps({**info, "created": created}), encoding="utf-8")
    out = tmp_path / "pivotal_tokens.jsonl"
    assert cli(["export", "--run", str(edited), "--format", "pts", "--out", str(out)]) == 0
    stamps = {json.loads(line)["timestamp"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert len(stamps) == 1 and (stamp is None or stamps == {stamp}), stamps


def test_training_a_model_that_does_not_name_its_embeddings(tmp_path):
    """A model whose get_input_embeddings is transformers' base one (NotImplementedError: a custom architecture)
    failed PivotDPOTrainer's start since its ids are bounded by the model's rows (10cc336), though TRL trains it;
    its pairs are bounded by the tokenizer's size, as a model given by name."""
    pytest.importorskip("trl")
    import datasets
    from tiny_models import tiny_model, tiny_tokenizer
    from trl import DPOConfig

    from ptsfast.outputs.dpo import PivotDPOTrainer

    def unnamed():
        raise NotImplementedError("get_input_embeddings")

    model = tiny_model("llama")
    model.get_input_embeddings = unnamed
    tok = tiny_tokenizer()
    rows = [{"prompt": tok.decode([5, 6]), "chosen": " w7", "rejected": " w9", "prompt_ids": [5, 6],
             "chosen_ids": [7], "rejected_ids": [9]}]
    args = DPOConfig(output_dir=str(tmp_path / "dpo"), max_steps=1, per_device_train_batch_size=1, report_to=[],
                     save_strategy="no", use_cpu=True)
    trainer = PivotDPOTrainer(model=model, ref_model=tiny_model("llama"), args=args,
                              train_dataset=datasets.Dataset.from_list(rows), processing_class=tok)
    assert trainer.train_dataset.to_list() == [{"prompt_ids": [5, 6], "chosen_ids": [7], "rejected_ids": [9]}]
    with pytest.raises(ValueError, match="token id 97 but the model has 97 tokens"):
        PivotDPOTrainer(model=model, ref_model=tiny_model("llama"), args=args, processing_class=tok,
                        train_dataset=datasets.Dataset.from_list([{**rows[0], "chosen_ids": [97]}]))


@pytest.mark.parametrize("fmt, name", [("pts", "pivots.jsonl"), ("trl", "pairs.jsonl")])
def test_a_records_file_copied_while_its_run_wrote_it_exports_its_whole_records(run, tmp_path, caplog, fmt, name):
    """A run's pivots.jsonl or pairs.jsonl copied out while the run was writing it ends in a line cut short (no
    newline, no JSON). In the run folder such a line is left out; the copy, a loose file, failed to export ('line
    N is not JSON'). Its whole records export, the cut line said; a line that is no JSON before the last, or
    a file of one such line, is still refused."""
    import logging

    from ptsfast.outputs.export import export

    lines = (run / name).read_bytes().splitlines(keepends=True)
    loose = tmp_path / "copy" / name
    loose.parent.mkdir()
    loose.write_bytes(b"".join(lines[:-1]) + lines[-1][:len(lines[-1]) // 2])
    out = tmp_path / "out.jsonl"
    with caplog.at_level(logging.WARNING):
        assert export(loose, out, fmt=fmt) == len(lines) - 1
    assert any(f"line {len(lines)} is cut short" in m for m in caplog.messages), caplog.messages
    (tmp_path / "one.jsonl").write_bytes(lines[0][:20])
    assert cli(["export", "--run", str(tmp_path / "one.jsonl"), "--format", fmt, "--out", str(out)]) == 2


def test_load_pairs_of_a_pairs_file_copied_while_it_was_written_takes_its_whole_pairs(run, tmp_path, caplog):
    """As the export reads it (7b3c436): load_pairs of a pairs.jsonl copied while its run wrote it failed with
    'line N is not JSON' at the cut last line; the pairs before it load, the cut line said."""
    pytest.importorskip("trl")
    import logging

    from ptsfast.outputs.dpo import load_pairs

    lines = (run / "pairs.jsonl").read_bytes().splitlines(keepends=True)
    loose = tmp_path / "pairs.jsonl"
    loose.write_bytes(b"".join(lines[:-1]) + lines[-1][:len(lines[-1]) // 2])
    with caplog.at_level(logging.WARNING):
        assert len(load_pairs(loose)) == len(lines) - 1
    assert any(f"line {len(lines)} is cut short" in m for m in caplog.messages), caplog.messages
    loose.write_bytes(lines[0] + b"not json\n" + lines[1])
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        load_pairs(loose)


def test_an_export_into_an_anchors_run_folder_names_it_a_run_of_either_command(tmp_path, capsys):
    """The refusal named the folder a run 'written by `ptsfast mine`' where `ptsfast anchors` wrote it."""
    run, other = tiny_anchors_run(tmp_path / "run"), tiny_anchors_run(tmp_path / "other")
    assert cli(["export", "--run", str(run), "--format", "thought_anchors", "--out", str(other / "x.jsonl")]) != 0
    err = capsys.readouterr().err
    assert "is in a run folder" in err and "`ptsfast anchors`" in err and not (other / "x.jsonl").exists()
