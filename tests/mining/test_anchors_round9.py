"""Thought anchors, ninth round: sentence ends after a ratio ("3:1.") and after a numbered reference ("Sec. 2."),
contractions read as the words they stand for ("isn't" / "is not"), an equation written the other way round, and
sentences.jsonl lines read back without their repeated prefix ids."""

import pytest


def _pieces(text):
    from ptsfast.mining.anchors import sentence_starts

    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:])]


@pytest.mark.parametrize("text, pieces", [
    # "1." after a colon was read as an inline list's first marker ("Steps: 1. Add"), so a ratio or a time ending a
    # sentence merged it with the next one
    ("The ratio is 3:1. Next, we see.", ["The ratio is 3:1.", "Next, we see."]),
    ("It's 1:1. Then we stop.", ["It's 1:1.", "Then we stop."]),
    ("Compare x:1. Then y.", ["Compare x:1.", "Then y."]),
    # a number after "Sec."/"Vol."/"Ch."/"No." ("See Sec. 2") ends its sentence as one after "Fig." does
    ("See Sec. 2. Then Thm. 3 applies.", ["See Sec. 2.", "Then Thm. 3 applies."]),
    ("It is in Vol. 3. The proof is there.", ["It is in Vol. 3.", "The proof is there."]),
    # nor was a value after a colon with no second marker after it
    ("The answer is: 1. Then we check it.", ["The answer is: 1.", "Then we check it."]),
    ("Count: 1. Next.", ["Count: 1.", "Next."]),
    # an English word's "." / "?" / "!" before Chinese or Japanese (a trace switching language) ended nothing
    ("Let me compute.然后我们检查。", ["Let me compute.", "然后我们检查。"]),
    ("Check this?好的。", ["Check this?", "好的。"]),
    # unchanged: a number, an abbreviation or a factorial before Chinese
    ("We get 5.然后", ["We get 5.然后"]), ("例如 e.g.例子。", ["例如 e.g.例子。"]), ("所以 n!种方法。", ["所以 n!种方法。"]),
    # unchanged: an inline list after a colon, a number after "Sec." inside a sentence
    ("Do this: 1. Add them. **2.** Multiply.", ["Do this: 1. Add them.", "**2.** Multiply."]),
    ("Steps: 1. Add the two. 2. Multiply them.", ["Steps: 1. Add the two.", "2. Multiply them."]),
    ("Use Sec. 2 here. Then go.", ["Use Sec. 2 here.", "Then go."]),
    ("See Fig. 2. Then go.", ["See Fig. 2.", "Then go."]),
])
def test_sentence_ends_after_a_ratio_or_a_numbered_reference(text, pieces):
    assert _pieces(text) == pieces


@pytest.mark.parametrize("a, b", [
    # a contraction read apart ("isn", "'", "t") overlapped its spelled-out words 0.71-0.78: a resample saying the
    # same counted as different
    ("This is not the answer we want.", "This isn't the answer we want."),
    ("So we cannot divide by zero here.", "So we can't divide by zero here."),
    ("So we can not divide.", "So we cannot divide."),
    ("It won't work.", "It will not work."),
    # a percentage and the fraction or decimal of its value held other numbers (50 and 0.5) and a unit the other
    # lacked: different
    ("So we get 50% of the total.", "So we get 1/2 of the total."),
    ("So the probability is 0.25 for this event.", "So the probability is 25% for this event."),
    ("So 12.5 percent of them.", "So \\frac{1}{8} of them."),
    # hundreds and thousands in words held other numbers than their digits ("2" / "200")
    ("A hundred students passed.", "100 students passed."),
    ("Two hundred and five students passed.", "205 students passed."),
    ("He paid one thousand dollars.", "He paid $1,000."),
    # an equation written the other way round held its numbers in another order, read as another claim
    ("So 2x + 1 = 7 gives x = 3.", "So 7 = 2x + 1 gives x = 3."),
    ("So 10 - 3 = 7 here.", "So 7 = 10 - 3 here."),
])
def test_the_same_claim_in_other_words_is_similar(a, b):
    from ptsfast.mining.anchors import similar

    assert similar(a, b) and similar(b, a)


@pytest.mark.parametrize("a, b", [
    ("So we cannot divide by zero here.", "So we can divide by zero here."),
    ("This isn't the answer we want.", "This is the answer we want."),
    ("So x - 2 = 5 here.", "So 5 - 2 = x here."),  # another equation, the same numbers
    ("So we get 50% of the total.", "So we get 5% of the total."),
    ("So 12% of them.", "So 12 of them."),
    ("Two hundred students passed.", "300 students passed."),
    ("100% of the students passed.", "One of the students passed."),  # a percentage is no count
    ("200% of the students passed.", "Two of the students passed."),
    ("So 30% of them.", "So 1/3 of them."),  # a rounding is another value
    ("So 10 - 3 = 7 here.", "So 7 = 3 - 10 here."),
    ("So 2x + 1 = 7 gives x = 3.", "So 7 = 2x + 1 gives x = 4."),
    ("We get y = 2 and x = 3.", "We get y = 3 and x = 2."),
])
def test_another_claim_stays_different(a, b):
    from ptsfast.mining.anchors import similar

    assert not similar(a, b) and not similar(b, a)


def test_sentences_lines_without_their_prefix_ids_are_read_back_from_problems_jsonl(tmp_path):
    # each sentences.jsonl line repeats the ids before its sentence (48 MB for one 15,000-token, 1,000-sentence
    # trajectory, 1.1 MB without them); problems.jsonl holds the prompt's and the trajectory's ids once, so a line
    # that leaves them out is read back with them, by the re-estimate's reader and by the thought_anchors export
    import json

    from test_anchors_round4 import sentence_tokenizer
    from tiny_models import tiny_anchors_run

    from ptsfast.outputs.thought_anchors import prefix_ids, read_sentences, thought_anchor_record

    run = tiny_anchors_run(tmp_path / "run", tokenizer=sentence_tokenizer(),
                           solution="w10 w11 . w12 w13 . w14 w15 .")
    lean = [json.loads(x) for x in (run / "sentences.jsonl").read_text().splitlines()]
    problem = json.loads((run / "problems.jsonl").read_text())
    assert len(lean) == 3 and not any("prefix_ids" in r for r in lean)  # the writer leaves them out
    full = list(read_sentences(run))  # as an earlier ptsfast wrote them: the prompt's ids and the solution's before
    solution = problem["trajectories"][0]["solution_ids"]
    assert [r["prefix_ids"] for r in full] == [problem["prompt_ids"] + solution[:r["start"]] for r in lean]
    for r, old in zip(lean, full):
        assert prefix_ids(r, problem) == old["prefix_ids"] == prefix_ids(old, None)  # an old line: its own ids
        rec = thought_anchor_record(r, query="q", trace=problem["trajectories"][0]["text"], task_type="math",
                                    model_id="m", dataset_id=None, timestamp="t", problem=problem)
        assert rec["prefix_ids"] == old["prefix_ids"]
    # files of either kind (and a mix: a run resumed by another ptsfast) read back alike
    for kept in (lean, full, [lean[0], full[1], lean[2]]):
        (run / "sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept))
        assert list(read_sentences(run)) == full
    # a trajectory no problems.jsonl holds: not known (not the ids of another); a start outside it: an error
    assert prefix_ids({**lean[1], "trajectory": "a0#9"}, problem) is None
    with pytest.raises(ValueError, match="start 99"):
        prefix_ids({**lean[1], "start": 99}, problem)
    with pytest.raises(ValueError, match="prompt_len"):
        prefix_ids({**lean[1], "prompt_len": 1}, problem)


def _stopped_run(tok, complete):
    from types import SimpleNamespace

    from ptsfast.pipeline.anchors import _AnchorRun
    from ptsfast.pipeline.probes import OracleStops

    run = object.__new__(_AnchorRun)
    run.tokenizer, run.judges = tok, {False: (None, OracleStops((), complete))}
    problem = SimpleNamespace(think_open=False, problem=SimpleNamespace(id="p"), solution_ids=None)
    return run, problem


def test_a_late_stop_is_read_back_without_decoding_the_trace_at_every_step():
    # each stopped resample was read back by decoding the trace and the resample whole at every step of a binary
    # search (2 + log2 of the checks' interval decodes, 10 ms a resample after 2,000 tokens of SmolLM2's tokenizer):
    # the trace is now decoded once for the look, and the text decoded at once read only where the answer completes
    import functools
    from types import SimpleNamespace

    from test_anchors_round4 import sentence_tokenizer

    from ptsfast.engine import FinishReason, Rollout
    from ptsfast.pipeline.probes import TextSoFar

    tok = sentence_tokenizer()
    ids = tuple(tok(" ".join(["w10 w11 ."] * 700), add_special_tokens=False)["input_ids"])
    long_decodes = []
    batch_decode = tok.batch_decode

    def counted(seqs, **kw):
        long_decodes.extend(len(s) for s in seqs if len(s) >= len(ids))
        return batch_decode(seqs, **kw)
    tok.batch_decode = counted
    run, problem = _stopped_run(tok, lambda text: "w7" in text.split())
    t = SimpleNamespace(problem=problem, prompt_ids=(20,), solution_ids=ids)
    so_far = functools.cache(lambda: TextSoFar(tok, ids))
    words = [12, 13, 14, 15, 16, 17, 18, 19]
    for w7, late in [(0, 1), (2, 3), (3, 0), (5, 2), (1, 1), (4, 3), (6, 1), (2, 0)]:  # stopped up to 3 tokens late
        tokens = tuple(tok.convert_tokens_to_ids(f"w{w}") for w in words[:w7]) + (7,) + tuple(
            tok.convert_tokens_to_ids(f"w{w}") for w in words[:late])
        r = Rollout(tokens, (0.0,) * len(tokens), FinishReason.STOP)
        assert run._as_stopped(t, len(ids), r, so_far) == tokens[:w7 + 1]
    assert len(long_decodes) <= 8 + 4, long_decodes  # one a resample, a few for the look's text before the fork

    # where the parts' texts joined say otherwise than the text decoded at once, the latter decides, as the
    # rollouts' stop_fn reads it (here the joined text holds an answer everywhere)
    class Joined:
        def __init__(self):
            self.text = TextSoFar(tok, ids)

        def joined(self, generated):
            return self.text.whole(generated) + " w7"

        def whole(self, generated):
            return self.text.whole(generated)
    tokens = tuple(tok.convert_tokens_to_ids(f"w{w}") for w in (12, 13, 7, 14))
    r = Rollout(tokens, (0.0,) * 4, FinishReason.STOP)
    assert run._as_stopped(t, len(ids), r, Joined) == tokens[:3]


def test_a_resample_that_shares_few_words_is_different_without_reading_its_claims(monkeypatch):
    # the numbers' and claims' readings (1.1 ms a pair) ran before the word overlap (0.25 ms) that decides most
    # different resamples alone, on the engine's thread, for every resample
    import ptsfast.mining.anchors as anchors

    a = "So the total number of apples is $3 + 5 = 8$, and then we multiply by 2 to get 16 apples in total."
    b = "Wait, I should check whether the question asks for pears instead."
    assert anchors.overlap(a, b) < 0.8 and not anchors.similar(a, b)

    def unread(x, y):
        raise AssertionError("read for a pair the overlap already decides")
    monkeypatch.setattr(anchors, "same_facts", unread)
    monkeypatch.setattr(anchors, "same_numbers", unread)
    assert not anchors.similar(a, b)


_FRAGMENTS = ["So x = 3.", " Then y", ".", "\n", "\n\n", "1. Add", " 2. Multiply", "Steps: ", "e.g. ", "Wait...",
              " let me", "```python\nx = 1.\n", "```\n", "\\[ x = 1.\n\\]", "\\( a.\nb \\)", "$x = 2.$", " So ",
              "| 1. | 2. |\n", "首先。", "然后.", "Fig. 2", "No. 5", " A. 2, B. 3", "?", "!", " ", "**Bold.**",
              "\\begin{align*} a &= 1. \\\\\n b \\end{align*}", "<think>", "</think>", "3:1. ", "Done"]


def test_a_resamples_first_sentence_is_found_in_its_first_line_as_in_its_whole_text(monkeypatch):
    # the whole resample was split to find its first sentence (2,000 characters: 3.6 ms a resample, twice, on the
    # engine's thread); the text up to the first newline that ends a sentence now serves, with the same answer
    import random

    import ptsfast.mining.anchors as anchors

    rng = random.Random(9)
    for _ in range(3000):
        before = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 6)))
        text = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 12)))
        whole = anchors._first_piece(anchors.context_before(before) + text, len(anchors.context_before(before)))
        assert anchors._first(text, before) == whole[:2], (before, text)
    # a long first line: its first characters serve where its first sentence ends well before them
    flat = [f for f in _FRAGMENTS if "\n" not in f] + ["| a | b. |", "x" * 300, " " * 700, "$$", "```", "\\("]
    for _ in range(200):
        before = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 6)))
        text = "".join(rng.choice(flat) for _ in range(rng.randint(200, 500)))
        whole = anchors._first_piece(anchors.context_before(before) + text, len(anchors.context_before(before)))
        assert anchors._first(text, before) == whole[:2], (before, text)
    seen = []
    starts = anchors.sentence_starts
    monkeypatch.setattr(anchors, "sentence_starts", lambda t: seen.append(len(t)) or starts(t))
    text = " So the sum is 45.\n" + "\n".join(f"Then we check {i} against {i + 2}." for i in range(40))
    assert anchors.first_sentence(text, "We add them.") == "So the sum is 45."
    assert anchors.first_sentence_ended(text, "We add them.")
    assert seen and max(seen) < 40, seen
    seen.clear()
    text = " So the sum is 45. " + " ".join(f"Then we check {i} against {i + 2}." for i in range(400))
    assert anchors.first_sentence(text, "We add them.") == "So the sum is 45."
    assert seen and max(seen) < 1200, seen


def test_a_resamples_first_sentence_and_whether_it_ended_are_split_once(monkeypatch):
    # the anchors run asks both of every resample (first_sentence_ended, then first_sentence): its text was split twice
    import ptsfast.mining.anchors as anchors

    seen = []
    starts = anchors.sentence_starts
    monkeypatch.setattr(anchors, "sentence_starts", lambda t: seen.append(t) or starts(t))
    text = " So the sum is 46 here, as we check it twice before going on"
    assert anchors.first_sentence_ended(text, "We add them.") is False
    assert anchors.first_sentence(text, "We add them.") == "So the sum is 46 here, as we check it twice before going on"
    assert len(seen) == 1
