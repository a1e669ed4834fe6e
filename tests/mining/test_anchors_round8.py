"""Thought anchors, eighth round: the anchors run's answer check on a schedule (and a late stop read as the check at
every token would have stopped it), a linear sentences.jsonl, and claims that word overlap misses ("non-positive",
"90^\\circ", "3 \\text{ cm}")."""

from types import SimpleNamespace

import pytest
from test_anchors_round4 import judged, sentence_tokenizer


def test_a_resample_stopped_late_is_read_up_to_where_its_answer_completed():
    # the answer check runs every few tokens after a long trace, so a resample stops a few tokens after its answer
    # ("w7" + "w12"); read whole, its first sentence "w7 w12" was compared with the sentence read up to its answer
    # ("w7") and counted as different, though a check at every token stopped it at "w7", the same
    def complete(text):
        return "w7" in text.split()

    t = judged("w10 w11 . w7 w12 w13 . w14 w15 .", "eos", [("w7 w12", "stop"), ("w7", "stop")], 1, complete=complete)
    pool = t.search.pools[1]
    assert (pool.similar_trials, pool.different().trials) == (2, 0) and not t.alternatives.get(1)
    # a rollout stopped by a stop string (no complete answer) is read whole, as before
    t = judged("w10 w11 . w7 w12 w13 . w14 w15 .", "eos", [("w12 w13", "stop")], 1, complete=complete)
    assert t.search.pools[1].different().trials == 1 and t.alternatives[1] == ["w12 w13"]


def test_the_anchors_run_checks_a_long_traces_rollouts_on_a_schedule():
    # each resample's answer was checked at every token (the trace decoded and the oracle asked), where a mining run
    # checks every 1 + L // 512 tokens: after a 2,000-token trace the check cost more than the model's decode step
    from ptsfast.pipeline.anchors import _AnchorRun
    from ptsfast.pipeline.probes import OracleStops

    calls = []

    def complete(text):
        calls.append(len(text))
        return False

    tok = sentence_tokenizer()
    ids = tuple(tok(" ".join(["w10 w11 ."] * 700), add_special_tokens=False)["input_ids"])
    problem = SimpleNamespace(think_open=False, problem=SimpleNamespace(id="p"), solution_ids=None)
    t = SimpleNamespace(problem=problem, prompt_ids=(20,), solution_ids=ids, seq_id=0, key="p#0",
                        boundary=lambda k: 2000, search=SimpleNamespace(pools={5: SimpleNamespace(trials=0)}))
    run = object.__new__(_AnchorRun)
    run.tokenizer, run.judges = tok, {False: (None, OracleStops((), complete))}
    run.o = SimpleNamespace(seed=0, max_new_tokens=64, sampling=lambda seed: None)
    stop = run._request(t, 5, 8).stop_fn
    generated = []
    for n in range(64):
        generated.append(10)
        stop(generated)
    assert len(calls) <= 64 // 4 + 2  # every 4 tokens after 2,000, at the first and at the last


@pytest.mark.parametrize("original, resample", [
    ("x is positive.", "x is non-positive."),  # 0.8 overlap: similar, though it says the opposite
    ("x is negative.", "x is non-negative."),
    ("The series is bounded.", "The series is unbounded."),  # 0.8
    ("The limit is defined here.", "The limit is undefined here."),
    ("The function is decreasing on the interval.", "The function is nondecreasing on the interval."),
])
def test_a_negation_written_as_a_prefix_is_another_claim(original, resample):
    from ptsfast.mining.anchors import similar

    assert not similar(original, resample) and not similar(resample, original)


@pytest.mark.parametrize("original, resample", [
    ("The angle is 90^\\circ.", "The angle is 90°."),  # a unit written in LaTeX was no unit: different
    ("The angle is $90^{\\circ}$.", "The angle is 90 degrees."),
    ("The side is $3 \\text{ cm}$.", "The side is 3 cm."),
    ("The side is 3\\,\\text{cm}.", "The side is 3 cm."),
    ("The mass is 5~\\mathrm{kg}.", "The mass is 5 kg."),
    ("The rate is 50\\%.", "The rate is 50%."),
    ("So x is non-negative.", "So x is nonnegative."),  # one word in two spellings
    ("Nonetheless, x = 2.", "Nonetheless x = 2."),  # no negation
])
def test_latex_that_writes_plain_text_is_that_text(original, resample):
    from ptsfast.mining.anchors import similar

    assert similar(original, resample) and similar(resample, original)


@pytest.mark.parametrize("original, resample", [
    ("The angle is 90^\\circ.", "The angle is 90 radians."),
    ("The side is $3 \\text{ cm}$.", "The side is 3 m."),
    ("The side is 3\\,\\text{cm}.", "The side is 3\\,\\text{km}."),
    ("The rate is 50\\%.", "The rate is 50."),
])
def test_another_unit_in_latex_stays_different(original, resample):
    from ptsfast.mining.anchors import similar

    assert not similar(original, resample) and not similar(resample, original)


def _anchors_run(out, solution="w10 w11 . w12 w13 . w14 w15 ."):
    from tiny_models import tiny_anchors_run

    return tiny_anchors_run(out, tokenizer=sentence_tokenizer(), solution=solution)


def test_sentences_jsonl_grows_with_the_trace_not_its_square(tmp_path):
    # each line held the whole text before and after its sentence: 104 MB for one 15,000-token trace of 1,000
    # sentences; a line now says where its sentence lies in the trajectory's text, which problems.jsonl holds once
    import json

    from ptsfast.outputs.export import export

    run = _anchors_run(tmp_path / "run")
    recs = [json.loads(x) for x in (run / "sentences.jsonl").read_text().splitlines()]
    (traj,) = json.loads((run / "problems.jsonl").read_text())["trajectories"]
    assert len(recs) == 3
    for r in recs:
        assert "prefix_context" not in r and "suffix_context" not in r
    # the tokens' texts open with a space the text decoded alone drops (" w10" + " w11" + "."): read without it
    assert "".join(traj["tokens"]) == " " + traj["text"]
    assert [traj["text"][r["text_start"]:r["text_end"]] for r in recs] == ["w10 w11.", " w12 w13.", " w14 w15."]
    # the export writes codelion's contexts as before
    assert export(run, tmp_path / "ta.jsonl", fmt="thought_anchors", kind="sentences") == 3
    out = [json.loads(x) for x in (tmp_path / "ta.jsonl").read_text().splitlines()]
    for r, o in zip(recs, out):
        assert o["prefix_context"] == "".join(traj["tokens"][:r["start"]]).lstrip()
        assert o["suffix_context"] == "".join(traj["tokens"][r["end"]:])
    assert out[1]["prefix_context"] == "w10 w11." and out[1]["suffix_context"] == " w14 w15."
    # a file an older ptsfast wrote, the contexts in each line, is exported as it says
    old = [{k: v for k, v in r.items() if k not in ("text_start", "text_end")}
           | {"prefix_context": f"before {k}", "suffix_context": f"after {k}"} for k, r in enumerate(recs)]
    (run / "sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in old))
    assert export(run, tmp_path / "old.jsonl", fmt="thought_anchors", kind="sentences") == 3
    out = [json.loads(x) for x in (tmp_path / "old.jsonl").read_text().splitlines()]
    assert [(o["prefix_context"], o["suffix_context"]) for o in out] == [(f"before {k}", f"after {k}")
                                                                          for k in range(3)]


def test_the_contexts_are_read_from_the_trace_or_written_out():
    from ptsfast.outputs.thought_anchors import contexts

    assert contexts({"text_start": 4, "text_end": 8}, "abc.def.ghi.") == ("abc.", "ghi.")
    assert contexts({"prefix_context": "x", "suffix_context": "y", "text_start": 0, "text_end": 0}, "ab") == ("x", "y")
    # no trace (a trajectory problems.jsonl does not hold), or places outside it: an error naming the way out, not
    # empty contexts that codelion's readers would take as written
    with pytest.raises(ValueError, match="problems.jsonl"):
        contexts({"text_start": 4, "text_end": 8}, None)
    for bad in ({"text_start": 4, "text_end": 80}, {"text_start": 3, "text_end": 1},
                {"text_start": True, "text_end": 2}, {"text_start": "1", "text_end": 2}):
        with pytest.raises(ValueError, match="not a span"):
            contexts(bad, "abc")


def test_sentences_without_their_trace_are_refused_not_exported_without_contexts(tmp_path):
    # a sentences.jsonl copied out of its run folder: its lines' places point into a problems.jsonl that is not
    # beside it; the export wrote empty prefix/suffix contexts (and traces) without a word
    import json
    import shutil

    from ptsfast.outputs.export import export
    from ptsfast.outputs.source import ExportError

    run = _anchors_run(tmp_path / "run")
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(run / "sentences.jsonl", alone / "sentences.jsonl")
    with pytest.raises(ExportError, match="problems.jsonl"):
        export(alone / "sentences.jsonl", tmp_path / "ta.jsonl", fmt="thought_anchors", kind="sentences")
    assert not (tmp_path / "ta.jsonl").exists()
    # a hand-edited place: refused, naming the sentence
    recs = [json.loads(x) for x in (run / "sentences.jsonl").read_text().splitlines()]
    recs[1]["text_end"] = 10 ** 6
    (run / "sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    with pytest.raises(ExportError, match="not a span"):
        export(run, tmp_path / "ta.jsonl", fmt="thought_anchors", kind="sentences")


def test_contexts_are_written_out_where_the_tokens_are_not_the_text():
    # a special token that writes a trace marker is in the judged text but no token text: places in the text would
    # point elsewhere, so the line holds the contexts, as before
    from ptsfast.mining.anchors import AnchorSearch
    from ptsfast.pipeline.anchors import _Trajectory

    def trajectory(text, tokens):
        return _Trajectory("p#0", None, (1,), (5, 6, 7), text, True, "eos", None, tokens, [(0, 2), (2, 3)],
                           AnchorSearch(2))

    t = trajectory("<think>So x. Then y.", ["", "So x.", " Then y."])
    assert t.contexts(2, 3) == {"prefix_context": "So x.", "suffix_context": ""}
    t = trajectory("So x. Then y.", ["So", " x.", " Then y."])
    assert t.contexts(2, 3) == {"text_start": 5, "text_end": 13}


@pytest.mark.parametrize("original, resample, same", [
    ("The set is {1, 2, 3}.", "The set is {3, 2, 1}.", True),  # a set in another order: read as other numbers
    ("So $S = \\{1, 2, 3\\}$.", "So $S = \\{2, 1, 3\\}$.", True),
    ("So A = \\{1/2, 3\\}.", "So A = \\{3, 1/2\\}.", True),
    ("S = {1, 2} and T = {3, 4}.", "S = {2, 1} and T = {4, 3}.", True),
    ("S = {1, 2} and T = {3, 4}.", "S = {3, 4} and T = {1, 2}.", False),  # the sets swapped between the names
    ("The point is (3, 4).", "The point is (4, 3).", False),  # a tuple and a list keep their order
    ("The list is [1, 2].", "The list is [2, 1].", False),
    ("The set is {1, 2, 3}.", "The set is {1, 2, 4}.", False),
])
def test_a_set_written_in_another_order_is_the_same_set(original, resample, same):
    from ptsfast.mining.anchors import similar

    assert similar(original, resample) is same and similar(resample, original) is same


@pytest.mark.parametrize("text, sentences", [
    ("We use the formula, viz. the sum of the terms. Then", ["We use the formula, viz. the sum of the terms.", "Then"]),
    ("This holds, esp. for large n. Then", ["This holds, esp. for large n.", "Then"]),
])
def test_viz_and_esp_end_no_sentence(text, sentences):
    # each was a sentence end: "We use the formula, viz." and "the sum of the terms." were two sentences
    from test_anchors_round7 import split_text

    assert split_text(text) == sentences


def test_records_are_the_same_with_the_answer_checked_at_every_token_or_on_a_schedule(tmp_path, monkeypatch):
    """The run checks answers every few tokens (made every 1 + L // 2 here, so most stops come late); a check at
    every token gives the same records: the same verdicts (the check is prefix-monotone) and the same first sentences
    (a late stop is read up to where its answer completed)."""
    import json

    import torch
    from tiny_models import tiny_model

    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions, probes
    from ptsfast.problems import oracles
    from ptsfast.problems.loading import Problem

    def has_w7(text, problem):
        return "w7" in text.split()

    monkeypatch.setitem(oracles.ORACLES, "has_w7", oracles.OracleSpec(has_w7, (), lambda text: has_w7(text, None),
                                                                      "math"))
    monkeypatch.setattr(probes, "STOP_CHECK_SPAN", 2)
    model = tiny_model("llama", seed=3)
    with torch.no_grad():  # w7 now and then, in the middle of a rollout's first sentence too
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[12], model.lm_head.bias[7], model.lm_head.bias[5] = 5.0, 4.0, 1.0
    solution = "w10 w11 . w12 w7 w13 . w14 w15 . w16 w17 ."
    opts = AnchorOptions(MineOptions(oracle="has_w7", max_new_tokens=10, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=256, block_size=8)),
                         AnchorConfig(max_rollouts=16, batch_size=8))
    every_token = probes.OracleStops.stop_fn

    def runs(out):
        find_anchors(model, sentence_tokenizer(), [Problem("p", "w20", solution=solution)], out, opts, progress=False)
        return [{k: r[k] for k in ("p_with", "p_resampled", "p_similar", "p_different", "alternatives",
                                   "unfinished_resamples")}
                for r in map(json.loads, (out / "sentences.jsonl").read_text().splitlines())]
    scheduled = runs(tmp_path / "a")
    monkeypatch.setattr(probes.OracleStops, "stop_fn", lambda self, tok, head, problem=None, budget=None:
                        every_token(self, tok, head, problem))
    assert runs(tmp_path / "b") == scheduled
    assert sum(r["p_similar"]["trials"] for r in scheduled) and sum(r["p_different"]["trials"] for r in scheduled)
