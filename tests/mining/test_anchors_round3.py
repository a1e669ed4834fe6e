"""Thought anchors, third round: estimates and intervals computed by hand, a point estimate exactly at the
threshold, sentences made of terminators alone."""

import math
from statistics import NormalDist

import pytest

from ptsfast.mining.anchors import (
    AnchorConfig,
    AnchorOutcome,
    AnchorSearch,
    Stop,
    first_sentence,
    first_sentence_ended,
    similar,
    split_sentences,
)


def wilson(s: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = s / n
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half / (1 + z * z / n)), min(1.0, centre + half / (1 + z * z / n))


def newcombe(sb: int, nb: int, sa: int, na: int) -> tuple[float, float, float]:
    """p_b - p_a and its Newcombe (method 10) interval, from two Wilson intervals."""
    pb, pa = sb / nb, sa / na
    (lb, ub), (la, ua) = wilson(sb, nb), wilson(sa, na)
    d = pb - pa
    return d, d - math.hypot(pb - lb, ua - pa), d + math.hypot(ub - pb, pa - la)


def test_estimates_and_newcombe_intervals_by_hand():
    s = AnchorSearch(2, AnchorConfig(), final=0.0)
    # boundary 0: 3 similar (2 right), 5 different (1 right), 2 cut in their first sentence (1 right)
    s.add(0, [AnchorOutcome(True, True)] * 2 + [AnchorOutcome(False, True), AnchorOutcome(True, False)]
          + [AnchorOutcome(False, False)] * 4 + [AnchorOutcome(True), AnchorOutcome(False)])
    # boundary 1: 6 similar (5 right), 2 different (both wrong)
    s.add(1, [AnchorOutcome(True, True)] * 5 + [AnchorOutcome(False, True)] + [AnchorOutcome(False, False)] * 2)
    first, last = s.results([(0, 2), (2, 4)])
    assert (first.p_with.successes, first.p_with.trials) == (5, 8)  # the resamples of sentence 1
    assert (first.p_resampled.successes, first.p_resampled.trials) == (4, 10)
    assert (first.p_different.successes, first.p_different.trials) == (1, 5)
    assert (first.p_similar.successes, first.p_similar.trials) == (2, 3)
    cf, rs = newcombe(5, 8, 1, 5), newcombe(5, 8, 4, 10)
    assert (first.counterfactual.value, first.counterfactual.lo, first.counterfactual.hi) == pytest.approx(cf,
                                                                                                      abs=1e-12)
    assert (first.resampling.value, first.resampling.lo, first.resampling.hi) == pytest.approx(rs, abs=1e-12)
    # the last sentence: p(with) is the solution's verdict (0, exact, a zero-width side of the interval)
    assert last.p_with.exact and last.p_with.p == 0.0
    assert (last.counterfactual.value, last.counterfactual.lo, last.counterfactual.hi) == pytest.approx(
        (0.0, -wilson(0, 2)[1], 0.0), abs=1e-12)
    lw, uw = wilson(5, 8)
    assert (last.resampling.value, last.resampling.lo, last.resampling.hi) == pytest.approx((-5 / 8, -uw, -lw),
                                                                                            abs=1e-12)


def test_a_point_estimate_exactly_at_the_threshold_makes_an_anchor_at_the_cap():
    # 1 - 48/60 is 0.2 by the counts but computes as 0.19999999999999996: the sentence, at the cap with its interval
    # excluding 0, was not an anchor though its importance is the threshold ("|importance| >= threshold")
    s = AnchorSearch(1, AnchorConfig(threshold=0.2), final=1.0)
    s.add(0, [AnchorOutcome(True, False)] * 48 + [AnchorOutcome(False, False)] * 12 + [AnchorOutcome(True, True)] * 4)
    assert s.requests() == [] and s.stops == [Stop.CAP]
    (r,) = s.results([(0, 1)])
    assert r.counterfactual.value == pytest.approx(0.2) and r.counterfactual.lo > 0
    assert r.stop is Stop.CAP and r.is_anchor


@pytest.mark.parametrize("line", ["?", "...", "!"])
def test_a_sentence_of_terminators_alone_is_itself_not_the_next_sentence(line):
    # a line of "?" or "..." was read as the sentence after it: the record named the next sentence, and a resample
    # that left the line out (its first sentence the next one) counted as similar to it
    from ptsfast.pipeline.anchors import _Trajectory

    tokens = ["Is", " it", " 5", "\n", line, "\n", "Yes", ",", " it", " is", " 5", "."]
    spans = split_sentences(tokens)
    t = _Trajectory("p#0", None, (), tuple(range(len(tokens))), "".join(tokens), True, "eos", None, tokens, spans,
                    AnchorSearch(len(spans)))
    assert [t.sentence(k) for k in range(len(spans))] == ["Is it 5", line, "Yes, it is 5."]
    a = spans[1][0]
    before = "".join(tokens[:a])
    same, skipped = "".join(tokens[a:]), "Yes, it is 5."
    assert first_sentence(same, before) == line and first_sentence_ended(same, before)
    assert similar(t.sentence(1), first_sentence(same, before))
    assert not similar(t.sentence(1), first_sentence(skipped, before))
    # a terminator right after the text before the fork still ends that sentence ("Yes" + ". Then")
    assert first_sentence(". Then go.", "Is it? Yes") == "Then go."
    assert first_sentence("。所以选B。", "答案是五") == "所以选B。"


def test_numbers_listed_without_spaces_are_the_numbers_listed_with_them():
    # "(3,4)" was one number "3,4" and "(3, 4)" two: a resample writing the same point, set or roots with or without
    # spaces after the commas counted as different
    assert similar("The point is (3,4).", "The point is (3, 4).")
    assert similar("So the set is {1,2,3}.", "So the set is {1, 2, 3}.") and similar("x = 1,2", "x = 1, 2")
    assert not similar("The point is (3,4).", "The point is (3, -4).") and not similar("x = 1,2", "x = 1, 3")
    # a comma that groups thousands is still one number
    assert similar("We have 1,000 apples.", "We have 1000 apples.") and similar("x = 12,345.50", "x = 12345.5")


def test_the_export_keeps_a_sentence_whose_prob_delta_is_min_delta_by_its_counts():
    # --min-delta 0.2 dropped a sentence whose p(with) 1 and p(different) 48/60 make prob_delta 0.2 (0.1999... computed)
    from ptsfast.outputs.thought_anchors import keep, thought_anchor_record

    s = {"problem_id": "p", "sentence": "x.", "sentence_id": 0, "p_with": {"p": 1.0, "trials": 0, "exact": True},
         "p_resampled": {"p": 52 / 64, "trials": 64}, "p_different": {"p": 48 / 60, "trials": 60}, "is_anchor": True}
    rec = thought_anchor_record(s, query="q", trace="x.", task_type="math", model_id="m", dataset_id=None,
                                timestamp="t")
    assert rec["prob_delta"] == pytest.approx(0.2) and rec["prob_without_source"] == "different"
    assert keep(s, "anchors", "raises", 0.2) and keep(s, "sentences", None, 0.2)
    assert not keep(s, "sentences", None, 0.21)


@pytest.mark.parametrize("opening, closing", [("```python\n", "```\n"), ("$$\n", "$$\n"), ("\\[\n", "\\]\n")])
def test_a_resample_after_a_long_code_block_or_display_is_split_as_the_solution_was(opening, closing):
    # the text before a fork was cut to its last 1,000 tokens (and characters) blindly: after a longer code block its
    # closing fence read as an opening one, so every sentence after it was one sentence; the record named two
    # sentences, and a resample writing the same first sentence and another second one counted as different (long
    # displays, whose closing delimiter differs or needs a partner, were read right and still are)
    from ptsfast.pipeline.anchors import _Trajectory

    lines = [f"x{i} = {i}. y\n" if "`" in opening else f"x_{{{i}}} &= {i}. \\\\\n" for i in range(1200)]
    tokens = ["Code:\n", opening, *lines, closing, "Then", " we", " get", " 3", ".", " So", " done", "."]
    spans = split_sentences(tokens)
    t = _Trajectory("p#0", None, (), tuple(range(len(tokens))), "".join(tokens), True, "eos", None, tokens, spans,
                    AnchorSearch(len(spans)))
    k = next(k for k, (a, _) in enumerate(spans) if tokens[a] == "Then")
    assert t.sentence(k) == "Then we get 3." and t.sentence(k + 1) == "So done."
    assert first_sentence(" Then we get 3. Next we add.", t.before(k)) == "Then we get 3."
    assert first_sentence(" Then we get 3. Next we add.", "".join(tokens[:spans[k][0]])) == "Then we get 3."
    assert len(t.before(k)) < 1100  # the context stays short
