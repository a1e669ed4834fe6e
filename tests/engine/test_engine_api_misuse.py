"""The engine used as a careless library user would: ids as tensors, one request where a list goes, callbacks that
are no callables or return garbage, an engine the model cannot get. Each is refused before anything runs, naming
the problem and the fix, and leaves the engine and the model as they were."""

import numpy as np
import pytest
import torch
from tiny_models import random_tokens, tiny_model, tiny_tokenizer

from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams


@pytest.fixture(scope="module")
def engine():
    return RolloutEngine(tiny_model("llama"), tiny_tokenizer(), EngineConfig(num_blocks=64, block_size=4))


@pytest.fixture
def seq(engine):
    (s,) = engine.prefill([random_tokens(12, seed=1)])
    yield s
    engine.release([s.seq_id])
    engine.check_no_leaks()


def test_ids_given_as_tensors_or_arrays_are_read_as_ints(engine, seq):
    plain = engine.rollout([RolloutRequest(seq.seq_id, 5, 2, 3, SamplingParams(seed=1), forced=(7, 8))])
    for wrap in (torch.tensor, np.array):  # a tensor's items were refused as "not token ids"
        req = RolloutRequest(wrap(seq.seq_id), wrap(5), wrap(2), wrap(3), SamplingParams(seed=1), forced=wrap([7, 8]),
                             stop_token_ids=wrap([2]))
        assert (req.position, req.forced, req.stop_token_ids) == (5, (7, 8), (2,)) and type(req.n) is int
        assert engine.rollout([req]) == plain


@pytest.mark.parametrize("kw, match", [
    ({"forced": 7}, r"RolloutRequest.forced must be a tuple of token ids, got int 7 \(write \(x,\) for one\)"),
    ({"stop_token_ids": 2}, "RolloutRequest.stop_token_ids must be a tuple of token ids, got int 2"),
    ({"forced": torch.tensor(7)}, "RolloutRequest.forced must be a tuple of token ids, got Tensor"),
])
def test_one_id_where_a_tuple_goes_is_named(kw, match):
    with pytest.raises(TypeError, match=match):  # "'int' object is not iterable"
        RolloutRequest(0, 5, 1, 3, **kw)


def test_bad_arguments_and_callbacks_are_refused_before_anything_runs(engine, seq):
    req = RolloutRequest(seq.seq_id, 5, 2, 3)
    steps = []
    for call, match in [
        (lambda: engine.rollout(req), r"requests must be a list of RolloutRequest \(rollout\(\[request\]\) for one\)"),
        # a callback that is no callable failed once decoding had begun (on_done: once a request was done)
        (lambda: engine.rollout([req], progress=steps.append, on_done=5), "on_done must be a callable or None"),
        (lambda: engine.rollout([req], progress=steps.append, poll="x"), "poll must be a callable or None"),
        (lambda: engine.rollout([RolloutRequest(seq.seq_id, 5, 2, 3, ignore_eos="no")], progress=steps.append),
         "ignore_eos must be True or False"),
        (lambda: engine.release(seq.seq_id), r"seq_ids must be a list of sequence ids \(release\(\[seq.seq_id\]\)"),
        (lambda: engine.prefill([random_tokens(5, 2)], reserve_tokens=-1), "reserve_tokens must be an int >= 0"),
    ]:
        free = engine.blocks.num_free
        with pytest.raises((TypeError, ValueError), match=match):
            call()
        assert steps == [] and engine.blocks.num_free == free and engine.scheduler.idle() and engine._busy is None
    assert seq.seq_id in engine._seqs


@pytest.mark.parametrize("returned, match", [(5, "got int"), (True, "got bool"), ("abc", "got str"),
                                             (None, "(request)")])
def test_on_done_returning_no_list_of_requests_is_named_and_the_call_released(engine, seq, returned, match):
    req = RolloutRequest(seq.seq_id, 5, 2, 3)
    free = engine.blocks.num_free

    def on_done(index, rollouts):
        return req if returned is None else returned  # one request, not a list: "object is not iterable"

    with pytest.raises(TypeError, match=f"on_done must return a list of RolloutRequest .*{match}"):
        engine.rollout([req, req], on_done=on_done)
    assert engine.blocks.num_free == free and engine.scheduler.idle() and engine._busy is None
    assert len(engine.rollout([req], on_done=lambda i, r: False)[0]) == 2  # nothing more: as before


def test_an_engine_refused_after_taking_the_model_gives_it_back(monkeypatch):
    # the model stayed on ptsfast attention in eval mode: it no longer ran on its own, and trained without dropout
    model = tiny_model("llama").train()
    attn = model.config._attn_implementation
    with pytest.raises(ValueError, match="more than the"):
        RolloutEngine(model, tiny_tokenizer(), EngineConfig(kv_cache_gb=1e9))
    assert model.training and model.config._attn_implementation == attn
    model(torch.tensor([[1, 2, 3]]))
    with pytest.raises(ValueError, match="EngineConfig.cascade must be 'auto', 'always' or 'never'"):
        EngineConfig(cascade="yes")  # was refused only by the engine, once mine() had written its run folder
    with pytest.raises(TypeError, match="config must be a ptsfast.EngineConfig, got dict"):
        RolloutEngine(model, tiny_tokenizer(), {"num_blocks": 8})


def test_a_call_from_another_thread_while_one_runs_is_refused(engine, seq):
    # inside on_done, where the engine lets its own thread prefill and release, another thread's prefill ran too,
    # beside the call's own: two writers of one block pool
    import threading

    errors = []

    def other_thread():
        try:
            engine.prefill([random_tokens(5, 3)])
        except RuntimeError as e:
            errors.append(str(e))

    def on_done(index, rollouts):
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        return None

    free = engine.blocks.num_free
    engine.rollout([RolloutRequest(seq.seq_id, 5, 2, 3)], on_done=on_done)
    assert len(errors) == 1 and "another thread's engine call runs" in errors[0]
    assert engine.blocks.num_free == free and set(engine._seqs) == {seq.seq_id}
    other_thread()  # once the call is over, any thread may call
    assert len(engine._seqs) == 2
    engine.release([max(engine._seqs)])


def test_a_temperature_too_small_to_divide_by_samples_greedily(engine, seq):
    # logits / 1e-40 overflowed float32: every row was NaN and every rollout wrote token 1, with no error
    def tokens(temperature, **kw):
        req = RolloutRequest(seq.seq_id, 5, 2, 4, SamplingParams(temperature, seed=4, **kw), stop_token_ids=())
        return [r.tokens for r in engine.rollout([req])[0]]

    for kw in ({}, {"top_p": 0.9}, {"top_k": 5}):
        assert tokens(1e-40, **kw) == tokens(1e-20, **kw) == tokens(0.0, **kw)


def test_a_stop_fn_sees_a_read_only_snapshot_of_the_tokens(engine, seq):
    # stop_fn got the engine's own token list: appending to it or clearing it rewrote the rollout's result, and a
    # reference kept from an earlier step grew with the rollout
    req = RolloutRequest(seq.seq_id, 5, 2, 6, SamplingParams(seed=3), stop_token_ids=())
    plain = engine.rollout([req])
    seen, decoded = [], []

    def hostile(tokens):
        for mutate in (lambda: tokens.append(9), lambda: tokens.clear(), lambda: tokens.pop(),
                       lambda: tokens.__setitem__(0, 9)):
            with pytest.raises((AttributeError, TypeError)):
                mutate()
        seen.append((tokens, list(tokens)))
        decoded.append((engine.tokenizer.decode(tokens), engine.tokenizer.decode(list(tokens))))
        assert tokens == list(tokens) and tokens == tuple(tokens) and tokens[-1] == list(tokens)[-1]
        assert tokens[-2:] == list(tokens)[-2:] and [5] + tokens == [5, *tokens] and len(tokens) == len(seen[-1][1])
        return False

    assert engine.rollout([RolloutRequest(**{**req.__dict__, "stop_fn": hostile})]) == plain
    assert len(seen) == 12 and all(view == copy for view, copy in seen)  # a kept view does not grow
    assert all(a == b for a, b in decoded)


@pytest.mark.parametrize("model, tokenizer, match", [
    ("path/to/model", None, r"model must be a loaded Hugging Face causal LM .*got str"),
    (None, None, r"model must be a loaded Hugging Face causal LM .*got NoneType"),
    (tiny_model("llama"), "gpt2", r"tokenizer must be a Hugging Face tokenizer \(with decode\) or None, got str"),
])
def test_an_engine_is_refused_a_model_path_or_a_tokenizer_name(model, tokenizer, match):
    # a path ended in "'str' object has no attribute 'config'" deep in the adapter; a tokenizer name was taken and
    # failed at the first stop string, mid-call
    with pytest.raises(TypeError, match=match):
        RolloutEngine(model, tokenizer, EngineConfig(num_blocks=8, block_size=4))


@pytest.mark.parametrize("seq_id", [None, "0", 0.0, torch.tensor(0.0)])
def test_a_seq_id_that_is_no_int_is_named_as_such(engine, seq, seq_id):
    # it was a KeyError "sequence 0.0 is not registered" beside a registered sequence 0
    free = engine.blocks.num_free
    with pytest.raises(TypeError, match=r"request 0: seq_id must be an int \(a PrefilledSequence's seq_id\), got"):
        engine.rollout([RolloutRequest(seq_id, 5, 2, 3)])
    assert engine.blocks.num_free == free


def test_sampling_params_take_0d_tensors_and_arrays_as_numbers(engine, seq):
    # RolloutRequest read 0-d tensors as ints, SamplingParams refused them: "temperature must be a finite number
    # >= 0, got tensor(0.5000)"
    plain = SamplingParams(0.5, 5, 0.75, 3, 0.25)
    for wrap in (torch.tensor, np.array):
        p = SamplingParams(wrap(0.5), wrap(5), wrap(0.75), wrap(3), wrap(0.25))
        assert p == plain and type(p.seed) is int and type(p.top_k) is int
        req = RolloutRequest(seq.seq_id, 5, 2, 3, p)
        assert engine.rollout([req]) == engine.rollout([RolloutRequest(seq.seq_id, 5, 2, 3, plain)])
    for bad, match in [(torch.tensor([0.5, 1.0]), "temperature must be a finite number"),
                       (torch.tensor(True), "temperature must be a finite number")]:
        with pytest.raises((TypeError, ValueError), match=match):
            SamplingParams(temperature=bad)
    with pytest.raises(TypeError, match="SamplingParams.seed must be an int, got 3.5"):
        SamplingParams(seed=torch.tensor(3.5))


def test_an_on_done_that_changes_its_rollouts_list_leaves_the_result_alone(engine, seq):
    # on_done got the very list rollout() returned: sorting, popping or clearing it there changed the call's result
    reqs = [RolloutRequest(seq.seq_id, 5, 3, 3, SamplingParams(seed=s)) for s in (1, 2)]
    plain = engine.rollout(reqs)
    heard = {}

    def on_done(index, rollouts):
        heard[index] = list(rollouts)
        rollouts.reverse()
        rollouts.pop()
        rollouts.clear()

    assert engine.rollout(reqs, on_done=on_done) == plain
    assert heard == dict(enumerate(plain))
