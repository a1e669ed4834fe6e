"""Forked children share the prefix but never each other's tokens; a tight KV budget only delays work."""

import copy

import torch
from tiny_models import random_tokens, tiny_model
from test_engine_equivalence import GREEDY, hf_greedy

from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams


def test_children_batched_together_match_hf_each_and_leave_the_parent_untouched():
    model = tiny_model("qwen2", seed=2)
    reference = copy.deepcopy(model)
    engine = RolloutEngine(model, config=EngineConfig(num_blocks=64, block_size=8))
    tokens = random_tokens(29, seed=5)
    (seq,) = engine.prefill([tokens])
    parent_blocks = engine._seqs[seq.seq_id].table
    before = engine.runner.kv_cache[:, :, parent_blocks].clone()
    pos = 19  # mid-block: every child writes into its own copy of block 2
    alternatives = (4, 50, 77)
    requests = [RolloutRequest(seq.seq_id, pos, 1, 16, GREEDY, stop_token_ids=(), forced=(a,)) for a in alternatives]
    results = engine.rollout(requests)
    for a, (rollout,) in zip(alternatives, results):
        assert list(rollout.tokens) == hf_greedy(reference, tokens[:pos] + [a], 16)
    assert torch.equal(engine.runner.kv_cache[:, :, parent_blocks], before)
    engine.release([seq.seq_id])
    engine.check_no_leaks()


def test_tight_budget_gives_identical_results():
    tokens = [random_tokens(33, seed=s) for s in range(3)]
    requests = lambda seqs: [  # noqa: E731
        RolloutRequest(s.seq_id, p, 5, 10, SamplingParams(temperature=1.0, seed=p), stop_token_ids=())
        for s in seqs for p in (3, 16, 30)]
    roomy = RolloutEngine(tiny_model("llama-gqa"), config=EngineConfig(num_blocks=512, block_size=4))
    tight = RolloutEngine(tiny_model("llama-gqa"), config=EngineConfig(num_blocks=40, block_size=4, max_running=7))
    outs = []
    for engine in (roomy, tight):
        seqs = engine.prefill(tokens)
        outs.append(engine.rollout(requests(seqs)))
        engine.release([s.seq_id for s in seqs])
        engine.check_no_leaks()
    assert [[r.tokens for r in req] for req in outs[0]] == [[r.tokens for r in req] for req in outs[1]]
