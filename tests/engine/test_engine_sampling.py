"""Sampled rollouts: the first-token distribution matches HF's softmax; results do not depend on batching."""

import copy
import math

import pytest
import torch
from tiny_models import random_tokens, tiny_model

from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams

DRAWS = 6000


def chi2_critical(df: int, z: float = 4.0) -> float:
    """Wilson-Hilferty upper quantile of chi-square (z=4: about 3e-5 false-alarm rate)."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def chi2(counts: torch.Tensor, probs: torch.Tensor) -> tuple[float, int]:
    """Pearson statistic over bins with expected count >= 5, the rest pooled into one bin."""
    expected = probs * counts.sum()
    big = expected >= 5
    obs = torch.cat([counts[big], counts[~big].sum(0, keepdim=True)])
    exp = torch.cat([expected[big], expected[~big].sum(0, keepdim=True)])
    keep = exp > 0
    return float(((obs[keep] - exp[keep]) ** 2 / exp[keep]).sum()), int(keep.sum()) - 1


@pytest.fixture(scope="module")
def setup():
    model = tiny_model("llama-gqa", seed=4)
    with torch.no_grad():  # flatter logits so many tokens have visible mass
        model.lm_head.weight.mul_(0.3)
    reference = copy.deepcopy(model)
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=64, block_size=8, max_running=1024))
    tokens = random_tokens(40, seed=11)
    (seq,) = engine.prefill([tokens])
    return engine, reference, tokens, seq


def hf_next_token_probs(model, prefix, temperature):
    with torch.no_grad():
        logits = model(torch.tensor([prefix])).logits[0, -1].double()
    return torch.softmax(logits / temperature, -1)


@pytest.mark.parametrize("temperature", [1.0, 0.6])
def test_first_token_distribution_matches_hf(setup, temperature):
    engine, reference, tokens, seq = setup
    pos = 21
    (rollouts,) = engine.rollout([RolloutRequest(seq.seq_id, pos, DRAWS, 1,
                                                 SamplingParams(temperature=temperature, seed=123), stop_token_ids=())])
    counts = torch.bincount(torch.tensor([r.tokens[0] for r in rollouts]),
                            minlength=reference.config.vocab_size).double()
    right = hf_next_token_probs(reference, tokens[:pos], temperature)
    stat, df = chi2(counts, right)
    assert stat < chi2_critical(df), f"chi2={stat:.1f} df={df}"
    # The test has power: the same draws are rejected against a wrong temperature or a wrong prefix.
    for wrong in (hf_next_token_probs(reference, tokens[:pos], temperature * 1.5),
                  hf_next_token_probs(reference, tokens[: pos - 1], temperature)):
        stat_wrong, df_wrong = chi2(counts, wrong)
        assert stat_wrong > chi2_critical(df_wrong), f"wrong distribution accepted: chi2={stat_wrong:.1f}"
    # Returned log-probs are the model's, before temperature.
    lp = torch.log(hf_next_token_probs(reference, tokens[:pos], 1.0))
    torch.testing.assert_close(torch.tensor([r.logprobs[0] for r in rollouts[:50]]),
                               lp[[r.tokens[0] for r in rollouts[:50]]].float(), atol=1e-4, rtol=0)


def test_rollouts_are_reproducible_and_independent_of_batching(setup):
    engine, _, _, seq = setup
    req = RolloutRequest(seq.seq_id, 17, 6, 12, SamplingParams(temperature=0.9, top_k=20, top_p=0.9, seed=5),
                         stop_token_ids=())
    alone = engine.rollout([req])[0]
    other = RolloutRequest(seq.seq_id, 30, 9, 7, SamplingParams(seed=99), stop_token_ids=())
    batched = engine.rollout([other, req, other])[1]
    assert [r.tokens for r in alone] == [r.tokens for r in batched]
    assert len({r.tokens for r in alone}) > 1, "children of one request must differ"
    reseeded = engine.rollout([RolloutRequest(seq.seq_id, 17, 6, 12, SamplingParams(temperature=0.9, top_k=20,
                                                                                   top_p=0.9, seed=6),
                                              stop_token_ids=())])[0]
    assert [r.tokens for r in reseeded] != [r.tokens for r in alone]


def test_top_k_one_is_greedy(setup):
    engine, reference, tokens, seq = setup
    (rollouts,) = engine.rollout([RolloutRequest(seq.seq_id, 25, 4, 8, SamplingParams(temperature=1.3, top_k=1, seed=1),
                                                 stop_token_ids=())])
    (greedy,) = engine.rollout([RolloutRequest(seq.seq_id, 25, 1, 8, SamplingParams(temperature=0), stop_token_ids=())])
    assert all(r.tokens == greedy[0].tokens for r in rollouts)


def test_min_p_first_token_distribution_matches_hf_warper(setup):
    """min-p through the engine: the first token's distribution is the softmax of HF's warped logits
    (temperature, top-p, MinPLogitsWarper), and a request without min-p batched beside one with it draws
    what it draws alone."""
    from transformers.generation.logits_process import MinPLogitsWarper, TopPLogitsWarper

    engine, reference, tokens, seq = setup
    pos, temperature, top_p, min_p = 21, 1.1, 0.97, 0.5
    sampling = SamplingParams(temperature=temperature, top_p=top_p, seed=321, min_p=min_p)
    plain = RolloutRequest(seq.seq_id, 30, 5, 6, SamplingParams(temperature=0.9, seed=7), stop_token_ids=())
    rollouts, beside = engine.rollout([RolloutRequest(seq.seq_id, pos, DRAWS, 1, sampling, stop_token_ids=()), plain])
    with torch.no_grad():
        logits = reference(torch.tensor([tokens[:pos]])).logits[0, -1:].double() / temperature
    right = torch.softmax(MinPLogitsWarper(min_p)(None, TopPLogitsWarper(top_p)(None, logits))[0], -1)
    counts = torch.bincount(torch.tensor([r.tokens[0] for r in rollouts]), minlength=len(right)).double()
    assert counts[right == 0].sum() == 0, "a token min-p removes was drawn"
    stat, df = chi2(counts, right)
    assert stat < chi2_critical(df), f"chi2={stat:.1f} df={df}"
    without = hf_next_token_probs(reference, tokens[:pos], temperature)
    assert int((without > 0).sum()) > int((right > 0).sum()) + 20  # min-p cut a visible tail
    stat_wrong, df_wrong = chi2(counts, without)
    assert stat_wrong > chi2_critical(df_wrong), f"min-p ignored but accepted: chi2={stat_wrong:.1f}"
    assert [r.tokens for r in beside] == [r.tokens for r in engine.rollout([plain])[0]]


def test_min_p_is_checked_naming_the_field():
    for bad in (-0.1, 1.5, float("nan"), "0.1", True):
        with pytest.raises(ValueError, match=r"SamplingParams.min_p must lie in \[0, 1\]"):
            SamplingParams(min_p=bad)
    assert SamplingParams(0.7, 0, 0.9, 3) == SamplingParams(temperature=0.7, top_p=0.9, seed=3, min_p=0.0)


def test_top_k_too_large_for_the_sampler_is_refused_naming_the_field():
    """The sampler holds top-k in a 64-bit int: SamplingParams(top_k=2**63) passed and the rollout failed in
    "Overflow when unpacking long long"; a top-k past the vocabulary but below 2**63 keeps every token."""
    with pytest.raises(ValueError, match=r"SamplingParams.top_k must be below 2\*\*63"):
        SamplingParams(top_k=1 << 63)
    assert SamplingParams(top_k=(1 << 63) - 1).top_k == (1 << 63) - 1
