"""Thought anchors, seventh round: a value in another spelling ("1/2" / "0.5", "two" / "2") is the same value, a count
written as a word is a number ("two roots" / "three roots"), spaced ellipses and rarer abbreviations end no sentence,
and a solution the oracle erred on has no verdict for its last sentence."""

import pytest

from ptsfast.mining.anchors import (
    AnchorConfig,
    AnchorOutcome,
    AnchorSearch,
    same_facts,
    same_numbers,
    sentence_starts,
    similar,
)


def split_text(text: str) -> list[str]:
    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:])]


@pytest.mark.parametrize("original, resample", [
    ("So x = 1/2.", "So x = 0.5."),
    ("So x = 0.5.", "So x = \\frac{1}{2}."),
    ("Thus $x = \\dfrac{3}{4}$.", "Thus $x = 0.75$."),
    ("So x = -1/2.", "So x = -0.5."),
    ("The probability is 2/6.", "The probability is 1/3."),
    ("There are two roots.", "There are 2 roots."),
    ("He has three apples and twelve pears.", "He has 3 apples and 12 pears."),
    ("So twenty-five people came.", "So 25 people came."),
    ("It takes one hour.", "It takes 1 hour."),
    ("One of them is wrong.", "1 of them is wrong."),
    ("So we need 1/2 + 1/3 = 5/6.", "So we need 0.5 + 1/3 = 5/6."),
    ("So y = 1/2x + 3.", "So y = 1/2 x + 3."),  # a fraction before a name is that fraction
    ("So y = \\frac{1}{2}x + 3.", "So y = 0.5x + 3."),
])
def test_the_same_value_in_another_spelling_is_similar(original, resample):
    # overlap 0.67-0.80 and other numbers: each was a different resample of a sentence that said the same
    assert same_numbers(original, resample) and same_facts(original, resample)
    assert similar(original, resample)


@pytest.mark.parametrize("original, resample", [
    ("There are two roots.", "There are three roots."),  # 0.8 overlap and no digits: similar
    ("So there are five cases.", "So there are six cases."),
    ("There is one root.", "There are two roots."),
    ("So x = 1/2.", "So x = 1/3."),
    ("So x = 1/3.", "So x = 0.333."),  # a rounding is another value
    ("The answer is 1/2.", "The answer is 2/1."),
    ("So x = 1/2.", "So y = 0.5."),  # the same value given to another name
    ("It takes two hours.", "It takes two days."),
    ("On 3/4/2024 we had 5.", "On 0.75/2024 we had 5."),  # a date is no fraction
])
def test_another_value_or_claim_in_either_spelling_stays_different(original, resample):
    assert not similar(original, resample)


def test_the_word_one_may_stand_for_nothing():
    # "one" is a pronoun too: read as a 1 it made "one can see" another sentence than "we can see" by its numbers
    assert same_numbers("So one can see that x = 2.", "So we can see that x = 2.")
    assert not same_numbers("So one can see that x = 2.", "So we can see that x = 3.")


@pytest.mark.parametrize("text, sentences", [
    ("Hmm . . . let me think again. So x = 2.", ["Hmm . . . let me think again.", "So x = 2."]),
    ("Wait. . . that is wrong. So x = 2.", ["Wait. . . that is wrong.", "So x = 2."]),
    ("Let me think. . . Okay so x = 2.", ["Let me think. . .", "Okay so x = 2."]),
    ("The values are 1, 2, . . ., n. Then done.", ["The values are 1, 2, . . ., n.", "Then done."]),
    ("So 1 + 1/2 + 1/4 + . . . = 2. Then done.", ["So 1 + 1/2 + 1/4 + . . . = 2.", "Then done."]),
    ("By Def. 1 we get it. Then done.", ["By Def. 1 we get it.", "Then done."]),
    ("See Def. 2.1 above. Then done.", ["See Def. 2.1 above.", "Then done."]),
    ("Differentiate w.r.t. $x$. Then done.", ["Differentiate w.r.t. $x$.", "Then done."]),
    ("This is wrt. x here. Then done.", ["This is wrt. x here.", "Then done."]),
    ("See Sec. 3 and Ch. 2 here. By Prop. 4, Thm. 5, Lem. 6 and Cor. 7 it holds, cf. Eq. 8, resp. 9, approx. 10, "
     "etc. Then done.", ["See Sec. 3 and Ch. 2 here.", "By Prop. 4, Thm. 5, Lem. 6 and Cor. 7 it holds, cf. Eq. 8, "
                         "resp. 9, approx. 10, etc.", "Then done."]),
])
def test_spaced_ellipses_and_rarer_abbreviations_end_no_sentence(text, sentences):
    # each dot of ". . ." was a sentence end (the sentences "." and "."), and "Def. 1" / "w.r.t. $x$" ended at the
    # abbreviation
    assert split_text(text) == sentences


def test_a_solution_without_a_verdict_gives_its_last_sentence_no_p_with():
    """An oracle error on the solution is no failure: read as one, the last sentence's p(with) was an exact 0 and its
    resamples, which succeed, made it an anchor of importance -1."""
    s = AnchorSearch(2, AnchorConfig(max_rollouts=16), final=None, sample_end=False)
    asked = set()
    while reqs := s.requests():
        for b, n in reqs:
            asked.add(b)
            s.add(b, [AnchorOutcome(True, b == 0)] * n)  # every rollout succeeds; sentence 0's resamples similar
    assert 2 not in asked  # nothing forked after the finished solution
    first, last = s.results([(0, 1), (1, 2)])
    assert not last.p_with.trials and last.counterfactual is None and last.resampling is None
    assert not last.is_anchor and last.p_resampled.trials > 0  # its boundary still serves the sentence before
    assert s.pools[1].trials <= 16 and first.p_with.trials == s.pools[1].trials
    with pytest.raises(ValueError, match="final=None"):
        AnchorSearch(2, final=1.0, sample_end=False)


def test_a_solution_the_oracle_erred_on_is_no_failure_in_the_anchors_run(tmp_path, caplog):
    import json

    from test_anchors_round4 import sentence_tokenizer
    from tiny_models import tiny_model

    from ptsfast import AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    solution = "w10 w11 . w7 w12 . w13 w14 ."

    def oracle(text, problem):  # erred on the solution itself only: "w7" is the answer
        if " ".join(text.split()) == solution.replace(" .", "."):
            raise RuntimeError("oracle crashed")
        return "w7" in text.split()

    opts = AnchorOptions(MineOptions(max_new_tokens=8, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=256, block_size=8)), AnchorConfig(max_rollouts=16))
    with caplog.at_level("WARNING", logger="ptsfast.pipeline.anchors"):
        find_anchors(tiny_model("llama", seed=3), sentence_tokenizer(), [Problem("e", "w20", solution=solution)],
                     tmp_path / "run", opts, oracle=oracle, progress=False)
    assert "the oracle erred on the solution" in caplog.text
    recs = [json.loads(x) for x in (tmp_path / "run" / "sentences.jsonl").read_text().splitlines()]
    last = recs[-1]
    assert last["solution_correct"] is None and last["p_with"]["trials"] == 0 and not last["p_with"]["exact"]
    assert last["counterfactual_importance"] is None and not last["is_anchor"]
    (traj,) = json.loads((tmp_path / "run" / "problems.jsonl").read_text())["trajectories"]
    assert traj["correct"] is None and "oracle crashed" in traj["oracle_error"]


@pytest.mark.parametrize("original, resample", [
    ("So we add the two numbers together.", "So we multiply the two numbers together."),  # 0.88 overlap
    ("Now divide both sides by x.", "Now multiply both sides by x."),
    ("So x plus 3 is 7.", "So x minus 3 is 7."),
    ("He has 3 more apples than Tom.", "He has 3 fewer apples than Tom."),
    ("So we need at least 5 buses.", "So we need at most 5 buses."),
    ("So the first term is 5.", "So the last term is 5."),
    ("So it moves to the left by 3.", "So it moves to the right by 3."),
    ("So the answer is 5 hours before noon.", "So the answer is 5 hours after noon."),
    ("So he gains 5 dollars in total.", "So he loses 5 dollars in total."),
    ("So x is a multiple of 3.", "So x is a divisor of 3."),
    ("Thus f is injective.", "Thus f is surjective."),
    ("This means the function is continuous at x = 0.", "This means the function is discontinuous at x = 0."),
    ("The triangle is isosceles with sides 3 and 3.", "The triangle is equilateral with sides 3 and 3."),
    ("So there are 5 boys in the class.", "So there are 5 girls in the class."),
])
def test_an_operation_direction_or_group_swapped_is_another_claim(original, resample):
    assert not similar(original, resample) and not same_facts(original, resample)


@pytest.mark.parametrize("original, resample", [
    ("He has 3 fewer apples than Tom.", "He has 3 less apples than Tom."),
    ("So 3 times 4 is 12.", "So 3 multiplied by 4 is 12."),
    ("First, we add 3 and 4.", "Now, we add 3 and 4."),  # one names no position: no swap
    ("Let me think more carefully.", "Let me think carefully."),
    ("So we add the terms and then multiply.", "So we multiply and then add the terms."),  # both name both
])
def test_the_same_operation_or_direction_in_other_words_stays_similar(original, resample):
    assert same_facts(original, resample)


def test_the_context_of_every_boundary_is_the_context_of_its_prefix():
    """:class:`Contexts` finds the code and math of a text once and rescans only what a prefix's end can change:
    against :func:`context_before` of each prefix on random texts of openers, closers, dollars and newlines."""
    import random

    import ptsfast.mining.anchors as anchors
    from ptsfast.mining.anchors import Contexts, context_before

    pieces = ["$", "$$", "```", "`", "\\(", "\\)", "\\[", "\\]", "\\begin{align}", "\\end{align}", "\\begin{cases}",
              "\\end{cases}", "\n", " ", "x", "5", ".", "\\", "{", "}", "$5", " $x$", "```python\n", "\\end{"]
    rng = random.Random(7)
    saved = anchors._CONTEXT
    try:
        for _ in range(600):
            anchors._CONTEXT = rng.choice([1, 3, 8, 20])
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 50)))
            contexts = Contexts(text)
            for end in range(len(text) + 1):
                assert contexts.before(end) == context_before(text[:end]), (text, end)
    finally:
        anchors._CONTEXT = saved


def test_the_contexts_of_a_long_trace_take_linear_time():
    """Each boundary's context scanned its whole prefix for code and math: 8,000 sentences took 9-60 s (quadratic);
    now the text is scanned once and each boundary only near its end."""
    import time

    from ptsfast.mining.anchors import split_sentences
    from ptsfast.pipeline.anchors import _Trajectory

    text = "\n".join(f"So step {i} gives $x = {i}$. Then we add \\(y\\) to it." for i in range(4000))
    tokens = [w + " " for w in text.split(" ")]
    spans = split_sentences(tokens)
    t = _Trajectory("k", None, (), tuple(range(len(tokens))), text, True, "eos", None, tokens, spans,
                    AnchorSearch(len(spans), final=1.0))
    start = time.perf_counter()
    contexts = [t.before(k) for k in range(len(spans))]
    assert time.perf_counter() - start < 3.0 and len(spans) == 8000
    assert contexts[-1].endswith("So step 3999 gives $x = 3999$. ") and contexts[5].startswith("So step 0")


@pytest.mark.parametrize("original, resample, same", [
    ("所以方程有两个不同的实数根。", "所以方程有三个不同的实数根。", False),  # 0.93 overlap: similar
    ("共有三种情况。", "共有四种情况。", False),
    ("他用了两天时间。", "他用了三天时间。", False),
    ("他一共买了十二个苹果。", "他一共买了二十个苹果。", False),
    ("所以方程有两个不同的实数根。", "所以方程有2个不同的实数根。", True),
    ("他一共买了十二个苹果。", "他一共买了12个苹果。", True),
    ("这是一个二次方程。", "这是二次方程。", True),  # "一个" is "a" too
    ("让我们一起来验证一下这个结果。", "让我们来验证这个结果。", True),  # "一起", "一下": no count
])
def test_a_count_in_chinese_numerals_is_a_number(original, resample, same):
    assert similar(original, resample) is same


@pytest.mark.parametrize("text, sentences", [
    ("The options are A. 2, B. 3, C. 4, D. 5. So the answer is B.",
     ["The options are A. 2, B. 3, C. 4, D. 5.", "So the answer is B."]),  # was "The options are A.", "2, B.", ...
    ("A. 5 B. 6 C. 7 D. 8. The answer is B.", ["A. 5 B. 6 C. 7 D. 8.", "The answer is B."]),
    ("Choices: A. yes B. no. So B.", ["Choices: A. yes B. no.", "So B."]),
    ("Compare A. Then B. Then C.", ["Compare A.", "Then B.", "Then C."]),  # letters before capitals: ends
    ("So the answer is B. Let me check A. It fails.", ["So the answer is B.", "Let me check A.", "It fails."]),
])
def test_options_listed_inline_are_one_sentence(text, sentences):
    assert split_text(text) == sentences


@pytest.mark.parametrize("text, sentences", [
    ("Case (i). x > 0. Then done.", ["Case (i). x > 0.", "Then done."]),  # as "Case 1. x > 0." (was "Case (i).")
    ("Step (3). Add them. Then.", ["Step (3). Add them.", "Then."]),
    ("Case 2a. x > 0. Then.", ["Case 2a. x > 0.", "Then."]),
    ("In case (i). Then.", ["In case (i).", "Then."]),  # no label heading its sentence
])
def test_a_label_numbered_in_parentheses_is_no_sentence_of_its_own(text, sentences):
    assert split_text(text) == sentences
