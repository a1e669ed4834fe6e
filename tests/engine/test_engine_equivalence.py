"""The engine against Hugging Face itself: per-token log-probs and greedy rollouts, every architecture."""

import copy

import pytest
import torch
from tiny_models import ARCHS, known, random_tokens, tiny_model

from ptsfast.engine.hf_adapter import UnsupportedModelError
from ptsfast.engine import EngineConfig, FinishReason, RolloutEngine, RolloutRequest, SamplingParams
from ptsfast.kernels._dispatch import backend_available

GREEDY = SamplingParams(temperature=0.0)


def hf_logprobs(model, tokens):
    with torch.no_grad():
        logits = model(torch.tensor([tokens])).logits[0].float()
    return torch.log_softmax(logits, -1)[:-1].gather(1, torch.tensor(tokens[1:])[:, None]).squeeze(1)


def hf_greedy(model, prefix, n):
    with torch.no_grad():
        out = model.generate(torch.tensor([prefix]), do_sample=False, max_new_tokens=n, eos_token_id=None,
                             pad_token_id=0)
    return out[0, len(prefix):].tolist()


@pytest.fixture(scope="module", params=[(arch, "auto") for arch in ARCHS] + [("llama-gqa", "always"),
                                                                              ("qwen3", "always"), ("llama", "never"),
                                                                              ("gemma3_text", "always")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def arch_pair(request):
    arch, cascade = request.param
    if not known(arch):
        pytest.skip(f"this transformers has no {ARCHS[arch][0]}")
    model = tiny_model(arch)
    reference = copy.deepcopy(model)
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=96, block_size=8, cascade=cascade))
    return arch, engine, reference


def test_prefill_logprobs_match_hf(arch_pair):
    _, engine, reference = arch_pair
    seqs = [random_tokens(n, seed) for seed, n in enumerate((37, 5, 64))]
    prefilled = engine.prefill(seqs)  # packed into one forward
    for tokens, p in zip(seqs, prefilled):
        assert p.num_tokens == len(tokens) and len(p.logprobs) == len(tokens) - 1
        torch.testing.assert_close(torch.tensor(p.logprobs), hf_logprobs(reference, tokens), atol=1e-4, rtol=0)
    engine.release([p.seq_id for p in prefilled])
    engine.check_no_leaks()


def test_greedy_rollouts_match_hf_generate(arch_pair):
    _, engine, reference = arch_pair
    tokens = random_tokens(45, seed=7)
    (seq,) = engine.prefill([tokens])
    positions = (1, 8, 13, 16, 44, 45)  # block boundaries (bs=8), mid-block, the whole sequence
    requests = [RolloutRequest(seq.seq_id, p, n=2, max_new_tokens=32, sampling=GREEDY, stop_token_ids=())
                for p in positions]
    results = engine.rollout(requests)
    for p, rollouts in zip(positions, results):
        expected = hf_greedy(reference, tokens[:p], 32)
        for r in rollouts:
            assert list(r.tokens) == expected, f"prefix {p}"
            assert r.finish_reason is FinishReason.LENGTH
    engine.release([seq.seq_id])
    engine.check_no_leaks()


def test_forced_tokens_continue_like_hf(arch_pair):
    _, engine, reference = arch_pair
    tokens = random_tokens(30, seed=3)
    (seq,) = engine.prefill([tokens])
    forced = (5, 9)
    (out,) = engine.rollout([RolloutRequest(seq.seq_id, 11, 1, 20, GREEDY, stop_token_ids=(), forced=forced)])
    assert list(out[0].tokens) == hf_greedy(reference, tokens[:11] + list(forced), 20)
    torch.testing.assert_close(torch.tensor(out[0].logprobs),
                               hf_logprobs(reference, tokens[:11] + list(forced) + list(out[0].tokens))[-20:],
                               atol=1e-4, rtol=0)
    engine.release([seq.seq_id])
    engine.check_no_leaks()


def test_eos_and_length_finish_reasons():
    model = tiny_model("llama")
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=32, block_size=8))
    tokens = random_tokens(20, seed=1)
    (seq,) = engine.prefill([tokens])
    (free_run,) = engine.rollout([RolloutRequest(seq.seq_id, 20, 1, 12, GREEDY, stop_token_ids=())])
    stop_at = free_run[0].tokens[4]
    (stopped,) = engine.rollout([RolloutRequest(seq.seq_id, 20, 1, 12, GREEDY, stop_token_ids=(stop_at,))])
    first = free_run[0].tokens.index(stop_at)
    assert stopped[0].tokens == free_run[0].tokens[: first + 1]
    assert stopped[0].finish_reason is FinishReason.EOS
    (by_fn,) = engine.rollout([RolloutRequest(seq.seq_id, 20, 1, 12, GREEDY, stop_token_ids=(),
                                              stop_fn=lambda toks: len(toks) == 3)])
    assert by_fn[0].tokens == free_run[0].tokens[:3] and by_fn[0].finish_reason is FinishReason.STOP
    engine.release([seq.seq_id])
    engine.check_no_leaks()


def test_unsupported_model_is_named():
    from transformers import GPT2Config, GPT2LMHeadModel

    model = GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=16, vocab_size=50))
    with pytest.raises(UnsupportedModelError, match="gpt2"):
        RolloutEngine(model)


def test_a_logit_scale_is_kept_or_refused():
    """Granite divides its logits by ``logits_scaling`` (Cohere multiplies by ``logit_scale``): the engine's
    log-probs are the model's (the architecture tests compare them); a biased lm_head could not carry the scale
    in the hidden states, so such a model is refused by name."""
    engine = RolloutEngine(tiny_model("granite"), config=EngineConfig(num_blocks=16, block_size=8))
    assert engine.adapter.logit_multiplier == 0.25
    model = tiny_model("granite")
    model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.lm_head.out_features))
    with pytest.raises(UnsupportedModelError, match="granite: a logit scale with a biased lm_head"):
        RolloutEngine(model)


def test_logit_soft_capping_is_refused_inside_a_composite_config_too():
    model = tiny_model("gemma3")
    model.config.text_config.final_logit_softcapping = 30.0  # Gemma 2's way: the lm_head's logits are squashed
    with pytest.raises(UnsupportedModelError, match="gemma3: final_logit_softcapping is not supported"):
        RolloutEngine(model)


def test_bad_requests_get_clear_errors():
    engine = RolloutEngine(tiny_model("llama"), config=EngineConfig(num_blocks=16, block_size=8))
    (seq,) = engine.prefill([random_tokens(10, seed=0)])
    with pytest.raises(ValueError, match="position 11 outside"):
        engine.rollout([RolloutRequest(seq.seq_id, 11, 1, 4)])
    with pytest.raises(KeyError, match="not registered"):
        engine.rollout([RolloutRequest(seq.seq_id + 5, 3, 1, 4)])
    with pytest.raises(ValueError, match="needs .* KV blocks"):
        engine.rollout([RolloutRequest(seq.seq_id, 3, 1, 10_000)])
    with pytest.raises(ValueError, match="at least 2"):
        engine.prefill([[5]])
    with pytest.raises(ValueError, match="context"):
        engine.prefill([random_tokens(600, seed=1)])
    engine.release([seq.seq_id])
    engine.check_no_leaks()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("arch,overrides,cascade,graphs", [
    ("llama-gqa", {}, "always", False), ("llama-gqa", {}, "never", False),
    ("gemma3_text", {"head_dim": 256}, "always", False), ("qwen3_moe", {}, "always", False),
    ("llama-gqa", {}, "auto", True), ("qwen3", {}, "auto", True), ("gemma3_text", {}, "auto", True)])
def test_greedy_rollouts_match_hf_on_gpu(arch, overrides, cascade, graphs):
    """The GPU path (Triton cascade attention, sampling and log-probs) against HF on the same GPU, fp32 (Gemma 3's
    head dim of 256 and its sliding-window layers, a mixture of experts; decode steps replayed from CUDA graphs)."""
    model = tiny_model(arch, **overrides).cuda()
    reference = copy.deepcopy(model)
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=96, block_size=16, cascade=cascade,
                                                      cuda_graphs=graphs))
    tokens = random_tokens(45, seed=7)
    (seq,) = engine.prefill([tokens])
    with torch.no_grad():
        logits = reference(torch.tensor([tokens], device="cuda")).logits[0].float()
    expected_lp = torch.log_softmax(logits, -1)[:-1].gather(1, torch.tensor(tokens[1:], device="cuda")[:, None])
    torch.testing.assert_close(torch.tensor(seq.logprobs), expected_lp.squeeze(1).cpu(), atol=1e-4, rtol=0)
    for p in (8, 20, 45):
        (out,) = engine.rollout([RolloutRequest(seq.seq_id, p, 3, 32, GREEDY, stop_token_ids=())])
        with torch.no_grad():
            ref = reference.generate(torch.tensor([tokens[:p]], device="cuda"), do_sample=False, max_new_tokens=32,
                                     eos_token_id=None, pad_token_id=0)[0, p:].tolist()
        assert all(list(r.tokens) == ref for r in out), f"prefix {p}"
    if graphs:
        assert engine.runner.graphs.enabled and engine.runner.graphs.replays > 0
    engine.release([seq.seq_id])
    engine.check_no_leaks()


@pytest.mark.parametrize("backend", ["cpp", "torch"])
def test_plain_decode_builds_a_gather_index_only_for_the_torch_path(backend, monkeypatch):
    """The torch path gathers every row's K/V with an index built once per step (not per layer); the C++ op
    reads the block tables in place, so the engine builds none for it. Both decode like Hugging Face."""
    if not backend_available(backend, torch.device("cpu")):
        pytest.skip("C++ extension not built")
    import ptsfast.engine.model_runner as runner

    monkeypatch.setenv("PTSFAST_BACKEND_PAGED_DECODE_ATTENTION", backend)
    built, real = [], runner.gather_slots
    monkeypatch.setattr(runner, "gather_slots", lambda *a: built.append(a) or real(*a))
    model = tiny_model("llama-gqa")
    reference = copy.deepcopy(model)
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=64, block_size=8, cascade="never"))
    tokens = random_tokens(21, seed=3)
    (seq,) = engine.prefill([tokens])
    (rollouts,) = engine.rollout([RolloutRequest(seq.seq_id, 21, n=2, max_new_tokens=6, sampling=GREEDY,
                                                 stop_token_ids=())])
    assert [list(r.tokens) for r in rollouts] == [hf_greedy(reference, tokens, 6)] * 2
    assert len(built) == (5 if backend == "torch" else 0)  # the first token comes from the prefill


@pytest.mark.parametrize("arch,overrides", [("llama-gqa", {}), ("qwen3", {}), ("mistral", {"sliding_window": 8}),
                                            ("gemma3_text", {})])
def test_chunked_prefill_matches_hf(arch, overrides):
    """A sequence longer than max_prefill_tokens runs in chunks (each attending to the K/V the chunks before it
    wrote, a sliding window included): the same log-probs as HF on the whole sequence, and greedy rollouts from
    positions inside the first, a middle and the last chunk equal HF's generate."""
    model = tiny_model(arch, **overrides)
    reference = copy.deepcopy(model)
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=64, block_size=8, max_prefill_tokens=12))
    chunks = []
    real = engine.adapter.hidden_states
    engine.adapter.hidden_states = lambda ids, pos, meta: chunks.append(len(ids)) or real(ids, pos, meta)
    tokens = random_tokens(41, seed=3)
    short = random_tokens(9, seed=4)
    seqs = engine.prefill([short, tokens])  # the short one alone, then the long one in 12 + 12 + 12 + 5
    assert chunks == [9, 12, 12, 12, 5]
    for toks, p in zip((short, tokens), seqs):
        torch.testing.assert_close(torch.tensor(p.logprobs), hf_logprobs(reference, toks), atol=1e-4, rtol=0)
    positions = (5, 20, 41)
    results = engine.rollout([RolloutRequest(seqs[1].seq_id, p, n=1, max_new_tokens=12, sampling=GREEDY,
                                             stop_token_ids=()) for p in positions])
    for p, (rollout,) in zip(positions, results):
        assert list(rollout.tokens) == hf_greedy(reference, tokens[:p], 12)
    engine.release([s.seq_id for s in seqs])
    engine.check_no_leaks()
