"""Thought anchors: a resample's first sentence found without splitting the solution's text before the fork again
(nor, forked inside a code block, all of its own text), with the same sentences as before; another operator, or a
difference's operands swapped, as another claim; every reasoning trace's marker a sentence of its own, kept where the
tokenizer writes it as a special token."""

import random

import pytest

from ptsfast.mining import anchors
from ptsfast.mining.anchors import context_before, first_sentence, first_sentence_ended, sentence_starts

_PIECES = [
    "So x = 5.", " Then y = 3.", " e.g. this one.", "Steps: 1. Add 2. 2. Multiply.", "Step 1. Compute.", " No. 5 is",
    " Is it? No. Then", "the U.S. Army", " in the U.S. He left.", "Wait... let me see.", " 1 + 2 + ... + 10 = 55.",
    " 3! = 6.", " It is 5! Then", " $x = 2.$ So", " \\(a = 1.\n b\\) ok.", "\\[\nx = 1/2.\n\\]", "$$ y. $$",
    "\n```python\nx = f(1.5)  # one. two\nreturn x.\n```\n", "`print('a. b')` ran.", "| 1. Add | 3. Then |\n",
    "**Wait!** Let", "\n\n", "\n", "   ", " " * 70, "### 1. Understanding the Problem\n", "A. 2, B. 3, C. 4",
    " Compare A. Then B.", "答案是5。所以", "对吗?对的", "Let me compute.然后", "<think>", "</think>", " Case (i). ",
    "Def. 2.1 says", ' He said "Stop." ', "1. ", "2. ", "*", "_", "Sec. 2. Then", " ratio 3:1. Next", ". . . so",
    "\\begin{align*}\nx &= 1. \\\\\ny &= 2.\n\\end{align*}", " (about 5.) is", " x.", " The", " so", " 12", "?",
]


def _text(rng, n):
    return "".join(rng.choice(_PIECES) for _ in range(n))


def test_the_text_left_out_before_a_resample_changes_no_sentence_after_it():
    # a resample's first sentence was found by splitting the solution's 1,000 characters before the fork again with
    # every resample; the text before the fork's line (and what its terminators read back) is left out
    rng = random.Random(0)
    cut_some = 0
    for _ in range(500):
        text = _text(rng, rng.randrange(5, 60))
        whole = sentence_starts(text)
        for start in {len(text), *(rng.randrange(len(text) + 1) for _ in range(6))}:
            cut = anchors._cut_before(text, start)
            cut_some += cut > 0
            assert [c + cut for c in sentence_starts(text[cut:]) if c + cut >= start] == [
                c for c in whole if c >= start], (text, start)
    assert cut_some > 500, cut_some


def _reference(text, before):
    """``_first``'s answer from the whole text's splitting (what its shortcuts stand in for)."""
    full = context_before(before)
    return anchors._first_piece(full + text, len(full))[:2]


def test_a_resamples_first_sentence_is_the_one_the_whole_texts_splitting_finds(monkeypatch):
    rng = random.Random(1)
    for _ in range(600):
        full = _text(rng, rng.randrange(5, 50))
        at = rng.randrange(len(full) + 1)
        before, text = full[:at], full[at:]
        got = first_sentence(text, before), first_sentence_ended(text, before)
        with monkeypatch.context() as m:
            m.setattr(anchors, "_cut_before", lambda full, start: 0)
            assert got == _reference(text, before), (before, text)


_INTRO = "We read the problem first. " * 8


@pytest.mark.parametrize("before, text", [
    # a marker at a line's head that opens after a long indent reads whether the line before ended a sentence, back
    # across its blank run ("3." before "2.": a list marker), and the word before that ("e.g." ends nothing)
    (_INTRO + "Now we get 3." + " " * 80 + "\n" + " " * 70, "2. Then we stop. More."),
    (_INTRO + "Now see e.g." + " " * 80 + "\n" + " " * 70, "2. Then we stop. More."),
    (_INTRO + "Now see " + "x" * 120 + "e.g." + "\n" + " " * 70, "2. Then we stop. More."),
    ("```\n" + "x = 1. y\n" * 40, "z = 2. w\n```\nDone. Yes."),  # inside a code block opened long before
])
def test_the_text_left_out_is_what_no_decision_after_it_reads(before, text):
    got = first_sentence(text, before), first_sentence_ended(text, before)
    assert anchors._cut_before(context_before(before) + text, len(context_before(before))) > 0 or "```" in before
    full = context_before(before)
    cuts = [len(full), *(c for c in sentence_starts(full + text) if c > len(full)), len(full + text)]
    assert got[0] == (full + text)[cuts[0]:cuts[1]].strip()


def _scanned(monkeypatch):
    """Characters of each text that sentence_starts splits."""
    seen = []
    whole = anchors.sentence_starts

    def counting(text):
        seen.append(len(text))
        return whole(text)
    monkeypatch.setattr(anchors, "sentence_starts", counting)
    anchors._first.cache_clear()
    return seen


def test_a_resample_does_not_split_the_solutions_text_before_its_line_again(monkeypatch):
    before = "".join(f"Then we add {i} and get {i + 1}. So far so good.\n\n" for i in range(40))
    assert len(context_before(before)) >= 900
    seen = _scanned(monkeypatch)
    assert first_sentence("So the total is 41. Then we stop.", before) == "So the total is 41."
    # the resample's line and the one before; before: the 1,000 characters of context with it, at every resample
    # (0.7 ms each)
    assert sum(seen) <= 150, seen


def test_a_resample_forked_inside_a_code_block_does_not_split_all_of_its_text(monkeypatch):
    code = "".join(f"    total_{i} = compute(values[{i}], weight={i}.5)  # step {i}. keep.\n" for i in range(60))
    before = "Let me write it.\n\n```python\ndef solve(values):\n"
    seen = _scanned(monkeypatch)
    first = "total_0 = compute(values[0], weight=0.5)  # step 0. keep."
    assert first_sentence(code + "    return total_0\n```\n\nDone. Bye.", before) == first
    # every line of a code block is a sentence; its text was split to its end (1.1 ms a resample after 3,700
    # characters), though the first newline ends the first sentence
    assert sum(seen) <= 200, seen
    assert [s.strip() for s in _split(before + code[:200])][3:5] == [first, "total_1 = compute(values[1], "
                                                                              "weight=1.5)  # step 1. keep."]


def _split(text):
    cuts = [0, *sentence_starts(text), len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:])]


@pytest.mark.parametrize("a, b", [
    # another operator between the same words: 0.86-0.9 overlap and the same numbers, read as the same claim (and a
    # code line's resample that flips its operator, the bug its line decides, as the line itself)
    ("So x = 5 + 3 = 8.", "So x = 5 - 3 = 8."),
    ("The area is l * w.", "The area is l + w."),
    ("    best = max(best, p - low)", "    best = max(best, p + low)"),
    ("So we divide: n / k items.", "So we multiply: n \\times k items."),
    ("    best = max(best, p - low)", "    best = max(best, low - p)"),  # a difference's operands swapped
    ("So the ratio is a / b here.", "So the ratio is b / a here."),
])
def test_another_operator_between_the_same_words_is_another_claim(a, b):
    from ptsfast.mining.anchors import similar

    assert not similar(a, b) and not similar(b, a)


@pytest.mark.parametrize("a, b", [
    ("So 5 + 3 = 8.", "So 3 + 5 = 8."), ("So x = 2 * 3 = 6.", "So x = 2 \\times 3 = 6."),
    ("So we take x / 2 here.", "So we take x \\div 2 here."), ("So x = 3 - 1 = 2.", "So x = 3 − 1 = 2."),
    ("We get 5 - that is the answer.", "We get 5, that is the answer."),  # a dash, not a swapped operator
    ("The well-known result holds here.", "The well known result holds here."),
    ("- So the total is 5.", "* So the total is 5."),  # a list's bullet
    ("So the sum is a + b here.", "So the sum is b + a here."),  # a sum's operands in any order
    ("We list the input-output pairs.", "We list the input/output pairs."),  # a compound's hyphen and slash
])
def test_the_same_operation_written_another_way_is_the_same_claim(a, b):
    from ptsfast.mining.anchors import similar

    assert similar(a, b) and similar(b, a)


def test_every_trace_marker_is_a_sentence_of_its_own():
    # only <think> tags were: "so x = 5.[/THINK]The answer is 5." was one sentence across the trace's end
    from ptsfast.problems.loading import TRACE_MARKERS

    for opening, closing in TRACE_MARKERS:
        for tag in (opening, closing):
            if tag.startswith("<|begin_assistant|>"):  # Apriel's words, prose that the template opens
                continue
            text = f"So x = 5.{tag}The answer is 5."
            assert [s.strip() for s in _split(text)] == ["So x = 5.", tag, "The answer is 5."], tag


def _marker_tokenizer():
    from test_anchors_round10 import byte_tokenizer

    tok = byte_tokenizer()
    tok.add_special_tokens({"additional_special_tokens": ["[THINK]", "[/THINK]"]})
    return tok


def test_a_trace_marker_written_as_a_special_token_keeps_its_text_in_the_sentences():
    # Magistral's [THINK] / [/THINK] are special tokens: their texts were dropped from the split (and from the
    # resamples' texts), so the sentence before the trace's end and the answer after it were one
    from types import SimpleNamespace

    from ptsfast.engine import FinishReason
    from ptsfast.mining.anchors import AnchorConfig
    from ptsfast.pipeline.anchors import _AnchorRun
    from ptsfast.pipeline.probes import OracleStops

    tok = _marker_tokenizer()
    ids = tok("[THINK]Let me add. So x = 5.[/THINK]The answer is 5.", add_special_tokens=False)["input_ids"]
    options = SimpleNamespace(run=SimpleNamespace(problems_per_batch=1, max_new_tokens=64), anchors=AnchorConfig())
    judges = {False: (lambda text, problem: (True, None), OracleStops())}
    run = _AnchorRun(SimpleNamespace(eos_ids=frozenset({0})), tok, judges, None, options, None, None)
    p = SimpleNamespace(problem=SimpleNamespace(id="p"), prompt_ids=(), think_open=False, solution_ids=None)
    t = run._trajectory(p, 0, tuple(ids), FinishReason.EOS)
    run.close()
    sentences = ["".join(t.tokens[a:b]).strip() for a, b in t.spans]
    assert sentences == ["[THINK]", "Let me add.", "So x = 5.", "[/THINK]", "The answer is 5."]
    # a resample forked before "So x" reads its text with the marker, as the solution's sentence is read
    k = sentences.index("So x = 5.")
    after = run._text_after(t, t.boundary(k), ids[t.spans[k][0]:])
    from ptsfast.mining.anchors import first_sentence
    assert first_sentence(after, t.before(k)) == t.sentence(k) == "So x = 5."
