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
