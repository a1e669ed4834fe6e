"""Thought anchors without a model: the sentence splitter, the similarity, and the sequential estimation
scored on a synthetic sentence-level world with known importances."""

import random

import pytest
from anchor_world import make_world, run_world

from ptsfast.mining.anchors import (
    AnchorConfig,
    AnchorOutcome,
    AnchorSearch,
    Stop,
    overlap,
    sentence_starts,
    similar,
    split_sentences,
)


def texts_of(tokens, spans):
    return ["".join(tokens[a:b]) for a, b in spans]



def split_text(text: str) -> list[str]:
    """The sentences :func:`sentence_starts` cuts ``text`` into, stripped."""
    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:])]

def test_sentences_are_token_spans_that_cover_the_solution():
    tokens = ["First", " we", " add", " 3", ".", "5", " and", " 2", ".", " Then", " e", ".g", ".", " x", "!",
              "\n\n", "1", ".", " Step", " one", "?", "\n", "<think>", "Hmm", ".", "</think>", " Done", ".", "</s>"]
    spans = split_sentences(tokens)
    assert spans[0][0] == 0 and spans[-1][1] == len(tokens)
    assert all(a < b for a, b in spans) and all(s[1] == t[0] for s, t in zip(spans, spans[1:]))
    assert texts_of(tokens, spans) == ["First we add 3.5 and 2.", " Then e.g. x!\n\n", "1. Step one?\n",
                                       "<think>", "Hmm.", "</think>", " Done.</s>"]


def test_a_boundary_inside_a_token_goes_to_the_token_holding_the_next_sentence():
    tokens = ["A", " b", ". C", " d", ".\n\n", "E", " f"]  # ". C": the sentence C starts inside this token
    assert texts_of(tokens, split_sentences(tokens)) == ["A b", ". C d.\n\n", "E f"]
    # the first bytes of a character (empty texts) stay with the token that completes it
    tokens = ["Ok", ".", " ", "", "", "é", " x"]
    assert split_sentences(tokens) == [(0, 3), (3, 7)]
    assert split_sentences(["\n", "\n", "Hi", "."]) == [(0, 4)]  # leading blank lines join the first sentence
    assert split_sentences([]) == []
    assert sentence_starts("No end") == []


def test_similarity_by_token_overlap_and_numbers():
    assert overlap("So the total is 15.", "so THE total is 15 .") == 1.0
    assert overlap("a b c d", "a b c e") == 0.75
    assert similar("The total is 5 * 3 = 15.", "So the total is 5 * 3 = 15.")
    assert not similar("The total is 5 * 3 = 15.", "The total is 5 * 3 = 16.")  # other numbers, other claim
    assert similar("The total is 5 * 3 = 15.", "The total is 5 * 3 = 16.", numbers_must_match=False)
    assert not similar("Let me add them.", "Wait, that is wrong.")


def test_the_last_sentence_uses_the_solutions_verdict_and_decisions_stop_sampling():
    cfg = AnchorConfig(batch_size=8, max_rollouts=64)
    s = AnchorSearch(2, cfg, final=1.0)
    assert s.requests() == [(0, 8), (1, 8)]  # nothing is asked at the end: p(with) of the last sentence is exact
    s.add(0, [AnchorOutcome(True, True)] * 4 + [AnchorOutcome(True, False)] * 4)
    s.add(1, [AnchorOutcome(True, True)] * 4 + [AnchorOutcome(False, False)] * 4)
    # sentence 1 (with: exactly 1, different: 0/4) is an anchor; sentence 0 (with 4/8, different 4/4) is undecided
    # and asks where it has fewer rollouts: its different resamples, at boundary 0
    assert s.requests() == [(0, 8)]
    assert s.stops[1] is Stop.ANCHOR
    res = s.results([(0, 3), (3, 5)])
    assert res[1].is_anchor and res[1].p_with.exact and res[1].counterfactual.value == 1.0
    assert res[1].resampling.value == pytest.approx(0.5)
    with pytest.raises(ValueError):
        AnchorConfig(max_rollouts=4, batch_size=8)


def test_synthetic_world_recall_and_interval_coverage():
    """The issue's bar: >= 95% of sentences with |importance| >= 0.3 found, intervals covering the truth >= 90%."""
    rng = random.Random(0)
    cfg = AnchorConfig()
    big = found = covered = counted = small = false = rollouts = sentences = 0
    for _ in range(300):
        world = make_world(rng)
        search, results = run_world(world, cfg, rng)
        rollouts, sentences = rollouts + search.rollouts, sentences + world.n
        for r in results:
            true = world.counterfactual(r.index)
            big, found = big + (abs(true) >= 0.3), found + (abs(true) >= 0.3 and r.is_anchor)
            small, false = small + (abs(true) <= 0.1), false + (abs(true) <= 0.1 and r.is_anchor)
            for effect, truth in ((r.counterfactual, true), (r.resampling, world.resampling(r.index))):
                assert effect is not None
                counted, covered = counted + 1, covered + (effect.lo <= truth <= effect.hi)
    assert big > 500 and found / big >= 0.95, (found, big)
    assert covered / counted >= 0.90, (covered, counted)
    assert false / small <= 0.15, (false, small)
    # sequential stopping: about one cap per sentence on average (63.8; 68.7 since a sentence whose resamples mostly
    # agree goes on past the cap while too few differ)
    assert rollouts / sentences < 72


def test_no_before_a_word_ends_a_sentence_and_full_width_terminators_end_one():
    assert split_text("Is 7 even? No. So 7 is odd.") == ["Is 7 even?", "No.", "So 7 is odd."]
    assert split_text("Wait, no. Let me redo it.") == ["Wait, no.", "Let me redo it."]
    assert split_text("See No. 5 in the list. Then go.") == ["See No. 5 in the list.", "Then go."]
    assert split_text("We buy pears, etc. Then we pay.") == ["We buy pears, etc.", "Then we pay."]
    assert split_text("Fruit etc. are sold.") == ["Fruit etc. are sold."]
    assert split_text("A. First option\nB. Second option") == ["A. First option", "B. Second option"]
    chinese = "首先，我们计算3加5。结果是8。答案是16。"
    assert split_text(chinese) == ["首先，我们计算3加5。", "结果是8。", "答案是16。"]
    # full-width
    assert split_text("首先计算3加5．结果是8．答案是16．") == ["首先计算3加5．", "结果是8．",
                                                 "答案是16．"]
    assert split_text("圆周率约为３．１４．它是常数．") == ["圆周率约为３．１４．",
                                             "它是常数．"]


def test_outcomes_without_a_similarity_verdict_count_on_neither_side():
    s = AnchorSearch(2, AnchorConfig(), final=1.0)
    s.add(0, [AnchorOutcome(True)] * 4 + [AnchorOutcome(True, False)] * 2 + [AnchorOutcome(False, False)] * 8)
    s.add(1, [AnchorOutcome(True, True)] * 8)
    r = s.results([(0, 1), (1, 2)])[0]
    assert (r.p_different.successes, r.p_different.trials) == (2, 10) and r.p_resampled.trials == 14


def one_sentence(q: float, p_with: float, p_different: float, runs: int, seed: int):
    """Records of a one-sentence world (resamples similar with probability q), each from a fresh search."""
    from anchor_world import World
    rng = random.Random(seed)
    return [run_world(World([p_with, p_with], [q], [p_different], None), AnchorConfig(), rng)[1][0]
            for _ in range(runs)]


def test_decisions_at_the_threshold_err_less_than_the_level_over_all_looks():
    # true |importance| exactly at the threshold: a decision either way is wrong; tested at the full level on every
    # look, 8% of sentences were decided anchors early (the level promises 2.5% a side)
    recs = one_sentence(0.0, 0.6, 0.4, 2000, 3)
    assert sum(r.stop is Stop.ANCHOR for r in recs) / len(recs) <= 0.025
    assert sum(r.stop is Stop.NOT_ANCHOR for r in recs) / len(recs) <= 0.025


@pytest.mark.parametrize("q", [0.8, 0.95])
def test_a_sentence_without_effect_is_rarely_an_anchor_when_most_resamples_agree(q):
    # at the cap the point estimate rested on the few different resamples: 21% (q 0.8) to 49% (q 0.95) of sentences
    # without any effect were anchors
    recs = one_sentence(q, 0.5, 0.5, 1000, 7)
    assert sum(r.is_anchor for r in recs) / len(recs) <= 0.08


def test_records_are_decided_on_the_final_counts():
    # sentence 0 is decided an anchor early; boundary 1 then grows for sentence 1, and its final counts no longer
    # clear the threshold: the record must not keep the early stop
    s = AnchorSearch(2, AnchorConfig(), final=None)
    s.add(0, [AnchorOutcome(False, False)] * 16)
    s.add(1, [AnchorOutcome(True, True)] * 16)
    assert s._decide(0) is Stop.ANCHOR and (0, 8) not in s.requests()
    s.add(1, [AnchorOutcome(False, False)] * 40)
    r = s.results([(0, 1), (1, 2)])[0]
    lo = min(abs(r.counterfactual.lo), abs(r.counterfactual.hi))
    assert r.stop is not Stop.ANCHOR or lo >= 0.2


def test_a_similarity_that_finds_every_resample_similar_is_refused():
    with pytest.raises(ValueError, match="every resample similar"):
        AnchorConfig(similarity_threshold=0.0, numbers_must_match=False)
    AnchorConfig(similarity_threshold=0.0)  # the numbers rule still tells resamples apart


def test_no_sentence_ends_inside_code_or_math_and_display_math_ends_its_sentence():
    assert split_text("So \\[ x = 1/2. \\] Then we stop.") == ["So \\[ x = 1/2. \\]", "Then we stop."]
    assert split_text("We get\n\\[\nx = 1/2.\n\\]\nThen we stop.") == ["We get", "\\[\nx = 1/2.\n\\]", "Then we stop."]
    assert split_text("Run `print('big. ok')` now. Next.") == ["Run `print('big. ok')` now.", "Next."]
    # dollars are money unless they read as math: "$3.50. Then" ends a sentence, "$x. y$" does not
    assert split_text("Price is $3.50. Then $x. y$ ok. End.") == ["Price is $3.50.", "Then $x. y$ ok.", "End."]


def test_initialisms_titles_and_trailing_ellipses_do_not_end_a_sentence():
    # "the U.S. for years" was cut after "U.S.", "Mt. Everest" after "Mt." and "Wait... let me" after the dots:
    # each half was resampled and scored as a sentence of its own
    assert split_text("He was in the U.S. for years. Then he left.") == ["He was in the U.S. for years.",
                                                                        "Then he left."]
    assert split_text("Meet at 5 p.m. today. Go.") == ["Meet at 5 p.m. today.", "Go."]
    assert split_text("It ends at 5 p.m. Then we go.") == ["It ends at 5 p.m.", "Then we go."]
    assert split_text("We climbed Mt. Everest. It was cold.") == ["We climbed Mt. Everest.", "It was cold."]
    assert split_text("Wait... let me think. So x = 2.") == ["Wait... let me think.", "So x = 2."]
    assert split_text("Hmm... Actually no.") == ["Hmm...", "Actually no."]


def test_a_sign_change_is_a_different_sentence():
    # "-2" and "2" were the same number and the words barely differ: a sign error counted as a similar resample
    assert not similar("5 - 3 = 2", "5 - 3 = -2") and not similar("So x = -3.", "So x = 3.")
    assert not similar("x=−2", "x=2") and similar("x = 2 - 3 = -1", "x = 2 - 3 = -1")
    assert similar("5-3 = 2", "5-3 = 2") and similar("a[1]-2 = 0", "a[1]-2 = 0")


@pytest.mark.parametrize("tokens", [["So", " x", " =", " 2", ". Then", " y", " =", " 3", "."],
                                    ["答案", "是", "五", "。所以", "选", "B", "。"]])
def test_a_token_holding_two_sentences_ends_does_not_make_every_resample_different(tokens):
    # the fork is before the token that holds the end of one sentence and the start of the next: the original read
    # ". Then y = 3." and an identical resample's first sentence read ".", so every resample counted as different
    from ptsfast.mining.anchors import first_sentence, sentence_text
    spans = split_sentences(tokens)
    assert len(spans) == 2
    a, b = spans[1]
    original, resample = sentence_text("".join(tokens[a:b])), first_sentence("".join(tokens[a:]) + " More text.")
    assert original == resample and similar(original, resample)
    assert first_sentence("</think>\n\nSo x.") == "</think>" and first_sentence(" and y. Then z.") == "and y."


def test_an_inline_list_marker_starts_its_item():
    # "Steps: 1. Add 2. 2. Multiply" was cut after each marker: "Steps: 1." and "2." were sentences of their own
    assert split_text("Steps: 1. Add 2. 2. Multiply by 3.") == ["Steps: 1. Add 2.", "2. Multiply by 3."]
    assert split_text("The result is 10. 10 is even.") == ["The result is 10.", "10 is even."]
    assert split_text("So x is 12. Then y is 3. Done.") == ["So x is 12.", "Then y is 3.", "Done."]
    assert split_text("Answer: 5. Then we stop.") == ["Answer: 5.", "Then we stop."]


def test_a_number_written_another_way_is_the_same_number():
    # "1,000" against "1000" and "5.0" against "5" made a resample that says the same count as different
    assert similar("So we have 1,000 apples.", "So we have 1000 apples.") and similar("x = 5.0", "x = 5")
    assert similar("It costs 0.50 each.", "It costs 0.5 each.")
    assert not similar("It costs 2.50 each.", "It costs 25 each.") and not similar("x = 10", "x = 1")


def test_splitting_a_long_trace_is_linear():
    # every terminator sliced the text before it (and scanned every code span): 2,000 sentences took 21 s, 4,000 88 s
    import time

    text = " ".join(["Then we compute 3.5 times 2 and get 7. So the answer is $x$, e.g. seven."] * 2000)
    t = time.perf_counter()
    starts = sentence_starts(text)
    assert len(starts) == 3999 and time.perf_counter() - t < 2.0
    assert sentence_starts("i.e.\n。So x.") == [5, 6]  # "$" read "i.e." across the newline: "。" was no end


def test_a_bare_math_environment_is_display_math():
    # "\begin{align*}" outside "\[ \]" was cut at each of its lines and after each "." inside it
    align = "\\begin{align*}\nx &= 1. \\\\\ny &= 2.\n\\end{align*}"
    assert split_text(f"We solve\n{align}\nSo done.") == ["We solve", align, "So done."]
    assert split_text("So \\begin{equation} x = 1. \\end{equation} Then y.") == [
        "So \\begin{equation} x = 1. \\end{equation}", "Then y."]
    assert split_text("So \\[ \\begin{aligned} x &= 1. \\end{aligned} \\] Then y.") == [
        "So \\[ \\begin{aligned} x &= 1. \\end{aligned} \\]", "Then y."]


def test_a_sentence_whose_resamples_all_agree_stops_at_the_cap_of_its_resamples():
    # with every resample similar there is no p(different) to compare with: the "with" side was still grown to the
    # cap (64 rollouts a sentence for nothing, at low temperature nearly every sentence)
    s = AnchorSearch(1, AnchorConfig(), final=None)
    s.add(0, [AnchorOutcome(True, True)] * 64)
    s.add(1, [AnchorOutcome(True)] * 8)
    assert s.requests() == [] and s.done
    r = s.results([(0, 1)])[0]
    assert r.stop is Stop.CAP and not r.is_anchor and r.counterfactual is None and r.resampling is not None


def test_an_ellipsis_in_a_sum_or_written_as_one_character_is_read_as_three_dots():
    # "1 + 2 + ... + 10" was cut after the dots ("+ 10 = 55." a sentence of its own), and "…" ended no sentence:
    # "Hmm… Let me see." was one sentence where "Hmm... Let me see." is two
    assert split_text("The sum 1 + 2 + ... + 10 = 55. Done.") == ["The sum 1 + 2 + ... + 10 = 55.", "Done."]
    assert split_text("We get a_1 * … * a_n = 1. Done.") == ["We get a_1 * … * a_n = 1.", "Done."]
    assert split_text("Hmm… Let me see. OK.") == ["Hmm…", "Let me see.", "OK."]
    assert split_text("Wait… let me see. So x = 0.333... Then y.") == ["Wait… let me see.", "So x = 0.333...",
                                                                       "Then y."]


def test_a_boundary_is_counted_for_both_its_sentences_and_the_last_reads_the_verdict():
    rng = random.Random(4)
    for _ in range(40):
        world = make_world(rng)
        _, results = run_world(world, AnchorConfig(), rng)
        for r, nxt in zip(results, results[1:]):  # the "with" rollouts of k are the resamples of k + 1
            assert (r.p_with.successes, r.p_with.trials) == (nxt.p_resampled.successes, nxt.p_resampled.trials)
        last = results[-1].p_with
        assert (last.exact, last.p) == ((True, world.final) if world.final is not None else (False, last.p))


def test_the_last_sentence_of_a_finished_solution_reports_its_importance_high_by_what_the_readme_says():
    # its p(with) is exact, so its few resamples alone decide it and it stops soonest: measured +0.06 to +0.09 at
    # true 0.5 (README); the interval still covers the truth at about its level
    from anchor_world import World
    rng = random.Random(9)
    recs = [run_world(World([0.75, 1.0], [0.5], [0.5], 1.0), AnchorConfig(), rng)[1][0] for _ in range(800)]
    bias = sum(r.counterfactual.value - 0.5 for r in recs) / len(recs)
    covered = sum(r.counterfactual.lo <= 0.5 <= r.counterfactual.hi for r in recs) / len(recs)
    assert 0.03 <= bias <= 0.12 and covered >= 0.9, (bias, covered)


@pytest.mark.parametrize("rest", ["```\nThe output is 1.5.", "---\nSo x = 2.", "$$\nThen y."])
def test_a_sentence_of_symbols_is_its_own_first_sentence(rest):
    # only terminators are dropped before a resample's first sentence: a line of symbols (a code fence closing, a
    # rule) was dropped too, so an identical resample of that line read as the sentence after it, always different
    from ptsfast.mining.anchors import first_sentence, sentence_text
    line = rest.split("\n")[0]
    assert first_sentence(rest) == sentence_text(line + "\n") == line


def test_a_resample_is_split_after_the_solutions_text():
    # alone, a resample starting "1. Add 3." read "1." as a list marker at the start of a line; the solution, where it
    # follows '"Stop."', ends a sentence there: an identical resample counted as different
    from ptsfast.mining.anchors import first_sentence
    before = 'He said "Stop." '
    assert split_text(before + "1. Add 3.")[1] == "1."
    assert first_sentence("1. Add 3.", before) == "1." and first_sentence("1. Add 3.") == "1. Add 3."
    assert first_sentence(". Then y.", "So x") == "Then y."  # the terminator the fork's token holds is left out
