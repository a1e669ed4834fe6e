"""Thought anchors, fourth round: resamples the oracle stopped inside their first sentence or forked after the answer,
the cut last sentence of a solution, and sentence ends in real traces (factorials, an answering "No.", roman list
markers, Hindi, Bengali, Arabic and Urdu terminators)."""

import json
from pathlib import Path

import torch
from tiny_models import VOCAB, tiny_model


def lines(path):
    return [json.loads(x) for x in Path(path).read_text().splitlines()]


def sentence_tokenizer():
    """The tiny word-level tokenizer with "." as token 5 (words ``w{k}`` otherwise), as the pipeline's anchor tests."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, **{("." if k == 5 else f"w{k}"): k for k in range(3, VOCAB)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")


def has_w7(text, problem):
    return "w7" in text.split()


def test_a_resample_the_oracle_stopped_in_its_first_sentence_is_read_as_far_as_the_sentence(tmp_path, monkeypatch):
    """A given solution states its answer inside a sentence that goes on ("There are $\\boxed{6}$ ways to choose.");
    every resample that wrote the same words was stopped at the answer, and its piece, compared with the whole
    sentence, counted as different (and listed as an alternative): p(different) took in the sentence itself."""
    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems import oracles
    from ptsfast.problems.loading import Problem

    monkeypatch.setitem(oracles.ORACLES, "has_w7",
                        oracles.OracleSpec(has_w7, (), lambda text: "w7" in text.split(), "math"))
    model = tiny_model("llama", seed=3)
    with torch.no_grad():  # every rollout writes w7 first
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[7] = 1e4
    solution = "w10 w11 . w7 w12 w13 . w14 w15 ."
    opts = AnchorOptions(MineOptions(oracle="has_w7", max_new_tokens=12, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=256, block_size=8)), AnchorConfig(max_rollouts=8))
    find_anchors(model, sentence_tokenizer(), [Problem("stop", "w20", solution=solution)], tmp_path / "run", opts,
                 progress=False)
    first, answer, after = lines(tmp_path / "run" / "sentences.jsonl")
    assert answer["sentence"] == "w7 w12 w13." and answer["p_resampled"]["trials"] > 0
    # each resample wrote "w7", where the solution's own answer is complete: the same sentence, as far as it is read
    assert answer["p_similar"]["trials"] == answer["p_resampled"]["trials"] and answer["alternatives"] == []
    # a resample that answers where the sentence before did not is still different from it
    assert first["p_different"]["trials"] == first["p_resampled"]["trials"] and first["alternatives"] == ["w7"]
    # after the answer each resample stopped at its first token: it wrote no sentence
    assert after["unfinished_resamples"] == after["p_resampled"]["trials"] > 0 and after["alternatives"] == []
    assert after["counterfactual_importance"] is None and not after["is_anchor"]


def split_text(text: str) -> list[str]:
    from ptsfast.mining.anchors import sentence_starts

    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:])]


def test_a_factorial_is_no_sentence_end():
    # "We check: 3! = 6." was two sentences, "We check: 3!" and "= 6.", and "There are 5! ways" ended at "5!":
    # combinatorics traces were cut inside their formulas, and a resample writing the same was compared with a piece
    assert split_text("We check: 3! = 6. So it holds.") == ["We check: 3! = 6.", "So it holds."]
    assert split_text("There are 5! ways to order them. Then we divide.") == [
        "There are 5! ways to order them.", "Then we divide."]
    assert split_text("So n! / (n-2)! \\cdot 2 is the count.") == ["So n! / (n-2)! \\cdot 2 is the count."]
    assert split_text("We get (n-1)! + 1 here.") == ["We get (n-1)! + 1 here."]
    # an exclamation is still an end, after a number too
    assert split_text("It is 5! Then we stop. Wow! so good.") == ["It is 5!", "Then we stop.", "Wow!", "so good."]
    assert split_text("The answer is 120!\nNext.") == ["The answer is 120!", "Next."]


def judged(tokens_text: str, reason: str, rollouts: list[tuple[str, str]], k: int, tok=None, drop: int = 0,
           complete=None):
    """Rollouts forked before sentence ``k`` of a solution (its last ``drop`` tokens left out), judged by the run (no
    engine): the trajectory."""
    from types import SimpleNamespace

    from ptsfast.engine import FinishReason, Rollout
    from ptsfast.mining.anchors import AnchorSearch, similar, split_sentences
    from ptsfast.outputs.rundir import token_texts
    from ptsfast.pipeline.anchors import AnchorStats, _AnchorRun, _Trajectory
    from ptsfast.pipeline.probes import OracleStops

    tok = tok or sentence_tokenizer()
    ids = tuple(tok(tokens_text, add_special_tokens=False)["input_ids"])
    ids = ids[:len(ids) - drop]
    texts = token_texts(tok, ids, prefix=[20])
    spans = split_sentences(texts)
    problem = SimpleNamespace(think_open=False, problem=SimpleNamespace(id="p"), solution_ids=None)
    cut = reason == "length"
    t = _Trajectory("p#0", problem, (20,), ids, tok.decode(ids), None if cut else True, reason, None, texts, spans,
                    AnchorSearch(len(spans), final=None if cut else 1.0), pending=2)
    run = object.__new__(_AnchorRun)
    run.tokenizer, run.stats, run.judges = tok, AnchorStats(), {False: (None, OracleStops((), complete))}
    run.similarity = similar
    outs = [Rollout(tuple(tok(x, add_special_tokens=False)["input_ids"]), (), FinishReason(why)) for x, why in rollouts]
    run._judged(t, k, outs, [(True, None)] * len(outs))
    return t


def test_the_unfinished_last_sentence_of_a_cut_solution_is_compared_as_far_as_it_goes():
    # a sampled solution cut by --max-new-tokens ends inside a sentence: a resample that wrote the same words and
    # then ended the sentence was compared with the piece whole ("w12 w13 w14." against "w12 w13") and counted as
    # different, so the last sentence's p(different) took in the resamples that said what it said
    t = judged("w10 w11 . w12 w13", "length", [("w12 w13 w14 . w15", "eos"), ("w30 w31 . w15", "eos"),
                                               ("w12 w13 w14 w16", "length"), ("w12", "length")], 1)
    pool = t.search.pools[1]
    assert (pool.similar_trials, pool.different().trials, pool.unclassified) == (2, 1, 1)
    assert t.alternatives[1] == ["w30 w31."] and t.unfinished == {1: 1}
    # a finished solution's last sentence is compared whole, as before
    t = judged("w10 w11 . w12 w13", "eos", [("w12 w13 w14 . w15", "eos")], 1)
    assert t.search.pools[1].different().trials == 1


def byte_tokenizer():
    """A byte-level BPE tokenizer without merges: every byte a token, so a CJK character is three."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tk = Tokenizer(models.BPE({"<pad>": 0, "</s>": 1, **{c: i + 2 for i, c in enumerate(alphabet)}}, []))
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", eos_token="</s>")


def test_a_cut_sentence_ending_inside_a_character_is_compared_without_its_first_bytes():
    # the budget cut the solution two bytes into a character: the sentence reads "所以答案是龘" and a resample that
    # wrote the same bytes read "所以答案是龘\ufffd" as far as the piece went, a different sentence to the overlap
    t = judged("先算。所以答案是龘龘", "length", [("所以答案是龘龘。好", "eos")], 1, tok=byte_tokenizer(), drop=1)
    assert t.sentence(1) == "所以答案是龘" and t.search.pools[1].similar_trials == 1


def test_a_no_that_answers_a_question_ends_its_sentence_before_a_number():
    # "Is 91 prime? No. 91 = 7 × 13." was one sentence "No. 91 = 7 × 13." (read as "number 91"): the answer and the
    # step after it were compared with resamples as one
    assert split_text("Is 91 prime? No. 91 = 7 × 13.") == ["Is 91 prime?", "No.", "91 = 7 × 13."]
    assert split_text("Does 5 divide 12?\nNo. 12 / 5 = 2.4.") == ["Does 5 divide 12?", "No.", "12 / 5 = 2.4."]
    assert split_text("No. 3 is odd.") == ["No.", "3 is odd."]
    # "number 5" inside a sentence still is one
    assert split_text("See No. 5 in the list. Then go.") == ["See No. 5 in the list.", "Then go."]
    assert split_text("Take item no. 3 first.") == ["Take item no. 3 first."]


def test_a_roman_numeral_list_marker_is_no_sentence():
    # "ii." and "iv." at the start of a line were sentences of their own (only one-letter markers were read as markers)
    assert split_text("i. Add 2.\nii. Then 3.\niii. Then 4.\niv. Done.") == ["i. Add 2.", "ii. Then 3.", "iii. Then 4.",
                                                                        "iv. Done."]
    assert split_text("II. The second case.\nXIV. The last.") == ["II. The second case.", "XIV. The last."]
    assert split_text("We try it.\nMix. Then stir.") == ["We try it.", "Mix.", "Then stir."]  # a word, not a numeral


def test_a_resample_forked_after_the_answer_is_neither_similar_nor_different():
    # a given solution goes on after its answer ("Answer: B. This is because ..."): every resample forked there stops
    # at its first token, and that token, compared with the sentence, counted as a different sentence (listed as an
    # alternative) that it never wrote
    def complete(text):
        return "w7" in text

    t = judged("w10 w7 . w12 w13 .", "eos", [("w14", "stop"), ("w12", "stop")], 1, complete=complete)
    pool = t.search.pools[1]
    assert (pool.similar_trials, pool.different().trials, pool.unclassified) == (0, 0, 2)
    assert t.unfinished == {1: 2} and not t.alternatives.get(1)
    # before the answer, a resample stopped at its own answer is compared as it was
    t = judged("w10 w11 . w7 w13 .", "eos", [("w14 w7", "stop")], 1, complete=complete)
    assert t.search.pools[1].different().trials == 1 and t.alternatives[1] == ["w14 w7"]


def test_hindi_bengali_arabic_and_urdu_terminators_end_sentences():
    # MGSM's Bengali, a Hindi or Arabic trace: "।", "؟" and "۔" were no terminators, so a paragraph was one sentence
    assert split_text("আমরা ৫ যোগ করি। তারপর ৩ গুণ করি।") == ["আমরা ৫ যোগ করি।", "তারপর ৩ গুণ করি।"]
    assert split_text("हम 5 जोड़ते हैं। फिर 3 से गुणा करते हैं।") == ["हम 5 जोड़ते हैं।", "फिर 3 से गुणा करते हैं।"]
    assert split_text("كم العدد؟ العدد هو 5.") == ["كم العدد؟", "العدد هو 5."]
    assert split_text("ہم 5 جمع کرتے ہیں۔ پھر 3 سے ضرب دیتے ہیں۔") == ["ہم 5 جمع کرتے ہیں۔", "پھر 3 سے ضرب دیتے ہیں۔"]
    from ptsfast.mining.anchors import first_sentence, first_sentence_ended

    assert first_sentence(" তারপর ৩ গুণ করি। শেষ", "আমরা ৫ যোগ করি।") == "তারপর ৩ গুণ করি।"
    assert first_sentence_ended(" তারপর ৩ গুণ করি।", "আমরা ৫ যোগ করি।")


def test_a_number_after_an_abbreviation_is_no_inline_list_marker():
    # "vs." ended no sentence, yet its "." opened an inline list as a sentence end does, so "2." read as a marker:
    # "Compare 3 vs. 2. Then 3 wins." was one sentence
    assert split_text("Compare 3 vs. 2. Then 3 wins.") == ["Compare 3 vs. 2.", "Then 3 wins."]
    assert split_text("The value is approx. 5. Then stop.") == ["The value is approx. 5.", "Then stop."]
    assert split_text("Steps: 1. Add 2. 2. Multiply.") == ["Steps: 1. Add 2.", "2. Multiply."]  # still a marker
