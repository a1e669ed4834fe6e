"""Thought anchors: the oracle's text of a look's resamples, decoded once before the fork."""

import random
from types import SimpleNamespace

import pytest

from ptsfast.engine import FinishReason, Rollout
from ptsfast.pipeline.anchors import _AnchorRun, joined_is_whole
from ptsfast.pipeline.probes import OracleStops, TextSoFar, judged_texts


def byte_tokenizer():
    """A byte-level BPE (GPT-2's decoder, every byte a token, a few merges) as transformers loads SmolLM2's."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {"<|endoftext|>": 0, **{c: i + 1 for i, c in enumerate(alphabet)}}
    merges = [("Ġ", "t"), ("Ġt", "h"), ("Ġth", "e")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    tok = Tokenizer(models.BPE(vocab, merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", clean_up_tokenization_spaces=False)


def _run(tok, judge):
    run = object.__new__(_AnchorRun)
    run.tokenizer, run.judges = tok, {False: (judge, OracleStops())}
    run._judges = SimpleNamespace(map=map)
    run.later = lambda job, then: job()  # the verdicts themselves
    return run


def _trajectory(ids):
    problem = SimpleNamespace(think_open=False, problem=SimpleNamespace(id="p"))
    return SimpleNamespace(problem=problem, solution_ids=tuple(ids), boundary=lambda k: len(ids))


def test_a_looks_resamples_are_judged_without_decoding_the_trace_with_each():
    # every resample's text was the trace and the resample decoded whole (1.6 / 4.9 / 8.0 ms a resample after
    # 2k / 8k / 15k tokens of SmolLM2's tokenizer, the largest cost per resample on the engine's thread)
    tok = byte_tokenizer()
    text = "The total is 12 + 7 = 19, then 19 - 4 = 15 (ü, 数, 🙂). " * 40
    ids = tok(text, add_special_tokens=False)["input_ids"]
    rng = random.Random(0)
    rollouts = [tuple(rng.choice(ids) for _ in range(30)) for _ in range(8)]
    long_decodes, batch_decode = [], tok.batch_decode

    def counted(seqs, **kw):
        long_decodes.extend(len(s) for s in seqs if len(s) >= len(ids))
        return batch_decode(seqs, **kw)
    tok.batch_decode = counted
    seen = []
    run = _run(tok, lambda text, problem: seen.append(text) or (True, None))
    run._looked(_trajectory(ids), 0, [Rollout(r, (0.0,) * len(r), FinishReason.LENGTH) for r in rollouts])
    tok.batch_decode = batch_decode
    assert seen == judged_texts(tok, [list(ids) + list(r) for r in rollouts])  # the text decoded at once
    assert len(long_decodes) <= 4, long_decodes  # the text before the fork, once for the look


def test_the_joined_text_is_judged_only_where_it_is_the_text_decoded_at_once():
    # random bytes: heads and resamples that cut characters (a 4-byte emoji's bytes as separate tokens), invalid
    # UTF-8; wherever the joined text is taken as the verdict's, it is the text decoded at once
    tok = byte_tokenizer()
    chars = [tok(c, add_special_tokens=False)["input_ids"] for c in ["ab", " ü", "数", "🙂", " the", " x", "\n"]]
    lone = [i for c in chars for i in c if len(c) > 1] + [0]  # a character's bytes one by one, and EOS
    rng = random.Random(1)

    def some(n):
        out = []
        while len(out) < n:
            out += [rng.choice(lone)] if rng.random() < 0.15 else rng.choice(chars)
        return out
    taken = refused = 0
    for _ in range(300):
        head = sum((rng.choice(chars) for _ in range(rng.randrange(30, 60))), [])
        if rng.random() < 0.5:  # bytes cut from their character near the head's end
            at = len(head) - rng.randrange(1, 40)
            head[at:at] = some(3)
        text = TextSoFar(tok, head)
        if not joined_is_whole(tok, text):
            refused += 1
            continue
        taken += 1
        for _ in range(3):
            gen = some(rng.randrange(0, 12))
            assert text.joined(gen) == text.whole(gen), (head, gen)
    assert taken > 50 and refused > 10, (taken, refused)


def test_a_character_cut_at_the_split_and_completed_by_the_resample_is_read_whole():
    # the head ends with an emoji's first two bytes and end-of-text tokens (no bytes): the resample's first tokens
    # complete the character, which the head's text, decoded alone, cut
    tok = byte_tokenizer()
    emoji = tok("🙂", add_special_tokens=False)["input_ids"]
    assert len(emoji) == 4
    head = tok("The total is 19. " * 6, add_special_tokens=False)["input_ids"] + emoji[:2] + [0] * 17
    text = TextSoFar(tok, head)
    assert not joined_is_whole(tok, text)
    seen = []
    run = _run(tok, lambda text, problem: seen.append(text) or (True, None))
    r = tuple(emoji[2:])
    run._looked(_trajectory(head), 0, [Rollout(r, (0.0, 0.0), FinishReason.LENGTH)])
    assert seen == judged_texts(tok, [head + list(r)]) and seen[0].endswith("🙂")


def test_a_tokenizer_that_does_not_decode_its_bytes_joined_is_read_whole():
    # a word-level tokenizer whose decoder cleans up spaces (" ." -> ".") across the split: its texts decoded at once
    from test_anchors_round4 import sentence_tokenizer

    tok = sentence_tokenizer()
    ids = tok(" ".join(["w10 w11 ."] * 60), add_special_tokens=False)["input_ids"]
    assert not joined_is_whole(tok, TextSoFar(tok, ids))
    seen, long_decodes, batch_decode = [], [], tok.batch_decode

    def counted(seqs, **kw):
        long_decodes.extend(len(s) for s in seqs if len(s) >= len(ids) - 16)
        return batch_decode(seqs, **kw)
    tok.batch_decode = counted
    run = _run(tok, lambda text, problem: seen.append(text) or (True, None))
    rollouts = [(5, 12, 13), (12, 5)]
    run._looked(_trajectory(ids), 0, [Rollout(r, (0.0,) * len(r), FinishReason.LENGTH) for r in rollouts])
    tok.batch_decode = batch_decode
    assert seen == judged_texts(tok, [list(ids) + list(r) for r in rollouts])
    assert len(long_decodes) == len(rollouts), long_decodes  # no text before the fork decoded for nothing


@pytest.mark.parametrize("change", ["clean_up", "own_decode"])
def test_a_byte_level_tokenizer_that_cleans_up_or_decodes_its_own_way_is_read_whole(change):
    tok = byte_tokenizer()
    ids = tok("The total is 19. " * 20, add_special_tokens=False)["input_ids"]
    assert joined_is_whole(tok, TextSoFar(tok, ids))
    if change == "clean_up":
        tok.clean_up_tokenization_spaces = True
    else:
        class Own(type(tok)):
            def decode(self, *args, **kwargs):  # decodes as transformers does, but might not
                return super().decode(*args, **kwargs)
        tok.__class__ = Own
    assert not joined_is_whole(tok, TextSoFar(tok, ids))


@pytest.mark.parametrize("text, sentences", [
    ("He joined the U.S. Army in 1990. Then he left.", ["He joined the U.S. Army in 1990.", "Then he left."]),
    ("The U.S. Supreme Court ruled. So it holds.", ["The U.S. Supreme Court ruled.", "So it holds."]),
    ("It costs 5 U.S. Dollars. Then we add 2.", ["It costs 5 U.S. Dollars.", "Then we add 2."]),
    ("He lives in the U.S. He works there.", ["He lives in the U.S.", "He works there."]),  # a sentence ends
    ("Made in the U.K. Then shipped.", ["Made in the U.K.", "Then shipped."]),
    ("It was 5 p.m. Army trucks came.", ["It was 5 p.m.", "Army trucks came."]),  # not a capital initialism
])
def test_a_name_going_on_after_a_capital_initialism_is_one_sentence(text, sentences):
    # "the U.S. Army" was cut after "U.S." (a resample's "He joined the U.S. Army in 1990." compared with
    # "He joined the U.S.": different)
    from ptsfast.mining.anchors import sentence_starts
    cuts = [0, *sentence_starts(text), len(text)]
    assert [text[a:b].strip() for a, b in zip(cuts, cuts[1:])] == sentences
