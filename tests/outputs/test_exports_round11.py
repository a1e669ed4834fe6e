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


@pytest.mark.parametrize("src, out, words", [
    (None, "x.jsonl", ["src=None", "run folder", "os.PathLike"]),
    (123, "x.jsonl", ["src=123", "run folder"]),
    (["RUN"], "x.jsonl", ["src=", "list", "run folder"]),
    ("RUN", None, ["out=None", "file path", "'-'"]),
    ("RUN", 5, ["out=5", "file path"]),
])
def test_export_given_no_path_says_which_argument_and_what_it_takes(run, tmp_path, src, out, words):
    """The Python API's export(src, out) given something that is no path (None from a config, a list of runs)
    failed in pathlib with 'expected str, bytes or os.PathLike object, not NoneType', naming neither argument."""
    src = [run] if src == ["RUN"] else run if src == "RUN" else src
    out = tmp_path / out if isinstance(out, str) else out
    with pytest.raises(TypeError) as e:
        export(src, out)
    assert all(w in str(e.value) for w in words), str(e.value)


def test_export_takes_a_bytes_path_as_the_os_does(run, tmp_path):
    """os.fsencode'd paths (bytes, as os.listdir(b'.') gives them) are paths to every os function; pathlib refused
    them ('argument should be a str or an os.PathLike object returning str')."""
    import os

    out = tmp_path / "pairs.jsonl"
    assert export(os.fsencode(run), os.fsencode(out)) == export(run, tmp_path / "again.jsonl") > 0


@pytest.mark.parametrize("fmt", ["pts", "steering"])
@pytest.mark.parametrize("given", ["model", "tokenizer", "swapped", "one"])
def test_export_model_given_as_something_else_than_a_path_or_a_model_tokenizer_pair_says_so(run, tmp_path, fmt,
                                                                                            given):
    """model= takes a model's folder or a loaded (model, tokenizer). A loaded model alone (or its tokenizer) was
    taken for a path: 'File name too long: LlamaForCausalLM(...)'; the pair swapped ended the steering export in
    'cannot find the decoder layers of TokenizersBackend' and the pts one in a torch TypeError; a 1-tuple in an
    IndexError."""
    m, tok = tiny_pivot_model(), tiny_tokenizer()
    model = {"model": m, "tokenizer": tok, "swapped": (tok, m), "one": (m,)}[given]
    out = tmp_path / "out.jsonl"
    with pytest.raises(TypeError) as e:
        export(run, out, fmt=fmt, model=model)
    msg = str(e.value)
    assert "(model, tokenizer)" in msg and "folder" in msg and len(msg) < 400, msg
    if given == "swapped":
        assert "order" in msg
    assert not out.exists()
    assert export(run, out, fmt=fmt, model=[m, tok]) > 0  # a list of the two, as from a config, is a pair


def half_character_run(root):
    """A run mined through a ChatML template by a tiny Llama over a byte-level BPE whose deciding tokens are the
    first bytes of 'é' and of '日' (each half a UTF-8 character): its pivots are tokens that are part of a
    character, their text completed by the token after them."""
    import torch
    from test_exports_round8 import chatml
    from tiny_models import tiny_model

    from ptsfast.engine import EngineConfig
    from ptsfast.mining.types import EstimatorConfig, FilterConfig, MiningConfig, PairConfig
    from ptsfast.pipeline import MineOptions, mine
    from ptsfast.problems.loading import Problem

    tok = chatml()
    a, b = (tok("é 日", add_special_tokens=False)["input_ids"][i] for i in (0, 3))
    assert tok.decode([a]) == tok.decode([b]) == "\ufffd"
    model = tiny_model("llama", seed=3, mlp_bias=True, vocab_size=len(tok), eos_token_id=tok.eos_token_id,
                       bos_token_id=0, pad_token_id=tok.pad_token_id)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
        model.model.layers[-1].mlp.down_proj.bias[0] = 10.0
        model.lm_head.weight[[a, b], 0] += 0.55
        model.lm_head.weight[tok.all_special_ids, 0] -= 100.0

    def oracle(text, problem):
        first = [t for t in tok(text, add_special_tokens=False)["input_ids"] if t in (a, b)]
        return bool(first) and first[0] == a

    small = dict(max_rollouts=8, key_max_rollouts=8, long_max_rollouts=8, confirm_rollouts=8, confirm_max_rollouts=8,
                 confirm_report_rollouts=8)
    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, problems_per_batch=6,
                          mining=MiningConfig(filter=FilterConfig(enabled=False), estimator=EstimatorConfig(**small),
                                              pairs=PairConfig(fresh_rollouts=8, fresh_max_rollouts=8)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    problems = [Problem(f"p{i}", f"What is {i}+3?") for i in range(6)]
    mine(model, tok, problems, root / "run", options, oracle=oracle, progress=False, model_name="tiny")
    pivots = [json.loads(line) for line in (root / "run" / "pivots.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(p["token_id"] in (a, b) for p in pivots), "the tiny setup is tuned to make them pivots"
    return root / "run", tok, (a, b)


@pytest.fixture(scope="module")
def half(tmp_path_factory):
    return half_character_run(tmp_path_factory.mktemp("half"))


def test_a_pivot_that_is_part_of_a_character_is_boxed_visibly_in_the_report(half, tmp_path):
    """A token that is the first byte of a character adds no text of its own (its text goes to the token that
    completes it): the report boxed an empty span, and the pivot at it could not be seen or hovered."""
    import re

    from ptsfast.outputs.report import write_report

    run, _, _ = half
    page, _ = write_report(run, tmp_path / "report.html")
    spans = re.findall(r"<span class='t pv[^']*'[^>]*>([^<]*)</span>", page.read_text(encoding="utf-8"))
    n = sum(len(line.strip()) > 0 for line in (run / "pivots.jsonl").read_text(encoding="utf-8").splitlines())
    assert len(spans) == n and all(spans), spans


@pytest.mark.parametrize("args, words", [
    ((None,), ["run_dir=None", "run folder", "os.PathLike"]),
    ((["RUN"],), ["run_dir=", "list", "run folder"]),
    (("RUN", 5), ["out_html=5", "file path"]),
    (("RUN", None, 5), ["out_png=5", "file path"]),
])
def test_write_report_given_no_path_says_which_argument_and_what_it_takes(run, tmp_path, args, words):
    """write_report(None) (a run folder from a config that had none) failed in pathlib with 'expected str, bytes
    or os.PathLike object, not NoneType', naming no argument."""
    from ptsfast.outputs.report import load_run, write_report

    args = tuple([run] if a == ["RUN"] else run if a == "RUN" else a for a in args)
    with pytest.raises(TypeError) as e:
        write_report(*args)
    assert all(w in str(e.value) for w in words), str(e.value)
    if len(args) == 1:
        with pytest.raises(TypeError, match="run folder"):
            load_run(*args)


@pytest.mark.parametrize("number", ["1e999", "-1e400"])
def test_a_number_beyond_any_float_in_a_record_is_named_with_its_file_and_line(run, tmp_path, capsys, number):
    """JSON's grammar has no bound on a number, and Python reads 1e999 as inf (a C printf or another language's
    writer gives such numbers for an overflowed value): the jsonl export, which writes strict JSON, failed on it
    with 'Out of range float values are not JSON compliant', naming neither the file nor the record."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    lines = (edited / "pivots.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace('"delta_hi": ', f'"delta_hi": {number}, "was": ', 1)
    (edited / "pivots.jsonl").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "pivots.jsonl"
    assert cli(["export", "--run", str(edited), "--format", "jsonl", "--kind", "pivots", "--out", str(out)]) == 2
    one_line_error(capsys, "pivots.jsonl line 3", number, "null")
    assert not out.exists()


def test_a_steering_layer_given_as_a_numpy_or_torch_integer_is_taken(run, tmp_path):
    """A layer from a sweep (for layer in np.arange(n), torch.arange(n)) is an integer to every index: the steering
    export refused it, 'layer (--layer) must be an int, got int64'."""
    import numpy as np
    import torch

    pair = (tiny_pivot_model(), tiny_tokenizer())
    for k, layer in enumerate((np.int64(1), torch.tensor(-1))):
        out = tmp_path / f"steering{k}.jsonl"
        assert export(run, out, fmt="steering", model=pair, layer=layer) > 0
        recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert {r["steering_layer"] for r in recs} == {1} and type(recs[0]["steering_layer"]) is int
    with pytest.raises(ValueError, match="must be an int"):
        export(run, tmp_path / "s.jsonl", fmt="steering", model=pair, layer=1.5)



def word_tokenizer(words: int, prefix: str = "w"):
    """A word-level tokenizer as tiny_tokenizer's, over ``words`` ids: token k <-> word ``{prefix}{k}``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, **{f"{prefix}{k}": k for k in range(3, words)}}
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tk.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tk.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", bos_token="<s>", eos_token="</s>")


@pytest.mark.parametrize("words, prefix", [(40, "w"), (97, "v")])
def test_a_pts_export_given_another_models_tokenizer_is_refused_not_written_with_its_flags(run, tmp_path, words,
                                                                                          prefix):
    """--model (or a loaded pair) for the pts export gives the tokenizer that decodes an older run's contexts and
    tokenises codelion's DPO pair of each record (pair_text_exact): another model's tokenizer (fewer words, or as
    many other ones) wrote records whose flags said false for pairs that are exact, nothing said (the steering
    export checks the vocabulary; the pts export checked nothing)."""
    from tiny_models import tiny_model

    out = tmp_path / "pivotal_tokens.jsonl"
    with pytest.raises(ValueError) as e:
        export(run, out, fmt="pts", model=(tiny_model("llama"), word_tokenizer(words, prefix)))
    assert "another model" in str(e.value) and "--model" in str(e.value), str(e.value)
    assert not out.exists()
    assert export(run, out, fmt="pts", model=(tiny_pivot_model(), tiny_tokenizer())) > 0  # the run's own
    if words < 97:  # a run that recorded no context text: its ids past the vocabulary say it
        older = tmp_path / "older"
        shutil.copytree(run, older)
        recs = [json.loads(line) for line in (older / "pivots.jsonl").read_text(encoding="utf-8").splitlines()]
        drop = ("prefix_text", "prefix_text_exact", "context_text", "context_text_exact")
        (older / "pivots.jsonl").write_text("".join(json.dumps({k: v for k, v in r.items() if k not in drop}) + "\n"
                                                    for r in recs), encoding="utf-8")
        with pytest.raises(ValueError, match="outside the tokenizer's 40 tokens: it is another model's"):
            export(older, tmp_path / "older.jsonl", fmt="pts", model=(tiny_model("llama"), word_tokenizer(words)))


@pytest.mark.parametrize("arg, value", [("max_trajectories", -1), ("max_plots", -2), ("max_trajectories", "10"),
                                        ("max_plots", 2.5), ("max_trajectories", True)])
def test_write_report_limits_that_are_no_count_are_refused(run, tmp_path, arg, value):
    """max_trajectories=-1 (meant as 'no limit') sliced the list from the end: the page left out the trajectory
    with the fewest pivots and said 'showing 5 of 6'; '10' from a config ended in a TypeError of slicing."""
    from ptsfast.outputs.report import write_report

    with pytest.raises((ValueError, TypeError)) as e:
        write_report(run, tmp_path / "r.html", **{arg: value})
    assert arg in str(e.value) and ">= 0" in str(e.value), str(e.value)
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("flag", ["confirmed_only", "force", "keep_fields", "progress"])
def test_export_switches_given_as_a_string_are_refused_not_taken_as_true(run, tmp_path, flag):
    """export(confirmed_only='false') (a switch read from a config file or the environment as text) was true: the
    export kept confirmed pivots only, or replaced an earlier export of another kind (force='no')."""
    out = tmp_path / "pairs.jsonl"
    with pytest.raises(TypeError) as e:
        export(run, out, **{flag: "false"})
    assert f"{flag}='false'" in str(e.value) and "True or False" in str(e.value), str(e.value)
    assert not out.exists()
    assert export(run, out, **{flag: flag == "keep_fields"}) > 0


def test_a_min_delta_given_as_a_numpy_or_torch_number_is_taken(run, tmp_path):
    """A threshold computed with numpy or torch (np.float32(0.2), a 0-d tensor) is a number: the export refused it
    with 'use a number >= 0 and <= 1', naming the number it refused."""
    import numpy as np
    import torch

    want = export(run, tmp_path / "plain.jsonl", min_delta=0.25)
    for k, v in enumerate((np.float32(0.25), torch.tensor(0.25), np.float64(0.25))):
        assert export(run, tmp_path / f"out{k}.jsonl", min_delta=v) == want
    for bad in ("0.2", True, torch.tensor([0.2, 0.3])):
        with pytest.raises(ValueError, match="min_delta"):
            export(run, tmp_path / "bad.jsonl", min_delta=bad)


def test_a_sentence_whose_p_is_unknown_is_left_out_of_the_thought_anchors_export_not_written_null(tmp_path, caplog):
    """A sentence whose p(with) no rollout measured (its pool empty: an unknown estimate, p null) was exported with
    prob_with_sentence, prob_delta and importance_score null: codelion's export of thought anchors compares
    anchor.get('importance_score', 0) < min_importance_score and sorts by it, and failed on the first one
    ('<' not supported between NoneType and float). It measured nothing: left out, said once."""
    import torch

    from tiny_models import tiny_model

    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    tok = tiny_tokenizer()
    tok.add_tokens(["."])  # a full stop ends a sentence
    model = tiny_model("llama", seed=1, vocab_size=len(tok))
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
    problems = [Problem("plain", "w5 w6", solution="w13 w14 . w15 w16 . w17 w18 .")]
    opts = AnchorOptions(MineOptions(max_new_tokens=12, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=128, block_size=8)), AnchorConfig(max_rollouts=8))
    run = tmp_path / "run"
    find_anchors(model, tok, problems, run, opts, oracle=lambda t, p: "w7" in t, progress=False)
    lines = (run / "sentences.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[1])
    rec["p_with"] = {**rec["p_with"], "p": None, "successes": 0, "trials": 0, "lo": None, "hi": None}
    lines[1] = json.dumps(rec) + "\n"
    (run / "sentences.jsonl").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "thought_anchors.jsonl"
    with caplog.at_level(logging.WARNING):
        n = export(run, out, fmt="thought_anchors", kind="sentences")
    assert n == len(lines) - 1
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rec["sentence_id"] not in {r["sentence_id"] for r in recs}
    kept = [r for r in recs if r.get("importance_score", 0) >= 0.0]  # codelion's filter, then its sort
    assert sorted(kept, key=lambda r: r.get("importance_score", 0)) and len(kept) == len(recs)
    assert any("left out 1 of" in m and "p" in m for m in caplog.messages), caplog.messages


def test_steering_vectors_of_a_model_left_in_training_mode_are_its_inference_states(run, tmp_path):
    """A loaded model handed over in training mode (after a training step, or built with from_config) kept its
    dropout on: every steering vector was one random draw of the state, another at each export. The states are
    read as at inference, and the model is left in the mode it was given in."""
    model = tiny_pivot_model()
    model.config.attention_dropout = 0.5
    for layer in model.model.layers:
        layer.self_attn.attention_dropout = 0.5
    tok = tiny_tokenizer()

    def vectors(name):
        out = tmp_path / f"{name}.jsonl"
        export(run, out, fmt="steering", model=(model, tok), layer=1)
        return [json.loads(line)["steering_vector"] for line in out.read_text(encoding="utf-8").splitlines()]

    model.eval()
    want = vectors("eval")
    model.train()
    assert vectors("train") == want
    assert model.training


def test_a_pivot_an_older_run_recorded_refuted_as_false_is_left_out_of_the_report_as_the_exports_do(tmp_path):
    """Runs before the three confirmation states wrote confirmed true / false; the exports read false as refuted
    (never exported), but the report left out only 'refuted': such a run's refuted pivots were boxed on the page
    as pivots, tooltip 'confirmed: False', and counted among its pivots."""
    from test_report import make_run

    from ptsfast.outputs.report import write_report
    from ptsfast.outputs.rundir import RunWriter

    run = make_run(tmp_path / "run")
    with RunWriter(run, {"x": 1}) as w:
        est = {"p": 0.5, "successes": 4, "trials": 8, "lo": 0.2, "hi": 0.8, "exact": False}
        traj = {"key": ["q3", 0], "kept": True, "correct": False, "solution_ids": [5, 6], "tokens": ["a", " b"],
                "p0": est, "estimates": [{"position": 0, **est}]}
        pv = {"problem_id": "q3", "trajectory": ["q3", 0], "position": 1, "token": " b", "token_id": 6,
              "p_before": 0.5, "p_after": 0.0, "delta": -0.5, "direction": "lowers", "before": est, "after": est,
              "confirmed": False}
        w.write_problem("q3", [pv], [], {"question": "q3", "answer": "1", "trajectories": [traj]})
    page = write_report(run, out_html=tmp_path / "r.html")[0].read_text(encoding="utf-8")
    assert "1 pivots (1 refuted by fresh rollouts, not shown)" in page
    assert "confirmed: False" not in page


@pytest.mark.parametrize("fmt", ["trl", "pts"])
def test_records_copied_beside_another_runs_problems_take_no_question_from_them(run, tmp_path, fmt):
    """A loose pairs.jsonl or pivots.jsonl beside another run's problems.jsonl (exports collected in one folder)
    whose problem ids coincide with its own (p0, p1, ...): the export gave each record that run's question, as
    the trl metadata's original_query and the pts query. A problem is the record's only where its prompt ids
    begin the record's context, as a pair is its pivot's only where their context ids agree."""
    loose = tmp_path / "collected"
    loose.mkdir()
    name = "pairs.jsonl" if fmt == "trl" else "pivots.jsonl"
    shutil.copy(run / name, loose / name)
    other = [json.loads(line) for line in (run / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    for p in other:  # another run's problems under the same ids: other questions, other prompts
        p["question"], p["prompt_ids"] = "another run's question " + p["problem_id"], [5, 6, 7, 8]
    (loose / "problems.jsonl").write_text("".join(json.dumps(p) + "\n" for p in other), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert export(loose / name, out, fmt=fmt) > 0
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    got = [r["metadata"]["original_query"] if fmt == "trl" else r["query"] for r in recs]
    assert not any(q and q.startswith("another run's") for q in got), got
    shutil.copy(run / "problems.jsonl", loose / "problems.jsonl")  # its own run's problems: read
    assert export(loose / name, out, fmt=fmt) > 0
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all((r["metadata"]["original_query"] if fmt == "trl" else r["query"]) for r in recs)


@pytest.mark.parametrize("fmt", ["trl", "jsonl"])
def test_an_export_whose_text_holds_a_unicode_line_break_stays_one_line_a_record(run, tmp_path, fmt):
    """JSON leaves U+2028, U+2029 and U+0085 (NEL: the '...' of cp1252 text read as Latin-1, common in scraped
    datasets) unescaped, and str.splitlines() breaks a line at each: an export of a prompt holding one, read as
    read_text().splitlines(), gave halves of a record that are no JSON. Escaped, every reader sees one line a
    record and the same text."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    recs = [json.loads(line) for line in (edited / "pairs.jsonl").read_text(encoding="utf-8").split("\n") if line]
    for r in recs:
        r["prompt"] = "Café\u2028list\x85 total\u2029" + r["prompt"]
    (edited / "pairs.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                                        encoding="utf-8")
    out = tmp_path / "pairs.jsonl"
    assert export(edited, out, fmt=fmt) == len(recs)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(recs)
    assert [json.loads(line)["prompt"] for line in lines] == [r["prompt"] for r in recs]
    assert "Café" in out.read_text(encoding="utf-8")  # other characters stay as they are (UTF-8)


@pytest.mark.parametrize("fmt", ["hf", "jsonl", "pts"])
def test_keep_fields_false_with_a_format_that_keeps_every_field_is_refused_not_dropped(run, tmp_path, fmt):
    """keep_fields=False (the text alone, for TRL's text path) is the trl format's: with hf or jsonl the export
    wrote every field of every pair (the whole records, text_exact false ones too) without a word, as it would
    drop a steering flag given to the trl format."""
    out = tmp_path / ("pairs" if fmt == "hf" else "out.jsonl")
    with pytest.raises(ValueError, match=f"keep_fields=False only applies to --format trl; .*{fmt}"):
        export(run, out, fmt=fmt, keep_fields=False)
    assert not out.exists()


def test_the_runs_own_tokenizer_whose_decoding_differs_in_spaces_only_is_not_called_another_models(run, tmp_path):
    """Another transformers release may clean up spaces when decoding (clean_up_tokenization_spaces: ' ,' -> ',')
    where the run's did not: the pts export's check of --model's tokenizer compared the texts exactly, and would
    refuse the run's own model as another's. Its words are the run's: taken."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    recs = [json.loads(line) for line in (edited / "pivots.jsonl").read_text(encoding="utf-8").splitlines()]
    for r in recs:
        r["prefix_text"] = r["prefix_text"].replace(" w", "  w")
    (edited / "pivots.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    assert export(edited, tmp_path / "p.jsonl", fmt="pts", model=(tiny_pivot_model(), tiny_tokenizer())) == len(recs)
