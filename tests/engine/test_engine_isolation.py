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


def test_blocks_on_demand_run_more_rollouts_than_worst_cases_and_preemption_changes_no_token():
    """Rollouts with a long budget that stop early: reserving worst cases (10 blocks each) would run at most three
    at a time in this pool; taking blocks as they write runs them all together, and in a pool too small even for
    that the newest are preempted and come back later: their chosen tokens' K/V written again in one prefill, no
    token decoded twice, and the same tokens and log-probs as in the roomy pool."""
    tokens = [random_tokens(20, seed=s) for s in range(2)]
    stop_at = {0: 3, 1: 9, 2: 14, 3: 6, 4: 1}  # the oracle deciding after this many tokens (per child)
    requests = lambda seqs: [  # noqa: E731
        RolloutRequest(s.seq_id, p, 5, 40, SamplingParams(temperature=1.0, seed=p), stop_token_ids=(),
                       stop_fn=lambda out, k=p % 5: len(out) >= stop_at[k] + 2 * len(set(out) & {7}))
        for s in seqs for p in (3, 9, 17)]
    outs, widest = [], []
    for blocks in (512, 40, 24):
        engine = RolloutEngine(tiny_model("llama-gqa"), config=EngineConfig(num_blocks=blocks, block_size=4,
                                                                            max_prefill_tokens=5))
        seqs = engine.prefill(tokens)
        rows = []
        outs.append(engine.rollout(requests(seqs), progress=rows.append))
        widest.append((max(rows), engine.scheduler.preemptions))
        assert sum(rows) == sum(len(r.tokens) for req in outs[-1] for r in req)  # one row a token: none redone
        engine.release([s.seq_id for s in seqs])
        engine.check_no_leaks()
    worst = -(-(17 + 40 - 1) // 4) - 17 // 4  # private blocks of one rollout from position 17
    assert worst == 10 and (40 - 10) // worst == 3  # 10 blocks hold the two sequences
    assert widest[0] == (30, 0)  # a roomy pool: all 30 together
    assert widest[1][0] >= 20  # 30 free blocks, one first block each: 24 together, where worst cases allow 3
    assert widest[2][1] > 0 and widest[2][0] < widest[1][0]  # 14 free blocks: some preempted, fewer at a time
    as_tokens = lambda out: [[r.tokens for r in req] for req in out]  # noqa: E731
    assert as_tokens(outs[0]) == as_tokens(outs[1]) == as_tokens(outs[2])
    logprobs = [torch.tensor([lp for req in out for r in req for lp in r.logprobs]) for out in outs]
    for lp in logprobs[1:]:  # tokens sampled after a return read the re-written K/V
        torch.testing.assert_close(lp, logprobs[0], rtol=0, atol=1e-5)
