"""Thought anchors end to end on a tiny model through the CLI: run, resume, export, report; and the API."""

import json
import shutil
from pathlib import Path

import pytest
import torch
from tiny_models import VOCAB, save_mining_model, tiny_model

from ptsfast.cli import main as cli

PERIOD = 5  # the tiny vocabulary's id 5 is "." here, so solutions have sentences


def sentence_tokenizer():
    """The tiny word-level tokenizer with "." as token 5 (words ``w{k}`` otherwise)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, **{("." if k == PERIOD else f"w{k}"): k for k in range(3, VOCAB)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny-anchors")
    save_mining_model(d)
    sentence_tokenizer().save_pretrained(d)
    return d


def contains_w7(text, problem):
    return "w7" in text.split()


def lines(path):
    return [json.loads(x) for x in Path(path).read_text().splitlines()]


def test_anchors_cli_run_resume_export_report(model_dir, tmp_path, capsys):
    # the oracle: "w7" appears; the given solution writes it in its second sentence, so that sentence decides the
    # answer and the others barely matter
    problems = tmp_path / "problems.jsonl"
    problems.write_text("\n".join(json.dumps(r) for r in [
        {"id": "given", "question": "w20 w21 w22", "answer": "w7", "solution": "w10 w11 . w7 w12 . w13 w14 ."},
        {"id": "other", "question": "w30 w31", "answer": "w7", "solution": "w15 w16 w17 . w18 w19 ."},
    ]) + "\n")
    out = tmp_path / "run"
    args = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(out),
            "--solution-field", "solution", "--oracle", "contains_w7", "--no-chat-template", "--max-new-tokens", "12",
            "--max-rollouts", "32", "--quiet"]
    from ptsfast.problems import oracles

    oracles.register_oracle("contains_w7", contains_w7)
    assert cli(args) == 0
    printed = capsys.readouterr().out
    assert "sentences" in printed and "anchors" in printed
    from ptsfast.outputs.thought_anchors import read_sentences

    sentences = list(read_sentences(out))
    given = [s for s in sentences if s["problem_id"] == "given"]
    assert [s["sentence"] for s in given] == ["w10 w11.", "w7 w12.", "w13 w14."]  # the decoder joins "." on
    assert [(s["start"], s["end"]) for s in given] == [(0, 3), (3, 6), (6, 9)]
    first, decisive, last = given
    # "w7" in the kept prefix makes every continuation correct: p(with) of sentence 1 is 1, its different
    # resamples rarely write w7 in 12 tokens
    assert decisive["is_anchor"] and decisive["counterfactual_importance"] >= 0.5
    assert decisive["p_with"]["p"] == 1.0 and decisive["counterfactual_lo"] > 0.2
    assert last["p_with"]["exact"] and last["p_with"]["p"] == 1.0  # the solution's own verdict
    assert last["p_resampled"]["p"] == 1.0 and last["resampling_importance"] == 0.0
    assert not last["is_anchor"] and abs(first["counterfactual_importance"]) < 0.5
    for s in given:
        lo, hi = s["counterfactual_lo"], s["counterfactual_hi"]
        assert lo <= s["counterfactual_importance"] <= hi
        assert (s["p_different"]["trials"] + s["p_similar"]["trials"] + s["unfinished_resamples"]
                == s["p_resampled"]["trials"])
        assert s["prefix_ids"] == given[-1]["prefix_ids"][:s["prompt_len"] + s["start"]]
    problems_out = lines(out / "problems.jsonl")
    assert sorted(p["problem_id"] for p in problems_out) == ["given", "other"]
    traj = next(p for p in problems_out if p["problem_id"] == "given")["trajectories"][0]
    assert traj["correct"] is True and [e["position"] for e in traj["estimates"]] == [0, 3, 6, 9]
    assert traj["n_anchors"] >= 1 and len(traj["sentences"]) == 3

    before = (out / "sentences.jsonl").read_text()
    assert cli(args) == 0  # a rerun resumes: everything is done, nothing is duplicated
    assert (out / "sentences.jsonl").read_text() == before
    assert cli(args[:-1] + ["--threshold", "0.3", "--quiet"]) == 2  # another config into the same folder
    assert "other settings that change results (--threshold was" in capsys.readouterr().err

    exported = tmp_path / "ta.jsonl"
    assert cli(["export", "--run", str(out), "--out", str(exported), "--format", "thought_anchors"]) == 0
    recs = lines(exported)
    assert recs and all(r["is_anchor"] for r in recs)
    from ptsfast.outputs.thought_anchors import THOUGHT_ANCHOR_FIELDS

    rec = next(r for r in recs if r["problem_id"] == "given")
    assert list(rec)[:len(THOUGHT_ANCHOR_FIELDS)] == list(THOUGHT_ANCHOR_FIELDS)
    assert rec["sentence"] == "w7 w12." and rec["sentence_id"] == 1 and rec["query"] == "w20 w21 w22"
    assert rec["prefix_context"].strip() == "w10 w11." and rec["suffix_context"].strip() == "w13 w14."
    assert rec["prob_delta"] == pytest.approx(rec["prob_with_sentence"] - rec["prob_without_sentence"])
    assert rec["importance_score"] == abs(rec["prob_delta"]) and rec["is_positive"]
    assert rec["prob_without_source"] == "different" and rec["dataset_item_id"] == "given"
    assert rec["full_reasoning_trace"] == "w10 w11. w7 w12. w13 w14."
    assert rec["sentence_embedding"] == [] and rec["failure_mode"] is None and rec["alternatives_tested"]
    every = tmp_path / "all.jsonl"
    assert cli(["export", "--run", str(out), "--out", str(every), "--format", "thought_anchors",
                "--kind", "sentences"]) == 0
    assert len(lines(every)) == len(sentences)
    assert cli(["export", "--run", str(out), "--out", str(every), "--format", "trl"]) == 2  # not pairs over it

    # killed after a problem's sentences were written, before its problems.jsonl line and marker: those sentences
    # are not the run's yet (a resume truncates and redoes them), and were exported without their query
    cut = tmp_path / "cut"
    shutil.copytree(out, cut)
    for name in ("done.jsonl", "problems.jsonl"):
        kept = (cut / name).read_text().splitlines(keepends=True)[:-1]
        (cut / name).write_text("".join(kept))
    committed = {json.loads(x)["problem_id"] for x in (cut / "done.jsonl").read_text().splitlines()}
    partial = tmp_path / "partial.jsonl"
    assert cli(["export", "--run", str(cut), "--out", str(partial), "--format", "thought_anchors",
                "--kind", "sentences"]) == 0
    recs = lines(partial)
    assert recs and {r["problem_id"] for r in recs} == committed and all(r["query"] for r in recs)
    assert len(recs) == sum(s["problem_id"] in committed for s in sentences)

    capsys.readouterr()
    assert cli(["report", "--run", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "counterfactual importance" in html and "w7 w12." in html


def test_find_anchors_api_matches_a_rerun_and_cut_solutions_sample_the_end(tmp_path, monkeypatch):
    """Same seed, same records (the schedule does not change results, nor do verdicts judged in background
    threads); a solution cut at the length limit has no verdict, so p(with) of its last sentence is sampled at the
    end instead of being exact."""
    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.loop import FedCall
    from ptsfast.problems.loading import Problem

    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
    tok = sentence_tokenizer()
    problems = [Problem(f"p{i}", f"w{20 + i} w{40 + i}") for i in range(3)]

    def run(out, per_batch):
        opts = AnchorOptions(MineOptions(max_new_tokens=10, use_chat_template=False, problems_per_batch=per_batch,
                                         engine=EngineConfig(num_blocks=256, block_size=8)),
                             AnchorConfig(max_rollouts=16))
        return find_anchors(model, tok, problems, out, opts, oracle=contains_w7, progress=False)

    a = run(tmp_path / "a", 3)
    run(tmp_path / "b", 1)
    monkeypatch.setattr(FedCall, "BACKGROUND_ON_CPU", True)
    monkeypatch.setattr(FedCall, "BACKGROUND_AFTER", -1.0)  # every verdict after the first in background threads
    run(tmp_path / "c", 3)
    # problems are written as they finish, so the order of lines may differ; each record may not
    for name in ("sentences.jsonl", "problems.jsonl"):
        for other in ("b", "c"):
            assert sorted((tmp_path / "a" / name).read_text().splitlines()) == \
                sorted((tmp_path / other / name).read_text().splitlines()), (name, other)
    assert a["problems"] == 3 and a["sentences"] >= 3 and a["rollouts"] > 0
    recs = lines(tmp_path / "a" / "sentences.jsonl")
    trajs = {t["key"]: t for p in lines(tmp_path / "a" / "problems.jsonl") for t in p["trajectories"]}
    for r in recs:
        t = trajs[r["trajectory"]]
        if r["sentence_id"] == r["n_sentences"] - 1:
            assert r["p_with"]["exact"] == (t["correct"] is not None)
            if t["finish_reason"] == "length":
                assert t["correct"] is None and r["p_with"]["trials"] > 0
    assert any(t["finish_reason"] == "length" for t in trajs.values())


def test_similarity_by_a_local_embedding_model(model_dir, tmp_path):
    """--embedding-model: the cosine of a local encoder's mean-pooled states judges similarity (here the tiny
    Llama's own hidden states stand in for a sentence encoder); a path that is not a folder is refused."""
    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.models import load_model
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.anchors import EmbeddingSimilarity
    from ptsfast.problems.loading import Problem

    sim = EmbeddingSimilarity(str(model_dir), threshold=0.999)
    assert sim("w10 w11.", "w10 w11.") and not sim("w10 w11.", "w80 w81 w82 w83.")
    sim.CACHE = 4  # the cache held every regenerated sentence of the run; the original asked each time stays
    for k in range(10):
        sim("w10 w11.", "w11 w10 " + "x" * k)
    assert len(sim._cache) == 4 and "w10 w11." in sim._cache
    with pytest.raises(ValueError, match="not a local folder"):
        AnchorOptions(embedding_model=str(tmp_path / "missing"))
    model, tok = load_model(model_dir)
    opts = AnchorOptions(MineOptions(max_new_tokens=8, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=128, block_size=8)),
                         AnchorConfig(max_rollouts=8), embedding_model=str(model_dir))
    summary = find_anchors(model, tok, [Problem("e", "w20", solution="w10 w11 . w7 w12 .")], tmp_path / "run", opts,
                           oracle=contains_w7, progress=False)
    assert summary["sentences"] == 2
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["config"]["similarity"] == "embedding" and "embedding_model" in run["inputs"]


def test_anchors_flags_are_checked_before_the_model_loads(tmp_path, capsys):
    problems = tmp_path / "p.jsonl"
    problems.write_text(json.dumps({"id": "a", "question": "q", "answer": "1"}) + "\n")
    base = ["anchors", "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(tmp_path / "o")]
    for flags, named in ((["--threshold", "2"], "--threshold"), (["--max-rollouts", "4"], "--max-rollouts"),
                         (["--embedding-model", str(tmp_path / "none")], "--embedding-model"),
                         (["--temperature", "-1"], "--temperature")):
        assert cli(base + flags) == 2
        err = capsys.readouterr().err
        assert named in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_an_encoder_that_does_not_load_is_refused_before_the_run_folder_is_written(tmp_path):
    from ptsfast import AnchorOptions, find_anchors
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    (tmp_path / "notenc").mkdir()
    (tmp_path / "notenc" / "readme.txt").write_text("no encoder here")
    opts = AnchorOptions(MineOptions(max_new_tokens=8, use_chat_template=False),
                         embedding_model=str(tmp_path / "notenc"))
    with pytest.raises(ValueError, match="could not be loaded as a Hugging Face encoder"):
        find_anchors(tiny_model("llama", seed=3), sentence_tokenizer(), [Problem("e", "w20", solution="w10 .")],
                     tmp_path / "run", opts, oracle=contains_w7, progress=False)
    assert not (tmp_path / "run").exists()


def test_a_solution_longer_than_the_budget_is_warned_and_its_cut_resamples_counted(tmp_path, caplog):
    """Forks early in a given solution longer than --max-new-tokens cannot write its rest: their verdicts are on cut
    text, which made the sentence where the budget starts to reach the end look important, silently."""
    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    model = tiny_model("llama", seed=3)
    solution = " ".join(f"w{10 + i} w{30 + i} ." for i in range(6))  # 18 tokens
    opts = AnchorOptions(MineOptions(max_new_tokens=6, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=256, block_size=8)), AnchorConfig(max_rollouts=8))
    with caplog.at_level("WARNING", logger="ptsfast.pipeline.anchors"):
        find_anchors(model, sentence_tokenizer(), [Problem("b", "w20", solution=solution)], tmp_path / "run", opts,
                     oracle=contains_w7, progress=False)
    assert "raise --max-new-tokens to about 18" in caplog.text
    recs = lines(tmp_path / "run" / "sentences.jsonl")
    assert recs[0]["cut_resamples"] > 0
    (traj,) = lines(tmp_path / "run" / "problems.jsonl")[0]["trajectories"]
    assert traj["cut_rollouts"] >= recs[0]["cut_resamples"]


def test_export_filters_read_the_prob_delta_the_record_reports():
    # no resample differed: prob_delta falls back to p(resampled), and --min-delta / --direction read the missing
    # counterfactual importance instead, so a sentence whose record says importance 0.75 was dropped
    from ptsfast.outputs.thought_anchors import keep, thought_anchor_record

    s = {"problem_id": "p", "sentence": "x.", "sentence_id": 0, "p_with": {"p": 1.0},
         "p_resampled": {"p": 0.25, "trials": 8}, "p_different": {"p": None, "trials": 0},
         "counterfactual_importance": None, "is_anchor": False}
    rec = thought_anchor_record(s, query="q", trace="x.", task_type="math", model_id="m", dataset_id=None,
                                timestamp="t")
    assert rec["prob_delta"] == 0.75 and rec["importance_score"] == 0.75 and rec["prob_without_source"] == "resampled"
    assert keep(s, "sentences", "raises", 0.5) and not keep(s, "sentences", "lowers", 0.0)
    assert not keep(s, "sentences", None, 0.8) and not keep(s, "anchors", None, 0.0)


def test_a_problem_that_cannot_run_is_skipped_naming_why(tmp_path):
    # the context check's reason (with the sizes) was replaced by a generic one, and a given solution of special
    # tokens only was said to be a model that "stopped at once"
    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    opts = AnchorOptions(MineOptions(max_new_tokens=8, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=256, block_size=8)), AnchorConfig(max_rollouts=8))
    problems = [Problem("long", "w20", solution=" ".join(["w10 w11 ."] * 200)),
                Problem("empty", "w20", solution="</s>")]
    find_anchors(tiny_model("llama", seed=3), sentence_tokenizer(), problems, tmp_path / "run", opts,
                 oracle=contains_w7, progress=False)
    why = {p["problem_id"]: p["skipped"] for p in lines(tmp_path / "run" / "problems.jsonl")}
    assert "600 solution tokens, over the model's context of 512" in why["long"]
    assert "the given solution holds only special tokens" in why["empty"]


def test_a_sentence_is_compared_with_the_terminator_the_next_token_holds():
    # "Yes" + ". Then": the fork is before ". Then", so the sentence's span reads "Yes" and an identical resample's
    # first sentence "Yes." (overlap 0.67, below 0.8): every resample of a short sentence counted as different
    from ptsfast.mining.anchors import AnchorSearch, first_sentence, similar, split_sentences
    from ptsfast.pipeline.anchors import _Trajectory

    tokens = ["Is", " it", "?", " Yes", ". Then", " go", "."]
    spans = split_sentences(tokens)
    t = _Trajectory("p#0", None, (), tuple(range(len(tokens))), "".join(tokens), True, "eos", None, tokens, spans,
                    AnchorSearch(len(spans)))
    assert [t.sentence(k) for k in range(len(spans))] == ["Is it?", "Yes.", "Then go."]
    a = spans[1][0]
    assert similar(t.sentence(1), first_sentence("".join(tokens[a:]), "".join(tokens[:a])))
