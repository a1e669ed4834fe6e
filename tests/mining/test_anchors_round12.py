"""Thought anchors: a sentence most of whose resamples come back similar goes on past the cap while too few differ to
decide (and only then), the sequential decisions keeping their error rates; the splitter on traces in Chinese and
Japanese, LaTeX display math across lines, numbered lists, abbreviations, decimals and a trace's end mid-line."""

import random

import pytest
from anchor_world import World, run_world

from ptsfast.mining.anchors import AnchorConfig, AnchorOutcome, AnchorSearch, Stop, sentence_starts


def _records(q, p_with, p_different, runs, seed):
    rng = random.Random(seed)
    return [run_world(World([p_with, p_with], [q], [p_different], None), AnchorConfig(), rng) for _ in range(runs)]


def test_a_sentence_whose_resamples_mostly_agree_is_found_past_the_cap():
    # 90% of the resamples similar: about 6 different ones of 64, and a true importance of 0.3 was found 31% of the
    # time; its resamples go on past the cap while fewer than 16 differ
    runs = _records(0.9, 0.65, 0.35, 300, 5)
    assert sum(r[0].is_anchor for _, r in runs) / len(runs) >= 0.5
    assert max(s.pools[0].trials for s, _ in runs) <= 4 * 64


@pytest.mark.parametrize("q", [0.8, 0.9, 0.95])
def test_decisions_at_the_threshold_keep_their_error_rate_past_the_cap(q):
    runs = _records(q, 0.6, 0.4, 1000, 3)
    assert sum(r[0].stop is Stop.ANCHOR for _, r in runs) / len(runs) <= 0.025
    assert sum(r[0].stop is Stop.NOT_ANCHOR for _, r in runs) / len(runs) <= 0.025


def test_no_effect_is_rarely_an_anchor_past_the_cap():
    runs = _records(0.9, 0.5, 0.5, 600, 7)
    assert sum(r[0].is_anchor for _, r in runs) / len(runs) <= 0.09


def _search(different, successes, similar=64):
    s = AnchorSearch(1, AnchorConfig(), final=None)
    s.add(0, [AnchorOutcome(True, True)] * (similar - different) + [AnchorOutcome(i < successes, False)
                                                                     for i in range(different)])
    s.add(1, [AnchorOutcome(i % 2 == 0) for i in range(64)])
    return s


def test_resamples_go_past_the_cap_only_while_few_differ_and_the_importance_may_reach_the_threshold():
    assert _search(4, 0).requests() == [(0, 64)]  # p(with) 0.5, p(different) 0 of 4: undecided
    assert _search(0, 0).requests() == []  # every resample similar: nothing to compare with
    assert _search(16, 8).requests() == []  # enough differ (and p(different) 0.5: no importance)
    assert _search(4, 2).requests() == []  # p(different) 2 of 4, the point 0: far below the threshold
    assert _search(8, 0, similar=4 * 64).requests() == []  # four caps
    s = _search(4, 0)
    s.add(0, [AnchorOutcome(True, True)] * 64)
    assert s.requests() == [(0, 64)] and s.rollouts == 192


def _split(text):
    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


@pytest.mark.parametrize("text, sentences", [
    # an abbreviation of a formula's name heads its reference, as "Eq." does ("From Eqn." was a sentence of its own)
    ("From Eqn. (3) we get x. Then y.", ["From Eqn. (3) we get x.", "Then y."]),
    ("Apply Eqns. (1) and (2). Then x.", ["Apply Eqns. (1) and (2).", "Then x."]),
    ("Use Ineq. (2) here. Then stop.", ["Use Ineq. (2) here.", "Then stop."]),
    # an abbreviation a sentence may end with, as "etc." does, ends it before a capitalized word (two were one)
    ("The area is 12.6 approx. Then we round it.", ["The area is 12.6 approx.", "Then we round it."]),
    ("They are 2 and 3 resp. Then we add.", ["They are 2 and 3 resp.", "Then we add."]),
    ("It is shown in Smith et al. The proof is long.", ["It is shown in Smith et al.", "The proof is long."]),
    # ... but not before a number, a lowercase word or a capital variable
    ("The count is approx. N/2 here. Then stop.", ["The count is approx. N/2 here.", "Then stop."]),
    ("It is approx. 5 cm. Then stop.", ["It is approx. 5 cm.", "Then stop."]),
    ("Smith et al. showed it. Then stop.", ["Smith et al. showed it.", "Then stop."]),
])
def test_abbreviations_of_references_and_at_a_sentences_end(text, sentences):
    assert _split(text) == sentences


@pytest.mark.parametrize("text, sentences", [
    # Chinese and Japanese: full-width ends need no space; a decimal point stays in its number
    ("首先计算面积。然后求周长！对吗？对的。", ["首先计算面积。", "然后求周长！", "对吗？", "对的。"]),
    ("まず面積を計算します。次に周囲を求めます！", ["まず面積を計算します。", "次に周囲を求めます！"]),
    ("答案是3.14。所以圆周率约为3.14", ["答案是3.14。", "所以圆周率约为3.14"]),
    ("他说：“好的。”然后走了。", ["他说：“好的。”", "然后走了。"]),
    ("步骤：\n1. 计算面积。\n2. 求周长。", ["步骤：", "1. 计算面积。", "2. 求周长。"]),
    ("日本語の文。English sentence. 次の文。", ["日本語の文。", "English sentence.", "次の文。"]),
    # LaTeX display math across lines is one sentence, whatever ends inside it
    ("Consider\n$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}.\n$$\nThus the sum is 55.",
     ["Consider", "$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}.\n$$", "Thus the sum is 55."]),
    ("We get\n\\[\n\\begin{aligned}\na &= 1. \\\\\nb &= 2.\n\\end{aligned}\n\\]\nThen we stop.",
     ["We get", "\\[\n\\begin{aligned}\na &= 1. \\\\\nb &= 2.\n\\end{aligned}\n\\]", "Then we stop."]),
    # numbered lists: a marker heads its item
    ("Steps:\n1. Add the numbers.\n2. Multiply them.\n10. Divide. Then stop.",
     ["Steps:", "1. Add the numbers.", "2. Multiply them.", "10. Divide.", "Then stop."]),
    ("1) Add them. 2) Multiply them.", ["1) Add them.", "2) Multiply them."]),
    # abbreviations inside a sentence, decimals
    ("He met Dr. Smith today. Then he left.", ["He met Dr. Smith today.", "Then he left."]),
    ("We use a trick, i.e. the sum. Then x.", ["We use a trick, i.e. the sum.", "Then x."]),
    ("So pi is about 3.14. Next we round.", ["So pi is about 3.14.", "Next we round."]),
    ("Let me compute 1.5 + 2.5 = 4. So the total is 4.", ["Let me compute 1.5 + 2.5 = 4.", "So the total is 4."]),
    # a trace's end mid-line
    ("Okay.</think>**Final answer:** 5", ["Okay.", "</think>", "**Final answer:** 5"]),
    ("so $x=3$.</think>答案是3。", ["so $x=3$.", "</think>", "答案是3。"]),
    ("<think>Let me think. So x = 5.</think>The answer is 5.",
     ["<think>", "Let me think.", "So x = 5.", "</think>", "The answer is 5."]),
])
def test_the_splitter_on_other_languages_math_lists_abbreviations_and_a_traces_end(text, sentences):
    assert _split(text) == sentences


@pytest.mark.parametrize("text, sentences", [
    # an ASCII "?" after a number or a letter before Chinese or Japanese was no end (a "." there may be a decimal
    # point, a "!" a factorial; a "?" is neither)
    ("答案是5?对的。", ["答案是5?", "对的。"]),
    ("答案是B?不对。", ["答案是B?", "不对。"]),
    ("x=5?!是的。", ["x=5?!", "是的。"]),
    ("答案是x?はい。", ["答案是x?", "はい。"]),
    ("它等于5!所以。", ["它等于5!所以。"]),  # a factorial
    ("答案是5.然后检查。", ["答案是5.然后检查。"]),  # a decimal point or a list marker
])
def test_a_question_mark_after_a_number_or_a_letter_ends_a_sentence_before_chinese(text, sentences):
    assert _split(text) == sentences


@pytest.mark.parametrize("text, sentences", [
    # a Japanese quotation closing before its quoting particle goes on ("と言った。" was a sentence of its own)
    ("彼は「はい。」と言った。次に行く。", ["彼は「はい。」と言った。", "次に行く。"]),
    ("「本当？」って聞いた。", ["「本当？」って聞いた。"]),
    ("『終わり。』という意味だ。", ["『終わり。』という意味だ。"]),
    ("彼は「はい。」次に行く。", ["彼は「はい。」", "次に行く。"]),  # no particle: the quotation ends it
])
def test_a_japanese_quotation_before_its_quoting_particle_ends_no_sentence(text, sentences):
    assert _split(text) == sentences


@pytest.mark.parametrize("text, sentences", [
    # a list lettered inline: a lowercase letter after a sentence's end was a sentence of its own ("b.")
    ("a. First. b. Second. c. Third.", ["a. First.", "b. Second.", "c. Third."]),
    ("Two cases. a. Even. b. Odd.", ["Two cases.", "a. Even.", "b. Odd."]),
    ("Let me call it b. Then go.", ["Let me call it b.", "Then go."]),  # a name ending its sentence
    ("So x = a. Then y.", ["So x = a.", "Then y."]),
    ("Answer: a. Then we check.", ["Answer: a.", "Then we check."]),
])
def test_a_lowercase_letter_after_a_sentences_end_heads_its_item(text, sentences):
    assert _split(text) == sentences


def _marker_tokenizer():
    from test_anchors_round10 import byte_tokenizer

    tok = byte_tokenizer()
    tok.add_special_tokens({"additional_special_tokens": ["[THINK]", "[/THINK]"]})
    return tok


def test_a_looks_texts_skip_batch_decodes_check_of_every_id_and_are_the_same():
    # transformers' batch_decode checks the type of every id before its backend decodes them: 0.85 us an id, 80% of
    # a look's decoding (0.45 ms a resample of 300 tokens after a 7,500-token trace; 0.15 ms without it)
    from types import SimpleNamespace

    from test_anchors_round10 import _run, _trajectory

    from ptsfast.engine import FinishReason, Rollout
    from ptsfast.pipeline.probes import judged_decoder, judged_texts

    tok = _marker_tokenizer()
    ids = tok("[THINK]The total is 12 + 7 = 19, then 19 - 4 = 15 (ü, 数). " * 20, add_special_tokens=False)["input_ids"]
    rng = random.Random(0)
    pieces = ids + [0, tok.convert_tokens_to_ids("[/THINK]")]
    rollouts = [tuple(rng.choice(pieces) for _ in range(40)) + (0,) for _ in range(8)]
    assert judged_decoder(tok)([list(ids) + list(r) for r in rollouts]) == judged_texts(
        tok, [list(ids) + list(r) for r in rollouts])
    checked, batch_decode = [], tok.batch_decode

    def counted(seqs, **kw):
        checked.extend(len(s) for s in seqs)
        return batch_decode(seqs, **kw)
    seen = []
    run = _run(tok, lambda text, problem: seen.append(text) or (True, None))
    tok.batch_decode = counted
    try:
        run._looked(_trajectory(ids), 0, [Rollout(r, (0.0,) * len(r), FinishReason.EOS) for r in rollouts])
        after = [run._text_after(SimpleNamespace(prompt_ids=(), solution_ids=tuple(ids)), len(ids), r)
                 for r in rollouts]
    finally:
        tok.batch_decode = batch_decode
    assert seen == judged_texts(tok, [list(ids) + list(r) for r in rollouts])
    assert after == [judged_texts(tok, [list(ids) + list(r)])[0][len(judged_texts(tok, [ids])[0]):] for r in rollouts]
    assert sum(checked) == 0, checked
